"""The Forward pictures: x · W (+ b) = z → y as heatmaps with sample i / unit j (and input k) highlighted, and
the activation curve.

`forward_figure()` / `update_forward(...)`: heatmaps of x (B, in), W (in, units), b (units,), z (B, units) and
y (B, out) (pooled to screen pixels, axes in original indices) with rectangles around x[i, :], W[:, j], b[j],
z[i, j] and y[i, j] (around the pooled block holding them when pooled), and around x[i, k] and row k of W.
A layer up to 8 × 8 gets every cell numbered, in a figure sized for the numbers (`forward_layout`).
`activation_figure()` / `update_activation(...)`: f(z) over a range covering the batch's z, f′(z) dashed on
the same axis, and the batch's z scattered on the curve. Artists that change are animated: see
render.FrameCache.
"""
from ..i18n import _
import functools
import math
from collections import namedtuple

import numpy as np
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from . import heatmap
from .render import animate, cached_text, text_width_px
from .heatmap import (block_span, draw_pooled, index_label, nice_ceil, pool_to_axes, set_limits, update_pooled,
                      write_cell_values)
from .weights import cell_value_texts

HIGHLIGHT = "#111111"
UNIT_COLOR = "#1f77b4"
SELECTED_COLOR = "#ff7f0e"
MAX_POINTS = 2000  # background scatter: all units, subsampled to at most this many points
MAX_CELL_VALUES = 12  # the highlighted row of x / column of W get their numbers written in, up to this many
MAX_ALL_CELLS = 8     # a layer (and batch) up to 8 × 8 gets EVERY cell of x, W, b, z and y written
MIN_CELL_PX = (13, 36)  # ... the highlighted cells of a bigger one when each is at least this big (height, width)
LABEL_SIZE, TICK_SIZE, NOTE_SIZE = 9, 8, 8  # points (at dpi 100: 12.5, 11 and 11 px)
# Every cell of a layer up to 8 × 8 is at least CELL_PX (width, height): wide enough for "−0.0523" at the cells'
# font size with heatmap.CELL_PAD_PX each side (a wider number is set smaller). The cells depend on the shapes
# alone, so new weights keep the layout (and the cached frame).
CELL_PX, MAX_CELL_PX = (56, 20), (90, 30)
MAX_ROW_PX = 980      # wider than this in one row: x · W (+ b) on top, = z → y under it
FIGURE_PX = (780, 250)
# pixels: left margin (the y label of x), gaps after x (W's y label and "·"), W ("=") and z ("→"), right margin;
# above an axes (its title and the ▼ marks), under it (its x label), between b and W
MARGINS = {"left": 50, "gaps": (56, 44, 44), "right": 24, "top": 36, "bottom": 38, "b_gap": 6}
# the fixed layout of a bigger layer in a FIGURE_PX figure: (left, width) of x, W (and b), z, y
WIDE = ((52, 120), (232, 140), (416, 140), (600, 140))
HEATMAPS = ("x", "W", "z", "y")

ForwardArtists = namedtuple("ForwardArtists", "fig ax_x im_x rect_x ax_w im_w rect_w ax_b im_b rect_b "
                                              "b_note ax_y im_y rect_y titles row_marks col_marks cells partner "
                                              "ax_z im_z rect_z feature symbols layout")
ActivationArtists = namedtuple("ActivationArtists", "fig ax curve dcurve zero_line others unit selected message "
                                                    "title label")


# ---------------------------------------------------------------- heatmaps of x, W, b, z, y
def _outline(ax, linestyle="-", color=HIGHLIGHT):
    """An animated, unfilled highlight rectangle drawn above the image (not clipped at the axes edge)."""
    return animate(ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=color, lw=2, zorder=5,
                                          clip_on=False, linestyle=linestyle)))


def _row_mark(ax, color=HIGHLIGHT):
    """Animated '◀' just right of the axes, at a data row (finds a thin highlighted row in a tall matrix)."""
    return animate(ax.plot([1.0], [0.0], marker="<", color=color, ms=6, clip_on=False,
                           transform=ax.get_yaxis_transform())[0])


