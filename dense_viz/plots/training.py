"""Figures of a network in training: loss curves, decision boundary, gradient flow, unit health, weight norms.

Builders make a Figure (Agg, fixed margins) once and return its artists in a SimpleNamespace whose
`dynamic` list holds the artists that change with training (lines, bars, images, points, a few texts; marked
animated); `update_*` functions put new numbers into them (set_data / set_height / set_offsets) and rescale
the axes; `reset_*` rebuilds bars and lines when the number of layers changes. render.FrameCache draws it.

Speed while training (≥ 10 redraws per second of several figures, on top of the training itself):
the static part of a figure — frame, ticks, labels, legends — is drawn once and cached as a bitmap
while the axes limits and labels stay the same; each redraw pastes it and draws only `dynamic`
(matplotlib's blitting, here into Agg → PNG). Limits move in coarse steps (x: 1-2-5 × 10ᵏ steps; log y:
whole decades), so the cache usually holds. Log axes get decade ticks in plain text (log minor ticks and
mathtext labels are the slowest part of a full draw).
"""
import math
from types import SimpleNamespace

import numpy as np
from matplotlib import colormaps
from matplotlib.patches import Rectangle
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator, PercentFormatter

from ..i18n import _
from .heatmap import new_figure, nice_ceil

# blue, orange, green, then the rest of a tab10-like palette: up to 10 classes (dense_viz.io.MAX_CLASSES)
CLASS_COLORS = np.array([[0.16, 0.42, 0.73], [0.90, 0.45, 0.10], [0.20, 0.60, 0.25], [0.84, 0.15, 0.16],
                         [0.58, 0.40, 0.74], [0.55, 0.34, 0.29], [0.89, 0.47, 0.76], [0.50, 0.50, 0.50],
                         [0.74, 0.74, 0.13], [0.09, 0.75, 0.81]])
TRAIN_COLOR, TEST_COLOR = "#2a6bba", "#d9661a"
DEAD_COLOR, SATURATED_COLOR = "#444444", "#e8a33d"
OVERFIT_COLOR = "#f3c9c9"
MEAN_COLOR, MAX_COLOR = "#2a6bba", "#a9c6ea"
FLOOR = 1e-30  # smallest value a log axis shows; a gradient of exactly 0 is marked "0" at the bottom
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
TICK_SIZE, LABEL_SIZE, TITLE_SIZE, LEGEND_SIZE = 8, 9, 10, 7.5


# -- artists that change -------------------------------------------------------------------------------------
def _dynamic(art, *artists):
    """Mark artists as changing with training (drawn on every render, never cached)."""
    for artist in artists:
        artist.set_animated(True)
        art.dynamic.append(artist)


# -- axes helpers -----------------------------------------------------------------------------------------------
def decade_label(value, _position=None):
    """A log-axis tick label for 10**k: '10⁻³' (plain text: mathtext is slow to lay out), '1' and '10'."""
    if value <= 0 or not math.isfinite(value):
        return ""
    k = round(math.log10(value))
    return {0: "1", 1: "10"}.get(k, "10" + str(k).translate(_SUPERSCRIPT))


def short_label(value, _position=None):
    """A tick label on a short log axis (1-2-5 ticks): '0.02', '50', or far from 1 '2·10⁴'."""
    if value <= 0 or not math.isfinite(value):
        return ""
    k = math.floor(math.log10(value) + 1e-9)
    mantissa = round(value / 10.0 ** k, 6)
    if -3 <= k <= 3:
        return f"{value:g}"
    return ("" if mantissa == 1 else f"{mantissa:g}·") + "10" + str(k).translate(_SUPERSCRIPT)


def times_ten(value, digits=2):
    """A positive number as '7.0 × 10⁵' (or '35' / '0.42' when 10⁻² ≤ value < 10³)."""
    if not math.isfinite(value) or value <= 0:
        return str(value)
    if 1e-2 <= value < 1e3:
        return f"{value:.{digits}g}"
    k = math.floor(math.log10(value))
    return f"{value / 10 ** k:.{digits - 1}f} × 10" + str(k).translate(_SUPERSCRIPT)


