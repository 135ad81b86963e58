"""The training panel headless: the state (rebuilds, training, history), the presets' claims, the views'
artists, the widgets (Play/Step/Reset, layer rows, preset menu) and the asyncio runner."""
import asyncio
import functools
import math
import re
import threading

import numpy as np
import pytest

from dense_viz.app.training import TrainingApp, explain_training, presets
from dense_viz.app.training.history import History
from dense_viz.app.training.runner import Runner
from dense_viz.app.training.state import BatchOrder, TrainingState
from dense_viz.engine.statistics import gradient_stats
from dense_viz.plots import training as tplot


def without_event_loop(test):
    """Run `test` in a fresh thread: no asyncio loop runs there, whatever the main thread has (Playwright's
    sync API keeps one running once a browser test has started), so the app behaves as headless."""
    @functools.wraps(test)
    def run(*args, **kwargs):
        errors = []

        def target():
            try:
                test(*args, **kwargs)
            except BaseException as error:  # noqa: BLE001 - re-raised in the test's own thread
                errors.append(error)
        thread = threading.Thread(target=target)
        thread.start()
        thread.join()
        if errors:
            raise errors[0]
    return run


def small_state(**config):
    """A quick default: circle, 2 × 8 tanh, Adam 0.01, batch 32."""
    return TrainingState(**config)


def gradient_ratio(state):
    """Output layer's mean |∂L/∂W| over layer 1's, per recorded step (n,)."""
    g = state.history["grad_mean"]
    return g[:, -1] / g[:, 0]


# -- state ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("dataset, activation, units, loss", [
    ("circle", "sigmoid", 1, "binary_crossentropy"),
    ("spiral3", "softmax", 3, "sparse_categorical_crossentropy"),
    ("sine", "linear", 1, "mean_squared_error"),
])
def test_output_layer_and_loss_follow_the_task(dataset, activation, units, loss):
    state = small_state(dataset=dataset)
    out = state.model.layers[-1]
    assert (state.output_activation, out.activation.name, out.units, state.loss) == (activation, activation, units,
                                                                                   loss)
    assert state.model.layers[0].kernel.shape == (state.data.x_train.shape[1], 8)
    assert state.train(3) == 3 and math.isfinite(state.train_loss)


def test_hidden_layers_build_the_stack_with_their_initializers():
    state = small_state(hidden_layers=[{"units": 5, "activation": "relu", "kernel_initializer": "he_normal"},
                                       {"units": 3, "kernel_initializer": "random_normal", "stddev": 2.0}])
    first, second, out = state.model.layers
    assert (first.units, first.activation.name, first.kernel_initializer.name) == (5, "relu", "he_normal")
    assert second.kernel_initializer.stddev == 2.0 and second.activation.name == "tanh"  # defaults fill the rest
    assert second.kernel.shape == (5, 3) and out.kernel.shape == (3, 1)
    assert state.architecture() == "2 → 5 relu → 3 tanh → 1 sigmoid"
    assert state.layer_labels() == ["1", "2", "out"]


@pytest.mark.parametrize("config, message", [
    ({"hidden_layers": [{"units": 0}]}, "expected an integer from 1 to 256. Received: units=0"),
    ({"hidden_layers": [{"units": 4}] * 9}, "expected 1 to 8 layers. Received: 9 layers"),
    ({"hidden_layers": []}, "expected 1 to 8 layers. Received: 0 layers"),
    ({"hidden_layers": [{"activation": "nope"}]}, "activation='nope'"),
    ({"hidden_layers": [{"kernel_initializer": "random_normal", "stddev": -1.0}]}, "Received: stddev=-1.0"),
    ({"dataset": "moons"}, "Received: name='moons'"),
    ({"learning_rate": -0.1}, "expected a positive float. Received: learning_rate=-0.1"),
    ({"batch_size": 0}, "Received: batch_size=0"),
    ({"optimizer": "adagrad"}, "Could not interpret optimizer identifier"),
])
def test_refused_values_revert_and_say_why(config, message):
    state = small_state()
    before, weights = state.config(), state.model.layers[0].kernel.copy()
    assert state.update(**config) is False
    assert message in state.status and state.status_level == "error"
    assert state.config() == before
    np.testing.assert_array_equal(state.model.layers[0].kernel, weights)


