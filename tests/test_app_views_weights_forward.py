"""WeightsView and ForwardView on a real ExplainerState: the artists and texts carry the state's numbers."""
import re

import numpy as np
import pytest

from dense_viz.app.state import ExplainerState
from dense_viz.app.views.forward import ForwardView
from dense_viz.app.views.weights import WeightsView
from dense_viz.engine import activations
from dense_viz.plots import heatmap

QUESTION = dict(input_dim=100, units=25600, use_bias=False, activation="linear", batch_size=8)
PNG = b"\x89PNG\r\n\x1a\n"


def number(text):
    """'−0.234' -> -0.234."""
    return float(text.replace("−", "-"))


def bold_numbers(html):
    """The numbers the arithmetic shows in bold: [z, y] (the results of each line)."""
    return [number(m) for m in re.findall(r"<b>([^<]+)</b>", html)]


def shown_terms(html):
    """The (x, w) pairs written out in the z line."""
    z_line = next(line for line in html.split("<br>") if line.startswith("z["))
    return [(number(a), number(b)) for a, b in re.findall(r"\(([^()]+)\)\(([^()]+)\)", z_line)]


# ---------------------------------------------------------------- WeightsView
def test_weights_view_shows_a_small_kernel_as_it_is():
    state = ExplainerState()
    view = WeightsView(state)
    view.refresh()
    assert "dv-weights-view" in view._dom_classes
    assert bytes(view.image.value).startswith(PNG)
    assert np.array_equal(view._artists.im_kernel.get_array(), state.layer.kernel)
    text = view._text.value
    assert "kernel W (4, 3)" in text
    assert "glorot_uniform: U(±0.9258), limit = sqrt(6 / (4 + 3))" in text
    assert "bias b (3,)" in text
    assert view._mode.layout.display == "none"   # nothing pooled: no pooling toggle
    shown = [t for t in view._artists.cell_texts if t.get_visible()]   # a small kernel: every value written
    assert len(shown) == 12
    for t in shown:
        col, row = t.get_position()
        assert number(t.get_text()) == pytest.approx(float(state.layer.kernel[row, col]), rel=0.05, abs=0.005)


def test_weights_view_pools_the_question_kernel_and_says_how():
    state = ExplainerState(**QUESTION)
    view = WeightsView(state)
    view.refresh()
    kernel = state.layer.kernel
    pooled, block = heatmap.pool(kernel, 100, 320, "mean")
    assert np.array_equal(view._artists.im_kernel.get_array(), pooled)
    assert view.info["block"] == block == (1, 80)
    assert view._artists.note.get_text().startswith("each pixel: 1 × 80 weights (mean)")
    assert "each pixel: 1 × 80 weights (mean)" in view._text.value
    assert "U(±0.01528), limit = sqrt(6 / (100 + 25600))" in view._text.value
    assert "no bias (use_bias=False)" in view._text.value
    assert view._artists.bias_note.get_text() == "no bias (use_bias=False)"
    hist_note = view._artists.hist_note.get_text()
    assert "random sample:" in hist_note and "200,000 of 2,560,000" in hist_note
    limit = np.sqrt(6 / 25700)
    assert [m.get_xdata()[0] for m in view._artists.mark_lines] == pytest.approx([-limit, limit])
    assert view.info["std"] == pytest.approx(limit / np.sqrt(3), rel=0.01)
    assert not any(t.get_visible() for t in view._artists.cell_texts)
    assert view._mode.layout.display is None      # pooled: the mean / max-|w| toggle is shown
    view._mode.value = "maxabs"                   # the toggle redraws at once
    assert np.array_equal(view._artists.im_kernel.get_array(), heatmap.pool(kernel, 100, 320, "maxabs")[0])
    assert "largest |w|, sign kept" in view._artists.note.get_text()


def test_weights_view_depends_on_the_weights_alone():
    state = ExplainerState()
    view = WeightsView(state)
    view.refresh()
    png = view.image.value
    assert WeightsView.depends == ("weights",)       # the app redraws it for new weights only
    state.update(activation="tanh", batch_size=16)   # not the weights: a refresh draws the same picture
    view.refresh()
    assert bytes(view.image.value) == bytes(png)
    state.new_weights()
    view.refresh()
    assert bytes(view.image.value) != bytes(png)
    assert np.array_equal(view._artists.im_kernel.get_array(), state.layer.kernel)


def test_weights_view_keeps_one_colorbar_and_rebuilds_extents_on_shape_change():
    state = ExplainerState()
    view = WeightsView(state)
    fig = view._artists.fig
    for units in (3, 7, 5, 7, 3, 7):
        state.update(units=units, seed=state.seed + 1)
        view.refresh()
    assert len(fig.axes) == 4
    assert sum(getattr(ax, "_colorbar", None) is not None for ax in fig.axes) == 1
    im = view._artists.im_kernel
    assert im.get_array().shape == (4, 7)
    assert im.get_extent() == pytest.approx((-0.5, 6.5, 3.5, -0.5))
    assert view._artists.ax_kernel.get_xlim() == pytest.approx((-0.5, 6.5))
    assert "kernel W (4, 7)" in view._text.value