def set_log_limits(ax, values, min_decades=2, pad_low=1, pad_high=1, slack=3):
    """Log y-limits in whole decades covering the finite positive `values`; returns (low, high).

    The limits are sticky: they stay while they cover the values with at most `slack` spare decades, and
    when they must move they get `pad_low` / `pad_high` decades of headroom. So values that wobble around a
    decade boundary step after step do not move the axis (and the cached static layer stays valid).
    Ticks at ≤ 6 decades, plus 2 and 5 between them when the axis spans at most two decades.
    """
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v) & (v > 0)]
    low, high = (max(float(v.min()), FLOOR), max(float(v.max()), FLOOR)) if v.size else (1e-3, 1.0)
    lo, hi = math.floor(math.log10(low)), math.ceil(math.log10(high))
    hi = max(hi, lo + 1)
    current_lo, current_hi = (round(math.log10(limit)) for limit in ax.get_ylim())
    if current_lo <= lo and hi <= current_hi and (current_hi - current_lo) - (hi - lo) <= slack:
        return 10.0 ** current_lo, 10.0 ** current_hi
    lo, hi = lo - pad_low, hi + pad_high
    if hi - lo < min_decades:
        lo = hi - min_decades
    ax.set_ylim(10.0 ** lo, 10.0 ** hi)
    if hi - lo <= 2:
        ticks = [m * 10.0 ** k for k in range(lo, hi) for m in (1, 2, 5)] + [10.0 ** hi]
        ax.yaxis.set_major_formatter(FuncFormatter(short_label))
    else:
        ticks = [10.0 ** k for k in range(hi, lo - 1, -max(1, math.ceil((hi - lo) / 5)))]
        ax.yaxis.set_major_formatter(FuncFormatter(decade_label))
    ax.yaxis.set_major_locator(FixedLocator(ticks))
    return 10.0 ** lo, 10.0 ** hi


def _set_step_limits(ax, steps):
    """x from 0 to a 1-2-5 ceiling of the last step (at least 10)."""
    ax.set_xlim(0, nice_ceil(max(int(steps[-1]) if len(steps) else 0, 10), steps=(1.0, 2.0, 5.0)))


def _style(ax, title, xlabel="", ylabel="", log_y=False):
    """Small fonts, few ticks, a light grid, a left-aligned title; log y with decade labels when asked."""
    ax.set_title(title, fontsize=TITLE_SIZE, loc="left")
    ax.set_xlabel(xlabel, fontsize=LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=TICK_SIZE)
    ax.set_autoscale_on(False)  # limits are set explicitly by the update functions
    if log_y:
        ax.set_yscale("log")
        ax.set_ylim(1e-3, 1.0)
        ax.yaxis.set_major_formatter(FuncFormatter(decade_label))
        ax.yaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_locator(MaxNLocator(5, integer=True))
    ax.grid(True, color="#e6e6e6", linewidth=0.6)
    ax.set_axisbelow(True)


def layer_colors(n):
    """n colours from dark (first layer) to light (output layer), viridis."""
    return colormaps["viridis"](np.linspace(0.0, 0.85, n))


def _finite(steps, values):
    """steps, values restricted to finite positive values (for log axes)."""
    values = np.asarray(values, dtype=np.float64)
    keep = np.isfinite(values) & (values > 0)
    return np.asarray(steps)[keep], values[keep]


def _layer_legend(ax, lines, labels):
    """'layer 1 2 … out' as a one-row legend above the axes (outside the data, so it can stay static)."""
    ax.legend(lines, labels, loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=LEGEND_SIZE, frameon=False,
              ncols=len(labels), handlelength=0.9, columnspacing=0.6, handletextpad=0.3, borderaxespad=0.2)


