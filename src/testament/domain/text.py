"""Free text as documenters type it: checked once, the same way for every record.

:data:`FIELD_CHARS` is the one table of how long each kind of text may be, in characters. Every path that
writes text (the API's bodies, the pages' forms, the CLI, the importers) checks against it, so a 50 MB
description is refused the same way wherever it comes from (docs/api.md, "Limits").
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from testament.errors import InvalidInput

NAME_CHARS = 500  # a name, a title, a label: one line a list shows
LINE_CHARS = 2_000  # a place, a URL, a reference, a contact: one long line
LONG_CHARS = 100_000  # a description, a note, an account: about forty pages

FIELD_CHARS: Mapping[str, int] = MappingProxyType({
    "title": NAME_CHARS,
    "name": NAME_CHARS,
    "label": NAME_CHARS,
    "alias": NAME_CHARS,
    "rank": NAME_CHARS,
    "country": NAME_CHARS,
    "external_id": NAME_CHARS,
    "external_ns": NAME_CHARS,
    "pronouns": NAME_CHARS,
    "place_text": LINE_CHARS,
    "location": LINE_CHARS,
    "url": LINE_CHARS,
    "reference": LINE_CHARS,
    "date_text": LINE_CHARS,
    "address": LINE_CHARS,
    "contact": LINE_CHARS,
    "description": LONG_CHARS,
    "note": LONG_CHARS,
})  # fmt: skip


def max_chars(field: str | None) -> int:
    """The most characters ``field`` may hold; text not in :data:`FIELD_CHARS` is long text."""
    return FIELD_CHARS.get(field or "", LONG_CHARS)


def check_length(value: str, name: str, where: str | None, *, field: str | None = None) -> None:
    """Refuse ``value`` when it is longer than ``field`` may be (its content is never quoted)."""
    limit = max_chars(field)
    if len(value) > limit:
        raise InvalidInput(
            f"{name} is {len(value):,} characters long; at most {limit:,} are accepted",
            where=where,
            hint="shorten it, or attach the full text as evidence",
        )


def clean_text(
    value: object, name: str, where: str | None, *, required: bool = False, field: str | None = None
) -> str:
    """``value`` stripped; refuses non-text, NUL characters, text longer than ``field`` may be (long
    text when no field is named) and (when ``required``) empty text.

    ``name`` says what the text is ("the title") and ``where`` names the input (an option, a row);
    neither the text nor any part of it goes into the message, because it may name a person.
    """
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text", where=where)
    check_length(value, name, where, field=field)
    if "\x00" in value:
        raise InvalidInput(f"{name} contains a NUL character", where=where)
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(f"{name} must not be empty", where=where)
    return cleaned