# ---------------------------------------------------------------- ForwardView: the arithmetic
def check_arithmetic(view, state):
    """The written-out z and y equal the state's z and y at the selected index (float32 precision)."""
    idx = (state.sample, *state.position_index())
    j = state.unit
    html = view._arithmetic.value
    z_shown, y_shown = bold_numbers(html)
    assert z_shown == pytest.approx(float(state.z[idx + (j,)]), rel=1e-6, abs=1e-7)
    x_row, w_col = state.x[idx].astype(np.float64), state.layer.kernel[:, j].astype(np.float64)
    b = 0.0 if state.layer.bias is None else float(state.layer.bias[j])
    assert x_row @ w_col + b == pytest.approx(z_shown, rel=1e-5, abs=1e-6)   # the sum really is Σ x·W + b
    terms = shown_terms(html)
    assert terms[0] == pytest.approx((x_row[0], w_col[0]), rel=5e-3)        # first term: x[i,0]·W[0,j]
    assert terms[-1] == pytest.approx((x_row[-1], w_col[-1]), rel=5e-3)      # last term: x[i,-1]·W[-1,j]
    return z_shown, y_shown


def test_forward_arithmetic_uses_the_state_numbers():
    state = ExplainerState()
    view = ForwardView(state)
    assert "dv-forward-view" in view._dom_classes
    assert "dv-forward-arithmetic" in view._arithmetic._dom_classes
    for i, j in [(0, 0), (5, 2), (7, 1)]:
        view._sample.value, view._unit.value = i, j
        assert (state.sample, state.unit) == (i, j)
        view.refresh()
        _, y_shown = check_arithmetic(view, state)
        assert y_shown == pytest.approx(float(state.y[i, j]), rel=1e-6, abs=1e-7)
        assert "relu(" in view._arithmetic.value
        assert len(shown_terms(view._arithmetic.value)) == 4   # 4 inputs: every term written out


def test_forward_arithmetic_for_the_question_preset():
    state = ExplainerState(**QUESTION)
    view = ForwardView(state)
    state.sample, state.unit = 3, 12345
    view.refresh()
    z_shown, y_shown = check_arithmetic(view, state)
    assert y_shown == z_shown                      # linear
    html = view._arithmetic.value
    assert "…" in html and "(100 terms)" in html and "no bias (use_bias=False)" in html
    assert len(shown_terms(html)) == 5             # first 4, "…", the last


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "sparsemax"])
def test_forward_text_for_row_activations(name):
    state = ExplainerState(input_dim=5, units=6, activation=name, sample=2, unit=4, bias_initializer="random_normal")
    view = ForwardView(state)
    view.refresh()
    _, y_shown = check_arithmetic(view, state)
    assert y_shown == pytest.approx(float(state.y[2, 4]), rel=1e-6, abs=1e-7)
    html = view._arithmetic.value
    assert {"softmax": "exp(z_j) / Σ_m exp(z_m)", "log_softmax": "z_j − log Σ_m exp(z_m)",
            "sparsemax": "max(z_j − τ, 0)"}[name] in html
    assert "not elementwise" in view._act_text.value.lower()


@pytest.mark.parametrize("unit,out,gate", [(1, 1, 4), (5, 2, 5)])
def test_forward_text_for_glu_value_and_gate_units(unit, out, gate):
    state = ExplainerState(input_dim=5, units=6, activation="glu", unit=unit)
    view = ForwardView(state)
    view.refresh()
    _, y_shown = check_arithmetic(view, state)
    assert y_shown == pytest.approx(float(state.y[0, out]), rel=1e-6, abs=1e-7)
    assert f"y[0, {out}] = " in view._arithmetic.value
    z = state.z[0]
    assert float(z[out] / (1 + np.exp(-z[gate]))) == pytest.approx(y_shown, rel=1e-5)
    rect = view._heat.rect_y.get_bbox().bounds
    assert rect[0] == out - 0.5                   # the y entry this unit feeds
    if unit >= 3:
        assert f"unit {unit} is the gate of output {out}" in view._arithmetic.value


def test_every_activation_refreshes_with_matching_numbers():
    state = ExplainerState(input_dim=3, units=4, unit=3, sample=1)
    view = ForwardView(state)
    for name in activations.NAMES:
        assert state.update(activation=name), state.status
        view.refresh()
        _, y_shown = check_arithmetic(view, state)
        out = 1 if name == "glu" else 3
        assert y_shown == pytest.approx(float(state.y[1, out]), rel=1e-6, abs=1e-6), name


# ---------------------------------------------------------------- ForwardView: controls and highlights
def test_controls_write_to_the_state_and_bad_values_snap_back():
    state = ExplainerState()
    view = ForwardView(state)
    view._sample.value = 5
    assert state.sample == 5
    view._sample.value = 99                      # batch is 8: the state refuses, the control shows 5 again
    assert state.sample == 5 and view._sample.value == 5
    assert state.status_level == "error" and "sample" in state.status
    view._unit.value = -1
    assert state.unit == 0 and view._unit.value == 0
    state.unit = 2                               # the state moves: the control follows
    assert view._unit.value == 2
    state.update(batch_size=4)                   # the state clamps the selection: the control follows
    assert state.sample == 3 and view._sample.value == 3


