"""The search capability's SQL: what both backends share, rows of ``search_document`` and the capped,
ranked query (docs/search.md), and the rows of the records that search documents are built from.

Ranking every match of a common word costs time in proportion to the matches (FTS5's ``bm25`` and
PostgreSQL's ``ts_rank`` both score each one), so a query runs in two steps. First an unranked pass walks
the matches newest first, which both engines do without scoring, and finds the row ID of the
:data:`~testament.search.base.CANDIDATE_CAP`-th newest. Then only matches from that row ID on are scored
and sorted. A query with fewer matches than the cap is ranked in full.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, RowMapping, delete, func, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from testament.errors import InvalidInput
from testament.search.base import CANDIDATE_CAP, Kind, SearchDocument, SearchHit, SearchResults
from testament.search.query import WHERE, date_upper_bound, document_facets
from testament.search.translit import key_text
from testament.storage import bulk, recordings
from testament.storage import tables as t
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
    # Text, not Core: the match condition and the full-text tables are each engine's own dialect.
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


def matching_records(
    connection: Connection,
    sql: TextSQL,
    match: str,
    *,
    date_from: str | None,
    date_to: str | None,
    cap: int,
) -> tuple[list[str], bool]:
    """The record IDs of the newest ``cap`` matches, unranked, and whether more matched (the facets
    of a search count these)."""
    dates, params = _date_conditions(date_from, date_to)
    conditions = [sql.match, *dates]
    statement = (
        f"SELECT d.record_id FROM {sql.source} WHERE {' AND '.join(conditions)} "  # noqa: S608 - fixed SQL
        f"ORDER BY {sql.text_id} DESC LIMIT :cap"
    )
    with translate_query_errors():
        found = list(connection.execute(text(statement), params | {"match": match, "cap": cap + 1}))
    return [str(r[0]) for r in found[:cap]], len(found) > cap


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


# --- The records search documents are built from --------------------------------------------------------


def incident_areas(connection: Connection, ids: Sequence[str]) -> dict[str, list[RowMapping]]:
    """The areas (id, name, alternative names) each of these incidents was assigned to."""
    rows = connection.execute(
        select(t.incident_area.c.incident_id, t.admin_area.c.id, t.admin_area.c.name)
        .add_columns(t.admin_area.c.alt_names)
        .join(t.admin_area, t.admin_area.c.id == t.incident_area.c.area_id)
        .where(t.incident_area.c.incident_id.in_(ids))
    ).mappings()
    found: dict[str, list[RowMapping]] = defaultdict(list)
    for row in rows:
        found[row["incident_id"]].append(row)
    return found


def incident_units(connection: Connection, ids: Sequence[str]) -> dict[str, list[RowMapping]]:
    """The live units (id, name, aliases) involved in each of these incidents."""
    involvement = t.unit_involvement
    rows = connection.execute(
        select(involvement.c.incident_id, t.unit.c.id, t.unit.c.name, t.unit.c.aliases)
        .join(t.unit, t.unit.c.id == involvement.c.unit_id)
        .where(
            involvement.c.incident_id.in_(ids),
            involvement.c.deleted_at.is_(None),
            t.unit.c.deleted_at.is_(None),
        )
    ).mappings()
    found: dict[str, list[RowMapping]] = defaultdict(list)
    for row in rows:
        found[row["incident_id"]].append(row)
    return found


def incident_rows(connection: Connection, ids: Sequence[str]) -> list[RowMapping]:
    """These incidents' rows, deleted ones included."""
    statement = select(t.incident).where(t.incident.c.id.in_(ids))
    return list(connection.execute(statement).mappings())


def source_rows(connection: Connection, ids: Sequence[str]) -> list[RowMapping]:
    """These sources' rows, deleted ones included."""
    statement = select(t.source).where(t.source.c.id.in_(ids))
    return list(connection.execute(statement).mappings())


def person_rows(connection: Connection, ids: Sequence[str]) -> list[RowMapping]:
    """These persons' public fields (label and description), deleted ones included."""
    columns = (t.person.c.id, t.person.c.case_id, t.person.c.label, t.person.c.description)
    statement = select(*columns, t.person.c.deleted_at).where(t.person.c.id.in_(ids))
    return list(connection.execute(statement).mappings())


def item_rows(connection: Connection, ids: Sequence[str]) -> list[RowMapping]:
    """These evidence items' searchable fields."""
    item = t.evidence_item
    # Never source_path: the folders a file came from can name the people in it.
    columns = (item.c.id, item.c.case_id, item.c.sha256, item.c.media_type, item.c.source_note)
    statement = select(*columns, item.c.original_name).where(item.c.id.in_(ids))
    return list(connection.execute(statement).mappings())


def relevance_notes(connection: Connection, ids: Sequence[str]) -> dict[str, list[str]]:
    """The relevance notes of the live links of each of these items to incidents."""
    link = t.item_incident
    rows = connection.execute(
        select(link.c.item_id, link.c.relevance).where(
            link.c.item_id.in_(ids), link.c.deleted_at.is_(None)
        )
    )
    found: dict[str, list[str]] = defaultdict(list)
    for item_id, relevance in rows:
        found[item_id].append(relevance)
    return found


def testimony_recordings(connection: Connection, ids: Sequence[str]) -> set[str]:
    """Which of these items record a testimony, or were derived from such a recording."""
    return set(recordings.recording_of(connection, ids))


# Text indexed per item (what processing found); an item's full text stays in ``item_text``.
MAX_ITEM_TEXT = 1_000_000


def item_texts(connection: Connection, ids: Sequence[str]) -> dict[str, str]:
    """The text processing found in each of these items (PDF text, OCR), joined, up to a cap."""
    found: dict[str, list[str]] = {}
    query = (
        select(t.item_text.c.item_id, t.item_text.c.body)
        .where(t.item_text.c.item_id.in_(ids))
        .order_by(t.item_text.c.item_id, t.item_text.c.seq)
    )
    for item_id, body in connection.execute(query):
        found.setdefault(str(item_id), []).append(str(body))
    return {k: "\n".join(v)[:MAX_ITEM_TEXT] for k, v in found.items()}


ORDER = {
    "incident": (t.incident.c.created_at, t.incident.c.id),
    "source": (t.source.c.created_at, t.source.c.id),
    "person": (t.person.c.created_at, t.person.c.id),
    "item": (t.evidence_item.c.ingested_at, t.evidence_item.c.id),
}


def all_ids(connection: Connection, kind: Kind) -> list[str]:
    """Every live record of a kind, oldest first (the order documents are numbered in on a rebuild)."""
    created, record_id = ORDER[kind]
    statement = select(record_id).order_by(created, record_id)
    if "deleted_at" in record_id.table.c:
        statement = statement.where(record_id.table.c.deleted_at.is_(None))
    return list(connection.execute(statement).scalars())