# -- loss curves ------------------------------------------------------------------------------------------------
def loss_figure(width_px=440, height_px=280):
    """Train and test loss over steps (log y, left) and, for classification, train and test accuracy (dashed,
    right axis 0–100 %); a dot at each latest value; a red span where the model overfits. Returns its artists."""
    fig = new_figure(width_px, height_px)
    fig.subplots_adjust(left=0.165, right=0.88, top=0.80, bottom=0.16)
    ax = fig.add_subplot()
    _style(ax, _("Loss"), _("step"), "", log_y=True)
    ax.set_title(_("Loss"), fontsize=TITLE_SIZE, loc="left", pad=16)  # above the legend row
    acc_ax = ax.twinx()
    acc_ax.set_ylim(0.0, 1.0)
    acc_ax.set_autoscale_on(False)
    acc_ax.yaxis.set_major_locator(FixedLocator([0.0, 0.25, 0.5, 0.75, 1.0]))
    acc_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    acc_ax.tick_params(labelsize=TICK_SIZE)
    art = SimpleNamespace(fig=fig, ax=ax, acc_ax=acc_ax, dynamic=[])
    art.overfit = Rectangle((0.0, 0.0), 0.0, 1.0, transform=ax.get_xaxis_transform(), color=OVERFIT_COLOR,
                            alpha=0.6, lw=0, zorder=0.5, visible=False)
    ax.add_patch(art.overfit)
    art.train, = ax.plot([], [], color=TRAIN_COLOR, lw=1.5)
    art.test, = ax.plot([], [], color=TEST_COLOR, lw=1.5)
    art.train_last, = ax.plot([], [], "o", color=TRAIN_COLOR, ms=4)
    art.test_last, = ax.plot([], [], "o", color=TEST_COLOR, ms=4)
    art.train_acc, = acc_ax.plot([], [], color=TRAIN_COLOR, lw=1.0, ls=(0, (3, 2)), alpha=0.8)
    art.test_acc, = acc_ax.plot([], [], color=TEST_COLOR, lw=1.0, ls=(0, (3, 2)), alpha=0.8)
    art.note = ax.text(0.01, 0.02, "", transform=ax.transAxes, fontsize=TICK_SIZE, color="#a11d1d")
    art.overfit_label = ax.text(0.0, 0.03, "", transform=ax.get_xaxis_transform(), ha="left", va="bottom",
                                fontsize=TICK_SIZE, color="#a11d1d", zorder=5,
                                bbox={"boxstyle": "square,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    art.classification = None  # which legend the figure shows (set by update_loss)
    _dynamic(art, art.overfit, art.train, art.test, art.train_last, art.test_last, art.train_acc, art.test_acc,
             art.note, art.overfit_label)
    return art


def _loss_legend(art, classification):
    """train · test (· train acc · test acc) in one row above the axes, under the title."""
    lines, labels = [art.train, art.test], [_("train loss"), _("test loss")]
    if classification:
        lines += [art.train_acc, art.test_acc]
        labels += [_("train acc."), _("test acc.")]
    art.ax.legend(lines, labels, loc="lower right", bbox_to_anchor=(1.0, 1.0), fontsize=LEGEND_SIZE,
                  frameon=False, ncols=len(lines), borderaxespad=0.2, handlelength=1.6, columnspacing=0.9)
    art.acc_ax.set_visible(classification)
    art.classification = classification


def update_loss(art, steps, train_loss, test_loss, loss_name, train_acc=None, test_acc=None, overfit_step=None):
    """Put the train (n,) and test (n,) loss at `steps` (n,) into the curves and, when given, the train and test
    accuracy (n,) in [0, 1]; shade from `overfit_step` (or None) to the last step. Rescales the axes."""
    for line, last, values in ((art.train, art.train_last, train_loss), (art.test, art.test_last, test_loss)):
        x, y = _finite(steps, values)
        line.set_data(x, y)
        last.set_data(x[-1:], y[-1:])
    classification = train_acc is not None
    if art.classification != classification:
        _loss_legend(art, classification)
    for line, values in ((art.train_acc, train_acc), (art.test_acc, test_acc)):
        values = np.asarray(values if values is not None else [], dtype=np.float64)
        keep = np.isfinite(values)
        line.set_data(np.asarray(steps)[keep] if classification else [], values[keep])
    art.ax.set_ylabel(loss_name, fontsize=LABEL_SIZE)
    art.ax.set_title(_("Loss and accuracy") if classification else _("Loss"), fontsize=TITLE_SIZE, loc="left",
                     pad=16)
    _set_step_limits(art.ax, steps)
    set_log_limits(art.ax, np.concatenate([np.ravel(train_loss), np.ravel(test_loss)]), min_decades=1,
                   pad_high=0, slack=1)
    last = int(steps[-1]) if len(steps) else 0
    shaded = overfit_step is not None and last > overfit_step
    art.overfit.set_visible(shaded)
    art.overfit_label.set_visible(shaded)
    if shaded:
        art.overfit.set_x(overfit_step)
        art.overfit.set_width(last - overfit_step)
        left = overfit_step <= 0.6 * art.ax.get_xlim()[1]  # the label inside the span, or left of it
        art.overfit_label.set_x(overfit_step)
        art.overfit_label.set_ha("left" if left else "right")
        art.overfit_label.set_text(_(" overfitting since step {step} ").format(step=overfit_step))
    bad = int(np.sum(~np.isfinite(np.asarray(train_loss, dtype=np.float64))))
    art.note.set_text(_("{n} non-finite loss value(s) not drawn").format(n=bad) if bad else "")


# -- decision boundary / fitted curve ---------------------------------------------------------------------------
def boundary_figure(width_px=330, height_px=280, grid=60):
    """The data over the network's prediction: an RGB image (classification) or a curve (regression)."""
    fig = new_figure(width_px, height_px)
    fig.subplots_adjust(left=0.17, right=0.96, top=0.89, bottom=0.16)
    ax = fig.add_subplot()
    _style(ax, _("Prediction"))
    ax.grid(False)
    ax.xaxis.set_major_locator(MaxNLocator(5))
    ax.yaxis.set_major_locator(MaxNLocator(5))
    art = SimpleNamespace(fig=fig, ax=ax, dynamic=[], grid=grid)
    art.image = ax.imshow(np.ones((grid, grid, 3)), origin="lower", extent=(-1, 1, -1, 1), aspect="auto",
                          interpolation="bilinear", zorder=0)
    art.curve, = ax.plot([], [], color="#222", lw=2, zorder=4)
    art.train = ax.scatter(np.empty(0), np.empty(0), s=14, linewidths=0.5, edgecolors="white", zorder=3)
    art.test = ax.scatter(np.empty(0), np.empty(0), s=16, linewidths=1.2, facecolors="none", zorder=3)
    art.note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=LABEL_SIZE,
                       color="#a11d1d", zorder=5, bbox={"fc": "white", "ec": "#f0b4b4", "alpha": 0.9})
    _dynamic(art, art.image, art.train, art.test, art.curve, art.note)
    return art


def grid_points(extent, grid):
    """The (grid², 2) points of a grid×grid lattice over extent (x0, x1, y0, y1), row-major from the bottom."""
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, grid), np.linspace(y0, y1, grid))
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def probabilities_to_rgb(probs):
    """(h, w, C) class probabilities -> (h, w, 3) colours: the likeliest class's colour, faded to white as
    the network becomes unsure (white where two classes are equally likely: the decision boundary)."""
    n_classes = probs.shape[-1]
    best = np.argmax(probs, axis=-1)
    confidence = (np.max(probs, axis=-1) - 1.0 / n_classes) / (1.0 - 1.0 / n_classes)
    strength = 0.55 * np.clip(confidence, 0.0, 1.0)[..., None]
    return 1.0 - strength * (1.0 - CLASS_COLORS[best])


