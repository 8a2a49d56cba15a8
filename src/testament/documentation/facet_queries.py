"""The incident facets' SQL on the reading side: a case's incidents narrowed by facets, how many of
them have each value, and the names shown beside areas and assignees (docs/search.md, "Facets").

Three ways to count, cheapest first:

* nothing chosen: the stored counts of ``incident_facet_count`` (one small range);
* one value chosen: the stored pair counts of ``incident_facet_pair`` for that value;
* more (several values, a date range, a label): the narrowed set, walked from its rarest value (one
  range of ``incident_facet``) and checked against each other value by primary key, joined to the
  facet rows of its incidents and grouped. The use case answers these from the case's facet columns
  instead (``facet_columns``, read by :func:`live_in_date_order` and :func:`facet_rows`, the page by
  :func:`listed_by_ids`); this path stays as what the columns must equal.

A page of the narrowed incidents is read in date order from the case's date index, each incident
checked by primary key, when the set is a large part of the case; a small set is read whole and
sorted instead.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, exists, func, select

from testament.search.query import date_upper_bound
from testament.storage import tables as t

ASSIGNEE = "assignee"
DENSE = 10  # a narrowed set of more than a tenth of the case is paged through the date index


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

    @property
    def single(self) -> tuple[str, str] | None:
        """The one facet value chosen, when nothing else narrows (its counts are stored)."""
        plain = not (self.date_from or self.date_to or self.label)
        if plain and len(self.chosen) == 1 and self.chosen[0][0] != ASSIGNEE:
            return self.chosen[0]
        return None


def _has(case_id: str, facet: str, value: str, incident_id: Any) -> ColumnElement[bool]:
    """Whether the incident ``incident_id`` (a column) has the value: one primary-key probe (on an
    alias, so that it never merges with the range walked)."""
    if facet == ASSIGNEE:
        r = t.review_status.alias("probe")
        return exists().where(
            r.c.kind == "incident", r.c.target_id == incident_id, r.c.assignee_id == int(value)
        )
    f = t.incident_facet.alias("probe")
    return exists().where(
        f.c.case_id == case_id,
        f.c.facet == facet,
        f.c.value == value,
        f.c.incident_id == incident_id,
    )


def _on_row(only: Narrowing) -> list[ColumnElement[bool]]:
    """The conditions on the incident row itself: live, the date range, the label."""
    i = t.incident
    found: list[ColumnElement[bool]] = [i.c.deleted_at.is_(None)]
    if only.date_from:
        found.append(i.c.occurred_to >= only.date_from)
    if only.date_to:
        found.append(i.c.occurred_from < date_upper_bound(only.date_to))
    if only.label:
        found.append(i.c.sensitivity.contains(json.dumps(only.label)))
    return found


def _sizes(conn: Connection, case_id: str, chosen: Sequence[tuple[str, str]]) -> list[int]:
    """How many of the case's incidents have each chosen value (stored, or counted for assignees)."""
    c, r = t.incident_facet_count, t.review_status
    found = []
    for facet, value in chosen:
        if facet == ASSIGNEE:
            statement = select(func.count()).where(
                r.c.case_id == case_id, r.c.kind == "incident", r.c.assignee_id == int(value)
            )
        else:
            statement = select(c.c.incidents).where(
                c.c.case_id == case_id, c.c.facet == facet, c.c.value == value
            )
        found.append(int(conn.execute(statement).scalar() or 0))
    return found


def narrowed_ids(conn: Connection, case_id: str, only: Narrowing) -> Select[Any]:
    """A SELECT of the IDs of the case's live incidents that ``only`` keeps, walked from the rarest
    value chosen (or from the case's incidents, when only dates or a label narrow)."""
    i, f, r = t.incident, t.incident_facet, t.review_status
    if not only.chosen:
        return select(i.c.id).where(i.c.case_id == case_id, *_on_row(only))
    sizes = _sizes(conn, case_id, only.chosen)
    first = min(range(len(sizes)), key=sizes.__getitem__)
    facet, value = only.chosen[first]
    if facet == ASSIGNEE:
        column: Any = r.c.target_id
        walk = select(column).where(
            r.c.case_id == case_id, r.c.kind == "incident", r.c.assignee_id == int(value)
        )
    else:
        column = f.c.incident_id
        walk = select(column).where(f.c.case_id == case_id, f.c.facet == facet, f.c.value == value)
    others = [_has(case_id, k, v, column) for n, (k, v) in enumerate(only.chosen) if n != first]
    walk = walk.where(*others)
    if only.date_from or only.date_to or only.label or facet == ASSIGNEE:
        walk = walk.where(exists().where(i.c.id == column, *_on_row(only)))
    return walk


def count_narrowed(conn: Connection, case_id: str, only: Narrowing) -> int:
    """How many of the case's live incidents ``only`` keeps."""
    c = t.incident_facet_count
    if not only.narrows:
        statement = select(func.coalesce(func.sum(c.c.incidents), 0)).where(
            c.c.case_id == case_id, c.c.facet == "status"
        )
        return int(conn.execute(statement).scalar() or 0)
    if only.single is not None:
        return _sizes(conn, case_id, [only.single])[0]
    sub = narrowed_ids(conn, case_id, only).subquery()
    return int(conn.execute(select(func.count()).select_from(sub)).scalar() or 0)


