"""The queries of the documentation's records: incidents, sources, units, people and their links.

Each function takes the caller's connection and answers plain values or mappings of rows; the use
cases (incidents.py, sources.py, units.py, people.py and records.py) keep the transactions and the
policy checks. A kind is named as the versioned store names it (``person-role``), and its table is the
store's (:func:`testament.custody.history.table_of`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Date, Integer, and_, case, cast, func, literal, select

from testament.custody import history
from testament.storage import tables

BOOKKEEPING = ("created_at", "deleted_at")


# --- Any record kind ----------------------------------------------------------------------------------


def live_rows(
    conn: Connection, kind: str, column: str, value: str, *, oldest_first: bool = True
) -> list[dict[str, Any]]:
    """The live records of ``kind`` whose ``column`` is ``value``, every column, oldest first (or in
    the database's order)."""
    table = history.table_of(kind)
    query = select(table).where(table.c[column] == value, table.c.deleted_at.is_(None))
    if oldest_first:
        query = query.order_by(table.c.created_at)
    return [dict(r) for r in conn.execute(query).mappings()]


def live_link(conn: Connection, kind: str, **columns: str) -> str | None:
    """The ID of a live record of ``kind`` with these column values (a link already made), if any."""
    table = history.table_of(kind)
    conditions = [table.c[name] == value for name, value in columns.items()]
    query = select(table.c.id).where(*conditions, table.c.deleted_at.is_(None))
    found = conn.execute(query).scalar()
    return None if found is None else str(found)


def exists(conn: Connection, kind: str, record_id: str) -> bool:
    """Whether a record of ``kind`` has this ID (deleted or not)."""
    table = history.table_of(kind)
    return conn.execute(select(table.c.id).where(table.c.id == record_id)).scalar() is not None


# --- Sources ------------------------------------------------------------------------------------------


def incident_titles(conn: Connection, incident_ids: Sequence[str]) -> dict[str, str]:
    t = tables.incident
    rows = conn.execute(select(t.c.id, t.c.title).where(t.c.id.in_(list(incident_ids))))
    return {row.id: row.title for row in rows}


def sources_of_case(
    conn: Connection, case_id: str, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    """A case's live sources, by title."""
    t = tables.source
    query = (
        select(t.c.id, t.c.kind, t.c.title, t.c.url, t.c.published_at, t.c.version)
        .where(t.c.case_id == case_id, t.c.deleted_at.is_(None))
        .order_by(t.c.title, t.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


# --- People -------------------------------------------------------------------------------------------


def people_of_case(
    conn: Connection, case_id: str, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    """A case's live people, by label."""
    t = tables.person
    query = (
        select(t.c.id, t.c.label, t.c.version)
        .where(t.c.case_id == case_id, t.c.deleted_at.is_(None))
        .order_by(t.c.label, t.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


# --- Units --------------------------------------------------------------------------------------------


def live_unit(conn: Connection, unit_id: str) -> bool:
    t = tables.unit
    query = select(t.c.id).where(t.c.id == unit_id, t.c.deleted_at.is_(None))
    return conn.execute(query).scalar() is not None


def unit_names(conn: Connection) -> list[dict[str, Any]]:
    """Every live unit's ID, name and aliases (as stored)."""
    t = tables.unit
    query = select(t.c.id, t.c.name, t.c.aliases).where(t.c.deleted_at.is_(None))
    return [dict(r) for r in conn.execute(query).mappings()]


def parent_of(conn: Connection, unit_id: str) -> str | None:
    found = conn.execute(select(tables.unit.c.parent_id).where(tables.unit.c.id == unit_id))
    parent = found.scalar()
    return None if parent is None else str(parent)


def incidents_involving(conn: Connection, unit_id: str) -> list[str]:
    """The incidents a unit is (live) involved in."""
    t = tables.unit_involvement
    query = select(t.c.incident_id).where(t.c.unit_id == unit_id, t.c.deleted_at.is_(None))
    return [str(found) for found in conn.execute(query).scalars()]


def units_page(conn: Connection, *, limit: int, offset: int) -> list[dict[str, Any]]:
    """Live units by name, each with its parent's ID and its aliases (as stored)."""
    t = tables.unit
    query = (
        select(t.c.id, t.c.name, t.c.parent_id, t.c.kind, t.c.country, t.c.aliases)
        .where(t.c.deleted_at.is_(None))
        .order_by(t.c.name, t.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


# --- Incidents ----------------------------------------------------------------------------------------


def incident_areas(conn: Connection, incident_id: str) -> list[dict[str, Any]]:
    """The areas an incident lies in, widest first, with how each was found."""
    area, link = tables.admin_area, tables.incident_area
    query = (
        select(area.c.id, area.c.level, area.c.name, link.c.method)
        .join(link, link.c.area_id == area.c.id)
        .where(link.c.incident_id == incident_id)
        .order_by(area.c.level)
    )
    return [dict(a._mapping) for a in conn.execute(query)]


@dataclass(frozen=True)
class IncidentFilter:
    """What a list of a case's incidents is narrowed to (each None: not narrowed)."""

    status: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    label: str | None = None
    box: Box | None = None  # only incidents whose point lies in it (a drawn area's bounding box)


def incident_conditions(case_id: str, only: IncidentFilter) -> list[Any]:
    """The conditions on a case's live incidents that ``only`` narrows them by."""
    t = tables.incident
    conditions = [t.c.case_id == case_id, t.c.deleted_at.is_(None)]
    if only.status is not None:
        conditions.append(t.c.status == only.status)
    if only.date_from is not None:
        conditions.append(t.c.occurred_to >= only.date_from)
    if only.date_to is not None:
        conditions.append(t.c.occurred_from <= only.date_to)
    if only.label is not None:
        conditions.append(t.c.sensitivity.contains(json.dumps(only.label)))
    if only.box is not None:
        conditions += [t.c.longitude.between(only.box.west, only.box.east)]
        conditions += [t.c.latitude.between(only.box.south, only.box.north)]
    return conditions


def incidents_of_case(
    conn: Connection, case_id: str, only: IncidentFilter, *, limit: int | None, offset: int
) -> list[dict[str, Any]]:
    """A page of a case's live incidents in date order (all of them with no ``limit``);
    ``sensitivity`` as stored (JSON text)."""
    t = tables.incident
    conditions = incident_conditions(case_id, only)
    query = (
        select(
            t.c.id,
            t.c.title,
            t.c.occurred_from,
            t.c.occurred_to,
            t.c.date_precision,
            t.c.status,
            t.c.place_text,
            t.c.latitude,
            t.c.longitude,
            t.c.sensitivity,
        )
        .where(*conditions)
        .order_by(t.c.occurred_from, t.c.id)
        .limit(limit)
        .offset(offset)
    )
    return [dict(r._mapping) for r in conn.execute(query)]


def _day_number(conn: Connection, column: Any) -> Any:
    """A ``YYYY-MM-DD…`` text column as days since 1970-01-01, computed by the database."""
    day = func.substr(column, 1, 10)
    if conn.dialect.name == "postgresql":
        return cast(day, Date) - literal(date(1970, 1, 1), Date)
    return cast(func.julianday(day) - 2440587.5, Integer)


def incident_spans(
    conn: Connection, case_id: str, only: IncidentFilter, *, points: bool = False
) -> list[Any]:
    """A case's incidents (as narrowed) for a timeline, in no order, the undated ones too: rows of
    (first day, last day, vague) as days since 1970-01-01 (None when undated) and 1 where the date is not
    a single known day, with (longitude, latitude) after them when ``points``."""
    t = tables.incident
    start = _day_number(conn, t.c.occurred_from)
    end = _day_number(conn, func.coalesce(t.c.occurred_to, t.c.occurred_from))
    single = and_(
        t.c.date_precision.in_(("exact", "day")),
        func.substr(t.c.occurred_from, 1, 10)
        == func.substr(func.coalesce(t.c.occurred_to, t.c.occurred_from), 1, 10),
    )
    vague = case((single, 0), else_=1)
    columns = [start, end, vague] + ([t.c.longitude, t.c.latitude] if points else [])
    # Unordered: walking the date index would visit the table's rows in date order, one page at a
    # time; a plain scan and a sort of the integers in Python is several times faster at 100k.
    query = select(*columns).where(*incident_conditions(case_id, only))
    return list(conn.execute(query).all())


def incidents_by_month(conn: Connection, case_id: str) -> list[tuple[str, int]]:
    """How many of a case's live, dated incidents began in each month, oldest first."""
    t = tables.incident
    month = func.substr(t.c.occurred_from, 1, 7)
    rows = conn.execute(
        select(month.label("month"), func.count().label("incidents"))
        .where(t.c.case_id == case_id, t.c.deleted_at.is_(None), t.c.occurred_from.is_not(None))
        .group_by(month)
        .order_by(month)
    ).all()
    return [(str(r.month), int(r.incidents)) for r in rows]


@dataclass(frozen=True)
class Box:
    """A box in degrees."""

    west: float
    south: float
    east: float
    north: float


def _placed(case_id: str, box: Box | None, only: IncidentFilter | None = None) -> list[Any]:
    t = tables.incident
    where = incident_conditions(case_id, only or IncidentFilter())
    where += [t.c.latitude.is_not(None), t.c.longitude.is_not(None)]
    if box is not None:
        where += [t.c.longitude.between(box.west, box.east)]
        where += [t.c.latitude.between(box.south, box.north)]
    return where


def placed_extent(
    conn: Connection, case_id: str, box: Box | None, only: IncidentFilter | None = None
) -> tuple[int, list[float]]:
    """How many of a case's incidents have a point (within ``box``), and their extent: west, east,
    south, north."""
    t = tables.incident
    total, *extent = conn.execute(
        select(
            func.count(), func.min(t.c.longitude), func.max(t.c.longitude),
            func.min(t.c.latitude), func.max(t.c.latitude),
        ).where(*_placed(case_id, box, only))
    ).one()  # fmt: skip
    return int(total), list(extent)


def placed_points(
    conn: Connection, case_id: str, box: Box | None, only: IncidentFilter | None = None
) -> list[dict[str, Any]]:
    """A case's incidents with a point (within ``box``) as GeoJSON features, in date order."""
    t = tables.incident
    rows = conn.execute(
        select(
            t.c.id, t.c.title, t.c.occurred_from, t.c.status, t.c.sensitivity,
            t.c.latitude, t.c.longitude,
        )
        .where(*_placed(case_id, box, only))
        .order_by(t.c.occurred_from, t.c.id)
    ).all()  # fmt: skip
    return [
        {
            "type": "Feature",
            "id": r.id,
            "geometry": {"type": "Point", "coordinates": [r.longitude, r.latitude]},
            "properties": {
                "title": r.title,
                "date": r.occurred_from,
                "status": r.status,
                "sensitivity": json.loads(r.sensitivity or "[]"),
            },
        }
        for r in rows
    ]


def placed_clusters(
    conn: Connection, case_id: str, box: Box | None, cell: float, only: IncidentFilter | None = None
) -> list[dict[str, Any]]:
    """A case's incidents with a point (within ``box``) as clusters: the count and mean position of
    those in each cell of a grid of ``cell`` degrees fixed to the globe, as GeoJSON features."""
    t = tables.incident
    postgres = conn.dialect.name == "postgresql"

    def index(column: Any, origin: float) -> Any:
        offset = (column - origin) / cell  # never negative, so SQLite's truncating cast is a floor
        return func.floor(offset) if postgres else cast(offset, Integer)

    column, row = index(t.c.longitude, -180.0), index(t.c.latitude, -90.0)
    rows = conn.execute(
        select(func.count(), func.avg(t.c.longitude), func.avg(t.c.latitude))
        .where(*_placed(case_id, box, only))
        .group_by(column, row)
    ).all()
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            "properties": {"cluster": True, "count": int(count)},
        }
        for count, lon, lat in rows
    ]


# --- Unit placements ----------------------------------------------------------------------------------


def placement_rows(conn: Connection, unit_id: str | None = None) -> list[dict[str, Any]]:
    """Live placements (of one unit, or of every live unit), each with its area's code, name and
    level, by unit, start (unknown first) and creation."""
    p, area, unit = tables.unit_placement, tables.admin_area, tables.unit
    query = (
        select(
            p,
            area.c.code.label("area_code"),
            area.c.name.label("area_name"),
            area.c.level.label("area_level"),
            unit.c.name.label("unit_name"),
        )
        .select_from(
            p.join(unit, unit.c.id == p.c.unit_id).outerjoin(area, area.c.id == p.c.area_id)
        )
        .where(p.c.deleted_at.is_(None), unit.c.deleted_at.is_(None))
        .order_by(p.c.unit_id, func.coalesce(p.c.from_date, ""), p.c.created_at, p.c.id)
    )
    if unit_id is not None:
        query = query.where(p.c.unit_id == unit_id)
    return [dict(r) for r in conn.execute(query).mappings()]