def _class_colors(labels):
    """(n, 4) RGBA of integer class labels (n,)."""
    labels = np.asarray(labels).astype(np.int64).ravel()
    return np.column_stack([CLASS_COLORS[labels], np.ones(len(labels))])


def _points(x, y=None):
    """(n, 2) offsets for a scatter: x (n, 2), or x (n, 1) with y (n, 1); (0, 2) when empty."""
    if len(x) == 0:
        return np.empty((0, 2))
    return np.asarray(x) if y is None else np.column_stack([np.ravel(x), np.ravel(y)])


def update_classification(art, extent, probs, x_train, y_train, x_test, y_test):
    """Show class probabilities (grid, grid, C) over `extent` and the labelled points x (n, 2), y (n,)/(n, 1).
    Non-finite probabilities are drawn white (unsure) and reported in a note."""
    finite = np.isfinite(probs).all(axis=-1)
    art.note.set_text("" if finite.all() else _("the network's outputs are not finite"))
    art.note.set_visible(not finite.all())
    probs = np.where(finite[..., None], probs, 1.0 / probs.shape[-1])
    art.image.set_visible(True)
    art.curve.set_visible(False)
    art.image.set_data(probabilities_to_rgb(probs))
    art.image.set_extent(extent)
    art.train.set_offsets(_points(x_train))
    art.train.set_facecolors(_class_colors(y_train))
    art.train.set_edgecolors("white")
    art.test.set_offsets(_points(x_test))
    art.test.set_edgecolors(_class_colors(y_test) if len(x_test) else "none")
    art.test.set_facecolors("none")
    art.ax.set_xlim(extent[0], extent[1])
    art.ax.set_ylim(extent[2], extent[3])
    art.ax.set_xlabel("x₁", fontsize=LABEL_SIZE)
    art.ax.set_ylabel("x₂", fontsize=LABEL_SIZE)
    art.ax.set_title(_("Decision boundary (● train, ○ test)"), fontsize=TITLE_SIZE, loc="left")


