"""The Shapes tab: x (B, …, in) · W (in, units) + b (units) → z → activation → y (B, …, units), live sizes.

Plain HTML boxes (no figure: fast and crisp), a sentence on where the parameter count comes from, and
the Keras-style summary table of the engine's Sequential around the state's already-built layer.
"""
import html
import math

import ipywidgets as widgets

from ...engine import Sequential
from ...engine.layers import format_shape
from ...engine.sequential import readable_memory_size
from ...i18n import _

BOX = ("display:inline-flex;flex-direction:column;align-items:center;justify-content:center;"
       "border:2px solid {color};border-radius:8px;padding:6px 12px;margin:4px;min-width:86px;"
       "background:{fill}")
OP = "display:inline-block;font-size:22px;color:#556;margin:0 4px;align-self:center"
PRE = ("font:12.5px/1.15 ui-monospace,DejaVu Sans Mono,Menlo,Consolas,monospace;background:#f6f8fa;"
       "border:1px solid #d8dde6;border-radius:4px;padding:8px 10px;margin:0;overflow-x:auto")
COLORS = {"x": ("#3b6fb6", "#eef4fc"), "W": ("#b6493b", "#fcefed"), "b": ("#b6893b", "#fcf6ea"),
          "z": ("#6b6b80", "#f3f3f7"), "y": ("#3b8a55", "#edf8f0"), "off": ("#b9bec8", "#fafafa")}


def _box(symbol, shape, generic, role, key=None, struck=False):
    """One tensor: its symbol, its live shape, its shape in letters, and what it is."""
    color, fill = COLORS["off" if struck else (key or symbol)]
    deco = "text-decoration:line-through;" if struck else ""
    return (f"<div class='dv-shape-box dv-shape-{key or symbol}' style='{BOX.format(color=color, fill=fill)}'>"
            f"<div style='font:italic 600 20px serif;color:{color};{deco}'>{html.escape(symbol)}</div>"
            f"<div style='font:600 14px monospace'>{html.escape(shape)}</div>"
            f"<div style='font:12px monospace;color:#667'>{html.escape(generic)}</div>"
            f"<div style='font-size:11.5px;color:#556'>{html.escape(role)}</div></div>")


def _op(text):
    """An operator between boxes."""
    return f"<div style='{OP}'>{html.escape(text)}</div>"


def diagram_html(state):
    """The flow x · W + b → z → activation → y with the state's shapes, as HTML."""
    lead_generic = "…, " if state.leading_dims else ""
    parts = [
        _box("x", format_shape(state.x.shape), f"(B, {lead_generic}in)", _("input batch")),
        _op("·"),
        _box("W", format_shape(state.layer.kernel.shape), "(in, units)", _("kernel")),
    ]
    if state.use_bias:
        parts += [_op("+"), _box("b", format_shape(state.layer.bias.shape), "(units,)", _("bias"))]
    else:
        parts += [_op("+"), _box("b", _("no bias"), "use_bias=False", _("adds nothing"), struck=True)]
    parts += [
        _op("→"),
        _box("z", format_shape(state.z.shape), f"(B, {lead_generic}units)", _("pre-activation")),
        _op("→"),
        f"<div style='{OP};font-size:14px;border:1px dashed #99a;border-radius:14px;padding:4px 10px'>"
        f"{html.escape(state.activation)}</div>",
        _op("→"),
        _box("y", format_shape(state.y.shape), f"(B, {lead_generic}{_y_units(state)})", _("output")),
    ]
    return ("<div class='dv-shapes-diagram' style='display:flex;flex-wrap:wrap;align-items:center;"
            "margin:6px 0 4px'>" + "".join(parts) + "</div>")


def _y_units(state):
    """'units', or 'units/2' when the activation halves the last axis (glu)."""
    return "units" if state.output_units == state.units else "units/2"


def explanation_html(state):
    """One or two sentences: where the parameter count (and the shapes) come from."""
    numbers = {"n_in": f"{state.input_dim:,}", "units": f"{state.units:,}",
               "kernel": f"{state.input_dim * state.units:,}", "params": f"{state.param_count:,}",
               "memory": readable_memory_size(state.param_bytes), "batch_size": state.batch_size,
               "activation": state.activation, "output_units": f"{state.output_units:,}"}
    if state.use_bias:
        first = _("W connects each of the {n_in} inputs to each of the {units} units: {n_in} × {units} = {kernel} "
                  "weights, plus {units} biases (one per unit), so {params} parameters ({memory} as float32).")
    else:
        first = _("W connects each of the {n_in} inputs to each of the {units} units: {n_in} × {units} = {kernel} "
                  "weights; use_bias=False adds no bias, so {params} parameters ({memory} as float32).")
    sentences = [first.format(**numbers)]
    if state.leading_dims:
        where = _("every one of the {positions} positions of the leading axes {leading} of every example").format(
            positions=f"{math.prod(state.leading_dims):,}", leading=format_shape(state.leading_dims))
    else:
        where = _("every example")
    if state.use_bias:
        batch = _("The batch size ({batch_size}) is not a parameter, so Keras writes it as None: the same W and b "
                  "act on {where}, only along the last axis.")
    else:
        batch = _("The batch size ({batch_size}) is not a parameter, so Keras writes it as None: the same W acts "
                  "on {where}, only along the last axis.")
    sentences.append(batch.format(where=where, **numbers))
    if state.output_units != state.units:
        sentences.append(_("{activation} splits z's last axis in two halves, so y has {output_units}.").format(
            **numbers))
    return ("<div class='dv-shapes-explain' style='font-size:13.5px;line-height:1.45;margin:4px 2px 8px;"
            "max-width:900px'>" + " ".join(html.escape(s) for s in sentences) + "</div>")


def summary_text(state):
    """Keras' model.summary() table of a Sequential around the state's built layer (no new weights)."""
    model = Sequential([state.layer], input_shape=state.input_shape[1:], name="sequential")
    return model.summary()


class ShapesView(widgets.VBox):
    """The Shapes tab: the tensor-shape diagram, the parameter count explained, and the summary table."""


    depends = ("arrays",)
    def __init__(self, state):
        super().__init__()
        self.state = state
        self.add_class("dv-shapes-view")
        self._diagram = widgets.HTML()
        self._explain = widgets.HTML()
        self._summary = widgets.HTML()
        self._summary.add_class("dv-summary")
        self.children = [self._diagram, self._explain, self._summary]

    def refresh(self):
        """Rewrite the diagram, the explanation and the summary from the state."""
        self._diagram.value = diagram_html(self.state)
        self._explain.value = explanation_html(self.state)
        self._summary.value = ("<div style='font-weight:600;margin:2px 0'>model.summary()</div>"
                               f"<pre style='{PRE}'>{html.escape(summary_text(self.state), quote=False)}</pre>")
