"""The versioned record store's SQL (:mod:`testament.custody.history`): each kind's table, its rows,
and their versions in ``record_version``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, select, update

from testament.errors import InvalidInput
from testament.storage import bulk, tables

KINDS: dict[str, Table] = {
    "situation": tables.situation,
    "incident": tables.incident,
    "casualty": tables.casualty,
    "incident-relation": tables.incident_relation,
    "person": tables.person,
    "person-role": tables.person_role,
    "unit": tables.unit,
    "unit-commander": tables.unit_commander,
    "unit-involvement": tables.unit_involvement,
    "unit-placement": tables.unit_placement,
    "source": tables.source,
    "incident-source": tables.incident_source,
    "item-incident": tables.item_incident,
    "assessment": tables.assessment,
    "item-external-id": tables.item_external_id,
    "qualification": tables.qualification,
    "element-link": tables.element_link,
    "record-tag": tables.record_tag,
}
CHUNK = 500  # IDs per ``IN (…)`` list


def table_of(kind: str) -> Table:
    try:
        return KINDS[kind]
    except KeyError:
        raise InvalidInput(
            f"{kind!r} is not a kind of record", hint=f"kinds are: {', '.join(sorted(KINDS))}"
        ) from None


def columns(kind: str) -> tuple[str, ...]:
    """The column names of ``kind``'s table, in order."""
    return tuple(str(c.name) for c in table_of(kind).columns)


def record_row(connection: Connection, kind: str, record_id: str) -> dict[str, Any] | None:
    """The row of a record (deleted or not), or None."""
    table = table_of(kind)
    row = connection.execute(select(table).where(table.c.id == record_id)).mappings().first()
    return None if row is None else dict(row)


def insert_records(connection: Connection, kind: str, rows: Sequence[Mapping[str, Any]]) -> None:
    bulk.insert_many(connection, table_of(kind), rows)


def update_record(
    connection: Connection, kind: str, record_id: str, values: Mapping[str, Any]
) -> None:
    table = table_of(kind)
    connection.execute(update(table).where(table.c.id == record_id).values(dict(values)))


def case_ids(
    connection: Connection, kind: str, rows: Sequence[Mapping[str, Any]]
) -> list[str | None]:
    """The case each record belongs to, for the custody event (None for instance-wide records)."""
    table = table_of(kind)
    if "case_id" in table.c:
        return [row["case_id"] for row in rows]
    if "incident_id" in table.c:
        ids = sorted({row["incident_id"] for row in rows})
        found: dict[str, str] = {}
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            query = select(tables.incident.c.id, tables.incident.c.case_id)
            for r in connection.execute(query.where(tables.incident.c.id.in_(chunk))):
                found[r.id] = r.case_id
        return [found.get(row["incident_id"]) for row in rows]
    return [None] * len(rows)


def insert_versions(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    bulk.insert_many(connection, tables.record_version, rows)


def version_rows(connection: Connection, kind: str, record_id: str) -> list[dict[str, Any]]:
    """The ``record_version`` rows of a record, oldest first."""
    rv = tables.record_version
    rows = connection.execute(
        select(rv).where(rv.c.kind == kind, rv.c.record_id == record_id).order_by(rv.c.version)
    ).mappings()
    return [dict(r) for r in rows]


def live_ids(connection: Connection, kind: str, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` name records of ``kind`` that exist and are not deleted."""
    table = table_of(kind)
    wanted = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        query = select(table.c.id).where(
            table.c.id.in_(wanted[start : start + CHUNK]), table.c.deleted_at.is_(None)
        )
        found.update(str(r) for r in connection.execute(query).scalars())
    return found
