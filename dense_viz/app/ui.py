"""What both apps' widgets share: the one binding of a control to a state trait, the status line, headings,
the sync marker, and guarded callbacks. The explainer and the training panel import this, never each other.
"""
import html
import time

import ipywidgets as widgets

from ..i18n import LANGUAGE_NAMES, N_, _, language
from .explain_errors import explain
from .presetbook import CUSTOM

STATUS_COLORS = {"ok": ("#1d6b34", "#edf8f0", "#b7dfc3", "✓"), "warning": ("#7a5200", "#fff7e0", "#f0d48a", "⚠"),
                 "error": ("#a11d1d", "#fdeeee", "#f0b4b4", "✖")}
STATUS_TITLES = {"ok": N_("ok"), "warning": N_("warning"), "error": N_("error")}


def css_class(name):
    """The DOM class of the control for trait `name`: 'use_bias' -> 'dv-use-bias'."""
    return "dv-" + name.replace("_", "-")


def bind(widget, state, name, parse=None, fmt=None, css=None):
    """Bind `widget.value` and `state.<name>` both ways, as traitlets.link does, through a parser.

    widget -> parse(value) -> state.<name> (the state validates; a refusal reverts it and says why in the
    status line); state.<name> -> fmt(value) -> widget, unless the widget's text already parses to that value.
    A ValueError from `parse` goes to the status line and the widget shows the state's value again. Adds the DOM class `css` (default: dv-<name>); returns `widget`.
    """
    parse = parse or (lambda value: value)
    fmt = fmt or (lambda value: value)
    syncing = []  # non-empty while the state's value is written into the widget

    def show(_change=None):
        value = getattr(state, name)
        try:
            if parse(widget.value) == value:
                return  # the widget already says it, perhaps in the user's words ('10*10*256' for 25600)
        except Exception:  # noqa: BLE001 - text that does not parse: replace it with the state's value
            pass
        write(widget, fmt(value), syncing)

    def to_state(change):
        if syncing:
            return
        try:
            value = parse(change["new"])
            if value != getattr(state, name):
                setattr(state, name, value)
        except Exception as error:  # noqa: BLE001 - a parser's or trait's refusal, or a bug: say it, keep going
            state.report(error)
        show()  # a refused or rewritten value: the field shows what the state holds

    widget.add_class(css or css_class(name))
    widget.observe(to_state, "value")
    state.observe(show, name)
    show()
    return widget


def write(widget, value, syncing):
    """Show `value` in `widget` (if it does not already); `syncing` is non-empty meanwhile, so the widget's
    own observer knows the change came from the state."""
    if widget.value != value:
        syncing.append(True)
        try:
            widget.value = value
        finally:
            syncing.pop()


def status_html(message, level, lang=None):
    """The status line's markup: coloured by level ('ok' | 'warning' | 'error'), the message escaped. A refusal
    keeps the engine's exact (English) words; in a language with an explanation table (explain_errors) its
    explanation follows in `.dv-status-explain`. `lang`: the UI language (default: the current one)."""
    level = level if level in STATUS_COLORS else "error"
    color, fill, border, icon = STATUS_COLORS[level]
    notes = explain(message, lang or language()) if level != "ok" else []
    shown = html.escape(message, quote=False)
    if notes:  # the engine's words, marked as English for the reader (and for screen readers)
        shown = f"<span class='dv-status-message' lang='en'>{shown}</span>"
    extra = "".join(f"<div class='dv-status-explain' style='color:#333;margin-top:2px'>{html.escape(note)}</div>"
                    for note in notes)
    return (f"<div style='color:{color};background:{fill};border:1px solid {border};border-radius:5px;"
            f"padding:4px 10px;font-size:13px;line-height:1.4' title='{html.escape(_(STATUS_TITLES[level]))}'>"
            f"<span style='font-weight:700;margin-right:6px'>{icon}</span>{shown}{extra}</div>")


class StatusLine(widgets.HTML):
    """The status line of an app state (`status`, `status_level`), kept current."""

    def __init__(self, state, css="dv-status"):
        super().__init__(layout=widgets.Layout(margin="0 0 6px 0"))
        self.add_class(css)
        self.state = state
        state.observe(self._show, names=["status", "status_level"])
        self._show()

    def _show(self, _change=None):
        self.value = status_html(self.state.status, self.state.status_level)


def heading(text):
    """A small section title (`text` is translated and escaped here)."""
    return widgets.HTML(f"<div style='font-weight:600;margin:8px 0 2px;color:#333'>{html.escape(_(text))}</div>")


def button(description, css, tooltip, on_click, state, **layout):
    """A Button whose click runs on_click(); an exception goes to the state's status line."""
    widget = widgets.Button(description=_(description), tooltip=_(tooltip), layout=widgets.Layout(**layout))
    widget.add_class(css)
    widget.on_click(guarded(lambda _button: on_click(), state.report))
    return widget