def test_highlights_follow_sample_and_unit():
    state = ExplainerState()
    view = ForwardView(state)
    state.sample, state.unit = 6, 2
    view.refresh()
    heat = view._heat
    assert heat.rect_x.get_bbox().bounds == pytest.approx((-0.5, 5.5, 4, 1))
    assert heat.rect_w.get_bbox().bounds == pytest.approx((1.5, -0.5, 1, 4))
    assert heat.rect_y.get_bbox().bounds == pytest.approx((1.5, 5.5, 1, 1))
    assert heat.rect_b.get_bbox().bounds == pytest.approx((1.5, -0.5, 1, 1))
    assert np.array_equal(heat.im_x.get_array(), state.x)
    assert np.array_equal(heat.im_w.get_array(), state.layer.kernel)
    assert np.array_equal(heat.im_y.get_array(), state.y)
    act = view._act
    assert np.allclose(act.unit.get_xydata(), np.column_stack([state.z[:, 2], state.y[:, 2]]))
    assert np.allclose(act.selected.get_xydata(), [[state.z[6, 2], state.y[6, 2]]])
    lo, hi = act.ax.get_xlim()
    assert lo <= state.z.min() and hi >= state.z.max()


def test_highlight_marks_the_pooled_column_of_the_question_kernel():
    state = ExplainerState(**QUESTION)
    view = ForwardView(state)
    state.sample, state.unit = 3, 12345
    view.refresh()
    heat = view._heat
    cb = view._pooled_kernel()[1][1]
    x0, y0, width, height = heat.rect_w.get_bbox().bounds
    assert width == cb > 1 and x0 + 0.5 <= 12345 < x0 + 0.5 + width
    assert heat.rect_x.get_bbox().bounds[1] == 2.5
    assert heat.im_w.get_array().shape[1] * cb == 25600
    assert heat.im_w.get_array().shape[1] <= 512
    assert len(act_points := view._act.others.get_xydata()) <= 2000 and len(act_points) > 0


def test_shape_change_rebuilds_the_extents():
    state = ExplainerState()
    view = ForwardView(state)
    view.refresh()
    state.update(units=7)
    state.unit = 6
    view.refresh()
    heat = view._heat
    assert heat.im_w.get_extent() == pytest.approx((-0.5, 6.5, 3.5, -0.5))
    assert heat.ax_w.get_xlim() == pytest.approx((-0.5, 6.5))
    assert heat.im_y.get_extent() == pytest.approx((-0.5, 6.5, 7.5, -0.5))
    assert heat.rect_w.get_bbox().bounds == pytest.approx((5.5, -0.5, 1, 4))
    assert view._unit_range.value == "of 0 … 6"
    check_arithmetic(view, state)


def test_nd_input_shows_the_chosen_position():
    state = ExplainerState(input_dim=8, units=4, leading_dims=(5,), batch_size=4)
    view = ForwardView(state)
    view._position.value = 2
    assert state.position == 2
    state.sample, state.unit = 3, 1
    view.refresh()
    assert view._position_box.layout.display is None
    assert view._position_label.value.startswith("position (2,) of leading dims (5,)")
    assert np.array_equal(view._heat.im_x.get_array(), state.x[:, 2, :])
    assert np.array_equal(view._heat.im_y.get_array(), state.y[:, 2, :])
    z_shown, y_shown = check_arithmetic(view, state)
    assert y_shown == pytest.approx(float(state.y[3, 2, 1]), rel=1e-6, abs=1e-7)
    assert "z[3, 2, 1] = " in view._arithmetic.value and "p = (2,)" in view._arithmetic.value
    assert view._heat.titles[0].get_text() == "x[:, p, :] (4, 8)"
    view._position.value = 5                     # only 5 positions: refused, snaps back
    assert state.position == 2 and view._position.value == 2


def test_two_leading_dims_and_no_position_control_for_2d_input():
    state = ExplainerState(input_dim=3, units=2, leading_dims=(5, 3), batch_size=2, position=7)
    view = ForwardView(state)
    view.refresh()
    assert view._position_label.value.startswith("position (2, 1) of leading dims (5, 3)")
    check_arithmetic(view, state)
    flat = ForwardView(ExplainerState())
    flat.refresh()
    assert flat._position_box.layout.display == "none"


def test_refresh_renders_pngs():
    state = ExplainerState(input_dim=3, units=2)
    view = ForwardView(state)
    view.refresh()
    assert bytes(view._heat_image.value).startswith(PNG) and bytes(view._act_image.value).startswith(PNG)
    before = bytes(view._heat_image.value)
    state.sample = 4
    view.refresh()
    assert bytes(view._heat_image.value) != before       # the highlight moved