def test_architecture_change_rebuilds_resets_and_keeps_playing_and_says_so():
    state = small_state()
    state.train(20)
    state.running = True  # as if playing: a structural change rebuilds, and training goes on from step 0
    version = state.model_version
    state.set_layer(0, units=3)
    assert (state.step, len(state.history), state.running) == (0, 1, True)
    assert state.model_version == version + 1 and state.model.layers[0].units == 3
    assert state.status_level == "warning"
    assert state.status.startswith("architecture changed: the network was rebuilt; training continues from step 0")
    state.train(5)
    state.update(dataset="xor")
    assert state.running and state.status.startswith("data set changed: new data and a rebuilt network; training "
                                                     "continues from step 0")
    state.running = False
    state.train(5)
    state.update(noise=0.2)
    assert not state.running and "back at step 0 (paused)" in state.status
    state.running = True
    state.add_layer(activation="relu")
    assert [s["activation"] for s in state.hidden_layers] == ["tanh", "tanh", "relu"]
    state.remove_layer(0)
    assert [s["units"] for s in state.hidden_layers] == [8, 8]
    assert len(state.model.layers) == 3


def test_optimizer_settings_apply_from_the_next_step_and_keep_the_weights():
    state = small_state()
    state.train(5)
    kernel = state.model.layers[0].kernel.copy()
    state.learning_rate = 0.05
    assert state.optimizer_object.learning_rate == 0.05 and state.step == 5
    np.testing.assert_array_equal(state.model.layers[0].kernel, kernel)
    adam = state.optimizer_object
    state.optimizer = "sgd"
    assert state.optimizer_object is not adam and state.optimizer_object.name == "SGD"
    assert state.optimizer_object.learning_rate == 0.05 and state.step == 5
    state.batch_size = 7
    state.train(1)
    assert state.step == 6


def test_reset_gives_back_the_initial_weights_of_the_seed():
    state = small_state()
    initial = [w.copy() for layer in state.model.layers for w in layer.weights]
    state.train(10)
    state.reset()
    assert state.step == 0 and len(state.history) == 1
    for w0, w in zip(initial, [w for layer in state.model.layers for w in layer.weights]):
        np.testing.assert_array_equal(w0, w)


def test_step_zero_shows_the_gradients_the_first_step_uses():
    state = small_state()
    preview = [dict(layer["kernel"]) for layer in state.stats]
    assert state.history.steps.tolist() == [0]
    state.train(1)
    assert [layer["kernel"] for layer in state.model.stats] == preview
    np.testing.assert_array_equal(state.history["grad_mean"][1], [p["mean_abs"] for p in preview])


def test_history_rows_are_the_engines_numbers():
    state = small_state(batch_size=16)
    state.train(7)
    h = state.history
    assert h.steps.tolist() == list(range(8))
    assert state.stats is state.model.stats
    np.testing.assert_array_equal(h["grad_mean"][-1], [s["kernel"]["mean_abs"] for s in state.model.stats])
    np.testing.assert_array_equal(h["grad_max"][-1], [s["kernel"]["max_abs"] for s in state.model.stats])
    np.testing.assert_array_equal(h["dead"][-1], [s["dead_fraction"] for s in state.model.stats])
    np.testing.assert_allclose(h["kernel_norm"][-1], [np.linalg.norm(l.kernel.astype(np.float64))
                                                      for l in state.model.layers], rtol=1e-6)
    data, loss = state.data, state.loss
    assert state.train_loss == h["train_loss"][-1] == state.model.evaluate(data.x_train, data.y_train, loss)
    assert state.test_loss == h["test_loss"][-1] == state.model.evaluate(data.x_test, data.y_test, loss)
    assert state.batch_loss == h["batch_loss"][-1]


