"""The Forward pictures: x · W (+ b) → y as heatmaps with sample i / unit j highlighted, and the activation curve.

`forward_figure()` / `update_forward(...)`: heatmaps of x (B, in), W (in, units), b (units,) and y (B, out)
(pooled to screen pixels, axes in original indices) with rectangles around x[i, :], W[:, j], b[j] and
y[i, j] (around the pooled block holding them when pooled). `activation_figure()` /
`update_activation(...)`: f(z) over a range covering the batch's z, f′(z) dashed on the same axis, and
the batch's z scattered on the curve. Artists that change are animated: see render.FrameCache.
"""
from ..i18n import _
from collections import namedtuple

import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from . import heatmap
from .render import animate, cached_text
from .heatmap import block_span, draw_pooled, index_label, nice_ceil, pool_to_axes, update_pooled
from .weights import cell_value_texts

HIGHLIGHT = "#111111"
UNIT_COLOR = "#1f77b4"
SELECTED_COLOR = "#ff7f0e"
MAX_POINTS = 2000  # background scatter: all units, subsampled to at most this many points
MAX_CELL_VALUES = 12  # the highlighted row of x / column of W get their numbers written in, up to this many
MAX_ALL_CELLS = 8     # a layer (and batch) up to 8 × 8 gets EVERY cell of x, W, b and y written, when they fit
MIN_CELL_PX = (13, 36)  # ... when each cell is at least this big on screen (height, width)
LABEL_SIZE, TICK_SIZE, NOTE_SIZE = 9, 8, 8  # points (at dpi 100: 12.5, 11 and 11 px)

ForwardArtists = namedtuple("ForwardArtists", "fig ax_x im_x rect_x ax_w im_w rect_w ax_b im_b rect_b "
                                              "b_note ax_y im_y rect_y titles row_marks col_marks cells partner")
ActivationArtists = namedtuple("ActivationArtists", "fig ax curve dcurve zero_line others unit selected message "
                                                    "title label")


# ---------------------------------------------------------------- heatmaps of x, W, b, y
def _outline(ax, linestyle="-"):
    """An animated, unfilled highlight rectangle drawn above the image (not clipped at the axes edge)."""
    return animate(ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=HIGHLIGHT, lw=2, zorder=5,
                                          clip_on=False, linestyle=linestyle)))


def _row_mark(ax):
    """Animated '◀' just right of the axes, at a data row (finds a thin highlighted row in a tall matrix)."""
    return animate(ax.plot([1.0], [0.0], marker="<", color=HIGHLIGHT, ms=6, clip_on=False,
                           transform=ax.get_yaxis_transform())[0])


def _col_mark(ax):
    """Animated '▼' just above the axes, at a data column (finds a thin highlighted column)."""
    return animate(ax.plot([0.0], [1.0], marker="v", color=HIGHLIGHT, ms=6, clip_on=False,
                           transform=ax.get_xaxis_transform())[0])


