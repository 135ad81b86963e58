"""plots.weights and plots.forward: pooled images in original indices, initializer theory, histogram,
highlight rectangles, the activation picture, and the cached-frame PNG renderer."""
import io
import math

import numpy as np
import PIL.Image
import pytest

from dense_viz.engine import activations, initializers
from dense_viz.plots import heatmap
from dense_viz.plots import forward as fplot
from dense_viz.plots import weights as wplot
from dense_viz.plots import render


def decode(png):
    """PNG bytes -> (h, w, 3) uint8 array."""
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGB"))


def glorot(shape, seed=0):
    """A glorot_uniform kernel of `shape` (float32)."""
    return initializers.get("glorot_uniform")(shape, "float32", np.random.default_rng(seed))


# ---------------------------------------------------------------- helpers
def test_nice_ceil_picks_the_next_nice_number():
    assert heatmap.nice_ceil(0.926) == 1.0
    assert heatmap.nice_ceil(0.0043) == pytest.approx(0.005)
    assert heatmap.nice_ceil(2.6) == 3.0
    assert heatmap.nice_ceil(3.0) == 3.0
    assert heatmap.nice_ceil(0.0) == 1.0
    assert heatmap.nice_ceil(7.0, steps=(1.0, 2.0, 5.0)) == 10.0


def test_png_bytes_round_trips():
    rgb = np.random.default_rng(0).integers(0, 256, (7, 5, 3), dtype=np.uint8)
    assert np.array_equal(decode(render.png_bytes(rgb)), rgb)


def test_fitting_block_prefers_whole_blocks():
    assert heatmap._fitting_block(25600, 338) == 80      # 76 would leave a ragged edge; 80 divides 25600
    assert heatmap._fitting_block(100, 176) == 1
    assert heatmap._fitting_block(25601, 338) == 76      # a prime-ish size: no divisor nearby, ragged pooling


def test_block_span_covers_the_block_holding_the_index():
    assert heatmap.block_span(0, 1) == (-0.5, 1)
    assert heatmap.block_span(123, 50) == (99.5, 50)     # units 100..149


# ---------------------------------------------------------------- initializer theory
def test_glorot_uniform_theory_has_the_keras_limit_and_formula():
    t = wplot.initializer_theory(initializers.get("glorot_uniform"), (100, 25600))
    limit = math.sqrt(6 / (100 + 25600))
    assert t.kind == "uniform"
    assert t.lines == pytest.approx((-limit, limit))
    assert t.std == pytest.approx(limit / math.sqrt(3))
    assert "U(±0.01528), limit = sqrt(6 / (100 + 25600))" in t.formula
    xs, ys = t.curve
    assert ys.max() == pytest.approx(1 / (2 * limit))   # the flat density


def test_he_uniform_and_lecun_uniform_formulas():
    assert "sqrt(6 / 100)" in wplot.initializer_theory(initializers.get("he_uniform"), (100, 7)).formula
    assert "sqrt(3 / 100)" in wplot.initializer_theory(initializers.get("lecun_uniform"), (100, 7)).formula


@pytest.mark.parametrize("name", ["glorot_normal", "he_normal", "lecun_normal", "truncated_normal"])
def test_truncated_normal_theory_is_a_renormalised_density_cut_at_two_sigma(name):
    init = initializers.get(name)
    t = wplot.initializer_theory(init, (64, 32))
    xs, ys = t.curve
    assert np.trapezoid(ys, xs) == pytest.approx(1.0, abs=2e-3)   # renormalised after the cut
    sigma = (t.lines[1] - t.lines[0]) / 4
    assert xs[0] == pytest.approx(t.mean - 2 * sigma) and xs[-1] == pytest.approx(t.mean + 2 * sigma)
    draws = np.stack([init((64, 32), "float64", np.random.default_rng(seed)) for seed in range(20)])
    assert draws.std() == pytest.approx(t.std, rel=0.02)        # the theory std is the drawn one
    assert np.abs(draws - t.mean).max() <= 2 * sigma + 1e-12


