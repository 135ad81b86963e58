"""app.diagnostics (unit health, finite-difference check) and the Gradients / neuron-graph views."""
import re

import numpy as np
import pytest

from dense_viz import Dense, activations
from dense_viz.app import diagnostics as dg
from dense_viz.engine import gradcheck
from dense_viz.app.presets import preset_config
from dense_viz.app.state import ExplainerState
from dense_viz.app.views.gradients import GradientsView
from dense_viz.app.views.graph import GraphView
from dense_viz.plots import gradients as gp
from dense_viz.plots import graph as nodes
from dense_viz.plots import heatmap

RNG = np.random.default_rng(0)
QUESTION = {"input_dim": 100, "units": 25600, "use_bias": False, "activation": "linear", "batch_size": 8}


# ---------------------------------------------------------------- unit health
def test_relu_dead_columns():
    z = RNG.standard_normal((6, 5, 4)).astype(np.float32)  # N-D: (B, positions, units)
    z[..., 1] = -np.abs(z[..., 1])          # never active on the batch
    z[..., 3] = -np.abs(z[..., 3]) - 1.0
    z[0, 2, 0] = 0.0                        # relu'(0) = 0, but other positions are active: alive
    relu = activations.get("relu")
    h = dg.unit_health(relu, z, relu(z))
    np.testing.assert_array_equal(h["dead"], [False, True, False, True])
    assert h["n_dead"] == 2 and h["n_saturated"] == 0 and h["units"] == 4 and h["can_die"]
    np.testing.assert_array_equal(h["active_fraction"][[1, 3]], [0.0, 0.0])


def test_sigmoid_saturated_columns_never_dead():
    z = RNG.standard_normal((8, 4)).astype(np.float32)
    z[:, 0] = 10.0 + np.abs(z[:, 0])        # σ'(z) < 5e-5 everywhere: saturated
    z[:, 2] = 60.0                          # σ(z) rounds to 1, so σ′(z) = 0 exactly in float32: saturated, not dead
    z[0, 1] = 20.0                          # one far sample is not enough
    sigmoid = activations.get("sigmoid")
    h = dg.unit_health(sigmoid, z, sigmoid(z))
    np.testing.assert_array_equal(h["saturated"], [True, False, True, False])
    assert not h["dead"].any() and not h["can_die"]
    assert h["max_derivative"][2] == 0.0


def test_leaky_relu_never_dead_and_hard_sigmoid_dies():
    z = -np.abs(RNG.standard_normal((8, 3))) - 0.1
    leaky = activations.get("leaky_relu")
    h = dg.unit_health(leaky, z, leaky(z))
    assert h["n_dead"] == 0 and h["n_saturated"] == 0   # slope 0.2 < 0: still learns
    z = np.full((8, 2), 4.0)
    z[:, 1] = 0.5
    hard = activations.get("hard_sigmoid")
    h = dg.unit_health(hard, z, hard(z))
    np.testing.assert_array_equal(h["dead"], [True, False])


def test_glu_health_is_per_output():
    z = RNG.standard_normal((8, 6))
    z[:, 4] = -40.0                         # the gate of output 1 is closed for every sample
    glu = activations.get("glu")
    h = dg.unit_health(glu, z, glu(z))
    assert h["units"] == 3
    np.testing.assert_array_equal(h["saturated"], [False, True, False])


def test_health_summary_text():
    relu = activations.get("relu")
    z = np.array([[1.0, -1.0], [2.0, -3.0]])
    text = dg.health_summary(dg.unit_health(relu, z, relu(z)), "relu", z.shape[:-1])
    assert "dead units: 1 of 2" in text and "all 2 samples" in text
    tanh = activations.get("tanh")
    text = dg.health_summary(dg.unit_health(tanh, z, tanh(z)), "tanh", (2, 5))
    assert "none possible" in text and "2 × 5 = 10 sample positions" in text


