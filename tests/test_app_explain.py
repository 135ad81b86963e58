"""explain() and the assembled app: defaults, presets and readouts, the size guard, the status line, the
debouncer, and "only the visible tab redraws"."""
import asyncio
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ipywidgets import VBox

import dense_viz
from dense_viz.app import app as app_module
from dense_viz.app import presets
from dense_viz.app.schedule import Debouncer
from dense_viz.app.ui import guarded
from dense_viz.app.state import ExplainerState
from dense_viz.engine import Dense, activations
from dense_viz.engine.layers import format_shape
from dense_viz.engine.sequential import readable_memory_size

TITLES = ["Shapes", "Weights", "Forward", "Gradients", "Learning step", "Adapt & compress", "Code", "Neuron graph"]


def counting_view(name, log, fail=False):
    """A stand-in view class that records each refresh (and the state version it saw) in log[name]."""
    class View(VBox):
        def __init__(self, state):
            super().__init__()
            self.state = state
            self.add_class(f"dv-{name}-view")

        def refresh(self):
            log.setdefault(name, []).append(self.state.arrays_version)
            if fail:
                raise RuntimeError(f"{name} broke")
    return View


@pytest.fixture
def refreshes(monkeypatch):
    """Replace every view with a counting stand-in; returns the log {view key: [versions drawn]}."""
    log = {}
    classes = {key: counting_view(key, log) for key, _ in app_module.TABS}
    monkeypatch.setattr(app_module, "view_class", lambda key: classes[key])
    return log


# -- explain() -----------------------------------------------------------------------------------------------------
def test_explain_defaults_to_the_state_defaults(refreshes):
    app = dense_viz.explain()
    assert isinstance(app, VBox) and isinstance(app.state, ExplainerState)
    assert {name: getattr(app.state, name) for name in ExplainerState.config_names()} == presets.state_defaults()
    assert presets.BOOK.current(app.state) == presets.CUSTOM and app.controls.controls["preset"].value == presets.CUSTOM
    assert list(app.views) == ["shapes", "weights", "forward", "gradients", "step", "adapt", "code", "graph"]
    assert list(app.tabs.titles) == TITLES and app.tabs.children == tuple(app.views.pages.values())
    assert app.views.built() == ["shapes"]  # the other views are built when first shown (or asked for)
    views = {key: app.views[key] for key in app.views}  # built now: each goes into its tab's page
    assert all(page.children == (views[key],) for key, page in app.views.pages.items())
    assert app.readouts.texts()["output_shape"] == "(None, 3)" and app.readouts.texts()["param_count"] == "15"
    assert "dv-status" in app.status_line._dom_classes and "OK: Dense(3)" in app.status_line.value
    assert refreshes == {"shapes": [app.state.arrays_version]}  # the first tab is drawn at once, nothing else


def test_explain_takes_keras_config_a_preset_by_key_or_name_and_a_layer(refreshes):
    app = dense_viz.explain(units=5, activation="tanh", leading_dims=(2,), batch_size=3)
    assert app.state.y.shape == (3, 2, 5) and app.state.activation == "tanh"
    for preset in ("question", presets.PRESETS["question"][0]):
        app = dense_viz.explain(preset=preset)
        assert presets.BOOK.current(app.state) == "question" and app.state.units == 25600 and not app.state.use_bias
        assert app.controls.controls["preset"].value == "question"
    app = dense_viz.explain(preset="tiny", units=5)  # explicit config wins; then it is no longer the preset
    assert app.state.units == 5 and app.state.input_dim == 3 and presets.BOOK.current(app.state) == presets.CUSTOM
    layer = Dense(6, activation="sigmoid", use_bias=False)
    layer.build((None, 9))
    app = dense_viz.explain(layer)
    assert app.state.layer.kernel.shape == (9, 6) and np.array_equal(app.state.layer.kernel, layer.kernel)
    assert app.state.activation == "sigmoid" and not app.state.use_bias
    assert dense_viz.explain(Dense(7), input_dim=2).state.layer.kernel.shape == (2, 7)


