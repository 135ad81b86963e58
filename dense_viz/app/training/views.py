"""The training panel's views: readouts, loss curves, prediction over the data, gradient flow, units, norms.

Each figure view is a figure.FigureView (figure built once + Image, one PNG path) whose `refresh()` reads the
TrainingState and redraws in place; the app calls refresh() at a steady rate while training and after a
change while paused, and alone decides what is stale (each view's `depends`). Nothing is computed here except
the network's prediction on the boundary grid (through `state.predict`, the engine's Sequential.predict).
"""
import html
import re

import math

import ipywidgets as widgets
import numpy as np

from ...i18n import _
from ...plots import training as tplot
from ..figure import FigureView
from . import presets

BOUNDARY_GRID = 60   # the classification image is predicted on 60 × 60 points
CURVE_POINTS = 200   # the regression curve on 200 points


class _TrainingView(FigureView):
    """A training figure: `art` (the plots.training artists) in an Image; subclasses fill `draw()`."""

    depends = ("model", "arrays")
    needs = "model"

    def __init__(self, state, art, width_px):
        super().__init__(state, art.fig, width_px)
        self.art = art


class LossView(_TrainingView):
    """Train and test loss after each step (log y), accuracy for classification, the overfitting span."""

    css = "dv-train-loss-view"

    def __init__(self, state, width_px=440, height_px=280):
        super().__init__(state, tplot.loss_figure(width_px, height_px), width_px)

    def draw(self):
        s, h = self.state, self.state.history
        accuracy = (h["train_accuracy"], h["test_accuracy"]) if s.metric else (None, None)
        tplot.update_loss(self.art, h.steps, h["train_loss"], h["test_loss"], s.loss, *accuracy,
                          overfit_step=s.overfit_step)


class BoundaryView(_TrainingView):
    """Classification: class probabilities on a 60 × 60 grid under the points; regression: the fitted curve."""

    css = "dv-train-boundary-view"

    def __init__(self, state, width_px=330, height_px=280):
        super().__init__(state, tplot.boundary_figure(width_px, height_px, BOUNDARY_GRID), width_px)

    def draw(self):
        s, data = self.state, self.state.data
        extent = s.extent()
        if data.task == "regression":
            xs = np.linspace(extent[0], extent[1], CURVE_POINTS)
            y_pred = s.predict(xs[:, None])[:, 0]
            tplot.update_regression(self.art, extent, xs, y_pred, data.x_train, data.y_train, data.x_test,
                                    data.y_test)
            return
        grid = self.art.grid
        out = s.predict(tplot.grid_points(extent, grid))
        probs = np.concatenate([1.0 - out, out], axis=1) if out.shape[1] == 1 else out
        probs = probs.reshape(grid, grid, -1)
        tplot.update_classification(self.art, extent, probs, data.x_train, data.y_train, data.x_test, data.y_test)


def log_tween(start, end, fraction):
    """Heights `fraction` of the way from `start` (L,) to `end` (L,) on a log scale (where both are finite and
    positive; elsewhere the end value at once)."""
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    with np.errstate(all="ignore"):
        ok = np.isfinite(start) & np.isfinite(end) & (start > 0) & (end > 0)
        mid = np.exp(np.log(np.where(ok, start, 1.0)) * (1 - fraction) + np.log(np.where(ok, end, 1.0)) * fraction)
    return np.where(ok, mid, end)


