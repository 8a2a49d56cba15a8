"""The SQL of the patterns capability: a scope's incidents streamed in chunks, and the log's head."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, and_, func, select

from testament.analysis.frame import Row
from testament.storage import tables

CHUNK = 20_000  # incidents read per round trip: bounded memory for any number of incidents


def situation_cases(connection: Connection, situation_name: str) -> list[tuple[str, str]]:
    """(case ID, case name) of the situation's cases, by name; empty if there is no such situation."""
    s, cs, c = tables.situation, tables.case_situation, tables.case
    rows = connection.execute(
        select(c.c.id, c.c.name)
        .join(cs, cs.c.case_id == c.c.id)
        .join(s, s.c.id == cs.c.situation_id)
        .where(s.c.name == situation_name, s.c.deleted_at.is_(None))
        .order_by(c.c.name)
    ).all()
    return [(r.id, r.name) for r in rows]


def situation_exists(connection: Connection, situation_name: str) -> bool:
    s = tables.situation
    found = connection.execute(
        select(s.c.id).where(s.c.name == situation_name, s.c.deleted_at.is_(None))
    ).first()
    return found is not None


def _situations(connection: Connection, case_ids: Collection[str]) -> set[Any] | None:
    """The IDs of these cases' situations; None when there are no cases or one is in no situation."""
    cs = tables.case_situation
    situated = connection.execute(
        select(cs.c.case_id, cs.c.situation_id).where(cs.c.case_id.in_(case_ids))
    ).all()
    if not case_ids or len({r.case_id for r in situated}) < len(set(case_ids)):
        return None
    return {r.situation_id for r in situated}


def area_names(connection: Connection, level: int, case_ids: Collection[str]) -> dict[str, str]:
    """Area code -> name, for one level of the gazetteer: the areas of these cases' situations and
    the shared ones, so a code loaded for two situations is named as the cases' own situation names
    it (every area when there are no cases or one of them is in no situation)."""
    a = tables.admin_area
    query = select(a.c.code, a.c.name).where(a.c.level == level)
    situations = _situations(connection, case_ids)
    if situations is not None:
        query = query.where(a.c.situation_id.is_(None) | a.c.situation_id.in_(situations))
    return {r.code: r.name for r in connection.execute(query).all()}


def without_areas(connection: Connection, case_ids: Collection[str], level: int) -> bool:
    """True when every one of these cases is in a situation and no area of ``level`` is loaded for
    any of them: none of their situations' areas, and no shared area."""
    a = tables.admin_area
    situations = _situations(connection, case_ids)
    if situations is None:
        return False
    found = connection.execute(
        select(a.c.id)
        .where(a.c.level == level)
        .where(a.c.situation_id.is_(None) | a.c.situation_id.in_(situations))
        .limit(1)
    ).first()
    return found is None


def count_incidents(connection: Connection, case_ids: Collection[str]) -> int:
    t = tables.incident
    return int(
        connection.execute(
            select(func.count()).where(t.c.case_id.in_(case_ids), t.c.deleted_at.is_(None))
        ).scalar_one()
    )


def incident_rows(
    connection: Connection, case_ids: Collection[str], level: int, chunk: int = CHUNK
) -> Iterator[list[Row]]:
    """The live incidents of these cases, by ID, in chunks, each with the codes of the areas of
    ``level`` it lies in (an incident on a border lies in both)."""
    t, ia, a = tables.incident, tables.incident_area, tables.admin_area
    last: str | None = None
    while True:
        conditions: list[Any] = [t.c.case_id.in_(case_ids), t.c.deleted_at.is_(None)]
        if last is not None:
            conditions.append(t.c.id > last)
        page = select(t.c.id).where(*conditions).order_by(t.c.id).limit(chunk).subquery()
        found = connection.execute(
            select(
                t.c.id, t.c.external_id, t.c.latitude, t.c.longitude, t.c.occurred_from,
                t.c.occurred_to, t.c.date_precision, t.c.types, t.c.targets, t.c.weapons, a.c.code,
            )
            .join(page, page.c.id == t.c.id)
            .outerjoin(ia, ia.c.incident_id == t.c.id)
            .outerjoin(a, and_(a.c.id == ia.c.area_id, a.c.level == level))
            .order_by(t.c.id, a.c.code)
        ).all()  # fmt: skip
        if not found:
            return
        yield _rows(found)
        last = found[-1].id


def _rows(found: Sequence[Any]) -> list[Row]:
    """One Row per incident, collecting the area codes of its consecutive joined rows."""
    rows: list[Row] = []
    for r in found:
        code = r.code
        if rows and rows[-1].id == r.id:
            if code is not None:
                rows[-1] = rows[-1]._replace(areas=(*rows[-1].areas, code))
            continue
        rows.append(
            Row(
                r.id, r.external_id, r.latitude, r.longitude, r.occurred_from,
                r.occurred_to, r.date_precision, r.types, r.targets, r.weapons,
                () if code is None else (code,),
            )
        )  # fmt: skip
    return rows
