"""The training panel's controls: preset, data, hidden layers, optimizer, and Play/Pause · Step · Reset.

Each control is `ui.bind(widget, state, name)`: it writes to the TrainingState (which validates, rebuilds or
updates the optimizer) and shows the state's value back, so a refused value snaps back while the status line
says why. Dropdown options come from the engine's lists. The hidden layers are a table of rows (units,
activation, kernel_initializer, stddev, l2), each bound to a LayerModel, rebuilt when their number changes.
Play is a toggle bound to `state.running`; Step runs one step now (pausing first); Reset rebuilds the network
from its seed; the speed slider sets `state.speed` (steps per second, max); early stopping is a patience field
and a restore-best-weights checkbox. `DataUpload` (`dv-train-upload`) takes a CSV of your own points
(`state.use_points`); the data set menu then offers them as 'uploaded (<file name>, N points)'.
"""
import html
import math

import ipywidgets as widgets

from traitlets import Float, HasTraits, Int, TraitError, Unicode, validate

from ...engine import activations, datasets, initializers, optimizers
from ..catalog import TASKS, TRAINING_TOOLTIPS, Translated
from ...i18n import N_, _
from ...io import MAX_BYTES
from ..ui import bind, button, guarded, heading, on_upload, preset_menu
from . import presets
from .state import LAYER_FIELDS, MAX_HIDDEN_LAYERS, MAX_UNITS, STDDEV_INITIALIZERS, UPLOADED

STYLE = {"description_width": "110px"}
FULL = {"width": "100%"}
PANEL_WIDTH = "400px"
# the speed slider's stops, steps per second (inf: max); ≤ 4 is slow motion
SPEEDS = (1.0, 2.0, 4.0, 10.0, 20.0, 50.0, 100.0, 200.0, math.inf)
TIPS = Translated(TRAINING_TOOLTIPS)  # translated on lookup, in the language of the moment


def _with_class(widget, css):
    widget.add_class(css)
    return widget


def nearest_speed(value):
    """The slider stop closest to `value` steps per second (on a log scale); a link may carry any speed."""
    return min(SPEEDS, key=lambda stop: abs(math.log(stop / value)) if math.isfinite(stop * value) else
               (0.0 if stop == value else math.inf))


class LayerModel(HasTraits):
    """One hidden layer's fields as traits, so its row binds like every other control: a change becomes
    `state.set_layer(index, …)` (the state rebuilds or refuses and says why); `show(spec)` writes it back."""

    units = Int(1)
    activation = Unicode("tanh")
    kernel_initializer = Unicode("glorot_uniform")
    stddev = Float(0.05)
    l2 = Float(0.0)

    def __init__(self, state, index):
        super().__init__()
        self.state, self.index, self._showing = state, index, False
        self.observe(self._changed, names=list(LAYER_FIELDS))

    @validate("l2")
    def _valid_l2(self, proposal):
        value = proposal["value"]
        if not (math.isfinite(value) and value >= 0):
            raise TraitError(f"Received an invalid value for `l2`, expected a non-negative float. Received: l2={value!r}")
        return value

    @validate("stddev")
    def _valid_stddev(self, proposal):
        value = proposal["value"]
        if not (math.isfinite(value) and value > 0):
            raise TraitError(f"Received an invalid value for `stddev`, expected a positive float. "
                             f"Received: stddev={value!r}")
        return value

    def report(self, error):
        """Refusals go to the app state's status line."""
        self.state.report(error)

    def show(self, spec):
        """Take the state's values (no rebuild)."""
        self._showing = True
        try:
            for name in LAYER_FIELDS:
                setattr(self, name, spec[name])
        finally:
            self._showing = False

    def _changed(self, change):
        if not self._showing:
            self.state.set_layer(self.index, **{change["name"]: change["new"]})


