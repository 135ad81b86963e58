"""View 6, neuron graph: for a small layer (≤ 16 inputs and ≤ 16 units) every weight as an edge, every input
and unit as a node with its value, for the selected sample (and position); the selected unit's edges stand out.

Wiring only: state → plots.graph → PNG. The artists are rebuilt when the layer's shape changes, updated in
place otherwise; a bigger layer shows a message and does no figure work at all.
"""
import ipywidgets as widgets

from ...plots import graph as gplot
from ...plots import heatmap
from ..figure import FigureView
from ...i18n import _
from .markup import paragraph


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
        self.info = {}
        self.children = [self._message, self._title, self.image, self._caption]

    @property
    def artists(self):
        """The plots.graph.GraphArtists currently drawn (None while the layer is too big)."""
        return self._artists

    def draw(self):
        """Rebuild the artists on a shape change, then update colours, widths and labels for the selection;
        a layer too big for a graph does no figure work at all (returns False)."""
        state, layer = self.state, self.state.layer
        if not gplot.fits(state.input_dim, state.units):
            self._artists, self.info = None, {}
            return False
        halves = layer.activation.halves_last_axis
        shape = (state.input_dim, state.units, layer.bias is not None, halves)
        if self._artists is None or self._artists.shape != shape:
            self._artists = gplot.draw_graph(self._ax, *shape[:3], halves=halves)
        row = self._row()
        self.info = gplot.update_graph(self._artists, state.x[row], state.z[row], state.y[row], layer.kernel,
                                       layer.bias, state.unit, halves=halves)
        return True

    def _row(self):
        """(sample i, *position): the row of x, z and y the graph shows."""
        return (self.state.sample, *self.state.position_index())

    def caption(self):
        """The selection and the values above and under the graph, or the message for a big layer."""
        state = self.state
        shown = self._artists is not None
        self.image.layout.display = None if shown else "none"
        self._message.layout.display = "none" if shown else None
        if not shown:
            n_in, units = state.input_dim, state.units
            inputs = (_("{n:,} input") if n_in == 1 else _("{n:,} inputs")).format(n=n_in)
            outputs = (_("{n:,} unit") if units == 1 else _("{n:,} units")).format(n=units)
            self._message.value = _("The neuron graph is drawn for at most {max_in} inputs and {max_units} units; "
                                    "this layer has {inputs} and {units} — see the Weights tab.").format(
                max_in=gplot.MAX_INPUTS, max_units=gplot.MAX_UNITS, inputs=inputs, units=outputs)
            self._title.value = self._caption.value = ""
            return
        row = self._row()
        self._message.value = ""
        self._title.value = paragraph(self._describe_selection(row))
        self._caption.value = paragraph(self._describe_values(state.x[row], state.z[row], state.y[row])
                                        + self._describe(self._artists.shape[3]))

    def _describe_values(self, x, z, y):
        """The values of a column too long for labels on the graph (x, or z and y), as text lines."""
        lines = []
        if not self._artists.in_values:
            lines.append("x = (" + ", ".join(_minus(f"{v + 0.0:.3g}") for v in x) + ")")
        if not self._artists.out_values:
            j = self.state.unit
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
        where = f"sample i = {row[0]}"
        if len(row) > 1:
            where += f", position {tuple(int(p) for p in row[1:])}"
        j, act = state.unit, state.layer.activation.name
        bias = f" + b[{j}]" if state.layer.bias is not None else ""
        return f"<b>{where}</b> · unit j = {j} highlighted: z{j} = Σₖ xₖ·W[k, {j}]{bias}, y = {act}(z)"

    def _describe(self, halves):
        """Legend under the graph."""
        text = ("Edges: one per weight W[k, j] (red +, blue −, width ∝ |w|); the selected unit's incoming edges "
                "are opaque. Nodes are coloured by value (each column on its own scale).")
        if self.state.layer.bias is not None:
            text += " The square node is the constant input 1; its edges are the biases b[j]."
        if halves:
            text += " glu: output y_j = a_j·σ(gate_j), units j ≥ units/2 are the gates."
        elif not self.state.layer.activation.elementwise:
            text += f" {self.state.layer.activation.name} mixes every unit of the row: y_j depends on all z."
        return text
