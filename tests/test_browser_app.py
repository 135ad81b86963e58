"""The explainer in a real browser: Voila renders notebooks/explainer.ipynb, Playwright drives Chromium.

Each test opens its own page (conftest's `new_page`; each page load starts a kernel) and runs in the Playwright
thread; it waits for the app's refresh counter (`.dv-sync [data-version]`) or for the text it expects, never for
a fixed time, and ends by checking that nothing went wrong in its page.
"""
import asyncio
import re
import threading

import pytest
from browser import (TABS, UNITS_INPUT, UPDATE_TIMEOUT_MS, VIEW_CLASSES, assert_drawn, choose_preset, clipped_tab_titles,
                     image_srcs, open_tab, refreshed, screenshot_app, set_units, text_of, wait_for_images)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
APP_READY = f"{UNITS_INPUT}:not([disabled])"
EXPLAINER = "voila/render/explainer.ipynb"


@pytest.fixture
def app(new_page, voila_server):
    """(page, events) for a new app page at the default configuration (the URL's preset=custom)."""
    return new_page(voila_server + EXPLAINER + "?preset=custom", APP_READY)


def assert_no_problems(events):
    assert events.problems == [], "\n".join(events.problems)


def output_shape(page):
    return text_of(page, ".dv-output-shape")


def slug(title):
    return re.sub(r"\W+", "-", title.lower())


def test_the_bare_url_opens_on_the_question(new_page, voila_server):
    """A learner who opens the app sees the seed question answered."""
    page, events = new_page(voila_server + EXPLAINER, APP_READY)
    expect(page.locator(".dv-output-shape").first).to_have_text("(None, 25600)", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-param-count").first).to_have_text("2,560,000")
    expect(page.locator(".dv-param-formula").first).to_contain_text("100 × 25600 + 0")
    expect(page.locator(".dv-memory").first).to_contain_text("9.77 MB")
    assert_no_problems(events)


def test_typed_units_change_the_output_shape_and_the_weights_image(app):
    page, events = app
    open_tab(page, "Weights")  # the view draws when its tab opens
    before = image_srcs(page, ".dv-weights-view")
    with refreshed(page):
        set_units(page, 7)
    expect(page.locator(".dv-output-shape").first).to_have_text("(None, 7)")
    wait_for_images(page, ".dv-weights-view", old_src=before[0])
    assert_no_problems(events)


def test_a_bad_units_value_is_refused_with_a_keras_message(app):
    page, events = app
    shape = output_shape(page)
    set_units(page, 0)
    expect(page.locator(".dv-status").first).to_contain_text(
        "Received an invalid value for `units`, expected a positive integer. Received: units=0",
        timeout=UPDATE_TIMEOUT_MS)
    assert output_shape(page) == shape
    assert_no_problems(events)


def test_the_default_page_has_its_readouts_and_every_tab_shows_its_view(app):
    page, events = app
    expect(page.locator(".dv-output-shape").first).to_have_text("(None, 3)", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-param-count").first).to_have_text("15")
    assert "from dense_viz import explain" not in page.content()  # voila.json: strip_sources
    assert clipped_tab_titles(page) == []  # "Adapt & compress" whole beside the controls, at 1280 px
    for title in TABS:
        panel = open_tab(page, title)
        if title in VIEW_CLASSES:
            expect(page.locator(f".{VIEW_CLASSES[title]}").first).to_be_visible()
        assert_drawn(panel.screenshot(), f"tab {title!r}")
    assert_no_problems(events)


def test_a_url_preset_then_the_question_from_the_menu_draws_every_tab(new_page, voila_server,
                                                                      artifacts_dir):
    """?preset=<key> opens that preset; the menu then loads the seed question's 100 × 25600 kernel, drawn in
    every tab (the screenshots in test-artifacts/ are for humans)."""
    page, events = new_page(voila_server + EXPLAINER + "?preset=tiny", APP_READY)
    expect(page.locator(".dv-output-shape").first).to_have_text("(None, 2)", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-param-count").first).to_have_text("8")
    with refreshed(page):
        label = choose_preset(page)
    assert "input_shape=(100,)" in label
    expect(page.locator(".dv-output-shape").first).to_have_text("(None, 25600)")
    expect(page.locator(".dv-param-count").first).to_have_text("2,560,000")
    for title in TABS:
        open_tab(page, title)
        assert_drawn(screenshot_app(page, artifacts_dir / f"question-tab-{slug(title)}.png"), f"tab {title!r}")
    assert_no_problems(events)


def test_playwright_leaves_no_event_loop_in_the_test_thread(browser_thread, voila_server):
    """Playwright runs in its own thread: after it has driven a page, pytest's thread has no running loop (the
    headless app tests rely on that: with a loop they would debounce instead of refreshing at once)."""
    def visit_a_static_file():
        page = browser_thread.context.new_page()
        try:
            page.goto(voila_server + "voila/templates/base/static/voila.js")  # a static file: starts no kernel
            return threading.current_thread() is not threading.main_thread(), page.url
        finally:
            page.close()
    in_worker, url = browser_thread.run(visit_a_static_file)
    assert in_worker and url.endswith("voila.js")
    assert threading.current_thread() is threading.main_thread()
    with pytest.raises(RuntimeError, match="no running event loop"):
        asyncio.get_running_loop()