def test_other_initializers_say_what_they_are():
    ones = wplot.initializer_theory(initializers.get("ones"), (3, 2))
    assert ones.kind == "constant" and ones.lines == (1.0,) and "every weight is 1" in ones.formula
    ident = wplot.initializer_theory(initializers.get("identity"), (4, 3))
    assert ident.kind == "identity" and "3 of 12" in ident.formula
    orth = wplot.initializer_theory(initializers.get("orthogonal"), (40, 30))
    assert orth.approx and orth.std == pytest.approx(1 / math.sqrt(40))
    unif = wplot.initializer_theory(initializers.get("random_uniform"), (3, 2))
    assert unif.lines == (-0.05, 0.05) and unif.std == pytest.approx(0.1 / math.sqrt(12))
    normal = wplot.initializer_theory(initializers.get("random_normal"), (3, 2))
    assert normal.kind == "normal" and normal.lines == () and normal.std == 0.05


def test_kernel_sample_is_seeded_and_bounded():
    k = glorot((100, 25600))
    a, b = wplot.kernel_sample(k, 1000, seed=3), wplot.kernel_sample(k, 1000, seed=3)
    assert a.shape == (1000,) and np.array_equal(a, b)
    assert wplot.kernel_sample(k[:2, :3]).size == 6


# ---------------------------------------------------------------- the weights figure
def test_small_kernel_is_drawn_as_is_with_theory_lines_at_the_limit():
    a = wplot.weights_figure()
    k = glorot((4, 3))
    info = wplot.update_weights(a, k, np.zeros(3, np.float32), initializers.get("glorot_uniform"))
    assert np.array_equal(a.im_kernel.get_array(), k)
    assert info["block"] == (1, 1) and a.note.get_text() == "each pixel: one weight"
    limit = math.sqrt(6 / 7)
    assert [line.get_xdata()[0] for line in a.mark_lines] == pytest.approx([-limit, limit])
    assert all(line.get_visible() for line in a.mark_lines)
    assert a.im_kernel.get_clim() == pytest.approx((-limit, limit))   # colours span the initializer's range
    assert a.im_kernel.get_extent() == pytest.approx((-0.5, 2.5, 3.5, -0.5))
    assert a.title.get_text() == "kernel W (4, 3)"
    assert a.hist_note.get_text() == "histogram of all 12 weights"
    assert a.bias_note.get_text() == "b = 0 everywhere"


def test_big_kernel_is_pooled_with_a_note_and_a_sampled_histogram():
    a = wplot.weights_figure()
    k = glorot((100, 25600))
    info = wplot.update_weights(a, k, None, initializers.get("glorot_uniform"))
    rows, cols = heatmap.axes_pixels(a.ax_kernel)
    assert info["block"] == (1, 80) and 25600 // 80 <= cols
    expected, block = heatmap.pool(k, 100, 320, "mean")
    assert block == (1, 80)
    assert np.array_equal(a.im_kernel.get_array(), expected)
    assert a.note.get_text().startswith("each pixel: 1 × 80 weights (mean)")
    assert a.im_kernel.get_extent() == pytest.approx((-0.5, 25599.5, 99.5, -0.5))   # axes in real k, j
    assert a.ax_kernel.get_xlim() == pytest.approx((-0.5, 25599.5))
    bound = math.sqrt(6 / 25700)
    assert a.im_kernel.get_clim() == pytest.approx((-bound, bound))   # by default: the kernel's true range
    assert a.cbar.ax.get_ylabel() == "mean of each 1 × 80 block"
    lo, hi = a.ax_hist.get_xlim()   # the histogram's bars: the same colour map and limits as the heatmap
    assert a.hist_colours.get_clim() == a.im_kernel.get_clim()
    assert list(a.hist_colours.get_extent()[:2]) == pytest.approx([lo, hi])
    assert list(a.hist_colours.get_array()[0, [0, -1]]) == pytest.approx([lo, hi])
    wplot.update_weights(a, k, None, initializers.get("glorot_uniform"), scale="stretched")
    limit = a.im_kernel.get_clim()[1]
    assert limit < 0.5 * bound   # stretched: the pooled image's own, smaller colour scale
    assert a.hist_colours.get_clim() == (-limit, limit)
    wplot.update_weights(a, k, None, initializers.get("glorot_uniform"), mode="maxabs")
    assert a.cbar.ax.get_ylabel() == "largest |w| of each 1 × 80 block"
    with pytest.raises(ValueError, match="scale='loud'"):
        wplot.update_weights(a, k, None, initializers.get("glorot_uniform"), scale="loud")
    assert "200,000 of 2,560,000" in a.hist_note.get_text()
    assert a.bias_note.get_text() == "no bias (use_bias=False)" and not a.im_bias.get_visible()
    assert int(round(a.stairs.get_data().values.sum() * np.diff(a.stairs.get_data().edges)[0])) == 1


