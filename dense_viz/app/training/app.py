"""The training panel: controls on the left; readouts, the preset's claim, loss and prediction, then gradient
flow / units / norms.

Data flows one way: control -> state -> views. While training, the Runner (an asyncio task in the kernel)
redraws the visible views at a steady 10 per second (in slow motion after every step, with tween frames of the
gradient bars in between: `animate`); while paused, a state change redraws them once, debounced. Only visible
views draw: the lower Tab shows either the gradient flow or the units and norms.
"""
import ipywidgets as widgets

from ..base import unrecognized
from ...i18n import N_, _, language, set_language
from ...io import MAX_BYTES
from ..query import apply_link, choose_language, read_link, write_link
from ..share import SharePanel, call_code
from ..schedule import Debouncer, kernel_loop
from ..ui import StatusLine, ViewHost, guarded, language_menu
from . import presets
from .controls import TrainingControls
from .runner import Runner
from .state import UPLOADED, TrainingState
from .views import BoundaryView, ClaimView, GradientFlowView, LossView, NormsView, ReadoutView, UnitsView

TITLE = ("<div style='font-size:18px;margin:2px 0 6px'><b>dense_viz</b> · {how} <code>Dense</code> "
         "<span style='font-size:12.5px;color:#667;margin-left:10px'>{hint}</span></div>")
LOWER_TABS = (("gradients", N_("Gradient flow")), ("units", N_("Units · weight norms")))


class TrainingApp(widgets.VBox):
    """The training panel around one TrainingState: `.state`, `.controls`, `.views`, `.runner`, `.tabs`."""

    def __init__(self, state, debouncer=None, loop=None, max_upload_bytes=MAX_BYTES, **runner_options):
        """`loop`: the asyncio loop the debouncer and the training runner use (None: synchronous, no Play);
        `max_upload_bytes`: the largest CSV of your own points the upload takes."""
        super().__init__()
        self.state, self.max_upload_bytes = state, max_upload_bytes
        self.add_class("dv-train-app")
        self.debouncer = debouncer or Debouncer(0.03, loop=loop, on_error=state.report, leading=True)
        self.refresh_seconds = []  # duration of each refresh of the visible views (bench)
        self._build()
        self.runner = Runner(state, self.refresh_visible, loop=loop, animate=self.animate, **runner_options)
        state.observe(guarded(self._state_changed, state.report), names=["model_version", "arrays_version"])
        state.observe(guarded(self._running_changed, state.report), "running")
        self.refresh_visible()

    def _build(self, tab=0):
        """Every widget, in the current language (again after a language switch: the state stays)."""
        state = self.state
        self.controls = TrainingControls(state, self.max_upload_bytes)
        self.views = {"readout": ReadoutView(state), "claim": ClaimView(state), "loss": LossView(state),
                      "boundary": BoundaryView(state),
                      "gradients": GradientFlowView(state), "units": UnitsView(state), "norms": NormsView(state)}
        units_page = widgets.HBox([self.views["units"], self.views["norms"]])
        self.tabs = widgets.Tab(children=[self.views["gradients"], units_page],
                                titles=[_(title) for _key, title in LOWER_TABS], selected_index=tab)
        self.tabs.add_class("dv-train-tabs")
        top = widgets.HBox([self.views["loss"], self.views["boundary"]],
                           layout=widgets.Layout(flex_flow="row wrap"))
        right = widgets.VBox([self.views["readout"], self.views["claim"], top, self.tabs],
                             layout=widgets.Layout(flex="1 1 auto", min_width="0"))
        self.share = SharePanel("training.ipynb", self.link, self.code)
        self._share_box = share = widgets.Accordion(children=[self.share], titles=(_("Share this setup"),),
                                                    selected_index=None)
        share.observe(guarded(lambda change: self.refresh_visible(), state.report), "selected_index")
        self.host = ViewHost(state, {**self.views, "share": self.share})
        title = TITLE.format(how=_("how the gradient flows back through a stack of"),
                             hint=_("press Play; every number comes from the engine's train_step"))
        self.language = language_menu(lambda lang: self.set_language(lang), state)
        self.children = [widgets.HBox([widgets.HTML(title), self.language]), StatusLine(state, "dv-train-status"),
                         self.host.sync,
                         widgets.HBox([widgets.VBox([self.controls, share],  # never squeezed by the charts
                                                    layout=widgets.Layout(flex="0 0 auto")), right],
                                      layout=widgets.Layout(align_items="flex-start"))]
        self.tabs.observe(guarded(lambda change: self.refresh_visible(), state.report), "selected_index")

    def set_language(self, lang):
        """Show the panel in `lang` ('en' or 'ru') from now on; the state, its history and the runner stay."""
        if lang == language() and self.language.value == lang:
            return
        set_language(lang)
        self._build(self.tabs.selected_index or 0)
        self.refresh_visible()

    @property
    def visible(self):
        """Keys of the views on screen: readout, claim, loss, boundary and the lower tab's view(s)."""
        lower = ["gradients"] if (self.tabs.selected_index or 0) == 0 else ["units", "norms"]
        return ["readout", "claim", "loss", "boundary", *lower]

    def refresh_visible(self):
        """Redraw every visible view that is stale; errors go to the status line."""
        shared = ["share"] if self._share_box.selected_index == 0 and not self.runner.active else []
        self.host.refresh([*self.visible, *shared], force=shared)
        self.refresh_seconds.append(self.host.last_refresh_seconds)
        del self.refresh_seconds[:-1000]

    def animate(self):
        """One tween frame between slow-motion steps: the gradient bars move on (if visible and not there yet)."""
        view = self.views["gradients"]
        if "gradients" in self.visible and view.tweening:
            self.host.refresh(["gradients"], force=("gradients",))

    def show_link_view(self, view):
        """Open what a link names: `tab` (gradients | units). Returns warnings."""
        keys = [key for key, _title in LOWER_TABS]
        tab = view.get("tab")
        if tab is None:
            return []
        if tab not in keys:
            return [f"Received an invalid value for `tab`, expected one of {tuple(keys)}. Received: tab={tab!r}"]
        self.tabs.selected_index = keys.index(tab)
        return []

    def link(self):
        """The query string that rebuilds this app as it is: configuration and the open tab."""
        tab = LOWER_TABS[self.tabs.selected_index or 0][0]
        return write_link(self.state, presets.BOOK, {"tab": tab if tab != LOWER_TABS[0][0] else None}, ALIASES)

    def code(self):
        """The notebook call that rebuilds this panel; your own points are named by their file (`data=`)."""
        own = {"dataset": ("data", self.state.points.name)} if self.state.dataset == UPLOADED else None
        return call_code("explain_training", self.state, presets.BOOK.defaults(), own)

    def _state_changed(self, change=None):
        if not self.runner.active:  # while training, the runner redraws at its own steady rate
            self.debouncer.call("views", self.refresh_visible)

    def _running_changed(self, change=None):
        self.host.refresh(["readout"], force=("readout",))  # "(paused)" shows at once, even without a loop


