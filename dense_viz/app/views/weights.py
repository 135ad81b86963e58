"""View 2, Weights: the kernel as a (pooled) heatmap with the bias strip, and its histogram vs the initializer.

Wiring only: state → plots.weights → PNG. The picture depends on the weights alone (`depends`), so the app
redraws it only when they are new arrays; the pooling toggle redraws it directly.
"""
import html

import ipywidgets as widgets

from ...plots import weights as wplot
from ..figure import FigureView, redraw_toggle
from ...i18n import N_, _


class WeightsView(FigureView):
    """Kernel (input_dim, units) heatmap + bias (units,) strip + histogram vs theory, for an ExplainerState."""

    css = "dv-weights-view"
    depends = ("weights",)
    needs = "layer"

    def __init__(self, state, width_px=780, height_px=320):
        """Build the figure (all artists), the image, the pooling toggle and the text once."""
        self._artists = wplot.weights_figure(width_px, height_px)
        super().__init__(state, self._artists.fig, width_px, "dv-weights-image")
        self._mode = redraw_toggle(self, "dv-weights-pooling", N_("pooling"), [
            ("mean", wplot.MODES["mean"], N_("average of each block of weights")),
            ("maxabs", wplot.MODES["maxabs"], N_("the weight of largest |w| in each block, sign kept"))])
        self._scale = redraw_toggle(self, "dv-weights-scale", N_("colours"), [
            ("true", N_("true range"), N_("colours span the kernel's own range of weights: block means of small "
                                          "weights look pale")),
            ("stretched", N_("stretched"), N_("colours stretched to the pooled values: patterns show, magnitudes do "
                                              "not"))])
        self._text = widgets.HTML()
        self._text.add_class("dv-weights-text")
        self.info = {}
        self.children = [self.image, self._mode, self._scale, self._text]

    def draw(self):
        """The state's kernel and bias, pooled with the toggle's mode, against the kernel's initializer."""
        layer = self.state.layer
        self.info = wplot.update_weights(self._artists, self.state.float_kernel, layer.bias, layer.kernel_initializer,
                                         mode=self._mode.value, seed=self.state.seed, scale=self._scale.value)
        self.image.layout.width = f"{round(self._artists.fig.bbox.width)}px"   # an 8-column kernel's figure grows

    def caption(self):
        """The pooling toggle (only when pooled) and the text under the figure."""
        layer = self.state.layer
        self._mode.layout.display = self._scale.layout.display = None if self.info["note"] else "none"
        self._text.value = self._describe(self.state.float_kernel, layer.bias, self.state.bias_initializer)

    def _describe(self, kernel, bias, bias_init):
        """The HTML under the figure: shapes, formula with numbers, empirical vs theoretical mean/std."""
        info, theory = self.info, self.info["theory"]
        stats = _("empirical mean {mean:.3g}, std {std:.4g}").format(mean=info["mean"], std=info["std"])
        if info["sampled"]:
            stats += " " + _("(from {n:,} sampled weights)").format(n=wplot.SAMPLE_SIZE)
        if theory.std is not None:
            stats += " · " + _("theory mean {mean:.3g}, std {std:.4g}").format(mean=theory.mean, std=theory.std)
        lines = [_("<b>kernel W {shape}</b> = {n:,} weights (rows: input k, columns: unit j)").format(
                     shape=kernel.shape, n=kernel.size),
                 html.escape(theory.formula), stats]
        if info["note"]:
            lines.append(_("{note} — pooled so the image fits the screen").format(note=info["note"]))
        if bias is None:
            lines.append(_("no bias (use_bias=False)"))
        else:
            lines.append(_("<b>bias b {shape}</b> from {init}: min {lo:.3g}, max {hi:.3g} (strip under the kernel, "
                           "own colour scale)").format(shape=bias.shape, init=html.escape(bias_init),
                                                       lo=bias.min(), hi=bias.max()))
        return f'<div style="font-size: 13px; line-height: 1.6">{"<br>".join(lines)}</div>'
