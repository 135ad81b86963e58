"""The share panel: ready-to-copy links that open this exact state, on this server, on Binder, on a school's hub.

Where the app lives comes from one settings file, `dense_viz/deployment.json` (repository, ref, Binder and
JupyterHub addresses), each overridable per deployment by an environment variable (DENSE_VIZ_REPOSITORY,
DENSE_VIZ_REF, DENSE_VIZ_BINDER, DENSE_VIZ_HUB). The links are plain read-only text fields a person can
select; ipywidgets has no copy button that works without custom JavaScript, so there is none.
"""
import functools
import html
import json
import os
from importlib import resources
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import ipywidgets as widgets

from ..i18n import _

SETTINGS = ("repository", "ref", "binder", "hub")


@functools.lru_cache(maxsize=1)
def _settings_file():
    return json.loads(resources.files("dense_viz").joinpath("deployment.json").read_text())


def deployment(environ=None):
    """{repository, ref, binder, hub}: the settings file, with DENSE_VIZ_<NAME> environment overrides."""
    environ = os.environ if environ is None else environ
    settings = _settings_file()
    return {name: environ.get(f"DENSE_VIZ_{name.upper()}", settings.get(name, "")) for name in SETTINGS}


def server_link(notebook, query, environ=None):
    """This server's link to the app with `query`: the page's own address (Voila's VOILA_REQUEST_URL) with
    the new query, or None outside Voila."""
    environ = os.environ if environ is None else environ
    page = environ.get("VOILA_REQUEST_URL")
    if not page:
        return None
    scheme, host, path, _query, _fragment = urlsplit(page)
    return urlunsplit((scheme, host, path, query, ""))


def binder_links(settings, notebook, query):
    """(Voila app, JupyterLab) links on Binder; the query is encoded inside `urlpath`, as Binder requires."""
    base = f"{settings['binder'].rstrip('/')}/v2/gh/{settings['repository']}/{quote(settings['ref'], safe='')}"
    voila = f"voila/render/notebooks/{notebook}" + (f"?{query}" if query else "")
    lab = f"lab/tree/notebooks/{notebook}"
    return f"{base}?{urlencode({'urlpath': voila})}", f"{base}?{urlencode({'urlpath': lab})}"


def hub_link(settings, notebook, query):
    """An nbgitpuller link for a JupyterHub: pull the repository into the learner's home, open the Voila app.
    Without a hub address in the settings, the link starts at /hub/… (to append to the school's address)."""
    folder = settings["repository"].rsplit("/", 1)[-1]
    voila = f"voila/render/{folder}/notebooks/{notebook}" + (f"?{query}" if query else "")
    pull = {"repo": f"https://github.com/{settings['repository']}", "branch": settings["ref"], "urlpath": voila}
    return f"{settings['hub'].rstrip('/')}/hub/user-redirect/git-pull?{urlencode(pull)}"


def call_code(function, state, defaults, instead=None):
    """The notebook call that rebuilds the state: `explain(units=7, activation="tanh")` (Keras' names).
    `instead`: {trait: (argument, value)} written in place of a trait (`dataset` -> `data="moons.csv"`)."""
    instead = instead or {}
    args = [(f"{instead[name][0]}={instead[name][1]!r}" if name in instead else f"{name}={getattr(state, name)!r}")
            for name in state.config_names() if getattr(state, name) != defaults[name] or name in instead]
    return f"from dense_viz import {function}\n{function}({', '.join(args)})"


def _field(label, value, css):
    """A labelled read-only text field holding `value` (selectable, escaped)."""
    text = html.escape(value, quote=True)
    return (f"<div class='{css}' style='margin:2px 0 6px'><div style='font-size:12px;color:#556'>"
            f"{html.escape(label)}</div><input type='text' readonly value=\"{text}\" "
            "style='width:100%;box-sizing:border-box;font-family:var(--jp-code-font-family,monospace);"
            "font-size:11.5px;padding:2px 4px;border:1px solid #ccd'></div>")


class SharePanel(widgets.VBox):
    """Links to this state: `refresh()` rewrites them from `link()` (a query string) and `code()`."""

    depends = None  # every counter: any change moves the link

    def __init__(self, notebook, link, code, environ=None):
        """`notebook`: e.g. 'explainer.ipynb'; `link()`: the current query string; `code()`: the notebook call."""
        super().__init__()
        self.add_class("dv-share")
        self._notebook, self._link, self._code, self._environ = notebook, link, code, environ
        self._links = widgets.HTML()
        self._links.add_class("dv-share-links")
        self._call = widgets.HTML()
        self._call.add_class("dv-share-code")
        in_voila = bool((os.environ if environ is None else environ).get("VOILA_REQUEST_URL"))
        self._call.layout.display = "none" if in_voila else None  # the call is for JupyterLab users
        self.links = {}
        self.children = [self._links, self._call]

    def refresh(self):
        """Rewrite every link for the state as it is now."""
        query, settings = self._link(), deployment(self._environ)
        voila, lab = binder_links(settings, self._notebook, query)
        self.links = {"server": server_link(self._notebook, query, self._environ), "binder_voila": voila,
                      "binder_lab": lab, "hub": hub_link(settings, self._notebook, query)}
        labels = {"server": _("This server (the app, as it is now)"),
                  "binder_voila": _("Binder: the app, as it is now"),
                  "binder_lab": _("Binder: the notebook in JupyterLab"),
                  "hub": _("Your school's JupyterHub (nbgitpuller)") if settings["hub"] else
                  _("A JupyterHub (nbgitpuller): put your hub's address in front")}
        self._links.value = "".join(_field(labels[key], value, f"dv-share-{key.replace('_', '-')}")
                                    for key, value in self.links.items() if value)
        in_notebook = _("In a notebook:")
        self._call.value = (f"<div style='font-size:12px;color:#556'>{html.escape(in_notebook)}</div>"
                            f"<pre style='font-size:11.5px;white-space:pre-wrap;margin:2px 0'>"
                            f"{html.escape(self._code())}</pre>")
