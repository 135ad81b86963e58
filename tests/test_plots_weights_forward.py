"""plots.weights and plots.forward: pooled images in original indices, initializer theory, histogram,
highlight rectangles, the activation picture, and the cached-frame PNG renderer."""
import io
import math

import matplotlib.colors
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


@pytest.mark.parametrize("shape, limits", [((8, 25600), (8, 128)), ((100, 25600), (100, 320)), ((7, 103), (3, 10))])
def test_mean_pooling_is_the_block_mean_with_whole_or_ragged_blocks(shape, limits):
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    pooled, (rb, cb) = heatmap.pool(a, *limits)
    assert pooled.dtype == np.float64 and pooled.shape == (-(-shape[0] // rb), -(-shape[1] // cb))
    for r, c in [(0, 0), (pooled.shape[0] - 1, pooled.shape[1] - 1), (pooled.shape[0] // 2, 1)]:
        block = a[r * rb:(r + 1) * rb, c * cb:(c + 1) * cb].astype(np.float64)   # a ragged edge block is smaller
        assert pooled[r, c] == pytest.approx(block.mean(), rel=1e-6, abs=1e-7)


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
    z2 = x2 @ kernel + (0 if bias is None else bias)
    blocks = fplot.update_forward(a, x2, kernel, bias, z2, np.maximum(z2, 0), sample, unit, unit)
    return a, blocks


def test_highlights_sit_on_row_i_column_j_and_entry_ij():
    rng = np.random.default_rng(0)
    x2, kernel = rng.standard_normal((8, 4)), rng.standard_normal((4, 3))
    a, blocks = _forward(x2, kernel, np.zeros(3), 5, 2)
    assert np.array_equal(a.im_x.get_array(), x2) and np.array_equal(a.im_w.get_array(), kernel)
    assert np.array_equal(a.im_y.get_array(), np.maximum(x2 @ kernel, 0))
    assert blocks == {"x": (1, 1), "W": (1, 1), "z": (1, 1), "y": (1, 1)}
    assert a.rect_x.get_bbox().bounds == pytest.approx((-0.5, 4.5, 4, 1))   # row i = 5, all 4 columns
    assert a.rect_w.get_bbox().bounds == pytest.approx((1.5, -0.5, 1, 4))   # column j = 2, all 4 rows
    assert a.rect_y.get_bbox().bounds == pytest.approx((1.5, 4.5, 1, 1))    # y[5, 2]
    assert a.rect_b.get_bbox().bounds == pytest.approx((1.5, -0.5, 1, 1))   # b[2]
    assert a.row_marks[0].get_ydata()[0] == 5 and a.col_marks[0].get_xdata()[0] == 2
    assert a.rect_z.get_bbox().bounds == pytest.approx((1.5, 4.5, 1, 1))    # z[5, 2]
    assert [t.get_text() for t in a.titles] == ["x (8, 4)", "W (4, 3)", "z (8, 3)", "y (8, 3)"]
    assert not any(artist.get_visible() for artist in a.feature)           # no input k given: none outlined


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
    title = " ".join(a.titles[1].get_text().split())   # the pooling note is wrapped to its heatmap's width
    assert "each pixel: 1 × " in title and "values (mean)" in title
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
    assert np.allclose(a.unit.get_xydata(), np.column_stack([z, np.tanh(z)]))
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


def _small_layer(batch, n_in, units, seed=1):
    """x2 (batch, n_in), kernel, bias, z2 and y2 = relu(z2) of a random layer, float32 as the explainer's."""
    rng = np.random.default_rng(seed)
    x2, kernel, bias = (rng.standard_normal(shape).astype(np.float32) for shape in ((batch, n_in), (n_in, units),
                                                                                   (units,)))
    z2 = x2 @ kernel + bias
    return x2, kernel, bias, z2, np.maximum(z2, 0)


def _cell_box(ax, col, row):
    """The pixel box (x0, y0, x1, y1) of cell (row, col) of an image with extent in original indices."""
    (x0, y0), (x1, y1) = ax.transData.transform([(col - 0.5, row + 0.5), (col + 0.5, row - 0.5)])
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)



def _canvas_with(maker, string, x, y, **kwargs):
    """The RGB pixels of a 400 × 150 figure with one text made by maker(fig, string, x, y, **kwargs)."""
    fig = heatmap.new_figure(400, 150)
    maker(fig, string, x, y, **kwargs)
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


def _text(fig, string, x, y, **kwargs):
    fig.text(x, y, string, transform=None, **kwargs)


def _cached(fig, string, x, y, **kwargs):
    text = render.CachedText(x, y, string, transform=None, **kwargs)
    text.set_clip_on(False)
    fig.add_artist(text)


NUMBERS = ["−0.0523", "0.5", "1.2e+03", "−2.92", "0.00083", "‖·‖ = 0.4387", "(None, 25600)", "−1e-05", "W[3, 2]"]


@pytest.mark.parametrize("size", [6, 6.7, 8, 9.5, 12])
def test_cached_text_gives_texts_very_pixels_when_its_baseline_is_on_a_whole_pixel(size):
    """Left / baseline at a whole pixel: no rounding, so the composed glyph bitmaps must be Text.draw's own pixels
    (Agg blends a glyph and a pasted image alike: 1 level of 255 allowed). After a kerned pair off the pixel grid
    ('AV', 'To', 'rg') a glyph sits at the nearest whole pixel: the same drawing, less that shift."""
    for string in NUMBERS + ["AV To", "L = 0.784: the largest |·| of"]:
        slow = _canvas_with(_text, string, 37, 71, ha="left", va="baseline", fontsize=size, color="k")
        quick = _canvas_with(_cached, string, 37, 71, ha="left", va="baseline", fontsize=size, color="k")
        assert (slow < 250).any(), string
        if string in NUMBERS:
            assert np.abs(slow - quick).max() <= 1, (string, size, np.argwhere(np.abs(slow - quick) > 1)[:3])
        else:
            darkness = [255 - a[..., 0].ravel() for a in (slow, quick)]
            assert np.corrcoef(*darkness)[0, 1] > 0.8, (string, size)


def test_glyph_lines_have_set_texts_metrics_and_numbers_are_composed_not_drawn():
    """Glyphs.line: advance, height and descent as FT2Font.set_text gives them (what matplotlib lays text out
    by); a number is composed from cached glyphs, so a thousand new numbers render no text with matplotlib."""
    from matplotlib.backends.backend_agg import get_hinting_flag
    from matplotlib.font_manager import FontProperties, get_font
    prop = FontProperties(size=7.3)
    table = render.glyphs(render._font_file(prop), 7.3, 100)
    font = get_font(render._font_file(prop))
    rng = np.random.default_rng(3)
    strings = NUMBERS + [heatmap.number_text(v) for v in rng.standard_normal(300) * 10.0 ** rng.integers(-5, 5, 300)]
    for string in strings:
        font.set_size(7.3, 100)
        font.set_text(string, 0.0, flags=get_hinting_flag())
        (width, height), descent = font.get_width_height(), font.get_descent()   # before line(): one font object
        line = table.line(string)
        assert (line.advance, line.height, line.descent) == (width / 64, height / 64, descent / 64), string
        assert line.coverage is not None and line.coverage.any(), string
    assert render.text_width_px(["−0.0523", "0.5"], prop, 100) == table.line("−0.0523").advance


def test_multi_line_cached_text_is_laid_out_as_text_lays_it_out():
    """Two lines, each alignment, anchored on a whole pixel: each line's baseline is Text's rounded to a whole
    pixel (Text draws the second line at a subpixel position), so CachedText's pixels correlate with Text's better
    than the same pixels moved one pixel any way would."""
    string = "L = 0.784: the largest |·| of\nthe panels and of ∂L/∂y"
    for ha, va in [("left", "top"), ("center", "center"), ("right", "bottom"), ("left", "baseline"),
                   ("center", "center_baseline")]:
        slow, quick = (255 - _canvas_with(maker, string, 200, 75, ha=ha, va=va, fontsize=8.5, color="k")[..., 0]
                       for maker in (_text, _cached))
        here = np.corrcoef(slow.ravel(), quick.ravel())[0, 1]
        moved = max(np.corrcoef(slow.ravel(), np.roll(quick, shift, axis=(0, 1)).ravel())[0, 1]
                    for shift in ((1, 0), (-1, 0), (0, 1), (0, -1)))
        assert here > 0.8 and here > moved + 0.05, (ha, va, here, moved)


def test_cell_image_paints_the_pixels_imshow_paints():
    """heatmap.CellImage (its own pixel -> cell mapping) against ax.imshow(..., interpolation="nearest") on random
    figure sizes, axes boxes, shapes, nan cells and axes wider than the image: every pixel equal."""
    rng = np.random.default_rng(0)
    for trial in range(60):
        fig = heatmap.new_figure(int(rng.integers(200, 900)), int(rng.integers(150, 400)))
        ax = fig.add_axes((rng.uniform(0, 0.5), rng.uniform(0, 0.5), rng.uniform(0.05, 0.5), rng.uniform(0.05, 0.5)))
        rows, cols = int(rng.integers(1, 40)), int(rng.integers(1, 60))
        data = rng.standard_normal((rows, cols))
        if trial % 4 == 0:
            data[0, 0] = np.nan
        limits = ((-0.5, cols * 1.3 - 0.5), (rows * 1.2 - 0.5, -0.5)) if trial % 3 == 0 else None
        pixels = []
        for make in (lambda: ax.imshow(data, cmap=heatmap.DIVERGING, vmin=-2, vmax=2, aspect="auto",
                                       interpolation="nearest", extent=(-0.5, cols - 0.5, rows - 0.5, -0.5)),
                     lambda: heatmap.draw_heatmap(ax, data, limit=2.0)):
            image = make()
            if limits:
                ax.set_xlim(*limits[0])
                ax.set_ylim(*limits[1])
            fig.canvas.draw()
            pixels.append(np.asarray(fig.canvas.buffer_rgba()).copy())
            image.remove()
        assert isinstance(image, heatmap.CellImage)
        assert np.array_equal(*pixels), (trial, np.argwhere((pixels[0] != pixels[1]).any(-1))[:3])

@pytest.mark.parametrize("batch, n_in, units", [(4, 3, 2), (8, 4, 3), (8, 8, 8), (1, 2, 1), (8, 1, 8)])
def test_forward_writes_every_number_of_a_layer_up_to_8x8_legibly(batch, n_in, units):
    x2, kernel, bias, z2, y2 = _small_layer(batch, n_in, units)
    a = fplot.forward_figure()
    fplot.update_forward(a, x2, kernel, bias, z2, y2, 0, 0, 0)
    fig = a.fig
    renderer = fig.canvas.get_renderer()
    axes = {"x": a.ax_x, "W": a.ax_w, "b": a.ax_b, "z": a.ax_z, "y": a.ax_y}
    images = {"x": a.im_x, "W": a.im_w, "b": a.im_b, "z": a.im_z, "y": a.im_y}
    for name, array in (("x", x2), ("W", kernel), ("b", bias[None, :]), ("z", z2), ("y", y2)):
        shown = [t for t in a.cells[name] if t.get_visible()]
        assert len(shown) == array.size, name                       # every cell carries its number ...
        for t in shown:
            col, row = (int(v) for v in t.get_position())
            assert t.get_text() == heatmap.number_text(array[row, col])   # ... rounded as the sum's terms
            x0, y0, x1, y1 = _cell_box(axes[name], col, row)
            ink = t.get_window_extent(renderer)
            assert x0 + 1 <= ink.x0 and ink.x1 <= x1 - 1, (name, t.get_text(), ink, (x0, x1))   # fits its cell
            assert y0 <= ink.y0 and ink.y1 <= y1, (name, t.get_text())
            assert 0 <= ink.x0 and ink.x1 <= fig.bbox.width and 0 <= ink.y0 and ink.y1 <= fig.bbox.height
            cell = images[name].to_rgba(float(array[row, col]))
            lum = 0.2126 * cell[0] + 0.7152 * cell[1] + 0.0722 * cell[2]
            assert t.get_color() == ("white" if lum < 0.45 else "black")   # readable on its own cell
            assert t.get_fontsize() >= heatmap.MIN_CELL_FONT_SIZE
    assert sum(t.get_fontsize() == heatmap.CELL_FONT_SIZE for pool in a.cells.values() for t in pool
               if t.get_visible()) >= 0.8 * sum(v.size for v in (x2, kernel, bias, z2, y2))   # few are set smaller
    boxes = [ax.get_window_extent(renderer) for ax in axes.values()]
    for i, one in enumerate(boxes):   # no heatmap on another one, all inside the figure
        assert 0 <= one.x0 and one.x1 <= fig.bbox.width and 0 <= one.y0 and one.y1 <= fig.bbox.height
        assert not any(one.overlaps(other) for other in boxes[i + 1:])
    titles = [t.get_window_extent(renderer) for t in a.titles]
    assert not any(one.overlaps(other) for i, one in enumerate(titles) for other in titles[i + 1:])


def test_forward_sizes_the_figure_for_the_numbers_and_keeps_the_frame_for_new_values():
    a = fplot.forward_figure()
    cache = render.FrameCache(a.fig)
    fplot.update_forward(a, *_small_layer(8, 8, 8), 0, 0, 0)
    assert a.fig.bbox.width > 780 and a.ax_z.get_position().y1 < a.ax_x.get_position().y0   # two rows
    cache.render()
    fplot.update_forward(a, *_small_layer(8, 8, 8, seed=2), 0, 0, 0)   # new weights: the same layout
    cache.render()
    assert cache.full_draws == 1
    fplot.update_forward(a, *_small_layer(4, 3, 2), 0, 0, 0)           # tiny: one row in the usual width
    assert a.fig.bbox.width == 780 and a.ax_z.get_position().y1 == pytest.approx(a.ax_x.get_position().y1)
    cache.render()
    big = _small_layer(8, 100, 3)
    fplot.update_forward(a, *big, 0, 0, 0)                             # bigger: the fixed 780 × 250 layout
    assert (a.fig.bbox.width, a.fig.bbox.height) == (780, 250)
    cache.render()
    assert cache.full_draws == 3
    fplot.update_forward(a, *_small_layer(8, 8, 8, seed=3), 0, 0, 0)   # back to 8 × 8: its frame is cached
    cache.render()
    assert cache.full_draws == 3


def test_forward_numbers_no_cell_of_a_layer_above_8x8_beyond_the_highlighted_ones():
    for batch, n_in, units in ((4, 10, 2), (9, 3, 2), (4, 3, 9)):
        x2, kernel, bias, z2, y2 = _small_layer(batch, n_in, units)
        a = fplot.forward_figure()
        fplot.update_forward(a, x2, kernel, bias, z2, y2, 2, 1, 1)
        shown = {name: [t for t in pool if t.get_visible()] for name, pool in a.cells.items()}
        # at most the highlighted row of x, column of W, b[j], z[i, j] and y[i, j], when their cells are big enough
        assert len(shown["x"]) in (0, n_in) and all(t.get_position()[1] == 2 for t in shown["x"])
        assert len(shown["W"]) in (0, n_in) and all(t.get_position()[0] == 1 for t in shown["W"])
        assert len(shown["z"]) <= 1 and len(shown["y"]) <= 1 and len(shown["b"]) <= 1
        assert (a.fig.bbox.width, a.fig.bbox.height) == (780, 250)
    big = np.random.default_rng(1).standard_normal((8, 100))   # pooled or too many: no numbers anywhere
    kernel = np.random.default_rng(2).standard_normal((100, 3))
    fplot.update_forward(a, big, kernel, None, big @ kernel, big @ kernel, 0, 0, 0)
    assert not any(t.get_visible() for pool in a.cells.values() for t in pool)


def test_forward_outlines_input_k_in_x_and_w():
    x2, kernel, bias, z2, y2 = _small_layer(8, 4, 3)
    a = fplot.forward_figure()
    fplot.update_forward(a, x2, kernel, bias, z2, y2, 5, 2, 2, feature=3)
    rect_x, rect_w, mark_w = a.feature
    assert all(artist.get_visible() for artist in a.feature)
    assert rect_x.get_bbox().bounds == pytest.approx((2.5, 4.5, 1, 1))    # x[5, 3]
    assert rect_w.get_bbox().bounds == pytest.approx((-0.5, 2.5, 3, 1))   # row k = 3 of W, every column
    assert mark_w.get_ydata()[0] == 3
    assert rect_x.get_edgecolor()[:3] == pytest.approx(matplotlib.colors.to_rgb(heatmap.FEATURE_COLOR))


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
        fplot.update_forward(heat, x2, kernel, np.zeros(2), x2 @ kernel, relu(x2 @ kernel), seed, seed, seed)
        z = (x2 @ kernel)[:, seed]
        zs = np.linspace(-5, 5, 301)
        fplot.update_activation(act, "relu: y = f(z)", (zs, relu(zs)), (z, relu(z)), (z[0], relu(z[0])),
                                derivative=(zs, relu.derivative(zs)), label=f"● unit j = {seed}")
        blitted = [decode(cache.render()) for cache in caches]
    assert [cache.full_draws for cache in caches] == [1, 1]
    fresh = [decode(render.FrameCache(fig).render()) for fig in (heat.fig, act.fig)]
    assert all(np.array_equal(b, f) for b, f in zip(blitted, fresh))
