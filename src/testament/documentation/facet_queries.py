"""The incident facets' SQL on the reading side: a case's incidents narrowed by facets, how many of
them have each value, and the names shown beside areas and assignees (docs/search.md, "Facets").

The narrowed set is one SELECT of incident IDs: an intersection of ``incident_facet`` ranges (one per
value chosen), of the review table's assignments, and of the incident table's dates and labels when
those are given. Its counts are one GROUP BY over ``incident_facet`` joined to that set, or, when
nothing narrows the case, the stored counts of ``incident_facet_count``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, func, intersect, select

from testament.search.query import date_upper_bound
from testament.storage import tables as t

ASSIGNEE = "assignee"


@dataclass(frozen=True)
class Narrowing:
    """What a case's incidents are narrowed to: (facet, value) pairs that must all hold, a date range
    that an incident must overlap (ISO days), and a sensitivity label."""

    chosen: tuple[tuple[str, str], ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    label: str | None = None

    @property
    def narrows(self) -> bool:
        return bool(self.chosen or self.date_from or self.date_to or self.label)


def _facet_ids(case_id: str, facet: str, value: str) -> Select[Any]:
    f = t.incident_facet
    if facet == ASSIGNEE:
        r = t.review_status
        return select(r.c.target_id).where(
            r.c.case_id == case_id, r.c.kind == "incident", r.c.assignee_id == int(value)
        )
    return select(f.c.incident_id).where(
        f.c.case_id == case_id, f.c.facet == facet, f.c.value == value
    )


def narrowed_ids(case_id: str, only: Narrowing) -> Any:
    """A SELECT of the IDs of the case's live incidents that ``only`` keeps."""
    i = t.incident
    parts: list[Select[Any]] = [_facet_ids(case_id, k, v) for k, v in only.chosen]
    if only.date_from or only.date_to or only.label or not parts:
        conditions = [i.c.case_id == case_id, i.c.deleted_at.is_(None)]
        if only.date_from:
            conditions.append(i.c.occurred_to >= only.date_from)
        if only.date_to:
            conditions.append(i.c.occurred_from < date_upper_bound(only.date_to))
        if only.label:
            conditions.append(i.c.sensitivity.contains(json.dumps(only.label)))
        parts.append(select(i.c.id).where(*conditions))
    if len(parts) == 1:
        return parts[0]
    return intersect(*parts)


def count_narrowed(conn: Connection, case_id: str, only: Narrowing) -> int:
    if not only.narrows:
        c = t.incident_facet_count
        found = conn.execute(
            select(func.coalesce(func.sum(c.c.incidents), 0)).where(
                c.c.case_id == case_id, c.c.facet == "status"
            )
        ).scalar()
        return int(found or 0)
    sub = narrowed_ids(case_id, only).subquery()
    return int(conn.execute(select(func.count()).select_from(sub)).scalar() or 0)


def facet_counts(conn: Connection, case_id: str, only: Narrowing) -> list[tuple[str, str, int]]:
    """(facet, value, incidents) for every value held by the narrowed incidents."""
    if not only.narrows:
        c = t.incident_facet_count
        rows = conn.execute(
            select(c.c.facet, c.c.value, c.c.incidents).where(c.c.case_id == case_id)
        ).all()
    else:
        f = t.incident_facet
        wanted = narrowed_ids(case_id, only).subquery()
        rows = conn.execute(
            select(f.c.facet, f.c.value, func.count())
            .join(wanted, wanted.c[0] == f.c.incident_id)
            .group_by(f.c.facet, f.c.value)
        ).all()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows] + _assignees(conn, case_id, only)


def _assignees(conn: Connection, case_id: str, only: Narrowing) -> list[tuple[str, str, int]]:
    """Assigned incidents per assignee; a deleted incident keeps its review row, so only live ones."""
    r, i = t.review_status, t.incident
    statement = (
        select(r.c.assignee_id, func.count())
        .join(i, i.c.id == r.c.target_id)
        .where(
            r.c.case_id == case_id,
            r.c.kind == "incident",
            r.c.assignee_id.is_not(None),
            i.c.deleted_at.is_(None),
        )
        .group_by(r.c.assignee_id)
    )
    if only.narrows:
        statement = statement.where(r.c.target_id.in_(narrowed_ids(case_id, only)))
    return [(ASSIGNEE, str(row[0]), int(row[1])) for row in conn.execute(statement)]


def counts_of_incidents(conn: Connection, ids: Sequence[str]) -> list[tuple[str, str, int]]:
    """(facet, value, incidents) over these incidents (search's matches), assignees included."""
    if not ids:
        return []
    f, r = t.incident_facet, t.review_status
    found = conn.execute(
        select(f.c.facet, f.c.value, func.count())
        .where(f.c.incident_id.in_(ids))
        .group_by(f.c.facet, f.c.value)
    ).all()
    assigned = conn.execute(
        select(r.c.assignee_id, func.count())
        .where(r.c.kind == "incident", r.c.target_id.in_(ids), r.c.assignee_id.is_not(None))
        .group_by(r.c.assignee_id)
    ).all()
    return [(str(x[0]), str(x[1]), int(x[2])) for x in found] + [
        (ASSIGNEE, str(x[0]), int(x[1])) for x in assigned
    ]


LISTED = (
    "id",
    "title",
    "occurred_from",
    "occurred_to",
    "date_precision",
    "status",
    "place_text",
    "latitude",
    "longitude",
    "sensitivity",
)


def narrowed_page(
    conn: Connection, case_id: str, only: Narrowing, *, limit: int, offset: int
) -> list[dict[str, Any]]:
    """A page of the narrowed incidents in date order; ``sensitivity`` as stored (JSON text)."""
    i = t.incident
    query = select(*(i.c[name] for name in LISTED)).where(
        i.c.case_id == case_id, i.c.deleted_at.is_(None)
    )
    if only.narrows:
        query = query.where(i.c.id.in_(narrowed_ids(case_id, only)))
    query = query.order_by(i.c.occurred_from, i.c.id).limit(limit).offset(offset)
    return [dict(r._mapping) for r in conn.execute(query)]


def area_names(conn: Connection, ids: Sequence[int]) -> dict[str, str]:
    a = t.admin_area
    if not ids:
        return {}
    return {
        str(r[0]): str(r[1]) for r in conn.execute(select(a.c.id, a.c.name).where(a.c.id.in_(ids)))
    }


def usernames(conn: Connection, ids: Sequence[int]) -> dict[str, str]:
    u = t.user_account
    if not ids:
        return {}
    statement = select(u.c.id, u.c.username).where(u.c.id.in_(ids))
    return {str(r[0]): str(r[1]) for r in conn.execute(statement)}


def existing_areas(conn: Connection, ids: Sequence[int]) -> set[int]:
    a = t.admin_area
    return {int(x) for x in conn.execute(select(a.c.id).where(a.c.id.in_(ids))).scalars()}


def existing_users(conn: Connection, ids: Sequence[int]) -> set[int]:
    u = t.user_account
    return {int(x) for x in conn.execute(select(u.c.id).where(u.c.id.in_(ids))).scalars()}
