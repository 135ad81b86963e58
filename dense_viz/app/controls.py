"""The control panel: one widget per configuration trait, named and explained in Keras' terms.

Each control is `ui.bind(widget, state, name, parse, fmt)`: it writes to the state (which validates and
recomputes) and shows the state's value back, so a value the state refuses snaps back to the last valid one
while the status line says why. Dropdown options come from the engine's own lists; tooltips from the catalog.
"""
import html
import math

import ipywidgets as widgets

from ..engine import activations, constraints, initializers, regularizers
from . import presets
from .catalog import EXPLAINER_TOOLTIPS
from .i18n import _
from .state import INPUT_DATA, LOSSES, NONE
from .ui import bind, button, heading, preset_menu

TIPS = {name: _(text) for name, text in EXPLAINER_TOOLTIPS.items()}  # built once, in the current language
# UI ranges of the number fields (the state's size guard still applies inside them).
RANGES = {"input_dim": (1, 4096), "batch_size": (1, 512), "units": (1, 65536)}
STYLE = {"description_width": "130px"}
ADVANCED_STYLE = {"description_width": "136px"}  # longer Keras names
FULL = {"width": "100%"}
# A menu (a native <select>) shows one line, and ipywidgets writes its labels with non-breaking spaces: a long
# preset name ("The question: Dense(10*10*256, …)") is cut off there, so its whole text is written under it.
WRAP_AFTER = 40  # a name longer than this may not fit on one line of the menu (332 px at 13 px)



def parse_leading_dims(text):
    """'5' -> (5,), '5,3' or '(5, 3)' -> (5, 3), '' -> (); a Keras-style ValueError otherwise."""
    cleaned = text.strip().strip("()[]").strip()
    if not cleaned:
        return ()
    parts = [p.strip() for p in cleaned.split(",")]
    if parts[-1] == "" and len(parts) > 1:  # '5,' as Python writes a 1-tuple
        parts = parts[:-1]
    if not all(p.isdigit() and int(p) > 0 for p in parts):
        raise ValueError("Received an invalid value for `leading_dims`, expected comma-separated positive "
                         f"integers such as 5 or 5,3. Received: leading_dims={text!r}")
    return tuple(int(p) for p in parts)


def format_leading_dims(dims):
    """(5, 3) -> '5,3'; () -> ''."""
    return ",".join(str(d) for d in dims)


def at_most(name, high):
    """A parser: an int up to `high` passes (the state judges values below 1 in its own words), else ValueError."""
    def parse(value):
        if value is not None and value > high:
            raise ValueError(f"Received an invalid value for `{name}`, expected a positive integer of at most "
                             f"{high} (this app's limit). Received: {name}={value}")
        return value
    return parse


def non_negative(name):
    """A parser: a finite float ≥ 0, else a Keras-style ValueError."""
    def parse(value):
        if value is None or not math.isfinite(value) or value < 0:
            raise ValueError(f"Received an invalid value for `{name}`, expected a non-negative number such as "
                             f"0.01. Received: {name}={value}")
        return float(value)
    return parse


def _options(names, none_label=None):
    """Dropdown options [(label, value)] from an engine list, optionally led by ('none', NONE)."""
    lead = [(none_label, NONE)] if none_label else []
    return lead + [(name, name) for name in names]


