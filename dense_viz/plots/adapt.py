"""Adapt & compress figures: LoRA's W, A, B and ΔW = (α/r)·A·B side by side; int8's kernel, scales, the
dequantized kernel and the error W − dequant(W). Builders return artists; update functions set their data.
Big matrices are pooled to the panel's pixels keeping each block's largest |value| (sign kept): a mean of 200
random weights is ≈ 0 and would paint a true-scale panel white.
"""
from types import SimpleNamespace

import numpy as np

from ..i18n import _
from . import heatmap
from .render import animate

PANEL_WIDTH_PX = 168


def _panels(width_px, height_px, n):
    """A figure with `n` heatmap axes in a row, each with a title above and a small note below."""
    fig = heatmap.new_figure(width_px, height_px)
    px, py = 1.0 / width_px, 1.0 / height_px
    left, gap = 40 * px, 28 * px
    width = (1 - left - 20 * px - gap * (n - 1)) / n
    axes, images, titles, notes = [], [], [], []
    for i in range(n):
        x0 = left + i * (width + gap)
        ax = fig.add_axes((x0, 0.25, width, 0.53))
        images.append(heatmap.draw_pooled(ax, np.zeros((1, 1)), (1, 1), (1, 1)))
        titles.append(fig.text(x0, 1 - 6 * py, "", fontsize=9, weight="bold", va="top", linespacing=1.2))
        notes.append(animate(fig.text(x0, 0.02, "", fontsize=7.5, color="0.3", va="bottom", linespacing=1.25)))
        axes.append(ax)
    return SimpleNamespace(fig=fig, axes=axes, images=images, titles=titles, notes=notes)


def _show(art, i, title, matrix, limit=None, note="", mode="maxabs"):
    """Matrix (rows, cols) into panel i, pooled to its pixels (`mode` per block), diverging on ±limit."""
    matrix = np.atleast_2d(matrix)
    pooled, block = heatmap.pool_to_axes(art.axes[i], matrix, mode=mode)
    limit = heatmap.symmetric_limit(matrix) if limit is None else limit
    art.images[i].set_cmap(heatmap.DIVERGING)
    heatmap.update_pooled(art.images[i], pooled, block, matrix.shape, limit)
    art.titles[i].set_text(title)
    shown = note or _("±{limit:.3g}").format(limit=limit)
    if block != (1, 1):
        shown += "\n" + _("each pixel: {rows} × {cols} ({how})").format(
            rows=block[0], cols=block[1], how=_("mean") if mode == "mean" else _("largest |v|"))
    art.notes[i].set_text(shown)


def _peak(*arrays):
    """The largest |value| over `arrays` (1 when all are zero: a colour scale needs a width)."""
    peak = max(float(np.abs(a).max()) if np.size(a) else 0.0 for a in arrays)
    return peak if peak > 0 else 1.0


def lora_figure(width_px=780, height_px=200):
    """W (frozen), A, B and ΔW = (α/r)·A·B."""
    return _panels(width_px, height_px, 4)


def update_lora(art, kernel, a, b, scale):
    """kernel (in, units), A (in, r), B (r, units), scale α/r. W and ΔW share one colour scale."""
    delta = scale * (a @ b)
    limit = _peak(kernel, delta)
    _show(art, 0, _("W {shape}\nfrozen").format(shape=kernel.shape), kernel, limit,
          _("W and ΔW: one scale ±{limit:.3g}").format(limit=limit))
    _show(art, 1, _("A {shape}").format(shape=a.shape), a)
    _show(art, 2, _("B {shape}").format(shape=b.shape), b, note=_("B starts at 0: ΔW = 0") if not b.any() else "")
    _show(art, 3, _("ΔW = (α/r)·A·B\nα/r = {scale:g}").format(scale=scale), delta, limit,
          _("max |ΔW| = {peak:.3g}").format(peak=float(np.abs(delta).max())))
    return delta


def int8_figure(width_px=780, height_px=200):
    """The int8 kernel, its per-unit scales, the dequantized kernel and the error W − dequant(W)."""
    return _panels(width_px, height_px, 4)


def update_int8(art, kernel, q_kernel, scale, dequantized):
    """kernel (in, units) float, q_kernel int8 (in, units), scale (units,), dequantized (in, units)."""
    error = kernel - dequantized
    _show(art, 0, _("int8 kernel\n{shape}").format(shape=q_kernel.shape), q_kernel.astype(np.float32), 127.0,
          _("integers −127 … 127"))
    _show(art, 1, _("scale per unit\n({units},)").format(units=scale.size), scale[None, :], None,
          _("127/max|w|: {low:.2g} … {high:.2g}").format(low=float(scale.min()), high=float(scale.max())))
    image = art.images[1]  # positive numbers: a sequential map on their own range, so differences show
    image.set_cmap("viridis")
    image.set_clim(float(scale.min()), float(scale.max()) if scale.max() > scale.min() else float(scale.min()) + 1)
    _show(art, 2, _("dequantized\nint8 / scale"), dequantized)
    _show(art, 3, _("error\nW − dequant(W)"), error, None,
          _("max {peak:.2g}, mean {mean:.2g}").format(peak=float(np.abs(error).max()),
                                                     mean=float(np.abs(error).mean())), mode="maxabs")
    return error
