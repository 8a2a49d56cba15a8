"""The languages Testament speaks (English, the source text, Ukrainian and Arabic) and their catalogues.

Shared by the pages (:mod:`testament.web.i18n`) and the reports (:mod:`testament.patterns.rendering`),
so a report reads as the page that links to it. The catalogues are gettext ``.po`` files in
``web/locale``; Babel compiles each in memory when first asked for, so there is no ``.mo`` file to
forget to rebuild. Arabic is written right to left: :func:`direction` gives a language's writing
direction (from Babel's CLDR data), which the pages and reports put on their ``<html dir>``.
"""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from testament.errors import InvalidInput

LOCALE_DIR = Path(__file__).parent / "web" / "locale"
LANGUAGES: dict[str, str] = {"en": "English", "uk": "Українська", "ar": "العربية"}
DEFAULT = "en"


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


@cache
def direction(code: str) -> str:
    """``rtl`` for a language written right to left (Arabic), ``ltr`` otherwise: an ``<html dir>``."""
    return "rtl" if Locale.parse(code).text_direction == "rtl" else "ltr"


def check_language(code: str, where: str = "--lang") -> str:
    """One of :data:`LANGUAGES`; InvalidInput listing them otherwise."""
    if code not in LANGUAGES:
        valid = ", ".join(LANGUAGES)
        raise InvalidInput(
            f"{code!r} is not a language Testament speaks",
            where=where,
            hint=f"use one of {valid}",
            errors={"lang": f"one of {valid}"},
        )
    return code
