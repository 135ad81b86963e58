"""The Weights picture: kernel heatmap (pooled), bias strip, histogram against the initializer's theory.

`weights_figure()` draws every artist once; `update_weights(artists, kernel, bias, initializer)` changes
them in place (set_data / set_text / set_clim / limits). `heatmap.draw_pooled` / `update_pooled` put a pooled
matrix into an image whose axes keep the ORIGINAL indices (pixel p of a 1 × 50 pooling covers units
50p … 50p+49), so ticks and highlight rectangles speak in real k, j.

Rendering: matplotlib 3.11 rasterises text glyph by glyph (≈ 0.1 ms a glyph here), so a fully labelled
figure costs 40–50 ms to draw. `render.FrameCache` draws the static frame (axes, ticks, labels, titles) once
per layout and then only the artists marked animated (images, histogram, curves, highlights) on top of it.
Limits are rounded to "nice" values so that a new seed usually keeps the same frame. Numbers redrawn on every
refresh (cell values, norms, node labels) are `render.CachedText`s: matplotlib draws each distinct text once
offscreen, and later draws paste that image (≈ 0.03 ms instead of ≈ 0.7 ms).
The histogram's bars take the heatmap's diverging colours (red +, blue −, white 0); the theory is black.
"""
import math
from collections import namedtuple

import numpy as np
from matplotlib.ticker import MaxNLocator

from ..engine import initializers as inits
from . import heatmap
from ..i18n import N_, _
from .render import animate, cached_text

SAMPLE_SIZE = 200_000              # histogram of a bigger kernel uses this many seeded random draws
BINS = 61
THEORY_COLOR = "#222222"   # not red or blue: those mean + and − in every picture
HIST_ALPHA = 0.8           # the histogram's bars take the kernel's colours (the diverging map), a little lighter
LABEL_SIZE, TICK_SIZE, NOTE_SIZE = 9, 8, 8   # points (at dpi 100: 12.5, 11 and 11 px)
MODES = {"mean": N_("block mean"), "maxabs": N_("max |w| keeping sign")}
SCALES = {"true": N_("the kernel's true range"), "stretched": N_("stretched to the pooled values")}

# kind: "uniform" | "truncated_normal" | "normal" | "constant" | "identity" | "orthogonal" | "unknown"
# formula: text with numbers; mean/std: theoretical (None if not a distribution); lines: x of vertical
# marks (support limits, the ±2σ cut, the constant); curve: (xs, density) or None; bound: largest |w|
# the initializer can produce (None if unbounded); approx: the curve is only an approximation.
Theory = namedtuple("Theory", "kind formula mean std lines curve bound approx")


# ---------------------------------------------------------------- initializer theory
def _fan_text(init, shape):
    """(multiplier, denominator text) of 1/fan for a VarianceScaling mode: fan_avg → 2 / (in + out)."""
    fan_in, fan_out = inits.compute_fans(shape)
    return {"fan_in": (1, f"{fan_in}"), "fan_out": (1, f"{fan_out}"),
            "fan_avg": (2, f"({fan_in} + {fan_out})")}[init.mode]


def normal_pdf(xs, mean, sigma, cut=None):
    """Normal(mean, sigma²) density at xs (n,); with cut c: truncated at mean ± c·sigma and renormalised."""
    d = np.exp(-0.5 * ((xs - mean) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))
    if cut is not None:
        d = np.where(np.abs(xs - mean) <= cut * sigma, d / math.erf(cut / math.sqrt(2)), 0.0)
    return d


def _uniform_curve(lo, hi):
    """The flat density 1/(hi - lo) on [lo, hi] as a step outline: (xs (4,), ys (4,))."""
    h = 1.0 / (hi - lo)
    return np.array([lo, lo, hi, hi]), np.array([0.0, h, h, 0.0])


def _normal_theory(kind, formula, mean, sigma, truncated, approx=False):
    """Theory of N(mean, sigma²) (cut at ±2σ and renormalised when truncated)."""
    if sigma <= 0:
        return Theory("constant", formula, mean, 0.0, (mean,), None, abs(mean), approx)
    span = 2.0 if truncated else 4.0
    xs = np.linspace(mean - span * sigma, mean + span * sigma, 201)
    ys = normal_pdf(xs, mean, sigma, 2.0 if truncated else None)
    std = sigma * inits.TRUNCATION_STDDEV_CORRECTION if truncated else sigma
    lines = (mean - 2 * sigma, mean + 2 * sigma) if truncated else ()
    bound = abs(mean) + 2 * sigma if truncated else None
    return Theory(kind, formula, mean, std, lines, (xs, ys), bound, approx)


