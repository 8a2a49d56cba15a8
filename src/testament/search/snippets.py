"""Snippets: the words of a record's text around what a query matched, with the matches marked.

The index holds keys, not words (:mod:`translit`), so a full-text engine's own snippet (FTS5's
``snippet()``, PostgreSQL's ``ts_headline``) could only show keys such as ``xarkav``. Instead each word
of the record's text, as the reader may read it, is keyed the way the query was: a word is a match when
one of its keys equals a query key (or starts with a prefix's). So "Kharkov" marks "Харків", on both
databases alike, and nothing is added to the index to make snippets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from testament.search import translit
from testament.search.query import Clause

WORD = re.compile(r"[^\W_]+(?:['ʼ’][^\W_]+)*")
BEFORE = 60  # characters of context before the first match
LENGTH = 220  # characters of a snippet, about
ELLIPSIS = "…"


def _matcher(clauses: Sequence[Clause]) -> tuple[set[str], tuple[str, ...]]:
    whole: set[str] = set()
    prefixes: list[str] = []
    for clause in clauses:
        if clause.negated:
            continue
        *body, last = clause.keys
        whole.update(body)
        if clause.prefix:
            prefixes.append(last)
        else:
            whole.add(last)
    return whole, tuple(prefixes)


def _matches(word: str, whole: set[str], prefixes: tuple[str, ...]) -> bool:
    return (
        any(k in whole or k.startswith(prefixes) for k in translit.keys(word))
        if prefixes
        else any(k in whole for k in translit.keys(word))
    )


def snippet(text: str, clauses: Sequence[Clause]) -> list[str] | None:
    """Parts of ``text`` around its first match: plain text and matches alternating, plain first
    (so odd positions are matches); None when no word of ``text`` matches."""
    whole, prefixes = _matcher(clauses)
    spans = [m.span() for m in WORD.finditer(text) if _matches(m.group(), whole, prefixes)]
    if not spans:
        return None
    start = max(0, spans[0][0] - BEFORE)
    if start:
        space = text.find(" ", start, spans[0][0])
        start = space + 1 if space != -1 else start
    end = min(len(text), start + LENGTH)
    if end < len(text):
        space = text.rfind(" ", max(spans[0][1], start), end)
        end = space if space > spans[0][1] else max(end, spans[0][1])
    parts = [ELLIPSIS if start else ""]
    at = start
    for first, last in spans:
        if first < start or last > end:
            continue
        parts[-1] += text[at:first]
        parts += [text[first:last], ""]
        at = last
    parts[-1] += text[at:end] + (ELLIPSIS if end < len(text) else "")
    return [" ".join(p.split("\n")) for p in parts]
