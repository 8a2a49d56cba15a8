"""The query language, parsed once into keys that every backend compiles to its own syntax.

``kharkiv school`` finds records with both words; ``"school no 5"`` a phrase; ``shell*`` a prefix;
``-drill`` excludes a word (or ``-"a phrase"``). Words are keyed with :mod:`translit` exactly as the
index was, so no user input ever reaches a full-text engine's own parser.

Filters (case, kind, status, area, type, target, weapon, unit) are indexed as *facet tokens*: opaque
words that no query word can reach, so the full-text engine intersects them with the words instead of
checking each match against another table.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from testament.errors import InvalidInput
from testament.search import translit
from testament.search.base import MAX_LIMIT, SearchDocument, SearchQuery

MAX_QUERY_CHARS = 1_000
MAX_CLAUSES = 32
MIN_PREFIX = 2
_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_PIECE = re.compile(r'(-?)"([^"]*)"(\*?)|(-?)([^\s"]+)')
WHERE = "the search query"
SYNTAX_HINT = (
    'words must all match; use "quotes" for a phrase, word* for a prefix, -word to exclude'
)


@dataclass(frozen=True)
class Clause:
    """A word (one key) or a phrase (several), possibly a prefix, possibly excluded.

    ``arabic`` holds, for a Latin word or phrase, the keys of the Arabic words each of its words may
    spell (:func:`translit.arabic_keys`): the clause matches the phrase, or a word of every group.
    """

    keys: tuple[str, ...]
    prefix: bool = False
    negated: bool = False
    arabic: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class ParsedQuery:
    clauses: tuple[Clause, ...]
    facets: tuple[tuple[str, ...], ...]

    @property
    def positive(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if not c.negated)

    @property
    def negative(self) -> tuple[Clause, ...]:
        return tuple(c for c in self.clauses if c.negated)


def facet_token(facet: str, value: object) -> str:
    """An opaque, tokenizer-proof word standing for ``facet == value`` (ASCII letters and digits).

    It starts with ``e``, a letter no key contains (every vowel keys to ``a``), so no word of any
    document or query can equal it or be a prefix of it.
    """
    digest = hashlib.blake2b(f"{facet}\x00{value}".encode(), digest_size=8).hexdigest()
    return f"ef{facet}{digest}"


def document_facets(document: SearchDocument) -> list[str]:
    """The facet tokens a document is indexed with."""
    pairs: list[tuple[str, object]] = [("case", document.case_id), ("kind", document.kind)]
    if document.status:
        pairs.append(("status", document.status))
    pairs += [("area", v) for v in document.area_ids]
    pairs += [("type", v) for v in document.types]
    pairs += [("target", v) for v in document.targets]
    pairs += [("weapon", v) for v in document.weapons]
    pairs += [("unit", v) for v in document.unit_ids]
    return [facet_token(name, value) for name, value in pairs]


def query_facets(query: SearchQuery) -> tuple[tuple[str, ...], ...]:
    """One group per filter given, and one per value of ``all_of``; a document must hold a token of
    every group."""
    groups: list[tuple[str, object]] = [("case", v) for v in query.case_ids]
    groups += [("kind", v) for v in query.kinds]
    groups += [("status", query.status)] if query.status else []
    groups += [("area", v) for v in query.area_ids]
    groups += [("type", v) for v in query.types]
    groups += [("target", v) for v in query.targets]
    groups += [("weapon", v) for v in query.weapons]
    groups += [("unit", v) for v in query.unit_ids]
    by_facet: dict[str, list[str]] = {}
    for name, value in groups:
        by_facet.setdefault(name, []).append(facet_token(name, value))
    # A facet value chosen on a page narrows by itself: a group of its own, so two types chosen
    # find the records of both.
    alone = [(facet_token(name, value),) for name, value in query.all_of]
    return tuple(tuple(tokens) for tokens in by_facet.values()) + tuple(alone)


def _clause(text: str, *, prefix: bool, negated: bool) -> Clause | None:
    keys = tuple(translit.keys(text))
    if not keys:
        return None
    if prefix and len(keys[-1]) < MIN_PREFIX:
        raise InvalidInput(
            f"the prefix {text!r}* is too short to search for",
            where=WHERE,
            hint="give at least two or three letters before the *",
        )
    groups = () if prefix else tuple(tuple(sorted(g)) for g in translit.arabic_keys(text))
    arabic = groups if groups and all(groups) else ()
    return Clause(keys, prefix=prefix, negated=negated, arabic=arabic)


def _pieces(text: str) -> list[Clause]:
    clauses: list[Clause] = []
    for match in _PIECE.finditer(text):
        if match.group(2) is not None:
            words, prefix, negated = match.group(2), bool(match.group(3)), bool(match.group(1))
        else:
            word, negated = match.group(5), bool(match.group(4))
            prefix = word.endswith("*")
            words = word.rstrip("*")
        clause = _clause(words, prefix=prefix, negated=negated)
        if clause is not None:
            clauses.append(clause)
    return clauses


def check_date(value: str, field: str) -> str:
    """Validate an ISO date, year-month or year; return it unchanged."""
    match = _DATE.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        date(int(match[1]), int(match[2] or 1), int(match[3] or 1))
    except ValueError:
        raise InvalidInput(
            f"{value!r} is not a date", where=field, hint="write YYYY-MM-DD, YYYY-MM or YYYY"
        ) from None
    return value


def date_upper_bound(value: str) -> str:
    """The first date after the day, month or year ``value`` names (an exclusive upper bound)."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return f"{parts[0] + 1:04d}"
    if len(parts) == 2:
        year, month = divmod(parts[0] * 12 + parts[1], 12)
        return f"{year:04d}-{month + 1:02d}"
    day = date(*parts).toordinal() + 1
    return date.fromordinal(day).isoformat()


def _check_page(query: SearchQuery) -> None:
    if not 1 <= query.limit <= MAX_LIMIT:
        raise InvalidInput(f"the limit must be between 1 and {MAX_LIMIT}", where="limit")
    if query.offset < 0:
        raise InvalidInput("the offset must not be negative", where="offset")


def parse(query: SearchQuery) -> ParsedQuery:
    """Parse and key ``query.text``; raise :class:`InvalidInput` saying what is wrong with it."""
    text = query.text
    if len(text) > MAX_QUERY_CHARS:
        raise InvalidInput(
            f"the search query is longer than {MAX_QUERY_CHARS} characters", where=WHERE
        )
    if text.count('"') % 2:
        raise InvalidInput(
            "the search query has an unbalanced quote", where=WHERE, hint=SYNTAX_HINT
        )
    clauses = _pieces(text)
    if len(clauses) > MAX_CLAUSES:
        raise InvalidInput(f"the search query has more than {MAX_CLAUSES} words", where=WHERE)
    if not any(not clause.negated for clause in clauses):
        raise InvalidInput(
            "the search query has no word to look for", where=WHERE, hint=SYNTAX_HINT
        )
    _check_page(query)
    for value, field in ((query.date_from, "date_from"), (query.date_to, "date_to")):
        if value is not None:
            check_date(value, field)
    if query.date_from and query.date_to and query.date_from >= date_upper_bound(query.date_to):
        raise InvalidInput("the date range ends before it starts", where="date_from, date_to")
    return ParsedQuery(tuple(clauses), query_facets(query))