class LayerRow(widgets.HBox):
    """One hidden layer: index, units, activation, kernel_initializer, (for normal initializers) stddev, l2."""

    def __init__(self, state, index):
        super().__init__(layout=widgets.Layout(align_items="center", margin="1px 0"))
        self.add_class("dv-train-layer")
        self.model = LayerModel(state, index)
        label = widgets.HTML(f"<span style='color:#667'>{index + 1}</span>", layout=widgets.Layout(width="16px"))
        units = widgets.IntText(tooltip=TIPS["units"], continuous_update=False, layout=widgets.Layout(width="46px"))
        activation = widgets.Dropdown(options=activations.NAMES, tooltip=TIPS["activation"],
                                      layout=widgets.Layout(width="86px"))
        initializer = widgets.Dropdown(options=initializers.NAMES, tooltip=TIPS["kernel_initializer"],
                                       layout=widgets.Layout(width="122px"))
        self.stddev = widgets.FloatText(step=0.05, tooltip=TIPS["stddev"], continuous_update=False,
                                        layout=widgets.Layout(width="48px"))
        self.l2 = widgets.FloatText(step=0.001, tooltip=TIPS["l2"], continuous_update=False,
                                    layout=widgets.Layout(width="52px"))
        for widget, name, css in ((units, "units", "dv-train-units"), (activation, "activation", "dv-train-activation"),
                                  (initializer, "kernel_initializer", "dv-train-initializer"),
                                  (self.stddev, "stddev", "dv-train-stddev"), (self.l2, "l2", "dv-train-l2")):
            bind(widget, self.model, name, css=css)
        self.units, self.activation, self.kernel_initializer = units, activation, initializer
        self.children = [label, units, activation, initializer, self.stddev, self.l2]

    def show(self, spec):
        """Put a layer spec {units, activation, kernel_initializer, stddev, l2} into the row."""
        self.model.show(spec)
        self.stddev.layout.visibility = "visible" if spec["kernel_initializer"] in STDDEV_INITIALIZERS else "hidden"


