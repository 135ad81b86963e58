"""The training panel's views: readouts, loss curves, prediction over the data, gradient flow, units, norms.

Each figure view is a figure.FigureView (figure built once + Image, one PNG path) whose `refresh()` reads the
TrainingState and redraws in place; the app calls refresh() at a steady rate while training and after a
change while paused, and alone decides what is stale (each view's `depends`). Nothing is computed here except
the network's prediction on the boundary grid (through `state.predict`, the engine's Sequential.predict).
"""
import html
import re

import ipywidgets as widgets
import numpy as np

from ...plots import training as tplot
from ..figure import FigureView
from ...i18n import N_, _

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
    """Train and test loss after each step (log y)."""

    css = "dv-train-loss-view"

    def __init__(self, state, width_px=440, height_px=280):
        super().__init__(state, tplot.loss_figure(width_px, height_px), width_px)

    def draw(self):
        h = self.state.history
        tplot.update_loss(self.art, h.steps, h["train_loss"], h["test_loss"], self.state.loss)


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


class GradientFlowView(_TrainingView):
    """Mean and max |∂L/∂W| per layer at the latest step (bars, log y) and over the steps (lines)."""

    css = "dv-train-gradients-view"

    def __init__(self, state, width_px=770, height_px=290):
        super().__init__(state, tplot.gradient_flow_figure(state.layer_labels(), width_px, height_px), width_px)
        self._note = widgets.HTML()
        self._note.add_class("dv-train-gradients-text")
        self.children = [self.image, self._note]

    def draw(self):
        s, h = self.state, self.state.history
        labels = s.layer_labels()
        if labels != self.art.labels:
            tplot.reset_gradient_layers(self.art, labels)
        mean = np.array([layer["kernel"]["mean_abs"] for layer in s.stats])
        maximum = np.array([layer["kernel"]["max_abs"] for layer in s.stats])
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


class ReadoutView(widgets.VBox):
    """Loss (train and test), step counter, steps per second and epoch."""

    css = "dv-train-readout-view"

    def __init__(self, state):
        super().__init__()
        self.add_class(self.css)
        self.state = state
        self._loss = _value("dv-train-loss-readout", N_("Loss on the whole train / test set after the latest step."))
        self._steps = _value("dv-train-steps", N_("Optimizer steps since the network was built."))
        self._sps = _value("dv-train-sps", N_("Training steps per second achieved while playing (views included)."))
        self._epoch = _value("dv-train-epoch", N_("Passes over the training set."))
        self.children = [widgets.HBox([
            _card(N_("Loss (train · test)"), self._loss), _card(N_("Step"), self._steps),
            _card(N_("Speed"), self._sps), _card(N_("Epoch"), self._epoch),
        ], layout=widgets.Layout(flex_flow="row wrap"))]

    def refresh(self):
        """Write the numbers (text only, cheap)."""
        s = self.state
        if s.model is None:
            return
        self._loss.value = (f"<b style='font-size:15px'>{format_loss(s.train_loss)}</b> · "
                            f"<b style='font-size:15px'>{format_loss(s.test_loss)}</b>")
        self._steps.value = f"<b style='font-size:15px'>{s.step:,}</b>"
        rate = _("{rate} steps/s").format(rate=f"{s.steps_per_second:,.0f}") if s.steps_per_second else "–"
        paused_text = _("(paused)")
        paused = "" if s.running else f" <span style='color:#667'>{html.escape(paused_text)}</span>"
        self._sps.value = f"<b style='font-size:15px'>{rate}</b>{paused}"
        self._epoch.value = f"<b style='font-size:15px'>{s.epoch:,}</b>"

    def texts(self):
        """{'loss': '0.6931 · 0.6925', 'steps': '0', …}: the values as plain text (for tests)."""
        return {name: html.unescape(re.sub(r"<[^>]+>", "", getattr(self, f"_{name}").value)).strip()
                for name in ("loss", "steps", "sps", "epoch")}
