"""Languages: every message a person reads goes through `_` (gettext), in the window, on
the command line and in the built-in scenarios' texts — decided once, here, for the
whole program (the core and the command line import no Qt, so gettext rather than Qt's
`tr`).

The catalogues are ``resources/locale/<lang>/LC_MESSAGES/mpgui.po`` (sources, edited by
translators) and the ``.mo`` files compiled from them at build time (``python -m
mpgui.i18n compile``; the wheel and the desktop app carry them). A checkout without
``.mo`` files reads the ``.po`` directly (Babel compiles it in memory).

The language is chosen once, when this module is first imported — before any module
that translates a message at import time — from, in order: ``MPGUI_LANGUAGE``, the
user's choice (the file ``language`` in mpgui's config folder), the system's locale
(``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``); English if none is one mpgui
speaks. A new choice applies when mpgui starts again.

``N_`` marks a message for the catalogue without translating it there (a table of
messages made before the language may change); ``_`` translates it where it is shown.
Placeholders are named (``_("Run {n} finished").format(n=3)``): a translation may move
them.
"""

from __future__ import annotations

import gettext
import io
import os
from pathlib import Path

DOMAIN = "mpgui"
ENGLISH = "en"
# The languages mpgui speaks (their catalogues complete): code -> its own name for itself.
LANGUAGES = {"en": "English", "es": "Español", "de": "Deutsch"}
# Catalogues being written: used only when MPGUI_LANGUAGE names one (for translators to
# see their work), never from the system's locale, until complete (`translations
# check`); then they move to LANGUAGES.
TRANSLATING: dict[str, str] = {}
# A pseudo-language for tests: every translated message comes back marked ⟦…⟧, so a
# message shown unmarked is one that bypassed translation.
PSEUDO = "xx"
PSEUDO_OPEN, PSEUDO_CLOSE = "⟦", "⟧"
ENV = "MPGUI_LANGUAGE"
CHOICE_FILE = "language"


class _Pseudo(gettext.NullTranslations):
    def gettext(self, message: str) -> str:
        return f"{PSEUDO_OPEN}{message}{PSEUDO_CLOSE}" if message else message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return self.gettext(msgid1 if n == 1 else msgid2)


_translations: gettext.NullTranslations = gettext.NullTranslations()
_language = ENGLISH


def _(message: str) -> str:
    """`message` in the language chosen."""
    return _translations.gettext(message)


def N_(message: str) -> str:
    """`message` as it is: marked for the catalogue, translated where it is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural `n` calls for, in the language chosen."""
    return _translations.ngettext(singular, plural, n)


def language() -> str:
    """The code of the language in use ("en", "es", ...)."""
    return _language


def locale_dir() -> Path:
    """The folder of the catalogues (``<lang>/LC_MESSAGES/mpgui.po``)."""
    from mpgui.resources import resource

    return resource("locale")


def config_dir() -> Path:
    """mpgui's folder for the user's settings (where QSettings keeps mpgui.conf too)."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "mpgui"


def chosen_language() -> str | None:
    """The language the user chose (the file `language` in the config folder), if it is
    one mpgui speaks (None: the system's)."""
    try:
        text = (config_dir() / CHOICE_FILE).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return text if text in LANGUAGES else None


def system_language() -> str:
    """The system locale's language, if mpgui speaks it, else English."""
    for part in os.environ.get("LANGUAGE", "").split(":"):  # a list, by preference
        code = _code(part)
        if code in LANGUAGES:
            return code
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:  # the first one set decides (C, POSIX or another language: English)
            code = _code(value)
            return code if code in LANGUAGES else ENGLISH
    return ENGLISH


def _code(locale_name: str) -> str:
    """"de" of "de_DE.UTF-8"."""
    return locale_name.split("_")[0].split(".")[0].split("@")[0].lower()


def initial_language() -> str:
    """The language to start in: MPGUI_LANGUAGE, the user's choice, the system's."""
    forced = os.environ.get(ENV, "")
    if forced in LANGUAGES or forced in TRANSLATING or forced == PSEUDO:
        return forced
    return chosen_language() or system_language()


def catalogue(code: str) -> gettext.NullTranslations:
    """The translations of language `code` (nothing to translate for English)."""
    if code == PSEUDO:
        return _Pseudo()
    if code == ENGLISH or (code not in LANGUAGES and code not in TRANSLATING):
        return gettext.NullTranslations()
    folder = locale_dir() / code / "LC_MESSAGES"
    compiled, source = folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"
    try:
        if compiled.is_file() and (not source.is_file()
                                   or compiled.stat().st_mtime >= source.stat().st_mtime):
            with compiled.open("rb") as f:
                return gettext.GNUTranslations(f)
        return gettext.GNUTranslations(io.BytesIO(compile_po(source.read_bytes())))
    except (OSError, ValueError, ImportError):
        return gettext.NullTranslations()  # a broken catalogue: English, never a crash


def compile_po(po: bytes) -> bytes:
    """A .po file compiled to .mo (Babel; fuzzy entries left out, as msgfmt does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    out = io.BytesIO()
    write_mo(out, read_po(io.BytesIO(po)))
    return out.getvalue()


def set_language(code: str) -> None:
    """Translate into language `code` from now on (messages already made stay)."""
    global _translations, _language
    _translations = catalogue(code)
    _language = code if code in LANGUAGES or code in TRANSLATING or code == PSEUDO \
        else ENGLISH


set_language(initial_language())
