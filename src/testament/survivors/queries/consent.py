"""Consent: grants, their uses and withdrawals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, func, insert, select, union, update

from testament.storage import tables


def insert_grant(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(tables.consent_grant).values(**values))


def grants_of(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    """A person's grants as stored, oldest first."""
    t = tables.consent_grant
    query = select(t).where(t.c.person_id == person_id).order_by(t.c.granted_at, t.c.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def insert_use(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(tables.consent_use).values(**values))


def insert_withdrawal(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(tables.consent_withdrawal).values(**values))


def revoke_grants(conn: Connection, grant_ids: Sequence[str], at: str, withdrawal_id: str) -> None:
    t = tables.consent_grant
    conn.execute(
        update(t).where(t.c.id.in_(grant_ids)).values(revoked_at=at, withdrawal_id=withdrawal_id)
    )


def recipients_served(conn: Connection, grant_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Each recipient served under these grants: its class, first use and how many uses."""
    u = tables.consent_use
    query = (
        select(
            u.c.recipient,
            u.c.recipient_class,
            func.min(u.c.used_at).label("first_served"),
            func.count().label("uses"),
        )
        .where(u.c.grant_id.in_(grant_ids))
        .group_by(u.c.recipient, u.c.recipient_class)
        .order_by(u.c.recipient_class, u.c.recipient)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def is_erased(conn: Connection, person_id: str) -> bool:
    """Whether the person's erasure is recorded."""
    t = tables.erasure
    return conn.execute(select(t.c.id).where(t.c.person_id == person_id)).first() is not None


def consent_bearing(conn: Connection, case_id: str) -> list[str]:
    """The case's undeleted, unerased people with a sealed identity, a grant or a testimony."""
    p = tables.person
    governed = union(
        select(tables.person_key.c.person_id.label("pid")),
        select(tables.consent_grant.c.person_id),
        select(tables.testimony.c.person_id),
    ).subquery()
    query = (
        select(p.c.id)
        .join(governed, governed.c.pid == p.c.id)
        .where(
            p.c.case_id == case_id,
            p.c.deleted_at.is_(None),
            p.c.id.not_in(select(tables.erasure.c.person_id)),
        )
        .order_by(p.c.id)
    )
    return [str(r) for r in conn.execute(query).scalars()]
