"""Checking values against the controlled vocabularies in taxonomy/vocabularies/*.yaml."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable

from testament.errors import InvalidInput
from testament.taxonomy import loader


@functools.cache  # the shipped taxonomy is loaded once (loader.shipped); importers call this per row
def codes(vocabulary: str) -> tuple[str, ...]:
    found = loader.shipped().vocabulary(vocabulary)
    if found is None:
        raise InvalidInput(f"there is no vocabulary {vocabulary!r}")
    return tuple(term.code for term in found.terms)


def require(vocabulary: str, values: Iterable[str], *, where: str | None = None) -> list[str]:
    """The values, de-duplicated in order; refuses any that is not a code of ``vocabulary``."""
    known = codes(vocabulary)
    accepted: list[str] = []
    for value in values:
        if value not in known:
            close = difflib.get_close_matches(value, known, n=3)
            hint = f"did you mean {', '.join(close)}?" if close else None
            raise InvalidInput(
                f"{value!r} is not in the {vocabulary} vocabulary",
                where=where,
                hint=(hint + " " if hint else "") + f"run `testament taxonomy terms {vocabulary}`",
            )
        if value not in accepted:
            accepted.append(value)
    return accepted


def require_one(vocabulary: str, value: str, *, where: str | None = None) -> str:
    return require(vocabulary, [value], where=where)[0]


def timemap_index(vocabulary: str) -> dict[str, str]:
    """TimeMap filter value (case-folded) → term code, from each term's ``timemap`` list."""
    found = loader.shipped().vocabulary(vocabulary)
    if found is None:
        raise InvalidInput(f"there is no vocabulary {vocabulary!r}")
    return {label.casefold(): term.code for term in found.terms for label in term.timemap}


def label(vocabulary: str, code: str, language: str = "en") -> str:
    found = loader.shipped().vocabulary(vocabulary)
    term = found.term(code) if found else None
    if term is None:
        return code
    return term.label.get(language) or term.label.get("en") or code
