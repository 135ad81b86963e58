"""Heatmaps of big matrices: pool to screen resolution, draw once, update in place, render to PNG.

Builders take an Axes and return the artists they drew; `update_heatmap` changes them (set_data,
set_clim, extent) instead of drawing anew. Never hands matplotlib more pixels than the screen shows.
"""
import io

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DIVERGING = "RdBu_r"  # blue negative, white zero, red positive


def pool(a, max_rows=256, max_cols=512, mode="mean"):
    """Block-reduce a 2-D array to at most (max_rows, max_cols): returns (pooled, (row_block, col_block)).

    mode "mean": block average; "maxabs": the entry of largest |value| in each block, sign kept.
    Ragged edges are padded with the edge's own block (mean of fewer entries). Small arrays pass through.
    """
    a = np.asarray(a)
    rows, cols = a.shape
    rb, cb = -(-rows // max_rows), -(-cols // max_cols)  # ceil divisions: entries per pixel
    if rb == 1 and cb == 1:
        return a, (1, 1)
    out_r, out_c = -(-rows // rb), -(-cols // cb)
    if rows % rb or cols % cb:  # pad with NaN to whole blocks; nan-aware reductions ignore the padding
        padded = np.full((out_r * rb, out_c * cb), np.nan, dtype=np.float64)
        padded[:rows, :cols] = a
        a = padded
    blocks = a.reshape(out_r, rb, out_c, cb)
    if mode == "mean":
        return (np.nanmean(blocks, axis=(1, 3)) if np.isnan(a).any() else blocks.mean(axis=(1, 3))), (rb, cb)
    if mode == "maxabs":
        flat = blocks.transpose(0, 2, 1, 3).reshape(out_r, out_c, rb * cb)
        idx = np.nanargmax(np.abs(flat), axis=2) if np.isnan(a).any() else np.abs(flat).argmax(axis=2)
        return np.take_along_axis(flat, idx[..., None], axis=2)[..., 0], (rb, cb)
    raise ValueError(f"Received an invalid value for `mode`, expected 'mean' or 'maxabs'. Received: mode={mode!r}")


def pooling_note(block, mode="mean"):
    """What one pixel stands for, e.g. 'each pixel: 1 × 50 weights (mean)'; '' when unpooled."""
    rb, cb = block
    if (rb, cb) == (1, 1):
        return ""
    how = "mean" if mode == "mean" else "largest |w|, sign kept"
    return f"each pixel: {rb} × {cb} weights ({how})"


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
    """The figure drawn with Agg, as PNG bytes (for an ipywidgets.Image)."""
    buf = io.BytesIO()
    fig.canvas.print_png(buf)
    return buf.getvalue()
