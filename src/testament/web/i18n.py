"""Languages of the pages: English (the source text) and Ukrainian, from gettext catalogues.

The catalogues are ``locale/<code>.po`` files. At start-up Babel reads each one and compiles it in
memory into a :class:`babel.support.Translations` (gettext with the plural rule of the catalogue's
header); there is no compiled ``.mo`` in the repository to forget to rebuild. ``tests/web/test_i18n.py``
extracts every message from the templates and from :mod:`testament.web.labels` and fails if a language
lacks one.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from fastapi import Request

LOCALE_DIR = Path(__file__).parent / "locale"
LANGUAGES: dict[str, str] = {"en": "English", "uk": "Українська"}
DEFAULT = "en"
COOKIE = "testament_lang"


@cache
def catalogue(code: str) -> gettext.NullTranslations:
    """The language's messages; an untranslated or fuzzy message falls back to the English source."""
    path = LOCALE_DIR / f"{code}.po"
    if code == DEFAULT or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        parsed = read_po(handle, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, parsed)  # leaves out untranslated and fuzzy messages
    compiled.seek(0)
    return Translations(compiled)


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
