"""The control panel: DOM classes, engine-built options, two-way binding, and a bad value in every control."""
import math

import numpy as np
import pytest
from ipywidgets import Accordion, Button, Checkbox, FloatText, Text

from dense_viz.app import presets
from dense_viz.app.catalog import EXPLAINER_TOOLTIPS as TIPS
from dense_viz.app.controls import ControlsPanel, format_leading_dims, parse_leading_dims
from dense_viz.app.state import INPUT_DATA, LOSSES, NONE, ExplainerState
from dense_viz.engine import activations, constraints, initializers, regularizers

CLASSES = {"preset": "dv-preset", "input_dim": "dv-input-dim", "leading_dims": "dv-leading-dims",
           "batch_size": "dv-batch-size", "units": "dv-units", "activation": "dv-activation",
           "use_bias": "dv-use-bias", "kernel_initializer": "dv-kernel-initializer",
           "bias_initializer": "dv-bias-initializer", "kernel_regularizer": "dv-kernel-regularizer",
           "kernel_regularizer_factor": "dv-kernel-regularizer-factor", "bias_regularizer": "dv-bias-regularizer",
           "bias_regularizer_factor": "dv-bias-regularizer-factor",
           "activity_regularizer": "dv-activity-regularizer",
           "activity_regularizer_factor": "dv-activity-regularizer-factor",
           "kernel_constraint": "dv-kernel-constraint", "bias_constraint": "dv-bias-constraint", "seed": "dv-seed",
           "new_weights": "dv-new-weights", "input_data": "dv-input-data", "loss": "dv-loss"}


@pytest.fixture
def panel():
    return ControlsPanel(ExplainerState())


NUMBER_FIELDS = ("units", "input_dim", "batch_size", "seed", "lora_rank")  # Text fields: integer arithmetic


def shown(name, value):
    """What the control of trait `name` holds for `value` (number fields hold text)."""
    return str(value) if name in NUMBER_FIELDS else value


def values(dropdown):
    return tuple(value for _, value in dropdown.options)


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def test_every_control_carries_its_dom_class_and_sits_in_the_panel(panel):
    tree = list(walk(panel))
    for name, css in CLASSES.items():
        control = panel.controls[name]
        assert css in control._dom_classes, name
        assert any(w is control for w in tree), f"{name} is not shown"
    assert "dv-controls" in panel._dom_classes


def test_dropdown_options_come_from_the_engine_lists(panel):
    c = panel.controls
    assert values(c["activation"]) == activations.NAMES
    assert values(c["kernel_initializer"]) == values(c["bias_initializer"]) == initializers.NAMES
    for kind in ("kernel", "bias", "activity"):
        assert values(c[f"{kind}_regularizer"]) == (NONE, *regularizers.NAMES)
    for kind in ("kernel", "bias"):
        assert values(c[f"{kind}_constraint"]) == (NONE, *constraints.NAMES)
    assert values(c["input_data"]) == INPUT_DATA
    assert values(c["loss"]) == LOSSES
    assert values(c["preset"]) == (presets.CUSTOM, *presets.PRESETS)
    assert [label for label, _ in c["preset"].options[1:]] == [name for name, _ in presets.PRESETS.values()]


def test_number_fields_take_typed_values_on_enter(panel):
    for name in NUMBER_FIELDS:
        assert isinstance(panel.controls[name], Text) and panel.controls[name].continuous_update is False
    assert isinstance(panel.controls["leading_dims"], Text) and not panel.controls["leading_dims"].continuous_update
    assert isinstance(panel.controls["kernel_regularizer_factor"], FloatText)
    assert isinstance(panel.controls["use_bias"], Checkbox)
    assert isinstance(panel.controls["new_weights"], Button)


def test_every_control_explains_itself_in_keras_terms(panel):
    for name, control in panel.controls.items():
        assert control.tooltip and len(control.tooltip) > 20, name
    assert "Dense(units)" in panel.controls["units"].tooltip
    assert "1 to 65536" in panel.controls["units"].tooltip
    assert set(TIPS) >= {"units", "activation", "use_bias", "kernel_initializer", "leading_dims"}


def test_less_used_options_sit_in_a_collapsed_advanced_section(panel):
    advanced = [w for w in walk(panel) if isinstance(w, Accordion)]
    assert len(advanced) == 1 and advanced[0].selected_index is None and advanced[0].titles == ("Advanced",)
    inside = list(walk(advanced[0]))
    for name in ("bias_initializer", "kernel_regularizer", "kernel_regularizer_factor", "bias_regularizer",
                 "activity_regularizer", "kernel_constraint", "bias_constraint", "seed", "input_data", "loss"):
        assert any(w is panel.controls[name] for w in inside), name
    for name in ("units", "activation", "use_bias", "kernel_initializer", "input_dim", "leading_dims",
                 "batch_size", "new_weights", "preset"):
        assert not any(w is panel.controls[name] for w in inside), name


