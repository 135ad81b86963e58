"""View: one learning step. `dv-sgd-step` applies W ← W − η·∂L/∂W, b ← b − η·∂L/∂b with the gradients the
Gradients tab shows, then the layer's constraints, and shows what changed: ΔW and Δb on one colour scale, the
loss before and after, and the entries a constraint clipped. "Reset weights" returns to the initializer's draw.
"""
import html

import ipywidgets as widgets
import numpy as np

from ...i18n import _
from ...plots import step as splot
from ..figure import FigureView
from ..parsing import number
from ..ui import bind, button


class StepView(FigureView):
    """One SGD step on this layer, before → after (an ExplainerState's `sgd_step` and `last_step`)."""

    css = "dv-step-view"
    depends = ("weights", "arrays")
    needs = "layer"

    def __init__(self, state, width_px=780, height_px=300):
        """Controls (η, step, reset), the ΔW figure and the text; nothing is drawn until a step is taken."""
        self._artists = splot.step_figure(width_px, height_px)
        super().__init__(state, self._artists.fig, width_px, "dv-step-image")
        rate = widgets.FloatText(description="η", step=0.01, continuous_update=False,
                                 tooltip=_("The learning rate η of the step: W ← W − η·∂L/∂W."),
                                 layout=widgets.Layout(width="150px"), style={"description_width": "20px"})
        bind(rate, state, "learning_rate", parse=number("learning_rate"), css="dv-learning-rate")
        step = button("One SGD step", "dv-sgd-step", "W ← W − η·∂L/∂W and b ← b − η·∂L/∂b, then the constraints",
                      state.sgd_step, state, width="auto", margin="0 8px")
        reset = button("Reset weights", "dv-reset-weights", "Back to the initializer's draw for this seed",
                       state.reset_weights, state, width="auto")
        self._text = widgets.HTML()
        self._text.add_class("dv-step-text")
        self.children = [widgets.HBox([rate, step, reset], layout=widgets.Layout(align_items="center")),
                         self._text, self.image]

    def draw(self):
        """ΔW, Δb and the clipped entries of the last step; hidden until the first step (or after a reset)."""
        last = self.state.last_step
        if last is None or last.weights_version != self.state.weights_version:
            self.image.layout.display = "none"
            return False
        self.image.layout.display = None
        splot.update_step(self._artists, last.delta["kernel"], last.delta.get("bias"), last.clipped["kernel"],
                          last.clipped.get("bias"))
        return True

    def caption(self):
        """The loss before → after, what was clipped, or how to take a step."""
        last, layer = self.state.last_step, self.state.layer
        if last is None or last.weights_version != self.state.weights_version:
            self._text.value = _paragraph(_(
                "Press <b>One SGD step</b>: the layer learns once from this batch with the gradients of the "
                "Gradients tab, W ← W − η·∂L/∂W and b ← b − η·∂L/∂b, then its constraints are applied."))
            return
        change = last.loss_after - last.loss_before
        lines = [_("loss before {before:.6g} → after {after:.6g} ({change:+.3g}) with η = {rate:g}").format(
            before=last.loss_before, after=last.loss_after, change=change, rate=last.learning_rate)]
        if change > 0:
            lines.append(_("The loss went up: η is too large for this batch; try a smaller η."))
        clipped = {name: int(np.count_nonzero(mask)) for name, mask in last.clipped.items()}
        for name, constraint in (("kernel", layer.kernel_constraint), ("bias", layer.bias_constraint)):
            if constraint is not None and name in clipped:
                lines.append(_("{constraint} changed {n:,} of {total:,} {name} entries after the step").format(
                    constraint=html.escape(getattr(constraint, "name", type(constraint).__name__)),
                    n=clipped[name], total=last.clipped[name].size, name=name))
        if layer.kernel_constraint is None and layer.bias_constraint is None:
            lines.append(_("No constraint: the weights are the plain SGD result (choose one under Advanced)."))
        self._text.value = _paragraph("<br>".join(lines))


def _paragraph(markup):
    return f"<div style='font-size:13px;line-height:1.6;margin:4px 0'>{markup}</div>"
