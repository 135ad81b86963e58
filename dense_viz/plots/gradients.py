"""The Gradients picture: δ = ∂L/∂z, ∂L/∂W = xᵀδ, ∂L/∂b = Σδ, ∂L/∂x = δWᵀ as heatmaps with shapes and norms.

`gradients_figure()` draws every artist once; `update_gradients(artists, dz, dW, db, dx)` puts new arrays
into them (set_data / set_text / set_clim / limits). N-D arrays (B, …, n) are shown with their leading axes
flattened into rows. Big matrices are pooled to at most heatmap.MAX_ROWS × MAX_COLS pixels keeping the entry of
largest |·| in each block (sign kept: a pixel is 0 only if its whole block is, so dead units stay visible);
each panel has its own colour scale ±max |·|, since the four gradients differ by orders of magnitude.
Small layers get their numbers written in the cells (render.CachedText: ≈ 0.7 ms for a new number, ≈ 0.03 ms for one drawn before): ∂L/∂W, then ∂L/∂b, δ, ∂L/∂x,
for as long as the count stays within MAX_ANNOTATED and the cells are at least MIN_CELL_PX on screen (the
Tiny 3 → 2 preset: every entry; the default 4 → 3 with a batch of 8: ∂L/∂W and ∂L/∂b).
Layout: δ, ∂L/∂W and ∂L/∂b share the unit axis j (one column under the other); ∂L/∂x shares δ's rows; under
it a colour key and the chain rule (static: drawn once per layout). How big arrays are pooled is said in
`pooling_text` (for the HTML under the figure) and, briefly, on each pooled panel's norm line.

Rendering with render.FrameCache: titles, ticks and the legend depend on shapes only (the static frame);
the images and the norm lines are animated, so a change of values redraws only them.
"""
from ..i18n import N_, _
from collections import namedtuple

import numpy as np
from matplotlib.ticker import FixedLocator, MaxNLocator
from matplotlib.transforms import offset_copy

from ..engine.layers import format_shape
from . import heatmap
from .render import animate
from .render import cached_text

POOL_MODE = "maxabs"
MAX_ANNOTATED = 96  # numbers written in the cells of small layers, at most (see render.CachedText)
MIN_CELL_PX = (18, 40)  # ... in cells at least this big on screen (height, width): 8 rows of δ are too dense
LABEL_SIZE, TICK_SIZE, NOTE_SIZE = 9, 8, 8.5   # points (at dpi 100: 12.5, 11 and 12 px)

Panel = namedtuple("Panel", "ax image title norm message cells")  # cells: the value texts (a list)
GradientsArtists = namedtuple("GradientsArtists", "fig dz kernel bias x legend key key_value")


def as_rows(a):
    """(B, …, n) -> (B·…, n) with the leading axes flattened into rows; (n,) -> (1, n)."""
    a = np.asarray(a)
    return a.reshape(1, -1) if a.ndim == 1 else a.reshape(-1, a.shape[-1])


def frobenius(a):
    """‖a‖_F = sqrt(Σ a²), accumulated in float64; any shape -> float."""
    flat = np.asarray(a).ravel()
    return float(np.sqrt(np.einsum("i,i->", flat, flat, dtype=np.float64)))  # squares in float64 too


# ---------------------------------------------------------------- one panel
def draw_panel(ax, xlabel=None, ylabel=None):
    """A gradient heatmap on `ax` (placeholder data), a bold title and its Frobenius norm above it; returns Panel."""
    image = animate(heatmap.draw_heatmap(ax, np.zeros((1, 1))))
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True, min_n_ticks=1))   # (1 unit: the tick 0 alone,
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True, min_n_ticks=1))   # not −0.4 … 0.4)
    ax.tick_params(labelsize=TICK_SIZE, length=2.5, pad=1.5)
    if xlabel:
        ax.set_xlabel(xlabel, fontsize=LABEL_SIZE, labelpad=1)
    if ylabel:
        ax.set_ylabel(ylabel, fontsize=LABEL_SIZE, labelpad=2)
    fig = ax.figure
    norm = animate(cached_text(ax, 0.0, 1.0, "", transform=offset_copy(ax.transAxes, fig, y=3, units="points"),
                              fontsize=NOTE_SIZE, color="0.3", va="bottom"))
    title = ax.text(0.0, 1.0, "", transform=offset_copy(ax.transAxes, fig, y=15, units="points"),
                    fontsize=10, weight="bold", va="bottom")
    message = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=NOTE_SIZE,
                      color="0.3", visible=False)
    return Panel(ax, image, title, norm, message, [])


