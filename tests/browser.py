"""Helpers for driving the explainer in a real browser (Playwright, sync API); used by tests and bench/.

The app's DOM contract: controls and readouts carry `dv-*` classes (an ipywidgets text field's <input>
sits inside the element with the class); the app is `.dv-app`, its Tab `.dv-tabs` with the pages TABS in order;
`.dv-sync [data-version]` grows by one after every refresh pass of the visible views (both apps).

Playwright's sync API marks an asyncio loop as running in the thread that starts it, for as long as it runs.
BrowserThread keeps Playwright and Chromium in a worker thread of their own, so the caller's thread (pytest's)
never sees that loop; every Playwright call must then be made through `BrowserThread.run`.
"""
import io
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import urlsplit

TABS = ("Shapes", "Weights", "Forward", "Gradients", "Learning step", "Adapt & compress", "Code", "Neuron graph")
VIEW_CLASSES = {"Weights": "dv-weights-view", "Forward": "dv-forward-view", "Gradients": "dv-gradients-view",
                "Code": "dv-code-view"}
UNITS_INPUT = ".dv-units input"
QUESTION_PRESET = re.compile(r"^The question")
LOAD_TIMEOUT_MS = 180_000  # a kernel start plus the first render on a busy 2-core machine
UPDATE_TIMEOUT_MS = 30_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
SYNC_VERSION = "() => Number((document.querySelector('.dv-sync [data-version]') || {dataset: {}}).dataset.version)"


class BrowserThread:
    """Playwright and one headless Chromium, living in a dedicated worker thread.

    `run(fn, *args)` calls fn(*args) in that thread and returns its result, or re-raises its exception (with the
    worker's traceback); called from the worker itself, it just calls fn. `.context` is one browser context
    (its HTTP cache makes later page loads cheaper); give each test its own page from it and close the page after.
    """

    def __init__(self, executable_path=None):
        """Start Playwright and Chromium (`executable_path`, else Playwright's own download) in the worker."""
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playwright")
        self._playwright = self.browser = self.context = self._thread = None
        try:
            self.run(self._start, executable_path)
        except BaseException:
            self.close()
            raise

    def _start(self, executable_path):
        from playwright.sync_api import sync_playwright
        self._thread = threading.current_thread()
        self._playwright = sync_playwright().start()
        self.browser = self._playwright.chromium.launch(executable_path=executable_path, headless=True,
                                                        args=CHROMIUM_ARGS)
        self.context = self.browser.new_context(viewport={"width": 1280, "height": 900})

    def run(self, fn, *args, **kwargs):
        """fn(*args, **kwargs) in the Playwright thread; its result, or its exception raised here."""
        if threading.current_thread() is self._thread:
            return fn(*args, **kwargs)
        return self._worker.submit(fn, *args, **kwargs).result()

    def close(self):
        """Close Chromium and Playwright, then end the worker thread."""
        def stop():
            if self.browser is not None:
                self.browser.close()
            if self._playwright is not None:
                self._playwright.stop()
        try:
            self.run(stop)
        finally:
            self._worker.shutdown()


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


def open_page(context, url, ready_css, viewport=None, status=200):
    """A new page of `context` (at `viewport`, else the context's) on `url` and its PageEvents, once `ready_css`
    matches (closed if that fails). An HTTP status other than `status` fails at once, with the page's text."""
    page = context.new_page()
    try:
        if viewport:
            page.set_viewport_size(viewport)
        parts = urlsplit(url)
        events = PageEvents(page, f"{parts.scheme}://{parts.netloc}/")  # requests to the server itself are local
        response = page.goto(url)
        if response is not None and response.status != status:  # fail at once, not after LOAD_TIMEOUT_MS
            raise AssertionError(f"HTTP {response.status} for {url}: {page.content()[:2000]}")
        try:
            page.wait_for_selector(ready_css, timeout=LOAD_TIMEOUT_MS)
        except Exception as error:
            raise AssertionError(f"{url} never showed {ready_css!r}; the page reported: {events.problems}\n"
                                 f"{page.inner_text('body')[:2000]}") from error
    except BaseException:
        page.close()
        raise
    return page, events