VIEW_KEYS = ("tab", "lang")  # what a link may say besides the configuration
ALIASES = {"layers": "hidden_layers"}  # ?layers=16:relu:he_normal,16:relu:he_normal


def explain_training(query=None, lang=None, data=None, max_upload_bytes=MAX_BYTES, **config):
    """The training panel: a stack of Dense layers trained live on toy data. Returns a TrainingApp.

    `config`: TrainingState traits with Keras' names — dataset, n_samples, noise, train_fraction,
    hidden_layers (list of {units, activation, kernel_initializer, stddev, l2}), optimizer, learning_rate,
    batch_size, early_stopping_patience, restore_best_weights, seed, dtype, speed (steps/s, inf: max) — and
    `preset` (a key of presets.PRESETS or its display name). `data`: your own points instead of a toy set — a
    CSV or .npy path (str or pathlib.Path) with columns x1, x2, label (classes 0, 1, …) or x, y (regression), or
    an array (n, 3) / (n, 2) of the same; the task, the output layer and the loss follow from it
    (dataset='uploaded'). `max_upload_bytes`: the largest file `data` and the panel's upload take. `query`: a page's
    link (`dataset=xor&layers=4:tanh&tab=units`): its preset replaces `preset`, its keys win over the
    preset, bad keys are named in the status line; explicit config wins over all of them. `lang`: 'en' or 'ru' (also
    `?lang=ru`; the explicit argument wins). Nothing is displayed;
    nothing trains until Play (or state.train(n)).
    """
    preset = config.pop("preset", None)
    names = TrainingState.config_names()
    unknown = set(config) - set(names)
    if unknown:
        raise unrecognized("explain_training()", unknown, names + ("preset", "query", "lang"))
    link = read_link(query or "", TrainingState, presets.BOOK, VIEW_KEYS, ALIASES)
    warnings = choose_language(lang, link.view.get("lang"))
    preset = preset if link.preset is None else link.preset or None  # '' (custom): the defaults
    if isinstance(max_upload_bytes, bool) or not isinstance(max_upload_bytes, int) or max_upload_bytes < 1:
        raise ValueError(f"Received an invalid value for `max_upload_bytes`, expected a positive integer. "
                         f"Received: max_upload_bytes={max_upload_bytes!r}")
    state = TrainingState(**(presets.BOOK.config(preset) if preset is not None else {}))
    warnings += apply_link(state, link)
    if data is not None and not state.use_points(data, max_bytes=max_upload_bytes):
        raise ValueError(state.status)
    if config and not state.update(**config):
        raise ValueError(state.status)
    app = TrainingApp(state, loop=kernel_loop(), max_upload_bytes=max_upload_bytes)
    warnings += app.show_link_view(link.view)
    if warnings:
        state.set_status("warning", _("This link was applied except: {warnings}. Now: {summary}").format(
            warnings=" · ".join(w.rstrip(".") for w in warnings), summary=state.summary_line()))
    return app
