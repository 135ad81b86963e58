"""The training panel's controls: preset, data, hidden layers, optimizer, and Play/Pause · Step · Reset.

Each control writes to the TrainingState (which validates, rebuilds or updates the optimizer) and shows the
state's value back, so a refused value snaps back while the status line says why (two-way observes, as in
the single-layer app: a traitlets.link raises on a revert). Dropdown options come from the engine's lists.
The hidden layers are a table of rows (units, activation, kernel_initializer, stddev), rebuilt when their
number changes. Play is a toggle bound to `state.running`; Step runs one step now (pausing first); Reset
rebuilds the network from its seed.
"""
import html
import math

import ipywidgets as widgets

from ...engine import activations, datasets, initializers, optimizers
from ..controls import BoundPanel
from . import presets
from .state import MAX_HIDDEN_LAYERS, MAX_UNITS, STDDEV_INITIALIZERS

STYLE = {"description_width": "110px"}
FULL = {"width": "100%"}
PANEL_WIDTH = "350px"
TIPS = {
    "preset": "A ready-made lesson. Everything stays editable; after a change the menu shows 'custom'.",
    "dataset": "The toy data set (seeded): 2-D points in two or three classes, or 1-D regression (sine). The "
               "output layer and the loss follow the task.",
    "noise": "Standard deviation of the Gaussian jitter on the inputs (sine: on the targets).",
    "train_fraction": "Share of the points used for training; the rest is the test set.",
    "seed": "Seed of the data, the initial weights and the batch order: the same seed, the same run.",
    "optimizer": "keras.optimizers.<name>(learning_rate=…), other arguments at Keras' defaults. Changing it "
                 "starts a fresh optimizer (empty moments) on the current weights.",
    "learning_rate": "The optimizer's learning rate; takes effect from the next step.",
    "batch_size": "Examples per step (Keras' fit: reshuffled every epoch, the last batch partial). ≥ the "
                  "training set means full batch.",
    "units": "Dense(units) of this hidden layer (1–256).",
    "activation": "Dense(activation=…) of this hidden layer.",
    "kernel_initializer": "Dense(kernel_initializer=…) of this hidden layer.",
    "stddev": "stddev of keras.initializers.RandomNormal / TruncatedNormal (Keras' default: 0.05).",
    "play": "Train continuously (the views refresh 10 times a second); press again to pause.",
    "step": "One optimizer step on the next mini-batch (pauses first).",
    "reset": "Rebuild the network from its seed: step 0, the initial weights, the history cleared.",
}


def _heading(text):
    """A small section title."""
    return widgets.HTML(f"<div style='font-weight:600;margin:8px 0 2px;color:#333'>{text}</div>")


def _with_class(widget, css):
    widget.add_class(css)
    return widget


class LayerRow(widgets.HBox):
    """One hidden layer: index, units, activation, kernel_initializer and (for normal initializers) stddev."""

    def __init__(self, index, on_change):
        super().__init__(layout=widgets.Layout(align_items="center", margin="1px 0"))
        self.add_class("dv-train-layer")
        self.index = index
        self._on_change = on_change
        self._syncing = False
        label = widgets.HTML(f"<span style='color:#667'>{index + 1}</span>", layout=widgets.Layout(width="16px"))
        self.units = _with_class(widgets.IntText(value=1, tooltip=TIPS["units"], continuous_update=False,
                                                 layout=widgets.Layout(width="52px")), "dv-train-units")
        self.activation = _with_class(widgets.Dropdown(options=activations.NAMES, tooltip=TIPS["activation"],
                                                       layout=widgets.Layout(width="92px")), "dv-train-activation")
        self.kernel_initializer = _with_class(
            widgets.Dropdown(options=initializers.NAMES, tooltip=TIPS["kernel_initializer"],
                             layout=widgets.Layout(width="124px")), "dv-train-initializer")
        self.stddev = _with_class(widgets.FloatText(value=0.05, step=0.05, tooltip=TIPS["stddev"],
                                                    continuous_update=False, layout=widgets.Layout(width="52px")),
                                  "dv-train-stddev")
        for name in ("units", "activation", "kernel_initializer", "stddev"):
            getattr(self, name).observe(lambda change, name=name: self._changed(name, change["new"]), "value")
        self.children = [label, self.units, self.activation, self.kernel_initializer, self.stddev]

    def show(self, spec):
        """Put a layer spec {units, activation, kernel_initializer, stddev} into the widgets."""
        self._syncing = True
        try:
            for name in ("units", "activation", "kernel_initializer", "stddev"):
                widget = getattr(self, name)
                if widget.value != spec[name]:
                    widget.value = spec[name]
            self.stddev.layout.visibility = "visible" if spec["kernel_initializer"] in STDDEV_INITIALIZERS \
                else "hidden"
        finally:
            self._syncing = False

    def _changed(self, name, value):
        if not self._syncing:
            self._on_change(self.index, name, value)


