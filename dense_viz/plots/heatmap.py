"""Heatmaps of big matrices and the numbers around them: pool to screen resolution, draw once, update in place.

The one module for pooling geometry (`pool`, `pool_to_axes`, pooled images whose axes keep the ORIGINAL
indices: pixel p of a 1 × 50 pooling covers units 50p … 50p+49, so ticks and highlight rectangles speak in
real k, j) and for the number helpers every figure shares (`nice_ceil`, `symmetric_limit`). Builders take an
Axes and return the artists they drew; `update_heatmap` / `update_pooled` change them (set_data, set_clim,
extent) instead of drawing anew. Never hands matplotlib more pixels than the screen shows.
"""
import math

import numpy as np
from ..i18n import N_, _
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .render import animate, char_advances

DIVERGING = "RdBu_r"  # blue negative, white zero, red positive
FEATURE_COLOR = "#1a9641"  # the selected input k: its cells, its row of W, its edge in the graph (not red, not blue)
MAX_ROWS, MAX_COLS = 256, 512  # at most this many pixels per matrix
_NICE = (1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)


def nice_ceil(x, steps=_NICE):
    """Smallest 'nice' number (steps × 10^k; default 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8) ≥ x > 0; 1.0 for x ≤ 0."""
    if not x > 0 or not math.isfinite(x):
        return 1.0
    scale = 10.0 ** math.floor(math.log10(x))
    return next(n * scale for n in (*steps, 10.0) if n * scale >= x * (1 - 1e-9))