def test_readouts_show_the_last_step_even_when_the_history_skips_it():
    state = small_state()
    state.history.stride = 4  # as after a long run: only every 4th step is kept
    state.train(5)  # step 5 is not kept
    assert state.history.steps.tolist() == [0, 4]
    data = state.data
    assert state.step == 5 and state.stats is state.model.stats
    assert state.train_loss == state.model.evaluate(data.x_train, data.y_train, state.loss)
    assert state.test_loss == state.model.evaluate(data.x_test, data.y_test, state.loss)
    before = state.train_loss
    state.train(1)
    assert state.train_loss != before


def test_full_batch_steps_use_the_whole_training_set():
    state = small_state(batch_size=10_000)
    x, y = state.data.x_train.astype("float32"), state.data.y_train
    weights = [w.copy() for layer in state.model.layers for w in layer.weights]
    value, _ = gradient_stats(state.model, x, y, state.loss)
    for layer in state.model.layers:  # gradient_stats does not update: same weights as before
        for w in layer.weights:
            np.testing.assert_array_equal(w, weights.pop(0))
    state.train(1)
    assert state.batch_loss == value and state.epoch == 1


def test_a_non_finite_loss_pauses_and_says_so():
    state = TrainingState(**presets.preset_config("exploding"))
    state.running = True
    ran = state.train(20)
    assert ran < 20 and state.running is False
    assert state.status_level == "warning" and "training paused" in state.status
    assert not math.isfinite(state.history["batch_loss"][-1])


def test_batch_order_is_a_new_permutation_every_epoch_with_a_partial_last_batch():
    order = BatchOrder(10, np.random.default_rng(0))
    epoch = [order.next(4) for _ in range(3)]
    assert [len(b) for b in epoch] == [4, 4, 2] and order.epoch == 1
    assert sorted(np.concatenate(epoch).tolist()) == list(range(10))
    peek = order.peek(4).copy()
    np.testing.assert_array_equal(order.next(4), peek)
    np.testing.assert_array_equal(order.next(100), np.arange(10))


def test_history_thins_to_its_capacity_and_keeps_step_zero():
    h = History(capacity=8)
    for step in range(40):
        if h.due(step):
            h.append(step, loss=float(step), per_layer=np.array([step, -step]))
    assert len(h) <= 8 and h.stride == 8
    assert h.steps.tolist() == [0, 8, 16, 24, 32]
    np.testing.assert_array_equal(h["per_layer"][:, 1], -h.steps)
    assert h.last("loss") == 32.0
    with pytest.raises(ValueError, match="Expected the columns"):
        h.append(40, loss=1.0)


# -- presets: the demos show what they claim -------------------------------------------------------------------
def test_vanishing_preset_first_layer_gets_100x_less_gradient_than_the_last():
    state = TrainingState(**presets.preset_config("vanishing"))
    assert [s["activation"] for s in state.hidden_layers] == ["sigmoid"] * 8
    assert gradient_ratio(state)[0] >= 100  # at step 0 (in fact ~10⁶)
    state.train(200)
    assert np.all(gradient_ratio(state) >= 100)  # and at every recorded step while it (fails to) train
    assert state.train_loss > 0.6  # stuck near ln 2


def test_relu_he_preset_keeps_the_gradients_within_10x():
    state = TrainingState(**presets.preset_config("relu_he"))
    assert 0.1 <= gradient_ratio(state)[0] <= 10
    state.train(200)
    assert 0.1 <= np.median(gradient_ratio(state)) <= 10
    assert state.train_loss < 0.1  # and it learns the circle


@pytest.mark.parametrize("seed", range(1, 5))
def test_the_gradient_contrast_holds_for_other_seeds(seed):
    vanishing = TrainingState(**{**presets.preset_config("vanishing"), "seed": seed})
    relu = TrainingState(**{**presets.preset_config("relu_he"), "seed": seed})
    assert gradient_ratio(vanishing)[0] >= 100
    assert 0.1 <= gradient_ratio(relu)[0] <= 10


def test_xor_preset_learns_within_a_few_hundred_steps():
    state = TrainingState(**presets.preset_config("xor"))
    assert state.architecture() == "2 → 4 tanh → 1 sigmoid"
    state.train(300)
    assert state.train_loss < 0.1 and state.test_loss < 0.15