@pytest.mark.parametrize("kwargs, message", [
    ({"unitz": 3}, r"Unrecognized keyword arguments passed to explain\(\): \['unitz'\]"),
    ({"units": 0}, "Received an invalid value for `units`, expected a positive integer. Received: units=0"),
    ({"activation": "nope"}, "Could not interpret activation function identifier: 'nope'"),
    ({"preset": "nope"}, "Received an invalid value for `preset`.*Received: preset='nope'"),
    ({"max_kernel_entries": 0}, "Received: max_kernel_entries=0"),
    ({"units": 300, "max_kernel_entries": 1000}, "Refused: a kernel of 4 × 300 = 1,200 entries"),
    ({"layer": "dense"}, "Expected a path to an existing file. Received: path=.dense."),
    ({"layer": 3.5}, "Expected a dense_viz.Dense, a keras.layers.Dense or Keras model, or a torch.nn.Linear"),
])
def test_explain_refuses_bad_config_in_keras_words(refreshes, kwargs, message):
    with pytest.raises(ValueError, match=message):
        dense_viz.explain(**kwargs)


# -- presets and readouts ------------------------------------------------------------------------------------------
def test_the_question_preset_readouts(refreshes):
    app = dense_viz.explain()
    app.controls.controls["preset"].value = "question"
    texts = app.readouts.texts()
    assert texts["output_shape"] == "(None, 25600)"
    assert texts["batch_shape"] == "this batch: (8, 25600)"
    assert texts["param_count"] == "2,560,000"
    assert texts["param_formula"] == "100 × 25600 + 0"
    assert texts["memory"] == "9.77 MB"
    assert texts["madds"] == "2,560,000"
    assert texts["loss"] == f"{app.state.loss_value:.6g}" and texts["loss_note"] == "MSE vs a random target"
    assert texts["madds_note"] == "100 × 25600"
    for css in ("dv-output-shape", "dv-param-count", "dv-param-formula", "dv-memory", "dv-madds", "dv-loss-value"):
        assert any(css in w._dom_classes for w in walk(app.readouts)), css


@pytest.mark.parametrize("key", list(presets.PRESETS))
def test_every_preset_gives_the_expected_state_and_readouts(refreshes, key):
    app = dense_viz.explain()
    app.controls.controls["preset"].value = key
    s, config = app.state, presets.preset_config(key)
    assert s.status_level == "ok" and presets.BOOK.current(s) == key
    shape = (config["batch_size"], *config["leading_dims"], config["input_dim"])
    assert s.x.shape == shape and s.layer.kernel.shape == (config["input_dim"], config["units"])
    units, n_in = config["units"], config["input_dim"]
    params = n_in * units + (units if config["use_bias"] else 0)
    texts = app.readouts.texts()
    assert texts["output_shape"] == format_shape((None, *config["leading_dims"], units))
    assert texts["param_count"] == f"{params:,}"
    assert texts["param_formula"] == f"{n_in} × {units} + {units if config['use_bias'] else 0}"
    assert texts["memory"] == readable_memory_size(4 * params)
    assert refreshes["shapes"][-1] == s.arrays_version  # the visible view drew the preset


def unit_health(state):
    """(dead units, saturated units): derivative 0 / below 1e-3 for every sample and position."""
    act = activations.get(state.activation)
    d = np.abs(act.derivative(state.z, state.y)).reshape(-1, state.units)
    return int((d == 0).all(axis=0).sum()), int((d < 1e-3).all(axis=0).sum())


def test_the_dead_relu_preset_really_has_dead_units(refreshes):
    s = dense_viz.explain(preset="dead_relu").state
    dead, _ = unit_health(s)
    assert dead >= 4
    z = s.z.reshape(-1, s.units)
    assert ((z <= 0).all(axis=0)).sum() == dead
    assert np.all(s.layer.grads["kernel"][:, (z <= 0).all(axis=0)] == 0)  # dead: no gradient reaches W


def test_the_saturated_sigmoid_preset_really_saturates(refreshes):
    s = dense_viz.explain(preset="saturated_sigmoid").state
    _, saturated = unit_health(s)
    assert saturated >= 4
    assert np.abs(s.dz).max() < 1e-3 * np.abs(s.dy).max()  # vanishing gradient through σ'