def update_regression(art, extent, xs, y_pred, x_train, y_train, x_test, y_test):
    """Show the fitted curve y_pred (m,) at xs (m,) and the points x (n, 1), y (n, 1)."""
    art.image.set_visible(False)
    art.curve.set_visible(True)
    finite = np.isfinite(y_pred)
    art.note.set_text("" if finite.all() else _("the network's outputs are not finite"))
    art.note.set_visible(not finite.all())
    art.curve.set_data(np.asarray(xs)[finite], np.asarray(y_pred)[finite])
    art.train.set_offsets(_points(x_train, y_train))
    art.train.set_facecolors(TRAIN_COLOR)
    art.train.set_edgecolors("white")
    art.test.set_offsets(_points(x_test, y_test))
    art.test.set_edgecolors(TEST_COLOR)
    art.test.set_facecolors("none")
    art.ax.set_xlim(extent[0], extent[1])
    art.ax.set_ylim(extent[2], extent[3])
    art.ax.set_xlabel("x", fontsize=LABEL_SIZE)
    art.ax.set_ylabel("y", fontsize=LABEL_SIZE)
    art.ax.set_title(_("Fitted curve (● train, ○ test)"), fontsize=TITLE_SIZE, loc="left")


# -- per-layer bars and lines -----------------------------------------------------------------------------------
def _bars(art, ax, n, offsets, width, colors):
    """One BarContainer per offset at x = layer index + offset (heights 0 for now); their patches are dynamic."""
    containers = [ax.bar(np.arange(n) + off, np.zeros(n), width, color=color, zorder=2)
                  for off, color in zip(offsets, colors)]
    for container in containers:
        _dynamic(art, *container.patches)
    return containers


def _set_bar_heights(container, values, bottom=0.0):
    """Bars from `bottom` up to each value (non-finite values and values at or below the bottom are flat)."""
    for rect, value in zip(container.patches, values):
        value = float(value) if math.isfinite(value) else bottom
        rect.set_y(bottom)
        rect.set_height(max(value, bottom) - bottom)


def _layer_axis(ax, labels):
    """x ticks at the layers, labelled 1, 2, …, out."""
    ax.set_xticks(np.arange(len(labels)), labels)
    ax.set_xlim(-0.6, len(labels) - 0.4)
    ax.set_xlabel("layer", fontsize=LABEL_SIZE)