def test_exploding_preset_starts_with_huge_gradients_and_overflows():
    state = TrainingState(**presets.preset_config("exploding"))
    assert state.history["grad_mean"][0].min() > 1e3  # ~10⁻² for a he_normal stack on the same data
    assert state.train(10) < 10 and not math.isfinite(state.batch_loss)


def test_dead_relu_preset_kills_the_last_hidden_layer():
    state = TrainingState(**presets.preset_config("dead_relu"))
    state.train(100)
    assert state.history["dead"][-1][-2] == 1.0  # every unit of the last hidden layer: relu' = 0 on every sample
    assert state.history["grad_mean"][-1][0] == 0.0  # nothing reaches layer 1
    assert abs(state.train_loss - math.log(2)) < 0.02
    healthy = TrainingState(**{**presets.preset_config("dead_relu"), "learning_rate": 0.3})
    healthy.train(100)
    assert healthy.history["dead"][-1][-2] < 0.5 and healthy.train_loss < 0.1


@pytest.mark.parametrize("key", list(presets.PRESETS))
def test_every_preset_applies_and_matches_itself(key):
    state = small_state()
    assert presets.apply_preset(state, key) and presets.BOOK.current(state) == key
    assert presets.matching_preset(state, key)
    assert state.train(2) >= 1
    name = presets.PRESETS[key][0]
    assert presets.resolve_preset(name) == key


# -- views -----------------------------------------------------------------------------------------------------------
def test_views_carry_the_states_numbers():
    app = explain_training(batch_size=16)
    state = app.state
    state.train(30)
    app.tabs.selected_index = 1
    app.tabs.selected_index = 0
    for view in app.views.values():
        view.refresh()
    h = state.history
    loss = app.views["loss"].art
    np.testing.assert_array_equal(loss.train.get_ydata(), h["train_loss"])
    np.testing.assert_array_equal(loss.test.get_xdata(), h.steps)
    grads = app.views["gradients"].art
    floor = grads.bars_ax.get_ylim()[0]
    mean = [s["kernel"]["mean_abs"] for s in state.stats]
    np.testing.assert_allclose([r.get_height() + floor for r in grads.mean_bars.patches], mean, rtol=1e-12)
    np.testing.assert_array_equal(grads.mean_lines[0].get_ydata(), h["grad_mean"][:, 0])
    assert "out / layer 1" in grads.ratio.get_text()
    units = app.views["units"].art
    assert [r.get_height() for r in units.dead.patches] == [s["dead_fraction"] for s in state.stats]
    norms = app.views["norms"].art
    np.testing.assert_array_equal(norms.lines[-1].get_ydata(), h["kernel_norm"][:, -1])
    boundary = app.views["boundary"].art
    extent = state.extent()
    out = state.model.predict(tplot.grid_points(extent, boundary.grid).astype("float32"))
    expected = tplot.probabilities_to_rgb(np.concatenate([1 - out, out], axis=1).reshape(60, 60, 2))
    np.testing.assert_allclose(boundary.image.get_array(), expected)
    np.testing.assert_array_equal(boundary.train.get_offsets(), state.data.x_train)
    texts = app.views["readout"].texts()
    assert texts["steps"] == "30" and f"{state.train_loss:.4g}" in texts["loss"]
    for key in ("loss", "boundary", "gradients", "units", "norms"):
        assert app.views[key].image.value[:8] == b"\x89PNG\r\n\x1a\n"


def test_views_follow_a_change_in_the_number_of_layers_and_the_task():
    app = explain_training()
    app.state.update(hidden_layers=[{"units": 4}] * 5, dataset="sine")
    for view in app.views.values():
        view.refresh()
    assert app.views["gradients"].art.labels == ["1", "2", "3", "4", "5", "out"]
    assert len(app.views["gradients"].art.mean_bars.patches) == 6
    assert len(app.views["norms"].art.lines) == 6
    boundary = app.views["boundary"].art
    assert boundary.curve.get_visible() and not boundary.image.get_visible()
    assert len(boundary.curve.get_xdata()) == 200


