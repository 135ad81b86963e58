"""The training panel in a real browser: Voila renders notebooks/training.ipynb (ipykernel 7), Playwright drives
Chromium. Play must train while the kernel stays responsive: the loss readout changes several times, the
views keep refreshing, and Pause stops the step counter.

Each test opens its own page (conftest's `new_page`, on conftest's Voila server) and runs in the Playwright
thread; it waits for what it expects to see, never for a fixed time.
"""
import re
import time

import pytest
from browser import UPDATE_TIMEOUT_MS, assert_drawn, refreshed, wait_for_images
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
TRAINING = "voila/render/training.ipynb"
APP_READY = '.dv-train-loss-readout:has-text("·")'  # the first numbers are drawn

# From now on: every text the loss readout takes and how often the loss curve's <img> gets a new src (one per
# view refresh), in window.__dvTraining; rate() is repaints per second from the first of them to now.
RECORD_TRAINING = """() => {
  const rec = window.__dvTraining = {first: null, readouts: new Set(), repaints: 0};
  rec.rate = () => (rec.repaints - 1) / ((performance.now() - rec.first) / 1000);
  const readout = () => document.querySelector('.dv-train-loss-readout').textContent;
  new MutationObserver(() => rec.readouts.add(readout()))
    .observe(document.body, {subtree: true, childList: true, characterData: true});
  const view = document.querySelector('.dv-train-loss-view');
  new MutationObserver(() => { rec.repaints += 1; rec.first ??= performance.now(); })
    .observe(view, {subtree: true, attributeFilter: ['src']});
}"""


@pytest.fixture
def app(new_page, voila_server):
    """(page, events) for a new training page at the default configuration."""
    return new_page(voila_server + TRAINING, APP_READY, viewport={"width": 1300, "height": 1000})


def text(page, css):
    return page.locator(css).first.inner_text().strip()


def steps(page):
    """The step counter as an int ('1,234' -> 1234)."""
    return int(re.sub(r"\D", "", text(page, ".dv-train-steps")) or 0)


def assert_no_problems(events):
    assert events.problems == [], "\n".join(events.problems)


def test_play_trains_live_pause_stops_the_counter_step_and_reset(app, artifacts_dir):
    page, events = app
    play = page.locator(".dv-play").first
    expect(play).to_contain_text("Play")
    start_steps = steps(page)

    play.click()
    expect(play).to_contain_text("Pause", timeout=UPDATE_TIMEOUT_MS)
    page.evaluate(RECORD_TRAINING)
    # ≥ 10 refreshes/s is measured in the kernel (test_app_training, bench); through a busy 2-core machine's
    # browser we require 15 repaints of the loss curve at ≥ 5 per second, and a readout that keeps changing.
    page.wait_for_function("() => window.__dvTraining.repaints >= 16 && window.__dvTraining.readouts.size >= 4",
                           timeout=UPDATE_TIMEOUT_MS)
    refreshes_per_second = page.evaluate("() => window.__dvTraining.rate()")
    assert refreshes_per_second >= 5, f"loss view repainted {refreshes_per_second:.1f} times per second"
    assert steps(page) > start_steps + 20  # the default speed is 20 steps/s, and 16 repaints take ≥ 1.5 s
    assert re.search(r"[1-9][\d,]* steps/s", text(page, ".dv-train-sps")), text(page, ".dv-train-sps")

    clicked = time.monotonic()
    play.click()  # Pause: handled by the kernel between two chunks of steps
    expect(play).to_contain_text("Play", timeout=UPDATE_TIMEOUT_MS)
    pause_latency = time.monotonic() - clicked
    assert pause_latency < 3.0, f"Pause took {pause_latency:.2f} s to take effect"
    expect(page.locator(".dv-train-sps").first).to_contain_text("paused", timeout=UPDATE_TIMEOUT_MS)
    stopped = steps(page)
    assert stopped > start_steps
    assert_drawn(page.screenshot(path=artifacts_dir / "training-paused.png", full_page=True), "the paused app")

    # Step runs in the kernel after anything still queued: exactly one more step means training had stopped
    page.locator(".dv-step").first.click()
    expect(page.locator(".dv-train-steps").first).to_have_text(f"{stopped + 1:,}", timeout=UPDATE_TIMEOUT_MS)
    page.locator(".dv-reset").first.click()
    expect(page.locator(".dv-train-steps").first).to_have_text("0", timeout=UPDATE_TIMEOUT_MS)
    assert_no_problems(events)


def test_vanishing_preset_shows_its_gradient_ratio_and_the_norms_of_its_layers(app, artifacts_dir):
    page, events = app
    select = page.locator(".dv-train-preset select").first
    label = next(t for t in select.locator("option").all_inner_texts() if t.startswith("Vanishing"))
    before = page.locator(".dv-train-gradients-view img").first.get_attribute("src")
    select.select_option(label=label)
    expect(page.locator(".dv-train-architecture").first).to_contain_text("16 sigmoid → 16 sigmoid",
                                                                         timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-train-layer")).to_have_count(8, timeout=UPDATE_TIMEOUT_MS)
    # the caption is written after the image, so once it names 9 layers the new image has been sent
    expect(page.locator(".dv-train-gradients-text").first).to_contain_text("all 9 layers", timeout=UPDATE_TIMEOUT_MS)
    wait_for_images(page, ".dv-train-gradients-view", old_src=before)
    assert_drawn(page.screenshot(path=artifacts_dir / "training-vanishing.png", full_page=True), "the vanishing preset")

    with refreshed(page):
        page.locator(".dv-train-tabs").get_by_role("tab", name="Units · weight norms").click()
    for css in (".dv-train-units-view", ".dv-train-norms-view"):
        expect(page.locator(f"{css} img").first).to_be_visible()
        wait_for_images(page, css)
    assert_drawn(page.screenshot(path=artifacts_dir / "training-units-tab.png", full_page=True), "the units tab")
    assert_no_problems(events)
