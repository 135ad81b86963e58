"""A guide beside every preset, Reset, and the language switch of the explainer."""
import pytest

import dense_viz
from dense_viz.app import presets
from dense_viz.app.catalog import PRESET_GUIDES, preset_guide
from dense_viz.i18n import language, set_language


@pytest.fixture(autouse=True)
def english():
    set_language("en")
    yield
    set_language("en")


def test_every_preset_has_a_guide_with_a_prediction_and_its_answer():
    assert set(PRESET_GUIDES) == set(presets.PRESETS) | {""}
    for key in presets.PRESETS:
        look, predict, answer = preset_guide(key)
        assert len(look) > 80 and predict.strip().endswith("?") and answer


def test_the_questions_guide_tells_its_story():
    look, predict, answer = preset_guide("question")
    for fact in ("DCGAN", "Reshape((10, 10, 256))", "BatchNormalization", "keras.Input((100,))", "None",
                 "same W"):
        assert fact in look, fact
    assert "leading_dims" in predict and "does not change" in answer and "flattened" in answer


@pytest.mark.parametrize("key, change, expected", [
    ("question", {"leading_dims": (5,)}, ("(None, 5, 25600)", "2,560,000")),
    ("tiny", {"units": 5}, ("20",)),
    ("logistic", {"use_bias": False}, ("8",)),
    ("sequence", {"leading_dims": (5, 3)}, ("(None, 5, 3, 4)", "36")),
])
def test_each_prediction_prompts_answer_is_what_the_app_then_shows(key, change, expected):
    app = dense_viz.explain(preset=key)
    app.state.update(**change)
    shown = app.readouts.texts()
    answer = preset_guide(key)[2]
    for value in expected:
        assert value in answer and value in (shown["output_shape"], shown["param_count"]), value


def test_the_guide_follows_the_chosen_preset_and_says_when_the_settings_left_it():
    app = dense_viz.explain(preset="tiny")
    assert "every number" in app.guide.value and "<details" in app.guide.value
    app.controls.controls["units"].value = "5"
    assert "You changed the settings since" in app.guide.value and "every number" in app.guide.value
    app.controls.controls["preset"].value = "softmax"
    assert "784 → 10" in app.guide.value and "since" not in app.guide.value


def test_reset_returns_to_the_chosen_presets_settings_or_the_defaults():
    app = dense_viz.explain(preset="sequence")
    app.state.update(units=9, activation="tanh", leading_dims=(2, 2))
    app.controls.controls["reset"].click()
    assert presets.BOOK.current(app.state) == "sequence" and app.state.units == 4
    plain = dense_viz.explain()
    plain.state.update(units=9)
    plain.controls.controls["reset"].click()
    assert plain.state.config() == presets.BOOK.defaults()
    app.controls.controls["preset"].value = presets.CUSTOM  # custom keeps the settings
    assert presets.BOOK.current(app.state) == "sequence"


def test_the_language_switch_rebuilds_the_widgets_and_keeps_the_state():
    app = dense_viz.explain(preset="tiny", query="tab=forward")
    y, config = app.state.y.copy(), app.state.config()
    assert app.language.value == "en" and "dv-lang" in app.language._dom_classes
    with pytest.raises(ValueError, match="Received: lang='xx'"):
        dense_viz.explain(lang="xx")
    app.set_language("en")  # no change: nothing rebuilt
    assert app.state.config() == config and app.visible == "forward" and (app.state.y == y).all()
