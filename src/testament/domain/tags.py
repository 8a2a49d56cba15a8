"""Free tags, as documenters type them: one spelling shown, one form compared.

A tag is trimmed, its inner runs of white space made one space, and put in Unicode NFC (so ``é`` typed
as one character or as ``e`` and a combining accent is one tag). It is compared case-folded (``Shelling``
and ``SHELLING`` are one tag; the first spelling given is the one shown). It holds no control characters,
is not empty, and is at most :data:`TAG_CHARS` characters long.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from testament.errors import InvalidInput

TAG_CHARS = 64
TARGET_KINDS = ("item", "incident")


@dataclass(frozen=True)
class TagText:
    """A checked tag: ``label`` as shown, ``folded`` as compared."""

    label: str
    folded: str


def folded(text: str) -> str:
    """The compared form of a tag's text (the label, or a filter's value)."""
    return unicodedata.normalize("NFC", " ".join(text.split()).casefold())


def tag_text(text: object, where: str | None = "tag") -> TagText:
    """Check a tag; refuses an empty one, one too long, and control characters."""
    if not isinstance(text, str):
        raise InvalidInput("a tag must be text", where=where)
    label = unicodedata.normalize("NFC", " ".join(text.split()))
    if not label:
        raise InvalidInput("a tag must not be empty", where=where, hint="type a word or two")
    if len(label) > TAG_CHARS:
        raise InvalidInput(
            f"a tag is at most {TAG_CHARS} characters; this one has {len(label)}",
            where=where,
            hint="shorten it: a tag is a word or two, a note belongs in the description",
        )
    if any(unicodedata.category(ch) == "Cc" for ch in label):
        raise InvalidInput("a tag must not contain control characters", where=where)
    return TagText(label, folded(label))


def target_kind(kind: str) -> str:
    """``item`` or ``incident``; anything else is refused."""
    if kind not in TARGET_KINDS:
        raise InvalidInput(
            f"{kind!r} cannot be tagged", where="kind", hint="tag an item or an incident"
        )
    return kind