# -- the size guard and the status line ----------------------------------------------------------------------------
def test_size_guard_refuses_and_keeps_the_last_state_on_screen(refreshes):
    app = dense_viz.explain(max_kernel_entries=1_000_000)
    before = app.readouts.texts()
    drawn = list(refreshes["shapes"])
    app.controls.controls["preset"].value = "question"
    assert app.state.units == 3 and presets.BOOK.current(app.state) == presets.CUSTOM
    assert "Refused: a kernel of 100 × 25,600 = 2,560,000 entries is above this app's limit of 1,000,000" \
        in app.status_line.value
    assert "#a11d1d" in app.status_line.value  # coloured as an error
    assert app.readouts.texts() == before and refreshes["shapes"] == drawn
    app.controls.controls["units"].value = "4"  # a valid change clears the error
    assert "OK: Dense(4)" in app.status_line.value and "#1d6b34" in app.status_line.value


def test_a_failing_view_shows_in_the_status_line_and_the_app_lives_on(monkeypatch):
    log = {}
    classes = {key: counting_view(key, log, fail=key == "weights") for key, _ in app_module.TABS}
    monkeypatch.setattr(app_module, "view_class", lambda key: classes[key])
    app = dense_viz.explain()
    app.tabs.selected_index = 1
    assert app.state.status_level == "error" and "RuntimeError: weights broke" in app.status_line.value
    assert app.is_stale("weights")  # not marked as drawn: retried on the next change
    app.tabs.selected_index = 0
    app.controls.controls["units"].value = "5"
    assert log["shapes"][-1] == app.state.arrays_version and app.state.units == 5


def test_a_failing_view_constructor_shows_in_its_tab(monkeypatch):
    def broken(state):
        raise RuntimeError("no figure")
    classes = {key: counting_view(key, {}) for key, _ in app_module.TABS}
    classes["graph"] = broken
    monkeypatch.setattr(app_module, "view_class", lambda key: classes[key])
    app = dense_viz.explain()
    assert "RuntimeError: no figure" in app.views["graph"].value and app.state.status_level == "error"
    app.tabs.selected_index = 7  # opening it adds no error of its own (a guarded callback's would replace this one)
    assert app.visible == "graph" and "RuntimeError: no figure" in app.state.status


# -- only the visible tab redraws ----------------------------------------------------------------------------------
def test_only_the_visible_view_refreshes_and_a_stale_tab_refreshes_when_opened(refreshes):
    app = dense_viz.explain()
    app.state.update(units=5)
    assert refreshes == {"shapes": [1, 2]}
    app.tabs.selected_index = 1  # weights: never drawn -> drawn now
    assert refreshes["weights"] == [2] and refreshes["shapes"] == [1, 2]
    app.state.update(units=6)
    app.state.update(units=7)
    assert refreshes["weights"] == [2, 3, 4] and refreshes["shapes"] == [1, 2]
    app.tabs.selected_index = 0  # shapes is stale: one refresh with the latest state
    assert refreshes["shapes"] == [1, 2, 4]
    app.tabs.selected_index = 1  # weights is up to date: no refresh
    assert refreshes["weights"] == [2, 3, 4]
    assert "forward" not in refreshes and "gradients" not in refreshes and "graph" not in refreshes


def test_a_burst_of_control_events_redraws_at_most_twice_the_last_time_with_the_final_values(refreshes):
    async def scenario():
        app = dense_viz.explain()  # built inside a running loop, as in a kernel: redraws are debounced
        drawn = list(refreshes["shapes"])
        first = app.state.arrays_version + 1
        for units in (5, 6, 7, 8, 9):
            app.controls.controls["units"].value = str(units)
        assert refreshes["shapes"] == drawn + [first]  # leading edge: the first change drew at once
        assert app.host.is_stale("readouts")  # the rest of the burst waits
        await asyncio.sleep(app.debouncer.delay + 0.05)
        return app, drawn, first
    app, drawn, first = asyncio.run(scenario())
    assert refreshes["shapes"] == drawn + [first, app.state.arrays_version] and app.state.units == 9
    assert not app.host.is_stale("readouts") and app.readouts.texts()["output_shape"] == "(None, 9)"


# -- the debouncer -------------------------------------------------------------------------------------------------
def test_debouncer_without_an_event_loop_runs_at_once():
    calls = []
    debouncer = Debouncer(delay=10.0)
    debouncer.call("a", lambda: calls.append(1))
    debouncer.call("a", lambda: calls.append(2))
    assert calls == [1, 2] and debouncer.pending() == ()


