"""Both apps in Russian in a real browser: Voila renders the notebooks with `?lang=ru`, Playwright drives Chromium.

The visible text must be Russian: the status line, the tab titles, the control panel; no common English UI word
may show anywhere in the app (what stays English is code, identifiers and the engine's own error messages, each
checked by tests/test_i18n.py). A refusal keeps Keras' English text and shows its Russian explanation beside it.
Each test opens its own page (conftest's `new_page` on conftest's Voila server); CI=true fails without Chromium.
"""
import re

import pytest
from browser import UNITS_INPUT, UPDATE_TIMEOUT_MS, clipped_tab_titles
from playwright.sync_api import expect
from russian_text import english_words

pytestmark = pytest.mark.browser
EXPLAINER = "voila/render/explainer.ipynb?lang=ru"
TRAINING = "voila/render/training.ipynb?lang=ru"
COMMON_ENGLISH = ("Weights", "Forward", "Loss", "Preset", "Advanced", "parameters", "Shapes", "Gradients",
                  "Share this setup", "Play", "Reset", "Output shape", "Memory", "Training", "Gradient flow")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def visible_text(page, css):
    """innerText of the first `css` element, with <code>/<pre> and the engine's own English messages left out."""
    return page.evaluate("""css => {
      const copy = document.querySelector(css).cloneNode(true);
      copy.querySelectorAll('code, pre, [lang=en], input, select').forEach(e => e.remove());
      document.body.appendChild(copy);
      const text = copy.innerText;
      copy.remove();
      return text;
    }""", css)


def language_shown(page):
    """The label of the language switch's selected option."""
    return page.evaluate("() => { const s = document.querySelector('.dv-lang select'); "
                         "return s.options[s.selectedIndex].text; }")


def assert_russian_page(page, app_css):
    text = visible_text(page, app_css)
    assert len(CYRILLIC.findall(text)) > 200, text[:500]
    for word in COMMON_ENGLISH:
        assert not re.search(rf"\b{re.escape(word)}\b", text), f"{word!r} on the Russian page: {text[:800]}"
    assert not english_words(text), english_words(text)[:20]


def test_explainer_in_russian(new_page, voila_server, artifacts_dir):
    page, events = new_page(voila_server + EXPLAINER, f"{UNITS_INPUT}:not([disabled])")
    status = page.locator(".dv-status").first
    expect(status).to_contain_text("параметров")
    titles = page.locator(".dv-tabs").first.get_by_role("tab").all_inner_texts()
    assert titles[:3] == ["Формы", "Веса", "Прямой проход"], titles
    assert clipped_tab_titles(page) == []  # every title whole at 1280 px, the longer Russian ones too
    assert language_shown(page) == "Русский"
    assert_russian_page(page, ".dv-app")

    field = page.locator(UNITS_INPUT).first  # a refusal: Keras' words stay, the explanation is Russian
    field.fill("abc")
    field.press("Enter")
    expect(status).to_contain_text("Received an invalid value for `units`", timeout=UPDATE_TIMEOUT_MS)
    expect(page.locator(".dv-status-explain").first).to_contain_text("Недопустимое значение",
                                                                    timeout=UPDATE_TIMEOUT_MS)
    page.screenshot(path=str(artifacts_dir / "explainer-ru.png"))
    assert events.problems == [], "\n".join(events.problems)


def test_training_in_russian(new_page, voila_server, artifacts_dir):
    page, events = new_page(voila_server + TRAINING, '.dv-train-loss-readout:has-text("·")',
                            viewport={"width": 1300, "height": 1000})
    expect(page.locator(".dv-train-status").first).to_contain_text(CYRILLIC)
    titles = page.locator(".dv-train-tabs").first.get_by_role("tab").all_inner_texts()
    assert titles[0] == "Поток градиента", titles
    assert language_shown(page) == "Русский"
    assert_russian_page(page, ".dv-train-app")
    page.screenshot(path=str(artifacts_dir / "training-ru.png"))
    assert events.problems == [], "\n".join(events.problems)
