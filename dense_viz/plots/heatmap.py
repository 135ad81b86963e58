"""Heatmaps of big matrices: pool to screen resolution, draw once, update in place, render to PNG.

Builders take an Axes and return the artists they drew; `update_heatmap` changes them (set_data,
set_clim, extent) instead of drawing anew. Never hands matplotlib more pixels than the screen shows.
"""
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .render import png_bytes

DIVERGING = "RdBu_r"  # blue negative, white zero, red positive


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
        starts_r, starts_c = np.arange(0, rows, rb), np.arange(0, cols, cb)
        sums = np.add.reduceat(np.add.reduceat(a, starts_r, axis=0), starts_c, axis=1)
        counts = np.outer(np.diff(np.append(starts_r, rows)), np.diff(np.append(starts_c, cols)))
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
    symbol = "|w|" if noun == "weights" else "|value|"
    how = "mean" if mode == "mean" else f"largest {symbol}, sign kept"
    return f"each pixel: {rb} × {cb} {noun} ({how})"


def symmetric_limit(a):
    """A colour limit L so that [-L, L] spans the data, centred on 0 (never 0 itself)."""
    finite = np.abs(a[np.isfinite(a)]) if np.size(a) else np.zeros(1)
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


def render_png(fig):
    """The whole figure drawn with Agg, as PNG bytes (for an ipywidgets.Image); see render.FrameCache."""
    fig.canvas.draw()
    return png_bytes(np.asarray(fig.canvas.buffer_rgba())[..., :3])
