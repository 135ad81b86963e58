"""The explainer app: controls on the left, readouts and the view tabs on the right, a status line on top.

Data flows one way: control -> state -> (debounced) the readouts and the visible view. Which of them is
stale is decided in one place (ui.ViewHost, from the state's counters and each view's `depends`): a tab
opened later is refreshed then, if the state moved on since it last drew.
"""
import html
import importlib
from collections import ChainMap
from collections.abc import Mapping

import ipywidgets as widgets

from ..io import MAX_BYTES
from . import presets
from .base import unrecognized
from .controls import ControlsPanel
from ..i18n import N_, _, language, set_language
from .ownlayer import OwnLayerPanel, layers_from
from .readouts import Readouts
from .catalog import preset_guide
from .share import SharePanel, call_code
from .schedule import Debouncer, kernel_loop
from .parsing import integer
from .query import apply_link, choose_language, read_link, write_link
from .state import DEFAULT_MAX_BYTES, DEFAULT_MAX_KERNEL_ENTRIES, SELECTION_TRAITS, ExplainerState
from .ui import StatusLine, ViewHost, guarded, language_menu

TABS = (("shapes", N_("Shapes")), ("weights", N_("Weights")), ("forward", N_("Forward")),
        ("gradients", N_("Gradients")), ("step", N_("Learning step")), ("adapt", N_("Adapt & compress")),
        ("code", N_("Code")), ("graph", N_("Neuron graph")))
# ipywidgets' tab titles shrink to fit (flex: 0 1 144px) and clip to "Adapt & com…" beside the controls at 1280 px:
# each title takes its own width, and the bar wraps to a second row when a language's titles need more room.
TAB_STYLE = ("<style>.jupyter-widgets.widget-tab.dv-tabs > .lm-TabBar .lm-TabBar-tab {flex: 0 0 auto; "
             "max-width: none} .jupyter-widgets.widget-tab.dv-tabs > .lm-TabBar .lm-TabBar-content "
             "{flex-wrap: wrap}</style>")
TITLE = ("<div style='font-size:18px;margin:2px 0 6px'><b>dense_viz</b> · {what} "
         "<code>keras.layers.Dense</code> {computes}: <i>y</i> = activation(<i>x</i> · <i>W</i> + <i>b</i>)</div>")


VIEW_CLASSES = {"shapes": "shapes.ShapesView", "weights": "weights.WeightsView", "forward": "forward.ForwardView",
                "gradients": "gradients.GradientsView", "step": "step.StepView", "adapt": "adapt.AdaptView",
                "code": "code.CodeView", "graph": "graph.GraphView"}  # key -> "<module of app/views>.<class>"


def view_class(key):
    """The view class of tab `key`, imported now (a missing view fails loudly)."""
    module, name = VIEW_CLASSES[key].split(".")
    return getattr(importlib.import_module(f".views.{module}", __package__), name)


def view_classes():
    """{key: view class} of every tab (imports every view module, and matplotlib with them)."""
    return {key: view_class(key) for key, _title in TABS}


class LazyViews(Mapping):
    """The views of the tabs, each built (its module imported, its figures made) the first time it is asked for:
    when its tab is first shown, or by code that reads `app.views[key]`. A kernel that serves one page imports
    and draws only what that page shows; matplotlib is loaded with the first figure view opened.

    `pages[key]` is the tab's page, a VBox the view goes into when it is built."""

    def __init__(self, build):
        """`build(key)`: a new view for tab `key`."""
        self._build, self._views = build, {}
        self.pages = {}
        for key, _title in TABS:
            self.pages[key] = widgets.VBox(layout=widgets.Layout(width="100%"))
            self.pages[key].add_class(f"dv-page-{key}")

    def __getitem__(self, key):
        if key not in self._views:
            if key not in self.pages:
                raise KeyError(key)
            self._views[key] = view = self._build(key)
            self.pages[key].children = (view,)
        return self._views[key]

    def __iter__(self):
        return iter(self.pages)

    def __len__(self):
        return len(self.pages)

    def built(self):
        """Keys of the views built so far."""
        return list(self._views)


class GuidePanel(widgets.HTML):
    """Beside the views: what to look at in the preset last chosen, and a prediction to make (answer folded)."""

    depends = None  # any change: the guide says whether the settings are still the preset's

    def __init__(self, state, chosen):
        """`chosen()`: the key of the preset last chosen ('' for none)."""
        super().__init__(layout=widgets.Layout(margin="0 0 6px 0"))
        self.add_class("dv-guide")
        self.state, self._chosen = state, chosen

    def refresh(self):
        """The chosen preset's guide; a note when the settings have left it."""
        key = self._chosen()
        look, predict, answer = preset_guide(key)
        left = key and presets.BOOK.current(self.state) != key
        since = _("You changed the settings since: Reset returns to the preset.")
        note = f"<div style='color:#7a5200;margin-top:2px'>{html.escape(since)}</div>" if left else ""
        look_at, predict_it = _("What to look at"), _("Predict")
        self.value = (
            "<div style='border-left:3px solid #4a78b5;background:#f4f7fb;padding:4px 10px;font-size:13px;"
            f"line-height:1.5'><b>{html.escape(look_at)}</b> · {html.escape(look)}"
            f"<details style='margin-top:3px'><summary style='cursor:pointer'><b>{html.escape(predict_it)}</b> · "
            f"{html.escape(predict)}</summary><div style='margin:2px 0 0 14px'>{html.escape(answer)}</div>"
            f"</details>{note}</div>")


