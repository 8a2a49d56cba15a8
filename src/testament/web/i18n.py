"""Languages of the pages: English (the source text) and Ukrainian, from gettext catalogues.

The catalogues are ``locale/<code>.po`` files, read with Babel at start-up; there is no compiled ``.mo``
to forget to rebuild. ``tests/web/test_i18n.py`` extracts every message from the templates and fails if
a language lacks one.
"""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po
from fastapi import Request

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES: dict[str, str] = {"en": "English", "uk": "Українська"}
DEFAULT = "en"
COOKIE = "testament_lang"


class Catalogue(gettext.NullTranslations):
    """gettext's interface over a Babel catalogue; an untranslated message falls back to English."""

    def __init__(self, messages: dict[str, str], plurals: dict[str, tuple[str, ...]]) -> None:
        super().__init__()
        self._messages = messages
        self._plurals = plurals

    def gettext(self, message: str) -> str:
        return self._messages.get(message) or message

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        forms = self._plurals.get(msgid1)
        if forms and all(forms):
            return forms[_uk_plural(n) if len(forms) == 3 else int(n != 1)]
        return msgid1 if n == 1 else msgid2


def _uk_plural(n: int) -> int:
    """Ukrainian's three plural forms (the CLDR rule that the catalogue's header states)."""
    if n % 10 == 1 and n % 100 != 11:
        return 0
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return 1
    return 2


@cache
def catalogue(code: str) -> gettext.NullTranslations:
    path = LOCALE_DIR / f"{code}.po"
    if code == DEFAULT or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=code)
    messages: dict[str, str] = {}
    plurals: dict[str, tuple[str, ...]] = {}
    for message in parsed:
        if not message.id or message.fuzzy:
            continue
        if isinstance(message.id, tuple):
            plurals[str(message.id[0])] = tuple(str(form) for form in message.string or ())
        else:
            messages[str(message.id)] = str(message.string or "")
    return Catalogue(messages, plurals)


def language(request: Request) -> str:
    """The chosen language: the switch's cookie, else the browser's first supported language."""
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT
