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
from matplotlib.image import AxesImage
from matplotlib.transforms import Affine2D

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


class CellImage(AxesImage):
    """An AxesImage with interpolation "nearest" that maps the screen's pixels to cells itself.

    matplotlib's nearest resampling of a (rows, cols) array to the axes' pixels runs the norm and the Agg
    resampler over data and alpha (≈ 0.75 ms for a 4 × 3 layer's heatmap, 2.4 for a 256 × 512 one); this colours
    the cells once and picks, for every output pixel, the cell under its centre (≈ 0.2–0.6 ms). Same box, same
    pixel-to-cell rule as matplotlib's `_make_image` (a test compares both on hundreds of geometries, nan cells
    and axes wider than the image included); anything else (alpha, magnification, a rotated transform, RGB data)
    is left to AxesImage.
    """

    def make_image(self, renderer, magnification=1.0, unsampled=False):
        """(RGBA uint8 rows bottom-up, x, y of its lower-left corner, transform), as AxesImage.make_image."""
        data, transform = self.get_array(), self.get_transform()
        if (unsampled or magnification != 1 or data is None or data.ndim != 2 or not data.size
                or self.get_alpha() is not None or self.get_interpolation() != "nearest" or not transform.is_affine):
            return super().make_image(renderer, magnification, unsampled)
        to_display = transform.get_matrix()   # 3 × 3 affine: data -> display pixels
        if to_display[0, 1] or to_display[1, 0]:
            return super().make_image(renderer, magnification, unsampled)
        left, right, bottom, top = self.get_extent()
        (ex0, ex1), (ey0, ey1) = (sorted(to_display[k, 0 + k] * np.array([a, b]) + to_display[k, 2])
                                  for k, (a, b) in enumerate(((left, right), (bottom, top))))
        clip = (self.get_clip_box() or self.axes.bbox) if self.get_clip_on() else self.get_figure(root=True).bbox
        cx0, cy0, cx1, cy1 = clip.extents
        e = (max(ex0, cx0), max(ey0, cy0), min(ex1, cx1), min(ey1, cy1))   # Bbox.intersection
        if e[0] > e[2] or e[1] > e[3]:
            return None, 0, 0, None
        x0, y0 = np.floor(e[0] + 0.5), np.ceil(e[1] - 0.5 - 1e-8)   # whole output pixels, as _make_image rounds
        x1, y1 = np.floor(e[2] + 0.5 + 1e-8), np.ceil(e[3] - 0.5)
        width, height = int(x1 - x0), int(y1 - y0)
        if width <= 0 or height <= 0:
            return None, 0, 0, None
        rows, cols = data.shape
        # cell index (column u, row v from the first row) -> output pixel, as _make_image's transform t
        cell_x, cell_y = (right - left) / cols, (top - bottom) / rows
        flip = self.origin == "upper"
        sx, sy = to_display[0, 0] * cell_x, to_display[1, 1] * cell_y * (-1 if flip else 1)
        tx = to_display[0, 0] * left + to_display[0, 2] - x0
        ty = to_display[1, 1] * (bottom + (rows * cell_y if flip else 0.0)) + to_display[1, 2] - y0
        to_pixels = Affine2D(np.array([[sx, 0.0, tx], [0.0, sy, ty], [0.0, 0.0, 1.0]]))
        col = np.floor(((np.arange(width) + 0.5) - tx) / sx).astype(np.intp)   # the cell under each pixel centre
        row = np.floor(((np.arange(height) + 0.5) - ty) / sy).astype(np.intp)
        # one RGBA pixel = one uint32: two gathers of whole pixels (≈ 15× faster than gathering (…, 4) rows)
        colours = np.ascontiguousarray(self.to_rgba(data, bytes=True)).view(np.uint32)[..., 0]
        out = colours.take(np.clip(row, 0, rows - 1), axis=0).take(np.clip(col, 0, cols - 1), axis=1)
        out[(row < 0) | (row >= rows)] = 0   # off the image: transparent
        out[:, (col < 0) | (col >= cols)] = 0
        return out.view(np.uint8).reshape(height, width, 4), x0, y0, to_pixels


def draw_heatmap(ax, data, cmap=DIVERGING, limit=None):
    """A CellImage of `data` (rows, cols) centred on 0, placed as ax.imshow(..., aspect="auto",
    interpolation="nearest", extent in original indices) places it; returns it. `limit` defaults to max |data|."""
    limit = symmetric_limit(data) if limit is None else limit
    image = CellImage(ax, cmap=cmap, interpolation="nearest",
                      extent=(-0.5, data.shape[1] - 0.5, data.shape[0] - 0.5, -0.5))
    ax.set_aspect("auto")
    image.set_data(data)
    image.set_clip_path(ax.patch)
    image.set_clim(-limit, limit)
    image.set_extent(image.get_extent())   # the axes' limits follow the extent, as imshow does
    ax.add_image(image)
    return image


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
    extent = pooled_extent(pooled.shape, block)
    if tuple(im.get_extent()) != extent:   # only what changed: new values keep the extent and the limits
        im.set_extent(extent)
    set_limits(im.axes, (-0.5, shape[1] - 0.5), (shape[0] - 0.5, -0.5))
    return im


def set_limits(ax, xlim, ylim):
    """ax.set_xlim(*xlim) and ax.set_ylim(*ylim), each only if it differs (setting limits re-lays out the axes)."""
    if tuple(ax.get_xlim()) != tuple(xlim):
        ax.set_xlim(*xlim)
    if tuple(ax.get_ylim()) != tuple(ylim):
        ax.set_ylim(*ylim)


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
        if text.get_fontsize() != size:   # (cached images are keyed by a copy of the font's properties)
            text.set_fontsize(size)
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
