"""The learning step's figure: ΔW = W_after − W_before as a (pooled) heatmap, Δb as a strip under it, and
the entries a constraint clipped outlined on top. Builders take sizes and return artists; `update_step` puts
a step's numbers into them (set_data / set_text), as every plot module here does.
"""
from types import SimpleNamespace

import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.ticker import FormatStrFormatter, MaxNLocator

from ..i18n import _
from . import heatmap
from .render import animate

CLIP_COLOR = "#111111"


def step_figure(width_px=780, height_px=300):
    """ΔW heatmap with its colour bar, the Δb strip, and a layer for the clipped entries; returns the artists."""
    fig = heatmap.new_figure(width_px, height_px)
    px, py = 1.0 / width_px, 1.0 / height_px
    top = 1 - 70 * py  # room for the title and three lines of notes
    ax = fig.add_axes((58 * px, 0.27, 560 * px, top - 0.27))
    cax = fig.add_axes((626 * px, 0.27, 9 * px, top - 0.27))
    ax_b = fig.add_axes((58 * px, 0.14, 560 * px, 0.07), sharex=ax)
    image = heatmap.draw_pooled(ax, np.zeros((1, 1)), (1, 1), (1, 1))
    clipped = animate(ax.imshow(np.ma.masked_all((1, 1)), cmap=ListedColormap([CLIP_COLOR]), vmin=0, vmax=1,
                                alpha=0.4, aspect="auto", interpolation="nearest", zorder=3))
    cbar = fig.colorbar(image, cax=cax)
    cbar.ax.tick_params(labelsize=8, length=3, pad=2)
    cbar.locator = MaxNLocator(nbins=4, symmetric=True)
    cbar.formatter = FormatStrFormatter("%.2g")  # no "1e-5" offset text above the bar
    image_b = animate(heatmap.draw_heatmap(ax_b, np.zeros((1, 1))))
    clipped_b = animate(ax_b.imshow(np.ma.masked_all((1, 1)), cmap=ListedColormap([CLIP_COLOR]), vmin=0, vmax=1,
                                    alpha=0.4, aspect="auto", interpolation="nearest", zorder=3))
    ax_b.set_yticks([])
    ax_b.set_ylabel("Δb", rotation=0, ha="right", va="center", fontsize=9)
    title = fig.text(58 * px, 1 - 6 * py, "", fontsize=10, weight="bold", va="top")
    note = fig.text(58 * px, 1 - 24 * py, "", fontsize=8.5, color="0.3", va="top", linespacing=1.3)
    marks = animate(ax.plot([], [], ls="none", marker="x", ms=7, mew=1.6, color=CLIP_COLOR, zorder=4)[0])
    return SimpleNamespace(fig=fig, ax=ax, cax=cax, ax_b=ax_b, image=image, clipped=clipped, image_b=image_b,
                           clipped_b=clipped_b, cbar=cbar, title=title, note=note, marks=marks)


def update_step(art, delta_w, delta_b, clipped_w, clipped_b):
    """ΔW (in, units), Δb (units,) or None, and the boolean masks of clipped entries, into the artists."""
    pooled, block = heatmap.pool_to_axes(art.ax, delta_w, mode="maxabs")
    limit = heatmap.symmetric_limit(delta_w)  # the true largest |ΔW|: every pixel on one honest scale
    heatmap.update_pooled(art.image, pooled, block, delta_w.shape, limit)
    if block == (1, 1):  # every entry its own cell: an × on each clipped one, the colour stays readable
        rows, cols = np.nonzero(clipped_w)
        art.marks.set_data(cols, rows)
        _show_mask(art.clipped, np.zeros((1, 1)), (0, 0, 0, 0))
    else:  # pooled: a dark veil over the blocks that hold a clipped entry
        art.marks.set_data([], [])
        mask, _block = heatmap.pool_to_axes(art.ax, clipped_w.astype(np.float32), mode="maxabs")
        _show_mask(art.clipped, mask, heatmap.pooled_extent(mask.shape, block))
    art.ax.set_xlabel(heatmap.index_label(_("unit j"), delta_w.shape[1]), fontsize=9, labelpad=2)
    art.ax.set_ylabel(heatmap.index_label(_("input k"), delta_w.shape[0]), fontsize=9, labelpad=2)
    art.ax_b.set_visible(delta_b is not None)
    if delta_b is not None:
        pooled_b, block_b = heatmap.pool_to_axes(art.ax_b, delta_b[None, :], mode="maxabs")
        heatmap.update_pooled(art.image_b, pooled_b, block_b, (1, delta_b.size), limit)
        mask_b, _block_b = heatmap.pool_to_axes(art.ax_b, clipped_b[None, :].astype(np.float32), mode="maxabs")
        _show_mask(art.clipped_b, mask_b, heatmap.pooled_extent(mask_b.shape, block_b))  # a veil: strip is thin
    art.title.set_text(_("ΔW = W after − W before, {shape}").format(shape=delta_w.shape))
    notes = [_("one colour scale for ΔW and Δb: ±{limit:.3g}, the largest change").format(limit=limit)]
    if block != (1, 1):
        notes.append(heatmap.pooling_note(block, "maxabs", "changes"))
    if clipped_w.any() or (clipped_b is not None and clipped_b.any()):
        notes.append(_("× or a dark veil: changed by the constraint after the SGD step"))
    art.note.set_text("\n".join(notes))


def _show_mask(image, mask, extent):
    """Dark where `mask` > 0 (a clipped entry in that block), transparent elsewhere."""
    image.set_data(np.ma.masked_less_equal(mask, 0))
    image.set_extent(extent)