@pytest.mark.parametrize("name, value", [
    ("units", 25600), ("input_dim", 100), ("batch_size", 2), ("activation", "tanh"), ("use_bias", False),
    ("kernel_initializer", "he_normal"), ("bias_initializer", "ones"), ("kernel_regularizer", "l2"),
    ("kernel_regularizer_factor", 0.5), ("bias_regularizer", "l1"), ("activity_regularizer", "l1l2"),
    ("kernel_constraint", "max_norm"), ("bias_constraint", "non_neg"), ("seed", 7), ("input_data", "one_hot"),
    ("loss", "sum"),
])
def test_a_control_writes_the_state_and_the_state_writes_the_control(panel, name, value):
    state, control = panel.state, panel.controls[name]
    version = state.arrays_version
    control.value = shown(name, value)
    assert getattr(state, name) == value and state.arrays_version == version + 1 and state.status_level == "ok"
    old = ExplainerState.class_traits()[name].default()
    state.update(**{name: old})
    assert control.value == shown(name, old)


def test_typed_units_change_the_arrays(panel):
    panel.controls["input_dim"].value = "100"
    panel.controls["units"].value = "10*10*256"  # the seed question's own spelling
    assert panel.state.layer.kernel.shape == (100, 25600) and panel.state.y.shape == (8, 25600)
    assert panel.controls["units"].value == "10*10*256"  # the field keeps what the learner typed …
    note = [w for w in walk(panel) if "dv-units-expression" in getattr(w, "_dom_classes", ())][0]
    assert "10*10*256 = 25600" in note.value  # … and says what it is
    panel.controls["units"].value = "1e9"  # refused: the state and the field keep the last valid value
    assert panel.state.units == 25600 and panel.controls["units"].value == "25600"
    assert "Received: units='1e9' (1e9 is not an integer)" in panel.state.status and note.value == ""


def test_leading_dims_text_parses_and_shows_the_state(panel):
    state, text = panel.state, panel.controls["leading_dims"]
    text.value = "5,3"
    assert state.leading_dims == (5, 3) and state.x.shape == (8, 5, 3, 4)
    text.value = " (7,) "
    assert state.leading_dims == (7,) and text.value == " (7,) "  # kept as typed: it means (7,)
    text.value = ""
    assert state.leading_dims == () and state.x.shape == (8, 4)
    state.update(leading_dims=(2, 2))
    assert text.value == "2,2"


def test_parse_leading_dims():
    assert parse_leading_dims("5") == (5,)
    assert parse_leading_dims("5, 3") == (5, 3)
    assert parse_leading_dims("[5,3]") == (5, 3)
    assert parse_leading_dims("  ") == ()
    for bad in ("5,x", "0", "-1", "5,,3", "2.5", ","):
        with pytest.raises(ValueError, match="expected comma-separated integers such as 5 or 5,3"):
            parse_leading_dims(bad)
    assert format_leading_dims((5, 3)) == "5,3" and format_leading_dims(()) == ""


# -- a bad value in every control: a Keras-style message, and the last valid value stays (state and control) -------
BAD_VALUES = [
    ("units", "0", "expected a positive integer. Received: units=0"),
    ("units", "-3", "Received: units=-3"),
    ("units", "1e9", "expected an integer or integer arithmetic such as 10*10*256"),
    ("units", "2.5", "Received: units='2.5' (2.5 is not an integer)"),
    ("units", "abc", "Received: units='abc'"),
    ("units", "", "Received: units='' (empty)"),
    ("units", "9**9**9", "too large"),
    ("units", "70000", "expected a positive integer of at most 65536 (this app's limit). Received: units=70000"),
    ("input_dim", "0", "Received an invalid value for `input_dim`, expected a positive integer. Received: input_dim=0"),
    ("input_dim", "5000", "at most 4096 (this app's limit). Received: input_dim=5000"),
    ("batch_size", "0", "Received an invalid value for `batch_size`, expected a positive integer"),
    ("batch_size", "600", "at most 512 (this app's limit). Received: batch_size=600"),
    ("leading_dims", "5,x", "expected comma-separated integers such as 5 or 5,3 or 2*5,3 (each positive; "),
    ("leading_dims", "0", "Received: leading_dims='0'"),
    ("leading_dims", "1000,1000", "Refused: this configuration needs about"),
    ("kernel_regularizer_factor", -1.0, "expected a non-negative number such as 0.01. "
                                        "Received: kernel_regularizer_factor=-1.0"),
    ("bias_regularizer_factor", math.nan, "Received: bias_regularizer_factor=nan"),
    ("activity_regularizer_factor", math.inf, "Received: activity_regularizer_factor=inf"),
    ("seed", "-1", "expected None or a non-negative integer. Received: seed=-1"),
    ("activation", "glu", "must be divisible by 2. Received: units=3"),  # glu halves an odd units=3
    ("bias_initializer", "orthogonal", "at least two-dimensional"),
    ("bias_initializer", "identity", "2D"),
]


