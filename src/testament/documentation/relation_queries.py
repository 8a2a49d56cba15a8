"""Relations between incidents, read both ways, and the incidents of a case found by title words (the
incident page's relations, docs/web.md)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select

from testament.storage import tables as t


def both_ways(conn: Connection, incident_id: str) -> list[dict[str, Any]]:
    """The live relations naming this incident on either side, with the other incident's ID and title
    (a deleted other incident is left out)."""
    r, i = t.incident_relation, t.incident
    found: list[dict[str, Any]] = []
    for mine, theirs, outgoing in (
        (r.c.incident_id, r.c.related_id, True),
        (r.c.related_id, r.c.incident_id, False),
    ):
        rows = conn.execute(
            select(r.c.id, r.c.relation, r.c.note, i.c.id.label("other_id"), i.c.title)
            .join(i, i.c.id == theirs)
            .where(mine == incident_id, r.c.deleted_at.is_(None), i.c.deleted_at.is_(None))
            .order_by(r.c.created_at, r.c.id)
        )
        found += [dict(row._mapping) | {"outgoing": outgoing} for row in rows]
    return found


def case_incidents_matching(conn: Connection, case_id: str, given: str, limit: int) -> list[str]:
    """Live incidents of the case whose ID is ``given`` or whose title contains it (any case)."""
    i = t.incident
    words = given.strip().lower()
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    statement = (
        select(i.c.id)
        .where(
            i.c.case_id == case_id,
            i.c.deleted_at.is_(None),
            or_(i.c.id == given.strip(), func.lower(i.c.title).like(f"%{escaped}%", escape="\\")),
        )
        .order_by(i.c.occurred_from, i.c.id)
        .limit(limit)
    )
    return [str(x) for x in conn.execute(statement).scalars()]


def recent_of_case(conn: Connection, case_id: str, limit: int) -> list[tuple[str, str]]:
    """The case's most recently written live incidents (ID, title), to offer as choices."""
    i = t.incident
    statement = (
        select(i.c.id, i.c.title)
        .where(i.c.case_id == case_id, i.c.deleted_at.is_(None))
        .order_by(i.c.updated_at.desc(), i.c.id)
        .limit(limit)
    )
    return [(str(r[0]), str(r[1])) for r in conn.execute(statement)]
