"""The SQL of sharing requests (:mod:`testament.packages.sharing`): SQLAlchemy Core statements over
``package_request`` and the consent tables, each in the caller's transaction."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import Connection, insert, select, update

from testament.storage import tables


def insert_request(conn: Connection, values: Mapping[str, Any]) -> None:
    conn.execute(insert(tables.package_request).values(**values))


def request(conn: Connection, request_id: str) -> dict[str, Any] | None:
    t, case = tables.package_request, tables.case
    row = (
        conn.execute(
            select(t, case.c.name.label("case_name"))
            .join(case, case.c.id == t.c.case_id)
            .where(t.c.id == request_id)
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def change(conn: Connection, request_id: str, values: Mapping[str, Any]) -> None:
    t = tables.package_request
    conn.execute(update(t).where(t.c.id == request_id).values(**values))


def requests(conn: Connection, case_ids: Collection[str] | None) -> list[dict[str, Any]]:
    """The requests of ``case_ids`` (None: every case), newest first, with the case's name."""
    t, case = tables.package_request, tables.case
    query = select(t, case.c.name.label("case_name")).join(case, case.c.id == t.c.case_id)
    if case_ids is not None:
        query = query.where(t.c.case_id.in_(sorted(case_ids)))
    rows = conn.execute(query.order_by(t.c.requested_at.desc(), t.c.id)).mappings()
    return [dict(r) for r in rows]


def withdrawals_since(
    conn: Connection, people: Collection[str], since: str
) -> list[tuple[str, str]]:
    """(person, when) for each withdrawal of consent by ``people`` recorded after ``since``."""
    if not people:
        return []
    w = tables.consent_withdrawal
    rows = conn.execute(
        select(w.c.person_id, w.c.recorded_at)
        .where(w.c.person_id.in_(sorted(people)), w.c.recorded_at > since)
        .order_by(w.c.recorded_at)
    )
    return [(str(person), str(when)) for person, when in rows]


def agent_named(conn: Connection, kind: str, name: str) -> int | None:
    """The ID of the agent of this kind and name, if it exists (never creates one)."""
    agent = tables.agent
    found = conn.execute(
        select(agent.c.id).where(agent.c.kind == kind, agent.c.name == name)
    ).scalar()
    return None if found is None else int(found)
