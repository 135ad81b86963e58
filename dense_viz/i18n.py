"""The one lookup for every user-visible string, below the apps: `_("English text")` (gettext's convention).

The plots (which must not import the apps) and the apps' views use it; English is the source language, so
with no catalog installed `_()` returns its argument. A second language installs a gettext catalog here.
"""
import gettext

_translation = gettext.NullTranslations()


def _(message):
    """The current language's text for the English `message` (the message itself when untranslated)."""
    return _translation.gettext(message)


def language():
    """The current UI language code ('en' when no catalog is installed)."""
    return _translation.info().get("language", "en")