class ExplainerApp(widgets.VBox):
    """The whole explainer around one ExplainerState: `.state`, `.controls`, `.readouts`, `.views`, `.tabs`."""

    def __init__(self, state, debouncer=None, own=None):
        """`own`: the panel for the user's own layer and data (an OwnLayerPanel; a new empty one by default)."""
        super().__init__()
        self.state = state
        self.own = own or OwnLayerPanel(state)
        self.add_class("dv-app")
        self.debouncer = debouncer or Debouncer(0.03, on_error=state.report)
        # weights_version only ever moves together with arrays_version (in one hold): two counters to watch
        state.observe(guarded(self._state_changed, state.report), names=["arrays_version", "selection_version"])
        self._build()

    def _build(self, tab=0, chosen_preset=None):
        """Every widget, in the current language (again after a language switch: the state stays)."""
        state = self.state
        self.controls = ControlsPanel(state)
        if chosen_preset is not None:
            self.controls.chosen_preset = chosen_preset
        self.readouts = Readouts(state)
        self.guide = GuidePanel(state, lambda: self.controls.chosen_preset)
        self.views = LazyViews(self._build_view)
        self.tabs = widgets.Tab(children=list(self.views.pages.values()), titles=[_(title) for _key, title in TABS],
                                selected_index=tab)
        self.tabs.add_class("dv-tabs")
        self.share = SharePanel("explainer.ipynb", self.link,
                                lambda: call_code("explain", state, presets.BOOK.defaults()))
        self._share_box = share = widgets.Accordion(children=[self.share], titles=(_("Share this setup"),),
                                                    selected_index=None, layout=widgets.Layout(width="328px"))
        share.observe(guarded(lambda change: self.refresh_visible(), state.report), "selected_index")
        own = widgets.Accordion(children=[self.own], titles=(_("Your layer and data"),), selected_index=None,
                                layout=widgets.Layout(width="328px"))
        own.add_class("dv-own")
        self.host = ViewHost(state, ChainMap({"readouts": self.readouts, "guide": self.guide, "share": self.share},
                                             self.views))
        self.language = language_menu(lambda lang: self.set_language(lang), state)

        right = widgets.VBox([self.readouts, self.guide, self.tabs],
                             layout=widgets.Layout(flex="1 1 auto", min_width="0"))
        title = TITLE.format(what=html.escape(_("what")), computes=html.escape(_("computes")))
        self.status_line = StatusLine(state)
        self.children = [widgets.HBox([widgets.HTML(title + TAB_STYLE), self.language]), self.status_line,
                         self.host.sync,
                         widgets.HBox([widgets.VBox([self.controls, own, share], layout=widgets.Layout(
                             width="348px", min_width="348px", flex="0 0 auto")), right],
                                      layout=widgets.Layout(align_items="flex-start"))]
        self.tabs.observe(guarded(lambda change: self.refresh_visible(), state.report), "selected_index")
        self.refresh_visible()

    def set_language(self, lang):
        """Show the app in `lang` ('en' or 'ru') from now on; the state (and its numbers) stay as they are."""
        if lang == language() and self.language.value == lang:
            return
        set_language(lang)
        self._build(self.tabs.selected_index or 0, self.controls.chosen_preset)

    @property
    def visible(self):
        """Key of the visible tab ('shapes', 'weights', …)."""
        return TABS[self.tabs.selected_index or 0][0]

    @property
    def last_refresh_seconds(self):
        """How long the last refresh pass took (benchmarks)."""
        return self.host.last_refresh_seconds

    def refresh_visible(self):
        """Redraw the readouts and the visible view if they are stale, and the share links (they name the tab);
        exceptions go to the status line."""
        shared = ["share"] if self._share_box.selected_index == 0 else []  # the links only while they are shown
        self.host.refresh(["readouts", "guide", self.visible, *shared], force=shared)

    def is_stale(self, key):
        """True if view `key` has not drawn the current state."""
        return self.host.is_stale(key)

    def show_link_view(self, view):
        """Open what a link names: `tab` (a view key), `sample`, `unit`, `position`, `feature`. Returns warnings."""
        warnings = []
        tab = view.get("tab")
        if tab is not None:
            keys = [key for key, _title in TABS]
            if tab in keys:
                self.tabs.selected_index = keys.index(tab)
            else:
                warnings.append(f"Received an invalid value for `tab`, expected one of {tuple(keys)}. "
                                f"Received: tab={tab!r}")
        for name in SELECTION_TRAITS:
            if name in view:
                try:
                    value = integer(name)(view[name])
                except ValueError as error:
                    warnings.append(str(error))
                    continue
                if not self.state.update(**{name: value}):
                    warnings.append(self.state.status)
        return warnings

    def link(self):
        """The query string that rebuilds this app as it is: configuration, open tab, selection."""
        view = {"tab": self.visible if self.visible != TABS[0][0] else None}
        view.update({name: getattr(self.state, name) or None for name in SELECTION_TRAITS})
        return write_link(self.state, presets.BOOK, view)

    def _build_view(self, key):
        """Construct one view; an import or constructor error shows in its tab and the status line, not as a
        dead app."""
        try:
            return view_class(key)(self.state)
        except Exception as error:  # noqa: BLE001
            self.state.report(error)
            placeholder = widgets.HTML(f"<pre>{html.escape(f'{type(error).__name__}: {error}')}</pre>")
            placeholder.refresh, placeholder.depends = (lambda: None), ()
            return placeholder

    def _state_changed(self, change=None):
        self.debouncer.call("views", self.refresh_visible)


