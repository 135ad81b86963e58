"""View 6, neuron graph: for a small layer (≤ 16 inputs and ≤ 16 units) every weight as an edge, every input
and unit as a node with its value, for the selected sample (and position); the selected unit's edges stand out.

Wiring only: state → plots.graph → PNG. The artists are rebuilt when the layer's shape changes, updated in
place otherwise; a bigger layer shows a message and does no figure work at all.
"""
import ipywidgets as widgets
import numpy as np

from ...plots import graph as gplot
from ...plots import heatmap
from ..figure import FigureView, click_hint
from ...i18n import N_, _
from .markup import paragraph


CLICK_HINT = N_("Click a unit node to select unit j; click an input node to read what it feeds.")


def _minus(text):
    """A formatted number with a real minus sign (U+2212), as the figure writes it."""
    return text.replace("-", "−")


class GraphView(FigureView):
    """Neuron graph of x (in,) → z, y (units,) through W (in, units) and b (units,) for one sample."""

    css = "dv-graph-view"
    depends = ("arrays", "selection")
    needs = "layer"

    def __init__(self, state, width_px=700, height_px=400):
        """Build the figure and the HTML parts once; the graph itself is drawn by refresh()."""
        fig = heatmap.new_figure(width_px, height_px)
        self._ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        super().__init__(state, fig, width_px, "dv-graph-image")
        self._artists = None
        self._message = widgets.HTML()
        self._message.add_class("dv-graph-message")
        self._title = widgets.HTML()
        self._title.add_class("dv-graph-title")
        self._caption = widgets.HTML()
        self._caption.add_class("dv-graph-caption")
        self._hint = widgets.HTML(click_hint(_(CLICK_HINT)))
        self._hint.add_class("dv-graph-hint")
        self.clickable(self.image, fig, self.click)
        self.info, self._ids = {}, None   # _ids: (input ids, unit ids) drawn from a big layer, None: all of it
        self.children = [self._message, self._title, self._hint, self.image, self._caption]

    @property
    def artists(self):
        """The plots.graph.GraphArtists currently drawn (None while the layer is too big)."""
        return self._artists

    def draw(self):
        """Rebuild the artists on a shape change (or a new subset of a big layer), then update colours, widths
        and labels for the selection. A layer too big for a graph shows the selected unit's strongest inputs
        and the units around it (plots.graph.subset)."""
        state, layer = self.state, self.state.layer
        halves = layer.activation.halves_last_axis
        row = self._row()
        x, z, y, kernel, bias, unit = state.x[row], state.z[row], state.y[row], state.applied_kernel, layer.bias, state.unit
        self._ids = None
        if not gplot.fits(state.input_dim, state.units):
            ins, outs = self._ids = gplot.subset(kernel, unit, halves)
            x, z, kernel = x[ins], z[outs], kernel[np.ix_(ins, outs)]
            y = y[outs[: len(outs) // 2]] if halves else y[outs]
            bias = None if bias is None else bias[outs]
            unit = int(np.flatnonzero(outs == unit)[0])
        shape = (len(x), len(z), bias is not None, halves)
        if self._artists is None or self._artists.shape != shape:
            self._artists = gplot.draw_graph(self._ax, *shape[:3], halves=halves)
        if self._ids is not None:   # another part of a big layer: the same artists, other names
            self._artists = gplot.relabel(self._artists, *self._ids)
        elif not (np.array_equal(self._artists.in_ids, np.arange(shape[0]))
                  and np.array_equal(self._artists.out_ids, np.arange(shape[1]))):
            self._artists = gplot.relabel(self._artists, np.arange(shape[0]), np.arange(shape[1]))
        self._values = (x, z, y)
        self.info = gplot.update_graph(self._artists, x, z, y, kernel, bias, unit, halves=halves)
        return True

    def click(self, px, py):
        """A unit node selects that unit j (state.update, as typing it does); an input node says what it feeds."""
        hit = gplot.node_at(self._artists, px, py) if self._artists is not None else None
        if hit is None:
            return None
        kind, index = hit
        if kind == "unit":
            self.state.update(unit=index)
            self._hint.value = click_hint(_("Selected unit j = {j}.").format(j=index))
            return {"unit": index}
        x = self.state.x[self._row()][index]
        self._hint.value = click_hint(_("Input k = {k}: x[i, {k}] = {x} feeds every unit j through W[{k}, j]; "
                                        "the selection is a sample and a unit, so nothing else changes.").format(
            k=index, x=heatmap.number_text(x)))
        return {}

    def _row(self):
        """(sample i, *position): the row of x, z and y the graph shows."""
        return (self.state.sample, *self.state.position_index())

    def caption(self):
        """The selection and the values above and under the graph; for a big layer, which part is drawn."""
        self.image.layout.display = None
        self._message.layout.display = None if self._ids is not None else "none"
        self._message.value = self._subset_text() if self._ids is not None else ""
        row = self._row()
        self._title.value = paragraph(self._describe_selection(row))
        self._caption.value = paragraph(self._describe_values(*self._values) + self._describe(self._artists.shape[3]))

    def _subset_text(self):
        """What part of a big layer the graph shows."""
        state = self.state
        ins, outs = self._ids
        inputs = (_("{n:,} input") if state.input_dim == 1 else _("{n:,} inputs")).format(n=state.input_dim)
        units = (_("{n:,} unit") if state.units == 1 else _("{n:,} units")).format(n=state.units)
        return paragraph(_("This layer has {inputs} and {units}, too many to draw every weight. Shown: the "
                           "{shown_in} inputs k with the largest |W[k, {j}]| into the selected unit j = {j}, and "
                           "units {first} … {last} around it ({shown_units} of {total}).").format(
            inputs=inputs, units=units, shown_in=len(ins), j=state.unit, first=int(outs.min()),
            last=int(outs.max()), shown_units=len(outs), total=state.units), color="#444")

    def _describe_values(self, x, z, y):
        """The values of a column too long for labels on the graph (x, or z and y), as text lines."""
        lines = []
        if not self._artists.in_values:
            lines.append("x = (" + ", ".join(_minus(f"{v + 0.0:.3g}") for v in x) + ")")
        if not self._artists.out_values:
            j = int(np.flatnonzero(np.asarray(self._artists.out_ids) == self.state.unit)[0])
            zs = [_minus(f"{v + 0.0:.3g}") for v in z]
            zs[j] = f"<b>{zs[j]}</b>"
            ys = [_minus(f"{v + 0.0:.3g}") for v in y]
            if j < len(ys):
                ys[j] = f"<b>{ys[j]}</b>"
            lines += ["z = (" + ", ".join(zs) + ")", "y = (" + ", ".join(ys) + ")"]
        return "".join(f"<span style='font-family:monospace;font-size:12px'>{line}</span><br>" for line in lines)

    def _describe_selection(self, row):
        """'sample i = 0 · unit j = 1: z1 = Σₖ xₖ·W[k, 1] + b[1], y = relu(z)' (with the position for N-D input)."""
        state = self.state
        where = (_("sample i = {i}").format(i=row[0]) if len(row) == 1 else
                 _("sample i = {i}, position {position}").format(i=row[0], position=tuple(int(p) for p in row[1:])))
        j, act = state.unit, state.layer.activation.name
        bias = f" + b[{j}]" if state.layer.bias is not None else ""
        return _("<b>{where}</b> · unit j = {j} highlighted: z{j} = Σₖ xₖ·W[k, {j}]{bias}, y = {activation}(z)").format(
            where=where, j=j, bias=bias, activation=act)

    def _describe(self, halves):
        """Legend under the graph."""
        text = _("Edges: one per weight W[k, j] (red +, blue −, width ∝ |w|); the selected unit's incoming edges "
                 "are opaque. Nodes are coloured by value (each column on its own scale).")
        if self.state.layer.bias is not None:
            text += " " + _("The square node is the constant input 1; its edges are the biases b[j].")
        if halves:
            text += " " + _("glu: output y_j = a_j·σ(gate_j), units j ≥ units/2 are the gates.")
        elif not self.state.layer.activation.elementwise:
            text += " " + _("{activation} mixes every unit of the row: y_j depends on all z.").format(
                activation=self.state.layer.activation.name)
        return text
