"""The re-interview registry: requests about people held in other cases."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from testament.storage import tables


def case_of(conn: Connection, person_id: str) -> str:
    """The ID of the person's case (the person must exist)."""
    p = tables.person
    return str(conn.execute(select(p.c.case_id).where(p.c.id == person_id)).scalar_one())


def label_and_case(conn: Connection, person_id: str) -> tuple[str, str]:
    """The person's label and the name of their case (the person must exist)."""
    p, c = tables.person, tables.case
    row = conn.execute(
        select(p.c.label, c.c.name).join(c, c.c.id == p.c.case_id).where(p.c.id == person_id)
    ).one()
    return str(row.label), str(row.name)


def open_request(conn: Connection, person_id: str, asked_by: int | None) -> str | None:
    """The ID of the undecided request this user asked about this person."""
    r = tables.registry_request
    found = conn.execute(
        select(r.c.id).where(
            r.c.person_id == person_id, r.c.asked_by == asked_by, r.c.decision.is_(None)
        )
    ).scalar()
    return None if found is None else str(found)


def insert_request(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(tables.registry_request).values(**values))


def requests(conn: Connection, *, open_only: bool) -> list[dict[str, Any]]:
    """Every request (or the undecided ones), newest first: its row's IDs, dates, decision and
    asker's number, with the person's label, the case's name, the asker's and decider's usernames."""
    r, p, c, u = tables.registry_request, tables.person, tables.case, tables.user_account
    asker, decider = u.alias("asker"), u.alias("decider")
    query = (
        select(
            r.c.id, r.c.case_id, r.c.person_id, r.c.asked_at, r.c.decision, r.c.decided_at,
            r.c.asked_by, p.c.label, c.c.name.label("case"),
            asker.c.username.label("asker"), decider.c.username.label("decider"),
        )
        .join(p, p.c.id == r.c.person_id)
        .join(c, c.c.id == r.c.case_id)
        .join(asker, asker.c.id == r.c.asked_by)
        .outerjoin(decider, decider.c.id == r.c.decided_by)
        .order_by(r.c.asked_at.desc(), r.c.id)
    )  # fmt: skip
    if open_only:
        query = query.where(r.c.decision.is_(None))
    return [dict(row) for row in conn.execute(query).mappings()]


def request(conn: Connection, request_id: str) -> dict[str, Any] | None:
    r = tables.registry_request
    row = conn.execute(select(r).where(r.c.id == request_id)).mappings().first()
    return None if row is None else dict(row)


def record_decision(
    conn: Connection, request_id: str, decision: str, decided_by: int | None, at: str
) -> None:
    r = tables.registry_request
    conn.execute(
        update(r)
        .where(r.c.id == request_id)
        .values(decision=decision, decided_by=decided_by, decided_at=at)
    )