class GradientFlowView(_TrainingView):
    """Mean and max |∂L/∂W| per layer at the latest step (bars, log y) and over the steps (lines).

    In slow motion (state.slow_motion) a new step's bars grow from the heights shown before over
    `tween_frames` draws: the runner's refresh is the first, its animate() calls the others."""

    css = "dv-train-gradients-view"
    tween_frames = 4

    def __init__(self, state, width_px=770, height_px=290):
        super().__init__(state, tplot.gradient_flow_figure(state.layer_labels(), width_px, height_px), width_px)
        self._note = widgets.HTML()
        self._note.add_class("dv-train-gradients-text")
        self.children = [self.image, self._note]
        self.progress = 1.0  # how far the bars are from the heights shown before to this step's (1: there)
        self._key = self._from = self.shown = None  # (model_version, step) drawn; start heights; heights drawn

    @property
    def tweening(self):
        """True while the bars have not reached this step's heights."""
        return self.progress < 1.0

    def draw(self):
        s, h = self.state, self.state.history
        labels = s.layer_labels()
        if labels != self.art.labels:
            tplot.reset_gradient_layers(self.art, labels)
        target = np.array([[layer["kernel"]["mean_abs"] for layer in s.stats],
                           [layer["kernel"]["max_abs"] for layer in s.stats]])
        key = (s.model_version, s.step)
        if key != self._key:  # a new step: tween from what is on screen (same layers), or jump
            same = self.shown is not None and self.shown.shape == target.shape and key[0] == (self._key or ())[0]
            self._from, self._key = (self.shown if same else target), key
            self.progress = 1.0 / self.tween_frames if s.slow_motion and same else 1.0
        else:
            self.progress = min(1.0, self.progress + 1.0 / self.tween_frames)
        self.shown = log_tween(self._from, target, self.progress)
        mean, maximum = self.shown
        tplot.update_gradient_flow(self.art, mean, maximum, h.steps, h["grad_mean"], h["grad_max"])

    def caption(self):
        s = self.state
        text = _("∂L/∂W of the kernels of all {n} layers, as the engine's backward pass computed it at step {step} "
                 "(on that step's batch, before its update). A gradient that shrinks layer after layer toward "
                 "layer 1 <i>vanishes</i>; one that is huge <i>explodes</i>. Lines: one point every {stride} "
                 "step(s).") if s.step else \
            _("∂L/∂W of the kernels of all {n} layers, as the engine's backward pass computed it at step 0: the "
              "gradients the first step will use. A gradient that shrinks layer after layer toward layer 1 "
              "<i>vanishes</i>; one that is huge <i>explodes</i>. Lines: one point every {stride} step(s).")
        self._note.value = "<span style='color:#556;font-size:12px'>" + text.format(
            n=len(s.model.layers), step=f"{s.step:,}", stride=s.history.stride) + "</span>"


class UnitsView(_TrainingView):
    """Per layer: fraction of dead and of saturated units on the latest step's batch."""

    css = "dv-train-units-view"

    def __init__(self, state, width_px=385, height_px=270):
        super().__init__(state, tplot.units_figure(state.layer_labels(), width_px, height_px), width_px)

    def draw(self):
        s = self.state
        labels = s.layer_labels()
        if labels != self.art.labels:
            tplot.reset_units_layers(self.art, labels)
        tplot.update_units(self.art, [layer["dead_fraction"] for layer in s.stats],
                           [layer["saturated_fraction"] for layer in s.stats])


class NormsView(_TrainingView):
    """The Frobenius norm of each layer's kernel after each step."""

    css = "dv-train-norms-view"

    def __init__(self, state, width_px=385, height_px=270):
        super().__init__(state, tplot.norms_figure(state.layer_labels(), width_px, height_px), width_px)

    def draw(self):
        s, h = self.state, self.state.history
        labels = s.layer_labels()
        if labels != self.art.labels:
            tplot.reset_norm_layers(self.art, labels)
        tplot.update_norms(self.art, h.steps, h["kernel_norm"])


def _value(css, tooltip):
    """An HTML element holding one value, with its DOM class."""
    value = widgets.HTML("", tooltip=_(tooltip))
    value.add_class(css)
    value.add_class("dv-readout-value")
    return value


def _card(title, *parts):
    """A small box: a grey title over the value elements (the single-layer app's readout style)."""
    head = widgets.HTML(f"<span style='color:#667;font-size:11px;text-transform:uppercase;"
                        f"letter-spacing:.04em'>{html.escape(_(title))}</span>")
    card = widgets.VBox([head, widgets.HBox(list(parts), layout=widgets.Layout(align_items="baseline"))])
    card.add_class("dv-readout")
    card.layout = widgets.Layout(border="1px solid #d8dde6", padding="2px 10px", margin="0 6px 6px 0")
    return card


def format_loss(value):
    """A loss for the readout: 4 significant digits, or 'nan'/'inf' as such."""
    return f"{value:.4g}" if np.isfinite(value) else str(value)


def format_accuracy(value):
    """An accuracy for the readout: '97.5%', or '–' when there is none (nan)."""
    return f"{100 * value:.1f}%" if np.isfinite(value) else "–"