def _col_mark(ax):
    """Animated '▼' just above the axes, at a data column (finds a thin highlighted column)."""
    return animate(ax.plot([0.0], [1.0], marker="v", color=HIGHLIGHT, ms=6, clip_on=False,
                           transform=ax.get_xaxis_transform())[0])


def forward_figure(width_px=FIGURE_PX[0], height_px=FIGURE_PX[1]):
    """Figure with the x · W (+ b) = z → y heatmaps and their highlight rectangles; returns ForwardArtists.

    Each title sits just above its heatmap (a second line says how it is pooled); the selected row of x,
    column of W, b[j], z[i, j] and y[i, j] get their numbers written in when the cells are big enough, every
    cell for a layer up to MAX_ALL_CELLS × MAX_ALL_CELLS (`cells`). Input k (`feature`): x[i, k] and row k of W
    outlined in heatmap.FEATURE_COLOR. update_forward places the axes (forward_layout) and sizes the figure.
    """
    fig = heatmap.new_figure(width_px, height_px)
    axes = {name: fig.add_axes((0.1 * n, 0.2, 0.05, 0.5)) for n, name in enumerate(HEATMAPS)}
    ax_x, ax_w, ax_z, ax_y = (axes[name] for name in HEATMAPS)
    ax_b = fig.add_axes((0.1, 0.1, 0.05, 0.05), sharex=ax_w)
    zero = np.zeros((1, 1))
    images = {name: draw_pooled(ax, zero, (1, 1), (1, 1)) for name, ax in axes.items()}
    rects = {name: _outline(ax) for name, ax in axes.items()}
    im_b = animate(heatmap.draw_heatmap(ax_b, zero))
    ax_b.set_xticks([])
    ax_b.set_yticks([])
    ax_b.set_ylabel("b", rotation=0, ha="right", va="center", fontsize=LABEL_SIZE)
    for ax in (ax_x, ax_w, ax_b, ax_z, ax_y):
        ax.xaxis.label.set_size(LABEL_SIZE)
        ax.yaxis.label.set_size(LABEL_SIZE)
    # static (part of the cached frame): shown only when there is no bias, i.e. when the strip is hidden
    b_note = ax_b.text(0.5, 0.5, "", transform=ax_b.transAxes, ha="center", va="center", fontsize=NOTE_SIZE,
                       color="0.3")
    symbols = [fig.text(0, 0, symbol, fontsize=size, ha="center", va="center")   # placed by _arrange
               for symbol, size in (("•", 12), ("=", 14), ("→", 16))]
    titles = [ax.text(0.0, 1.0, "", transform=offset_copy(ax.transAxes, fig, y=8, units="points"),
                      fontsize=LABEL_SIZE, va="bottom", linespacing=1.25) for ax in (ax_x, ax_w, ax_z, ax_y)]
    every = MAX_ALL_CELLS * MAX_ALL_CELLS
    cells = {"x": cell_value_texts(ax_x, every), "W": cell_value_texts(ax_w, every),
             "b": cell_value_texts(ax_b, MAX_ALL_CELLS), "z": cell_value_texts(ax_z, every),
             "y": cell_value_texts(ax_y, every)}
    for text in (t for pool in cells.values() for t in pool):
        text.set_zorder(6)   # above the highlight rectangles
    feature = (_outline(ax_x, color=heatmap.FEATURE_COLOR), _outline(ax_w, color=heatmap.FEATURE_COLOR),
               _row_mark(ax_w, heatmap.FEATURE_COLOR))
    for rect in feature[:2]:
        rect.set_zorder(5.5)   # over the black outlines: x[i, k] sits inside row i, W[k, j] inside column j
    return ForwardArtists(fig, ax_x, images["x"], rects["x"], ax_w, images["W"], rects["W"], ax_b, im_b,
                          _outline(ax_b), b_note, ax_y, images["y"], rects["y"], titles,
                          (_row_mark(ax_x), _row_mark(ax_y), _row_mark(ax_z)),
                          (_col_mark(ax_w), _col_mark(ax_y), _col_mark(ax_z)), cells,
                          (_outline(ax_w, "--"), _outline(ax_b, "--"), _outline(ax_z, "--")), ax_z, images["z"],
                          rects["z"], feature, symbols, {"key": None})


