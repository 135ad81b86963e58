"""plots.gradients and plots.graph: the artists carry the arrays they were given, pooled when big."""
import io

import numpy as np
import pytest
import PIL.Image
from matplotlib.colors import to_rgba

from dense_viz.engine.layers import format_shape
from dense_viz.plots import gradients as gp
from dense_viz.plots import graph as nodes
from dense_viz.plots import heatmap, render

RNG = np.random.default_rng(0)


def test_as_rows_flattens_leading_axes():
    a = np.arange(2 * 5 * 3).reshape(2, 5, 3)
    assert gp.as_rows(a).shape == (10, 3)
    np.testing.assert_array_equal(gp.as_rows(a)[7], a[1, 2])
    assert gp.as_rows(np.arange(4)).shape == (1, 4)


def test_frobenius_and_notes():
    a = np.random.default_rng(5).standard_normal((30, 40)).astype(np.float32)  # its own draws: order-proof
    assert np.isclose(gp.frobenius(a), np.linalg.norm(a.astype(np.float64)), rtol=1e-12)
    assert heatmap.pooling_note((1, 1), gp.POOL_MODE, "entries") == ""
    assert heatmap.pooling_note((1, 50), gp.POOL_MODE, "entries").startswith("each pixel: 1 × 50 entries")
    assert format_shape((3,)) == "(3,)" and format_shape((8, 5, 4)) == "(8, 5, 4)"


def small_gradients(nd=False):
    """δ (8, [5,] 3), dW (4, 3), db (3,), dx (8, [5,] 4) of random numbers."""
    lead = (8, 5) if nd else (8,)
    return (RNG.standard_normal(lead + (3,)), RNG.standard_normal((4, 3)), RNG.standard_normal(3),
            RNG.standard_normal(lead + (4,)))


def test_update_gradients_small_puts_arrays_and_norms():
    a = gp.gradients_figure()
    dz, dW, db, dx = small_gradients()
    info = gp.update_gradients(a, dz, dW, db, dx)
    np.testing.assert_array_equal(a.dz.image.get_array(), dz)
    np.testing.assert_array_equal(a.kernel.image.get_array(), dW)
    np.testing.assert_array_equal(a.bias.image.get_array(), db[None, :])
    np.testing.assert_array_equal(a.x.image.get_array(), dx)
    assert a.kernel.title.get_text() == "∂L/∂W = xᵀδ   (4, 3)"
    assert a.dz.title.get_text().endswith("(8, 3)")
    assert a.bias.title.get_text().endswith("(3,)")
    assert a.kernel.norm.get_text() == f"‖·‖ = {np.linalg.norm(dW):.4g}"
    assert np.isclose(info["x"]["norm"], np.linalg.norm(dx))
    # by default one colour scale for all four panels, centred on 0: ±the largest |entry| of any of them
    top = max(np.abs(g).max() for g in (dz, dW, db, dx))
    for panel in (a.dz, a.kernel, a.bias, a.x):
        assert panel.image.get_clim() == (-top, top)
    assert a.key_value.get_text() == f"L = {top:.3g}: the largest |·| of\nthe panels" and "one scale" in a.key.axes.get_title(loc="left")
    gp.update_gradients(a, dz, dW, db, dx, scale="panel")     # each panel on its own colour scale
    assert a.dz.image.get_clim() == (-np.abs(dz).max(), np.abs(dz).max())
    assert a.kernel.image.get_clim() == (-np.abs(dW).max(), np.abs(dW).max())
    assert "not\ncomparable across panels" in a.key.axes.get_title(loc="left")
    with pytest.raises(ValueError, match="scale='loud'"):
        gp.update_gradients(a, dz, dW, db, dx, scale="loud")
    assert a.kernel.image.get_extent() == [-0.5, 2.5, 3.5, -0.5]
    assert gp.pooling_text(info) == "" and "pooled" not in a.kernel.norm.get_text()
    png = render.FrameCache(a.fig).render()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_update_gradients_big_is_pooled_in_original_coordinates():
    a = gp.gradients_figure()
    dW = RNG.standard_normal((100, 25600)).astype(np.float32)
    dz = RNG.standard_normal((8, 25600)).astype(np.float32)
    dx = RNG.standard_normal((8, 100)).astype(np.float32)
    info = gp.update_gradients(a, dz, dW, None, dx)
    pooled, block = heatmap.pool(dW, heatmap.MAX_ROWS, heatmap.MAX_COLS, "maxabs")
    assert block == (1, 50) and info["kernel"]["block"] == (1, 50)
    np.testing.assert_array_equal(a.kernel.image.get_array(), pooled)
    assert a.kernel.image.get_array().shape[1] <= heatmap.MAX_COLS
    assert a.kernel.image.get_extent() == [-0.5, 25599.5, 99.5, -0.5]  # axes speak in real k, j
    assert a.kernel.ax.get_xlim() == (-0.5, 25599.5)
    assert "∂L/∂W: each pixel: 1 × 50 entries" in gp.pooling_text(info)   # said under the figure ...
    assert "δ: each pixel: 1 × 50 entries" in gp.pooling_text(info)
    assert "pooled 1 × 50" in a.kernel.norm.get_text()                    # ... and on the panel
    # the norm is of the full array, not of the pooled picture
    assert np.isclose(info["kernel"]["norm"], np.linalg.norm(dW.astype(np.float64)), rtol=1e-6)
    # maxabs pooling keeps the largest entry of all
    assert np.isclose(info["kernel"]["max_abs"], np.abs(dW).max())
    # no bias: the image is hidden and the panel says why
    assert not a.bias.image.get_visible() and a.bias.message.get_visible()
    assert "use_bias=False" in a.bias.message.get_text()
    assert info["bias"] is None