def test_a_view_redraws_when_asked_and_says_what_it_depends_on():
    app = explain_training()
    view = app.views["loss"]
    view.refresh()
    png = view.image.value
    assert view.depends == ("model", "arrays")  # the app decides staleness from these; refresh() always draws
    view.refresh()
    assert bytes(view.image.value) == bytes(png)  # the same state: the same picture


# -- widgets ------------------------------------------------------------------------------------------------------
@without_event_loop
def test_play_pause_step_reset_buttons():
    app = explain_training()
    controls, state = app.controls, app.state
    assert "dv-play" in controls.play._dom_classes and "dv-step" in controls.step_button._dom_classes
    assert "dv-reset" in controls.reset_button._dom_classes
    controls.play.value = True  # Play (no event loop here: running toggles, run_steps trains)
    assert state.running and "Pause" in controls.play.description
    assert "(paused)" not in app.views["readout"].texts()["sps"]
    controls.play.value = False
    assert not state.running and "Play" in controls.play.description
    controls.play.value = True
    controls.step_button.click()  # Step pauses, then one step
    assert state.step == 1 and not state.running and controls.play.value is False
    assert app.views["readout"].texts()["steps"] == "1"
    controls.step_button.click()
    assert state.step == 2
    controls.reset_button.click()
    assert state.step == 0 and len(state.history) == 1
    assert app.views["readout"].texts()["steps"] == "0"


def test_changing_the_architecture_while_paused_through_the_layer_rows():
    app = explain_training()
    controls, state = app.controls, app.state
    state.train(10)
    rows = controls._rows.children
    rows[1].units.value = 5
    assert state.hidden_layers[1]["units"] == 5 and state.model.layers[1].units == 5
    assert state.step == 0 and len(state.history) == 1
    rows[0].activation.value = "relu"
    rows[0].kernel_initializer.value = "random_normal"
    assert rows[0].stddev.layout.visibility == "visible" and rows[1].stddev.layout.visibility == "hidden"
    rows[0].stddev.value = 0.5
    assert state.model.layers[0].kernel_initializer.stddev == 0.5
    controls._add.click()
    assert len(controls._rows.children) == 3 and len(state.model.layers) == 4
    controls._rows.children[2].units.value = 999  # refused: snaps back, status says why
    assert state.hidden_layers[2]["units"] == 5 and controls._rows.children[2].units.value == 5
    assert "Received: units=999" in state.status
    controls._remove.click()
    controls._remove.click()
    assert len(controls._rows.children) == 1 and controls._remove.disabled
    app.views["gradients"].refresh()
    assert app.views["gradients"].art.labels == ["1", "out"]


def test_controls_write_the_state_and_the_preset_menu_applies_presets():
    app = explain_training()
    controls, state = app.controls, app.state
    controls.controls["dataset"].value = "spiral3"
    assert state.task == "multiclass" and state.model.layers[-1].units == 3
    assert "Dense(3, activation=\"softmax\")" in controls._head.value
    controls.controls["learning_rate"].value = 0.1
    assert state.learning_rate == pytest.approx(0.1)
    controls._preset.value = "vanishing"
    assert presets.BOOK.current(state) == "vanishing" and len(controls._rows.children) == 8
    assert controls.controls["dataset"].value == "circle"
    controls.controls["batch_size"].value = 64  # no longer the preset: the menu says custom
    assert presets.BOOK.current(state) == presets.CUSTOM and controls._preset.value == presets.CUSTOM


def test_explain_training_takes_config_and_presets():
    app = explain_training(preset="XOR with one hidden layer of 4")
    assert presets.BOOK.current(app.state) == "xor" and app.state.dataset == "xor"
    app = explain_training(preset="xor", learning_rate=0.02)
    assert app.state.learning_rate == 0.02 and presets.BOOK.current(app.state) == presets.CUSTOM
    with pytest.raises(ValueError, match="Unrecognized keyword arguments"):
        explain_training(units=3)
    with pytest.raises(ValueError, match="expected 1 to 8 layers"):
        explain_training(hidden_layers=[])