class TrainingControls(BoundPanel, widgets.VBox):
    """Every control of the training panel, bound two-way to a TrainingState; `.controls` maps names to widgets."""

    def __init__(self, state):
        super().__init__(layout=widgets.Layout(width=PANEL_WIDTH, min_width=PANEL_WIDTH, padding="0 8px 0 0"))
        self.add_class("dv-train-controls")
        self.state = state
        self.controls = {}
        self._syncing = set()

        self.play = _with_class(widgets.ToggleButton(value=state.running, description="▶ Play",
                                                     tooltip=TIPS["play"], button_style="success",
                                                     layout=widgets.Layout(width="104px")), "dv-play")
        self.step_button = _with_class(widgets.Button(description="+1 Step", tooltip=TIPS["step"],
                                                      layout=widgets.Layout(width="104px")), "dv-step")
        self.reset_button = _with_class(widgets.Button(description="↺ Reset", tooltip=TIPS["reset"],
                                                       layout=widgets.Layout(width="104px")), "dv-reset")
        self.play.observe(self._play_toggled, "value")
        state.observe(self._show_running, "running")
        self.step_button.on_click(lambda _: self._safely(self._step))
        self.reset_button.on_click(lambda _: self._safely(state.reset))
        for button in (self.play, self.step_button):
            button.layout.margin = "0 4px 0 0"
        buttons = widgets.HBox([self.play, self.step_button, self.reset_button],
                               layout=widgets.Layout(margin="0 0 6px 0"))

        self._preset = _with_class(widgets.Dropdown(
            options=[("custom (your own settings)", presets.CUSTOM)] + presets.display_names(),
            value=state.preset if state.preset in presets.PRESETS else presets.CUSTOM, description="preset",
            tooltip=TIPS["preset"], style=STYLE, layout=FULL), "dv-train-preset")
        self._presets = presets
        self._bind_preset_menu()

        data = [
            self._bind_trait("dataset", widgets.Dropdown(options=datasets.NAMES), "dv-train-dataset"),
            self._bind_trait("noise", widgets.FloatSlider(min=0.0, max=0.5, step=0.01, continuous_update=False),
                       "dv-train-noise"),
            self._bind_trait("train_fraction", widgets.FloatSlider(min=0.1, max=1.0, step=0.05, continuous_update=False,
                                                             description="train fraction"), "dv-train-fraction"),
            self._bind_trait("seed", widgets.IntText(continuous_update=False), "dv-train-seed"),
        ]
        self._rows = widgets.VBox()
        self._rows.add_class("dv-train-layers")
        self._add = _with_class(widgets.Button(
            description="+ layer", tooltip="Append a hidden layer like the last",
            layout=widgets.Layout(width="80px", margin="2px 4px 0 20px")), "dv-train-add-layer")
        self._remove = _with_class(widgets.Button(
            description="− layer", tooltip="Remove the last hidden layer",
            layout=widgets.Layout(width="80px", margin="2px 0 0 0")), "dv-train-remove-layer")
        self._add.on_click(lambda _: self._safely(state.add_layer))
        self._remove.on_click(lambda _: self._safely(state.remove_layer))
        self._head = widgets.HTML()
        self._head.add_class("dv-train-architecture")
        header = widgets.HTML(
            "<div style='color:#667;font-size:11px;margin-left:20px'>units &nbsp; activation &nbsp;&nbsp;&nbsp;"
            "&nbsp;&nbsp;&nbsp; kernel_initializer &nbsp;&nbsp;&nbsp; stddev</div>"
            f"<div style='color:#889;font-size:11px;margin-left:20px'>units 1–{MAX_UNITS} · stddev: "
            "(truncated_)random_normal</div>")
        state.observe(self._show_layers, "hidden_layers")
        state.observe(self._show_head, "model_version")
        training = [
            self._bind_trait("optimizer", widgets.Dropdown(options=optimizers.NAMES), "dv-train-optimizer"),
            self._bind_trait("learning_rate", widgets.FloatLogSlider(min=-4, max=1, step=0.1, base=10,
                                                               readout_format=".3g", continuous_update=False,
                                                               description="learning rate"),
                       "dv-train-learning-rate"),
            self._bind_trait("batch_size", widgets.IntText(continuous_update=False, description="batch size"),
                       "dv-train-batch-size"),
        ]
        self.children = [buttons, self._preset, _heading("Data"), *data,
                         _heading(f"Hidden layers (1–{MAX_HIDDEN_LAYERS})"), header, self._rows,
                         widgets.HBox([self._add, self._remove]), self._head,
                         _heading("Training"), *training]
        self._show_layers()
        self._show_head()

    # -- binding ---------------------------------------------------------------------------------------------
    def _bind_trait(self, name, widget, css):
        """Style `widget` as a row of this panel, then bind it two-way to state.<name>."""
        widget.description = widget.description or name
        widget.tooltip = TIPS[name]
        widget.style = STYLE
        widget.layout = widgets.Layout(**FULL)
        widget.value = getattr(self.state, name)
        return self._bind(name, widget, css)

    # -- layers ---------------------------------------------------------------------------------------------
    def _layer_changed(self, index, name, value):
        """A row's widget changed: one field of one hidden layer (the state rebuilds or refuses)."""
        try:
            if name == "stddev" and not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ValueError(f"Received an invalid value for `stddev`, expected a positive float. "
                                 f"Received: stddev={value!r}")
            self.state.set_layer(index, **{name: value})
        except ValueError as error:
            self.state.report_error(error)
        except Exception as error:  # noqa: BLE001
            self.state.report_exception(error)
        finally:
            self._show_layers()

    def _show_layers(self, change=None):
        """One row per hidden layer, showing the state's values (rows rebuilt only when their number changes)."""
        specs = self.state.hidden_layers
        rows = list(self._rows.children)
        if len(rows) != len(specs):
            rows = [LayerRow(i, self._layer_changed) for i in range(len(specs))]
            self._rows.children = rows
        for row, spec in zip(rows, specs):
            row.show(spec)
        self._add.disabled = len(specs) >= MAX_HIDDEN_LAYERS
        self._remove.disabled = len(specs) <= 1

    def _show_head(self, change=None):
        """The whole network in one line, and the output layer and loss the task chose."""
        s = self.state
        if s.model is None:
            return
        units = s.model.layers[-1].units
        self._head.value = (f"<div style='color:#334;font-size:12px;margin:4px 0 0 2px;line-height:1.45'>"
                            f"<b>{html.escape(s.architecture())}</b> · {s.model.count_params():,} params<br>"
                            f"output: <code>Dense({units}, activation=\"{s.output_activation}\")</code>, "
                            f"loss <code>{s.loss}</code> ({s.task} task)</div>")

    # -- buttons ---------------------------------------------------------------------------------------------
    def _play_toggled(self, change):
        if "running" in self._syncing:
            return
        self.state.running = bool(change["new"])
        self._show_running()

    def _show_running(self, change=None):
        """Play ⇄ Pause label and the toggle's value from state.running."""
        running = self.state.running
        self._syncing.add("running")
        try:
            self.play.value = running
            self.play.description = "▮▮ Pause" if running else "▶ Play"
            self.play.button_style = "warning" if running else "success"
        finally:
            self._syncing.discard("running")

    def _step(self):
        """Pause, then one training step now."""
        self.state.running = False
        self.state.run_steps(1)