def test_maxabs_pooling_keeps_the_sign_of_the_largest_weight():
    a = wplot.weights_figure()
    k = glorot((100, 25600))
    wplot.update_weights(a, k, None, initializers.get("glorot_uniform"), mode="maxabs")
    expected, _ = heatmap.pool(k, 100, 320, "maxabs")
    assert np.array_equal(a.im_kernel.get_array(), expected)
    assert "largest |w|, sign kept" in a.note.get_text()


def test_shape_change_resets_extent_and_limits():
    a = wplot.weights_figure()
    wplot.update_weights(a, glorot((4, 3)), np.zeros(3, np.float32), initializers.get("glorot_uniform"))
    wplot.update_weights(a, glorot((4, 7)), np.zeros(7, np.float32), initializers.get("glorot_uniform"))
    assert a.im_kernel.get_array().shape == (4, 7)
    assert a.im_kernel.get_extent() == pytest.approx((-0.5, 6.5, 3.5, -0.5))
    assert a.ax_kernel.get_xlim() == pytest.approx((-0.5, 6.5))
    assert a.im_bias.get_extent() == pytest.approx((-0.5, 6.5, 0.5, -0.5))
    assert len(a.fig.axes) == 4   # kernel, colorbar, bias, histogram: nothing added


# ---------------------------------------------------------------- the frame cache
def test_frame_cache_blits_the_same_pixels_as_a_full_draw():
    a = wplot.weights_figure()
    cache = render.FrameCache(a.fig)
    init = initializers.get("glorot_uniform")
    wplot.update_weights(a, glorot((4, 3), seed=0), np.zeros(3, np.float32), init)
    first = cache.render()
    wplot.update_weights(a, glorot((4, 3), seed=1), np.zeros(3, np.float32), init)
    blitted = cache.render()
    assert cache.full_draws == 1                              # same layout: only the animated artists drawn
    assert not np.array_equal(decode(first), decode(blitted))  # ... and they did change
    fresh = render.FrameCache(a.fig).render()                   # the whole figure drawn from scratch
    assert np.array_equal(decode(blitted), decode(fresh))
    wplot.update_weights(a, glorot((4, 7)), np.zeros(7, np.float32), init)
    cache.render()
    assert cache.full_draws == 2                              # new shape: new labels, new frame
    wplot.update_weights(a, glorot((4, 3), seed=1), np.zeros(3, np.float32), init)
    back = cache.render()
    assert cache.full_draws == 2                              # back to (4, 3): its frame is still cached
    assert np.array_equal(decode(back), decode(blitted))
    small = render.FrameCache(a.fig, max_frames=1)             # a cache of one frame forgets (4, 7) ...
    wplot.update_weights(a, glorot((4, 7)), np.zeros(7, np.float32), init)
    small.render()
    wplot.update_weights(a, glorot((4, 3), seed=1), np.zeros(3, np.float32), init)
    assert np.array_equal(decode(small.render()), decode(blitted)) and small.full_draws == 2  # ... and redraws


# ---------------------------------------------------------------- the forward heatmaps
def _forward(x2, kernel, bias, sample, unit):
    """forward_figure updated with x2 (B, in), kernel (in, units), y = relu(x2 @ kernel): (artists, blocks)."""
    a = fplot.forward_figure()
    blocks = fplot.update_forward(a, x2, kernel, bias, np.maximum(x2 @ kernel, 0), sample, unit, unit)
    return a, blocks


