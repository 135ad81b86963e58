"""View 3, Forward: y[i, j] = act(Σ_k x[i, k]·W[k, j] + b[j]) with the actual numbers, highlighted heatmaps,
and the activation curve with this batch's z on it.

Wiring only: state → plots.forward → PNG. The sample / unit / position controls write to the state's
traits (the state rejects bad values and reverts them; the control then shows the state's value again).
Every number shown is read from the state's arrays (x, kernel, bias, z, y); only the activation's curve is
evaluated on a grid of z, to draw it.
"""
import html

import ipywidgets as widgets
import numpy as np

from ...engine import activations, statistics
from ...plots import forward as fplot
from ...plots.heatmap import CELL_DIGITS, number_text, pool_to_axes
from ...plots.render import FrameCache
from ..catalog import activation_formula, alias_note
from ..figure import FigureView, click_hint, figure_image
from ...i18n import N_, _
from ..ui import bind
from .markup import paragraph

TERMS_SHOWN = 4  # first terms of Σ_k written out before "…" and the last term
DEAD_LIMIT = statistics.SATURATION_THRESHOLD  # f′(z) below this: no gradient flows back through that point
SPARSEMAX_CURVE_UNITS = 1024  # the sparsemax curve needs one row per grid point: only for modest rows


def num(value, digits=4):
    """A number as the text shows it: `digits` significant digits, a real minus sign (heatmap.number_text,
    the one formatter of the numbers in the cells too)."""
    return number_text(value, digits)


def minus(value, digits=6):
    """'− 0.324' for a positive value, '+ 0.324' for a negative one: subtracting it, written with one sign."""
    return f"{'+' if float(value) < 0 else '−'} {num(abs(float(value)), digits)}"


def index_text(*index):
    """'3, 1' for an index tuple (numpy ints included)."""
    return ", ".join(str(int(i)) for i in index)


def sum_terms(x_row, w_col, shown=TERMS_SHOWN):
    """The written-out Σ_k x[k]·W[k]: '(0.12)(−0.45) + … + (−0.8)(0.11)' (all terms when there are few)."""
    n = len(x_row)
    ks = list(range(n)) if n <= shown + 2 else [*range(shown), None, n - 1]
    parts = ["…" if k is None else f"({num(x_row[k], CELL_DIGITS)})({num(w_col[k], CELL_DIGITS)})" for k in ks]
    return " + ".join(parts)


CLICK_HINT = N_("Click a cell of x, W, b or y to select its sample i and/or unit j.")


def clicked_text(name, change, block):
    """The hint after a click: what was selected, and for a pooled block that its first row / column was."""
    chosen = ", ".join(f"{'i' if key == 'sample' else 'j'} = {value}" for key, value in change.items())
    if tuple(block) == (1, 1):
        return _("Clicked {name}: selected {chosen}. Click another cell to select it.").format(name=name,
                                                                                           chosen=chosen)
    return _("Clicked a pooled block of {rows} × {cols} entries of {name}: selected its first row / column, "
             "{chosen}.").format(rows=block[0], cols=block[1], name=name, chosen=chosen)


def _float64(v):
    """v as float64 (the text's numbers are worked out in double precision)."""
    return np.asarray(v, dtype=np.float64)


