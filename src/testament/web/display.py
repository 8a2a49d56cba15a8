"""How pages show names, sizes and links to records (the templates' ``shown`` and ``filesize`` filters
and ``record_url``).

Every name a page shows from a record (a file name above all) goes through ``| shown``, the one
display helper of :mod:`testament.domain.display`, so a right-to-left override can never make
``photo<U+202E>gpj.exe`` read as ``photoexe.jpg`` (docs/web.md, "Names as shown").

On a right-to-left page (Arabic) every value put into a translated sentence (a name, a title, an ID)
is isolated, between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE, so that "Mohammed (2)" or
``INC-2024-0001`` keeps its own order inside the Arabic words around it (docs/web.md, "Languages").
"""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import quote

import jinja2
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from testament.domain.display import HIDDEN_CLASS, shown
from testament.locale import direction

UNITS = {
    "en": ("B", "kB", "MB", "GB", "TB"),
    "uk": ("Б", "кБ", "МБ", "ГБ", "ТБ"),
    "ar": ("بايت", "ك.بايت", "م.بايت", "ج.بايت", "ت.بايت"),
}
FIRST_STRONG_ISOLATE, POP_DIRECTIONAL_ISOLATE = "\u2068", "\u2069"
PAGES = {
    "incident": "/incidents/{}",
    "source": "/sources/{}",
    "person": "/people/{}/intake",
    "item": "/evidence/{}",
}


def file_size(size: int | None, *, language: str) -> str:
    """``size`` in bytes as a reader takes it in: ``2.4 MB``, ``812 B`` (in decimal units)."""
    if size is None:
        return ""
    units = UNITS.get(language, UNITS["en"])
    value, unit = float(size), 0
    while value >= 1000 and unit < len(units) - 1:
        value, unit = value / 1000, unit + 1
    number = format_decimal(value, format="#,##0" if unit == 0 else "#,##0.#", locale=language)
    return f"{number} {units[unit]}"


def record_url(kind: str, record_id: str) -> str:
    """The page of a record of a search kind (incident, source, person, item)."""
    return PAGES[kind].format(quote(record_id, safe=""))


def isolated(value: object) -> object:
    """A sentence's value between isolates; a number stays a number (``%(num)d``)."""
    if isinstance(value, int | float):
        return value
    if isinstance(value, Markup):
        return escape(FIRST_STRONG_ISOLATE) + value + POP_DIRECTIONAL_ISOLATE
    return FIRST_STRONG_ISOLATE + str(value) + POP_DIRECTIONAL_ISOLATE


def isolate_values(env: jinja2.Environment) -> None:
    """Make the templates' ``gettext`` and ``ngettext`` (so ``_()`` and ``{% trans %}``) isolate
    the values they put into a sentence."""
    singular, plural = env.globals["gettext"], env.globals["ngettext"]

    @jinja2.pass_context
    def gettext(context: jinja2.runtime.Context, string: str, **values: Any) -> Any:
        return singular(context, string, **{k: isolated(v) for k, v in values.items()})  # type: ignore[operator]

    @jinja2.pass_context
    def ngettext(
        context: jinja2.runtime.Context, one: str, many: str, num: int, **values: Any
    ) -> Any:
        isolating = {k: isolated(v) for k, v in values.items()}
        return plural(context, one, many, num, **isolating)  # type: ignore[operator]

    env.globals["gettext"], env.globals["ngettext"] = gettext, ngettext


def install(env: jinja2.Environment, language: str) -> None:
    """Give a language's templates the display filters and helpers."""
    env.filters["shown"] = shown
    env.filters["filesize"] = partial(file_size, language=language)
    env.filters["number"] = partial(format_decimal, locale=language)
    env.globals["record_url"] = record_url
    env.globals["hidden_characters"] = HIDDEN_CLASS
    if direction(language) == "rtl":
        isolate_values(env)