def _formula(init, shape, t):
    """The initializer's promise in words and numbers, from its engine theory `t`."""
    name = getattr(init, "name", type(init).__name__)
    if isinstance(init, inits.VarianceScaling):
        mult, den = _fan_text(init, shape)
        if t.kind == "uniform":
            return _("{name}: U(±{limit:.4g}), limit = sqrt({num:g} / {den})").format(
                name=name, limit=t.high, num=3 * init.scale * mult, den=den)
        if t.kind == "truncated_normal":
            return _("{name}: N(0, σ²) cut at ±2σ = ±{cut:.4g}, σ = sqrt({num:g} / {den}) / 0.8796 = {sigma:.4g}"
                     ).format(name=name, cut=2 * t.sigma, num=init.scale * mult, den=den, sigma=t.sigma)
        return _("{name}: N(0, σ²), σ = sqrt({num:g} / {den}) = {std:.4g}").format(
            name=name, num=init.scale * mult, den=den, std=t.std)
    texts = {
        "truncated_normal": _("truncated_normal: N({mean:g}, {sigma:g}²) cut at ±2σ = ±{cut:g}"),
        "normal": _("random_normal: N({mean:g}, {sigma:g}²)"),
        "uniform": _("random_uniform: U({low:g}, {high:g}), std = (max − min) / sqrt(12)"),
        "constant": _("{name}: every weight is {mean:g} (no randomness: all units start identical)"),
        "identity": _("identity: W[k, j] = {gain:g} if k = j else 0 ({diagonal} of {size} weights on the diagonal)"),
        "orthogonal": _("orthogonal: QR of a normal matrix, gain {gain:g}; orthonormal {lines}, so entries ≈ "
                        "N(0, gain² / {big}), σ ≈ {sigma:.4g}"),
    }
    return texts[t.kind].format(
        name=name, mean=t.mean, sigma=t.sigma, cut=2 * (t.sigma or 0.0), low=t.low, high=t.high,
        gain=getattr(init, "gain", 0.0), diagonal=min(shape), size=math.prod(shape), big=max(shape),
        lines=_("columns") if shape[0] >= shape[1] else _("rows"))


def initializer_theory(init, shape):
    """What `init` promises for a kernel of `shape` (in, units): a Theory with the formula in numbers.

    The numbers are the engine's (Initializer.theory); this adds the words, the density curve and the marks."""
    shape = tuple(shape)
    t = init.theory(shape) if isinstance(init, inits.Initializer) else None
    if t is None:
        return Theory("unknown", _("{name}: no theory to compare with").format(
            name=getattr(init, "name", type(init).__name__)), None, None, (), None, None, False)
    formula = _formula(init, shape, t)
    if t.kind == "uniform":
        curve = _uniform_curve(t.low, t.high) if t.high > t.low else None
        return Theory("uniform", formula, t.mean, t.std, (t.low, t.high), curve, max(abs(t.low), abs(t.high)),
                      False)
    if t.kind in ("normal", "truncated_normal", "orthogonal"):
        return _normal_theory(t.kind, formula, t.mean, t.sigma, t.kind == "truncated_normal", approx=t.approx)
    if t.kind == "constant":
        return Theory("constant", formula, t.mean, 0.0, (t.mean,), None, abs(t.mean), False)
    return Theory("identity", formula, None, None, (0.0, init.gain), None, abs(init.gain), False)


def theory_label(theory):
    """Short legend for the histogram, e.g. 'theory: flat on [−0.0153, 0.0153]' (real minus signs)."""
    return _theory_label(theory).replace("-", "−")


def _theory_label(theory):
    """theory_label with ASCII minus signs."""
    if theory.kind == "uniform":
        return _("theory: flat on [{low:.3g}, {high:.3g}]").format(low=theory.lines[0], high=theory.lines[1])
    if theory.kind == "truncated_normal":
        return _("theory: normal, cut at ±2σ = ±{cut:.3g}").format(cut=theory.lines[1] - theory.mean)
    if theory.kind in ("normal", "orthogonal"):
        return (_("theory ≈ N({mean:g}, {std:.3g}²)") if theory.approx
                else _("theory: N({mean:g}, {std:.3g}²)")).format(mean=theory.mean, std=theory.std)
    if theory.kind == "constant":
        return _("theory: every weight = {value:g}").format(value=theory.mean)
    if theory.kind == "identity":
        return _("theory: 1s on the diagonal, 0 elsewhere")
    return ""


