"""The Gradients picture: δ = ∂L/∂z, ∂L/∂W = xᵀδ, ∂L/∂b = Σδ, ∂L/∂x = δWᵀ as heatmaps with shapes and norms.

`gradients_figure()` draws every artist once; `update_gradients(artists, dz, dW, db, dx)` puts new arrays
into them (set_data / set_text / set_clim / limits). N-D arrays (B, …, n) are shown with their leading axes
flattened into rows. Big matrices are pooled to at most MAX_ROWS × MAX_COLS pixels keeping the entry of
largest |·| in each block (sign kept: a pixel is 0 only if its whole block is, so dead units stay visible);
each panel has its own colour scale ±max |·|, since the four gradients differ by orders of magnitude.
Tiny layers get their numbers written in the cells: ∂L/∂W, then ∂L/∂b, δ, ∂L/∂x, for as long as the count
stays within MAX_ANNOTATED (text is the costly part of a drawing).
Layout: δ, ∂L/∂W and ∂L/∂b share the unit axis j (one column under the other); ∂L/∂x shares δ's rows.

Rendering with weights.FrameCache: titles, ticks and the legend depend on shapes only (the static frame);
the images and the norm lines are animated, so a change of values redraws only them.
"""
from collections import namedtuple

import numpy as np
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from . import heatmap
from .render import animate

MAX_ROWS, MAX_COLS = 256, 512
POOL_MODE = "maxabs"
MAX_ANNOTATED = 8   # numbers written in the cells of tiny layers, at most (a text costs ~0.7 ms to draw)

Panel = namedtuple("Panel", "ax image title norm message cells")  # cells: the value texts (a list)
GradientsArtists = namedtuple("GradientsArtists", "fig dz kernel bias x legend")


def as_rows(a):
    """(B, …, n) -> (B·…, n) with the leading axes flattened into rows; (n,) -> (1, n)."""
    a = np.asarray(a)
    return a.reshape(1, -1) if a.ndim == 1 else a.reshape(-1, a.shape[-1])


def frobenius(a):
    """‖a‖_F = sqrt(Σ a²), accumulated in float64; any shape -> float."""
    a = np.asarray(a)
    return float(np.sqrt(np.sum(np.square(a), dtype=np.float64)))


def put_pooled(image, pooled, block, shape, limit):
    """`pooled` (r, c) into `image`, standing for a matrix of `shape` (rows, cols): axes keep original indices."""
    heatmap.update_heatmap(image, pooled, limit)
    (r, c), (rb, cb) = pooled.shape, block
    extent = (-0.5, c * cb - 0.5, r * rb - 0.5, -0.5)
    if tuple(image.get_extent()) != extent:  # a shape change: new extent and limits (values alone keep them)
        image.set_extent(extent)
        image.axes.set_xlim(-0.5, shape[1] - 0.5)
        image.axes.set_ylim(shape[0] - 0.5, -0.5)


def shape_text(shape):
    """A shape the way Keras prints it: (8, 3), (3,)."""
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


# ---------------------------------------------------------------- one panel
def draw_panel(ax, xlabel=None, ylabel=None):
    """A gradient heatmap on `ax` (placeholder data), a bold title and its Frobenius norm above it; returns Panel."""
    image = animate(heatmap.draw_heatmap(ax, np.zeros((1, 1))))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    ax.tick_params(labelsize=7, length=2, pad=1)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=8, labelpad=1)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=8, labelpad=1)
    fig = ax.figure
    norm = animate(ax.text(0.0, 1.0, "", transform=offset_copy(ax.transAxes, fig, y=3, units="points"),
                           fontsize=7, color="0.3", va="bottom"))
    title = ax.text(0.0, 1.0, "", transform=offset_copy(ax.transAxes, fig, y=13, units="points"),
                    fontsize=9, weight="bold", va="bottom")
    message = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=8,
                      color="0.3", visible=False)
    return Panel(ax, image, title, norm, message, [])


def update_panel(panel, data, title, shape=None):
    """Show `data` (rows, cols) pooled in `panel`, titled with its true `shape`, with its Frobenius norm.

    Returns {'pooled', 'block', 'norm', 'max_abs', 'note'}: max_abs is the colour limit (of the pooled image,
    which keeps the largest |·|), note what one pixel stands for ('' when unpooled).
    """
    data = np.asarray(data)
    pooled, block = heatmap.pool(data, MAX_ROWS, MAX_COLS, POOL_MODE)
    limit = heatmap.symmetric_limit(pooled)
    put_pooled(panel.image, pooled, block, data.shape, limit)
    panel.image.set_visible(True)
    panel.message.set_visible(False)
    norm, max_abs = frobenius(data), float(np.max(np.abs(pooled))) if pooled.size else 0.0
    panel.title.set_text(f"{title}   {shape_text(data.shape if shape is None else shape)}")
    panel.norm.set_text(f"‖·‖ = {norm:.4g}")
    return {"pooled": pooled, "block": block, "norm": norm, "max_abs": max_abs, "note": heatmap.pooling_note(block, POOL_MODE, noun="entries")}