def update_panel(panel, data, title, shape=None, limit=None):
    """Show `data` (rows, cols) pooled in `panel`, titled with its true `shape`, with its Frobenius norm.

    Returns {'pooled', 'block', 'norm', 'max_abs', 'note'}: max_abs is the panel's own max |·| (of the pooled
    image, which keeps the largest |·|), note what one pixel stands for ('' when unpooled). `limit`: the colour
    limit (default: max_abs, the per-panel scale).
    """
    data = np.asarray(data)
    pooled, block = heatmap.pool(data, heatmap.MAX_ROWS, heatmap.MAX_COLS, POOL_MODE)
    limit = heatmap.symmetric_limit(pooled) if limit is None else limit
    heatmap.update_pooled(panel.image, pooled, block, data.shape, limit)
    panel.image.set_visible(True)
    panel.message.set_visible(False)
    norm, max_abs = frobenius(data), float(np.max(np.abs(pooled))) if pooled.size else 0.0
    panel.title.set_text(f"{title}   {format_shape(data.shape if shape is None else shape)}")
    pooled_note = "   " + _("pooled {rows} × {cols}").format(rows=block[0], cols=block[1]) if block != (1, 1) else ""
    panel.norm.set_text(f"‖·‖ = {norm:.4g}{pooled_note}")
    return {"pooled": pooled, "block": block, "norm": norm, "max_abs": max_abs, "shape": data.shape,
            "note": heatmap.pooling_note(block, POOL_MODE, noun="entries")}


def gradient_cell_at(a, info, px, py):
    """Which panel cell is under figure pixel (px, py): ('dz' | 'kernel' | 'bias' | 'x', row, col) or None.

    `info`: update_gradients' result (each panel's 2-D shape and pooling block); rows of δ and ∂L/∂x are the
    flattened (sample, position) pairs. A pooled cell maps to its block's first row and column.
    """
    for name in ("dz", "kernel", "bias", "x"):
        panel = info.get(name)
        if panel:
            cell = heatmap.cell_at(getattr(a, name).ax, panel["shape"], panel["block"], px, py)
            if cell is not None:
                return (name, *cell)
    return None


def annotate_panel(panel, data=None):
    """Write each entry of `data` (rows, cols) in its cell (light text on dark cells); None removes them."""
    if data is None or len(panel.cells) != np.size(data):
        for text in panel.cells:
            text.remove()
        panel.cells.clear()
        if data is None:
            return
        for i, j in np.ndindex(data.shape):
            text = cached_text(panel.ax, j, i, "", ha="center", va="center", fontsize=TICK_SIZE)
            panel.cells.append(animate(text))
    limit = panel.image.get_clim()[1]   # white on the cells that are dark on this panel's colour scale
    for text, value, (i, j) in zip(panel.cells, np.asarray(data).reshape(-1), np.ndindex(data.shape)):
        text.set_position((j, i))   # (the same count in a new shape, e.g. (4, 3) -> (3, 4), moves them)
        text.set_text(f"{value + 0.0:.2g}".replace("-", "−"))  # + 0.0 turns -0.0 (a dead unit's δ) into 0
        text.set_color("white" if abs(value) > 0.6 * limit else "black")


def cells_fit(ax, shape, min_px=MIN_CELL_PX):
    """True if each cell of a (rows, cols) image on `ax` is at least `min_px` (height, width) on screen."""
    box, fig = ax.get_position(), ax.figure
    return (fig.bbox.height * box.height / shape[0] >= min_px[0]
            and fig.bbox.width * box.width / shape[1] >= min_px[1])


def set_absent(panel, title, message):
    """A panel with nothing to show (e.g. no bias): image hidden, `message` in its middle."""
    panel.image.set_visible(False)
    panel.title.set_text(title)
    panel.norm.set_text("")
    panel.message.set_text(message)
    panel.message.set_visible(True)