VIEW_KEYS = ("tab", *SELECTION_TRAITS, "lang")  # what a link may say besides the configuration


def explain(layer=None, *, layer_name=None, max_kernel_entries=DEFAULT_MAX_KERNEL_ENTRIES, max_bytes=DEFAULT_MAX_BYTES,
            max_upload_bytes=MAX_BYTES, query=None, lang=None, **config):
    """The explainer widget for one Dense layer: x (B, …, input_dim) -> y (B, …, units).

    `layer`: what to explain — a dense_viz.Dense (built: its weights are shown), a keras.layers.Dense or Keras
    model, a torch.nn.Linear or Module, or a model file's path (.keras, .h5, .pt/.pth, .safetensors, .npz);
    a model or file offers a picker of its Dense layers (`layer_name` picks one; default: the first). What
    the engine cannot show is named in the status line. `config`: configuration traits with Keras' names
    (units, activation, use_bias, kernel_initializer, …, input_dim, leading_dims, batch_size, seed,
    input_data, loss, lora_rank, lora_alpha, quantization) and `preset` (a key of presets.PRESETS or its
    display name). `query`: a page's link (`units=7&tab=forward`, see query.py; `query.page_query()` in
    Voila): its preset replaces `preset`, its keys win over the preset, bad keys are named in the status
    line. `lang`: 'en' or 'ru' (also `?lang=ru` in the link; the explicit argument wins), for every app built
    after it. Explicit config wins over the layer, which wins over the link, which wins over the preset.
    `max_bytes` bounds the memory one recompute may take (the size guard; `max_kernel_entries` the kernel);
    uploads in the app are read up to `max_upload_bytes` (above 200 MB, raise the server's
    `websocket_max_message_size` too: dense_viz/jupyter_config). Returns an ExplainerApp; nothing is displayed.
    """
    preset = config.pop("preset", None)
    names = ExplainerState.config_names()
    unknown = set(config) - set(names)
    if unknown:
        raise unrecognized("explain()", unknown, names + ("preset", "query", "lang", "layer_name"))
    for name, value in (("max_kernel_entries", max_kernel_entries), ("max_bytes", max_bytes),
                        ("max_upload_bytes", max_upload_bytes)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"Received an invalid value for `{name}`, expected a positive integer. "
                             f"Received: {name}={value!r}")
    layers, chosen, notes = layers_from(layer, layer_name, max_upload_bytes) if layer is not None else ({}, None, [])
    link = read_link(query or "", ExplainerState, presets.BOOK, VIEW_KEYS)
    warnings = choose_language(lang, link.view.get("lang"))
    preset = preset if link.preset is None else link.preset or None  # '' (custom): the defaults
    settings = presets.BOOK.config(preset) if preset is not None else {}
    state = ExplainerState(max_kernel_entries=max_kernel_entries, max_bytes=max_bytes, **settings)
    warnings += apply_link(state, link)
    if layers or config:  # (no second recompute when there is nothing to change)
        if not (state.use_layer(layers[chosen], **config) if layers else state.update(**config)):
            raise ValueError(state.status)
    # leading: the first change of a burst redraws at once, the rest of the burst once more after 30 ms
    app = ExplainerApp(state, Debouncer(0.03, loop=kernel_loop(), on_error=state.report, leading=True),
                       own=OwnLayerPanel(state, layers, chosen, max_bytes=max_upload_bytes))
    warnings += app.show_link_view(link.view) + notes
    if warnings:
        state.set_status("warning", _("Shown, except: {warnings}. Now: {summary}").format(
            warnings=" · ".join(w.rstrip(".") for w in warnings), summary=state.summary_line()))
    return app
