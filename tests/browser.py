"""Helpers for driving the explainer in a real browser (Playwright, sync API); used by tests and bench/.

The app's DOM contract: controls and readouts carry `dv-*` classes (an ipywidgets text field's <input>
sits inside the element with the class); the app is `.dv-app`, its Tab `.dv-tabs` with the pages TABS in order.
"""
import re

TABS = ("Shapes", "Weights", "Forward", "Gradients", "Code", "Neuron graph")
VIEW_CLASSES = {"Weights": "dv-weights-view", "Forward": "dv-forward-view", "Gradients": "dv-gradients-view",
                "Code": "dv-code-view"}
UNITS_INPUT = ".dv-units input"
QUESTION_PRESET = re.compile(r"^The question")
LOAD_TIMEOUT_MS = 180_000  # a kernel start plus the first render on a busy 2-core machine
UPDATE_TIMEOUT_MS = 30_000


class PageEvents:
    """Everything that went wrong in a page: console errors, uncaught exceptions, failed or external requests."""

    def __init__(self, page, origin):
        """Start listening on `page`; requests that leave `origin` (e.g. to a CDN) count as problems."""
        self.origin = origin
        self.problems = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught exception: {error}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} ({r.failure})"))
        page.on("response", self._response)
        page.on("request", self._request)

    def _console(self, message):
        if message.type == "error":
            self.problems.append(f"console error: {message.text} at {message.location.get('url', '')}")

    def _response(self, response):
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def _request(self, request):
        if not request.url.startswith((self.origin, "blob:", "data:")):
            self.problems.append(f"external request (the app must work offline): {request.url}")


def open_app(browser, url, viewport=None):
    """A new page on the app at `url`, its PageEvents, once the units field is enabled."""
    page = browser.new_page(viewport=viewport or {"width": 1280, "height": 900})
    events = PageEvents(page, url.split("?", 1)[0])  # requests to the server itself are local
    page.goto(url)
    page.wait_for_selector(f"{UNITS_INPUT}:not([disabled])", timeout=LOAD_TIMEOUT_MS)
    return page, events


def open_tab(page, title):
    """Click tab `title` of the app's Tab (class dv-tabs) and return the locator of its (now visible) page."""
    tab = page.locator(".dv-tabs").first
    tab.get_by_role("tab", name=title, exact=True).first.click()
    panel = tab.locator(":scope > .widget-tab-contents > *").nth(TABS.index(title))
    panel.wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)
    return panel


def screenshot_app(page, path):
    """A PNG of the whole app: Voila scrolls an inner element, so grow the viewport to the app's height first."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 4000})
    bottom = page.evaluate("() => document.querySelector('.dv-app').getBoundingClientRect().bottom")
    page.set_viewport_size({"width": size["width"], "height": int(bottom) + 24})
    page.wait_for_timeout(100)  # let the widgets re-layout
    page.screenshot(path=path)
    page.set_viewport_size(size)


def text_of(page, css):
    """The visible text of the first element with class selector `css` (e.g. ".dv-output-shape")."""
    return page.locator(css).first.inner_text()


def set_units(page, value):
    """Type `value` into the units field and press Enter (an IntText syncs on Enter)."""
    field = page.locator(UNITS_INPUT).first
    field.fill(str(value))
    field.press("Enter")


def choose_preset(page, pattern=QUESTION_PRESET):
    """Select the preset whose name matches `pattern` (a compiled regex); returns that name."""
    select = page.locator(".dv-preset select").first
    names = select.evaluate("s => Array.from(s.options, o => o.value)")  # labels use &nbsp;, values don't
    name = next(text for text in names if pattern.search(text))
    select.select_option(value=name)
    return name


def image_srcs(page, css):
    """The src of every <img> inside the element matching `css`, in document order."""
    return page.locator(f"{css} img").evaluate_all("imgs => imgs.map(img => img.src)")


# Arms timers in the page, from the next Enter keydown in the units field: `label` until the output-shape
# readout's text changes, `src` until the first <img> of `viewCss` has a new src, `painted` until that image
# has loaded and a frame was drawn. The result lands in window.__dvTiming (milliseconds).
ARM_REPAINT_TIMER = """([inputCss, viewCss, labelCss]) => {
  window.__dvTiming = null;
  const view = document.querySelector(viewCss), input = document.querySelector(inputCss);
  const labelText = () => (document.querySelector(labelCss) || {}).textContent;
  const oldSrc = (view.querySelector('img') || {}).src, oldLabel = labelText();
  let t0 = null, tLabel = null, seen = false;
  input.addEventListener('keydown', e => { if (e.key === 'Enter') t0 = performance.now(); },
                         {capture: true, once: true});
  const labelObserver = new MutationObserver(() => {  // the readout's element may be replaced: watch them all
    if (t0 !== null && tLabel === null && labelText() !== oldLabel) {
      tLabel = performance.now() - t0; labelObserver.disconnect(); }
  });
  labelObserver.observe(document.body, {subtree: true, childList: true, characterData: true});
  const check = () => {
    const img = view.querySelector('img');
    if (seen || t0 === null || !img || img.src === oldSrc) return;
    seen = true;
    observer.disconnect();
    const tSrc = performance.now() - t0;
    const painted = () => requestAnimationFrame(() => {
      window.__dvTiming = {label: tLabel, src: tSrc, painted: performance.now() - t0}; });
    if (img.complete && img.naturalWidth) painted(); else img.addEventListener('load', painted, {once: true});
  };
  const observer = new MutationObserver(check);
  observer.observe(view, {subtree: true, childList: true, attributes: true, attributeFilter: ['src']});
}"""


def time_units_repaint(page, value, view_css=".dv-weights-view", label_css=".dv-output-shape"):
    """{label, src, painted}: ms from Enter in the units field to the readout's new text, the view's first
    image's new src, and that image loaded and painted."""
    page.evaluate(ARM_REPAINT_TIMER, [UNITS_INPUT, view_css, label_css])
    set_units(page, value)
    page.wait_for_function("() => window.__dvTiming !== null", timeout=UPDATE_TIMEOUT_MS)
    return page.evaluate("() => window.__dvTiming")


# Installed before the page's own scripts: records performance.now() (ms since navigation start) when the
# units field is enabled and the visible tab of the app shows content (text, or an image that has loaded).
FIRST_INTERACTIVE_PROBE = """(() => {
  window.__dvInteractive = null;
  const ready = () => {
    const input = document.querySelector('.dv-units input');
    if (!input || input.disabled) return false;
    const page = document.querySelector('.dv-tabs .widget-tab-contents > :not(.lm-mod-hidden)');
    if (!page) return false;
    const img = page.querySelector('img');
    return img ? img.complete && img.naturalWidth > 0 : page.innerText.trim().length > 0;
  };
  const check = () => {
    if (window.__dvInteractive === null && ready()) window.__dvInteractive = performance.now();
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, attributes: true});
  document.addEventListener('load', check, true);  // image loads do not mutate the DOM
})();"""


def time_first_interactive(browser, url):
    """Milliseconds from navigation start to the app being interactive in a new page (closed after)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.add_init_script(FIRST_INTERACTIVE_PROBE)
        page.goto(url)
        page.wait_for_function("() => window.__dvInteractive !== null", timeout=LOAD_TIMEOUT_MS)
        return page.evaluate("() => window.__dvInteractive")
    finally:
        page.close()
