"""View 4, Gradients: the loss, δ = ∂L/∂z, ∂L/∂W, ∂L/∂b, ∂L/∂x (heatmaps with shapes and norms), dead and
saturated units, and a finite-difference check of a few entries.

Wiring only: state → plots.gradients → PNG, state → engine (unit health, sliced gradient check) → HTML.
Everything shown depends on the state's arrays, not on the selection (sample / unit): `depends`, so the app
redraws it — the check included — only after a recompute.
"""
import html

import ipywidgets as widgets
import numpy as np

from ...engine import gradcheck
from ...engine.layers import format_shape
from ...plots import gradients as gplot
from .. import diagnostics
from ..catalog import loss_text
from ...i18n import N_, _
from ..figure import FigureView, click_hint, redraw_toggle
from .markup import paragraph

CHECK_ENTRIES = 4          # entries checked per gradient (∂L/∂W, ∂L/∂b, ∂L/∂x)
PARAM_SYMBOL = {"kernel": "W", "bias": "b", "x": "x"}
TABLE_STYLE = "font-size:12px;line-height:1.5;border-collapse:collapse;margin:2px 0 6px"
CLICK_HINT = N_("Click a cell of δ, ∂L/∂W, ∂L/∂b or ∂L/∂x to select its sample i (and position) and/or "
                "unit j: the Forward tab then writes that y[i, j] out.")
PENALTIES = {"kernel": N_("kernel penalty {value:.4g}"), "bias": N_("bias penalty {value:.4g}"),
             "activity": N_("activity penalty {value:.4g}")}   # others (LoRA's A, B): "{name} penalty {value:.4g}"
CHOSEN = {"sample": N_("sample = {value}"), "position": N_("position = {value}"), "unit": N_("unit = {value}")}
CELL_CSS = ("<style>.dv-gradients-view td, .dv-gradients-view th {padding: 1px 18px 1px 0; text-align: left}"
            ".dv-gradients-view th {border-bottom: 1px solid #ccd; font-weight: 600}</style>")