def test_highlights_sit_on_row_i_column_j_and_entry_ij():
    rng = np.random.default_rng(0)
    x2, kernel = rng.standard_normal((8, 4)), rng.standard_normal((4, 3))
    a, blocks = _forward(x2, kernel, np.zeros(3), 5, 2)
    assert np.array_equal(a.im_x.get_array(), x2) and np.array_equal(a.im_w.get_array(), kernel)
    assert np.array_equal(a.im_y.get_array(), np.maximum(x2 @ kernel, 0))
    assert blocks == {"x": (1, 1), "W": (1, 1), "y": (1, 1)}
    assert a.rect_x.get_bbox().bounds == pytest.approx((-0.5, 4.5, 4, 1))   # row i = 5, all 4 columns
    assert a.rect_w.get_bbox().bounds == pytest.approx((1.5, -0.5, 1, 4))   # column j = 2, all 4 rows
    assert a.rect_y.get_bbox().bounds == pytest.approx((1.5, 4.5, 1, 1))    # y[5, 2]
    assert a.rect_b.get_bbox().bounds == pytest.approx((1.5, -0.5, 1, 1))   # b[2]
    assert a.row_marks[0].get_ydata()[0] == 5 and a.col_marks[0].get_xdata()[0] == 2
    assert [t.get_text() for t in a.titles] == ["x (8, 4)", "W (4, 3)", "y (8, 3)"]


def test_highlights_mark_the_pooled_block_of_a_big_kernel():
    rng = np.random.default_rng(0)
    kernel = rng.standard_normal((100, 25600)).astype(np.float32)
    a, blocks = _forward(rng.standard_normal((8, 100)).astype(np.float32), kernel, None, 3, 12345)
    cb = blocks["W"][1]
    assert cb > 1
    expected, _ = heatmap.pool_to_axes(a.ax_w, kernel)
    assert np.array_equal(a.im_w.get_array(), expected)
    x0, _, width, _ = a.rect_w.get_bbox().bounds
    assert width == cb and x0 + 0.5 == (12345 // cb) * cb and x0 + 0.5 <= 12345 < x0 + 0.5 + width
    assert "each pixel: 1 × " in a.titles[1].get_text() and "values (mean)" in a.titles[1].get_text()
    assert a.b_note.get_text() == "no bias (use_bias=False)" and not a.rect_b.get_visible()


# ---------------------------------------------------------------- the activation picture
def test_activation_picture_covers_the_batch_z_and_draws_the_derivative():
    a = fplot.activation_figure()
    act = activations.get("tanh")
    z = np.array([-3.3, 0.1, 2.0])
    lo, hi = fplot.z_range(z)
    assert (lo, hi) == (-5.0, 5.0)
    zs = np.linspace(lo, hi, 301)
    fplot.update_activation(a, "tanh", (zs, act(zs)), (z, act(z)), (z[0], act(z[0])),
                            derivative=(zs, act.derivative(zs)), label="unit j = 0")
    assert a.ax.get_xlim() == (lo, hi)
    y_lo, y_hi = a.ax.get_ylim()
    assert y_lo < -1 and y_hi > 1
    assert np.allclose(a.unit.get_offsets(), np.column_stack([z, np.tanh(z)]))
    assert a.dcurve.get_visible() and a.dcurve.get_linestyle() == "--"
    assert np.allclose(a.dcurve.get_ydata(), 1 - np.tanh(zs) ** 2)


def test_subsample_caps_the_background_points():
    assert fplot.subsample(10).size == 10
    idx = fplot.subsample(204_800)
    assert idx.size == fplot.MAX_POINTS and idx[0] == 0 and idx[-1] == 204_799


def test_cached_text_draws_where_and_what_matplotlib_text_draws():
    """CachedText (Text drawn once offscreen, then pasted) puts the same ink at the same place as Text."""
    def ink(maker):
        fig = heatmap.new_figure(240, 120)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        for i, (ha, va) in enumerate([("center", "center"), ("left", "bottom"), ("right", "top")]):
            maker(ax, 0.5, 0.2 + 0.3 * i, f"−0.{i}7 ‖·‖", ha=ha, va=va, fontsize=8 + i, color="k")
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba())[..., 0] < 128
    slow, quick = ink(lambda ax, *a, **k: ax.text(*a, **k)), ink(render.cached_text)
    assert quick.sum() == pytest.approx(slow.sum(), rel=0.1)
    overlap = (slow & quick).sum() / (slow | quick).sum()   # the same pixels, not merely the same rows:
    assert overlap > 0.5, overlap                          # an upside-down text shares few of them
    for axis in (0, 1):   # the same rows and columns inked, to a pixel
        rows_slow, rows_quick = np.flatnonzero(slow.any(axis)), np.flatnonzero(quick.any(axis))
        assert abs(rows_slow.min() - rows_quick.min()) <= 1 and abs(rows_slow.max() - rows_quick.max()) <= 1
    t = render.cached_text(heatmap.new_figure(10, 10).add_axes((0, 0, 1, 1)), 1, 2, "0.5", ha="center")
    assert t.get_text() == "0.5" and t.get_position() == (1, 2)   # the Text API, unchanged