def open_app(context, url):
    """A new page on the explainer at `url` and its PageEvents, once the units field is enabled."""
    return open_page(context, url, f"{UNITS_INPUT}:not([disabled])")


def sync_version(page):
    """The app's refresh counter: `.dv-sync [data-version]` (NaN before the app has rendered)."""
    return page.evaluate(SYNC_VERSION)


@contextmanager
def refreshed(page, passes=1):
    """On leaving the block, wait until the app has finished `passes` more refresh passes than before it."""
    target = sync_version(page) + passes
    yield
    page.wait_for_function(f"n => ({SYNC_VERSION})() >= n", arg=target, timeout=UPDATE_TIMEOUT_MS)


def wait_for_images(page, css, old_src=None):
    """Wait until every visible <img> inside the element `css` has loaded and (given `old_src`) the first of them
    shows something else."""
    page.wait_for_function("([css, old]) => { const imgs = Array.from(document.querySelector(css)"
                           "  .querySelectorAll('img')).filter(img => img.checkVisibility());"
                           "  return (old === null || (imgs.length > 0 && imgs[0].src !== old))"
                           "    && imgs.every(img => img.complete && img.naturalWidth > 0); }",
                           arg=[css, old_src], timeout=UPDATE_TIMEOUT_MS)


def next_frame(page):
    """Wait until the page has painted twice (a layout after a resize has landed)."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def assert_drawn(png, what, min_colours=8, min_ink=0.01):
    """Assert a PNG shows something: at least `min_colours` colours and `min_ink` of its pixels off the
    background (its most common colour). Returns the PNG."""
    from PIL import Image
    image = Image.open(io.BytesIO(png)).convert("RGB")
    counts = image.getcolors(maxcolors=image.width * image.height)
    ink = 1 - max(counts)[0] / (image.width * image.height)
    assert len(counts) >= min_colours and ink >= min_ink, (
        f"{what} looks blank: {len(counts)} colours, {ink:.1%} of {image.width}×{image.height} px off the background")
    return png


def open_tab(page, title):
    """Click tab `title` of the app's Tab (class dv-tabs), wait for the refresh pass that opening it runs and for
    its images to load, and return the locator of its (now visible) page."""
    button = page.locator(".dv-tabs").first.get_by_role("tab", name=title, exact=True).first
    with refreshed(page, passes=0 if button.get_attribute("aria-selected") == "true" else 1):
        button.click()
    css = f".dv-tabs > .widget-tab-contents > :nth-child({TABS.index(title) + 1})"
    panel = page.locator(css).first
    panel.wait_for(state="visible", timeout=UPDATE_TIMEOUT_MS)
    wait_for_images(page, css)
    return panel


def screenshot_app(page, path):
    """PNG bytes of the whole app, also written to `path`: Voila scrolls an inner element, so grow the viewport
    to the app's height first."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 4000})
    bottom = page.evaluate("() => document.querySelector('.dv-app').getBoundingClientRect().bottom")
    page.set_viewport_size({"width": size["width"], "height": int(bottom) + 24})
    next_frame(page)  # the widgets re-layout for the new size
    png = page.screenshot(path=path)
    page.set_viewport_size(size)
    return png


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
    """Milliseconds from navigation start to the app being interactive in a new page, in a new context (an empty
    cache, like a first visit; closed after)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.add_init_script(FIRST_INTERACTIVE_PROBE)
        page.goto(url)
        page.wait_for_function("() => window.__dvInteractive !== null", timeout=LOAD_TIMEOUT_MS)
        return page.evaluate("() => window.__dvInteractive")
    finally:
        page.close()


CLIPPED_TABS = """css => [...document.querySelectorAll(css + ' .lm-TabBar-tab')]
  .filter(tab => { const label = tab.querySelector('.lm-TabBar-tabLabel') || tab;
                   return label.scrollWidth > label.clientWidth + 1 || tab.getBoundingClientRect().right >
                          tab.closest('.lm-TabBar').getBoundingClientRect().right + 1; })
  .map(tab => tab.textContent)"""


def clipped_tab_titles(page, css=".dv-tabs"):
    """Titles of the tab bar `css` that do not show whole (cut by an ellipsis, or beyond the bar's right edge)."""
    return page.evaluate(CLIPPED_TABS, css)
