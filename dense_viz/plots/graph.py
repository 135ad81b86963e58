"""The neuron graph of a small Dense layer: input nodes x_k on the left, unit nodes on the right, one edge per
weight W[k, j] (plus the bias node 1 → unit j with weight b[j]).

`draw_graph(ax, n_in, units, use_bias)` builds the artists for one shape (edges: ONE LineCollection, nodes: one
scatter per column, labels: Text); `update_graph(artists, x, z, y, kernel, bias, unit)` changes colours,
widths and texts in place. Edges are coloured by sign (red +, blue −, the ends of the heatmaps' diverging
map) and their width grows with |w| / max |w|; nodes are coloured by their value on the same map.
Everything that changes with values is marked animated (render.FrameCache draws it over a cached frame).
"""
from collections import namedtuple

import math

import numpy as np
from matplotlib import colormaps
from matplotlib.collections import LineCollection
from matplotlib.colors import Normalize

from ..i18n import _
from . import heatmap
from .render import animate
from .render import cached_text

MAX_INPUTS = MAX_UNITS = 16
MAX_EDGE_LABELS = 8           # write w on the edges when there are at most this many (costly text: ~1 ms each)
POSITIVE, NEGATIVE, ZERO = colormaps[heatmap.DIVERGING](0.88), colormaps[heatmap.DIVERGING](0.12), (0.6, 0.6, 0.6, 1)
MIN_WIDTH, MAX_WIDTH, DIM_ALPHA = 0.4, 5.0, 0.28
VALUE_LABELS = 8              # a column of more nodes gets static name labels (values: in the caption, and colour)
X_IN, X_OUT = 0.0, 1.0

# in_values / out_values: whether that column's labels carry values (animated) or only names (static)
GraphArtists = namedtuple("GraphArtists", "ax shape in_xy out_xy bias_xy edges inputs outputs bias_node "
                                          "in_labels out_labels edge_labels in_values out_values in_ids out_ids")


def fits(n_in, units):
    """True if a layer with n_in inputs and `units` units gets a neuron graph (both ≤ 16)."""
    return n_in <= MAX_INPUTS and units <= MAX_UNITS


def column(n, x):
    """n node positions (n, 2) evenly spread on [0, 1] (top to bottom) at horizontal position x."""
    ys = np.linspace(1.0, 0.0, n) if n > 1 else np.array([0.5])
    return np.column_stack([np.full(n, x), ys])


def layout(n_in, units, use_bias):
    """Node positions: inputs (n_in, 2), units (units, 2), bias node (2,) under the inputs or None."""
    left = column(n_in + (1 if use_bias else 0), X_IN)   # the bias node sits under the inputs
    return left[:n_in], column(units, X_OUT), (left[n_in] if use_bias else None)


def edge_segments(in_xy, out_xy, bias_xy=None):
    """(E, 2, 2) segments: W[k, j] in row-major order (k, j), then the bias edges b[j]; E = in·units (+ units)."""
    starts = np.repeat(in_xy, len(out_xy), axis=0)
    ends = np.tile(out_xy, (len(in_xy), 1))
    if bias_xy is not None:
        starts = np.vstack([starts, np.tile(bias_xy, (len(out_xy), 1))])
        ends = np.vstack([ends, out_xy])
    return np.stack([starts, ends], axis=1)


def edge_weights(kernel, bias=None):
    """The weight of each edge in edge_segments' order: kernel (in, units) row-major, then bias (units,)."""
    w = np.asarray(kernel, dtype=np.float64).reshape(-1)
    return w if bias is None else np.concatenate([w, np.asarray(bias, dtype=np.float64)])


def edge_style(weights, units, unit):
    """(colours (E, 4), widths (E,)): sign colours, width ∝ |w| / max |w|, edges into `unit` opaque, others dim."""
    colours = np.where((weights > 0)[:, None], np.array(POSITIVE), np.array(NEGATIVE))
    colours[weights == 0] = ZERO
    top = np.max(np.abs(weights)) if weights.size else 0.0
    widths = MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * (np.abs(weights) / top if top > 0 else np.zeros_like(weights))
    into = np.arange(weights.size) % units == unit   # kernel edges (k, j) and bias edges j, both end at j
    colours[:, 3] = np.where(into, 1.0, DIM_ALPHA)
    return colours, widths


def _node_size(n):
    """Marker area (pt²) for a column of n nodes: big for a few, smaller for 16."""
    return 420.0 if n <= 6 else 260.0 if n <= 10 else 150.0


def _labels(ax, xy, dx, ha, size, names=None):
    """One label per node at offset dx: empty (values to come) or `names`; animated either way, so a new
    subset of a big layer's nodes (relabel) keeps the cached frame."""
    names = [""] * len(xy) if names is None else names
    return [animate(cached_text(ax, x + dx, y, name, ha=ha, va="center", fontsize=size))
            for (x, y), name in zip(xy, names)]


