"""View 6, neuron graph: for a small layer (≤ 16 inputs and ≤ 16 units) every weight as an edge, every input
and unit as a node with its value, for the selected sample (and position); the selected unit's edges stand out.

Wiring only: state → plots.graph → PNG. The artists are rebuilt when the layer's shape changes, updated in
place otherwise; a bigger layer shows a message and does no figure work at all.
"""
import ipywidgets as widgets

from ...plots import graph as gplot
from ...plots import heatmap
from ...plots.render import FrameCache
from .markup import paragraph


def _minus(text):
    """A formatted number with a real minus sign (U+2212), as the figure writes it."""
    return text.replace("-", "−")


class GraphView(widgets.VBox):
    """Neuron graph of x (in,) → z, y (units,) through W (in, units) and b (units,) for one sample."""

    def __init__(self, state, width_px=700, height_px=400):
        """Build the figure and the HTML parts once; the graph itself is drawn by refresh()."""
        super().__init__()
        self.add_class("dv-graph-view")
        self.state = state
        self._fig = heatmap.new_figure(width_px, height_px)
        self._ax = self._fig.add_axes((0.0, 0.0, 1.0, 1.0))
        self._frames = FrameCache(self._fig)
        self._artists = None
        self._message = widgets.HTML()
        self._message.add_class("dv-graph-message")
        self._title = widgets.HTML()
        self._title.add_class("dv-graph-title")
        self._image = widgets.Image(format="png", layout=widgets.Layout(
            width=f"{width_px}px", max_width="100%", height="auto"))  # 1:1 pixels; scaled down if narrower
        self._image.add_class("dv-graph-image")
        self._caption = widgets.HTML()
        self._caption.add_class("dv-graph-caption")
        self._key = None
        self.info = {}
        self.children = [self._message, self._title, self._image, self._caption]

    @property
    def artists(self):
        """The plots.graph.GraphArtists currently drawn (None while the layer is too big)."""
        return self._artists

    def refresh(self):
        """Redraw from the state (arrays and selection), unless nothing it shows has changed."""
        state = self.state
        if state.layer is None:
            return
        n_in, units = state.input_dim, state.units
        key = (state.layer, state.x, state.z, state.y), (state.sample, state.position, state.unit)
        if self._key is not None and all(a is b for a, b in zip(key[0], self._key[0])) and key[1] == self._key[1]:
            return  # same arrays (compared by identity: a recompute makes new ones) and same selection
        if not gplot.fits(n_in, units):
            self._show_message(n_in, units)
        else:
            self._draw()
        self._key = key

    def _show_message(self, n_in, units):
        """Too big for a graph: say so, hide the figure."""
        self._artists = None
        self.info = {}
        self._message.value = (f"The neuron graph is drawn for at most {gplot.MAX_INPUTS} inputs and "
                               f"{gplot.MAX_UNITS} units; this layer has {n_in:,} input{'s' * (n_in != 1)} and "
                               f"{units:,} unit{'s' * (units != 1)} — see the Weights tab.")
        self._message.layout.display = None
        self._image.layout.display = "none"
        self._title.value = self._caption.value = ""

    def _draw(self):
        """Rebuild the artists on a shape change, then update colours, widths and labels for the selection."""
        state, layer = self.state, self.state.layer
        halves = layer.activation.output_units(state.units) != state.units
        shape = (state.input_dim, state.units, layer.bias is not None, halves)
        if self._artists is None or self._artists.shape != shape:
            self._artists = gplot.draw_graph(self._ax, *shape[:3], halves=halves)
        row = (state.sample, *state.position_index())
        x, z, y = state.x[row], state.z[row], state.y[row]
        self.info = gplot.update_graph(self._artists, x, z, y, layer.kernel, layer.bias, state.unit, halves=halves)
        self._image.value = self._frames.render()
        self._image.layout.display = None
        self._message.value = ""
        self._message.layout.display = "none"
        self._title.value = paragraph(self._describe_selection(row))
        self._caption.value = paragraph(self._describe_values(x, z, y) + self._describe(halves))

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