@pytest.mark.parametrize("name, bad, message", BAD_VALUES)
def test_a_bad_value_in_a_control_is_refused_with_a_message(panel, name, bad, message):
    state, control = panel.state, panel.controls[name]
    before_value, before_control, version = getattr(state, name), control.value, state.arrays_version
    kernel = state.layer.kernel
    control.value = bad
    assert state.status_level == "error" and message in state.status
    assert getattr(state, name) == before_value
    assert control.value == before_control  # the control shows the last valid value again
    assert state.arrays_version == version and state.layer.kernel is kernel  # nothing was recomputed
    control.value = before_control  # a no-op: still the valid value
    assert getattr(state, name) == before_value


def test_a_refused_size_keeps_the_last_valid_state(panel):
    state = panel.state
    state.max_kernel_entries = 1000
    panel.controls["units"].value = "200"  # 4 × 200 = 800: fine
    panel.controls["units"].value = "300"  # 4 × 300 = 1,200: above the guard
    assert state.units == 200 and panel.controls["units"].value == "200"
    assert state.status.startswith("Refused: a kernel of 4 × 300 = 1,200 entries")
    assert state.y.shape == (8, 200)


def test_regularizer_factor_is_disabled_without_a_regularizer(panel):
    factor = panel.controls["kernel_regularizer_factor"]
    assert factor.disabled
    panel.controls["kernel_regularizer"].value = "l2"
    assert not factor.disabled
    factor.value = 0.5
    assert panel.state.layer.kernel_regularizer.l2 == 0.5
    assert panel.state.loss_value > 0.5 * float(np.square(panel.state.layer.kernel, dtype=np.float64).sum()) - 1e-6
    panel.state.update(kernel_regularizer=NONE)
    assert factor.disabled


def test_new_weights_button_draws_the_next_seed(panel):
    state = panel.state
    kernel = state.layer.kernel.copy()
    panel.controls["new_weights"].click()
    assert state.seed == 1 and panel.controls["seed"].value == "1"
    assert not np.array_equal(kernel, state.layer.kernel)


# -- presets -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("key", list(presets.PRESETS))
def test_choosing_a_preset_sets_every_configuration_trait_in_one_recompute(panel, key):
    state = panel.state
    state.update(leading_dims=(3,), kernel_regularizer="l1", seed=5)  # leftovers a preset must clear
    version = state.arrays_version
    panel.controls["preset"].value = key
    assert state.arrays_version == version + 1 and state.status_level == "ok" and presets.BOOK.current(state) == key
    for name, value in presets.preset_config(key).items():
        assert getattr(state, name) == value, name
        if name in panel.controls and name != "leading_dims":
            assert panel.controls[name].value == shown(name, value), name
    assert panel.controls["leading_dims"].value == format_leading_dims(state.leading_dims)


def test_a_change_after_a_preset_shows_custom_and_new_weights_keep_it(panel):
    state, menu = panel.state, panel.controls["preset"]
    menu.value = "tiny"
    panel.controls["new_weights"].click()
    assert presets.BOOK.current(state) == "tiny" and menu.value == "tiny"
    panel.controls["units"].value = "5"
    assert presets.BOOK.current(state) == presets.CUSTOM and menu.value == presets.CUSTOM
    assert state.units == 5 and state.input_dim == 3  # the rest of the preset stays
    menu.value = "tiny"
    assert state.units == 2 and menu.value == "tiny"
    menu.value = presets.CUSTOM  # "custom" keeps the settings, and they are still the preset's: the menu says so
    assert state.units == 2 and presets.BOOK.current(state) == "tiny" and menu.value == "tiny"


def test_a_preset_above_the_size_guard_is_refused_and_the_menu_reverts(panel):
    state, menu = panel.state, panel.controls["preset"]
    state.max_kernel_entries = 100_000
    version = state.arrays_version
    menu.value = "question"
    assert "Refused" in state.status and state.units == 3 and state.arrays_version == version
    assert menu.value == presets.CUSTOM and presets.BOOK.current(state) == presets.CUSTOM


def test_a_state_trait_outside_a_dropdown_never_breaks_the_panel(panel):
    state = panel.state
    state.activation = "not_an_activation"  # the state refuses and reverts; the dropdown keeps a valid value
    assert state.activation == "relu" and panel.controls["activation"].value == "relu"
    assert "Could not interpret activation function identifier" in state.status


def test_long_preset_names_are_written_out_under_the_menu():
    """The question's name is too long for the menu: its code is repeated, whole, under it."""
    from dense_viz import explain
    app = explain(preset="question")
    assert "Dense(10*10*256, use_bias=False, input_shape=(100,))" in app.controls._preset_name.value
    app.controls._preset.value = "tiny"
    assert app.controls._preset_name.value == ""
    assert app.state.units == 2


def test_update_of_the_selection_alone_recomputes_nothing():
    state = ExplainerState(input_dim=5, units=4, batch_size=3)
    layer, version, selection = state.layer, state.arrays_version, state.selection_version
    assert state.update(sample=2, unit=3)
    assert state.layer is layer and (state.sample, state.unit) == (2, 3) and state.arrays_version == version
    assert state.selection_version == selection + 2
    assert not state.update(unit=9)  # out of range: refused, kept, reported
    assert state.unit == 3 and "Received: unit=9" in state.status
