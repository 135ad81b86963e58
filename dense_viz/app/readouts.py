"""The numbers a learner asks first: output shape, parameter count (and why), memory, work, loss.

Each value sits alone in its own element with a DOM class (`dv-output-shape`, `dv-param-count`, …) so a
test or the user's CSS can find it; labels and explanations are separate elements around it.
"""
import html
import math
import re

import ipywidgets as widgets

from ..engine.layers import format_shape
from ..engine.sequential import readable_memory_size
from ..i18n import N_, _
from .catalog import loss_text



def _value(css, tooltip=""):
    """An HTML element holding one value (and nothing else)."""
    value = widgets.HTML("", tooltip=_(tooltip) if tooltip else "")
    value.add_class(css)
    value.add_class("dv-readout-value")
    return value


def _card(title, main, note):
    """A small box: a grey title, the value in bold, a note (formula, batch shape, …) below it."""
    head = widgets.HTML(f"<span style='color:#667;font-size:11px;text-transform:uppercase;"
                        f"letter-spacing:.04em'>{html.escape(_(title))}</span>")
    card = widgets.VBox([head, main, note])
    card.add_class("dv-readout")
    card.layout = widgets.Layout(border="1px solid #d8dde6", padding="0 10px 2px", margin="0 6px 6px 0")
    return card


class Readouts(widgets.VBox):
    """Output shape, parameter count with its formula, memory, multiply–adds and loss of an ExplainerState.

    The app refreshes it with the views (it reads only the arrays: `depends`).
    """

    depends = ("arrays",)

    def __init__(self, state):
        super().__init__()
        self.state = state
        self.add_class("dv-readouts")
        self._output_shape = _value("dv-output-shape", N_("Keras' output shape; the batch axis is None."))
        self._batch_shape = _value("dv-batch-shape", N_("The concrete shape of y for the current batch."))
        self._param_count = _value("dv-param-count", N_("Trainable weights: kernel and bias entries."))
        self._param_formula = _value("dv-param-formula", N_("input_dim × units + (units if use_bias else 0)"))
        self._memory = _value("dv-memory", N_("Memory of kernel and bias as float32 (4 bytes each), as Keras' "
                                              "summary prints it."))
        self._memory_note = _value("dv-memory-note")
        self._madds = _value("dv-madds", N_("Multiply–adds to compute one example's output: input_dim × units "
                                            "per position."))
        self._madds_note = _value("dv-madds-note")
        self._loss = _value("dv-loss-value", N_("The loss of this batch (plus any regularization penalties)."))
        self._loss_note = _value("dv-loss-note")
        self.children = [widgets.HBox([
            _card(N_("Output shape"), self._output_shape, self._batch_shape),
            _card(N_("Parameters"), self._param_count, self._param_formula),
            _card(N_("Memory"), self._memory, self._memory_note),
            _card(N_("Multiply–adds / example"), self._madds, self._madds_note),
            _card(N_("Loss"), self._loss, self._loss_note),
        ], layout=widgets.Layout(flex_flow="row wrap"))]
        self.refresh()

    def refresh(self):
        """Write every value from the state (cheap: text only)."""
        s = self.state
        big, small = "<b style='font-size:15px'>{}</b>", "<span style='color:#556;font-size:12px'>{}</span>"
        self._output_shape.value = big.format(format_shape(s.output_shape))
        self._batch_shape.value = small.format(_("this batch: {shape}").format(shape=format_shape(s.y.shape)))
        self._param_count.value = big.format(f"{s.param_count:,}")
        self._param_formula.value = small.format(s.param_formula)
        self._memory.value = big.format(readable_memory_size(s.param_bytes))
        self._memory_note.value = small.format(_("float32, 4 bytes each"))
        self._madds.value = big.format(f"{s.madds_per_example:,}")
        positions = math.prod(s.leading_dims)
        note = (_("{input_dim} × {units} × {positions} positions") if s.leading_dims else "{input_dim} × {units}")
        self._madds_note.value = small.format(note.format(input_dim=s.input_dim, units=s.units, positions=positions))
        self._loss.value = big.format(f"{s.loss_value:.6g}")
        self._loss_note.value = small.format(html.escape(loss_note(s.loss, s.layer.loss_terms)))

    def texts(self):
        """{'output_shape': '(None, 25600)', 'param_count': '2,560,000', …}: the values as plain text (tests)."""
        return {name: _plain(getattr(self, f"_{name}").value)
                for name in ("output_shape", "batch_shape", "param_count", "param_formula", "memory", "memory_note",
                             "madds", "madds_note", "loss", "loss_note")}


def loss_note(loss, penalties):
    """The loss card's note: which loss, and when the value includes regularizer penalties, which and how much."""
    note = loss_text(loss, "note")
    if not penalties:
        return note
    terms = ", ".join(_("{name} {value:.4g}").format(name=name, value=value) for name, value in penalties.items())
    return _("{note}; the value includes the regularizer penalties {terms}").format(note=note, terms=terms)


def _plain(markup):
    """Strip tags and unescape: what a browser shows as innerText (near enough for tests)."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup)).strip()
