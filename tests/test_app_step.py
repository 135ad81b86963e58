"""One learning step: W ← W − η·∂L/∂W, b ← b − η·∂L/∂b, then the constraints, shown before → after."""
import numpy as np
import pytest

import dense_viz
from dense_viz.app.state import ExplainerState
from dense_viz.app.views.step import StepView


def test_a_step_is_sgd_with_the_gradients_the_gradients_view_shows():
    state = ExplainerState(units=3, input_dim=4, activation="tanh", seed=1)
    kernel, bias = state.layer.get_weights()
    dW, db = state.layer.grads["kernel"].copy(), state.layer.grads["bias"].copy()
    state.learning_rate = 0.2
    version = state.weights_version
    assert state.sgd_step()
    np.testing.assert_allclose(state.layer.kernel, kernel - 0.2 * dW, rtol=1e-6)
    np.testing.assert_allclose(state.layer.bias, bias - 0.2 * db, rtol=1e-6)
    step = state.last_step
    assert state.weights_version == version + 1 and step.loss_before > step.loss_after == state.loss_value
    np.testing.assert_allclose(step.delta["kernel"], -0.2 * dW, rtol=1e-5, atol=1e-8)
    assert not step.clipped["kernel"].any() and not step.clipped["bias"].any()


def test_steps_lower_the_loss_and_reset_returns_to_the_initializers_draw():
    state = ExplainerState(units=2, input_dim=3, seed=4)
    first, kernel = state.loss_value, state.layer.kernel.copy()
    losses = []
    for _ in range(5):
        state.sgd_step()
        losses.append(state.loss_value)
    assert losses == sorted(losses, reverse=True) and losses[-1] < first
    assert state.reset_weights() and state.last_step is None
    np.testing.assert_array_equal(state.layer.kernel, kernel) and state.loss_value == first


def test_a_constraint_clips_after_the_step_and_the_step_says_which_entries():
    state = ExplainerState(units=3, input_dim=8, kernel_initializer="ones", kernel_constraint="max_norm")
    state.learning_rate = 0.01
    state.sgd_step()  # every column of ones has norm √8 > 2: max_norm rescales every entry
    norms = np.linalg.norm(state.layer.kernel, axis=0)
    np.testing.assert_allclose(norms, 2.0, rtol=1e-5)
    assert state.last_step.clipped["kernel"].all()
    state = ExplainerState(units=3, input_dim=4, kernel_constraint="non_neg", seed=3)
    negative_after_sgd = (state.layer.kernel - state.learning_rate * state.layer.grads["kernel"]) < 0
    state.sgd_step()
    assert (state.layer.kernel >= 0).all()
    np.testing.assert_array_equal(state.last_step.clipped["kernel"], negative_after_sgd)


def test_a_bad_learning_rate_is_refused_and_nothing_changes():
    state = ExplainerState()
    kernel, version = state.layer.kernel.copy(), state.weights_version
    state.learning_rate = -1.0
    assert not state.sgd_step() and "Received: learning_rate=-1.0" in state.status
    np.testing.assert_array_equal(state.layer.kernel, kernel) and state.weights_version == version


def test_the_step_view_shows_the_change_the_loss_and_the_clipped_entries():
    app = dense_viz.explain(preset="tiny", kernel_constraint="non_neg")
    app.tabs.selected_index = [key for key, _ in dense_viz.app.app.TABS].index("step")
    view = app.views["step"]
    assert "Press <b>One SGD step</b>" in view._text.value and view.image.layout.display == "none"
    button = [w for w in view.children[0].children if "dv-sgd-step" in w._dom_classes][0]
    button.click()
    app.debouncer.flush()
    last = app.state.last_step
    assert view.image.layout.display is None and bytes(view.image.value[:4]) == b"\x89PNG"
    assert f"loss before {last.loss_before:.6g} → after {last.loss_after:.6g}" in view._text.value
    assert f"non_neg changed {int(last.clipped['kernel'].sum())} of 6 kernel entries" in view._text.value
    reset = [w for w in view.children[0].children if "dv-reset-weights" in w._dom_classes][0]
    reset.click()
    assert app.state.last_step is None and "Press <b>One SGD step</b>" in view._text.value


@pytest.mark.parametrize("preset", ["question", "softmax"])
def test_a_step_on_a_large_layer_pools_the_change(preset):
    app = dense_viz.explain(preset=preset)
    app.tabs.selected_index = [key for key, _ in dense_viz.app.app.TABS].index("step")
    assert app.state.sgd_step()
    assert bytes(app.views["step"].image.value[:4]) == b"\x89PNG" and app.state.status_level == "ok"
    assert "each pixel" in app.views["step"]._artists.note.get_text()