# ---------------------------------------------------------------- histogram of a big kernel, cheaply
def kernel_sample(kernel, size=SAMPLE_SIZE, seed=0):
    """The kernel's values (n,) as float64; above `size` entries a seeded random draw (with replacement)."""
    flat = np.asarray(kernel).reshape(-1)
    if flat.size > size:
        flat = flat[np.random.default_rng(seed).integers(0, flat.size, size)]
    return flat.astype(np.float64)


def histogram_range(values, theory):
    """(lo, hi) of the histogram: the data and the theory's marks, padded and snapped to a nice step."""
    points = [values.min(), values.max(), *theory.lines]
    if theory.curve is not None:
        points += [theory.curve[0][0], theory.curve[0][-1]]
    lo, hi = float(min(points)), float(max(points))
    if hi - lo < 1e-12:
        return lo - 0.5, hi + 0.5
    step = heatmap.nice_ceil((hi - lo) / 8)
    return math.floor(lo / step - 0.3) * step, math.ceil(hi / step + 0.3) * step


def colour_limit(pooled, theory, block_size):
    """Symmetric colour limit from the initializer when the data agree with it, else a nice max |pooled|.

    Unpooled or max-|w| pooled: the initializer's bound (e.g. ±limit of a uniform). Mean of m weights: 3σ/√m,
    the spread of a block mean. Theory-based limits stay put when only the seed changes.
    """
    peak = heatmap.symmetric_limit(pooled)
    if theory.bound and block_size == 1 and peak <= theory.bound * (1 + 1e-6):
        return theory.bound
    if theory.std:
        limit = heatmap.nice_ceil(3.0 * theory.std / math.sqrt(block_size) + abs(theory.mean or 0.0))
        if limit / 4 <= peak <= 2 * limit:
            return limit
    return heatmap.nice_ceil(peak)


def true_limit(kernel, theory):
    """The colour limit of the kernel's true range: the initializer's bound when every |w| is within it, else
    a nice max |w| (so a pooled block mean is coloured on the same scale as a single weight)."""
    peak = heatmap.symmetric_limit(np.asarray(kernel))
    if theory.bound and peak <= theory.bound * (1 + 1e-6):
        return theory.bound
    return heatmap.nice_ceil(peak)


def colourbar_label(block, mode):
    """What one pixel of the kernel image is, for its colour bar: 'w', 'mean of each 1 × 80 block', …"""
    if tuple(block) == (1, 1):
        return _("w (one weight per pixel)")
    if mode == "mean":
        return _("mean of each {rows} × {cols} block").format(rows=block[0], cols=block[1])
    return _("largest |w| of each {rows} × {cols} block").format(rows=block[0], cols=block[1])


# ---------------------------------------------------------------- the figure
WeightsArtists = namedtuple(
    "WeightsArtists",
    "fig ax_kernel im_kernel cbar title note ax_bias im_bias bias_note ax_hist stairs theory_line "
    "mark_lines theory_text hist_title hist_note cell_texts bias_texts hist_colours")
MAX_CELL_TEXTS = 32  # a kernel with at most this many entries shows every value in its cells