def _reset(art, labels):
    """Forget the dynamic artists before a figure is rebuilt for `labels` (its ticks and legend key a new frame)."""
    art.dynamic = []
    art.labels = list(labels)


def gradient_flow_figure(labels, width_px=770, height_px=290):
    """Left: mean and max |∂L/∂W| per layer as bars (log y); right: their history per layer as lines."""
    fig = new_figure(width_px, height_px)
    fig.subplots_adjust(left=0.07, right=0.97, top=0.80, bottom=0.16, wspace=0.2)
    art = SimpleNamespace(fig=fig, bars_ax=fig.add_subplot(1, 2, 1), lines_ax=fig.add_subplot(1, 2, 2))
    reset_gradient_layers(art, labels)
    return art


def reset_gradient_layers(art, labels):
    """(Re)create the bars and lines of a gradient-flow figure for `labels` (one per layer)."""
    _reset(art, labels)
    bars_ax, lines_ax = art.bars_ax, art.lines_ax
    for ax in (bars_ax, lines_ax):
        ax.cla()
    _style(bars_ax, _("|∂L/∂W| per layer, this step") + "\n", log_y=True)
    _layer_axis(bars_ax, labels)
    art.max_bars, art.mean_bars = _bars(art, bars_ax, len(labels), (0.0, 0.0), 0.7, (MAX_COLOR, MEAN_COLOR))
    bars_ax.legend([art.max_bars, art.mean_bars], [_("max"), _("mean")], loc="lower right", bbox_to_anchor=(1.0, 1.0),
                   fontsize=LEGEND_SIZE, frameon=False, ncols=2, borderaxespad=0.2)
    art.zero_marks = [bars_ax.text(i, 1.0, "0", ha="center", va="bottom", fontsize=TICK_SIZE, color="#a11d1d",
                                   visible=False) for i in range(len(labels))]
    art.ratio = bars_ax.text(0.02, 0.96, "", transform=bars_ax.transAxes, ha="left", va="top",
                             fontsize=TICK_SIZE, color="#222", zorder=5,
                             bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "#ccc", "alpha": 0.9})
    _style(lines_ax, _("mean |∂L/∂W| over steps (thin: max)") + "\n", _("step"), log_y=True)
    colors = layer_colors(len(labels))
    art.mean_lines = [lines_ax.plot([], [], color=c, lw=1.4, marker="o", ms=3, markevery=slice(-1, None))[0]
                      for c in colors]  # a dot on the latest value (also the only point at step 0)
    art.max_lines = [lines_ax.plot([], [], color=c, lw=0.6, alpha=0.55)[0] for c in colors]
    _layer_legend(lines_ax, art.mean_lines, labels)
    _dynamic(art, *art.max_lines, *art.mean_lines, *art.zero_marks, art.ratio)


def update_gradient_flow(art, mean, maximum, steps, mean_history, max_history):
    """Bars: this step's mean (L,) and max (L,) |∂L/∂W|; lines: their history (n, L) at steps (n,)."""
    mean, maximum = np.asarray(mean, dtype=np.float64), np.asarray(maximum, dtype=np.float64)
    floor, _ceiling = set_log_limits(art.bars_ax, np.concatenate([mean, maximum]))
    _set_bar_heights(art.max_bars, maximum, floor)
    _set_bar_heights(art.mean_bars, mean, floor)
    for mark, value in zip(art.zero_marks, mean):  # "0" at the bottom, "inf"/"nan" at the top
        finite = math.isfinite(value)
        mark.set_visible(bool(value == 0 or not finite))
        mark.set_text("0" if finite else str(value))
        mark.set_va("bottom" if finite else "top")
        bottom, top = art.bars_ax.get_ylim()
        mark.set_y(floor if finite else top * (bottom / top) ** 0.22)  # non-finite: under the ratio box
    first, last = mean[0], mean[-1]
    if first > 0 and math.isfinite(first) and math.isfinite(last):
        art.ratio.set_text(_("mean |∂L/∂W| of out / layer 1: {ratio}").format(ratio=times_ten(last / first)))
    else:
        art.ratio.set_text(_("layer 1 gets no gradient (0)") if first == 0 else _("non-finite gradients"))
    for i, (mean_line, max_line) in enumerate(zip(art.mean_lines, art.max_lines)):
        mean_line.set_data(*_finite(steps, mean_history[:, i]))
        max_line.set_data(*_finite(steps, max_history[:, i]))
    _set_step_limits(art.lines_ax, steps)
    set_log_limits(art.lines_ax, np.concatenate([np.ravel(mean_history), np.ravel(max_history)]))


