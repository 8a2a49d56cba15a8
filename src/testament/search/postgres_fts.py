"""PostgreSQL backend: one tsvector per document (``simple`` configuration over keys) with a GIN index.

The ``simple`` configuration only lower-cases, which is all keys need: folding, transliteration and
stemming-like merging already happened in :mod:`translit`. Fields carry weights (names A, title B,
body D) and the facet tokens weight C, which the text query never asks for and ranking weighs at zero.
Ranking is ``ts_rank`` with length normalisation over the capped candidate set of :mod:`queries`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, text

from testament.search import queries
from testament.search.base import Kind, SearchDocument, SearchQuery, SearchResults
from testament.search.query import Clause, ParsedQuery, parse

SQL = queries.TextSQL(
    source="search_text JOIN search_document AS d ON d.id = search_text.doc_id",
    table="search_text",
    text_id="search_text.doc_id",
    match="search_text.tsv @@ to_tsquery('simple', :match)",
    score="ts_rank('{0.1, 0.0, 0.4, 1.0}', search_text.tsv, to_tsquery('simple', :rank), 1)",
)
INSERT = text(
    "INSERT INTO search_text (doc_id, tsv) VALUES (:id, "
    "setweight(to_tsvector('simple', :names), 'A') || "
    "setweight(to_tsvector('simple', :title), 'B') || "
    "setweight(to_tsvector('simple', :body), 'D') || "
    "setweight(to_tsvector('simple', :facets), 'C'))"
)


def _phrase(clause: Clause) -> str:
    last = len(clause.keys) - 1
    words = [
        f"'{k}':*" if clause.prefix and i == last else f"'{k}'" for i, k in enumerate(clause.keys)
    ]
    phrase = "(" + " <-> ".join(words) + ")"
    if not clause.arabic:
        return phrase
    groups = " & ".join("(" + " | ".join(f"'{k}'" for k in group) + ")" for group in clause.arabic)
    return f"({phrase} | ({groups}))"


def compile_match(parsed: ParsedQuery) -> str:
    """The tsquery text: every positive clause, one of each facet group, none of the negatives.

    No weight labels: facet tokens cannot meet a key (:func:`query.facet_token`), and a label would
    make PostgreSQL recheck every match against its stored tsvector.
    """
    parts = [_phrase(c) for c in parsed.positive]
    parts += ["(" + " | ".join(f"'{t}'" for t in group) + ")" for group in parsed.facets]
    parts += [f"!{_phrase(c)}" for c in parsed.negative]
    return " & ".join(parts)


def compile_rank(parsed: ParsedQuery) -> str:
    """The tsquery ranking scores: the words alone (a filter term would make every score zero)."""
    return " & ".join(_phrase(c) for c in parsed.positive)


class PostgresSearchIndex:
    """:class:`~testament.search.base.SearchIndex` on PostgreSQL full-text search."""

    def upsert(self, connection: Connection, documents: Sequence[SearchDocument]) -> None:
        latest = queries.unique_latest(documents)
        keyed = [queries.text_row(0, doc) for doc in latest]
        queries.remove(connection, [(d.kind, d.doc_id) for d in latest])  # cascades to search_text
        rows = queries.text_rows(connection, latest, keyed)
        if rows:
            connection.execute(INSERT, rows)

    def delete(self, connection: Connection, kind: Kind, doc_ids: Sequence[str]) -> None:
        queries.remove(connection, [(kind, i) for i in doc_ids])

    def clear(self, connection: Connection) -> None:
        connection.execute(text("DELETE FROM search_text"))
        connection.execute(text("DELETE FROM search_document"))

    def optimize(self, connection: Connection) -> None:
        connection.execute(text("ANALYZE search_text"))

    def search(self, connection: Connection, query: SearchQuery) -> SearchResults:
        parsed = parse(query)
        return queries.ranked(
            connection,
            SQL,
            compile_match(parsed),
            rank=compile_rank(parsed),
            date_from=query.date_from,
            date_to=query.date_to,
            limit=query.limit,
            offset=query.offset,
        )

    def matches(
        self, connection: Connection, query: SearchQuery, cap: int
    ) -> tuple[list[str], bool]:
        return queries.matching_records(
            connection,
            SQL,
            compile_match(parse(query)),
            date_from=query.date_from,
            date_to=query.date_to,
            cap=cap,
        )
