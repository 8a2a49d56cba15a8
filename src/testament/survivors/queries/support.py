"""Support: the directory of services, needs, referrals and what is due."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from sqlalchemy import Connection, exists, func, insert, select, update

from testament.custody.queries import cases
from testament.storage import tables

PENDING = "proposed"


def insert_service(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(tables.support_service).values(**values))


def service_names_taken(conn: Connection, names: Collection[str]) -> set[str]:
    """Which of ``names`` the directory already has."""
    t = tables.support_service
    return set(conn.execute(select(t.c.name).where(t.c.name.in_(list(names)))).scalars())


def services(conn: Connection) -> list[dict[str, Any]]:
    """Every service as stored, by name."""
    t = tables.support_service
    return [dict(r._mapping) for r in conn.execute(select(t).order_by(t.c.name, t.c.id))]


def service_by_ref(conn: Connection, ref: str) -> dict[str, Any] | None:
    """The service with this ID or name."""
    t = tables.support_service
    row = conn.execute(select(t).where((t.c.id == ref) | (t.c.name == ref))).first()
    return None if row is None else dict(row._mapping)


def case_closed_at(conn: Connection, case_id: str) -> str | None:
    found = conn.execute(
        select(tables.case.c.closed_at).where(tables.case.c.id == case_id)
    ).scalar()
    return None if found is None else str(found)


def insert_need(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(tables.support_need).values(**values))


def need_with_case(conn: Connection, need_id: str) -> dict[str, Any] | None:
    """A need as stored, with its person's case ID (``case_id``)."""
    n, p = tables.support_need, tables.person
    row = conn.execute(
        select(n, p.c.case_id).join(p, p.c.id == n.c.person_id).where(n.c.id == need_id)
    ).first()
    return None if row is None else dict(row._mapping)


def mark_need_addressed(conn: Connection, need_id: str, at: str) -> None:
    n = tables.support_need
    conn.execute(update(n).where(n.c.id == need_id).values(addressed_at=at))


def insert_referral(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(tables.referral).values(**values))


def referral(conn: Connection, referral_id: str) -> dict[str, Any] | None:
    r = tables.referral
    row = conn.execute(select(r).where(r.c.id == referral_id)).first()
    return None if row is None else dict(row._mapping)


def referral_written(conn: Connection, referral_id: str) -> dict[str, Any]:
    """A referral this transaction wrote (its absence is an error)."""
    r = tables.referral
    return dict(conn.execute(select(r).where(r.c.id == referral_id)).one()._mapping)


def update_referral(conn: Connection, referral_id: str, values: dict[str, Any]) -> None:
    r = tables.referral
    conn.execute(update(r).where(r.c.id == referral_id).values(**values))


def person_of_record(conn: Connection, kind: str, record_id: str) -> str | None:
    """The person a need (``support_need``) or a referral belongs to."""
    table = tables.support_need if kind == "support_need" else tables.referral
    found = conn.execute(select(table.c.person_id).where(table.c.id == record_id)).scalar()
    return None if found is None else str(found)


def referrals_of_person(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    """A person's referrals as stored, oldest first, each with its service's name (``service``)."""
    r, s = tables.referral, tables.support_service
    query = (
        select(r, s.c.name.label("service"))
        .join(s, s.c.id == r.c.service_id)
        .where(r.c.person_id == person_id)
        .order_by(r.c.referred_at, r.c.id)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def needs_of_person(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    """A person's needs as stored, oldest first."""
    n = tables.support_need
    query = select(n).where(n.c.person_id == person_id).order_by(n.c.assessed_at, n.c.id)
    return [dict(row._mapping) for row in conn.execute(query)]


def follow_ups(
    conn: Connection,
    case_ids: Collection[str] | None,
    readable: Collection[str] | None,
    today: date,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The urgent needs no pending referral covers, and the referrals due by ``today`` and not
    completed, of undeleted people (of ``case_ids`` and ``readable`` where not None), each with the
    person's label, case ID and case name."""
    n, r, p, c = tables.support_need, tables.referral, tables.person, tables.case
    base = (
        select(n, p.c.label, p.c.case_id, c.c.name.label("case"))
        .join(p, p.c.id == n.c.person_id)
        .join(c, c.c.id == p.c.case_id)
        .where(p.c.deleted_at.is_(None))
    )
    if case_ids is not None:
        base = base.where(p.c.case_id.in_(list(case_ids)))
    pending = exists().where(r.c.need_id == n.c.id, r.c.status == PENDING)
    urgent = base.where(cases.unaddressed_urgent(), ~pending).order_by(n.c.assessed_at, n.c.id)
    due = (
        base.add_columns(r.c.id.label("referral_id"), r.c.service_id, r.c.status, r.c.follow_up_due)
        .join(r, r.c.need_id == n.c.id)
        .where(r.c.follow_up_due <= today.isoformat(), r.c.status != "completed")
        .order_by(r.c.follow_up_due, r.c.id)
    )
    if readable is not None:
        urgent = urgent.where(p.c.case_id.in_(sorted(readable)))
        due = due.where(p.c.case_id.in_(sorted(readable)))
    return (
        [dict(row._mapping) for row in conn.execute(urgent)],
        [dict(row._mapping) for row in conn.execute(due)],
    )


def needs_described(conn: Connection, need_ids: Collection[str]) -> list[dict[str, Any]]:
    """These needs' ID, person ID, person's label, area and when assessed, oldest first."""
    n, p = tables.support_need, tables.person
    rows = conn.execute(
        select(n.c.id, n.c.person_id, p.c.label, n.c.area, n.c.assessed_at)
        .join(p, p.c.id == n.c.person_id)
        .where(n.c.id.in_(need_ids))
        .order_by(n.c.assessed_at, n.c.id)
    ).all()
    return [dict(row._mapping) for row in rows]


def with_pending_referral(conn: Connection, need_ids: Collection[str]) -> set[str]:
    """Which of these needs a pending (``proposed``) referral covers."""
    r = tables.referral
    return set(
        conn.execute(
            select(r.c.need_id).where(r.c.status == PENDING, r.c.need_id.in_(need_ids))
        ).scalars()
    )


def count_needs(conn: Connection, person_id: str) -> int:
    """How many needs of the person were assessed."""
    n = tables.support_need
    return int(
        conn.execute(
            select(func.count()).select_from(n).where(n.c.person_id == person_id)
        ).scalar_one()
    )