# ---------------------------------------------------------------- finite differences
@pytest.mark.parametrize("config", [
    {"activation": "relu"},
    {"activation": "sigmoid", "loss": "sum"},
    {"activation": "softmax", "units": 5},
    {"activation": "log_softmax", "units": 4, "leading_dims": (3,)},
    {"activation": "sparsemax", "units": 5},
    {"activation": "glu", "units": 6},
    {"activation": "gelu", "leading_dims": (5, 2), "kernel_regularizer": "l2", "bias_regularizer": "l1",
     "activity_regularizer": "l1l2", "activity_regularizer_factor": 0.1},
    {"activation": "tanh", "activity_regularizer": "l2", "activity_regularizer_factor": 0.5, "batch_size": 3},
    {"activation": "linear", "use_bias": False, "input_data": "one_hot"},
])
def test_finite_differences_agree(config):
    state = ExplainerState(**config)
    kernel, x = state.layer.kernel.copy(), state.x.copy()
    checks = gradcheck.finite_difference_check(state.layer, state.x, state.dy, n=4, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(state.layer.kernel, kernel)    # nothing perturbed in place
    np.testing.assert_array_equal(state.x, x)
    params = {c.param for c in checks}
    assert params == ({"kernel", "x"} if not state.use_bias else {"kernel", "bias", "x"})
    ok, summary = dg.gradcheck_summary(checks)
    assert ok and summary.startswith("analytic and numerical gradients agree to"), summary
    assert all(c.rel_err < 1e-7 for c in checks), checks
    # the float64 re-run is the gradient the app shows (in float32)
    shown = {"kernel": state.layer.grads.get("kernel"), "bias": state.layer.grads.get("bias"), "x": state.dx}
    for c in checks:
        assert np.isclose(shown[c.param][c.index], c.analytic, rtol=1e-4, atol=1e-7 * np.abs(shown[c.param]).max())


def test_finite_differences_detect_a_broken_backward(monkeypatch):
    state = ExplainerState(activation="tanh", units=5)
    original = Dense.backward

    def broken(self, dy):
        dx = original(self, dy)
        self.grads["kernel"] = self.grads["kernel"] * 1.01   # 1 % off
        return dx

    monkeypatch.setattr(Dense, "backward", broken)
    checks = gradcheck.finite_difference_check(state.layer, state.x, state.dy, n=3)
    ok, summary = dg.gradcheck_summary(checks)
    assert not ok and summary.startswith("MISMATCH") and "kernel" in summary
    bad = [c for c in checks if c.param == "kernel"]
    assert bad and all(3e-3 < c.rel_err < 1e-2 for c in bad)
    assert all(c.rel_err < 1e-7 for c in checks if c.param != "kernel")


def test_finite_differences_detect_a_wrong_dx(monkeypatch):
    state = ExplainerState(activation="softmax", units=4, leading_dims=(2,))
    original = Dense.backward
    monkeypatch.setattr(Dense, "backward", lambda self, dy: -original(self, dy))
    ok, summary = dg.gradcheck_summary(gradcheck.finite_difference_check(state.layer, state.x, state.dy, n=3))
    assert not ok and "x[" in summary


def test_zero_gradients_are_reported_as_such():
    # Σ softmax = 1 in every row, so L = Σ y is constant: every gradient is 0 (up to rounding)
    state = ExplainerState(activation="softmax", units=4, loss="sum")
    checks = gradcheck.finite_difference_check(state.layer, state.x, state.dy, n=3)
    ok, summary = dg.gradcheck_summary(checks)
    # entries whose analytic and numerical values are both exactly 0 "agree to 0"; the rest are "≈ 0" (too small
    # to resolve) — which of the two a draw gives depends on the float32 weights, either says "zero", never MISMATCH
    assert ok and ("≈ 0" in summary or "agree to 0 (" in summary) and all(gradcheck.agrees(c) for c in checks)
    assert all(abs(c.analytic) < 1e-6 for c in checks)


def test_finite_differences_of_the_big_layer_use_slices(monkeypatch):
    state = ExplainerState(**QUESTION)
    seen = []
    original = Dense.forward

    def spy(self, x):
        seen.append((np.shape(x), self.kernel.shape, self.kernel.dtype))
        return original(self, x)

    monkeypatch.setattr(Dense, "forward", spy)
    checks = gradcheck.finite_difference_check(state.layer, state.x, state.dy, n=3)
    assert dg.gradcheck_summary(checks)[0]
    assert all(dtype == np.float64 for _, _, dtype in seen)
    kernel_passes = [s for s in seen if s[1] == (100, 1)]         # W[k, j]: only unit j's column
    row_passes = [s for s in seen if s[0] == (1, 100)]            # x[i, k]: only sample i's row
    assert len(kernel_passes) == 3 * 3 and len(row_passes) == 1 + 2 * 3
    assert len(seen) == len(kernel_passes) + len(row_passes)


# ---------------------------------------------------------------- Gradients view
def text_of(html):
    """Visible text of an HTML value."""
    return re.sub(r"<[^>]+>", "", html).replace("&lt;", "<").replace("&gt;", ">")


def test_gradients_view_default():
    state = ExplainerState()
    view = GradientsView(state)
    assert "dv-gradients-view" in view._dom_classes
    view.refresh()
    a = view._artists
    np.testing.assert_array_equal(a.dz.image.get_array(), state.dz)
    np.testing.assert_array_equal(a.kernel.image.get_array(), state.layer.grads["kernel"])
    np.testing.assert_array_equal(a.bias.image.get_array(), state.layer.grads["bias"][None, :])
    np.testing.assert_array_equal(a.x.image.get_array(), state.dx)
    assert a.kernel.norm.get_text() == f"‖·‖ = {np.linalg.norm(state.layer.grads['kernel']):.4g}"
    dx_row = (f"<tr><td>∂L/∂x</td><td>(8, 4)</td><td>{np.linalg.norm(state.dx.astype(np.float64)):.6g}</td>"
              f"<td>{np.abs(state.dx).max():.4g}</td></tr>")
    assert dx_row in view._norms.value
    assert view._artists.dz.cells == []            # 71 entries: too many to write in the cells
    assert f"{state.loss_value:.6g}" in text_of(view._loss.value) and "mean_squared_error" in view._loss.value
    assert view.image.value[:4] == b"\x89PNG"
    assert "dv-gradcheck" in view._check._dom_classes
    assert "agree to" in text_of(view._check.value) and "(< 1e-7)" in text_of(view._check.value)
    assert view.check_ok and len(view.checks) == 3 * 4 - 1    # 3 biases only


def test_gradients_view_values_and_shapes_follow_the_state():
    state = ExplainerState()
    view = GradientsView(state)
    view.refresh()
    checks = view.checks
    assert GradientsView.depends == ("arrays",)   # a selection change: nothing here depends on it (the app
    state.sample = 3                              # then does not refresh it; a refresh draws the same)
    view.refresh()
    assert view.checks == checks
    state.update(units=5, loss="sum", kernel_regularizer="l2")
    view.refresh()
    assert view.checks is not checks
    assert view._artists.kernel.image.get_array().shape == (4, 5)
    np.testing.assert_array_equal(view._artists.kernel.image.get_array(), state.layer.grads["kernel"])
    assert "+ ∂R/∂W" in view._artists.kernel.title.get_text()
    assert "L = Σ y" in text_of(view._loss.value) and "kernel penalty" in text_of(view._loss.value)


def test_gradients_view_tiny_writes_every_number():
    state = ExplainerState(**preset_config("tiny"))      # δ (4, 2), ∂L/∂W (3, 2), ∂L/∂b (2,), ∂L/∂x (4, 3)
    view = GradientsView(state)
    view.refresh()
    a = view._artists
    assert [len(p.cells) for p in (a.kernel, a.bias, a.dz, a.x)] == [6, 2, 8, 12]  # all 28 numbers
    shown = [f"{v + 0.0:.2g}".replace("-", "−") for v in state.layer.grads["kernel"].ravel()]
    assert [t.get_text() for t in a.kernel.cells] == shown
    assert a.kernel.cells[3].get_position() == (1, 1)     # entry [k=1, j=1] sits in its cell
    assert [t.get_text() for t in a.x.cells] == [f"{v + 0.0:.2g}".replace("-", "−") for v in state.dx.ravel()]
    assert a.x.cells[5].get_position() == (2, 1)          # ∂L/∂x[i=1, k=2]
    state.update(units=4, batch_size=8)                    # 8 rows of δ: cells too small for numbers there
    view.refresh()
    assert len(a.kernel.cells) == 12 and len(a.bias.cells) == 4
    assert a.dz.cells == [] and a.x.cells == []


def test_gradients_view_counts_dead_relus():
    state = ExplainerState(**preset_config("dead_relu"))
    view = GradientsView(state)
    view.refresh()
    expected = int(np.all(state.z <= 0, axis=0).sum())
    assert expected > 0 and view.health["n_dead"] == expected
    assert f"dead units: {expected} of 16" in text_of(view._health.value)
    dead = np.flatnonzero(view.health["dead"])
    assert f"dead: j = {', '.join(map(str, dead))}" in text_of(view._health.value)
    assert np.all(state.layer.grads["kernel"][:, dead] == 0)   # and indeed no gradient reaches them


def test_gradients_view_saturated_sigmoid():
    state = ExplainerState(**preset_config("saturated_sigmoid"))
    view = GradientsView(state)
    view.refresh()
    assert view.health["n_saturated"] == 8 and view.health["n_dead"] == 0
    assert "saturated units: 8 of 8" in text_of(view._health.value)
    assert view.check_ok


def test_gradients_view_big_is_pooled_and_cheap_to_repeat():
    state = ExplainerState(**QUESTION)
    view = GradientsView(state)
    view.refresh()
    a = view._artists
    pooled, block = heatmap.pool(state.layer.grads["kernel"], heatmap.MAX_ROWS, heatmap.MAX_COLS, gp.POOL_MODE)
    assert block == (1, 50)
    np.testing.assert_array_equal(a.kernel.image.get_array(), pooled)
    assert a.dz.image.get_array().shape == (8, 512)
    assert "each pixel: 1 × 50 entries" in view._pooling.value and view._pooling.layout.display is None
    assert not a.bias.image.get_visible() and "none (use_bias=False)" in text_of(view._norms.value)
    assert all(p.cells == [] for p in (a.dz, a.kernel, a.bias, a.x))
    assert view.check_ok and {c.param for c in view.checks} == {"kernel", "x"}


def test_gradients_view_nd_input():
    state = ExplainerState(**preset_config("sequence"))
    view = GradientsView(state)
    view.refresh()
    np.testing.assert_array_equal(view._artists.dz.image.get_array(), state.dz.reshape(-1, 4))
    assert view._artists.dz.title.get_text().endswith("(32, 5, 4)")
    assert "N-D input" in view._artists.legend.get_text()
    assert any(len(c.index) == 3 for c in view.checks if c.param == "x")   # x[i, position, k]


# ---------------------------------------------------------------- neuron graph view
def test_graph_view_small_layer():
    state = ExplainerState()                     # 4 inputs, 3 units, bias
    view = GraphView(state)
    assert "dv-graph-view" in view._dom_classes
    view.refresh()
    a = view.artists
    assert len(a.edges.get_segments()) == 4 * 3 + 3
    weights = nodes.edge_weights(state.layer.kernel, state.layer.bias)
    colours = a.edges.get_colors()
    assert np.allclose(colours[weights > 0, :3], nodes.POSITIVE[:3])
    assert np.allclose(colours[weights < 0, :3], nodes.NEGATIVE[:3])
    assert [t.get_text() for t in a.in_labels] == [f"x{k} = {v:.3g}".replace("-", "−")
                                                   for k, v in enumerate(state.x[0])]
    assert a.out_labels[0].get_text() == f"z0 = {state.z[0, 0]:.3g} → y0 = {state.y[0, 0]:.3g}".replace("-", "−")
    assert view.image.value[:4] == b"\x89PNG" and view.image.layout.display is None
    assert "sample i = 0" in view._title.value


def test_graph_view_follows_selection_and_shape():
    state = ExplainerState(input_dim=3, units=2)
    view = GraphView(state)
    view.refresh()
    first = view.artists
    state.sample, state.unit = 2, 1
    view.refresh()
    assert view.artists is first                        # values only: same artists, new labels
    assert first.in_labels[0].get_text() == f"x0 = {state.x[2, 0]:.3g}".replace("-", "−")
    alphas = first.edges.get_colors()[:, 3]
    np.testing.assert_array_equal(alphas, np.where(np.arange(8) % 2 == 1, 1.0, nodes.DIM_ALPHA))
    assert "unit j = 1" in view._title.value and "sample i = 2" in view._title.value
    state.update(units=5, use_bias=False)
    view.refresh()
    assert view.artists is not first and len(view.artists.edges.get_segments()) == 3 * 5


def test_graph_view_nd_position():
    state = ExplainerState(**preset_config("sequence"))
    state.update(position=3, sample=1)
    view = GraphView(state)
    view.refresh()
    assert view.artists.in_labels[2].get_text() == f"x2 = {state.x[1, 3, 2]:.3g}".replace("-", "−")
    assert "position (3,)" in view._title.value


def test_graph_view_long_columns_put_values_in_the_caption():
    state = ExplainerState(**preset_config("dead_relu"))   # 2 inputs, 16 units
    state.unit = 4
    view = GraphView(state)
    view.refresh()
    a = view.artists
    assert a.in_values and not a.out_values
    assert a.in_labels[1].get_text() == f"x1 = {state.x[0, 1]:.3g}".replace("-", "−")
    assert a.out_labels[4].get_text() == "unit 4"
    caption = view._caption.value
    assert f"<b>{state.y[0, 4] + 0.0:.3g}</b>" in caption and "z = (" in caption and "x = (" not in caption
    state.update(activation="glu")                         # glu: new names, so the artists are rebuilt
    view.refresh()
    assert view.artists is not a and view.artists.out_labels[8].get_text() == "gate of y0"


def test_graph_view_big_layer_draws_the_selected_units_strongest_inputs():
    state = ExplainerState(**QUESTION)
    state.update(unit=12800)
    view = GraphView(state)
    view.refresh()
    ins, outs = view._ids
    strongest = np.argsort(-np.abs(state.layer.kernel[:, 12800]))[:16]
    assert sorted(ins) == sorted(strongest) and 12800 in outs and len(outs) == 16
    a = view.artists
    assert a.shape[:2] == (16, 16) and view.image.layout.display is None
    assert a.in_labels[0].get_text() == f"x{ins[0]}"            # the layer's own k, not 0 … 15
    assert "too many to draw every weight" in view._message.value and "units 12792 … 12807" in view._message.value
    assert view._message.layout.display is None
    frames = view.frames.full_draws
    state.update(unit=100)                                         # another part: relabelled, the frame kept
    view.refresh()
    assert view.artists.out_labels[0].get_text() == f"unit {view._ids[1][0]}" and 100 in view._ids[1]
    assert view.frames.full_draws == frames
    state.update(input_dim=3, units=2, use_bias=True)
    view.refresh()
    assert view._ids is None and view.artists.shape[:2] == (3, 2) and view._message.layout.display == "none"
