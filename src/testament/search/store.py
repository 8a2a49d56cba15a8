"""What both backends share: rows of ``search_document`` and the capped, ranked query (docs/search.md).

Ranking every match of a common word costs time in proportion to the matches (FTS5's ``bm25`` and
PostgreSQL's ``ts_rank`` both score each one), so a query runs in two steps. First an unranked pass walks
the matches newest first, which both engines do without scoring, and finds the row ID of the
:data:`~testament.search.base.CANDIDATE_CAP`-th newest. Then only matches from that row ID on are scored
and sorted. A query with fewer matches than the cap is ranked in full.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from testament.errors import InvalidInput
from testament.search.base import CANDIDATE_CAP, Kind, SearchDocument, SearchHit, SearchResults
from testament.search.query import WHERE, date_upper_bound, document_facets
from testament.search.translit import key_text
from testament.storage import bulk
from testament.storage.engine import lock_log
from testament.storage.tables import search_document

# Longer bodies are cut before indexing (PostgreSQL refuses a tsvector over 1 MB).
MAX_FIELD_CHARS = 200_000


@dataclass(frozen=True)
class TextSQL:
    """How one backend spells the full-text parts of the shared query (``d`` is search_document)."""

    source: str  # the full-text table joined to search_document AS d
    table: str  # the full-text table alone
    text_id: str  # its row ID column, equal to d.id
    match: str  # the match condition, with a :match parameter
    score: str  # a relevance score, higher is better (may use :rank, the query without filters)


def remove(connection: Connection, keys: Sequence[tuple[Kind, str]]) -> list[int]:
    """Delete the rows of these (kind, record ID) pairs; return the IDs they had.

    Deleting takes the log's lock first, as :func:`insert_rows` does; finding nothing to delete (a new
    record's document) takes no lock.
    """
    by_kind: dict[Kind, list[str]] = {}
    for kind, record_id in keys:
        by_kind.setdefault(kind, []).append(record_id)
    ids: list[int] = []
    for each, record_ids in by_kind.items():
        where = (search_document.c.kind == each) & search_document.c.record_id.in_(record_ids)
        ids += [
            int(i) for i in connection.execute(select(search_document.c.id).where(where)).scalars()
        ]
    if ids:
        lock_log(connection)
        connection.execute(delete(search_document).where(search_document.c.id.in_(ids)))
    return ids


def insert_rows(
    connection: Connection, documents: Sequence[SearchDocument]
) -> list[tuple[int, SearchDocument]]:
    """Insert documents under new IDs above every ID in use; return them with their IDs.

    The IDs follow the order of the transactions that commit them: the log's lock, held from here
    until commit, keeps two writers from numbering from the same top.
    """
    if not documents:
        return []
    lock_log(connection)
    top = connection.execute(select(func.coalesce(func.max(search_document.c.id), 0))).scalar()
    numbered = list(enumerate(documents, start=int(top or 0) + 1))
    bulk.insert_many(
        connection,
        search_document,
        [
            {
                "id": doc_id,
                "kind": doc.kind,
                "record_id": doc.doc_id,
                "case_id": doc.case_id,
                "title": doc.title[:1000],
                "occurred_from": doc.occurred_from,
                "occurred_to": doc.occurred_to or doc.occurred_from,
            }
            for doc_id, doc in numbered
        ],
    )
    return numbered


def text_rows(
    connection: Connection, documents: Sequence[SearchDocument], keyed: Sequence[dict[str, object]]
) -> list[dict[str, object]]:
    """Insert ``documents`` (:func:`insert_rows`) and return their full-text rows, numbered.

    ``keyed`` holds their :func:`text_row` fields, made beforehand: keying text is the costly part,
    and :func:`insert_rows` holds the log's lock from here until commit.
    """
    numbered = insert_rows(connection, documents)
    return [row | {"id": doc_id} for row, (doc_id, _) in zip(keyed, numbered, strict=True)]


def text_row(doc_id: int, doc: SearchDocument) -> dict[str, object]:
    """The keyed fields of a document, as the full-text tables take them."""
    cut = MAX_FIELD_CHARS
    return {
        "id": doc_id,
        "names": key_text(" ".join(doc.names)[:cut]),
        "title": key_text(doc.title[:cut]),
        "body": key_text(doc.body[:cut]),
        "facets": " ".join(document_facets(doc)),
    }


def unique_latest(documents: Sequence[SearchDocument]) -> list[SearchDocument]:
    """One document per (kind, ID), the last given."""
    latest = {(doc.kind, doc.doc_id): doc for doc in documents}
    return list(latest.values())


def _date_conditions(
    date_from: str | None, date_to: str | None
) -> tuple[list[str], dict[str, Any]]:
    conditions: list[str] = []
    params: dict[str, Any] = {}
    if date_from:
        conditions.append("d.occurred_to >= :date_from")
        params["date_from"] = date_from
    if date_to:
        conditions.append("d.occurred_from < :date_upper")
        params["date_upper"] = date_upper_bound(date_to)
    return conditions, params


def _floor(
    connection: Connection, sql: TextSQL, conditions: list[str], params: dict[str, Any], cap: int
) -> tuple[int | None, bool]:
    """The row ID of the cap-th newest match (None if fewer match) and whether more matched."""
    source = sql.source if len(conditions) > 1 else sql.table
    statement = (
        f"SELECT {sql.text_id} FROM {source} WHERE {' AND '.join(conditions)} "  # noqa: S608 - fixed SQL
        f"ORDER BY {sql.text_id} DESC LIMIT 2 OFFSET :skip"
    )
    found = list(connection.execute(text(statement), params | {"skip": cap - 1}).scalars())
    return (int(found[0]) if found else None), len(found) > 1


def ranked(
    connection: Connection,
    sql: TextSQL,
    match: str,
    *,
    rank: str | None = None,
    date_from: str | None,
    date_to: str | None,
    limit: int,
    offset: int,
) -> SearchResults:
    """Run the two-step capped ranking described in the module docstring."""
    dates, params = _date_conditions(date_from, date_to)
    conditions = [sql.match, *dates]
    params |= {"match": match, "rank": rank or match, "limit": limit, "offset": offset}
    with translate_query_errors():
        floor, capped = _floor(
            connection, sql, conditions, params, max(CANDIDATE_CAP, offset + limit)
        )
        if floor is not None:
            conditions.append(f"{sql.text_id} >= :floor")
            params["floor"] = floor
        statement = (
            "SELECT d.kind, d.record_id, d.case_id, d.title, d.occurred_from, d.occurred_to, "  # noqa: S608 - fixed SQL
            f"{sql.score} AS score FROM {sql.source} WHERE {' AND '.join(conditions)} "
            f"ORDER BY score DESC, {sql.text_id} DESC LIMIT :limit OFFSET :offset"
        )
        rows = connection.execute(text(statement), params).all()
    hits = [SearchHit(r[1], r[0], r[2], r[3], r[4], r[5], float(r[6])) for r in rows]
    return SearchResults(hits, capped)


@contextmanager
def translate_query_errors() -> Iterator[None]:
    """Report a full-text engine's refusal of a query as bad input, not as an internal error."""
    try:
        yield
    except (OperationalError, ProgrammingError) as exc:
        if not _is_syntax_error(exc):
            raise
        raise InvalidInput(
            "the full-text engine could not run this query",
            where=WHERE,
            hint='use plain words, "a phrase", word* or -word',
        ) from None


def _is_syntax_error(exc: OperationalError | ProgrammingError) -> bool:
    message = str(exc.orig).lower()
    return "fts5" in message or "syntax error" in message or "tsquery" in message