# ---------------------------------------------------------------- the figure
def gradients_figure(width_px=780, height_px=440):
    """Figure with the four gradient panels, a colour key and the chain rule drawn once; GradientsArtists."""
    fig = heatmap.new_figure(width_px, height_px)
    px = 1.0 / width_px
    left, wide, right, narrow = 62 * px, 430 * px, 566 * px, 196 * px
    ax_dz = fig.add_axes((left, 0.625, wide, 0.26))
    ax_w = fig.add_axes((left, 0.27, wide, 0.23), sharex=ax_dz)
    ax_b = fig.add_axes((left, 0.085, wide, 0.05), sharex=ax_dz)
    ax_x = fig.add_axes((right, 0.625, narrow, 0.26))
    dz = draw_panel(ax_dz, ylabel=_("sample i"))
    kernel = draw_panel(ax_w, ylabel=_("input k"))
    bias = draw_panel(ax_b, xlabel=_("unit j"))
    x = draw_panel(ax_x, xlabel=_("input k"))
    for ax in (ax_dz, ax_w):
        ax.tick_params(labelbottom=False)
    ax_b.set_yticks([])
    key_ax = fig.add_axes((right, 0.425, narrow * 0.8, 0.03))
    key = _colour_key(key_ax)
    key_value = animate(cached_text(key_ax, 0.0, 0.0, "", transform=offset_copy(key_ax.transAxes, fig, y=-22,
                                                                                 units="points"),
                                    fontsize=NOTE_SIZE, color="0.2", va="top"))
    legend = fig.text(right, 0.255, "", fontsize=LABEL_SIZE, color="0.2", va="top", linespacing=1.45)
    return GradientsArtists(fig, dz, kernel, bias, x, legend, key, key_value)


def _colour_key(ax):
    """A horizontal strip of the diverging map from −max to +max (static: part of the cached frame)."""
    image = ax.imshow(np.linspace(-1.0, 1.0, 256)[None, :], cmap=heatmap.DIVERGING, vmin=-1, vmax=1,
                      aspect="auto", extent=(-1, 1, 0, 1), interpolation="bilinear")
    ax.set_yticks([])
    ax.xaxis.set_major_locator(FixedLocator([-1.0, 0.0, 1.0]))
    ax.set_xticklabels(["−L", "0", "+L"])
    ax.tick_params(labelsize=TICK_SIZE, length=2.5, pad=1.5)
    ax.set_title("", fontsize=NOTE_SIZE, color="0.3", loc="left", pad=4)
    return image


SCALE_TITLES = {"shared": N_("colours: one scale for all panels"),
                "panel": N_("per-panel scale: colours are not\ncomparable across panels")}


def scale_text(limit, dy=None):
    """The number under the colour key: L and where it comes from."""
    if limit is None:
        return _("L = each panel's own max |·|")
    return (_("L = {limit:.3g}: the largest |·| of\nthe panels and of ∂L/∂y") if dy is not None
            else _("L = {limit:.3g}: the largest |·| of\nthe panels")).format(limit=limit)


def shared_limit(*arrays):
    """The one colour limit L of the shared scale: the largest |entry| of all `arrays` (None skipped), never 0."""
    peaks = [float(np.max(np.abs(a))) for a in arrays if a is not None and np.size(a)]
    peak = max((p for p in peaks if np.isfinite(p)), default=0.0)
    return peak if peak > 0 else 1.0


LEGEND = N_("chain rule (Σᵢ: over samples):\n"
            "  δ = ∂L/∂y ⊙ f′(z)\n"
            "  ∂L/∂W = Σᵢ xᵢᵀ δᵢ\n"
            "  ∂L/∂b = Σᵢ δᵢ\n"
            "  ∂L/∂x = δ Wᵀ")  # the translation keeps the formula lines as they are (legend_text replaces δ's)
SYMBOLS = {"dz": "δ", "kernel": "∂L/∂W", "bias": "∂L/∂b", "x": "∂L/∂x"}