class ReadoutView(widgets.VBox):
    """Loss and accuracy (train and test), step counter, steps per second (and the pace asked for) and epoch."""

    css = "dv-train-readout-view"

    def __init__(self, state):
        super().__init__()
        self.add_class(self.css)
        self.state = state
        self._loss = _value("dv-train-loss-readout", _("Loss on the whole train / test set after the latest step."))
        self._accuracy = _value("dv-train-accuracy-readout",
                                _("Accuracy on the whole train / test set after the latest step (binary: output "
                                  "> 0.5; multiclass: the argmax)."))
        self._steps = _value("dv-train-steps", _("Optimizer steps since the network was built."))
        self._sps = _value("dv-train-sps", _("Training steps per second achieved while playing (views included) "
                                             "and the speed asked for."))
        self._epoch = _value("dv-train-epoch", _("Passes over the training set."))
        self._accuracy_card = _card(_("Accuracy (train · test)"), self._accuracy)
        self.children = [widgets.HBox([
            _card(_("Loss (train · test)"), self._loss), self._accuracy_card, _card(_("Step"), self._steps),
            _card(_("Speed"), self._sps), _card(_("Epoch"), self._epoch),
        ], layout=widgets.Layout(flex_flow="row wrap"))]

    def refresh(self):
        """Write the numbers (text only, cheap)."""
        s = self.state
        if s.model is None:
            return
        big = "<b style='font-size:15px'>{}</b>"
        self._loss.value = f"{big.format(format_loss(s.train_loss))} · {big.format(format_loss(s.test_loss))}"
        self._accuracy_card.layout.display = None if s.metric else "none"
        self._accuracy.value = (f"{big.format(format_accuracy(s.train_accuracy))} · "
                                f"{big.format(format_accuracy(s.test_accuracy))}")
        self._steps.value = big.format(f"{s.step:,}")
        rate = _("{rate} steps/s").format(rate=f"{s.steps_per_second:,.0f}") if s.steps_per_second else "–"
        pace = _("max") if math.isinf(s.speed) else _("{speed}/s").format(speed=f"{s.speed:g}")
        extra = _("(paused)") if not s.running else _("(slow motion)") if s.slow_motion else ""
        asked = _("of {pace}").format(pace=pace) + (f" {extra}" if extra else "")  # the speed asked for
        self._sps.value = f"{big.format(rate)} <span style='color:#667'>{html.escape(asked)}</span>"
        self._epoch.value = big.format(f"{s.epoch:,}")

    def texts(self):
        """{'loss': '0.6931 · 0.6925', 'steps': '0', …}: the values as plain text (for tests)."""
        return {name: html.unescape(re.sub(r"<[^>]+>", "", getattr(self, f"_{name}").value)).strip()
                for name in ("loss", "accuracy", "steps", "sps", "epoch")}


CLAIM_COLORS = {True: ("#1d6b34", "✓"), False: ("#a11d1d", "✗"), None: ("#7a5200", "…")}


class ClaimView(widgets.HTML):
    """The preset's claim in one sentence and its live check (holds ✓ / does not ✗ / not yet …) with the numbers;
    empty for a custom configuration."""

    css = "dv-train-claim"
    depends = ("model", "arrays")

    def __init__(self, state):
        super().__init__(layout=widgets.Layout(margin="0 6px 6px 0", max_width="770px"))
        self.add_class(self.css)
        self.state = state
        self.holds = None  # the last check's verdict (tests)

    def refresh(self):
        """Find the preset the state is, and check its claim now."""
        s = self.state
        key = presets.BOOK.current(s) if s.model is not None else presets.CUSTOM
        if key == presets.CUSTOM:
            self.holds, self.value = None, ""
            return
        claim, self.holds, measured = presets.check_claim(s, key)
        color, mark = CLAIM_COLORS[self.holds]
        title = _("Claim")  # outside the f-string: Babel extracts it from there
        self.value = (f"<div style='font-size:12.5px;line-height:1.4;color:#334;border-left:3px solid #c9d3e3;"
                      f"padding:2px 8px'><b>{html.escape(title)}:</b> {html.escape(claim)} "
                      f"<span style='color:{color}'>{mark} {html.escape(measured)}</span></div>")

    def text(self):
        """The claim and its check as plain text (for tests)."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.value)).strip()
