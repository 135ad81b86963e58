"""The explainer in a real browser: Voila serves notebooks/explainer.ipynb, Playwright drives Chromium.

One page is shared by the tests of this module (each page load starts a kernel); the tests run in file
order and each one also checks that nothing has gone wrong in the page so far.
"""
import re

import pytest
from browser import (TABS, UPDATE_TIMEOUT_MS, VIEW_CLASSES, choose_preset, image_srcs, open_app, open_tab,
                     screenshot_app, set_units, text_of)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(chromium, voila_server):
    """(page, events) for one app page at the default configuration (the URL's preset=custom)."""
    page, events = open_app(chromium, voila_server + "?preset=custom")
    yield page, events
    page.close()


def assert_no_problems(events):
    assert events.problems == [], "\n".join(events.problems)


def output_shape(page):
    return text_of(page, ".dv-output-shape")


def test_page_loads_with_readouts(app):
    page, events = app
    expect(page.locator(".dv-output-shape").first).to_contain_text("(None, ", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-param-count").first).not_to_be_empty()
    assert "from dense_viz import explain" not in page.content()  # voila.json: strip_sources
    assert_no_problems(events)


def test_the_bare_url_opens_on_the_question_and_url_presets_work(chromium, voila_server):
    """A learner who opens the app sees the seed question answered; ?preset=<key> opens another preset."""
    page, events = open_app(chromium, voila_server)
    try:
        expect(page.locator(".dv-output-shape").first).to_have_text("(None, 25600)", timeout=UPDATE_TIMEOUT_MS)
        expect(page.locator(".dv-param-count").first).to_have_text("2,560,000")
        expect(page.locator(".dv-param-formula").first).to_contain_text("100 × 25600 + 0")
        expect(page.locator(".dv-memory").first).to_contain_text("9.77 MB")
        assert_no_problems(events)
    finally:
        page.close()
    page, events = open_app(chromium, voila_server + "?preset=tiny")
    try:
        expect(page.locator(".dv-output-shape").first).to_have_text("(None, 2)", timeout=UPDATE_TIMEOUT_MS)
        expect(page.locator(".dv-param-count").first).to_have_text("8")
    finally:
        page.close()


def test_typed_units_change_the_output_shape_and_the_weights_image(app):
    page, events = app
    open_tab(page, "Weights")  # the view draws when its tab opens: wait for that picture, then change units
    page.wait_for_function("() => { const img = document.querySelector('.dv-weights-view img');"
                           "  return img && img.complete && img.naturalWidth > 0; }", timeout=UPDATE_TIMEOUT_MS)
    page.wait_for_timeout(300)
    before = image_srcs(page, ".dv-weights-view")
    units = 7 if "(None, 7)" not in output_shape(page) else 6
    set_units(page, units)
    expect(page.locator(".dv-output-shape").first).to_contain_text(f"(None, {units})", timeout=UPDATE_TIMEOUT_MS)
    page.wait_for_function("([css, old]) => { const img = document.querySelector(css + ' img');"
                           "  return img && img.src !== old && img.complete && img.naturalWidth > 0; }",
                           arg=[".dv-weights-view", before[0]], timeout=UPDATE_TIMEOUT_MS)
    assert image_srcs(page, ".dv-weights-view")[0] != before[0]
    assert_no_problems(events)


def test_every_tab_shows_its_view(app, artifacts_dir):
    page, events = app
    for title in TABS:
        panel = open_tab(page, title)
        if title in VIEW_CLASSES:
            view = page.locator(f".{VIEW_CLASSES[title]}").first
            expect(view).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
        page.wait_for_timeout(300)  # let a debounced refresh land before judging and photographing it
        images = panel.locator("img")
        assert panel.inner_text().strip() or images.count(), f"tab {title!r} is empty"
        for i in range(images.count()):  # every image shown has actually decoded
            assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"), f"{title}: img {i}"
        screenshot_app(page, artifacts_dir / f"tab-{slug(title)}.png")
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


def test_the_question_preset(app, artifacts_dir):
    page, events = app
    label = choose_preset(page)
    expect(page.locator(".dv-output-shape").first).to_contain_text("(None, 25600)", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-param-count").first).to_contain_text("2,560,000", timeout=UPDATE_TIMEOUT_MS)
    assert "input_shape=(100,)" in label
    for title in TABS:
        open_tab(page, title)
        page.wait_for_timeout(500)
        screenshot_app(page, artifacts_dir / f"question-tab-{slug(title)}.png")
    assert_no_problems(events)


def test_no_console_errors_and_no_failed_requests_in_the_whole_session(app):
    assert_no_problems(app[1])


def slug(title):
    return re.sub(r"\W+", "-", title.lower())