class ForwardView(FigureView):
    """Pick sample i, unit j (and a leading position): y[i, j] written out, x·W → y highlighted, f(z) with z."""

    css = "dv-forward-view"
    depends = ("arrays", "selection")
    needs = "layer"

    def __init__(self, state, width_px=780):
        """Build controls, texts and the two figures once; nothing is drawn until refresh()."""
        self._heat = fplot.forward_figure(width_px, 250)
        super().__init__(state, self._heat.fig, width_px)
        self._sample = self._int_control(_("sample i"), "sample", "dv-forward-sample")
        self._unit = self._int_control(_("unit j"), "unit", "dv-forward-unit")
        self._position = self._int_control(_("position"), "position", "dv-forward-position")
        self._sample_range, self._unit_range, self._position_label = widgets.Label(), widgets.Label(), widgets.Label()
        self._position_label.add_class("dv-forward-position-label")
        self._position_box = widgets.HBox([self._position, self._position_label])
        self._arithmetic = widgets.HTML()
        self._arithmetic.add_class("dv-forward-arithmetic")
        self._act = fplot.activation_figure(460, 230)
        self._act_frames = FrameCache(self._act.fig)
        self._heat_image, self._act_image = self.image, figure_image(460)
        self._act_text = widgets.HTML(layout=widgets.Layout(width=f"{width_px - 470}px"))
        self._act_text.add_class("dv-forward-activation-text")
        self._w_cache = (None, None)
        self.info, self._shown = {}, None   # _shown: (shapes, blocks) of the heatmaps as last drawn
        self._hint = widgets.HTML(click_hint(_(CLICK_HINT)))
        self._hint.add_class("dv-forward-hint")
        self.clickable(self._heat_image, self._heat.fig, self.click)
        self.children = [
            widgets.HBox([self._sample, self._sample_range, self._unit, self._unit_range]),
            self._position_box, self._arithmetic, self._hint, self._heat_image,
            widgets.HBox([self._act_image, self._act_text], layout=widgets.Layout(flex_flow="row wrap"))]

    # -- controls: bound to the state, showing what the state kept --------------------------------------------
    def _int_control(self, description, name, css_class):
        """An IntText bound to state.<name> (ui.bind): a refused value snaps back to the state's value."""
        control = widgets.IntText(description=description, layout=widgets.Layout(width="170px"),
                                  style={"description_width": "60px"})
        return bind(control, self.state, name, css=css_class)

    # -- clicks on the heatmaps: the same selection as typing it --------------------------------------------
    def click(self, px, py):
        """Select what the heatmap cell under figure pixel (px, py) stands for: x[i, k] -> sample i, W[k, j] and
        b[j] -> unit j, y[i, j] -> both (state.update, as the typed fields do). Returns the change (or None)."""
        if self._shown is None:
            return None
        hit = fplot.forward_cell_at(self._heat, *self._shown, px, py)
        if hit is None:
            return None
        name, row, col = hit
        change = {"x": {"sample": row}, "W": {"unit": col}, "b": {"unit": col}, "y": {"sample": row, "unit": col}}[name]
        self.state.update(**change)
        block = self._shown[1]["W" if name == "b" else name]
        self._hint.value = click_hint(clicked_text(name, change, block))
        return change

    # -- refresh ----------------------------------------------------------------------------------------------
    def draw(self):
        """The arithmetic, the heatmaps (into the base's image) and the activation picture, from the state."""
        s = self.state
        pos = tuple(int(p) for p in s.position_index())
        i, j, act = s.sample, s.unit, s.layer.activation
        rows = (slice(None), *pos)
        self._update_controls(pos)
        titles = ("x[:, p, :]", "W", "y[:, p, :]") if pos else ("x", "W", "y")  # p: in the text (cached frame)
        x2, y2 = s.x[rows], s.y[rows]
        value, gate = act.unit_pair(j, s.units)
        blocks = fplot.update_forward(self._heat, x2, s.applied_kernel, s.layer.bias, y2, i, j,
                                      act.output_unit(j, s.units), w_pooled=self._pooled_kernel(), titles=titles,
                                      partner=None if gate is None else (gate if j == value else value))
        self._shown = ({"x": x2.shape, "W": s.applied_kernel.shape, "y": y2.shape}, blocks)
        self._arithmetic.value = self._arithmetic_html((i, *pos), j)
        self._draw_activation((i, *pos), j)
        self._act_image.value = self._act_frames.render()

    def _pooled_kernel(self):
        """The kernel pooled for the W heatmap, computed once per kernel array."""
        key = self.state.weights_version  # +1 whenever the applied matrix changes (new W, a step, LoRA, int8)
        if self._w_cache[0] != key:
            self._w_cache = (key, pool_to_axes(self._heat.ax_w, self.state.applied_kernel))
        return self._w_cache[1]

    def _update_controls(self, pos):
        """Ranges next to the controls; the position control only for N-D input, saying which position it is."""
        s = self.state
        self._sample_range.value = _("of 0 … {last}").format(last=s.batch_size - 1)
        self._unit_range.value = _("of 0 … {last}").format(last=s.units - 1)
        self._position_box.layout.display = None if s.leading_dims else "none"
        if s.leading_dims:
            count = int(np.prod(s.leading_dims))
            self._position_label.value = _("position {pos} of leading dims {dims} (flat index 0 … {last})").format(
                pos=tuple(pos), dims=tuple(s.leading_dims), last=count - 1)

    # -- the arithmetic, with the state's numbers -------------------------------------------------------------
    def _arithmetic_html(self, idx, j):
        """HTML: the formula, z written out term by term, then y; numbers from state.x, kernel, bias, z, y."""
        s, act = self.state, self.state.layer.activation
        x_row, w_col = s.x[idx], s.applied_kernel[:, j]
        z_row, y_row = s.z[idx], s.y[idx]
        at = index_text(*idx, j)
        bias = "" if s.layer.bias is None else f" + ({num(s.layer.bias[j], CELL_DIGITS)})"
        n = len(x_row)
        p = ", p" if idx[1:] else ""
        where = f"i = {idx[0]}" + (f", p = ({index_text(*idx[1:])}{',' if len(idx) == 2 else ''})" if p else "")
        formula = f"y[i{p}, j] = {act.name}(Σ_k x[i{p}, k]·W[k, j]{' + b[j]' if s.layer.bias is not None else ''})"
        lines = [_("{formula} with {where}, j = {j}, k = 0 … {last} ({n:,} terms)").format(
                     formula=formula, where=where, j=j, last=n - 1, n=n)
                 + ("" if s.layer.bias is not None else "; " + _("no bias (use_bias=False)")),
                 f"z[{at}] = {sum_terms(x_row, w_col)}{bias} = <b>{num(z_row[j], 7)}</b>"]
        lines += self._activation_lines(act, idx, j, z_row, y_row)
        self.info = {"index": (*idx, j), "z": float(z_row[j]), "lines": lines}
        body = "<br>".join(html.escape(line).replace("&lt;b&gt;", "<b>").replace("&lt;/b&gt;", "</b>")
                           for line in lines)
        return f'<div style="font-family: monospace; font-size: 13px; line-height: 1.6">{body}</div>'

    def _activation_lines(self, act, idx, j, z_row, y_row):
        """The line(s) from z to y for any activation: elementwise, softmax, log_softmax, sparsemax, glu."""
        at, zj = index_text(*idx, j), z_row[j]
        if act.elementwise:
            return [f"y[{at}] = {act.name}({num(zj, 7)}) = <b>{num(y_row[j], 7)}</b>"]
        if act.name == "softmax":
            shift = float(z_row.max())
            denom = float(np.exp(activations.logsumexp(_float64(z_row))[0] - shift))  # Σ_m exp(z_m − max z)
            return [_("softmax: y_j = exp(z_j) / Σ_m exp(z_m) over the {units:,} units of this row "
                      "(computed as exp(z_j − max z) / Σ_m exp(z_m − max z), max z = {shift})").format(
                        units=len(z_row), shift=num(shift)),
                    f"y[{at}] = exp({num(zj - shift, 5)}) / {num(denom, 6)} = <b>{num(y_row[j], 7)}</b>"]
        if act.name == "log_softmax":
            lse = float(activations.logsumexp(_float64(z_row))[0])
            return [_("log_softmax: y_j = z_j − log Σ_m exp(z_m) over the {units:,} units of this row").format(
                        units=len(z_row)),
                    f"y[{at}] = {num(zj, 6)} {minus(lse)} = <b>{num(y_row[j], 7)}</b>"]
        if act.name == "sparsemax":
            support = y_row > 0
            tau = float(activations.sparsemax_threshold(_float64(z_row))[0])
            return [_("sparsemax: y_j = max(z_j − τ, 0), τ chosen so that Σ_m y_m = 1: τ = {tau}, "
                      "{nonzero} of {units:,} units of this row are non-zero").format(
                        tau=num(tau, 6), nonzero=int(support.sum()), units=len(z_row)),
                    f"y[{at}] = max({num(zj, 6)} {minus(tau)}, 0) = <b>{num(y_row[j], 7)}</b>"]
        if act.halves_last_axis:
            (a, g), half = act.unit_pair(j, len(z_row)), act.output_units(len(z_row))
            out_at = index_text(*idx, a)
            role = "" if j == a else " " + _("(unit {j} is the gate of output {a})").format(j=j, a=a)
            return [_("glu: the {units} units split in two halves; y_j = z_j · σ(z_(j+{half})), "
                      "output shape (…, {half}){role}").format(units=2 * half, half=half, role=role),
                    f"y[{out_at}] = {num(z_row[a], 6)} · σ({num(z_row[g], 6)}) = {num(z_row[a], 6)} · "
                    f"{num(activations.sigmoid(_float64(z_row[g])), 6)} = <b>{num(y_row[a], 7)}</b>"]
        return [f"y[{at}] = {act.name}(z[{index_text(*idx)}, :])[{j}] = <b>{num(y_row[j], 7)}</b>"]

    # -- the activation picture -------------------------------------------------------------------------------
    def _draw_activation(self, idx, j):
        """f(z) with f′(z) and the batch's z for unit j (plus all units, subsampled); or the row view."""
        s, act = self.state, self.state.layer.activation
        z_all, y_all = s.z, s.y
        if act.elementwise:
            lo, hi = fplot.z_range(z_all)
            zs = np.linspace(lo, hi, 301)
            pick = fplot.subsample(z_all.size)
            z_unit, y_unit = z_all[..., j].ravel(), y_all[..., j].ravel()
            fplot.update_activation(
                self._act, f"{act.name}: y = f(z)", (zs, act(zs)), (z_unit, y_unit),
                (z_all[idx + (j,)], y_all[idx + (j,)]), others=(z_all.ravel()[pick], y_all.ravel()[pick]),
                derivative=(zs, act.derivative(zs)), label=_("● unit j = {j}").format(j=j))
            self._act_text.value = paragraph(self._elementwise_text(act, j, z_unit, y_unit, pick.size,
                                                                     z_all.size))
            return
        curve, points, selected, text = self._row_curve(act, idx, j)
        fplot.update_activation(self._act, _("{name} (not elementwise)").format(name=act.name), curve, points,
                                selected, message="" if curve is not None else _("no single curve: see text"),
                                label=_("● unit j = {j}").format(j=j))
        self._act_text.value = paragraph(text)

    def _elementwise_text(self, act, j, z_unit, y_unit, shown, total):
        """Formula, what the points are, and how many of unit j's points are saturated or dead."""
        flat = int(np.sum(act.derivative(z_unit, y_unit) < DEAD_LIMIT))
        formula = activation_formula(act.name)
        key = "<span style='color:{};font-weight:bold'>{}</span>"
        alias = alias_note(self.state.activation)
        lines = [f"<b>{act.name}</b>" + (f": f(z) = {html.escape(formula)}" if formula else "")
                 + (f" ({html.escape(alias)})" if alias else ""),
                 f"{key.format('#000', '—')} f(z) &nbsp; {key.format('#737373', '- -')} "
                 + html.escape(_("its derivative f′(z)")),
                 f"{key.format(fplot.UNIT_COLOR, '●')} "
                 + html.escape(_("z of unit {j} for all {rows:,} rows of the batch").format(j=j, rows=z_unit.size)),
                 f"{key.format(fplot.SELECTED_COLOR, '○')} " + html.escape(_("sample i")),
                 f"{key.format('#999', '●')} " + html.escape(
                     _("all units ({shown:,} of {total:,} points)").format(shown=shown, total=total) if shown < total
                     else _("all units")),
                 html.escape(_("unit {j}: f′(z) < {limit:g} for {flat} of {n:,} points").format(
                     j=j, limit=DEAD_LIMIT, flat=flat, n=z_unit.size))
                 + (" " + html.escape(_("(no gradient flows back there: dead or saturated)")) if flat else "")]
        return "<br>".join(lines)

    def _row_curve(self, act, idx, j):
        """For non-elementwise activations: y_j as z_j varies with the rest of sample i's row fixed."""
        s = self.state
        z_row = s.z[idx].astype(np.float64)
        others = np.delete(z_row, j)
        note = html.escape(_("Not elementwise: y_j depends on every z of the row, so there is no single f(z) and "
                             "no f′(z) curve. Curve: y_j as z_j varies while the other units of sample i stay "
                             "fixed; blue: (z_j, y_j) of unit {j} for every row of the batch (other rows have other "
                             "curves).").format(j=j))
        glu_note = html.escape(_("Not elementwise: each output needs two units, so there is no single f(z) and no "
                                 "f′(z) curve. Blue: every row of the batch; orange ring: sample i."))
        if act.name in ("softmax", "log_softmax"):
            lo, hi = fplot.z_range(s.z)
            zs = np.linspace(lo, hi, 301)
            lse = float(activations.logsumexp(others)[0])  # the other units' normaliser, fixed
            with np.errstate(over="ignore"):
                curve = activations.sigmoid(zs - lse) if act.name == "softmax" else zs - np.logaddexp(zs, lse)
            points = (s.z[..., j].ravel(), s.y[..., j].ravel())
            return (zs, curve), points, (s.z[idx + (j,)], s.y[idx + (j,)]), f"<b>{act.name}</b>: {note}"
        if act.halves_last_axis:
            a, g = act.unit_pair(j, s.units)
            lo, hi = fplot.z_range(s.z)
            zs = np.linspace(lo, hi, 301)
            gate = activations.sigmoid(z_row[g])
            if j == a:  # y_a(t) = t · σ(z_g): a line through 0 whose slope is the gate
                curve, points = zs * gate, (s.z[..., a].ravel(), s.y[..., a].ravel())
                what = _("y_{a} = z_{a}·σ(z_{g}) is a line in z_{a} with slope σ(z_{g}) = {slope}").format(
                    a=a, g=g, slope=num(gate))
            else:  # y_a(t) = z_a · σ(t): the gate's sigmoid, scaled by the value half
                curve, points = z_row[a] * activations.sigmoid(zs), (s.z[..., g].ravel(), s.y[..., a].ravel())
                what = _("y_{a} = z_{a}·σ(z_{g}) follows a sigmoid in the gate z_{g}, scaled by z_{a} = "
                         "{scale}").format(a=a, g=g, scale=num(z_row[a]))
            selected = (s.z[idx + (j,)], s.y[idx + (a,)])
            return (zs, curve), points, selected, "<b>glu</b>: " + _("{what} (curve: sample i). {note}").format(
                what=html.escape(what), note=glu_note)
        points, selected = (s.z[..., j].ravel(), s.y[..., j].ravel()), (s.z[idx + (j,)], s.y[idx + (j,)])
        if z_row.size > SPARSEMAX_CURVE_UNITS:
            return None, points, selected, f"<b>{act.name}</b>: {note} " + html.escape(
                _("(Curve left out above {n} units.)").format(n=SPARSEMAX_CURVE_UNITS))
        lo, hi = fplot.z_range(s.z)
        zs = np.linspace(lo, hi, 301)
        rows = np.repeat(z_row[None, :], zs.size, axis=0)
        rows[:, j] = zs
        return (zs, act(rows)[:, j]), points, selected, f"<b>{act.name}</b>: {note} " + html.escape(
            _("The threshold τ moves with z_j, so y_j = 0 below it and rises with slope 1 − 1/|support| above it."))