def forward_figure(width_px=780, height_px=250):
    """Figure with the x · W (+ b) → y heatmaps and their highlight rectangles; returns ForwardArtists.

    Each title sits just above its heatmap (a second line says how it is pooled); the selected row of x,
    column of W, b[j] and y[i, j] get their numbers written in when the cells are big enough (`cells`).
    """
    fig = heatmap.new_figure(width_px, height_px)
    px = 1.0 / width_px   # axes positions in pixels, so a wider figure keeps the gaps
    ax_x = fig.add_axes((58 * px, 0.2, 150 * px, 0.58))
    ax_w = fig.add_axes((292 * px, 0.33, 190 * px, 0.45))
    ax_b = fig.add_axes((292 * px, 0.2, 190 * px, 0.06), sharex=ax_w)
    ax_y = fig.add_axes((552 * px, 0.2, 190 * px, 0.58))
    zero = np.zeros((1, 1))
    artists = {}
    for name, ax in (("x", ax_x), ("w", ax_w), ("y", ax_y)):
        artists[f"im_{name}"] = draw_pooled(ax, zero, (1, 1), (1, 1))
        artists[f"rect_{name}"] = _outline(ax)
    im_b = animate(heatmap.draw_heatmap(ax_b, zero))
    ax_b.set_xticks([])
    ax_b.set_yticks([])
    ax_b.set_ylabel("b", rotation=0, ha="right", va="center", fontsize=LABEL_SIZE)
    for ax in (ax_x, ax_w, ax_b, ax_y):
        ax.xaxis.label.set_size(LABEL_SIZE)
        ax.yaxis.label.set_size(LABEL_SIZE)
    # static (part of the cached frame): shown only when there is no bias, i.e. when the strip is hidden
    b_note = ax_b.text(0.5, 0.5, "", transform=ax_b.transAxes, ha="center", va="center", fontsize=NOTE_SIZE,
                       color="0.3")
    middle = (ax_x.get_position().y0 + ax_x.get_position().y1) / 2
    fig.text((ax_x.get_position().x1 + ax_w.get_position().x0) / 2, middle, "•", fontsize=12,
             ha="center", va="center")   # the product x · W
    fig.text((ax_w.get_position().x1 + ax_y.get_position().x0) / 2, middle, "→", fontsize=16, ha="center",
             va="center")
    titles = [ax.text(0.0, 1.0, "", transform=offset_copy(ax.transAxes, fig, y=8, units="points"),
                      fontsize=LABEL_SIZE, va="bottom", linespacing=1.25) for ax in (ax_x, ax_w, ax_y)]
    every = MAX_ALL_CELLS * MAX_ALL_CELLS
    cells = {"x": cell_value_texts(ax_x, every), "W": cell_value_texts(ax_w, every),
             "b": cell_value_texts(ax_b, MAX_ALL_CELLS), "y": cell_value_texts(ax_y, every)}
    for text in (t for pool in cells.values() for t in pool):
        text.set_zorder(6)   # above the highlight rectangles
    return ForwardArtists(fig, ax_x, artists["im_x"], artists["rect_x"], ax_w, artists["im_w"],
                          artists["rect_w"], ax_b, im_b, _outline(ax_b), b_note, ax_y, artists["im_y"],
                          artists["rect_y"], titles, (_row_mark(ax_x), _row_mark(ax_y)),
                          (_col_mark(ax_w), _col_mark(ax_y)), cells, (_outline(ax_w, "--"), _outline(ax_b, "--")))


def _place(rect, x0, width, y0, height):
    """Move a highlight rectangle to (x0, y0) with the given width and height (data coordinates)."""
    rect.set_bounds(x0, y0, width, height)


def _mark(marker, start, width, axis):
    """Put a row ('y') or column ('x') marker at the centre of the span [start, start + width]."""
    (marker.set_ydata if axis == "y" else marker.set_xdata)([start + width / 2])