def forward_layout(shapes, every):
    """Where the heatmaps go: ({name: (left, bottom, width, height)} in pixels from the bottom left for 'x', 'W',
    'b', 'z', 'y'; the centres of the symbols '•', '=', '→'; (figure width, height)).

    shapes: {'x': (B, in), 'W': (in, units), 'y': (B, out)}. every=False: the fixed FIGURE_PX layout (pooled or
    too many cells to number). every=True: every cell at least CELL_PX, in one row up to MAX_ROW_PX wide, else
    x · W (+ b) on a first row and = z → y on a second; the figure grows to fit.
    """
    (rows, n_in), units, out = shapes["x"], shapes["W"][1], shapes["y"][1]
    if not every:
        (x0, xw), (w0, ww), (z0, zw), (y0, yw) = WIDE
        height = FIGURE_PX[1]
        full, low = (50, 136), 50   # room above for a title and a pooling note of two lines
        boxes = {"x": (x0, *full[:1], xw, full[1]), "W": (w0, 82.5, ww, 103.5), "b": (w0, low, ww, 15),
                 "z": (z0, *full[:1], zw, full[1]), "y": (y0, *full[:1], yw, full[1])}
        middle = full[0] + full[1] / 2
        return boxes, [((x0 + xw + w0) / 2, middle), ((w0 + ww + z0) / 2, middle), ((z0 + zw + y0) / 2, middle)], \
            FIGURE_PX
    m = MARGINS
    g1, g2, g3 = m["gaps"]
    cols = n_in + 2 * units + out
    one_row = m["left"] + cols * CELL_PX[0] + g1 + g2 + g3 + m["right"] <= MAX_ROW_PX
    fixed = m["left"] + m["right"] + (g1 + g2 + g3 if one_row else g1)
    fill = (FIGURE_PX[0] - fixed) // (cols if one_row else max(n_in + units, units + out))
    cw = int(np.clip(fill, CELL_PX[0], MAX_CELL_PX[0]))
    ch = int(np.clip(150 // max(rows, n_in + 1.5), CELL_PX[1], MAX_CELL_PX[1]))
    # rows tall enough for the rotated y labels of x and W ("sample i = 0 … 2" is longer than 3 rows of 30 px)
    ch = max(ch, math.ceil(_label_px(_("sample i"), rows) / rows))
    ch_w = max(ch, math.ceil(_label_px(_("input k"), n_in) / n_in))
    ch_b = min(ch, MAX_CELL_PX[1])                      # one row: the b strip under W
    w_height = n_in * ch_w + m["b_gap"] + ch_b
    top_row = max(rows * ch, w_height)
    if one_row:
        height = m["top"] + top_row + m["bottom"]
        content = m["left"] + cols * cw + g1 + g2 + g3 + m["right"]
        start = m["left"] + max(0, FIGURE_PX[0] - content) // 2   # a narrow picture sits in the middle
        lefts = np.cumsum([start, n_in * cw + g1, units * cw + g2, units * cw + g3])
        tops = dict.fromkeys(HEATMAPS, height - m["top"])
    else:
        height = 2 * (m["top"] + m["bottom"]) + top_row + rows * ch
        content = m["left"] + m["right"] + max((n_in + units) * cw + g1, (units + out) * cw + g3)
        start = m["left"] + max(0, FIGURE_PX[0] - content) // 2
        lefts = [start, start + n_in * cw + g1, start, start + units * cw + g3]
        second = m["bottom"] + rows * ch
        tops = {"x": height - m["top"], "W": height - m["top"], "z": second, "y": second}
    width = max(content, FIGURE_PX[0])
    boxes = {name: (left, tops[name] - rows * ch, n * cw, rows * ch)
             for name, left, n in zip(HEATMAPS, lefts, (n_in, units, units, out))}
    boxes["W"] = (lefts[1], tops["W"] - n_in * ch_w, units * cw, n_in * ch_w)
    boxes["b"] = (lefts[1], tops["W"] - w_height, units * cw, ch_b)
    mid_x = tops["x"] - rows * ch / 2
    mid_z = tops["z"] - rows * ch / 2
    symbols = [(lefts[0] + n_in * cw + 18, mid_x),   # "•" nearer x: W's y label is right of it
               ((lefts[1] + units * cw + lefts[2]) / 2 if one_row else start - m["left"] / 2, mid_z),
               (lefts[2] + units * cw + g3 / 2, mid_z)]
    return boxes, symbols, (width, int(height))


def _label_px(name, n):
    """Length in pixels (plus a margin) of the y label index_label(name, n) at LABEL_SIZE."""
    return text_width_px([index_label(name, n)], FontProperties(size=LABEL_SIZE), 100) + 12


def _arrange(a, shapes, every):
    """Place the axes and symbols of forward_layout and size the figure (only when the layout changes)."""
    key = (every, shapes["x"], shapes["W"], shapes["y"])
    if a.layout["key"] == key:
        return
    boxes, symbols, (width, height) = forward_layout(shapes, every)
    fig = a.fig
    fig.set_size_inches(width / fig.dpi, height / fig.dpi)
    for name, ax in (("x", a.ax_x), ("W", a.ax_w), ("b", a.ax_b), ("z", a.ax_z), ("y", a.ax_y)):
        left, bottom, w, h = boxes[name]
        ax.set_position((left / width, bottom / height, w / width, h / height))
    for text, (x, y) in zip(a.symbols, symbols):
        text.set_position((x / width, y / height))
    a.layout.update(key=key, every=every)


def _place(rect, x0, width, y0, height):
    """Move a highlight rectangle to (x0, y0) with the given width and height (data coordinates)."""
    rect.set_bounds(x0, y0, width, height)


def _mark(marker, start, width, axis):
    """Put a row ('y') or column ('x') marker at the centre of the span [start, start + width]."""
    (marker.set_ydata if axis == "y" else marker.set_xdata)([start + width / 2])


def update_forward(a, x2, kernel, bias, z2, y2, sample, unit, out_unit, w_pooled=None,
                   titles=("x", "W", "z", "y"), partner=None, feature=None):
    """x2 (B, in), kernel (in, units), bias (units,) or None, z2 (B, units), y2 (B, out); highlight row i,
    column j, z[i, j], y[i, j'] (and input k: x[i, k], row k of W).

    `out_unit` is the column of y that unit j feeds (j itself, or j mod units/2 for glu). `w_pooled`: a function
    returning (pooled, block) of the kernel for the W axes as placed, when the caller caches it. `partner`: glu's
    other unit of the pair (the gate j + units/2 of a value unit j, or the value unit of a gate), outlined dashed
    in W, b and z (at sample i). `feature`: input k, or None for no input outlined.
    Returns the pooling blocks {"x", "W", "z", "y"}.
    """
    shapes = {"x": x2.shape, "W": kernel.shape, "y": y2.shape}
    every = max(*x2.shape, *kernel.shape, *y2.shape) <= MAX_ALL_CELLS
    _arrange(a, shapes, every)
    blocks = {}
    for name, data, ax, im in (("x", x2, a.ax_x, a.im_x), ("W", kernel, a.ax_w, a.im_w),
                               ("z", z2, a.ax_z, a.im_z), ("y", y2, a.ax_y, a.im_y)):
        pooled, block = w_pooled() if (name == "W" and w_pooled is not None) else pool_to_axes(ax, data)
        update_pooled(im, pooled, block, data.shape, robust_limit(pooled))
        blocks[name] = block
    bx, bw, bz, by = (blocks[name] for name in HEATMAPS)
    row_x, col_w = block_span(sample, bx[0]), block_span(unit, bw[1])
    row_y, col_y = block_span(sample, by[0]), block_span(out_unit, by[1])
    row_z, col_z = block_span(sample, bz[0]), block_span(unit, bz[1])
    pad_x = -(-x2.shape[1] // bx[1]) * bx[1]   # the pooled image's width in original columns
    pad_w = -(-kernel.shape[0] // bw[0]) * bw[0]
    _place(a.rect_x, -0.5, pad_x, *row_x)
    _place(a.rect_w, *col_w, -0.5, pad_w)
    _place(a.rect_z, *col_z, *row_z)
    _place(a.rect_y, *col_y, *row_y)
    for marker, span, axis in zip((*a.row_marks, *a.col_marks), (row_x, row_y, row_z, col_w, col_y, col_z),
                                  "yyyxxx"):
        _mark(marker, *span, axis)
    _update_feature(a, feature, row_x, bx[1], bw, x2.shape[1], kernel.shape[1])
    _update_bias_strip(a, bias, bw, unit)
    for rect in a.partner:
        rect.set_visible(partner is not None and (rect is not a.partner[1] or bias is not None))
    if partner is not None:
        _place(a.partner[0], *block_span(partner, bw[1]), -0.5, pad_w)
        _place(a.partner[1], *block_span(partner, bw[1]), -0.5, 1.0)
        _place(a.partner[2], *block_span(partner, bz[1]), *row_z)   # z[i, partner]: the other half of y[i, j']
    for axis, label, pad in ((a.ax_x.xaxis, index_label(_("input k"), x2.shape[1]), 2),
                             (a.ax_x.yaxis, index_label(_("sample i"), x2.shape[0]), None),
                             (a.ax_w.yaxis, index_label(_("input k"), kernel.shape[0]), None),
                             (a.ax_b.xaxis, index_label(_("unit j"), kernel.shape[1]), 2),
                             (a.ax_z.xaxis, index_label(_("unit j"), z2.shape[1]), 2),   # rows: the samples of x
                             (a.ax_y.xaxis, index_label(_("output j"), y2.shape[1]), 2)):
        if axis.label.get_text() != label:   # set only what changed: new values keep every label
            axis.set_label_text(label)
            if pad is not None:
                axis.labelpad = pad
    lefts = [ax.get_position().x0 * a.fig.bbox.width for ax in (a.ax_x, a.ax_w, a.ax_z, a.ax_y)]
    for text, title, data, block, left, right in zip(a.titles, titles, (x2, kernel, z2, y2), (bx, bw, bz, by),
                                                     lefts, [*lefts[1:], a.fig.bbox.width]):
        note = _wrap(heatmap.pooling_note(block, noun="values"), right - left - 12)   # not into the next title
        title = f"{title} {data.shape}" + (f"\n{note}" if block != (1, 1) else "")
        if text.get_text() != title:
            text.set_text(title)
    arrays = {"x": x2, "W": kernel, "b": bias, "z": z2, "y": y2}
    if every:
        _write_every_value(a, arrays)
    else:
        _write_selected_values(a, arrays, sample, unit, out_unit, blocks)
    return blocks


@functools.lru_cache(maxsize=64)
def _wrap(text, max_px):
    """`text` broken at spaces into lines at most `max_px` wide at LABEL_SIZE (a long word keeps its own line)."""
    prop, lines = FontProperties(size=LABEL_SIZE), []
    for word in text.split(" "):
        if lines and text_width_px([f"{lines[-1]} {word}"], prop, 100) <= max_px:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines)


def _update_feature(a, feature, row_x, col_block_x, block_w, n_in, units):
    """Outline x[i, k] and row k of W (their pooled blocks) and mark row k; hidden for feature None."""
    for artist in a.feature:
        artist.set_visible(feature is not None)
    if feature is None:
        return
    rect_x, rect_w, mark_w = a.feature
    col_x, row_w = block_span(feature, col_block_x), block_span(feature, block_w[0])
    _place(rect_x, *col_x, *row_x)
    _place(rect_w, -0.5, -(-units // block_w[1]) * block_w[1], *row_w)
    _mark(mark_w, *row_w, "y")


def forward_cell_at(a, shapes, blocks, px, py):
    """Which heatmap cell is under figure pixel (px, py): ('x' | 'W' | 'b' | 'z' | 'y', row, col) or None.

    shapes / blocks: {'x', 'W', 'z', 'y'} -> the (rows, cols) shown and its pooling block (update_forward's
    blocks); b shares W's column blocks. A pooled cell maps to its block's first row and column.
    """
    bias = ((1, shapes["W"][1]), (1, blocks["W"][1])) if a.im_b.get_visible() else None
    for name, ax, geometry in (("x", a.ax_x, (shapes["x"], blocks["x"])), ("W", a.ax_w, (shapes["W"], blocks["W"])),
                               ("b", a.ax_b, bias), ("z", a.ax_z, (shapes["z"], blocks["z"])),
                               ("y", a.ax_y, (shapes["y"], blocks["y"]))):
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


def _every(shape):
    """[(col, row)] of every cell of a (rows, cols) array, row by row."""
    return [(c, r) for r, c in np.ndindex(*shape)]


def _cell_width(ax, cols):
    """Width in pixels of one of `cols` columns on `ax`."""
    return ax.figure.bbox.width * ax.get_position().width / cols


def _write_every_value(a, arrays):
    """Every cell of x, W, b, z and y gets its number: the same numbers (and rounding) as the written-out sum."""
    for name, ax, im in (("x", a.ax_x, a.im_x), ("W", a.ax_w, a.im_w), ("z", a.ax_z, a.im_z), ("y", a.ax_y, a.im_y)):
        data = arrays[name]
        write_cell_values(a.cells[name], _every(data.shape), data.reshape(-1), im, _cell_width(ax, data.shape[1]))
    bias, units = arrays["b"], arrays["W"].shape[1]
    write_cell_values(a.cells["b"], [(j, 0) for j in range(units)], [] if bias is None else bias, a.im_b,
                      _cell_width(a.ax_b, units))


def _write_selected_values(a, arrays, sample, unit, out_unit, blocks):
    """A layer too big for every number: those of the highlighted cells (x[i, :], W[:, j], b[j], z[i, j],
    y[i, j]) when nothing is pooled and they are big enough; else none."""
    x2, kernel, bias, z2, y2 = (arrays[name] for name in ("x", "W", "b", "z", "y"))
    n_in = x2.shape[1]
    unpooled = all(block == (1, 1) for block in blocks.values())
    show = (unpooled and _cells_fit(a.ax_x, x2.shape, n_in) and _cells_fit(a.ax_w, kernel.shape, n_in)
            and _cells_fit(a.ax_z, z2.shape, 1) and _cells_fit(a.ax_y, y2.shape, 1))
    if not show:
        for text in (t for pool in a.cells.values() for t in pool):
            text.set_visible(False)
        return
    ks = range(n_in)
    write_cell_values(a.cells["x"], [(k, sample) for k in ks], x2[sample], a.im_x)
    write_cell_values(a.cells["W"], [(unit, k) for k in ks], kernel[:, unit], a.im_w)
    write_cell_values(a.cells["z"], [(unit, sample)], [z2[sample, unit]], a.im_z)
    write_cell_values(a.cells["y"], [(out_unit, sample)], [y2[sample, out_unit]], a.im_y)
    write_cell_values(a.cells["b"], [(unit, 0)], [] if bias is None else [bias[unit]], a.im_b)


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
    # the batch's points: marker-only lines (a Line2D draws 24 markers in 0.04 ms, a scatter in 0.44 ms); marker
    # size in points is the square root of a scatter's s (points²)
    others = animate(ax.plot([], [], "o", ms=2, color="0.6", alpha=0.5, mew=0, zorder=1)[0])
    unit = animate(ax.plot([], [], "o", ms=math.sqrt(18), color=UNIT_COLOR, mew=1, zorder=3)[0])
    selected = animate(ax.plot([], [], "o", ms=math.sqrt(70), mfc="none", mec=SELECTED_COLOR, mew=2, zorder=4)[0])
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


def _points(line, xs, ys):
    """Set a marker line's points from two arrays (flattened)."""
    line.set_data(np.ravel(xs), np.ravel(ys))


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
    set_limits(a.ax, (float(x_lo), float(x_hi)), nice_span(np.concatenate([np.ravel(p[1]) for p in pairs])))
    ylabel = _("f(z) and f′(z) (dashed)") if derivative is not None else "y_j"
    if a.ax.get_ylabel() != ylabel:
        a.ax.set_ylabel(ylabel, fontsize=LABEL_SIZE, labelpad=3)
    _points(a.unit, *points)
    _points(a.selected, *selected)
    _points(a.others, *(others if others is not None else ([], [])))
    a.message.set_text(message)
    a.title.set_text(title)
    a.label.set_text(label)
