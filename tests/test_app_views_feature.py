"""Input feature k, the z heatmap and every number of a small layer: the state keeps a valid k, clicks on x, W, z
and on an input node select through the state, and the Forward, Weights and graph views show it."""
import re

import numpy as np
import pytest

import dense_viz
from dense_viz.app.presets import preset_config
from dense_viz.app.state import ExplainerState
from dense_viz.app.views.forward import MARK_HTML, ForwardView
from dense_viz.app.views.graph import GraphView
from dense_viz.app.views.weights import WeightsView
from dense_viz.plots import heatmap
from test_app_views_clicks import click, pixel_of

QUESTION = dict(input_dim=100, units=25600, use_bias=False, activation="linear", batch_size=8)


def shown(pool):
    """{(row, col): text} of the visible texts of a pool of cell texts."""
    return {(int(t.get_position()[1]), int(t.get_position()[0])): t.get_text() for t in pool if t.get_visible()}


def numbers_of(array):
    """{(row, col): number_text} of every entry of a 2-D array (a row vector for b)."""
    array = np.atleast_2d(array)
    return {(r, c): heatmap.number_text(array[r, c]) for r, c in np.ndindex(*array.shape)}


def marked(html):
    """The texts the arithmetic marks as the selected input's (MARK_HTML spans)."""
    return re.findall(re.escape(MARK_HTML[0]) + "(.*?)" + re.escape(MARK_HTML[1]), html)


# ---------------------------------------------------------------- the state
def test_the_state_keeps_a_valid_feature_and_refuses_others_in_keras_words():
    state = ExplainerState(input_dim=5, units=3)
    version, arrays = state.selection_version, state.arrays_version
    assert state.update(feature=4) and state.feature == 4
    assert state.selection_version == version + 1 and state.arrays_version == arrays   # a selection: no recompute
    for bad in (-1, 5, 99):
        assert not state.update(feature=bad)
        assert state.feature == 4 and state.status_level == "error"
        assert state.status == ("Received an invalid value for `feature`, expected an integer in [0, 4]. "
                                f"Received: feature={bad}")
    assert state.update(input_dim=3) and state.feature == 2        # fewer inputs: clamped to the last one
    assert ExplainerState(input_dim=6, feature=5).feature == 5      # given to the constructor, after input_dim
    assert state.update(input_dim=8, feature=7) and state.feature == 7   # one update: input_dim first, then k


def test_the_link_carries_the_feature_and_a_fresh_page_selects_it():
    app = dense_viz.explain(preset="tiny")
    app.state.update(feature=2, sample=1)
    assert "feature=2" in app.link() and "sample=1" in app.link()
    again = dense_viz.explain(query=app.link())
    assert (again.state.feature, again.state.sample) == (2, 1) and again.state.status_level == "ok"
    bad = dense_viz.explain(query="preset=tiny&feature=9")  # tiny has 3 inputs: refused, named, the rest applies
    assert bad.state.feature == 0 and "feature=9" in bad.state.status and bad.state.units == 2


# ---------------------------------------------------------------- Forward: z, clicks, every number
def test_forward_numbers_every_cell_of_x_w_b_z_and_y_of_a_layer_up_to_8x8():
    for config in (preset_config("tiny"), dict(input_dim=8, units=8, batch_size=8), {}):
        state = ExplainerState(**config)
        view = ForwardView(state)
        view.refresh()
        cells = view._heat.cells
        for name, array in (("x", state.x), ("W", state.applied_kernel), ("b", state.layer.bias),
                            ("z", state.z), ("y", state.y)):
            assert shown(cells[name]) == numbers_of(array), (config, name)
        assert view._heat_image.layout.width == f"{round(view._heat.fig.bbox.width)}px"   # the image follows
        terms = re.findall(r"\(([^()]+)\)\(([^()]+)\)", view.info["lines"][1])   # the sum rounds them the same
        x_row, w_col = state.x[state.sample], state.applied_kernel[:, state.unit]
        assert terms[0] == (heatmap.number_text(x_row[0]), heatmap.number_text(w_col[0]))


def test_forward_numbers_nothing_more_of_a_bigger_layer():
    for config in (dict(input_dim=9, units=3), dict(input_dim=4, units=3, batch_size=9), QUESTION):
        state = ExplainerState(**config)
        view = ForwardView(state)
        view.refresh()
        assert (view._heat.fig.bbox.width, view._heat.fig.bbox.height) == (780, 250)
        cells = view._heat.cells
        assert len(shown(cells["x"])) in (0, state.input_dim) and len(shown(cells["z"])) <= 1
        assert len(shown(cells["y"])) <= 1 and len(shown(cells["b"])) <= 1


def test_forward_draws_z_highlighted_and_a_click_on_z_selects_sample_and_unit():
    state = ExplainerState()
    view = ForwardView(state)
    view.refresh()
    heat = view._heat
    assert np.array_equal(heat.im_z.get_array(), state.z)
    assert heat.rect_z.get_bbox().bounds == pytest.approx((-0.5, -0.5, 1, 1))   # z[0, 0]
    assert heat.titles[2].get_text() == "z (8, 3)"
    assert "z" in view._hint.value and "input k" in view._hint.value
    click(view, heat.ax_z, 2, 6)
    assert (state.sample, state.unit) == (6, 2) and state.status_level == "ok"
    assert "Clicked z: selected i = 6, j = 2" in view._hint.value
    view.refresh()
    assert heat.rect_z.get_bbox().bounds == pytest.approx((1.5, 5.5, 1, 1))
    assert view.info["index"] == (6, 2) and "z[6, 2] = " in view._arithmetic.value