def _per_layer_figure(labels, reset, width_px, height_px):
    """A one-axes figure whose artists `reset(art, labels)` (re)creates per layer."""
    fig = new_figure(width_px, height_px)
    fig.subplots_adjust(left=0.14, right=0.97, top=0.80, bottom=0.16)
    art = SimpleNamespace(fig=fig, ax=fig.add_subplot())
    reset(art, labels)
    return art


def units_figure(labels, width_px=385, height_px=270):
    """Per layer: fraction of dead units and of saturated units on this step's batch (grouped bars)."""
    return _per_layer_figure(labels, reset_units_layers, width_px, height_px)


def reset_units_layers(art, labels):
    """(Re)create the bars of a units figure for `labels`."""
    _reset(art, labels)
    ax = art.ax
    ax.cla()
    _style(ax, _("Dead and saturated units, this step") + "\n", "", _("fraction of the layer's units"))
    _layer_axis(ax, labels)
    ax.set_ylim(0, 1.0)
    ax.yaxis.set_major_locator(FixedLocator([0, 0.25, 0.5, 0.75, 1.0]))
    art.dead, art.saturated = _bars(art, ax, len(labels), (-0.2, 0.2), 0.38, (DEAD_COLOR, SATURATED_COLOR))
    art.note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", fontsize=LABEL_SIZE,
                       color="#556")
    _dynamic(art, art.note)
    ax.legend([art.dead, art.saturated], [_("dead: ∂y/∂z = 0"), _("saturated: |∂y/∂z| < 10⁻³")], loc="lower right",
              bbox_to_anchor=(1.0, 1.0), fontsize=LEGEND_SIZE, frameon=False, ncols=2, borderaxespad=0.2)


def update_units(art, dead, saturated):
    """Heights: dead (L,) and saturated (L,) fractions in [0, 1]."""
    _set_bar_heights(art.dead, dead)
    _set_bar_heights(art.saturated, saturated)
    quiet = not (np.any(np.asarray(dead) > 0) or np.any(np.asarray(saturated) > 0))
    art.note.set_text(_("no dead or saturated units on this batch") if quiet else "")


def norms_figure(labels, width_px=385, height_px=270):
    """‖W‖ (Frobenius norm of each kernel) over steps, one line per layer (log y)."""
    return _per_layer_figure(labels, reset_norm_layers, width_px, height_px)


def reset_norm_layers(art, labels):
    """(Re)create the lines of a norms figure for `labels`."""
    _reset(art, labels)
    ax = art.ax
    ax.cla()
    _style(ax, _("Kernel norms ‖W‖ over steps") + "\n", _("step"), log_y=True)
    art.lines = [ax.plot([], [], color=c, lw=1.4, marker="o", ms=3, markevery=slice(-1, None))[0]
                 for c in layer_colors(len(labels))]
    _layer_legend(ax, art.lines, labels)
    _dynamic(art, *art.lines)


def update_norms(art, steps, norms):
    """Lines: norms (n, L) at steps (n,)."""
    for i, line in enumerate(art.lines):
        line.set_data(*_finite(steps, norms[:, i]))
    _set_step_limits(art.ax, steps)
    set_log_limits(art.ax, norms, min_decades=1, pad_low=0, pad_high=0, slack=2)
