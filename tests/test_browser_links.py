"""Typed values and links in a real browser: `10*10*256` in units, a refused `1e9`, a link with a dozen keys in
both apps, and the share panel's own link opened in a fresh page (Voila + Chromium, the fixtures of conftest.py)."""
from urllib.parse import urlsplit

import pytest
from browser import UNITS_INPUT, UPDATE_TIMEOUT_MS, refreshed, set_units, text_of
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
EXPLAINER = "voila/render/explainer.ipynb"
TRAINING = "voila/render/training.ipynb"
READY = f"{UNITS_INPUT}:not([disabled])"
READOUTS = (".dv-output-shape", ".dv-param-count", ".dv-param-formula", ".dv-memory", ".dv-loss-value")


def readouts(page):
    return {css: text_of(page, css) for css in READOUTS}


def test_typed_arithmetic_is_the_value_and_1e9_is_refused(new_page, voila_server):
    page, events = new_page(voila_server + EXPLAINER + "?preset=custom&input_dim=100&use_bias=0", READY)
    with refreshed(page):
        set_units(page, "10*10*256")
    expect(page.locator(".dv-output-shape").first).to_have_text("(None, 25600)", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-param-count").first).to_have_text("2,560,000")
    expect(page.locator(".dv-units-expression").first).to_contain_text("10*10*256 = 25600")
    set_units(page, "1e9")
    status = page.locator(".dv-status").first
    expect(status).to_contain_text("Received: units='1e9' (1e9 is not an integer)", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(UNITS_INPUT).first).to_have_value("25600")  # the field shows the last valid value
    assert text_of(page, ".dv-output-shape") == "(None, 25600)"
    assert events.problems == [], "\n".join(events.problems)


def test_a_link_with_a_dozen_keys_sets_the_explainer(new_page, voila_server):
    query = ("units=7&activation=tanh&input_dim=5&use_bias=0&leading_dims=5,3&kernel_regularizer=l2"
             "&kernel_regularizer_factor=0.001&seed=3&batch_size=4&loss=sum&tab=forward&sample=2&unit=4")
    page, events = new_page(voila_server + EXPLAINER + "?" + query, READY)
    expect(page.locator(".dv-output-shape").first).to_have_text("(None, 5, 3, 7)", timeout=UPDATE_TIMEOUT_MS)
    assert text_of(page, ".dv-param-count") == "35" and text_of(page, ".dv-param-formula") == "5 × 7 + 0"
    expect(page.locator(".dv-forward-arithmetic").first).to_contain_text("y[2, ", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-forward-unit input").first).to_have_value("4")
    assert "dv-status" and "✓" in text_of(page, ".dv-status")
    assert events.problems == [], "\n".join(events.problems)


def test_a_link_with_a_dozen_keys_sets_the_training_panel(new_page, voila_server):
    query = ("dataset=xor&noise=0.05&layers=16:relu:he_normal,8:tanh&optimizer=sgd&learning_rate=0.03&batch_size=16"
             "&seed=4&n_samples=120&train_fraction=0.5&speed=5&early_stopping_patience=30&tab=units")
    page, events = new_page(voila_server + TRAINING + "?" + query, ".dv-play")
    architecture = page.locator(".dv-train-architecture").first
    expect(architecture).to_contain_text("2 → 16 relu → 8 tanh → 1 sigmoid", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-train-dataset select").first).to_have_value("xor")
    expect(page.locator(".dv-train-optimizer select").first).to_have_value("sgd")
    assert "✓" in text_of(page, ".dv-train-status")
    assert events.problems == [], "\n".join(events.problems)


def test_the_share_panels_voila_link_opens_the_same_state_in_a_fresh_page(new_page, voila_server):
    page, events = new_page(voila_server + EXPLAINER + "?preset=sequence", READY)
    with refreshed(page):
        set_units(page, "6")
    page.locator(".dv-own ~ *, .p-Accordion, .lm-Accordion, .widget-accordion").first  # (layout only)
    page.get_by_text("Share this setup").first.click()
    field = page.locator(".dv-share-server input").first
    expect(field).to_be_visible(timeout=UPDATE_TIMEOUT_MS)
    link = field.input_value()
    assert urlsplit(link).query and "units=6" in link
    before = readouts(page)
    fresh, fresh_events = new_page(link, READY)
    expect(fresh.locator(".dv-output-shape").first).to_have_text(before[".dv-output-shape"],
                                                                  timeout=UPDATE_TIMEOUT_MS)
    assert readouts(fresh) == before
    assert events.problems == [] and fresh_events.problems == []