class DataUpload(widgets.VBox):
    """A CSV of your own points as the data set: 2-D points with a label column, or x, y for regression. The file
    is read in memory (at most `max_bytes`) by `state.use_points`; a refusal goes to the status line and the data
    set there was stays."""

    def __init__(self, state, max_bytes=MAX_BYTES):
        super().__init__(layout=widgets.Layout(margin="2px 0 4px 0"))
        self.add_class("dv-train-own-data")
        self.state, self.max_bytes = state, max_bytes
        self.upload = widgets.FileUpload(accept=".csv", multiple=False, description=_("Upload a CSV"),
                                         tooltip=TIPS["upload"], layout=widgets.Layout(width="auto"))
        self.upload.add_class("dv-train-upload")
        on_upload(self.upload, self._uploaded, state.report)
        hint = _("Your own data: a CSV of x1, x2, label (classes 0, 1, …) or of x, y (regression), up to {size} MB, "
                 "read in memory.").format(size=max_bytes // 2 ** 20)
        self.note = widgets.HTML()
        self.note.add_class("dv-train-upload-note")
        self.children = [widgets.HTML(f"<div style='font-size:11.5px;color:#556;line-height:1.35'>"
                                      f"{html.escape(hint)}</div>"), self.upload, self.note]
        state.observe(self._show, names=["points", "dataset"])
        self._show()

    def _uploaded(self, name, data):
        self.state.use_points(data, name=name, max_bytes=self.max_bytes)

    def _show(self, change=None):
        """Under the button: the points trained on, while the data set is yours."""
        points = self.state.points if self.state.dataset == UPLOADED else None
        text = _("Training on your points: {name}, {n} points.").format(name=points.name, n=f"{len(points.x):,}") \
            if points is not None else ""
        self.note.value = f"<div style='font-size:12px;color:#1d6b34'>{html.escape(text)}</div>" if text else ""


class TrainingControls(widgets.VBox):
    """Every control of the training panel, bound two-way to a TrainingState; `.controls` maps names to widgets."""

    def __init__(self, state, max_upload_bytes=MAX_BYTES):
        super().__init__(layout=widgets.Layout(width=PANEL_WIDTH, min_width=PANEL_WIDTH, padding="0 8px 0 0"))
        self.add_class("dv-train-controls")
        self.state = state
        self._relabeling = False  # True while the data set menu's options change (its value is not the user's)
        self.controls = {}
        self._syncing = False  # True while the Play toggle shows state.running

        self.play = _with_class(widgets.ToggleButton(value=state.running, description=_("▶ Play"),
                                                     tooltip=TIPS["play"], button_style="success",
                                                     layout=widgets.Layout(width="104px")), "dv-play")
        self.step_button = button(N_("+1 Step"), "dv-step", TRAINING_TOOLTIPS["step"], self._step, state,
                                  width="104px", margin="0 4px 0 0")
        self.reset_button = button(N_("↺ Reset"), "dv-reset", TRAINING_TOOLTIPS["reset"], state.reset, state,
                                   width="104px")
        self.play.observe(guarded(self._play_toggled, state.report), "value")
        state.observe(self._show_running, "running")
        self.play.layout.margin = "0 4px 0 0"
        buttons = widgets.HBox([self.play, self.step_button, self.reset_button],
                               layout=widgets.Layout(margin="0 0 6px 0"))
        speed = self._bind_trait("speed", widgets.SelectionSlider(
            options=[(_("max") if math.isinf(v) else f"{v:g}/s", v) for v in SPEEDS], value=state.speed
            if state.speed in SPEEDS else SPEEDS[4], continuous_update=False), "dv-train-speed", fmt=nearest_speed)

        self._preset = preset_menu(state, presets.BOOK, "dv-train-preset", TRAINING_TOOLTIPS["preset"])
        self._preset.description, self._preset.style = _("preset"), STYLE
        self.controls["preset"] = self._preset

        self._dataset = widgets.Dropdown(options=self._dataset_options())
        self.upload = DataUpload(state, max_upload_bytes)
        data = [
            self._bind_trait("dataset", self._dataset, "dv-train-dataset", parse=self._parse_dataset),
            self.upload,
            self._bind_trait("noise", widgets.FloatSlider(min=0.0, max=0.5, step=0.01, continuous_update=False),
                       "dv-train-noise"),
            self._bind_trait("train_fraction", widgets.FloatSlider(min=0.1, max=1.0, step=0.05, continuous_update=False,
                                                             description=N_("train fraction")), "dv-train-fraction"),
            self._bind_trait("seed", widgets.IntText(continuous_update=False), "dv-train-seed"),
        ]
        self._rows = widgets.VBox()
        self._rows.add_class("dv-train-layers")
        self._add = button(N_("+ layer"), "dv-train-add-layer", N_("Append a hidden layer like the last"), state.add_layer,
                           state, width="80px", margin="2px 4px 0 20px")
        self._remove = button(N_("− layer"), "dv-train-remove-layer", N_("Remove the last hidden layer"), state.remove_layer,
                              state, width="80px", margin="2px 0 0 0")
        self._head = widgets.HTML()
        self._head.add_class("dv-train-architecture")
        header = widgets.HTML(
            "<div style='color:#667;font-size:11px;margin-left:20px;white-space:pre'>units   activation    "
            "kernel_initializer  stddev    l2</div>"
            "<div style='color:#889;font-size:11px;margin-left:20px'>"
            + html.escape(_("units 1–{max_units} · stddev: (truncated_)random_normal").format(max_units=MAX_UNITS))
            + "</div>")
        state.observe(self._show_layers, "hidden_layers")
        state.observe(self._show_head, "model_version")
        state.observe(guarded(self._show_datasets, state.report), "points")
        state.observe(self._show_noise, "dataset")
        training = [
            self._bind_trait("optimizer", widgets.Dropdown(options=optimizers.NAMES), "dv-train-optimizer"),
            self._bind_trait("learning_rate", widgets.FloatLogSlider(min=-4, max=1, step=0.1, base=10,
                                                               readout_format=".3g", continuous_update=False,
                                                               description=N_("learning rate")),
                       "dv-train-learning-rate"),
            self._bind_trait("batch_size", widgets.IntText(continuous_update=False, description=N_("batch size")),
                       "dv-train-batch-size"),
            self._bind_trait("early_stopping_patience", widgets.IntText(continuous_update=False,
                                                                        description="early stopping"),
                             "dv-train-patience"),
            self._bind_trait("restore_best_weights", widgets.Checkbox(description="restore best weights",
                                                                      indent=False), "dv-train-restore"),
        ]
        self.children = [buttons, speed, self._preset, heading(N_("Data")), *data,
                         heading(_("Hidden layers (1–{n})").format(n=MAX_HIDDEN_LAYERS)), header, self._rows,
                         widgets.HBox([self._add, self._remove]), self._head,
                         heading(N_("Training")), *training]
        self._show_layers()
        self._show_head()
        self._show_noise()

    # -- binding ---------------------------------------------------------------------------------------------
    def _bind_trait(self, name, widget, css, fmt=None, parse=None):
        """Style `widget` as a row of this panel, then bind it two-way to state.<name>."""
        widget.description = _(widget.description or name)
        widget.tooltip = TIPS[name]
        widget.style = STYLE
        widget.layout = widgets.Layout(**FULL)
        self.controls[name] = bind(widget, self.state, name, parse=parse, fmt=fmt, css=css)
        return widget

    # -- data set ----------------------------------------------------------------------------------------------
    def _dataset_options(self):
        """The toy sets by name, then your own points (when there are some) as 'uploaded (name, N points)'."""
        label = self.state.dataset_label()
        return [(name, name) for name in datasets.NAMES] + ([(label, UPLOADED)] if label else [])

    def _parse_dataset(self, value):
        """The menu's value, except while its options are being replaced (then the state's: nothing to apply)."""
        return self.state.dataset if self._relabeling else value

    def _show_datasets(self, change=None):
        """New points, a new label: replace the menu's options (ipywidgets then selects the first) and show the
        state's data set again, without either change reaching the state."""
        self._relabeling = True
        try:
            self._dataset.options = self._dataset_options()
            if self.state.dataset in (value for _label, value in self._dataset.options):
                self._dataset.value = self.state.dataset
        finally:
            self._relabeling = False

    def _show_noise(self, change=None):
        """noise jitters the toy sets only: off for your own points."""
        self.controls["noise"].disabled = self.state.dataset == UPLOADED

    # -- layers ---------------------------------------------------------------------------------------------
    def _show_layers(self, change=None):
        """One row per hidden layer, showing the state's values (rows rebuilt only when their number changes)."""
        specs = self.state.hidden_layers
        rows = list(self._rows.children)
        if len(rows) != len(specs):
            rows = [LayerRow(self.state, i) for i in range(len(specs))]
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
        text = _("<b>{architecture}</b> · {params} parameters<br>output: {output}, loss {loss} ({task} task)").format(
            architecture=html.escape(s.architecture()), params=f"{s.model.count_params():,}",
            output=f"<code>Dense({units}, activation=\"{s.output_activation}\")</code>",
            loss=f"<code>{s.loss}</code>", task=_(TASKS.get(s.task, s.task)))
        self._head.value = f"<div style='color:#334;font-size:12px;margin:4px 0 0 2px;line-height:1.45'>{text}</div>"

    # -- buttons ---------------------------------------------------------------------------------------------
    def _play_toggled(self, change):
        if not self._syncing:
            self.state.running = bool(change["new"])
            self._show_running()

    def _show_running(self, change=None):
        """Play ⇄ Pause label and the toggle's value from state.running."""
        running = self.state.running
        self._syncing = True
        try:
            self.play.value = running
            self.play.description = _("▮▮ Pause") if running else _("▶ Play")
            self.play.button_style = "warning" if running else "success"
        finally:
            self._syncing = False

    def _step(self):
        """Pause, then one training step now."""
        self.state.running = False
        self.state.train(1)