class SyncMarker(widgets.HTML):
    """An invisible element `.dv-sync > [data-version=N]`: N grows after every refresh pass, so a browser
    test waits for "N changed" instead of sleeping."""

    def __init__(self):
        super().__init__(layout=widgets.Layout(display="none"))
        self.add_class("dv-sync")
        self.count = 0
        self.bump()

    def bump(self):
        """Say that a refresh pass finished."""
        self.count += 1
        self.value = f'<span data-version="{self.count}"></span>'


def on_upload(widget, take, on_error):
    """Call take(name, data: bytes) with each file chosen in the FileUpload `widget`, then empty it (so the same
    file may be chosen again, after an edit); an exception goes to on_error."""
    def chosen(change):
        if not change["new"]:
            return  # the widget emptied: nothing chosen
        upload = change["new"][0]
        name, data = str(upload["name"]), bytes(upload["content"])
        widget.value = ()
        take(name, data)
    widget.observe(guarded(chosen, on_error), "value")


def guarded(fn, on_error):
    """Wrap fn(*args) so an exception goes to on_error(exception) (called inside the except block)."""
    def run(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as error:  # a callback must never die silently: report and keep the app alive
            on_error(error)
            return None
    run.__name__ = getattr(fn, "__name__", "callback")
    run.__doc__ = fn.__doc__
    return run


class ViewHost:
    """The one staleness rule of both apps: a view declares `depends`, the names of the state counters it
    reads (`weights`, `arrays`, `selection`, `model` for `<name>_version`); it is stale when one has moved
    since it last drew. Only the host decides; views draw whenever they are asked."""

    def __init__(self, state, views):
        self.state, self.views = state, views
        self.sync = SyncMarker()
        self._drawn = {}  # key -> the counters' values when that view last drew
        self._versions = None  # the state's counters (its *_version traits), for views that declare no depends
        self.last_refresh_seconds = 0.0

    def stamp(self, key):
        """The current values of the counters view `key` depends on (a view that declares none: all of them)."""
        names = getattr(self.views[key], "depends", None)
        if names is None:   # every counter the state has (its *_version traits, looked up once)
            if self._versions is None:
                self._versions = tuple(n[:-len("_version")] for n in self.state.trait_names() if n.endswith("_version"))
            names = self._versions
        return tuple(getattr(self.state, f"{name}_version") for name in names)

    def is_stale(self, key):
        """True if view `key` has not drawn the state as it is now."""
        return self._drawn.get(key) != self.stamp(key)

    def refresh(self, keys, force=()):
        """Redraw the stale views among `keys` (and those in `force`); an error goes to the status line and
        leaves that view stale. Then bump the sync marker. `last_refresh_seconds`: the last pass that drew."""
        start, drew = time.perf_counter(), False
        for key in keys:
            if key in force or self.is_stale(key):
                stamp, drew = self.stamp(key), True
                try:
                    self.views[key].refresh()
                except Exception as error:  # noqa: BLE001 - a broken view must not kill the app: say so
                    self.state.report(error)
                    continue
                self._drawn[key] = stamp
        if drew:
            self.last_refresh_seconds = time.perf_counter() - start
        self.sync.bump()


def preset_menu(state, book, css, tooltip, width="100%", on_choose=None):
    """A Dropdown of `book`'s presets led by 'custom'. Choosing one calls on_choose(key), then applies it in one
    update; what it shows is derived from the configuration (`book.current(state)`), so any change that leaves
    a preset shows custom."""
    menu = widgets.Dropdown(options=[(_("custom (your own settings)"), CUSTOM)]
                            + [(_(name), key) for name, key in book.display_names()],
                            tooltip=_(tooltip), layout=widgets.Layout(width=width))
    menu.add_class(css)
    syncing = []

    def show(_change=None):
        write(menu, book.current(state), syncing)

    def chosen(change):
        if syncing:
            return
        try:
            if change["new"] != CUSTOM:
                if on_choose is not None:
                    on_choose(change["new"])
                book.apply(state, change["new"])  # on refusal the state keeps its configuration and says why
        finally:
            show()

    menu.observe(guarded(chosen, state.report), "value")
    state.observe(guarded(show, state.report), "arrays_version")  # every state has it: +1 per applied change
    show()
    return menu


def language_menu(on_choose, state):
    """The language switch of both apps (`.dv-lang`): a Dropdown of the languages, each in its own name, showing
    the current one; choosing one calls on_choose(lang) (an error goes to the state's status line)."""
    menu = widgets.Dropdown(options=[(name, code) for code, name in LANGUAGE_NAMES.items()], value=language(),
                            tooltip=_("The language of the app"), layout=widgets.Layout(width="110px",
                                                                                       margin="0 0 0 auto"))
    menu.add_class("dv-lang")
    menu.observe(guarded(lambda change: on_choose(change["new"]), state.report), "value")
    return menu