def test_forward_click_on_x_selects_sample_and_input_and_the_sum_marks_its_term():
    state = ExplainerState(input_dim=10, units=3)                 # 10 terms: the sum writes 0 … 3, …, 9
    view = ForwardView(state)
    view.refresh()
    click(view, view._heat.ax_x, 6, 4)
    assert (state.sample, state.feature, state.unit) == (4, 6, 0)
    assert "Clicked x: selected i = 4, k = 6" in view._hint.value
    view.refresh()
    assert view._feature.value == 6                               # the typed field follows
    x, w = state.x[4, 6], state.applied_kernel[6, 0]
    term = f"({heatmap.number_text(x)})({heatmap.number_text(w)})"
    z_line = view._arithmetic.value.split("<br>")[1]
    assert f"+ … + {MARK_HTML[0]}{term}{MARK_HTML[1]} + … + " in z_line   # k = 6 written between the dots
    assert marked(view._arithmetic.value) == [term, f"input k = 6: x[4, 6]·W[6, 0] = {term} = "
                                                    f"{heatmap.number_text(float(x) * float(w))}"]
    rect_x, rect_w, mark_w = view._heat.feature
    assert rect_x.get_bbox().bounds == pytest.approx((5.5, 3.5, 1, 1))   # x[4, 6]
    assert rect_w.get_bbox().bounds == pytest.approx((-0.5, 5.5, 3, 1))  # row k = 6 of W
    assert mark_w.get_ydata()[0] == 6


def test_forward_click_on_w_selects_input_and_unit_and_typing_k_does_the_same():
    state = ExplainerState()
    view = ForwardView(state)
    view.refresh()
    click(view, view._heat.ax_w, 2, 3)
    assert (state.feature, state.unit) == (3, 2)
    view._feature.value = 1
    assert state.feature == 1
    view._feature.value = 4                                        # input_dim 4: refused, snaps back
    assert state.feature == 1 and view._feature.value == 1 and "feature=4" in state.status
    view.refresh()
    assert view._feature_range.value == "of 0 … 3"
    assert marked(view._arithmetic.value)[0] == (f"({heatmap.number_text(state.x[0, 1])})"
                                                 f"({heatmap.number_text(state.applied_kernel[1, 2])})")


# ---------------------------------------------------------------- the neuron graph
def test_clicking_an_input_node_selects_k_and_the_graph_and_the_sum_show_it():
    state = ExplainerState(**preset_config("tiny"))
    state.update(unit=1)
    graph, forward = GraphView(state), ForwardView(state)
    graph.refresh()
    a = graph.artists
    assert not a.feature_edge.get_visible() or graph.info["feature"] == 0
    px, py = pixel_of(a.ax, *a.in_xy[2])
    graph.events[0]._handle_custom_msg({"event": "click", "dataX": round(px), "dataY": round(py)}, [])
    assert (state.feature, state.unit) == (2, 1) and state.status_level == "ok"
    assert "Selected input k = 2" in graph._hint.value and "unit j = 1" in graph._hint.value
    graph.refresh()
    a = graph.artists
    assert graph.info["feature"] == 2 and a.feature_edge.get_visible()
    xs, ys = a.feature_edge.get_data()                            # the halo lies along edge x2 → unit 1
    assert np.allclose(np.column_stack([xs, ys]), [a.in_xy[2], a.out_xy[1]])
    assert a.inputs.get_linewidths()[2] > a.inputs.get_linewidths()[0]
    assert a.in_labels[2].get_fontweight() == "bold" and a.in_labels[0].get_fontweight() == "normal"
    assert "input k = 2" in graph._title.value
    forward.refresh()
    term = f"({heatmap.number_text(state.x[0, 2])})({heatmap.number_text(state.applied_kernel[2, 1])})"
    assert marked(forward._arithmetic.value)[0] == term
    px, py = pixel_of(a.ax, *a.out_xy[0])                          # a unit node still selects the unit
    graph.events[0]._handle_custom_msg({"event": "click", "dataX": round(px), "dataY": round(py)}, [])
    assert (state.feature, state.unit) == (2, 0)


def test_a_big_layers_graph_highlights_k_only_when_it_is_drawn():
    state = ExplainerState(**QUESTION)
    view = GraphView(state)
    view.refresh()
    ins = view.artists.in_ids
    outside = next(k for k in range(state.input_dim) if k not in ins)
    state.update(feature=outside)
    view.refresh()
    assert view.info["feature"] is None and not view.artists.feature_edge.get_visible()
    assert "not among the inputs drawn" in view._title.value
    state.update(feature=int(ins[3]))
    view.refresh()
    assert view.info["feature"] == 3 and view.artists.feature_edge.get_visible()


# ---------------------------------------------------------------- the Weights view
def test_weights_view_writes_every_weight_of_a_kernel_up_to_8x8_rounded_as_forward():
    state = ExplainerState(input_dim=8, units=8)
    view = WeightsView(state)
    view.refresh()
    a = view._artists
    assert shown(a.cell_texts) == numbers_of(state.float_kernel)
    renderer = a.fig.canvas.get_renderer()
    cell_px = a.ax_kernel.get_window_extent(renderer).width / 8
    assert cell_px >= 56 and view.image.layout.width == f"{round(a.fig.bbox.width)}px"
    assert all(t.get_window_extent(renderer).width <= cell_px - 2 for t in a.cell_texts)
    boxes = [ax.get_window_extent(renderer) for ax in (a.ax_kernel, a.cbar.ax, a.ax_hist)]
    assert boxes[0].x1 < boxes[1].x0 and boxes[1].x1 < boxes[2].x0 and boxes[2].x1 < a.fig.bbox.width
    state.update(input_dim=9)                                       # bigger: as before, no numbers
    view.refresh()
    assert shown(a.cell_texts) == {} and a.fig.bbox.width == 780