def facet_counts(conn: Connection, case_id: str, only: Narrowing) -> list[tuple[str, str, int]]:
    """(facet, value, incidents) for every value held by the narrowed incidents."""
    c, p, f = t.incident_facet_count, t.incident_facet_pair, t.incident_facet
    statement: Any
    if not only.narrows:
        statement = select(c.c.facet, c.c.value, c.c.incidents).where(c.c.case_id == case_id)
    elif only.single is not None:
        facet, value = only.single
        statement = select(p.c.other_facet, p.c.other_value, p.c.incidents).where(
            p.c.case_id == case_id, p.c.facet == facet, p.c.value == value
        )
        statement = statement.union_all(
            select(c.c.facet, c.c.value, c.c.incidents).where(
                c.c.case_id == case_id, c.c.facet == facet, c.c.value == value
            )
        )
    else:
        wanted = narrowed_ids(conn, case_id, only).subquery()
        statement = (
            select(f.c.facet, f.c.value, func.count())
            .join(wanted, wanted.c[0] == f.c.incident_id)
            .group_by(f.c.facet, f.c.value)
        )
    rows = conn.execute(statement).all()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows] + _assignees(conn, case_id, only)


def _assignees(conn: Connection, case_id: str, only: Narrowing) -> list[tuple[str, str, int]]:
    """Assigned incidents per assignee, walked from the assignments (few beside the incidents), each
    checked against what narrows; a deleted incident keeps its review row, so only live ones."""
    r, i = t.review_status, t.incident
    statement = (
        select(r.c.assignee_id, func.count())
        .join(i, i.c.id == r.c.target_id)
        .where(
            r.c.case_id == case_id,
            r.c.kind == "incident",
            r.c.assignee_id.is_not(None),
            *_on_row(only),
            *(_has(case_id, k, v, r.c.target_id) for k, v in only.chosen),
        )
        .group_by(r.c.assignee_id)
    )
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


def assigned(conn: Connection, ids: Sequence[str], assignees: Sequence[int]) -> set[str]:
    """Those of these incidents assigned to every one of ``assignees`` (an incident has one)."""
    r = t.review_status
    if not ids or not assignees:
        return set()
    statement = select(r.c.target_id).where(
        r.c.kind == "incident", r.c.target_id.in_(ids), r.c.assignee_id.in_(assignees)
    )
    found = {str(x) for x in conn.execute(statement).scalars()}
    return found if len(set(assignees)) == 1 else set()


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
    conn: Connection, case_id: str, only: Narrowing, *, total: int, limit: int, offset: int
) -> list[dict[str, Any]]:
    """A page of the narrowed incidents in date order (``total`` of them in a case of ``everyone``);
    ``sensitivity`` as stored (JSON text)."""
    i = t.incident
    columns = [i.c[name] for name in LISTED]
    everyone = count_narrowed(conn, case_id, Narrowing()) if only.chosen else 0
    if not only.chosen or total * DENSE >= everyone:
        probes = [_has(case_id, k, v, i.c.id) for k, v in only.chosen]
        query = select(*columns).where(i.c.case_id == case_id, *_on_row(only), *probes)
    else:
        wanted = narrowed_ids(conn, case_id, only).subquery()
        query = select(*columns).join(wanted, wanted.c[0] == i.c.id)
    query = query.order_by(i.c.occurred_from, i.c.id).limit(limit).offset(offset)
    return [dict(r._mapping) for r in conn.execute(query)]


def area_names(conn: Connection, ids: Sequence[int]) -> dict[str, str]:
    a = t.admin_area
    if not ids:
        return {}
    statement = select(a.c.id, a.c.name).where(a.c.id.in_(ids))
    return {str(r[0]): str(r[1]) for r in conn.execute(statement)}


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


def live_in_date_order(
    conn: Connection, case_id: str
) -> list[tuple[str, str | None, str | None, str]]:
    """(id, occurred_from, occurred_to, sensitivity) of the case's live incidents, in the list's order."""
    i = t.incident
    statement = (
        select(i.c.id, i.c.occurred_from, i.c.occurred_to, i.c.sensitivity)
        .where(i.c.case_id == case_id, i.c.deleted_at.is_(None))
        .order_by(i.c.occurred_from, i.c.id)
    )
    return list(conn.execute(statement).all())


def facet_rows(conn: Connection, case_id: str) -> list[tuple[str, str, list[str]]]:
    """(facet, value, incidents) for every value of the case, the incidents assigned to each user as
    (``assignee``, user ID, incidents): the IDs joined in SQL, one row a value (IDs hold no comma)."""
    f, r = t.incident_facet, t.review_status
    joined = func.aggregate_strings(f.c.incident_id, ",")
    rows = conn.execute(
        select(f.c.facet, f.c.value, joined)
        .where(f.c.case_id == case_id)
        .group_by(f.c.facet, f.c.value)
    ).all()
    users = func.aggregate_strings(r.c.target_id, ",")
    assigned = conn.execute(
        select(r.c.assignee_id, users)
        .where(r.c.case_id == case_id, r.c.kind == "incident", r.c.assignee_id.is_not(None))
        .group_by(r.c.assignee_id)
    ).all()
    return [(str(x[0]), str(x[1]), str(x[2]).split(",")) for x in rows] + [
        (ASSIGNEE, str(x[0]), str(x[1]).split(",")) for x in assigned
    ]


def listed_by_ids(conn: Connection, ids: Sequence[str]) -> list[dict[str, Any]]:
    """The listed columns of these incidents, in the order of ``ids``."""
    if not ids:
        return []
    i = t.incident
    statement = select(*(i.c[name] for name in LISTED)).where(i.c.id.in_(ids))
    found = {str(r[0]): dict(r._mapping) for r in conn.execute(statement)}
    return [found[x] for x in ids if x in found]