def test_debouncer_in_an_event_loop_runs_the_last_call_per_key_after_the_delay():
    calls = []

    async def scenario():
        debouncer = Debouncer(delay=0.02, loop=asyncio.get_running_loop())
        for i in range(5):
            debouncer.call("views", lambda i=i: calls.append(("views", i)))
        debouncer.call("readouts", lambda: calls.append(("readouts", 0)))
        assert calls == [] and set(debouncer.pending()) == {"views", "readouts"}
        await asyncio.sleep(0.08)
        assert debouncer.pending() == ()
        debouncer.call("views", lambda: calls.append(("flushed", 0)))
        debouncer.flush()  # runs now, and never again
        await asyncio.sleep(0.05)
    asyncio.run(scenario())
    assert sorted(calls) == [("flushed", 0), ("readouts", 0), ("views", 4)]


def test_debouncer_reports_exceptions_and_keeps_going():
    errors, calls = [], []

    def boom():
        raise RuntimeError("boom")

    async def scenario():
        debouncer = Debouncer(delay=0.01, loop=asyncio.get_running_loop(), on_error=errors.append)
        debouncer.call("a", boom)
        debouncer.call("b", lambda: calls.append("b"))
        await asyncio.sleep(0.05)
    asyncio.run(scenario())
    assert [str(e) for e in errors] == ["boom"] and calls == ["b"]
    state = ExplainerState()
    guarded(boom, state.report)()
    assert state.status == "RuntimeError: boom" and state.status_level == "error"


def walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def test_the_real_app_draws_every_tab_for_the_default_and_the_question():
    app = dense_viz.explain()
    for preset in (None, "question"):
        if preset:
            app.controls.controls["preset"].value = preset
        for index, (key, _) in enumerate(app_module.TABS):
            app.tabs.selected_index = index
            assert app.state.status_level == "ok", app.state.status
            assert not app.is_stale(key) and app.visible == key
        app.controls.controls["units"].value = str(app.state.units + 1)  # redraws the visible tab (graph) in place
        assert app.state.status_level == "ok" and not app.is_stale("graph")


def test_loss_readout_names_the_chosen_loss():
    from dense_viz.app.state import LOSSES
    app = dense_viz.explain(preset="softmax")
    assert "cross-entropy" in app.readouts._loss_note.value
    for loss in LOSSES:
        app.state.loss = loss
        app.readouts.refresh()
        assert ("MSE" in app.readouts._loss_note.value) == (loss == "mean_squared_error")


def test_a_new_page_imports_no_plotting_until_a_figure_tab_opens():
    """A classroom server starts one kernel per page: the first tab (Shapes) needs neither matplotlib nor the
    figure views, so they are imported and built only when a tab that draws a figure is opened."""
    code = ("import sys\nfrom dense_viz import explain\napp = explain(preset='question')\n"
            "assert app.views.built() == ['shapes'], app.views.built()\n"
            "assert not [m for m in sys.modules if m.startswith(('matplotlib', 'ipyevents'))]\n"
            "app.tabs.selected_index = 1\n"
            "assert app.views.built() == ['shapes', 'weights'] and 'matplotlib' in sys.modules\n"
            "assert app.tabs.children[1].children == (app.views['weights'],) and not app.is_stale('weights')\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1])


def test_an_engine_error_inside_a_real_view_is_reported_and_the_app_serves_on(monkeypatch):
    """The Gradients view's finite-difference check raises (an engine bug, say): the status line names it, that
    view stays stale, the other views and the readouts keep working, and once the engine works again the next
    change draws the view."""
    from dense_viz.engine import gradcheck
    real = gradcheck.finite_difference_check

    def broken(*args, **kwargs):
        raise FloatingPointError("finite differences broke")
    monkeypatch.setattr(gradcheck, "finite_difference_check", broken)
    app = dense_viz.explain(preset="tiny")
    app.tabs.selected_index = 3  # Gradients
    assert app.state.status_level == "error" and "FloatingPointError: finite differences broke" in app.state.status
    assert app.is_stale("gradients")
    app.tabs.selected_index = 1  # Weights draws
    app.state.update(units=4)
    assert not app.is_stale("weights") and app.readouts.texts()["output_shape"] == "(None, 4)"
    monkeypatch.setattr(gradcheck, "finite_difference_check", real)
    app.tabs.selected_index = 3
    assert not app.is_stale("gradients") and app.state.status_level == "ok"