def test_forward_writes_every_number_of_a_small_layer_rounded_as_the_sum_writes_its_terms():
    rng = np.random.default_rng(1)
    x2, kernel, bias = rng.standard_normal((4, 3)), rng.standard_normal((3, 2)), rng.standard_normal(2)
    a = fplot.forward_figure()
    y2 = np.maximum(x2 @ kernel + bias, 0)
    fplot.update_forward(a, x2, kernel, bias, y2, 2, 1, 1)
    shown = {name: [t for t in pool if t.get_visible()] for name, pool in a.cells.items()}
    for name, array in (("x", x2), ("W", kernel), ("y", y2), ("b", bias[None, :])):
        assert len(shown[name]) == array.size
        for t in shown[name]:
            col, row = t.get_position()
            assert t.get_text() == heatmap.number_text(array[int(row), int(col)])   # '−0.534': 3 digits, as Σ
    assert shown["x"][5].get_position() == (2, 1)


def test_forward_writes_the_numbers_of_the_highlighted_cells_when_only_they_fit():
    rng = np.random.default_rng(1)
    x2, kernel, bias = rng.standard_normal((4, 10)), rng.standard_normal((10, 2)), rng.standard_normal(2)
    a = fplot.forward_figure()
    y2 = np.maximum(x2 @ kernel + bias, 0)
    fplot.update_forward(a, x2, kernel, bias, y2, 2, 1, 1)     # 10 inputs: more than 8, not every cell
    shown = {name: [t for t in pool if t.get_visible()] for name, pool in a.cells.items()}
    if shown["x"]:   # the highlighted row and column only, when their cells are big enough
        assert [t.get_position()[1] for t in shown["x"]] == [2] * 10
        assert [t.get_position()[0] for t in shown["W"]] == [1] * 10
    assert len(shown["y"]) <= 1
    big = rng.standard_normal((8, 100))                 # pooled or too many: no numbers anywhere
    fplot.update_forward(a, big, rng.standard_normal((100, 3)), None, big[:, :3], 0, 0, 0)
    assert not any(t.get_visible() for pool in a.cells.values() for t in pool)


def number_of(text):
    """The number a cell text shows ('−0.21' -> -0.21)."""
    return float(text.get_text().replace("−", "-"))


def test_forward_and_activation_frames_blit_the_same_pixels_as_a_full_draw():
    rng = np.random.default_rng(2)
    heat, act = fplot.forward_figure(), fplot.activation_figure()
    caches = render.FrameCache(heat.fig), render.FrameCache(act.fig)
    relu = activations.get("relu")
    for seed in range(2):   # the second pass blits the cached frame
        x2, kernel = rng.standard_normal((4, 3)), rng.standard_normal((3, 2))
        fplot.update_forward(heat, x2, kernel, np.zeros(2), relu(x2 @ kernel), seed, seed, seed)
        z = (x2 @ kernel)[:, seed]
        zs = np.linspace(-5, 5, 301)
        fplot.update_activation(act, "relu: y = f(z)", (zs, relu(zs)), (z, relu(z)), (z[0], relu(z[0])),
                                derivative=(zs, relu.derivative(zs)), label=f"● unit j = {seed}")
        blitted = [decode(cache.render()) for cache in caches]
    assert [cache.full_draws for cache in caches] == [1, 1]
    fresh = [decode(render.FrameCache(fig).render()) for fig in (heat.fig, act.fig)]
    assert all(np.array_equal(b, f) for b, f in zip(blitted, fresh))
