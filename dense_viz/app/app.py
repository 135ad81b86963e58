"""The explainer app: controls on the left, readouts and the view tabs on the right, a status line on top.

Data flows one way: control -> state -> (debounced) the visible view and the readouts. Only the visible
tab redraws; a tab opened later is refreshed then, if the state moved on since it last drew.
"""
import html
import time

import ipywidgets as widgets

from ..engine import Dense
from . import presets
from .controls import ControlsPanel
from .readouts import Readouts
from .schedule import Debouncer, guarded
from .state import CONFIG_TRAITS, DEFAULT_MAX_KERNEL_ENTRIES, ExplainerState

TABS = (("shapes", "Shapes"), ("weights", "Weights"), ("forward", "Forward"), ("gradients", "Gradients"),
        ("code", "Code"), ("graph", "Neuron graph"))
STATUS_COLORS = {"ok": ("#1d6b34", "#edf8f0", "#b7dfc3", "✓"), "warning": ("#7a5200", "#fff7e0", "#f0d48a", "⚠"),
                 "error": ("#a11d1d", "#fdeeee", "#f0b4b4", "✖")}
TITLE = ("<div style='font-size:18px;margin:2px 0 6px'><b>dense_viz</b> · what "
         "<code>keras.layers.Dense</code> computes: <i>y</i> = activation(<i>x</i> · <i>W</i> + <i>b</i>)"
         "</div>")


class SyncMarker(widgets.HTML):
    """An invisible element `.dv-sync > [data-version=N]`: N grows after every refresh that drew something,
    so a browser test waits for "N changed" instead of sleeping."""

    def __init__(self):
        super().__init__(layout=widgets.Layout(display="none"))
        self.add_class("dv-sync")
        self.count = 0
        self.bump()

    def bump(self):
        """Say that a refresh finished."""
        self.count += 1
        self.value = f'<span data-version="{self.count}"></span>'


def view_classes():
    """{key: view class} for the tabs, imported when the app is built (a missing view fails loudly)."""
    from .views.code import CodeView
    from .views.forward import ForwardView
    from .views.gradients import GradientsView
    from .views.graph import GraphView
    from .views.shapes import ShapesView
    from .views.weights import WeightsView
    return {"shapes": ShapesView, "weights": WeightsView, "forward": ForwardView, "gradients": GradientsView,
            "code": CodeView, "graph": GraphView}


def status_html(message, level):
    """The status line's markup: coloured by level ('ok' | 'warning' | 'error')."""
    color, fill, border, icon = STATUS_COLORS.get(level, STATUS_COLORS["error"])
    return (f"<div style='color:{color};background:{fill};border:1px solid {border};border-radius:5px;"
            f"padding:4px 10px;font-size:13px;line-height:1.4' title='{level}'>"
            f"<span style='font-weight:700;margin-right:6px'>{icon}</span>{html.escape(message, quote=False)}</div>")


