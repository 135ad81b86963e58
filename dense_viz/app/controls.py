"""The control panel: one widget per configuration trait, named and explained in Keras' terms.

Each control writes to the state (which validates and recomputes) and shows the state's value back, so a
value the state refuses snaps back to the last valid one while the status line says why. Bindings are
two-way `observe`s rather than `traitlets.link`: a link raises "Broken link" when the state reverts a value.
Dropdown options come from the engine's own lists.
"""
import html
import math

import ipywidgets as widgets

from ..engine import activations, constraints, initializers, regularizers
from . import presets
from .state import INPUT_DATA, LOSSES, NONE

# UI ranges of the number fields (the state's size guard still applies inside them).
RANGES = {"input_dim": (1, 4096), "batch_size": (1, 512), "units": (1, 65536)}
STYLE = {"description_width": "130px"}
ADVANCED_STYLE = {"description_width": "136px"}  # longer Keras names
FULL = {"width": "100%"}
# A menu (a native <select>) shows one line, and ipywidgets writes its labels with non-breaking spaces: a long
# preset name ("The question: Dense(10*10*256, …)") is cut off there, so its whole text is written under it.
WRAP_AFTER = 40  # a name longer than this may not fit on one line of the menu (332 px at 13 px)

TIPS = {
    "preset": "A ready-made configuration. Everything stays editable; after a change the menu shows "
              "'custom'.",
    "units": "Dense(units): the number of output neurons. The kernel W has shape (input_dim, units); "
             "the output's last axis has size units.",
    "activation": "Dense(activation=...): the function applied elementwise to z = x·W + b. "
                  "Keras' default is None, i.e. 'linear'.",
    "use_bias": "Dense(use_bias=...): add a bias vector b (units,) to x·W. False leaves z = x·W.",
    "kernel_initializer": "Dense(kernel_initializer=...): how W is drawn when the layer is built. "
                          "Keras' default is glorot_uniform.",
    "new_weights": "Draw new weights (and a new batch): the next seed.",
    "input_dim": "Size of the input's last axis: keras.Input((..., input_dim)). Rows of W.",
    "leading_dims": "Axes between the batch and the features, e.g. 5 for a sequence of 5 steps "
                    "(input (B, 5, input_dim)) or 5,3. Empty for a plain (B, input_dim) input. "
                    "Dense acts on the last axis only, with the same W at every position.",
    "batch_size": "B: how many examples the batch x holds. Not part of the layer: Keras writes it as None.",
    "bias_initializer": "Dense(bias_initializer=...): how b is drawn. Keras' default is zeros.",
    "kernel_regularizer": "Dense(kernel_regularizer=...): a penalty on W added to the loss, "
                          "e.g. keras.regularizers.L2(0.01) adds 0.01·Σw².",
    "bias_regularizer": "Dense(bias_regularizer=...): a penalty on b added to the loss.",
    "activity_regularizer": "Dense(activity_regularizer=...): a penalty on the output y added to the loss "
                            "(divided by the batch size, as Keras does).",
    "factor": "The regularization factor (l1 and/or l2), e.g. 0.01. A non-negative number.",
    "kernel_constraint": "Dense(kernel_constraint=...): a projection of W applied after each optimizer "
                         "step (e.g. max_norm keeps each unit's weight vector at norm ≤ 2). "
                         "It does not change freshly initialized weights.",
    "bias_constraint": "Dense(bias_constraint=...): a projection of b applied after each optimizer step.",
    "seed": "Seed of the weights and of the batch: the same seed gives the same numbers.",
    "input_data": "What the batch x contains: random normal N(0, 1), uniform U(-1, 1), all ones, "
                  "or one-hot rows.",
    "loss": "The loss L whose gradients the Gradients tab shows: mean squared error against a seeded "
            "random target, categorical cross-entropy against seeded random one-hot classes (for softmax "
            "outputs), or the sum of all outputs (then ∂L/∂y = 1).",
}


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


def _heading(text):
    """A small section title."""
    return widgets.HTML(f"<div style='font-weight:600;margin:8px 0 2px;color:#333'>{text}</div>")