def _block_sums(a, size, axis):
    """Sums (float64) of consecutive blocks of `size` along `axis` (0 or 1), the last block ragged if need be.
    Whole blocks by reshape (≈10× faster than reduceat); size 1 is the array itself (reduceat would copy it
    element by element: 14 ms for the question's 100 × 25000 kernel along its rows)."""
    n = a.shape[axis]
    if size == 1:
        return a
    if n % size == 0:
        shape = (n // size, size, a.shape[1]) if axis == 0 else (a.shape[0], n // size, size)
        return a.reshape(shape).sum(axis=axis + 1, dtype=np.float64)
    return np.add.reduceat(a, np.arange(0, n, size), axis=axis, dtype=np.float64)


def _block_sizes(n, size):
    """How many entries each block of `size` along an axis of length n holds (the last one may hold fewer)."""
    sizes = np.full(-(-n // size), size)
    sizes[-1] = n - size * (len(sizes) - 1)
    return sizes


def pool(a, max_rows=256, max_cols=512, mode="mean"):
    """Block-reduce a 2-D array to at most (max_rows, max_cols): returns (pooled, (row_block, col_block)).

    mode "mean": block average; "maxabs": the entry of largest |value| in each block, sign kept.
    Ragged edge blocks hold fewer entries (their mean is over those). Small arrays pass through.
    """
    a = np.asarray(a)
    rows, cols = a.shape
    rb, cb = -(-rows // max_rows), -(-cols // max_cols)  # ceil divisions: entries per pixel
    if rb == 1 and cb == 1:
        return a, (1, 1)
    if mode == "mean":
        sums = _block_sums(_block_sums(a, rb, axis=0), cb, axis=1)
        counts = np.outer(_block_sizes(rows, rb), _block_sizes(cols, cb))
        return sums / counts, (rb, cb)
    if mode == "maxabs":
        out_r, out_c = -(-rows // rb), -(-cols // cb)
        if rows % rb or cols % cb:  # pad with zeros to whole blocks: a zero never beats a larger |value|
            a = np.pad(a, ((0, out_r * rb - rows), (0, out_c * cb - cols)))
        flat = a.reshape(out_r, rb, out_c, cb).transpose(0, 2, 1, 3).reshape(out_r, out_c, rb * cb)
        idx = np.abs(flat).argmax(axis=2)
        return np.take_along_axis(flat, idx[..., None], axis=2)[..., 0], (rb, cb)
    raise ValueError(f"Received an invalid value for `mode`, expected 'mean' or 'maxabs'. Received: mode={mode!r}")


def pooling_note(block, mode="mean", noun="weights"):
    """What one pixel stands for, e.g. 'each pixel: 1 × 50 weights (mean)'; '' when unpooled."""
    rb, cb = block
    if (rb, cb) == (1, 1):
        return ""
    symbol = "|w|" if noun == "weights" else _("|value|")
    how = _("mean") if mode == "mean" else _("largest {symbol}, sign kept").format(symbol=symbol)
    nouns = {"weights": N_("weights"), "entries": N_("entries"), "changes": N_("changes"), "values": N_("values")}
    return _("each pixel: {rows} × {cols} {noun} ({how})").format(rows=rb, cols=cb, noun=_(nouns.get(noun, noun)),
                                                                    how=how)


def symmetric_limit(a):
    """A colour limit L so that [-L, L] spans the data, centred on 0 (never 0 itself); inf and nan are left out."""
    a = np.asarray(a)
    if not a.size:
        return 1.0
    limit = max(-float(a.min()), float(a.max()))  # two passes, no copy: the common case, every entry finite
    if not math.isfinite(limit):
        finite = np.abs(a[np.isfinite(a)])
        limit = float(finite.max()) if finite.size else 0.0
    return limit if limit > 0 else 1.0


def draw_heatmap(ax, data, cmap=DIVERGING, limit=None):
    """imshow of `data` (rows, cols) centred on 0; returns the AxesImage. `limit` defaults to max |data|."""
    limit = symmetric_limit(data) if limit is None else limit
    return ax.imshow(data, cmap=cmap, vmin=-limit, vmax=limit, aspect="auto", interpolation="nearest",
                     extent=(-0.5, data.shape[1] - 0.5, data.shape[0] - 0.5, -0.5))


def update_heatmap(im, data, limit=None):
    """Put new `data` into an image from draw_heatmap; resets the extent only if the shape changed."""
    limit = symmetric_limit(data) if limit is None else limit
    if im.get_array().shape != data.shape:
        im.set_extent((-0.5, data.shape[1] - 0.5, data.shape[0] - 0.5, -0.5))
        im.axes.set_xlim(-0.5, data.shape[1] - 0.5)
        im.axes.set_ylim(data.shape[0] - 0.5, -0.5)
    im.set_data(data)
    im.set_clim(-limit, limit)
    return im


def new_figure(width_px, height_px, dpi=100):
    """A Figure with an Agg canvas, outside pyplot (never displayed twice, never global state)."""
    fig = Figure(figsize=(width_px / dpi, height_px / dpi), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


# ---------------------------------------------------------------- pooled images in original coordinates
def pooled_extent(pooled_shape, block):
    """imshow extent (left, right, bottom, top) of a pooled (r, c) image with blocks (rb, cb), original indices."""
    (r, c), (rb, cb) = pooled_shape, block
    return (-0.5, c * cb - 0.5, r * rb - 0.5, -0.5)


def draw_pooled(ax, pooled, block, shape, limit=None):
    """Animated AxesImage of `pooled` (r, c) standing for a matrix of `shape` (rows, cols), original indices."""
    im = animate(draw_heatmap(ax, pooled, limit=limit))
    ax.set_xticks([])  # index ranges go into the axis labels (index_label): one text instead of ~5 tick labels
    ax.set_yticks([])
    return update_pooled(im, pooled, block, shape, limit)


def index_label(name, n):
    """Axis label with the index range, e.g. 'unit j = 0 … 25599' (the heatmaps carry no tick labels)."""
    return f"{name} = 0 … {n - 1}" if n > 1 else f"{name} = 0"


def update_pooled(im, pooled, block, shape, limit=None):
    """New data into an image from draw_pooled; extent and limits follow the (possibly new) shape."""
    update_heatmap(im, pooled, limit)
    im.set_extent(pooled_extent(pooled.shape, block))
    im.axes.set_xlim(-0.5, shape[1] - 0.5)
    im.axes.set_ylim(shape[0] - 0.5, -0.5)
    return im


def axes_pixels(ax):
    """(rows, cols) of screen pixels the axes cover, capped at (MAX_ROWS, MAX_COLS): the pooling target."""
    box = ax.get_position()
    width, height = ax.figure.bbox.width * box.width, ax.figure.bbox.height * box.height
    return max(1, min(MAX_ROWS, int(height))), max(1, min(MAX_COLS, int(width)))


def _fitting_block(n, pixels):
    """Entries per pixel along an axis of n entries: ceil(n / pixels), or a divisor of n up to 25% larger
    (whole blocks: heatmap.pool then needs no NaN padding, which costs ~40 ms on a 100 × 25600 kernel)."""
    need = -(-n // pixels)
    exact = next((b for b in range(need, int(need * 1.25) + 1) if n % b == 0), None)
    return exact if exact is not None else need


def pool_to_axes(ax, a, mode="mean"):
    """heatmap.pool of a (rows, cols) to at most one value per screen pixel of `ax`: (pooled, block)."""
    (rows, cols), (max_rows, max_cols) = a.shape, axes_pixels(ax)
    rb, cb = _fitting_block(rows, max_rows), _fitting_block(cols, max_cols)
    return pool(a, -(-rows // rb), -(-cols // cb), mode)


def block_span(index, size):
    """(start, width) in original coordinates of the pooled block of `size` holding `index` (pixel edges)."""
    return (index // size) * size - 0.5, size


# ---------------------------------------------------------------- numbers in cells, clicks on cells
CELL_DIGITS = 3  # significant digits of a number written in a cell (and of the terms of Forward's sum)
CELL_FONT_SIZE, MIN_CELL_FONT_SIZE = 8, 6  # points: a number too wide for its cell is set smaller, down to 6
CELL_PAD_PX = 4  # at least this much room left and right of a number in its cell


def number_text(value, digits=CELL_DIGITS):
    """A number as every text shows it: `digits` significant digits, a real minus sign, never '−0'."""
    return f"{float(value) + 0.0:.{digits}g}".replace("-", "−")


_DARK = {}   # colour map name -> which of its 256 colours are dark


def _dark(cmap, n=256):
    """(n,) bool: which of the colour map's n colours are dark (relative luminance, sRGB weights, below 0.45)."""
    if cmap.name not in _DARK:
        rgb = cmap(np.linspace(0.0, 1.0, n))[:, :3]
        _DARK[cmap.name] = rgb @ np.array([0.2126, 0.7152, 0.0722]) < 0.45
    return _DARK[cmap.name]


def text_colors(image, values):
    """'white' or 'black' for a number written on each cell of `image` holding these values: white where the
    cell's own colour (the image's colour map and limits) is dark."""
    lo, hi = image.get_clim()
    dark = _dark(image.get_cmap())
    with np.errstate(invalid="ignore"):
        where = np.clip((np.asarray(values, dtype=np.float64) - lo) / ((hi - lo) or 1.0), 0.0, 1.0)
    index = np.nan_to_num(where * (dark.size - 1), nan=0.0).round().astype(np.intp)
    return np.where(dark[index], "white", "black")


def write_cell_values(texts, positions, values, image, cell_px=None):
    """Write `values` at data `positions` [(col, row)] of `image` with texts from a pool (number_text, the one
    rounding of every number shown), white or black for contrast with each cell; hide the rest of the pool.
    cell_px: the cells' width in pixels: a number wider than that (less CELL_PAD_PX each side) at
    CELL_FONT_SIZE is set smaller to fit, down to MIN_CELL_FONT_SIZE."""
    for text in texts[len(values):]:
        if text.get_visible():
            text.set_visible(False)
    if not len(values):
        return
    room = None if cell_px is None else cell_px - 2 * CELL_PAD_PX
    if room is not None:
        prop = texts[0].get_fontproperties().copy()
        prop.set_size(CELL_FONT_SIZE)
        advance = char_advances(prop, texts[0].figure.dpi).__getitem__
    # each text is set only where it changes: a hundred Artist.set calls would cost more than the drawing
    for text, position, value, colour in zip(texts, positions, values, text_colors(image, values)):
        string = number_text(value)
        wide = 0.0 if room is None else sum(map(advance, string))
        size = CELL_FONT_SIZE if room is None or wide <= room else max(MIN_CELL_FONT_SIZE,
                                                                       CELL_FONT_SIZE * room / wide)
        if text.get_fontsize() != size:   # a new FontProperties: set_fontsize would change the one a cached
            font = text.get_fontproperties().copy()   # text image is keyed by (render.TextImages.look)
            font.set_size(size)
            text.set_fontproperties(font)
        if text.get_text() != string:
            text.set_text(string)
        if text.get_position() != tuple(position):
            text.set_position(position)
        if text.get_color() != colour:
            text.set_color(colour)
        if not text.get_visible():
            text.set_visible(True)


def cell_at(ax, shape, block, px, py):
    """The (row, col) of a (rows, cols) heatmap on `ax` under figure pixel (px, py), or None outside it.

    (px, py): pixels of the PNG (= the figure's pixels), from its top-left corner, y down. The image's data
    coordinates are the ORIGINAL indices (pooled_extent), so the cell under the pixel is the original entry;
    a pooled block of (rb, cb) entries maps to the block's first row and column.
    """
    fig_height = ax.figure.bbox.height
    display = (float(px), fig_height - float(py))
    if not ax.get_window_extent().contains(*display):
        return None
    col_f, row_f = ax.transData.inverted().transform(display)
    row, col = math.floor(row_f + 0.5), math.floor(col_f + 0.5)
    if not (0 <= row < shape[0] and 0 <= col < shape[1]):
        return None
    rb, cb = block
    return (row // rb) * rb, (col // cb) * cb
