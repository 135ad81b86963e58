"""The training panel: controls on the left; readouts, loss and prediction, then gradient flow / units / norms.

Data flows one way: control -> state -> views. While training, the Runner (an asyncio task in the kernel)
redraws the visible views at a steady 10 per second; while paused, a state change redraws them once,
debounced. Only visible views draw: the lower Tab shows either the gradient flow or the units and norms.
"""
import time

import ipywidgets as widgets

from ..app import SyncMarker, status_html
from ..schedule import Debouncer
from . import presets
from .controls import TrainingControls
from .runner import Runner
from .state import CONFIG_TRAITS, TrainingState
from .views import BoundaryView, GradientFlowView, LossView, NormsView, ReadoutView, UnitsView

TITLE = ("<div style='font-size:18px;margin:2px 0 6px'><b>dense_viz</b> · how the gradient flows back through "
         "a stack of <code>Dense</code> layers<span style='font-size:12.5px;color:#667;margin-left:10px'>"
         "press Play; every number comes from the engine's train_step</span></div>")
LOWER_TABS = (("gradients", "Gradient flow"), ("units", "Units · weight norms"))


class TrainingApp(widgets.VBox):
    """The training panel around one TrainingState: `.state`, `.controls`, `.views`, `.runner`, `.tabs`."""

    def __init__(self, state, debouncer=None, **runner_options):
        super().__init__()
        self.state = state
        self.add_class("dv-train-app")
        self.debouncer = debouncer or Debouncer(0.03, on_error=state.report_exception)
        self.refresh_seconds = []  # duration of each refresh of the visible views (bench)

        self._status = widgets.HTML(layout=widgets.Layout(margin="0 0 6px 0"))
        self._status.add_class("dv-train-status")
        self.sync = SyncMarker()
        self.controls = TrainingControls(state)
        self.views = {"readout": ReadoutView(state), "loss": LossView(state), "boundary": BoundaryView(state),
                      "gradients": GradientFlowView(state), "units": UnitsView(state), "norms": NormsView(state)}
        units_page = widgets.HBox([self.views["units"], self.views["norms"]])
        self.tabs = widgets.Tab(children=[self.views["gradients"], units_page],
                                titles=[title for _, title in LOWER_TABS], selected_index=0)
        self.tabs.add_class("dv-train-tabs")
        top = widgets.HBox([self.views["loss"], self.views["boundary"]],
                           layout=widgets.Layout(flex_flow="row wrap"))
        right = widgets.VBox([self.views["readout"], top, self.tabs],
                             layout=widgets.Layout(flex="1 1 auto", min_width="0"))
        self.children = [widgets.HTML(TITLE), self._status, self.sync,
                         widgets.HBox([self.controls, right], layout=widgets.Layout(align_items="flex-start"))]

        self.runner = Runner(state, self.refresh_visible, **runner_options)
        state.observe(self._show_status, names=["status", "status_level"])
        state.observe(self._state_changed, "version")
        state.observe(self._running_changed, "running")
        self.tabs.observe(lambda change: self.refresh_visible(), "selected_index")
        self._show_status()
        self.refresh_visible()

    @property
    def visible(self):
        """Keys of the views on screen: readout, loss, boundary and the lower tab's view(s)."""
        lower = ["gradients"] if (self.tabs.selected_index or 0) == 0 else ["units", "norms"]
        return ["readout", "loss", "boundary", *lower]

    def refresh_visible(self):
        """Redraw every visible view (each skips itself if the state has not moved); errors go to the status."""
        start = time.perf_counter()
        for key in self.visible:
            try:
                self.views[key].refresh()
            except Exception as error:  # noqa: BLE001 - a broken view must not stop training or the app
                self.state.report_exception(error)
        self.refresh_seconds.append(time.perf_counter() - start)
        self.sync.bump()
        del self.refresh_seconds[:-1000]

    def _state_changed(self, change=None):
        if self.runner.active:
            return  # the runner redraws at its own steady rate
        self.debouncer.call("views", self.refresh_visible)

    def _running_changed(self, change=None):
        self.views["readout"].refresh()  # "(paused)" shows at once, even without a running loop

    def _show_status(self, change=None):
        try:
            self._status.value = status_html(self.state.status, self.state.status_level)
        except Exception as error:  # noqa: BLE001
            self.state.report_exception(error)


def explain_training(**config):
    """The training panel: a stack of Dense layers trained live on toy data. Returns a TrainingApp.

    `config`: TrainingState traits with Keras' names — dataset, n_samples, noise, train_fraction,
    hidden_layers (list of {units, activation, kernel_initializer, stddev}), optimizer, learning_rate,
    batch_size, seed, dtype — and `preset` (a key of presets.PRESETS or its display name); explicit config
    wins over the preset. Nothing is displayed; nothing trains until Play (or state.run_steps(n)).
    """
    preset = config.pop("preset", None)
    unknown = sorted(set(config) - set(CONFIG_TRAITS))
    if unknown:
        raise ValueError(f"Unrecognized keyword arguments passed to explain_training(): {unknown}. Expected "
                         f"some of: {', '.join(CONFIG_TRAITS)}, preset.")
    settings = {}
    if preset is not None:
        key = presets.resolve_preset(preset)
        settings = {**presets.preset_config(key), "preset": key}
    settings.update(config)
    state = TrainingState(**settings)
    if state.preset and not presets.matching_preset(state, state.preset):
        state.preset = presets.CUSTOM
    return TrainingApp(state)