class BoundPanel:
    """Two-way bindings between widgets and a state's traits, shared by both apps' control panels.

    The host has `state`, `controls` (a dict), `_syncing` (a set of names being written state -> widget) and,
    for the preset menu, `_preset` (a Dropdown whose values are preset keys) and `_presets` (its app's presets
    module: PRESETS, CUSTOM, apply_preset, matching_preset).
    """

    def _bind(self, name, widget, css, parse=None, fmt=None):
        """Two-way: widget -> parse -> state.<name> (validated there); state.<name> -> fmt -> widget."""
        widget.add_class(css)
        self.controls[name] = widget
        parse = parse or (lambda value: value)
        fmt = fmt or (lambda value: value)

        def to_state(change):
            if name in self._syncing:
                return
            try:
                value = parse(change["new"])
                if value != getattr(self.state, name):
                    setattr(self.state, name, value)  # recomputes, or reverts and reports in the status line
            except ValueError as error:
                self.state.report_error(error)
            except Exception as error:  # noqa: BLE001 - never lose an exception in a widget callback
                self.state.report_exception(error)
            finally:
                self._show(name, fmt)

        widget.observe(to_state, "value")
        self.state.observe(lambda change: self._show(name, fmt), name)
        return widget

    def _show(self, name, fmt):
        """Write the state's current value of `name` into its widget (never the change's: it may be reverted)."""
        widget, value = self.controls[name], fmt(getattr(self.state, name))
        if widget.value == value:
            return
        self._syncing.add(name)
        try:
            widget.value = value
        except Exception as error:  # noqa: BLE001 - e.g. a value outside a dropdown's options
            self.state.report_exception(error)
        finally:
            self._syncing.discard(name)

    def _safely(self, fn):
        """Run fn(); an exception goes to the status line."""
        try:
            fn()
        except Exception as error:  # noqa: BLE001
            self.state.report_exception(error)


    def _bind_preset_menu(self):
        """Menu -> apply the preset; state.preset -> menu; any change that leaves the preset -> 'custom'."""
        self._preset.observe(self._preset_chosen, "value")
        self.state.observe(self._show_preset, "preset")
        self.state.observe(self._check_custom, "version")

    def _preset_chosen(self, change):
        """Apply the chosen preset in one recompute ('custom' changes nothing)."""
        if "preset" in self._syncing:
            return
        key = change["new"]
        try:
            if key == self._presets.CUSTOM:
                self.state.preset = self._presets.CUSTOM
            else:
                self._presets.apply_preset(self.state, key)  # on refusal the state keeps (and reverts) its preset
        except Exception as error:  # noqa: BLE001
            self.state.report_exception(error)
        finally:
            self._show_preset()

    def _show_preset(self, change=None):
        """Show state.preset in the menu ('custom' for anything else)."""
        key = self.state.preset if self.state.preset in self._presets.PRESETS else self._presets.CUSTOM
        if self._preset.value != key:
            self._syncing.add("preset")
            try:
                self._preset.value = key
            finally:
                self._syncing.discard("preset")

    def _check_custom(self, change=None):
        """After any change: a configuration that is no longer the preset's becomes 'custom'."""
        try:
            if self.state.preset and not self._presets.matching_preset(self.state, self.state.preset):
                self.state.preset = self._presets.CUSTOM
        except Exception as error:  # noqa: BLE001
            self.state.report_exception(error)


