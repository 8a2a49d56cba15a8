"""SQLite FTS5 backend: the keys of each document in an FTS5 table whose row ID is ``search_document.id``.

``search_text`` has four columns: ``names``, ``title`` and ``body`` hold keys (:mod:`translit`), and
``facets`` holds the facet tokens (:mod:`query`). Ranking is FTS5's BM25 with column weights 4, 2, 1
and 0, over the capped candidate set of :mod:`queries`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, text

from testament.search import queries
from testament.search.base import Kind, SearchDocument, SearchQuery, SearchResults
from testament.search.query import Clause, ParsedQuery, parse

SQL = queries.TextSQL(
    source="search_text CROSS JOIN search_document AS d ON d.id = search_text.rowid",
    table="search_text",
    text_id="search_text.rowid",
    match="search_text MATCH :match",
    score="-bm25(search_text, 4.0, 2.0, 1.0, 0.0)",
)


def _phrase(clause: Clause) -> str:
    quoted = '"' + " ".join(clause.keys) + '"'
    if clause.prefix:
        return quoted + "*"
    if not clause.arabic:
        return quoted
    groups = " AND ".join(
        "(" + " OR ".join(f'"{k}"' for k in group) + ")" for group in clause.arabic
    )
    return f"({quoted} OR ({groups}))"


def compile_match(parsed: ParsedQuery) -> str:
    """The FTS5 query string: every positive clause, one token of each facet group, no negative.

    No column filter is needed: facet tokens cannot equal or extend a key (:func:`query.facet_token`),
    and a column filter would make FTS5 read the positions of every match.
    """
    parts = [_phrase(c) for c in parsed.positive]
    parts += ["(" + " OR ".join(f'"{t}"' for t in group) + ")" for group in parsed.facets]
    expression = " AND ".join(parts)
    if parsed.negative:
        negative = " OR ".join(_phrase(c) for c in parsed.negative)
        expression = f"({expression}) NOT ({negative})"
    return expression


class SqliteSearchIndex:
    """:class:`~testament.search.base.SearchIndex` on SQLite FTS5."""

    def upsert(self, connection: Connection, documents: Sequence[SearchDocument]) -> None:
        latest = queries.unique_latest(documents)
        keyed = [queries.text_row(0, doc) for doc in latest]
        self._delete_text(
            connection, queries.remove(connection, [(d.kind, d.doc_id) for d in latest])
        )
        rows = queries.text_rows(connection, latest, keyed)
        if rows:
            connection.execute(
                text(
                    "INSERT INTO search_text (rowid, names, title, body, facets) "
                    "VALUES (:id, :names, :title, :body, :facets)"
                ),
                rows,
            )

    def delete(self, connection: Connection, kind: Kind, doc_ids: Sequence[str]) -> None:
        self._delete_text(connection, queries.remove(connection, [(kind, i) for i in doc_ids]))

    def clear(self, connection: Connection) -> None:
        connection.execute(text("DELETE FROM search_text"))
        connection.execute(text("DELETE FROM search_document"))

    def optimize(self, connection: Connection) -> None:
        connection.execute(text("INSERT INTO search_text (search_text) VALUES ('optimize')"))

    def search(self, connection: Connection, query: SearchQuery) -> SearchResults:
        return queries.ranked(
            connection,
            SQL,
            compile_match(parse(query)),
            date_from=query.date_from,
            date_to=query.date_to,
            limit=query.limit,
            offset=query.offset,
        )

    @staticmethod
    def _delete_text(connection: Connection, ids: list[int]) -> None:
        if ids:
            connection.execute(
                text("DELETE FROM search_text WHERE rowid = :id"), [{"id": i} for i in ids]
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
