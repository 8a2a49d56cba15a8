"""How pages show names, sizes and links to records (the templates' ``shown`` and ``filesize`` filters
and ``record_url``).

Every name a page shows from a record (a file name above all) goes through ``| shown``, the one
display helper of :mod:`testament.domain.display`, so a right-to-left override can never make
``photo<U+202E>gpj.exe`` read as ``photoexe.jpg`` (docs/web.md, "Names as shown").
"""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

import jinja2
from babel.numbers import format_decimal

from testament.domain.display import HIDDEN_CLASS, shown

UNITS = {
    "en": ("B", "kB", "MB", "GB", "TB"),
    "uk": ("Б", "кБ", "МБ", "ГБ", "ТБ"),
}
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


def install(env: jinja2.Environment, language: str) -> None:
    """Give a language's templates the display filters and helpers."""
    env.filters["shown"] = shown
    env.filters["filesize"] = partial(file_size, language=language)
    env.filters["number"] = partial(format_decimal, locale=language)
    env.globals["record_url"] = record_url
    env.globals["hidden_characters"] = HIDDEN_CLASS