# -- the runner: training in chunks on the event loop ---------------------------------------------------------------
@without_event_loop
def test_runner_trains_in_chunks_refreshes_10_times_a_second_and_obeys_pause():
    state = small_state(speed=math.inf)  # as fast as it goes
    refreshes = []

    async def scenario():
        loop = asyncio.get_running_loop()
        runner = Runner(state, refresh=lambda: refreshes.append(state.step), loop=loop)
        state.running = True  # starts the task on this loop
        assert runner.active
        # a "Pause" arriving like a widget message: a callback the loop runs between two chunks
        loop.call_later(1.5, setattr, state, "running", False)
        await asyncio.sleep(1.5)
        paused_at = state.step
        await asyncio.sleep(0.3)
        assert not runner.active and state.step == paused_at  # stopped after the chunk in progress
        return runner

    runner = asyncio.run(scenario())
    times = np.array(runner.refresh_times)
    assert len(times) >= 13  # ~10 per second for 1.5 s
    assert np.median(np.diff(times)) <= 0.11
    assert refreshes == sorted(refreshes) and refreshes[-1] == state.step  # the last one shows the paused state
    assert state.step > 100 and state.steps_per_second > 0


@without_event_loop
def test_app_in_an_event_loop_refreshes_its_views_while_training():
    async def scenario():
        app = explain_training()  # built inside a running loop, as in a kernel: it trains on that loop
        first = app.views["loss"].image.value
        app.controls.play.value = True
        await asyncio.sleep(1.2)
        assert app.runner.active and app.state.running
        seen = app.views["loss"].image.value
        app.controls.play.value = False
        await asyncio.sleep(0.3)
        return app, first, seen

    app, first, seen = asyncio.run(scenario())
    assert seen != first and app.state.step > 0
    assert app.views["readout"].texts()["steps"] == f"{app.state.step:,}"
    assert len(app.runner.refresh_times) >= 5


# -- issue 8: speed, accuracy, overfitting, L2, early stopping, claims ---------------------------------------------
def test_accuracy_is_the_engines_metric_on_each_split():
    from dense_viz.engine import metrics
    state = TrainingState(**presets.preset_config("xor"))
    state.train(150)
    y_pred = state.predict(state.data.x_train)
    assert state.train_accuracy == metrics.binary_accuracy(state.data.y_train, y_pred) > 0.9
    spiral = TrainingState(**presets.preset_config("spiral3"))
    spiral.train(5)
    y_pred = spiral.predict(spiral.data.x_test)
    assert spiral.test_accuracy == metrics.sparse_categorical_accuracy(spiral.data.y_test, y_pred)
    assert spiral.history["train_accuracy"].shape == (6,)
    sine = small_state(dataset="sine")
    sine.train(3)
    assert sine.metric is None and math.isnan(sine.train_accuracy)


def test_overfitting_rule():
    from dense_viz.app.training.history import overfitting_since
    steps = np.arange(12)
    train = np.linspace(1.0, 0.1, 12)
    test = np.array([1.0, 0.8, 0.6, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9])
    assert overfitting_since(steps, train, test) == 3
    assert overfitting_since(steps, np.full(12, 0.5), test) is None  # train loss not falling: not overfitting
    assert overfitting_since(steps, train, np.minimum.accumulate(test)) is None  # test loss still falling
    assert overfitting_since(steps[:6], train[:6], test[:6]) is None  # too few records after the minimum


