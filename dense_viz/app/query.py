"""The whole state in a link: `?units=7&activation=tanh&leading_dims=5,3&preset=tiny&tab=forward`.

Keys are the state's own trait names (allowlisted: configuration traits plus a few view keys such as `tab`);
values go through the same parsers as the controls (`parsing`, never `eval`) and the state's own validation.
A bad or unknown key is named in a warning and the rest of the link still applies; explicit keys win over
the preset. `write_link(state)` gives the query that rebuilds the state: state -> link -> a fresh page is the
same configuration, with the same numbers (everything is seeded).
"""
import os
from urllib.parse import parse_qsl, urlencode

from ..i18n import set_language
from .parsing import text_formatter, text_parser

MAX_QUERY_LENGTH = 4096  # a link longer than this is not read at all (nobody types one; a page should not choke)


def page_query(environ=None):
    """The query string of the page this kernel serves: Voila hands it over as QUERY_STRING ('' elsewhere).

    A preheated kernel (Voila's `--preheat_kernel=True`: VOILA_PREHEAT=True) runs the notebook before any page
    asks for it, so there is no query yet: this waits for the request with Voila's own helper
    (`voila.utils.get_query_string`), and the notebook's cells before this call are what the preheating did."""
    env = os.environ if environ is None else environ
    if environ is None and env.get("VOILA_PREHEAT", "False") != "False":
        from voila.utils import get_query_string  # only in a kernel Voila started: Voila is installed there
        return get_query_string() or ""
    return env.get("QUERY_STRING", "")


class Link:
    """A parsed link: `preset` (a key, '' for custom, None when the link names none), `settings` {trait: value},
    `view` {key: text}, `warnings`."""

    def __init__(self, preset=None, settings=None, view=None, warnings=None):
        self.preset, self.settings = preset, dict(settings or {})
        self.view, self.warnings = dict(view or {}), list(warnings or [])


def read_link(query, state_class, book, view_keys=(), aliases=None):
    """Parse `query` for states of `state_class` whose presets are `book`; `view_keys`: other allowed keys;
    `aliases`: {short key: trait name} (e.g. layers -> hidden_layers)."""
    link = Link()
    aliases = aliases or {}
    if len(query) > MAX_QUERY_LENGTH:
        link.warnings.append(f"The link is {len(query):,} characters long; at most {MAX_QUERY_LENGTH:,} are read. "
                             "It was ignored.")
        return link
    traits = state_class.class_traits()
    names = state_class.config_names()
    for key, text in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        key = aliases.get(key, key)
        if key in link.settings or key in link.view or (key == "preset" and link.preset):
            link.warnings.append(f"`{key}` appears twice in the link; the first value was used.")
        elif key == "preset":
            if text in ("", "custom"):
                link.preset = ""  # custom: the defaults, not the page's default preset
                continue
            try:
                link.preset = book.resolve(text)
            except ValueError as error:
                link.warnings.append(str(error))
        elif key in names:
            try:
                link.settings[key] = text_parser(key, traits[key])(text)
            except ValueError as error:
                link.warnings.append(str(error))
        elif key in view_keys:
            link.view[key] = text
        else:
            allowed = ", ".join(("preset", *(name for name in names if name not in aliases.values()), *aliases,
                                 *view_keys))
            link.warnings.append(f"Unknown key `{key}` in the link was ignored. Expected some of: {allowed}.")
    return link


def apply_link(state, link):
    """Set the link's explicit keys on `state` (one update; if the state refuses that, key by key, so only the
    offending keys are dropped). Returns the warnings: the link's own and each refused key's."""
    warnings = list(link.warnings)
    if link.settings and not state.update(**link.settings):
        for key, value in link.settings.items():
            if not state.update(**{key: value}):
                warnings.append(f"`{key}` from the link was not applied: {state.status}")
    return warnings


def write_link(state, book, view=None, aliases=None):
    """The query string that rebuilds `state`: its preset (or `custom`) and every trait that differs from that
    preset (or from the defaults), then the `view` keys ({key: value}) that are not None."""
    short = {name: key for key, name in (aliases or {}).items()}
    preset = book.current(state)
    base = book.normalize(book.config(preset) if preset else book.defaults())
    traits = state.traits()
    pairs = [("preset", preset or "custom")]  # custom: the page's own default preset must not apply
    for name in state.config_names():
        value = getattr(state, name)
        if value != base[name]:
            pairs.append((short.get(name, name), text_formatter(traits[name])(value)))
    pairs += [(key, str(value)) for key, value in (view or {}).items() if value is not None]
    return urlencode(pairs, safe=",:()")


def choose_language(explicit, from_link):
    """Set the UI language: the explicit argument (an error if bad) or else the link's (a warning if bad).
    Returns the warnings."""
    if explicit is not None:
        set_language(explicit)
    elif from_link is not None:
        try:
            set_language(from_link.strip())
        except ValueError as error:
            return [str(error)]
    return []