class ControlsPanel(BoundPanel, widgets.VBox):
    """All configuration controls of the explainer, bound two-way to an ExplainerState."""

    def __init__(self, state):
        super().__init__(layout=widgets.Layout(width="340px", min_width="340px", padding="0 8px 0 0"))
        self.state = state
        self.add_class("dv-controls")
        self.controls = {}   # trait name -> its widget (also 'new_weights' -> the button)
        self._syncing = set()  # trait names being written from the state into their widget

        self._preset = widgets.Dropdown(
            options=[("custom (your own settings)", presets.CUSTOM)] + presets.display_names(),
            value=state.preset if state.preset in presets.PRESETS else presets.CUSTOM,
            tooltip=TIPS["preset"], layout=FULL)
        self._preset.add_class("dv-preset")
        self._preset_name = widgets.HTML(layout=widgets.Layout(margin="0 0 2px 8px"))
        self._preset_name.add_class("dv-preset-name")
        self._preset.observe(self._show_preset_name, "index")
        self._show_preset_name()
        self._presets = presets
        self._bind_preset_menu()
        self.controls["preset"] = self._preset

        layer = [
            self._int("units", "dv-units"),
            self._dropdown("activation", "dv-activation", _options(activations.NAMES)),
            self._checkbox("use_bias", "dv-use-bias"),
            self._dropdown("kernel_initializer", "dv-kernel-initializer", _options(initializers.NAMES)),
            self._new_weights_button(),
        ]
        batch = [
            self._int("input_dim", "dv-input-dim"),
            self._text("leading_dims", "dv-leading-dims", parse_leading_dims, format_leading_dims,
                       placeholder="e.g. 5 or 5,3 (empty: none)"),
            self._int("batch_size", "dv-batch-size"),
        ]
        advanced = [
            self._dropdown("bias_initializer", "dv-bias-initializer", _options(initializers.NAMES)),
            _heading("Regularizers (added to the loss)"),
            *[self._regularizer(kind) for kind in ("kernel", "bias", "activity")],
            _heading("Constraints (after optimizer steps)"),
            self._dropdown("kernel_constraint", "dv-kernel-constraint", _options(constraints.NAMES, "none")),
            self._dropdown("bias_constraint", "dv-bias-constraint", _options(constraints.NAMES, "none")),
            _heading("Data and loss"),
            self._int_free("seed", "dv-seed"),
            self._dropdown("input_data", "dv-input-data", _options(INPUT_DATA)),
            self._dropdown("loss", "dv-loss", _options(LOSSES)),
        ]
        self._advanced = widgets.Accordion(children=[widgets.VBox(advanced)], titles=("Advanced",),
                                           selected_index=None)
        self._advanced.add_class("dv-advanced")
        for row in advanced:  # inside the accordion's padding: longer labels, a little narrower
            for widget in (row, *getattr(row, "children", ())):
                if hasattr(widget, "style") and hasattr(widget.style, "description_width"):
                    widget.style.description_width = ADVANCED_STYLE["description_width"]
                    widget.layout.width = "97%"
        self.children = [_heading("Preset"), self._preset, self._preset_name,
                         _heading("Layer: keras.layers.Dense(...)"), *layer,
                         _heading("Input batch x"), *batch, self._advanced]

    # -- builders ------------------------------------------------------------------------------------------
    def _int(self, name, css):
        """An IntText for `name` within RANGES[name]: too big is refused here, below 1 by the state."""
        low, high = RANGES[name]
        widget = widgets.IntText(value=getattr(self.state, name), description=name, continuous_update=False,
                                 tooltip=f"{TIPS[name]} Type an integer from {low} to {high}, then Enter.",
                                 style=STYLE, layout=FULL)
        return self._bind(name, widget, css, parse=at_most(name, high))

    def _int_free(self, name, css):
        """An IntText with no UI range (the state validates)."""
        widget = widgets.IntText(value=getattr(self.state, name), description=name, continuous_update=False,
                                 tooltip=TIPS[name], style=STYLE, layout=FULL)
        return self._bind(name, widget, css)

    def _dropdown(self, name, css, options):
        """A Dropdown of engine names for `name`."""
        widget = widgets.Dropdown(options=options, value=getattr(self.state, name), description=name,
                                  tooltip=TIPS[name], style=STYLE, layout=FULL)
        return self._bind(name, widget, css)

    def _checkbox(self, name, css):
        """A Checkbox for a Bool trait."""
        widget = widgets.Checkbox(value=getattr(self.state, name), description=name, indent=True,
                                  tooltip=TIPS[name], style=STYLE, layout=FULL)
        return self._bind(name, widget, css)

    def _text(self, name, css, parse, fmt, placeholder=""):
        """A Text parsed on Enter / leaving the field."""
        widget = widgets.Text(value=fmt(getattr(self.state, name)), description=name.replace("_", " "),
                              placeholder=placeholder, continuous_update=False, tooltip=TIPS[name],
                              style=STYLE, layout=FULL)
        return self._bind(name, widget, css, parse=parse, fmt=fmt)

    def _regularizer(self, kind):
        """A regularizer dropdown with its factor below; the factor is disabled for 'none'."""
        name, factor_name = f"{kind}_regularizer", f"{kind}_regularizer_factor"
        menu = self._dropdown(name, f"dv-{kind}-regularizer", _options(regularizers.NAMES, "none"))
        factor = widgets.FloatText(value=getattr(self.state, factor_name), step=0.001, continuous_update=False,
                                   description="factor", tooltip=TIPS["factor"], style=STYLE, layout=FULL)
        self._bind(factor_name, factor, f"dv-{kind}-regularizer-factor", parse=non_negative(factor_name))

        def enable(_=None):
            factor.disabled = getattr(self.state, name) == NONE
        enable()
        self.state.observe(enable, name)
        return widgets.VBox([menu, factor])

    def _new_weights_button(self):
        """'New weights': the next seed."""
        button = widgets.Button(description="New weights", tooltip=TIPS["new_weights"],
                                layout=widgets.Layout(width="auto", margin="2px 0 2px 134px"))
        button.add_class("dv-new-weights")
        button.on_click(lambda _: self._safely(self.state.new_weights))
        self.controls["new_weights"] = button
        return button

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

