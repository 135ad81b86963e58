"""View 2, Weights: the kernel as a (pooled) heatmap with the bias strip, and its histogram vs the initializer.

Wiring only: state → plots.weights → PNG. The picture depends on the weights alone, so it is cached per
`state.weights_version` (and pooling mode): a change of activation or batch costs nothing here.
"""
import html

import ipywidgets as widgets

from ...engine import initializers
from ...plots import weights as wplot
from ...plots.render import FrameCache


class WeightsView(widgets.VBox):
    """Kernel (input_dim, units) heatmap + bias (units,) strip + histogram vs theory, for an ExplainerState."""

    def __init__(self, state, width_px=780, height_px=320):
        """Build the figure (all artists), the image, the pooling toggle and the text once."""
        super().__init__()
        self.add_class("dv-weights-view")
        self.state = state
        self._artists = wplot.weights_figure(width_px, height_px)
        self._frames = FrameCache(self._artists.fig)
        self._image = widgets.Image(format="png", layout=widgets.Layout(
            width=f"{width_px}px", max_width="100%", height="auto"))  # 1:1 pixels; scaled down if narrower
        self._image.add_class("dv-weights-image")
        self._mode = widgets.ToggleButtons(
            options=[(label, mode) for mode, label in wplot.MODES.items()], value="mean",
            description="pooling", tooltips=["average of each block of weights",
                                             "the weight of largest |w| in each block, sign kept"],
            style={"button_width": "150px"})
        self._mode.add_class("dv-weights-pooling")
        self._mode.observe(lambda change: self.refresh(), names="value")
        self._text = widgets.HTML()
        self._text.add_class("dv-weights-text")
        self._key = None
        self.info = {}
        self.children = [self._image, self._mode, self._text]

    def refresh(self):
        """Redraw from the state, unless the weights (and pooling mode) are the ones already shown."""
        state = self.state
        if state.layer is None:
            return
        key = (state.weights_version, id(state.layer.kernel), self._mode.value)
        if key == self._key:
            return
        kernel, bias = state.layer.kernel, state.layer.bias
        init = state.layer.kernel_initializer
        if isinstance(init, str):  # defensive: the engine resolves names to objects
            init = initializers.get(init)
        self.info = wplot.update_weights(self._artists, kernel, bias, init, mode=self._mode.value,
                                         seed=state.seed)
        self._mode.layout.display = None if self.info["note"] else "none"
        self._image.value = self._frames.render()
        self._text.value = self._describe(kernel, bias, state.bias_initializer)
        self._key = key

    def _describe(self, kernel, bias, bias_init):
        """The HTML under the figure: shapes, formula with numbers, empirical vs theoretical mean/std."""
        info, theory = self.info, self.info["theory"]
        stats = f"empirical mean {info['mean']:.3g}, std {info['std']:.4g}"
        if info["sampled"]:
            stats += f" (from {wplot.SAMPLE_SIZE:,} sampled weights)"
        if theory.std is not None:
            stats += f" · theory mean {theory.mean:.3g}, std {theory.std:.4g}"
        lines = [f"<b>kernel W {kernel.shape}</b> = {kernel.size:,} weights (rows: input k, columns: unit j)",
                 html.escape(theory.formula), stats]
        if info["note"]:
            lines.append(f"{info['note']} — pooled so the image fits the screen")
        if bias is None:
            lines.append("no bias (use_bias=False)")
        else:
            lines.append(f"<b>bias b {bias.shape}</b> from {html.escape(bias_init)}: "
                         f"min {bias.min():.3g}, max {bias.max():.3g} (strip under the kernel, own colour scale)")
        return f'<div style="font-size: 13px; line-height: 1.6">{"<br>".join(lines)}</div>'