def weights_figure(width_px=780, height_px=320):
    """Figure with every artist of the Weights view drawn once (placeholders); returns WeightsArtists.

    Left: the kernel heatmap (≤ 399 px wide, so the question's kernel pools in whole 1 × 80 blocks) with its
    colour bar and the bias strip under it; right: the histogram, its bars coloured by the same diverging
    map, with the initializer's theory in black. Titles and notes sit in a row above the axes.
    """
    fig = heatmap.new_figure(width_px, height_px)
    px, py = 1.0 / width_px, 1.0 / height_px
    top = 1 - 46 * py                                   # axes tops: room for a title and a note above
    ax_k = fig.add_axes((58 * px, 0.29, 360 * px, top - 0.29))
    cax = fig.add_axes((426 * px, 0.29, 9 * px, top - 0.29))
    ax_b = fig.add_axes((58 * px, 0.17, 360 * px, 0.06), sharex=ax_k)
    ax_h = fig.add_axes((536 * px, 0.24, 226 * px, top - 0.24))
    im = heatmap.draw_pooled(ax_k, np.zeros((1, 1)), (1, 1), (1, 1))
    cbar = fig.colorbar(im, cax=cax)
    cbar.ax.tick_params(labelsize=TICK_SIZE, length=3, pad=2)
    cbar.locator = MaxNLocator(nbins=4, symmetric=True)
    title_y, note_y = 1 - 6 * py, top + 7 * py
    title = fig.text(58 * px, title_y, "", fontsize=10, weight="bold", va="top")
    note = fig.text(58 * px, note_y, "", fontsize=NOTE_SIZE, color="0.3", va="bottom")
    im_b = animate(heatmap.draw_heatmap(ax_b, np.zeros((1, 1))))
    ax_b.set_yticks([])
    ax_b.set_ylabel("b", rotation=0, ha="right", va="center", fontsize=LABEL_SIZE)
    bias_note = animate(cached_text(ax_b, 0.5, 0.5, "", transform=ax_b.transAxes, ha="center", va="center",
                                   fontsize=NOTE_SIZE, color="0.3"))
    # the bars: a horizontal strip of the diverging map, clipped to the histogram's outline
    hist_colours = animate(ax_h.imshow(np.linspace(-1.0, 1.0, 256)[None, :], cmap=heatmap.DIVERGING, vmin=-1,
                                       vmax=1, aspect="auto", interpolation="bilinear", alpha=HIST_ALPHA,
                                       extent=(-1, 1, 0, 1), zorder=1))
    stairs = animate(ax_h.stairs(np.zeros(1), np.array([0.0, 1.0]), fill=True, facecolor="none",
                                 edgecolor="0.45", lw=0.6, zorder=2))
    hist_colours.set_clip_path(stairs)
    theory_line = animate(ax_h.plot([], [], color=THEORY_COLOR, lw=1.5, zorder=3)[0])
    marks = [animate(ax_h.axvline(0.0, color=THEORY_COLOR, ls="--", lw=1, zorder=3)) for _mark in range(2)]
    ax_h.set_xlabel("w", labelpad=1, fontsize=LABEL_SIZE)
    ax_h.set_ylabel(_("density"), labelpad=4, fontsize=LABEL_SIZE)
    ax_h.set_yticks([])  # the shape of the density matters, not its numbers (and the frame stays cached)
    ax_h.tick_params(labelsize=TICK_SIZE, length=3, pad=2)
    ax_h.xaxis.set_major_locator(MaxNLocator(nbins=4))
    hist_title = fig.text(536 * px, title_y, "", fontsize=10, weight="bold", va="top")
    theory_text = fig.text(536 * px, note_y, "", fontsize=NOTE_SIZE, color=THEORY_COLOR, va="bottom")
    hist_note = fig.text(649 * px, 44 * py, "", fontsize=NOTE_SIZE, color="0.3", ha="center", va="top",
                         linespacing=1.2)
    return WeightsArtists(fig, ax_k, im, cbar, title, note, ax_b, im_b, bias_note, ax_h, stairs,
                          theory_line, marks, theory_text, hist_title, hist_note,
                          cell_value_texts(ax_k, MAX_CELL_TEXTS), cell_value_texts(ax_b, 8), hist_colours)


def cell_value_texts(ax, n):
    """A pool of n hidden, animated texts for writing values into heatmap cells (see show_cell_values)."""
    return [animate(cached_text(ax, 0, 0, "", ha="center", va="center", fontsize=NOTE_SIZE, visible=False))
            for _cell in range(n)]


def show_cell_values(texts, data, limit, min_cell_px=(14, 40)):
    """Write each value of `data` (r, c) into its cell (white on dark cells) when the pool of texts has
    enough of them and the cells are at least `min_cell_px` (height, width) on screen; otherwise (or for
    data None) hide them all. Returns True if the values are shown."""
    for t in texts:
        t.set_visible(False)
    if data is None or data.size > len(texts):
        return False
    box = texts[0].axes.get_position()
    fig_w, fig_h = texts[0].figure.bbox.width, texts[0].figure.bbox.height
    if box.height * fig_h / data.shape[0] < min_cell_px[0] or box.width * fig_w / data.shape[1] < min_cell_px[1]:
        return False
    for t, (r, c) in zip(texts, np.ndindex(*data.shape)):
        v = float(data[r, c])
        t.set(x=c, y=r, text=f"{v:.2g}".replace("-", "−"), visible=True,
              color="white" if abs(v) > 0.6 * limit else "black")
    return True


def _update_bias(a, bias, block):
    """Bias strip (1, units) pooled with the kernel's column block, own colour scale; or the no-bias note."""
    if bias is None:
        a.im_bias.set_visible(False)
        a.bias_note.set_text(_("no bias (use_bias=False)"))
        show_cell_values(a.bias_texts, None, 1.0)
        return
    pooled, _block = heatmap.pool_to_axes(a.ax_bias, bias[None, :])
    limit = heatmap.nice_ceil(heatmap.symmetric_limit(pooled))
    a.im_bias.set_visible(True)
    a.im_bias.set_data(pooled)
    a.im_bias.set_clim(-limit, limit)
    a.im_bias.set_extent((-0.5, pooled.shape[1] * block[1] - 0.5, 0.5, -0.5))
    lo, hi = float(bias.min()), float(bias.max())
    a.bias_note.set_text(_("b = {value:.3g} everywhere").format(value=lo) if lo == hi else "")
    show_cell_values(a.bias_texts, pooled if lo != hi and block[1] == 1 else None, limit)


