"""View: Adapt & compress. LoRA (lora_rank, lora_alpha): the frozen W, A, B and ΔW = (α/r)·A·B side by side with
the trainable parameter counts; int8 (quantization): the int8 kernel, its scales, the dequantized kernel and the
error W − dequant(W), with the memory float32 vs int8 + scales. Both as Keras 3 does them (the engine's Dense).
"""
import ipywidgets as widgets
import numpy as np

from ...engine.quantize import dequantize
from ...engine.sequential import readable_memory_size
from ...i18n import _
from ...plots import adapt as aplot
from ..figure import FigureView


class _Panel(FigureView):
    """One row of four heatmaps: drawn by `update(artists, state)` while `shown(layer)`, hidden otherwise."""

    depends, needs = ("weights",), "layer"

    def __init__(self, state, figure, update, shown, css):
        self._artists, self._update, self._shown = figure(), update, shown
        super().__init__(state, self._artists.fig, 780, css)

    def draw(self):
        if not self._shown(self.state.layer):
            return False
        self._update(self._artists, self.state)
        return True


def _draw_lora(artists, state):
    layer = state.layer
    aplot.update_lora(artists, state.float_kernel, layer.lora_kernel_a, layer.lora_kernel_b, layer.lora_scale)


def _draw_int8(artists, state):
    layer = state.layer
    aplot.update_int8(artists, state.float_kernel, layer.kernel, layer.kernel_scale,
                      dequantize(layer.kernel, layer.kernel_scale))


class AdaptView(widgets.VBox):
    """LoRA and int8 of this layer: figures and the counts (trainable before/after, memory before/after)."""

    depends = ("weights", "arrays")

    def __init__(self, state):
        super().__init__()
        self.add_class("dv-adapt-view")
        self.state = state
        self.lora = _Panel(state, aplot.lora_figure, _draw_lora, lambda layer: layer.lora_enabled,
                           "dv-adapt-lora-image")
        self.int8 = _Panel(state, aplot.int8_figure, _draw_int8, lambda layer: layer.quantization_mode == "int8",
                           "dv-adapt-int8-image")
        self._lora_text, self._int8_text, self._intro = widgets.HTML(), widgets.HTML(), widgets.HTML()
        for widget, css in ((self._lora_text, "dv-adapt-lora-text"), (self._int8_text, "dv-adapt-int8-text"),
                            (self._intro, "dv-adapt-intro")):
            widget.add_class(css)
        self.children = [self._intro, self._lora_text, self.lora, self._int8_text, self.int8]

    def refresh(self):
        """Both parts from the state: shown when switched on (Advanced › Adapt & compress), else a hint."""
        state, layer = self.state, self.state.layer
        self.lora.refresh()
        self.int8.refresh()
        self.lora.layout.display = None if layer.lora_enabled else "none"
        self.int8.layout.display = None if layer.quantization_mode else "none"
        n_in, units = state.input_dim, state.units
        full = n_in * units + (units if state.use_bias else 0)
        if not layer.lora_enabled and not layer.quantization_mode:
            self._intro.value = _para(_(
                "Switch on LoRA (lora_rank) or int8 (quantization) under Advanced › Adapt & compress: LoRA freezes "
                "W and learns a low-rank change ΔW = (α/r)·A·B; int8 stores W as 8-bit integers with one scale per "
                "unit. This layer: {n:,} trainable parameters, kernel {mb} in float32.").format(
                    n=full, mb=readable_memory_size(4 * n_in * units)))
        else:
            self._intro.value = ""
        if layer.lora_enabled:
            r = layer.lora_rank
            lora = r * (n_in + units)
            trainable = lora + (units if state.use_bias else 0)
            self._lora_text.value = _para(_(
                "<b>LoRA, r = {r}, α = {alpha:g}</b>: W ({n_in} × {units}) is frozen; A ({n_in} × {r}) and B ({r} × "
                "{units}) learn. Trainable: {trainable:,} = {r} × ({n_in} + {units}){bias} instead of {full:,} "
                "({share:.1%}). The layer applies W + (α/r)·A·B; a learning step (tab Learning step) moves A, B "
                "and the bias only.").format(r=r, alpha=layer.lora_alpha, n_in=n_in, units=units, trainable=trainable,
                                             bias=f" + {units}" if state.use_bias else "", full=full,
                                             share=trainable / full))
        else:
            self._lora_text.value = ""
        if layer.quantization_mode:
            error = np.abs(state.float_kernel - dequantize(layer.kernel, layer.kernel_scale))
            float_bytes, int8_bytes = 4 * n_in * units, n_in * units + 4 * units
            self._int8_text.value = _para(_(
                "<b>int8</b>: each unit's weights are divided by their largest |w| and rounded to −127 … 127; "
                "inputs are quantized per row on every call. Kernel memory {before} in float32 → {after} as int8 + "
                "{units} float32 scales ({ratio:.0%}). Error |W − dequant(W)|: max {peak:.3g}, mean {mean:.3g}.").format(
                    before=readable_memory_size(float_bytes), after=readable_memory_size(int8_bytes), units=units,
                    ratio=int8_bytes / float_bytes, peak=float(error.max()), mean=float(error.mean())))
        else:
            self._int8_text.value = ""


def _para(markup):
    return f"<div style='font-size:13px;line-height:1.6;margin:4px 0'>{markup}</div>"