def annotate_panel(panel, data=None):
    """Write each entry of `data` (rows, cols) in its cell (light text on dark cells); None removes them."""
    if data is None or len(panel.cells) != np.size(data):
        for text in panel.cells:
            text.remove()
        panel.cells.clear()
        if data is None:
            return
        for i, j in np.ndindex(data.shape):
            panel.cells.append(animate(panel.ax.text(j, i, "", ha="center", va="center", fontsize=7)))
    limit = heatmap.symmetric_limit(data)
    for text, value in zip(panel.cells, np.asarray(data).reshape(-1)):
        text.set_text(f"{value + 0.0:.2g}")  # + 0.0 turns -0.0 (a dead unit's δ) into 0
        text.set_color("white" if abs(value) > 0.6 * limit else "black")


def set_absent(panel, title, message):
    """A panel with nothing to show (e.g. no bias): image hidden, `message` in its middle."""
    panel.image.set_visible(False)
    panel.title.set_text(title)
    panel.norm.set_text("")
    panel.message.set_text(message)
    panel.message.set_visible(True)


# ---------------------------------------------------------------- the figure
def gradients_figure(width_px=720, height_px=440):
    """Figure with the four gradient panels drawn once (placeholders); returns GradientsArtists."""
    fig = heatmap.new_figure(width_px, height_px)
    ax_dz = fig.add_axes((0.075, 0.62, 0.56, 0.26))
    ax_w = fig.add_axes((0.075, 0.27, 0.56, 0.23), sharex=ax_dz)
    ax_b = fig.add_axes((0.075, 0.085, 0.56, 0.05), sharex=ax_dz)
    ax_x = fig.add_axes((0.725, 0.62, 0.255, 0.26))
    dz = draw_panel(ax_dz, ylabel="sample i")
    kernel = draw_panel(ax_w, ylabel="input k")
    bias = draw_panel(ax_b, xlabel="unit j")
    x = draw_panel(ax_x, xlabel="input k")
    for ax in (ax_dz, ax_w):
        ax.tick_params(labelbottom=False)
    ax_b.set_yticks([])
    legend = fig.text(0.725, 0.50, "", fontsize=7.5, color="0.25", va="top", linespacing=1.5)
    return GradientsArtists(fig, dz, kernel, bias, x, legend)


LEGEND = ("colours: blue < 0 < red, each panel on\nits own scale ±max |·|\n\n"
          "chain rule, per sample i:\n"
          "  δ = ∂L/∂y ⊙ act′(z)\n"
          "  ∂L/∂W = Σᵢ xᵢᵀ δᵢ\n"
          "  ∂L/∂b = Σᵢ δᵢ\n"
          "  ∂L/∂x = δ Wᵀ")
SYMBOLS = {"dz": "δ", "kernel": "∂L/∂W", "bias": "∂L/∂b", "x": "∂L/∂x"}


def legend_text(info, softmax_like=False, nd=False):
    """The static text beside the panels: colours, the chain rule, how N-D input and pooling are shown."""
    text = LEGEND.replace("δ = ∂L/∂y ⊙ act′(z)", "δ = (∂y/∂z)ᵀ ∂L/∂y") if softmax_like else LEGEND
    if nd:
        text += "\n\nN-D input: leading axes flattened\ninto rows; Σ runs over samples\nand positions"
    pooled = [f"{SYMBOLS[name]}: {panel['note']}" for name, panel in info.items() if panel and panel["note"]]
    if pooled:
        text += "\n\npooled (largest |·| per block, sign\nkept: 0 only if the whole block is 0):\n  "
        text += "\n  ".join(pooled)
    return text


def update_gradients(a, dz, dW, db, dx, penalties=(), softmax_like=False):
    """Show δ (B, …, units), ∂L/∂W (in, units), ∂L/∂b (units,) or None, ∂L/∂x (B, …, in); returns info per panel.

    `penalties`: names of the layer's regularizers ('kernel', 'bias', 'activity') that add terms to the
    gradients; softmax_like: δ is a Jacobian-vector product, not ∂L/∂y ⊙ act′(z).
    """
    dz, dx = np.asarray(dz), np.asarray(dx)
    rows = "sample i" if dz.ndim == 2 else f"row (i, position): {' × '.join(map(str, dz.shape[:-1]))}"
    a.dz.ax.set_ylabel(rows, fontsize=8, labelpad=1)
    a.x.ax.set_ylabel(rows if dz.ndim == 2 else "row (i, position)", fontsize=8, labelpad=1)
    act = " (with the activity penalty)" if "activity" in penalties else ""
    info = {"dz": update_panel(a.dz, as_rows(dz), f"δ = ∂L/∂z{act}", dz.shape),
            "kernel": update_panel(a.kernel, dW, "∂L/∂W = xᵀδ" + (" + ∂R/∂W" if "kernel" in penalties else ""))}
    if db is None:
        set_absent(a.bias, "∂L/∂b", "no bias (use_bias=False): nothing to differentiate")
        info["bias"] = None
    else:
        info["bias"] = update_panel(a.bias, as_rows(db), "∂L/∂b = Σᵢ δᵢ" + (" + ∂R/∂b" if "bias" in penalties
                                                                          else ""), np.shape(db))
    info["x"] = update_panel(a.x, as_rows(dx), "∂L/∂x = δWᵀ", dx.shape)
    budget = MAX_ANNOTATED
    for name, panel in (("kernel", a.kernel), ("bias", a.bias), ("dz", a.dz), ("x", a.x)):
        data = info[name]["pooled"] if info[name] else None
        write = data is not None and data.size <= budget
        annotate_panel(panel, data if write else None)
        if data is not None:
            budget = budget - data.size if write else 0   # stop at the first panel that does not fit
    a.legend.set_text(legend_text(info, softmax_like, dz.ndim > 2))
    return info
