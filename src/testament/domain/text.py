"""Free text as documenters type it: checked once, the same way for every record."""

from __future__ import annotations

from testament.errors import InvalidInput


def clean_text(value: object, name: str, where: str | None, *, required: bool = False) -> str:
    """``value`` stripped; refuses non-text, NUL characters and (when ``required``) empty text.

    ``name`` says what the text is ("the title") and ``where`` names the input (an option, a row);
    neither the text nor any part of it goes into the message, because it may name a person.
    """
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be text", where=where)
    if "\x00" in value:
        raise InvalidInput(f"{name} contains a NUL character", where=where)
    cleaned = value.strip()
    if required and not cleaned:
        raise InvalidInput(f"{name} must not be empty", where=where)
    return cleaned