def test_shape_change_resets_extent_and_nd_rows():
    a = gp.gradients_figure()
    gp.update_gradients(a, *small_gradients())
    dz, dW, db, dx = small_gradients(nd=True)
    info = gp.update_gradients(a, dz, dW, db, dx, penalties=("kernel", "activity"))
    assert a.dz.image.get_array().shape == (40, 3)
    np.testing.assert_array_equal(a.dz.image.get_array(), dz.reshape(40, 3))
    assert a.dz.image.get_extent() == [-0.5, 2.5, 39.5, -0.5]
    assert a.dz.ax.get_ylim() == (39.5, -0.5)
    assert a.dz.title.get_text().endswith("(8, 5, 3)")
    assert "8 × 5" in a.dz.ax.get_ylabel()
    assert "N-D input" in a.legend.get_text()
    assert "+ ∂R/∂W" in a.kernel.title.get_text() and "activity" in a.dz.title.get_text()
    assert info["dz"]["pooled"].shape == (40, 3)


# ---------------------------------------------------------------- neuron graph
def test_fits_and_layout():
    assert nodes.fits(16, 16) and not nodes.fits(17, 2) and not nodes.fits(3, 17)
    in_xy, out_xy, bias_xy = nodes.layout(3, 2, True)
    assert in_xy.shape == (3, 2) and out_xy.shape == (2, 2) and bias_xy.shape == (2,)
    assert np.all(in_xy[:, 0] == nodes.X_IN) and np.all(out_xy[:, 0] == nodes.X_OUT)
    assert nodes.layout(3, 2, False)[2] is None


def test_edge_segments_order_matches_kernel():
    in_xy, out_xy, bias_xy = nodes.layout(3, 2, True)
    seg = nodes.edge_segments(in_xy, out_xy, bias_xy)
    assert seg.shape == (3 * 2 + 2, 2, 2)
    # edge k * units + j runs from input k to unit j
    np.testing.assert_array_equal(seg[1 * 2 + 1], [in_xy[1], out_xy[1]])
    np.testing.assert_array_equal(seg[6 + 1], [bias_xy, out_xy[1]])
    kernel, bias = np.array([[1.0, -2.0], [0.5, 0.0], [-1.0, 3.0]]), np.array([0.25, -0.25])
    np.testing.assert_array_equal(nodes.edge_weights(kernel, bias), [1, -2, 0.5, 0, -1, 3, 0.25, -0.25])


def test_edge_style_sign_width_and_highlight():
    w = np.array([1.0, -2.0, 0.5, 0.0, -1.0, 4.0])
    colours, widths = nodes.edge_style(w, units=2, unit=1)
    assert np.allclose(colours[0, :3], nodes.POSITIVE[:3]) and np.allclose(colours[1, :3], nodes.NEGATIVE[:3])
    assert np.allclose(colours[3, :3], nodes.ZERO[:3])
    assert widths[5] == nodes.MAX_WIDTH and widths[3] == nodes.MIN_WIDTH
    assert np.all(np.diff(widths[np.argsort(np.abs(w))]) >= 0)  # width grows with |w|
    np.testing.assert_array_equal(colours[:, 3], [nodes.DIM_ALPHA, 1, nodes.DIM_ALPHA, 1, nodes.DIM_ALPHA, 1])