def update_forward(a, x2, kernel, bias, y2, sample, unit, out_unit, w_pooled=None, titles=("x", "W", "y"),
                   partner=None):
    """x2 (B, in), kernel (in, units), bias (units,) or None, y2 (B, out); highlight row i, column j, y[i, j'].

    `out_unit` is the column of y that unit j feeds (j itself, or j mod units/2 for glu). `w_pooled` =
    (pooled, block) of the kernel when the caller caches it. `partner`: glu's other unit of the pair (the gate
    j + units/2 of a value unit j, or the value unit of a gate), outlined dashed in W and b.
    Returns the pooling blocks {"x", "W", "y"}.
    """
    blocks = {}
    for name, data, ax, im in (("x", x2, a.ax_x, a.im_x), ("W", kernel, a.ax_w, a.im_w),
                               ("y", y2, a.ax_y, a.im_y)):
        pooled, block = w_pooled if (name == "W" and w_pooled is not None) else pool_to_axes(ax, data)
        update_pooled(im, pooled, block, data.shape, robust_limit(pooled))
        blocks[name] = block
    bx, bw, by = blocks["x"], blocks["W"], blocks["y"]
    row_x, col_w = block_span(sample, bx[0]), block_span(unit, bw[1])
    row_y, col_y = block_span(sample, by[0]), block_span(out_unit, by[1])
    pad_x = -(-x2.shape[1] // bx[1]) * bx[1]   # the pooled image's width in original columns
    pad_w = -(-kernel.shape[0] // bw[0]) * bw[0]
    _place(a.rect_x, -0.5, pad_x, *row_x)
    _place(a.rect_w, *col_w, -0.5, pad_w)
    _place(a.rect_y, *col_y, *row_y)
    for marker, span, axis in zip((*a.row_marks, *a.col_marks), (row_x, row_y, col_w, col_y), "yyxx"):
        _mark(marker, *span, axis)
    _update_bias_strip(a, bias, bw, unit)
    for rect in a.partner:
        rect.set_visible(partner is not None and (rect is a.partner[0] or bias is not None))
    if partner is not None:
        _place(a.partner[0], *block_span(partner, bw[1]), -0.5, pad_w)
        _place(a.partner[1], *block_span(partner, bw[1]), -0.5, 1.0)
    a.ax_x.set_xlabel(index_label(_("input k"), x2.shape[1]), labelpad=2)
    a.ax_x.set_ylabel(index_label(_("sample i"), x2.shape[0]))
    a.ax_w.set_ylabel(index_label(_("input k"), kernel.shape[0]))
    a.ax_b.set_xlabel(index_label(_("unit j"), kernel.shape[1]), labelpad=2)
    a.ax_y.set_xlabel(index_label(_("output j"), y2.shape[1]), labelpad=2)   # rows: the same samples as x
    for text, title, shape, block in zip(a.titles, titles, (x2.shape, kernel.shape, y2.shape), (bx, bw, by)):
        text.set_text(f"{title} {shape}" + (f"\n{heatmap.pooling_note(block, noun='values')}" if block != (1, 1) else ""))
    _write_selected_values(a, x2, kernel, bias, y2, sample, unit, out_unit, blocks)
    return blocks


def forward_cell_at(a, shapes, blocks, px, py):
    """Which heatmap cell is under figure pixel (px, py): ('x' | 'W' | 'b' | 'y', row, col) or None.

    shapes / blocks: {'x', 'W', 'y'} -> the (rows, cols) shown and its pooling block (update_forward's
    blocks); b shares W's column blocks. A pooled cell maps to its block's first row and column.
    """
    bias = ((1, shapes["W"][1]), (1, blocks["W"][1])) if a.im_b.get_visible() else None
    for name, ax, geometry in (("x", a.ax_x, (shapes["x"], blocks["x"])), ("W", a.ax_w, (shapes["W"], blocks["W"])),
                               ("b", a.ax_b, bias), ("y", a.ax_y, (shapes["y"], blocks["y"]))):
        if geometry is not None:
            cell = heatmap.cell_at(ax, *geometry, px, py)
            if cell is not None:
                return (name, *cell)
    return None


def _cells_fit(ax, shape, count):
    """True if a (rows, cols) image on `ax` has cells of at least MIN_CELL_PX and `count` values fit the pool."""
    box = ax.get_position()
    height = ax.figure.bbox.height * box.height / shape[0]
    width = ax.figure.bbox.width * box.width / shape[1]
    return count <= MAX_CELL_VALUES and height >= MIN_CELL_PX[0] and width >= MIN_CELL_PX[1]


def _write(texts, positions, values, image):
    """Write `values` at data `positions` [(col, row)] with texts from a pool (white on dark cells), rounded as
    Forward's sum writes its terms (heatmap.number_text); hide the rest of the pool."""
    limit = image.get_clim()[1]
    for text in texts:
        text.set_visible(False)
    for text, (col, row), value in zip(texts, positions, values):
        text.set(x=col, y=row, text=heatmap.number_text(value), visible=True,
                 color="white" if abs(float(value)) > 0.6 * limit else "black")


def _every(shape):
    """[(col, row)] of every cell of a (rows, cols) array, row by row."""
    return [(c, r) for r, c in np.ndindex(*shape)]


def _write_selected_values(a, x2, kernel, bias, y2, sample, unit, out_unit, blocks):
    """Numbers written in the cells, the same numbers (and rounding) as the written-out sum. Only when
    nothing is pooled: every cell of x, W, b and y when the layer and batch are at most MAX_ALL_CELLS on each
    side and every cell is big enough; else those of the highlighted cells (x[i, :], W[:, j], b[j], y[i, j])
    when they are big enough; else none."""
    n_in = x2.shape[1]
    unpooled = all(block == (1, 1) for block in blocks.values())
    if unpooled and max(*x2.shape, *kernel.shape, *y2.shape) <= MAX_ALL_CELLS and all(
            _cells_fit(ax, shape, 1) for ax, shape in ((a.ax_x, x2.shape), (a.ax_w, kernel.shape),
                                                       (a.ax_y, y2.shape))):
        _write(a.cells["x"], _every(x2.shape), x2.reshape(-1), a.im_x)
        _write(a.cells["W"], _every(kernel.shape), kernel.reshape(-1), a.im_w)
        _write(a.cells["y"], _every(y2.shape), y2.reshape(-1), a.im_y)
        _write(a.cells["b"], [(j, 0) for j in range(kernel.shape[1])], [] if bias is None else bias, a.im_b)
        return
    show = (unpooled and _cells_fit(a.ax_x, x2.shape, n_in)
            and _cells_fit(a.ax_w, kernel.shape, n_in) and _cells_fit(a.ax_y, y2.shape, 1))
    if not show:
        for text in (t for pool in a.cells.values() for t in pool):
            text.set_visible(False)
        return
    ks = range(n_in)
    _write(a.cells["x"], [(k, sample) for k in ks], x2[sample], a.im_x)
    _write(a.cells["W"], [(unit, k) for k in ks], kernel[:, unit], a.im_w)
    _write(a.cells["y"], [(out_unit, sample)], [y2[sample, out_unit]], a.im_y)
    _write(a.cells["b"], [(unit, 0)], [] if bias is None else [bias[unit]], a.im_b)


def robust_limit(a):
    """Colour limit for a heatmap: the 99th percentile of |a| (a few outliers saturate instead of washing
    out the rest, which matters for block means), never 0."""
    finite = np.abs(a[np.isfinite(a)])
    limit = float(np.percentile(finite, 99)) if finite.size else 0.0
    return limit if limit > 0 else heatmap.symmetric_limit(a)


def _update_bias_strip(a, bias, block, unit):
    """b (units,) as a strip under W, same column blocks, with b[j] outlined; or the no-bias note."""
    a.im_b.set_visible(bias is not None)
    a.rect_b.set_visible(bias is not None)
    a.b_note.set_text(_("no bias (use_bias=False)") if bias is None else "")
    if bias is None:
        return
    pooled, _block = heatmap.pool(bias[None, :], 1, -(-bias.size // block[1]))
    limit = heatmap.symmetric_limit(pooled)
    a.im_b.set_data(pooled)
    a.im_b.set_clim(-limit, limit)
    a.im_b.set_extent((-0.5, pooled.shape[1] * block[1] - 0.5, 0.5, -0.5))
    a.ax_b.set_ylim(0.5, -0.5)
    _place(a.rect_b, *block_span(unit, block[1]), -0.5, 1.0)


# ---------------------------------------------------------------- the activation curve
def activation_figure(width_px=460, height_px=230):
    """Figure for f(z) (solid), f′(z) (dashed, same axis) and the batch's z scattered; ActivationArtists."""
    fig = heatmap.new_figure(width_px, height_px)
    ax = fig.add_axes((64 / width_px, 0.2, 1 - 76 / width_px, 0.68))
    zero_line = animate(ax.axhline(0.0, color="0.8", lw=0.8, zorder=0))
    curve = animate(ax.plot([], [], color="k", lw=1.5, zorder=2)[0])
    dcurve = animate(ax.plot([], [], color="0.45", lw=1.2, ls="--", zorder=2)[0])
    others = animate(ax.scatter(np.zeros(0), np.zeros(0), s=4, color="0.6", alpha=0.5, lw=0, zorder=1))
    unit = animate(ax.scatter(np.zeros(0), np.zeros(0), s=18, color=UNIT_COLOR, zorder=3))
    selected = animate(ax.scatter(np.zeros(0), np.zeros(0), s=70, facecolor="none", edgecolor=SELECTED_COLOR,
                                  lw=2, zorder=4))
    message = animate(cached_text(ax, 0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                                 fontsize=LABEL_SIZE, color="0.3"))
    ax.set_xlabel("z = x·W + b", fontsize=LABEL_SIZE, labelpad=2)
    ax.tick_params(labelsize=TICK_SIZE, length=3, pad=2)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
    # the title (cached frame) top left, the blue points' key (changes with j: animated) top right, both
    # above the axes where no curve can cross them
    title = ax.text(0.0, 1.0, "", transform=offset_copy(ax.transAxes, fig, y=5, units="points"), fontsize=10,
                    weight="bold", va="bottom")
    label = animate(cached_text(ax, 1.0, 1.0, "", transform=offset_copy(ax.transAxes, fig, y=5, units="points"),
                               ha="right", va="bottom", fontsize=LABEL_SIZE, color=UNIT_COLOR, weight="bold"))
    return ActivationArtists(fig, ax, curve, dcurve, zero_line, others, unit, selected, message, title, label)


def z_range(z):
    """Symmetric z range (−R, R) covering the batch's z, R = 1, 2, 5, 10, 20, … (stable across small changes)."""
    peak = float(np.max(np.abs(z))) if np.size(z) else 0.0
    limit = nice_ceil(max(1.05 * peak, 1.0), steps=(1.0, 2.0, 5.0, 10.0))
    return -limit, limit


def nice_span(values):
    """(lo, hi) covering `values` with a margin, snapped to a nice step (so small changes keep the ticks)."""
    finite = np.asarray(values, dtype=np.float64)
    finite = finite[np.isfinite(finite)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5, hi + 0.5
    step = nice_ceil((hi - lo) / 5)
    return float(np.floor(lo / step - 0.15) * step), float(np.ceil(hi / step + 0.15) * step)


def _offsets(scatter, xs, ys):
    """Set a scatter's points from two (n,) arrays."""
    scatter.set_offsets(np.column_stack([np.ravel(xs), np.ravel(ys)]) if np.size(xs) else np.zeros((0, 2)))


def subsample(n, k=MAX_POINTS):
    """At most k evenly spread indices into range(n) (deterministic: the same picture for the same batch)."""
    return np.arange(n) if n <= k else np.linspace(0, n - 1, k).round().astype(np.intp)


def update_activation(a, title, curve, points, selected, others=None, derivative=None, message="", label=""):
    """Draw one activation picture.

    curve: (zs, f(zs)) or None; derivative: (zs, f′(zs)) or None; points: (z, y) of unit j over the batch;
    selected: (z, y) of sample i; others: (z, y) of all units (subsampled); message: text in the middle of
    the axes (when there is no curve); label: what the blue points are (top left, redrawn each time, so the
    title can stay in the cached frame). x range: the curve's (or the points'); y range: a nice span.
    """
    pairs = [points, selected] + [v for v in (others, curve, derivative) if v is not None]
    a.curve.set_data(*(curve if curve is not None else ([], [])))
    a.dcurve.set_visible(derivative is not None)
    a.dcurve.set_data(*(derivative if derivative is not None else ([], [])))
    x_lo, x_hi = (curve[0][0], curve[0][-1]) if curve is not None else z_range(
        np.concatenate([np.ravel(p[0]) for p in pairs]))
    a.ax.set_xlim(x_lo, x_hi)
    a.ax.set_ylim(*nice_span(np.concatenate([np.ravel(p[1]) for p in pairs])))
    a.ax.set_ylabel(_("f(z) and f′(z) (dashed)") if derivative is not None else "y_j", fontsize=LABEL_SIZE,
                    labelpad=3)
    _offsets(a.unit, *points)
    _offsets(a.selected, *selected)
    _offsets(a.others, *(others if others is not None else ([], [])))
    a.message.set_text(message)
    a.title.set_text(title)
    a.label.set_text(label)
