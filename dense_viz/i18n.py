"""The one lookup for every user-visible string, below the apps: `_("English text")` (gettext's convention).

The plots (which must not import the apps) and the apps' views use it; English is the source language, so
with no catalog installed `_()` returns its argument. `set_language("ru")` installs the gettext catalog
`dense_viz/locale/ru/LC_MESSAGES/dense_viz.mo` for the whole kernel (a Voila page is one kernel; in
JupyterLab the last `explain(lang=…)` wins). `N_()` marks a string for translation where it is defined
(tables) without translating it there: the lookup that shows it calls `_()`.
"""
import gettext
from pathlib import Path

DOMAIN = "dense_viz"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "ru")
LANGUAGE_NAMES = {"en": "English", "ru": "Русский"}  # each language in its own words (the switch's labels)

_translation = gettext.NullTranslations()
_language = "en"


def _(message):
    """The current language's text for the English `message` (the message itself when untranslated)."""
    return _translation.gettext(message)


def N_(message):
    """Mark `message` for translation without translating it now (gettext's convention for tables)."""
    return message


def set_language(lang):
    """Show every string in `lang` from now on ('en' or 'ru'); a Keras-style ValueError for anything else."""
    global _translation, _language
    if lang not in LANGUAGES:
        raise ValueError(f"Received an invalid value for `lang`, expected one of {LANGUAGES}. Received: lang={lang!r}")
    _translation = (gettext.NullTranslations() if lang == "en"
                    else gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang]))
    _language = lang


def language():
    """The current UI language code ('en' or 'ru')."""
    return _language