def legend_text(softmax_like=False, nd=False):
    """The static text beside the panels: the chain rule (δ as a Jacobian product for softmax-like
    activations), and how N-D input is shown."""
    text = _(LEGEND).replace("δ = ∂L/∂y ⊙ f′(z)", "δ = (∂y/∂z)ᵀ ∂L/∂y") if softmax_like else _(LEGEND)
    if nd:
        text += "\n\n" + _("N-D input: each row is one\n(sample, position) pair")
    return text


def pooling_text(info):
    """How the pooled panels were pooled ('' when nothing is): for the text under the figure."""
    pooled = [_("{symbol}: each pixel: {rows} × {cols} entries").format(symbol=SYMBOLS[name], rows=panel["block"][0],
                                                                          cols=panel["block"][1])
              for name, panel in info.items() if panel and panel["block"] != (1, 1)]
    if not pooled:
        return ""
    return _("Pooled to fit the screen — {panels}. Each pixel keeps the entry of largest |·| in its block, with its "
             "sign: a pixel is 0 only if its whole block is 0.").format(panels="; ".join(pooled))


def update_gradients(a, dz, dW, db, dx, penalties=(), softmax_like=False, scale="shared", dy=None):
    """Show δ (B, …, units), ∂L/∂W (in, units), ∂L/∂b (units,) or None, ∂L/∂x (B, …, in); returns info per panel.

    `penalties`: names of the layer's regularizers ('kernel', 'bias', 'activity') that add terms to the
    gradients; softmax_like: δ is a Jacobian-vector product, not ∂L/∂y ⊙ act′(z). scale: 'shared' (one
    symmetric scale ±L for the four panels and ∂L/∂y `dy`, the gradient arriving at the layer: what the
    activation lets through of it shows, a vanishing δ looks pale) or 'panel' (each its own ±max |·|).
    """
    if scale not in SCALE_TITLES:
        raise ValueError(f"Received an invalid value for `scale`, expected one of {tuple(SCALE_TITLES)}. "
                         f"Received: scale={scale!r}")
    dz, dx = np.asarray(dz), np.asarray(dx)
    limit = shared_limit(dz, dW, db, dx, dy) if scale == "shared" else None
    rows = (_("sample i") if dz.ndim == 2
            else _("rows (i, p): {shape}").format(shape=" × ".join(map(str, dz.shape[:-1]))))
    a.dz.ax.set_ylabel(rows, fontsize=LABEL_SIZE, labelpad=2)
    a.x.ax.set_ylabel(rows if dz.ndim == 2 else _("rows (i, p)"), fontsize=LABEL_SIZE, labelpad=2)
    act = " " + _("(with the activity penalty)") if "activity" in penalties else ""
    info = {"dz": update_panel(a.dz, as_rows(dz), f"δ = ∂L/∂z{act}", dz.shape, limit),
            "kernel": update_panel(a.kernel, dW, "∂L/∂W = xᵀδ" + (" + ∂R/∂W" if "kernel" in penalties else ""),
                                   limit=limit)}
    if db is None:
        set_absent(a.bias, "∂L/∂b", _("no bias (use_bias=False): nothing to differentiate"))
        info["bias"] = None
    else:
        info["bias"] = update_panel(a.bias, as_rows(db), "∂L/∂b = Σᵢ δᵢ" + (" + ∂R/∂b" if "bias" in penalties
                                                                          else ""), np.shape(db), limit)
    info["x"] = update_panel(a.x, as_rows(dx), "∂L/∂x = δWᵀ", dx.shape, limit)
    a.key.axes.set_title(_(SCALE_TITLES[scale]), fontsize=NOTE_SIZE, color="0.3", loc="left", pad=4)
    a.key_value.set_text(scale_text(limit, dy))
    budget = MAX_ANNOTATED
    for name, panel in (("kernel", a.kernel), ("bias", a.bias), ("dz", a.dz), ("x", a.x)):
        data = info[name]["pooled"] if info[name] else None
        write = data is not None and data.size <= budget and cells_fit(panel.ax, data.shape)
        annotate_panel(panel, data if write else None)
        if data is not None:
            budget = budget - data.size if write else 0   # stop at the first panel that does not fit
    a.legend.set_text(legend_text(softmax_like, dz.ndim > 2))
    return info
