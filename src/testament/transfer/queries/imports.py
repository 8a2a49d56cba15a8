"""The imports' SQL (:mod:`testament.transfer.imports`, :mod:`~testament.transfer.import_batches` and
:mod:`~testament.transfer.import_jsonl`): which records a batch of rows already names, and whether any
administrative area is loaded. Records are written through :mod:`testament.custody.history`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table, select

from testament.storage import tables

CHUNK = 500  # keys per ``IN (…)`` list


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def areas_loaded(connection: Connection) -> bool:
    """Whether any administrative area is loaded in this home."""
    return connection.execute(select(tables.admin_area.c.id).limit(1)).first() is not None


EXTERNAL = {"incident": tables.incident, "source": tables.source}  # kinds that keep external IDs


def records_by_external_id(
    connection: Connection, kind: str, case_id: str, namespace: str, keys: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """The stored records of ``kind`` in this case and namespace with these external IDs, by ID."""
    table = EXTERNAL[kind]
    found: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(sorted(set(keys))):
        query = select(table).where(
            table.c.case_id == case_id,
            table.c.external_ns == namespace,
            table.c.external_id.in_(chunk),
        )
        for row in connection.execute(query).mappings():
            found[row["external_id"]] = dict(row)
    return found


def live_source_links(connection: Connection, incident_ids: Iterable[str]) -> set[tuple[str, str]]:
    """The (incident, source) pairs of the live links of these incidents."""
    t = tables.incident_source
    have: set[tuple[str, str]] = set()
    for chunk in _chunks(sorted(set(incident_ids))):
        query = select(t.c.incident_id, t.c.source_id).where(
            t.c.incident_id.in_(chunk), t.c.deleted_at.is_(None)
        )
        have.update((str(r.incident_id), str(r.source_id)) for r in connection.execute(query))
    return have


def live_ids(
    connection: Connection, table: Table, ids: Sequence[str], *, case_id: str | None
) -> set[str]:
    """Which of ``ids`` name live records of ``table`` (of the case ``case_id``, unless None)."""
    found: set[str] = set()
    for chunk in _chunks(ids):
        query = select(table.c.id).where(table.c.id.in_(chunk), table.c.deleted_at.is_(None))
        if case_id is not None:
            query = query.where(table.c.case_id == case_id)
        found.update(str(i) for i in connection.execute(query).scalars())
    return found


def records_by_id(
    connection: Connection, table: Table, ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """The stored rows of ``table`` with these IDs, by ID (any case, deleted or not)."""
    return {
        str(r["id"]): dict(r)
        for r in connection.execute(select(table).where(table.c.id.in_(ids))).mappings()
    }