@pytest.mark.parametrize("seed", range(3))
def test_overfitting_preset_overfits_and_l2_or_early_stopping_cure_it(seed):
    config = {**presets.preset_config("overfitting"), "seed": seed}
    state = TrainingState(**config)
    state.train(300)
    assert state.overfit_step is not None and state.overfit_step < 100
    assert state.status_level == "warning" and state.status.startswith(
        f"overfitting: test loss rising since step {state.overfit_step} while train loss falls")
    assert presets.check_claim(state, "overfitting")[1] is True
    h = state.history
    assert state.test_loss > 2 * np.min(h["test_loss"]) and state.train_loss < h["train_loss"][h.steps.tolist().index(
        state.overfit_step)]
    regularized = TrainingState(**{**config, "hidden_layers": [{**spec, "l2": 0.02} for spec in config["hidden_layers"]]})
    for _ in range(30):
        regularized.train(10)
        assert regularized.overfit_step is None
    stopped = TrainingState(**{**config, "early_stopping_patience": 50})
    stopped.running = True
    ran = stopped.train(300)
    assert ran < 200 and not stopped.running and "early stopping at step" in stopped.status
    best = np.min(stopped.history["test_loss"][:-1])
    assert stopped.test_loss == pytest.approx(best, rel=1e-6)  # the best weights are back
    assert stopped.history["test_loss"][-1] == pytest.approx(best, rel=1e-6)


def test_early_stopping_without_restoring_keeps_the_last_weights():
    state = TrainingState(**{**presets.preset_config("overfitting"), "early_stopping_patience": 30,
                             "restore_best_weights": False})
    ran = state.train(300)
    assert ran < 300 and state.test_loss > np.min(state.history["test_loss"])
    assert "Play continues from here" in state.status
    assert state.train(5) == 5  # monitoring starts afresh, as a new fit would


def test_l2_per_layer_builds_the_engines_regularizer_and_counts_in_the_loss():
    state = small_state(hidden_layers=[{"units": 4, "l2": 0.01}, {"units": 3}])
    first, second, out = state.model.layers
    assert first.kernel_regularizer.get_config() == {"l2": 0.01} and second.kernel_regularizer is None
    plain = small_state(hidden_layers=[{"units": 4}, {"units": 3}])
    penalty = 0.01 * float(np.sum(np.square(first.kernel, dtype=np.float64)))
    assert state.train_loss == pytest.approx(plain.train_loss + penalty, rel=1e-5)
    assert state.update(hidden_layers=[{"l2": -1.0}]) is False and "Received: l2=-1.0" in state.status


def test_the_l2_field_of_a_layer_row_rebuilds_with_the_regularizer():
    app = explain_training()
    row = app.controls._rows.children[0]
    row.l2.value = 0.003
    assert app.state.hidden_layers[0]["l2"] == 0.003 and app.state.model.layers[0].kernel_regularizer.l2 == 0.003
    row.l2.value = -1.0
    assert row.l2.value == 0.003 and "l2" in app.state.status


@pytest.mark.parametrize("key", list(presets.PRESETS))
def test_every_preset_states_a_claim_that_its_live_check_confirms(key):
    state = TrainingState(**presets.preset_config(key))
    steps = {"exploding": 10, "dead_relu": 100, "xor": 200, "spiral3": 700, "overfitting": 200}.get(key, 0)
    state.train(steps) if steps else None
    claim, holds, measured = presets.check_claim(state, key)
    assert claim.endswith(".") and holds is True, measured
    app = TrainingApp(state)
    app.refresh_visible()
    assert app.views["claim"].holds is True and claim in app.views["claim"].text()


def test_the_vanishing_claim_reports_the_measured_ratio():
    state = TrainingState(**presets.preset_config("vanishing"))
    claim, holds, now = presets.check_claim(state, "vanishing")
    assert holds is True and "10⁴–10⁷ times smaller" in claim
    assert re.match(r"now: the first-layer gradient is \d\.\d × 10[⁴⁵⁶⁷] times smaller than the last layer's", now)
    xor = TrainingState(**presets.preset_config("xor"))
    assert presets.check_claim(xor, "xor")[1] is None  # not yet
    state.update(learning_rate=0.02)  # custom: no claim
    app = TrainingApp(state)
    assert app.views["claim"].value == ""


def test_a_preset_keeps_the_speed_the_learner_chose():
    state = small_state(speed=2.0)
    assert presets.apply_preset(state, "xor") and state.speed == 2.0 and presets.BOOK.current(state) == "xor"
    state.speed = math.inf
    assert presets.BOOK.current(state) == "xor"