def relabel(a, in_ids, out_ids):
    """The same artists for other nodes of a big layer (same counts): name labels and ids; returns GraphArtists."""
    a = a._replace(in_ids=np.asarray(in_ids), out_ids=np.asarray(out_ids))
    if not a.in_values:
        for label, k in zip(a.in_labels, a.in_ids):
            label.set_text(f"x{k}")
    if not a.out_values:
        for label, name in zip(a.out_labels, unit_names(len(a.out_ids), a.shape[3], a.out_ids)):
            label.set_text(name)
    return a


def unit_names(units, halves, ids=None):
    """Static labels of the unit column: 'unit j', or for glu 'a j' and 'gate of y j' (j: `ids`, the layer's
    own unit numbers of the nodes drawn; glu's ids are the value units, then their gates)."""
    ids = list(range(units)) if ids is None else list(ids)
    if halves:
        h = units // 2
        return [f"a{ids[n]}" if n < h else _("gate of y{j}").format(j=ids[n - h]) for n in range(units)]
    return [_("unit {j}").format(j=j) for j in ids]


def subset(kernel, unit, halves=False, max_inputs=MAX_INPUTS, max_units=MAX_UNITS):
    """(input ids, unit ids) of a readable part of a big layer: the `max_inputs` inputs of largest |W[k, j]|
    into the selected unit (in k order) and up to `max_units` units around it (glu: value units around its
    value unit, then their gates). Small axes are kept whole."""
    kernel = np.asarray(kernel)
    n_in, units = kernel.shape
    if n_in <= max_inputs:
        ins = np.arange(n_in)
    else:
        ins = np.sort(np.argpartition(-np.abs(kernel[:, unit].astype(np.float64)), max_inputs - 1)[:max_inputs])
    if halves:
        half = units // 2
        value = unit % half
        count = min(half, max_units // 2)
        start = int(np.clip(value - count // 2, 0, half - count))
        values = np.arange(start, start + count)
        return ins, np.concatenate([values, values + half])
    count = min(units, max_units)
    start = int(np.clip(unit - count // 2, 0, units - count))
    return ins, np.arange(start, start + count)


def node_at(a, px, py, min_radius_px=9.0):
    """The node under figure pixel (px, py) (top-left origin, y down): ('input', k) or ('unit', j) with the
    layer's own k, j (the ids drawn), or None. A node's hit area: its marker, at least `min_radius_px`."""
    ax = a.ax
    point = np.array([float(px), ax.figure.bbox.height - float(py)])
    best = None
    for kind, xy, scatter, ids in (("input", a.in_xy, a.inputs, a.in_ids), ("unit", a.out_xy, a.outputs, a.out_ids)):
        if len(xy) == 0:
            continue
        centres = ax.transData.transform(xy)
        radius = max(min_radius_px, math.sqrt(float(scatter.get_sizes()[0])) / 2 * ax.figure.dpi / 72)
        dist = np.hypot(*(centres - point).T)
        n = int(np.argmin(dist))
        if dist[n] <= radius and (best is None or dist[n] < best[0]):
            best = (dist[n], kind, int(ids[n]))
    return None if best is None else best[1:]


def draw_graph(ax, n_in, units, use_bias, edge_labels=None, halves=False, in_ids=None, out_ids=None):
    """Build the graph's artists for this shape on `ax` (cleared first); returns GraphArtists.

    Columns of at most VALUE_LABELS nodes get value labels, bigger ones static name labels (text is the
    costly part of drawing). edge_labels: write each weight on its edge (default: when there are at most
    MAX_EDGE_LABELS edges). halves: glu, whose second half of units are gates. in_ids / out_ids: the layer's
    own input and unit numbers of the nodes drawn (a subset of a big layer); default 0 … n − 1.
    """
    in_ids = np.arange(n_in) if in_ids is None else np.asarray(in_ids)
    out_ids = np.arange(units) if out_ids is None else np.asarray(out_ids)
    ax.clear()
    ax.set_axis_off()
    ax.set_xlim(-0.42, 1.72)
    ax.set_ylim(-0.07, 1.13)   # room above the nodes for the column headings
    heading = {"va": "bottom", "fontsize": 9, "color": "0.35", "weight": "bold"}
    ax.text(X_IN, 1.07, _("inputs x[i, k]"), ha="center", **heading)
    ax.text(X_OUT, 1.07, _("units j: z → y"), ha="center", **heading)
    in_xy, out_xy, bias_xy = layout(n_in, units, use_bias)
    segments = edge_segments(in_xy, out_xy, bias_xy)
    edges = animate(LineCollection(segments, linewidths=1.0, capstyle="round", zorder=1))
    ax.add_collection(edges)
    kw = {"cmap": heatmap.DIVERGING, "norm": Normalize(-1.0, 1.0), "edgecolors": "0.2", "linewidths": 0.8,
          "zorder": 3}
    inputs = animate(ax.scatter(in_xy[:, 0], in_xy[:, 1], s=_node_size(n_in), c=np.zeros(n_in), **kw))
    outputs = animate(ax.scatter(out_xy[:, 0], out_xy[:, 1], s=_node_size(units), c=np.zeros(units), **kw))
    bias_node = None
    if bias_xy is not None:
        bias_node = animate(ax.scatter([bias_xy[0]], [bias_xy[1]], s=_node_size(n_in), marker="s", c="0.92",
                                       edgecolors="0.2", linewidths=0.8, zorder=3))
        ax.text(bias_xy[0] - 0.06, bias_xy[1], _("bias input: 1"), ha="right", va="center", fontsize=8, color="0.3")
    size = 9 if max(n_in, units) <= 8 else 8
    in_values, out_values = n_in <= VALUE_LABELS, units <= VALUE_LABELS
    in_labels = _labels(ax, in_xy, -0.06, "right", size, None if in_values else [f"x{k}" for k in in_ids])
    out_labels = _labels(ax, out_xy, 0.06, "left", size, None if out_values else unit_names(units, halves, out_ids))
    if edge_labels is None:
        edge_labels = len(segments) <= MAX_EDGE_LABELS
    texts = []
    if edge_labels:
        n_left = n_in + (1 if use_bias else 0)
        for e, (start, end) in enumerate(segments):  # staggered by input, in the unit half where edges fan apart
            k = e // units if e < n_in * units else n_in
            px, py = start + (0.5 + 0.35 * k / max(n_left - 1, 1)) * (end - start)
            texts.append(animate(ax.text(px, py, "", ha="center", va="center", fontsize=8, zorder=4,
                                         bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none",
                                               "alpha": 0.8})))
    return GraphArtists(ax, (n_in, units, use_bias, halves), in_xy, out_xy, bias_xy, edges, inputs, outputs, bias_node,
                        in_labels, out_labels, texts, in_values, out_values, in_ids, out_ids)


def unit_label(j, z, y, units, halves, ids=None):
    """Value label of node j: 'z1 = 0.4 → y1 = 0.4'; glu's gate units (j ≥ units/2) show only their z.
    `ids`: the layer's own unit numbers of the nodes (a subset of a big layer; default 0 … units − 1)."""
    ids = range(units) if ids is None else ids
    if halves and j >= units // 2:
        return _("gate of y{j}: {z}").format(j=int(ids[j - units // 2]), z=_num(z[j]))
    return f"{'a' if halves else 'z'}{int(ids[j])} = {_num(z[j])} → y{int(ids[j])} = {_num(y[j])}"


def _num(value, spec=".3g"):
    """A number for a label: `spec` digits, a real minus sign (U+2212)."""
    return format(value, spec).replace("-", "−")


def update_graph(a, x, z, y, kernel, bias, unit, halves=False):
    """New values for one sample: x (in,), z (units,), y (out,), kernel (in, units), bias (units,) or None.

    Edge colours / widths / alphas, node colours (each column on its own ±max |·|), labels and the highlight
    of `unit` (its incoming edges opaque, a thick ring around it). Returns {'weights', 'colours', 'widths'}.
    """
    x, z, y = (np.asarray(v, dtype=np.float64) + 0.0 for v in (x, z, y))  # + 0.0: no "-0" labels
    units = len(z)
    weights = edge_weights(kernel, bias)
    colours, widths = edge_style(weights, units, unit)
    a.edges.set_color(colours)
    a.edges.set_linewidths(widths)
    out_values = z.copy()
    out_values[: len(y)] = y                       # node colour: y where it exists (glu's gates: z)
    a.inputs.set_array(x / heatmap.symmetric_limit(x))
    a.outputs.set_array(out_values / heatmap.symmetric_limit(out_values))
    rings = np.full(units, 0.8)
    rings[unit] = 2.6
    a.outputs.set_linewidths(rings)
    if a.in_values:
        for k, label in enumerate(a.in_labels):
            label.set_text(f"x{a.in_ids[k]} = {_num(x[k])}")
    if a.out_values:
        for j, label in enumerate(a.out_labels):
            label.set_text(unit_label(j, z, y, units, halves, a.out_ids))
            label.set_fontweight("bold" if j == unit else "normal")
    for text, w in zip(a.edge_labels, weights):
        text.set_text(_num(w, ".2f").replace("−0.00", "0.00"))
    return {"weights": weights, "colours": colours, "widths": widths}