class ControlsPanel(widgets.VBox):
    """All configuration controls of the explainer, bound two-way to an ExplainerState (`.controls`)."""

    def __init__(self, state):
        super().__init__(layout=widgets.Layout(width="340px", min_width="340px", padding="0 8px 0 0"))
        self.state = state
        self.add_class("dv-controls")
        self.controls = {}   # trait name -> its widget (also 'preset' and 'new_weights')

        self._preset = self.controls["preset"] = preset_menu(state, presets.BOOK, "dv-preset", TIPS["preset"])
        self._preset_name = widgets.HTML(layout=widgets.Layout(margin="0 0 2px 8px"))
        self._preset_name.add_class("dv-preset-name")
        self._preset.observe(self._show_preset_name, "index")
        self._show_preset_name()

        layer = [
            self._int("units"),
            self._dropdown("activation", _options(activations.NAMES)),
            self._checkbox("use_bias"),
            self._dropdown("kernel_initializer", _options(initializers.NAMES)),
            self._new_weights_button(),
        ]
        batch = [
            self._int("input_dim"),
            self._text("leading_dims", parse_leading_dims, format_leading_dims,
                       placeholder=_("e.g. 5 or 5,3 (empty: none)")),
            self._int("batch_size"),
        ]
        advanced = [
            self._dropdown("bias_initializer", _options(initializers.NAMES)),
            heading("Regularizers (added to the loss)"),
            *[self._regularizer(kind) for kind in ("kernel", "bias", "activity")],
            heading("Constraints (after optimizer steps)"),
            self._dropdown("kernel_constraint", _options(constraints.NAMES, "none")),
            self._dropdown("bias_constraint", _options(constraints.NAMES, "none")),
            heading("Data and loss"),
            self._int_free("seed"),
            self._dropdown("input_data", _options(INPUT_DATA)),
            self._dropdown("loss", _options(LOSSES)),
        ]
        self._advanced = widgets.Accordion(children=[widgets.VBox(advanced)], titles=(_("Advanced"),),
                                           selected_index=None)
        self._advanced.add_class("dv-advanced")
        for row in advanced:  # inside the accordion's padding: longer labels, a little narrower
            for widget in (row, *getattr(row, "children", ())):
                if hasattr(widget, "style") and hasattr(widget.style, "description_width"):
                    widget.style.description_width = ADVANCED_STYLE["description_width"]
                    widget.layout.width = "97%"
        self.children = [heading("Preset"), self._preset, self._preset_name,
                         heading("Layer: keras.layers.Dense(...)"), *layer,
                         heading("Input batch x"), *batch, self._advanced]

    # -- builders: a widget for trait `name`, bound to the state ------------------------------------------
    def _bound(self, name, widget, parse=None, fmt=None):
        self.controls[name] = bind(widget, self.state, name, parse=parse, fmt=fmt)
        return widget

    def _int(self, name):
        """An IntText for `name` within RANGES[name]: too big is refused here, below 1 by the state."""
        low, high = RANGES[name]
        tip = _("{tip} Type an integer from {low} to {high}, then Enter.").format(tip=TIPS[name], low=low, high=high)
        widget = widgets.IntText(description=name, continuous_update=False, tooltip=tip, style=STYLE, layout=FULL)
        return self._bound(name, widget, parse=at_most(name, high))

    def _int_free(self, name):
        """An IntText with no UI range (the state validates)."""
        widget = widgets.IntText(description=name, continuous_update=False, tooltip=TIPS[name], style=STYLE,
                                 layout=FULL)
        return self._bound(name, widget)

    def _dropdown(self, name, options):
        """A Dropdown of engine names for `name`."""
        widget = widgets.Dropdown(options=options, description=name, tooltip=TIPS[name], style=STYLE, layout=FULL)
        return self._bound(name, widget)

    def _checkbox(self, name):
        """A Checkbox for a Bool trait."""
        widget = widgets.Checkbox(description=name, indent=True, tooltip=TIPS[name], style=STYLE, layout=FULL)
        return self._bound(name, widget)

    def _text(self, name, parse, fmt, placeholder=""):
        """A Text parsed on Enter / leaving the field."""
        widget = widgets.Text(description=name.replace("_", " "), placeholder=placeholder, continuous_update=False,
                              tooltip=TIPS[name], style=STYLE, layout=FULL)
        return self._bound(name, widget, parse=parse, fmt=fmt)

    def _regularizer(self, kind):
        """A regularizer dropdown with its factor below; the factor is disabled for 'none'."""
        name, factor_name = f"{kind}_regularizer", f"{kind}_regularizer_factor"
        menu = self._dropdown(name, _options(regularizers.NAMES, "none"))
        factor = widgets.FloatText(step=0.001, continuous_update=False, description=_("factor"),
                                   tooltip=TIPS["factor"], style=STYLE, layout=FULL)
        self._bound(factor_name, factor, parse=non_negative(factor_name))

        def enable(_change=None):
            factor.disabled = getattr(self.state, name) == NONE
        enable()
        self.state.observe(enable, name)
        return widgets.VBox([menu, factor])

    def _new_weights_button(self):
        """'New weights': the next seed."""
        widget = button("New weights", "dv-new-weights", EXPLAINER_TOOLTIPS["new_weights"], self.state.new_weights,
                        self.state, width="auto", margin="2px 0 2px 134px")
        self.controls["new_weights"] = widget
        return widget

    # -- presets -------------------------------------------------------------------------------------------
    def _show_preset_name(self, change=None):
        """Under the menu, the rest of a preset name too long for it: the code after 'name: ', in monospace."""
        label = self._preset.label or ""
        if len(label) <= WRAP_AFTER:
            self._preset_name.value = ""
            return
        head, _, code = label.partition(": ")
        text = html.escape(code or head)
        style = "font-size:12px;line-height:1.4;color:#334;font-family:var(--jp-code-font-family, monospace)"
        self._preset_name.value = f"<div style='{style}'>{text}</div>"

