"""One lookup for every user-visible string of both apps: `_("English text")` (gettext's convention).

English is the source language: with no catalog installed, `_()` returns its argument. A second language
is a gettext catalog (`.po` compiled to `.mo`) installed by `set_language`, not an edit of the views.
"""
import gettext

_translation = gettext.NullTranslations()


def _(message):
    """The current language's text for the English `message` (the message itself when untranslated)."""
    return _translation.gettext(message)


def language():
    """The current UI language code ('en' when no catalog is installed)."""
    return _translation.info().get("language", "en")