def test_draw_and_update_graph_carry_values():
    fig = heatmap.new_figure(640, 400)
    ax = fig.add_axes((0, 0, 1, 1))
    a = nodes.draw_graph(ax, 3, 2, True)
    kernel = np.array([[1.0, -2.0], [0.5, 0.1], [-1.0, 3.0]])
    bias = np.array([0.25, -0.25])
    x = np.array([1.0, -1.0, 2.0])
    z = x @ kernel + bias
    y = np.maximum(z, 0)
    info = nodes.update_graph(a, x, z, y, kernel, bias, unit=1)
    assert len(a.edges.get_segments()) == 3 * 2 + 2
    colours = a.edges.get_colors()
    for e, w in enumerate(info["weights"]):
        assert np.allclose(colours[e, :3], (nodes.POSITIVE if w > 0 else nodes.NEGATIVE)[:3])
    np.testing.assert_allclose(a.edges.get_linewidths(), info["widths"])
    np.testing.assert_allclose(a.inputs.get_array(), x / 2.0)        # own scale ±max |x|
    np.testing.assert_allclose(a.outputs.get_array(), y / np.abs(y).max())
    assert [t.get_text() for t in a.in_labels] == ["x0 = 1", "x1 = −1", "x2 = 2"]   # real minus signs
    assert a.out_labels[1].get_text() == f"z1 = {z[1]:.3g} → y1 = {y[1]:.3g}".replace("-", "−")
    assert a.out_labels[1].get_fontweight() == "bold"
    assert [t.get_text() for t in a.edge_labels] == [f"{w:.2f}".replace("-", "−") for w in info["weights"]]
    assert a.outputs.get_linewidths()[1] > a.outputs.get_linewidths()[0]  # the selected unit's ring
    assert render.FrameCache(fig).render()[:4] == b"\x89PNG"


def test_big_graph_has_no_edge_labels_and_static_name_labels():
    fig = heatmap.new_figure(640, 400)
    a = nodes.draw_graph(fig.add_axes((0, 0, 1, 1)), 16, 16, False)
    assert a.edge_labels == [] and a.bias_node is None
    kernel = RNG.standard_normal((16, 16))
    x = RNG.standard_normal(16)
    z = x @ kernel
    nodes.update_graph(a, x, z, np.tanh(z), kernel, None, unit=15)
    assert len(a.edges.get_segments()) == 256
    assert not a.in_values and not a.out_values
    assert a.out_labels[3].get_text() == "unit 3" and a.in_labels[12].get_text() == "x12"
    assert a.out_labels[3].get_animated() and a.out_labels[3].get_text() == "unit 3"   # a cached text: relabel-able
    assert to_rgba(a.edges.get_colors()[15])[3] == 1.0 and a.edges.get_colors()[0][3] == nodes.DIM_ALPHA


def test_glu_unit_labels():
    z, y = np.array([1.0, 2.0, -1.0, 0.5]), np.array([0.27, 1.24])
    assert nodes.unit_label(0, z, y, 4, True) == "a0 = 1 → y0 = 0.27"
    assert nodes.unit_label(3, z, y, 4, True) == "gate of y1: 0.5"
    assert nodes.unit_names(4, True) == ["a0", "a1", "gate of y0", "gate of y1"]
    assert nodes.unit_names(2, False) == ["unit 0", "unit 1"]


def decode(png):
    """PNG bytes -> (h, w, 3) uint8 array."""
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"))


def test_gradient_frames_blit_the_same_pixels_as_a_full_draw():
    a = gp.gradients_figure()
    cache = render.FrameCache(a.fig)
    for _ in range(2):       # tiny shapes: numbers in every cell; the second pass blits the cached frame
        dz, dW, db, dx = (RNG.standard_normal(shape) for shape in ((4, 2), (3, 2), (2,), (4, 3)))
        gp.update_gradients(a, dz, dW, db, dx)
        blitted = decode(cache.render())
    assert cache.full_draws == 1 and len(a.x.cells) == 12
    assert np.array_equal(blitted, decode(render.FrameCache(a.fig).render()))