class GradientsView(FigureView):
    """δ (B, …, units), ∂L/∂W (in, units), ∂L/∂b (units,), ∂L/∂x (B, …, in), unit health and a gradient check."""

    css = "dv-gradients-view"
    depends = ("arrays",)
    needs = "layer"

    def __init__(self, state, width_px=780, height_px=440):
        """Build the figure, its image and the HTML parts once; nothing is drawn until refresh()."""
        self._artists = gplot.gradients_figure(width_px, height_px)
        super().__init__(state, self._artists.fig, width_px, "dv-gradients-image")
        self._loss = widgets.HTML()
        self._loss.add_class("dv-gradients-loss")
        self._pooling = widgets.HTML()
        self._pooling.add_class("dv-gradients-pooling")
        self._norms = widgets.HTML()
        self._norms.add_class("dv-gradients-norms")
        self._health = widgets.HTML()
        self._health.add_class("dv-unit-health")
        self._check = widgets.HTML()
        self._check.add_class("dv-gradcheck")
        self.info, self.health, self.checks, self.check_ok = {}, {}, [], True
        self._hint = widgets.HTML(click_hint(_(CLICK_HINT)))
        self._hint.add_class("dv-gradients-hint")
        self._scale = redraw_toggle(self, "dv-gradients-scale", N_("colours"), [
            ("shared", N_("shared scale"), N_("one symmetric scale ±L for all four panels and ∂L/∂y: a vanishing "
                                              "gradient looks pale")),
            ("panel", N_("per-panel scale"), N_("each panel stretched to its own max |·|: shapes are visible, "
                                                "magnitudes are not"))], button_width="120px")
        self.clickable(self.image, self._artists.fig, self.click)
        self.children = [self._loss, self._scale, self._hint, self.image, self._pooling, self._norms, self._health, self._check]

    def draw(self):
        """δ, ∂L/∂W, ∂L/∂b and ∂L/∂x of the state's last backward pass into the four panels."""
        state, layer = self.state, self.state.layer
        self.info = gplot.update_gradients(self._artists, state.dz, state.kernel_gradient, layer.grads.get("bias"),
                                           state.dx, tuple(layer.loss_terms),
                                           softmax_like=not layer.activation.elementwise, scale=self._scale.value, dy=state.dy)

    def click(self, px, py):
        """Select what the cell under figure pixel (px, py) stands for: a row of δ or ∂L/∂x -> sample i and
        position, a column of δ, ∂L/∂W or ∂L/∂b -> unit j (state.update, as the typed fields do)."""
        hit = gplot.gradient_cell_at(self._artists, self.info, px, py) if self.info else None
        if hit is None:
            return None
        name, row, col = hit
        change = {}
        if name in ("dz", "x"):
            positions = max(1, int(np.prod(self.state.leading_dims)))
            change["sample"], position = divmod(row, positions)
            if self.state.leading_dims:
                change["position"] = position
        if name != "x":
            change["unit"] = col
        self.state.update(**change)
        chosen = ", ".join(_(CHOSEN[key]).format(value=value) for key, value in change.items())
        block = self.info[name]["block"]
        text = (_("Selected {chosen} (open the Forward tab to see y[i, j] written out).") if block == (1, 1) else
                _("Clicked a pooled block of {rows} × {cols} entries: selected its first row / column, {chosen}."))
        self._hint.value = click_hint(text.format(chosen=chosen, rows=block[0], cols=block[1]))
        return change

    def caption(self):
        """The loss, the norms table, unit health and the finite-difference check, as HTML."""
        state, layer = self.state, self.state.layer
        pooling = gplot.pooling_text(self.info)
        self._pooling.value = paragraph(html.escape(pooling), color="#444") if pooling else ""
        self._pooling.layout.display = None if pooling else "none"
        self._loss.value = self._describe_loss(layer)
        self._norms.value = self._describe_norms()
        self.health = diagnostics.unit_health(layer.activation, state.z, state.y)
        self._health.value = self._describe_health(layer.activation.name)
        if layer.lora_enabled or layer.quantization_mode:  # the check slices a plain float layer
            self.checks, self.check_ok = [], None
            self._check.value = paragraph(html.escape(_(
                "The finite-difference check covers plain layers; with LoRA or int8, W is frozen and ∂L/∂W shown "
                "here is the gradient of the applied matrix, xᵀδ (tab Adapt & compress shows A and B).")))
            return
        self.checks = gradcheck.finite_difference_check(layer, state.x, state.dy, n=CHECK_ENTRIES,
                                                        rng=np.random.default_rng(state.seed))
        self.check_ok, summary = diagnostics.gradcheck_summary(self.checks)
        self._check.value = self._describe_check(summary)

    # -- HTML -----------------------------------------------------------------------------------------------
    def _describe_loss(self, layer):
        """Which loss, its formula and value, and the penalties in it."""
        state = self.state
        formula = loss_text(state.loss, "formula")
        if state.loss == "mean_squared_error":
            formula = _("{formula}, N = {n:,} outputs").format(formula=formula, n=state.y.size)
        elif state.loss == "categorical_crossentropy":
            formula = _("{formula}, N = {n:,} rows").format(formula=formula, n=state.y.size // state.y.shape[-1])
        terms = layer.loss_terms
        extra = "".join(" + " + (_(PENALTIES[name]) if name in PENALTIES else _("{name} penalty {value:.4g}")).format(
            name=name, value=value) for name, value in terms.items())
        return paragraph(_("<b>loss: {loss}</b> — {formula} = <b>{value:.6g}</b>. Backpropagation starts from "
                           "∂L/∂y {shape} and gives the gradients below.").format(
            loss=html.escape(state.loss), formula=html.escape(formula + extra), value=state.loss_value,
            shape=state.dy.shape))

    def _describe_norms(self):
        """A small table: each gradient's shape, Frobenius norm and largest |entry|."""
        state, grads = self.state, self.state.layer.grads
        arrays = {"dz": ("δ = ∂L/∂z", state.dz), "kernel": ("∂L/∂W", self.state.kernel_gradient),
                  "bias": ("∂L/∂b", grads.get("bias")), "x": ("∂L/∂x", state.dx)}
        rows = []
        for name, (label, array) in arrays.items():
            if array is None:
                absent = html.escape(_("none (use_bias=False)"))
                rows.append(f"<tr><td>{label}</td><td colspan='3'>{absent}</td></tr>")
                continue
            rows.append(f"<tr><td>{label}</td><td>{format_shape(array.shape)}</td>"
                        f"<td>{self.info[name]['norm']:.6g}</td><td>{float(np.max(np.abs(array))):.4g}</td></tr>")
        head = "".join(f"<th>{html.escape(text)}</th>" for text in (_("gradient"), _("shape"), _("‖·‖ (Frobenius)"),
                                                                    _("max |·|")))
        return (f"{CELL_CSS}<table class='dv-gradients-norms-table' style='{TABLE_STYLE}'><tr>{head}</tr>"
                + "".join(rows) + "</table>")

    def _describe_health(self, activation_name):
        """The dead / saturated counts with a one-line explanation (and which units, when few)."""
        h = self.health
        text = diagnostics.health_summary(h, activation_name, self.state.z.shape[:-1])
        for kind, label in (("dead", N_("dead: j = {units}")), ("saturated", N_("saturated: j = {units}"))):
            which = np.flatnonzero(h[kind])
            if 0 < which.size <= 12:
                text += " · " + _(label).format(units=", ".join(map(str, which)))
        return paragraph(html.escape(text))

    def _describe_check(self, summary):
        """The check as a small table (float64 re-run vs centred differences, and the app's float32 value)."""
        state = self.state
        shown = {"kernel": state.layer.grads.get("kernel"), "bias": state.layer.grads.get("bias"), "x": state.dx}
        rows = []
        for c in self.checks:
            app_value = shown[c.param][c.index] if shown[c.param] is not None else float("nan")
            flag = "" if gradcheck.agrees(c) else " style='color:#b00'"
            rows.append(f"<tr{flag}><td>∂L/∂{PARAM_SYMBOL[c.param]}[{', '.join(map(str, c.index))}]</td>"
                        f"<td>{app_value:.6g}</td><td>{c.analytic:.10g}</td><td>{c.numeric:.10g}</td>"
                        f"<td>{c.rel_err:.1e}</td></tr>")
        colour = "#1a7f37" if self.check_ok else "#b00"
        head = "".join(f"<th>{html.escape(text)}</th>" for text in (
            _("entry"), _("shown (float32)"), _("analytic (float64)"), _("numerical"), _("rel. error")))
        return (paragraph(_("<b>Finite-difference check</b> (float64, centred differences with ε = 1e-6 of "
                            "L = Σ ∂L/∂y·y + penalties, on the slice of the layer each entry depends on):") + "<br>"
                          f"<span class='dv-gradcheck-summary' style='color:{colour}'>{html.escape(summary)}"
                          "</span>")
                + f"<table class='dv-gradcheck-table' style='{TABLE_STYLE};font-family:monospace'>"
                f"<tr>{head}</tr>" + "".join(rows) + "</table>")