def test_the_default_speed_lets_xor_unfold_over_several_seconds():
    state = TrainingState(**presets.preset_config("xor"))
    reached = None
    while reached is None and state.step < 1000:
        state.train(10)
        reached = presets._first_step(state, "train_loss", 0.1)
    assert reached / state.speed >= 5.0  # ≈ 110 steps at 20 steps/s: 5.5 s
    vanishing = TrainingState(**presets.preset_config("vanishing"))
    vanishing.train(200)
    assert vanishing.train_loss > 0.6 and 200 / vanishing.speed >= 5.0  # the plateau lasts ≥ 10 s on screen


def test_the_speed_slider_sets_the_pace_and_shows_a_links_speed_at_the_nearest_stop():
    app = explain_training()
    slider = app.controls.controls["speed"]
    assert slider.value == app.state.speed == 20.0
    slider.value = math.inf
    assert math.isinf(app.state.speed) and app.state.status_level == "ok"
    app.state.speed = 3.0
    assert slider.value == 4.0 and app.state.speed == 3.0 and app.state.slow_motion
    assert "(paused)" in app.views["readout"].texts()["sps"]


def run_app(app, seconds, **settings):
    """Play `app` (built by build() inside the loop) for `seconds`, then pause; returns it."""
    async def scenario():
        built = app()
        built.state.update(**settings) if settings else None
        built.state.running = True
        await asyncio.sleep(seconds)
        built.state.running = False
        await asyncio.sleep(0.1)
        return built
    return asyncio.run(scenario())


@without_event_loop
def test_the_runner_keeps_the_pace_of_the_speed():
    app = run_app(lambda: TrainingApp(small_state(speed=10.0), loop=asyncio.get_running_loop()), 1.5)
    assert 10 <= app.state.step <= 17  # 10 steps/s for 1.5 s: the first at once, then one every 0.1 s


@without_event_loop
def test_slow_motion_refreshes_after_every_step_and_tweens_the_bars():
    frames = []  # (step, progress, mean bar heights) of every draw of the gradient view

    def build():
        app = TrainingApp(small_state(speed=2.0), loop=asyncio.get_running_loop())
        view = app.views["gradients"]
        draw = view.draw

        def recorded():
            draw()
            frames.append((app.state.step, view.progress, view.shown[0].copy()))
        view.draw = recorded
        return app
    app = run_app(build, 1.6)
    assert 3 <= app.state.step <= 5  # 2 steps/s for 1.6 s
    assert len(app.runner.animate_times) >= 3 * (app.state.step - 1)  # the tween frames between the steps
    second = [(progress, mean) for step, progress, mean in frames if step == 2]
    assert [p for p, _m in second][:4] == [0.25, 0.5, 0.75, 1.0]
    np.testing.assert_allclose(second[3][1], app.state.history["grad_mean"][2])  # arrives at step 2's gradients
    start = app.state.history["grad_mean"][1]
    halfway = second[1][1]
    low, high = np.minimum(start, second[3][1]), np.maximum(start, second[3][1])
    assert np.all((low * (1 - 1e-9) <= halfway) & (halfway <= high * (1 + 1e-9)))
    assert "slow motion" not in app.views["readout"].texts()["sps"]  # paused now


def test_a_run_that_overflows_pauses_says_so_every_tab_still_draws_and_reset_recovers():
    """A fault of the classroom kind: learning_rate far too large on a regression task, the loss goes to inf.
    The run pauses with a warning naming the step, every chart draws the non-finite history without an error,
    and a smaller learning rate + Reset trains again."""
    app = explain_training(dataset="sine", optimizer="sgd", learning_rate=1e3)
    state = app.state
    state.running = True
    state.train(400)
    assert not state.running and state.status_level == "warning"
    assert re.search(r"The loss became (inf|nan) at step \d+: training paused", state.status)
    assert not math.isfinite(state.batch_loss)
    for index in range(len(app.tabs.children)):
        app.tabs.selected_index = index
        app.refresh_visible()
    assert state.status_level == "warning"  # no view raised: an error would have replaced the warning
    state.update(learning_rate=0.01)
    state.reset()
    state.running = True
    state.train(50)
    assert state.step == 50 and math.isfinite(state.batch_loss) and math.isfinite(state.test_loss)