def _update_histogram(a, kernel, theory, sample_size, seed):
    """Histogram of the kernel (or its seeded sample) with the theory curve and marks; returns the values."""
    values = kernel_sample(kernel, sample_size, seed)
    lo, hi = histogram_range(values, theory)
    bins = int(np.clip(2 * math.sqrt(values.size), 8, BINS))
    counts, edges = np.histogram(values, bins=bins, range=(lo, hi), density=True)
    a.stairs.set_data(counts, edges)
    top = counts.max()
    if theory.curve is not None:
        a.theory_line.set_data(*theory.curve)
        top = max(top, theory.curve[1].max())
    else:
        a.theory_line.set_data([], [])
    a.theory_line.set_linestyle(":" if theory.approx else "-")
    marks = list(theory.lines)[:2]
    for i, line in enumerate(a.mark_lines):
        line.set_visible(i < len(marks))
        if i < len(marks):
            line.set_xdata([marks[i], marks[i]])
    a.ax_hist.set_xlim(lo, hi)
    a.ax_hist.set_ylim(0, heatmap.nice_ceil(1.1 * top))
    # the bars: w mapped through the kernel image's own colour map and limits (a bar at w has the colour a
    # pixel of value w has in the heatmap)
    a.hist_colours.set_data(np.linspace(lo, hi, 256)[None, :])
    a.hist_colours.set_clim(*a.im_kernel.get_clim())
    a.hist_colours.set_extent((lo, hi, 0, a.ax_hist.get_ylim()[1]))
    n = kernel.size
    a.hist_note.set_text(_("histogram of a random sample:\n{shown:,} of {n:,} weights").format(shown=values.size, n=n)
                         if values.size < n else _("histogram of all {n:,} weights").format(n=n))
    return values


def update_weights(a, kernel, bias, initializer, mode="mean", sample_size=SAMPLE_SIZE, seed=0, scale="true"):
    """Show kernel (in, units), bias (units,) or None, vs `initializer`; returns a dict of the numbers shown.

    scale 'true': colours span the kernel's true range (a block mean of small numbers looks pale, as it
    is); 'stretched': the pooled values' own spread (colour_limit), which hides how small block means are.
    """
    if scale not in SCALES:
        raise ValueError(f"Received an invalid value for `scale`, expected one of {tuple(SCALES)}. "
                         f"Received: scale={scale!r}")
    kernel = np.asarray(kernel)
    theory = initializer_theory(initializer, kernel.shape)
    pooled, block = heatmap.pool_to_axes(a.ax_kernel, kernel, mode)
    note = heatmap.pooling_note(block, mode)
    limit = (true_limit(kernel, theory) if scale == "true"
             else colour_limit(pooled, theory, block[0] * block[1] if mode == "mean" else 1))
    a.cbar.set_label(colourbar_label(block, mode), fontsize=NOTE_SIZE, labelpad=3)
    heatmap.update_pooled(a.im_kernel, pooled, block, kernel.shape, limit)
    a.title.set_text(_("kernel W {shape}").format(shape=kernel.shape))
    a.ax_kernel.set_ylabel(heatmap.index_label(_("input k"), kernel.shape[0]), fontsize=LABEL_SIZE)
    a.ax_bias.set_xlabel(heatmap.index_label(_("unit j"), kernel.shape[1]), labelpad=2, fontsize=LABEL_SIZE)
    a.note.set_text(_("{note} · colours: {scale}").format(note=note, scale=_(SCALES[scale])) if note
                    else _("each pixel: one weight"))
    show_cell_values(a.cell_texts, kernel if block == (1, 1) else None, limit)
    _update_bias(a, bias, block)
    values = _update_histogram(a, kernel, theory, sample_size, seed)
    a.hist_title.set_text(_("W vs {initializer}").format(initializer=getattr(initializer, "name", _("its initializer"))))
    a.theory_text.set_text(theory_label(theory))
    return {"block": block, "pooled": pooled, "note": note, "theory": theory, "limit": limit,
            "mean": float(values.mean()), "std": float(values.std()), "sampled": values.size < kernel.size}
