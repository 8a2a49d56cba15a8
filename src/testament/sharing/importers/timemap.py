"""TimeMap event files, as Bellingcat, Forensic Architecture and others publish them.

A TimeMap file is one JSON array of events::

    {"id": "CIV0098", "date": "02/24/2022", "latitude": "49.21", "longitude": "38.90",
     "location": "", "description": "…",
     "sources": [{"id": "src4592", "path": "https://…", "description": "…"}],
     "filters": [{"key": "Type of area affected", "value": "Residential"},
                 {"key": "Weapon System", "value": "Unknown"}]}

Dates are US-style (MM/DD/YYYY); coordinates are strings or numbers; a source's ``path`` may be
``HIDDEN`` when the publisher withholds it; a source may also be given as a bare ID. Other keys are
ignored. :func:`read` yields an :class:`Event` per element, or a :class:`Rejected` naming the element's
position and the field at fault; it never interprets values (the service checks dates, coordinates and
vocabularies).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from testament.errors import InvalidInput
from testament.sharing.importers import Rejected
from testament.sharing.importers.jsonstream import elements
from testament.sharing.textio import Utf8Text

TARGETS_KEY = "Type of area affected"
WEAPONS_KEY = "Weapon System"
HIDDEN = "HIDDEN"
# Appended to a hidden source's description on import (its URL stays empty), removed on export.
HIDDEN_NOTE = "\n\n[The publisher withheld this source's link: its TimeMap path is HIDDEN.]"
_SURROGATE = re.compile("[\ud800-\udfff]")
_DATED = re.compile(r"[-_. ]*(\d{4}-\d{2}(-\d{2})?|\d{8})$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Source:
    id: str
    path: str = ""
    description: str = ""

    @property
    def hidden(self) -> bool:
        return self.path.strip().upper() == HIDDEN


@dataclass(frozen=True)
class Event:
    row: int  # position in the array, from 1
    line: int  # line of the file where the event starts
    id: str
    date: str
    latitude: object
    longitude: object
    location: str
    description: str
    sources: tuple[Source, ...]
    filters: tuple[tuple[str, str], ...]
    raw: dict[str, Any]

    def values(self, key: str) -> list[str]:
        """The values of one filter key, in order, without repeats."""
        found: list[str] = []
        for k, v in self.filters:
            if k == key and v not in found:
                found.append(v)
        return found


def where(name: str, row: int, line: int, event_id: str | None = None) -> str:
    """How diagnoses name an event: the file, its position and line, and its ID when known."""
    named = f" ({event_id})" if event_id else ""
    return f"{name}: event {row}{named}, line {line}"


def namespace(path: str | PurePath) -> str:
    """The default external-ID namespace of a file: ``timemap:`` and its name without a trailing date.

    ``bellingcat-civharm-2024-06-02.json`` gives ``timemap:bellingcat-civharm``, so next month's file
    from the same publisher updates the same records instead of duplicating them.
    """
    stem = PurePath(path).stem.lower()
    slug = _NOT_SLUG.sub("-", _DATED.sub("", stem)).strip("-")
    return f"timemap:{slug or _NOT_SLUG.sub('-', stem).strip('-') or 'file'}"


class _Bad(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def _text(raw: dict[str, Any], key: str, *, required: bool = False) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            raise _Bad(key, f"the event has no {key!r}")
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise _Bad(key, f"{key!r} must be text, not {type(value).__name__}")
    text = str(value)
    if _SURROGATE.search(text):
        raise _Bad(key, f"{key!r} holds an unpaired surrogate escape (not a Unicode character)")
    if required and not text.strip():
        raise _Bad(key, f"{key!r} is empty")
    return text


def _coordinate(raw: dict[str, Any], key: str) -> object:
    value = raw.get(key)
    if value is None or (isinstance(value, str | int | float) and not isinstance(value, bool)):
        return value
    raise _Bad(key, f"{key!r} must be a number or a numeric string, not {type(value).__name__}")


def _source(value: object, index: int) -> Source:
    field = f"sources[{index}]"
    if isinstance(value, str | int) and not isinstance(value, bool):
        if not str(value).strip():
            raise _Bad(field, "a source ID is empty")
        return Source(str(value))
    if not isinstance(value, dict):
        raise _Bad(field, "a source must be an object with id, path and description")
    try:
        return Source(
            _text(value, "id", required=True),
            _text(value, "path").strip(),
            _text(value, "description"),
        )
    except _Bad as exc:
        raise _Bad(f"{field}.{exc.field}", exc.message) from None


def _list(raw: dict[str, Any], key: str) -> Sequence[object]:
    value = raw.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise _Bad(key, f"{key!r} must be a list")
    return value


def _filter(value: object, index: int) -> tuple[str, str]:
    if not isinstance(value, dict):
        raise _Bad(f"filters[{index}]", "a filter must be an object with key and value")
    try:
        return _text(value, "key", required=True).strip(), _text(value, "value").strip()
    except _Bad as exc:
        raise _Bad(f"filters[{index}].{exc.field}", exc.message) from None


def event(raw: object, row: int, line: int, name: str) -> Event:
    """One element as an :class:`Event`; raises InvalidInput naming the position and the field."""
    if not isinstance(raw, dict):
        raise InvalidInput(
            f"an event must be a JSON object, not {type(raw).__name__}",
            where=where(name, row, line),
        )
    event_id = raw.get("id") if isinstance(raw.get("id"), str | int) else None
    try:
        filters = tuple(_filter(f, i) for i, f in enumerate(_list(raw, "filters")))
        return Event(
            row=row,
            line=line,
            id=_text(raw, "id", required=True).strip(),
            date=_text(raw, "date"),
            latitude=_coordinate(raw, "latitude"),
            longitude=_coordinate(raw, "longitude"),
            location=_text(raw, "location"),
            description=_text(raw, "description"),
            sources=tuple(_source(s, i) for i, s in enumerate(_list(raw, "sources"))),
            filters=tuple(f for f in filters if f[1]),
            raw=raw,
        )
    except _Bad as exc:
        raise InvalidInput(
            f"event {row} cannot be read: {exc.message}",
            where=where(name, row, line, None if event_id is None else str(event_id)),
            errors={exc.field: exc.message},
        ) from None


def read(stream: IO[bytes], name: str) -> Iterator[Event | Rejected]:
    """Every event of a TimeMap file, in order; a file that is not a JSON array raises InvalidInput."""
    text = Utf8Text(stream, name)
    for row, line, raw in elements(text.chunks(), name, lambda: text.size):
        try:
            yield event(raw, row, line, name)
        except InvalidInput as exc:
            yield Rejected(row, raw, exc)
