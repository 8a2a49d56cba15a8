"""Keeping the index in step with the records: writers call :func:`refresh` in their own transaction.

An incident's facets (:mod:`facet_queries`) are kept with its document.

The index is derived data in the same database, so a record and its search document commit together;
:func:`rebuild` makes all of it again from the records' tables.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection

from testament.errors import InvalidInput
from testament.search import documents, facet_queries, index_for
from testament.search.base import KINDS, Kind

BATCH = 1_000


def kind_named(kind: str) -> Kind:
    """The searchable kind called ``kind``; refuses any other name."""
    for known in KINDS:
        if kind == known:
            return known
    raise InvalidInput(
        f"there is no searchable kind {kind!r}", where="kind", hint=f"use one of {', '.join(KINDS)}"
    )


def refresh(connection: Connection, kind: str, record_ids: Sequence[str]) -> None:
    """Rebuild the search documents of these records in the caller's transaction.

    Records that are deleted (or absent) leave the index.
    """
    checked = kind_named(kind)
    index = index_for(connection.dialect.name)
    build = documents.BUILDERS[checked]
    for start in range(0, len(record_ids), BATCH):
        batch = record_ids[start : start + BATCH]
        built, gone = build(connection, batch)
        index.delete(connection, checked, gone)
        index.upsert(connection, built)
        if checked == "incident":
            facet_queries.replace(connection, batch, built)


def rebuild(connection: Connection) -> dict[str, int]:
    """Clear the index and build every document again; returns how many of each kind."""
    counts: dict[str, int] = {}
    index = index_for(connection.dialect.name)
    index.clear(connection)
    facet_queries.clear(connection)
    for kind in KINDS:
        ids = documents.all_ids(connection, kind)
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            built, _ = documents.BUILDERS[kind](connection, batch)
            index.upsert(connection, built)
            if kind == "incident":
                facet_queries.replace(connection, batch, built)
        counts[kind] = len(ids)
    index.optimize(connection)
    return counts