class ExplainerApp(widgets.VBox):
    """The whole explainer around one ExplainerState: `.state`, `.controls`, `.readouts`, `.views`, `.tabs`."""

    def __init__(self, state, debouncer=None):
        super().__init__()
        self.state = state
        self.add_class("dv-app")
        self.debouncer = debouncer or Debouncer(0.03, on_error=state.report_exception)
        self.last_refresh_seconds = 0.0  # duration of the last view refresh (for benchmarks)

        self._status = widgets.HTML(layout=widgets.Layout(margin="0 0 6px 0"))
        self._status.add_class("dv-status")
        self.sync = SyncMarker()
        self.controls = ControlsPanel(state)
        self.readouts = Readouts(state, self.debouncer)
        classes = view_classes()
        self.views = {key: self._build_view(key, classes[key]) for key, _ in TABS}
        self.tabs = widgets.Tab(children=list(self.views.values()), titles=[title for _, title in TABS],
                                selected_index=0)
        self.tabs.add_class("dv-tabs")
        self._drawn = dict.fromkeys(self.views, -1)  # key -> state.version it last drew

        right = widgets.VBox([self.readouts, self.tabs], layout=widgets.Layout(flex="1 1 auto", min_width="0"))
        self.children = [widgets.HTML(TITLE), self._status, self.sync,
                         widgets.HBox([self.controls, right], layout=widgets.Layout(align_items="flex-start"))]

        report = state.report_exception  # every callback: an exception goes to the status line and the log
        state.observe(guarded(self._show_status, report), names=["status", "status_level"])
        state.observe(guarded(self._state_changed, report), "version")
        self.tabs.observe(guarded(self._tab_changed, report), "selected_index")
        self._show_status()
        self.refresh_visible()

    # -- public ----------------------------------------------------------------------------------------------
    @property
    def visible(self):
        """Key of the visible tab ('shapes', 'weights', …)."""
        return TABS[self.tabs.selected_index or 0][0]

    def refresh_visible(self):
        """Redraw the visible view if it has not drawn the current state; exceptions go to the status line."""
        key, version = self.visible, self.state.version
        if self._drawn[key] == version:
            self.sync.bump()
            return
        start = time.perf_counter()
        try:
            self.views[key].refresh()
        except Exception as error:  # noqa: BLE001 - a broken view must not kill the app
            self.state.report_exception(error)
            return
        self.last_refresh_seconds = time.perf_counter() - start
        self._drawn[key] = version
        self.sync.bump()

    def is_stale(self, key):
        """True if view `key` has not drawn the current state."""
        return self._drawn[key] != self.state.version

    # -- callbacks -------------------------------------------------------------------------------------------
    def _build_view(self, key, cls):
        """Construct one view; a constructor error shows in its tab and the status line, not as a dead app."""
        try:
            return cls(self.state)
        except Exception as error:  # noqa: BLE001
            self.state.report_exception(error)
            placeholder = widgets.HTML(f"<pre>{html.escape(f'{type(error).__name__}: {error}')}</pre>")
            placeholder.refresh = lambda: None
            return placeholder

    def _state_changed(self, change=None):
        self.debouncer.call("views", self.refresh_visible)

    def _tab_changed(self, change=None):
        self.refresh_visible()

    def _show_status(self, change=None):
        self._status.value = status_html(self.state.status, self.state.status_level)


def explain(layer=None, *, max_kernel_entries=DEFAULT_MAX_KERNEL_ENTRIES, **config):
    """The explainer widget for one Dense layer: x (B, …, input_dim) -> y (B, …, units).

    `layer`: a dense_viz.Dense, built (its weights are shown) or not; `config`: configuration traits with
    Keras' names (units, activation, use_bias, kernel_initializer, …, input_dim, leading_dims, batch_size,
    seed, input_data, loss) and `preset` (a key of presets.PRESETS or its display name). Explicit config
    wins over the layer, which wins over the preset. Returns an ExplainerApp; nothing is displayed.
    """
    preset = config.pop("preset", None)
    unknown = sorted(set(config) - set(CONFIG_TRAITS))
    if unknown:
        raise ValueError(f"Unrecognized keyword arguments passed to explain(): {unknown}. Expected some of: "
                         f"{', '.join(CONFIG_TRAITS)}, preset.")
    if isinstance(max_kernel_entries, bool) or not isinstance(max_kernel_entries, int) or max_kernel_entries < 1:
        raise ValueError("Received an invalid value for `max_kernel_entries`, expected a positive integer. "
                         f"Received: max_kernel_entries={max_kernel_entries!r}")
    if layer is not None and not isinstance(layer, Dense):
        raise ValueError(f"Expected `layer` to be a dense_viz.Dense or None. Received: layer={layer!r}")
    settings = {}
    if preset is not None:
        key = presets.resolve_preset(preset)
        settings = {**presets.preset_config(key), "preset": key}
    if layer is not None:
        settings.update(ExplainerState.config_from_layer(layer))
    settings.update(config)
    state = ExplainerState(layer=layer, max_kernel_entries=max_kernel_entries, **settings)
    if state.preset and not presets.matching_preset(state, state.preset):
        state.preset = presets.CUSTOM
    return ExplainerApp(state)
