"""Which records of a case an export holds (:mod:`testament.transfer.exports`), as queries that
stream in pages.

A case's records are its live sources, incidents, persons and their links; units are shared by every case,
so an export holds the units involved in its incidents, their ancestors and their commanders. Deleted
records, and links to deleted records, are not exported. Every query orders its rows (by ID, or
incidents by date for the tabular formats), so the same data always exports the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Select, select

from testament.custody import history
from testament.storage import tables

PAGE = 1000
# Dependencies first: an import creates them in this order.
JSONL_KINDS = (
    "source",
    "incident",
    "incident-source",
    "casualty",
    "incident-relation",
    "person",
    "person-role",
    "unit",
    "unit-commander",
    "unit-involvement",
)


def _live(kind: str) -> Any:
    return history.table_of(kind).c.deleted_at.is_(None)


def _ids(kind: str, case_id: str) -> Select[Any]:
    t = history.table_of(kind)
    return select(t.c.id).where(t.c.case_id == case_id, _live(kind))


def involved_units(connection: Connection, case_id: str) -> list[str]:
    """The units involved in the case's incidents and all their ancestors, parents before children."""
    ui, unit = tables.unit_involvement, tables.unit
    found = set(
        connection.execute(
            select(ui.c.unit_id).where(
                ui.c.incident_id.in_(_ids("incident", case_id)), _live("unit-involvement")
            )
        ).scalars()
    )
    rows = connection.execute(select(unit.c.id, unit.c.parent_id).where(_live("unit")))
    parents: dict[str, str | None] = {str(r.id): r.parent_id for r in rows}
    depth: dict[str, int] = {}
    for start in sorted(found):
        chain, current = [], start
        while current is not None and current in parents and current not in depth:
            chain.append(current)
            current = parents[current]
        base = depth.get(current, -1) if current is not None else -1
        for offset, unit_id in enumerate(reversed(chain)):
            depth[unit_id] = base + 1 + offset
    return sorted(depth, key=lambda u: (depth[u], u))


def query(kind: str, case_id: str, units: Sequence[str] = ()) -> Select[Any]:
    """The live records of ``kind`` that belong to the case's export, by ID."""
    t = history.table_of(kind)
    incidents, sources = _ids("incident", case_id), _ids("source", case_id)
    where: list[Any] = [_live(kind)]
    if "case_id" in t.c:
        where.append(t.c.case_id == case_id)
    if "incident_id" in t.c:
        where.append(t.c.incident_id.in_(incidents))
    if kind == "incident-source":
        where.append(t.c.source_id.in_(sources))
    if kind == "casualty":
        where.append(t.c.source_id.is_(None) | t.c.source_id.in_(sources))
    if kind == "incident-relation":
        where.append(t.c.related_id.in_(incidents))
    if kind == "person-role":
        where.append(t.c.person_id.in_(_ids("person", case_id)))
    if kind in ("unit", "unit-commander", "unit-involvement"):
        where.append((t.c.id if kind == "unit" else t.c.unit_id).in_(list(units)))
    if kind == "unit-commander":
        where.append(t.c.person_id.is_(None) | t.c.person_id.in_(_ids("person", case_id)))
    return select(t).where(*where).order_by(t.c.id).execution_options(yield_per=PAGE)


def pages(connection: Connection, statement: Select[Any]) -> Iterator[list[dict[str, Any]]]:
    """The rows of a query a page at a time (a server-side cursor on PostgreSQL)."""
    result = connection.execute(statement).mappings()
    for page in result.partitions(PAGE):
        yield [dict(row) for row in page]


def incidents_by_date(case_id: str) -> Select[Any]:
    t = tables.incident
    return (
        select(t)
        .where(t.c.case_id == case_id, t.c.deleted_at.is_(None))
        .order_by(t.c.occurred_from.asc().nulls_last(), t.c.id)
        .execution_options(yield_per=PAGE)
    )


def area_names(connection: Connection, incident_ids: Sequence[str]) -> dict[str, list[str]]:
    """The names of the areas each incident was assigned to, by level then name."""
    ia, area = tables.incident_area, tables.admin_area
    found: dict[str, list[str]] = {i: [] for i in incident_ids}
    rows = connection.execute(
        select(ia.c.incident_id, area.c.name)
        .join(area, area.c.id == ia.c.area_id)
        .where(ia.c.incident_id.in_(list(incident_ids)))
        .order_by(ia.c.incident_id, area.c.level, area.c.name)
    )
    for incident_id, name in rows:
        found[incident_id].append(name)
    return found


def area_codes(connection: Connection, area_ids: Sequence[int]) -> dict[int, str]:
    area = tables.admin_area
    rows = connection.execute(select(area.c.id, area.c.code).where(area.c.id.in_(list(area_ids))))
    return {int(i): str(code) for i, code in rows}


def linked_sources(
    connection: Connection, incident_ids: Sequence[str]
) -> dict[str, list[dict[str, Any]]]:
    """The live sources linked to each incident, by external ID then ID."""
    link, source = tables.incident_source, tables.source
    found: dict[str, list[dict[str, Any]]] = {i: [] for i in incident_ids}
    rows = connection.execute(
        select(link.c.incident_id, source)
        .join(source, source.c.id == link.c.source_id)
        .where(
            link.c.incident_id.in_(list(incident_ids)),
            link.c.deleted_at.is_(None),
            source.c.deleted_at.is_(None),
        )
        .order_by(link.c.incident_id, source.c.external_id.asc().nulls_last(), source.c.id)
    ).mappings()
    for row in rows:
        found[row["incident_id"]].append(history.snapshot("source", row))
    return found


def erased_people(connection: Connection, case_id: str) -> set[str]:
    """The persons of the case whose identity was erased."""
    p, e = tables.person, tables.erasure
    query = select(e.c.person_id).join(p, p.c.id == e.c.person_id).where(p.c.case_id == case_id)
    return set(connection.execute(query).scalars())
