"""Click to select: synthetic ipyevents clicks on the Forward, Gradients and neuron-graph images select the
sample / unit / position under the pointer through the state, exactly as typing them does."""
import numpy as np
import pytest

from dense_viz.app.figure import CLICKABLE, event_pixels
from dense_viz.app.presets import preset_config
from dense_viz.app.state import ExplainerState
from dense_viz.app.views.forward import ForwardView
from dense_viz.app.views.gradients import GradientsView
from dense_viz.app.views.graph import GraphView
from dense_viz.plots import heatmap

QUESTION = dict(input_dim=100, units=25600, use_bias=False, activation="linear", batch_size=8)


def pixel_of(ax, col, row):
    """The PNG pixel (x right, y down) at data point (col, row) of `ax`."""
    x, y = ax.transData.transform((col, row))
    return x, ax.figure.bbox.height - y


def click(view, ax, col, row, scale=1.0):
    """Send the click ipyevents sends for a cell: the message its front end posts (dataX/dataY: PNG pixels).
    scale != 1: the image is shown scaled, and only relativeX/Y with the displayed box are sent."""
    px, py = pixel_of(ax, col, row)
    width, height = view.frames.fig.bbox.width, view.frames.fig.bbox.height
    if scale == 1.0:
        message = {"event": "click", "type": "click", "dataX": round(px), "dataY": round(py)}
    else:
        message = {"event": "click", "type": "click", "relativeX": px * scale, "relativeY": py * scale,
                   "boundingRectWidth": width * scale, "boundingRectHeight": height * scale}
    view.events[0]._handle_custom_msg(message, [])


def test_event_pixels_prefers_data_coordinates_and_scales_relative_ones():
    assert event_pixels({"dataX": 10, "dataY": 20, "relativeX": 1, "relativeY": 2}, (780, 250)) == (10, 20)
    assert event_pixels({"relativeX": 195, "relativeY": 62.5, "boundingRectWidth": 390,
                         "boundingRectHeight": 125}, (780, 250)) == (390, 125)


def test_cell_at_maps_pixels_through_the_axes_and_pooling():
    fig = heatmap.new_figure(400, 200)
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.8))
    im = heatmap.draw_pooled(ax, np.zeros((4, 10)), (2, 50), (8, 500))
    assert im is not None
    assert heatmap.cell_at(ax, (8, 500), (2, 50), *pixel_of(ax, 123, 5)) == (4, 100)   # block's first row / col
    assert heatmap.cell_at(ax, (8, 500), (1, 1), *pixel_of(ax, 123, 5)) == (5, 123)
    assert heatmap.cell_at(ax, (8, 500), (1, 1), 5, 5) is None                        # the margin
    assert heatmap.number_text(-0.0) == "0" and heatmap.number_text(-0.12345) == "−0.123"


def test_forward_click_on_y_selects_sample_and_unit_like_typing():
    state = ExplainerState()
    view = ForwardView(state)
    view.refresh()
    assert CLICKABLE in view.image._dom_classes and "cursor: pointer" in view._hint.value
    click(view, view._heat.ax_y, 2, 5)
    assert (state.sample, state.unit) == (5, 2) and state.status_level == "ok"
    view.refresh()
    assert view.info["index"] == (5, 2)
    assert "y[5, 2]" in view._arithmetic.value and "selected i = 5, j = 2" in view._hint.value
    click(view, view._heat.ax_x, 1, 3, scale=0.5)            # the image shown at half size
    assert (state.sample, state.unit) == (3, 2)
    click(view, view._heat.ax_w, 0, 2)                      # a column of W: unit j
    assert (state.sample, state.unit) == (3, 0)
    click(view, view._heat.ax_b, 1, 0)
    assert state.unit == 1
    version = state.selection_version
    view.events[0]._handle_custom_msg({"event": "click", "dataX": 1, "dataY": 1}, [])   # outside every heatmap
    assert state.selection_version == version


@pytest.mark.parametrize("heatmap", ["y", "z"])
def test_forward_click_on_a_pooled_heatmap_selects_the_blocks_first_column_and_says_so(heatmap):
    state = ExplainerState(**QUESTION)
    view = ForwardView(state)
    view.refresh()
    block = view._shown[1][heatmap]
    assert block[1] > 1
    click(view, getattr(view._heat, f"ax_{heatmap}"), 3 * block[1] + block[1] // 2, 4)  # the 4th block's middle
    assert (state.sample, state.unit) == (4, 3 * block[1])
    assert f"pooled block of 1 × {block[1]}" in view._hint.value and "first row / column" in view._hint.value


def test_forward_click_keeps_the_position_of_nd_input():
    state = ExplainerState(**preset_config("sequence"))
    state.update(position=2)
    view = ForwardView(state)
    view.refresh()
    click(view, view._heat.ax_y, 1, 7)
    assert (state.sample, state.unit, state.position) == (7, 1, 2)


def test_gradients_click_on_delta_selects_sample_position_and_unit():
    state = ExplainerState(**preset_config("sequence"))     # δ rows: (sample, position) pairs, 5 positions
    view = GradientsView(state)
    view.refresh()
    assert CLICKABLE in view.image._dom_classes
    click(view, view._artists.dz.ax, 3, 13)
    assert (state.sample, state.position, state.unit) == (2, 3, 3)
    click(view, view._artists.x.ax, 0, 6)                   # ∂L/∂x: a row only
    assert (state.sample, state.position, state.unit) == (1, 1, 3)
    click(view, view._artists.kernel.ax, 1, 4)              # ∂L/∂W: a unit only
    assert (state.sample, state.position, state.unit) == (1, 1, 1)


def test_gradients_click_on_pooled_delta_says_so():
    state = ExplainerState(**QUESTION)
    view = GradientsView(state)
    view.refresh()
    block = view.info["dz"]["block"]
    click(view, view._artists.dz.ax, 2 * block[1] + 3, 6)
    assert (state.sample, state.unit) == (6, 2 * block[1])
    assert "pooled block" in view._hint.value


def test_graph_click_on_a_unit_node_selects_it():
    state = ExplainerState()
    view = GraphView(state)
    view.refresh()
    a = view.artists
    px, py = pixel_of(a.ax, *a.out_xy[2])
    view.events[0]._handle_custom_msg({"event": "click", "dataX": round(px), "dataY": round(py)}, [])
    assert state.unit == 2
    px, py = pixel_of(a.ax, *a.in_xy[1])
    view.events[0]._handle_custom_msg({"event": "click", "dataX": round(px), "dataY": round(py)}, [])
    assert (state.unit, state.feature) == (2, 1) and "Selected input k = 1" in view._hint.value


def test_graph_click_in_a_big_layers_subset_selects_the_layers_own_unit():
    state = ExplainerState(**QUESTION)
    state.update(unit=300)
    view = GraphView(state)
    view.refresh()
    a = view.artists
    node = 3
    px, py = pixel_of(a.ax, *a.out_xy[node])
    view.events[0]._handle_custom_msg({"event": "click", "dataX": round(px), "dataY": round(py)}, [])
    assert state.unit == int(a.out_ids[node]) != node


def test_a_refused_click_goes_to_the_status_line_like_a_typed_value(monkeypatch):
    state = ExplainerState()
    view = ForwardView(state)
    view.refresh()
    monkeypatch.setattr(state, "batch_size", 2)   # the drawn batch is bigger than the state now allows
    click(view, view._heat.ax_y, 0, 6)
    assert state.status_level == "error" and "sample" in state.status and state.sample == 0
