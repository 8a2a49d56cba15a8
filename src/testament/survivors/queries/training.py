"""Training attestations, and the accounts they are of."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from testament.storage import tables


def user_id_named(conn: Connection, username: str) -> int | None:
    """The number of the account with this username (surrounding spaces ignored)."""
    u = tables.user_account
    found = conn.execute(select(u.c.id).where(u.c.username == username.strip())).scalar()
    return None if found is None else int(found)


def insert_attestation(conn: Connection, values: dict[str, Any]) -> int:
    """Record an attestation; its number."""
    t = tables.training_attestation
    return int(conn.execute(insert(t).values(**values).returning(t.c.id)).scalar_one())


def unrevoked(conn: Connection, user_id: int, topic: str) -> list[int]:
    """The numbers of the user's unrevoked attestations in ``topic``."""
    t = tables.training_attestation
    query = select(t.c.id).where(
        t.c.user_id == user_id, t.c.topic == topic, t.c.revoked_at.is_(None)
    )
    return list(conn.execute(query).scalars())


def revoke(conn: Connection, attestation_ids: list[int], at: str) -> None:
    t = tables.training_attestation
    conn.execute(update(t).where(t.c.id.in_(attestation_ids)).values(revoked_at=at))


def attestations_of(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    """Every attestation of the user, oldest first (without the user's number)."""
    t = tables.training_attestation
    rows = conn.execute(
        select(t.c.id, t.c.topic, t.c.attested_at, t.c.expires_at, t.c.revoked_at, t.c.recorded_by)
        .where(t.c.user_id == user_id)
        .order_by(t.c.attested_at, t.c.id)
    ).mappings()
    return [dict(row) for row in rows]


def topics_of(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    """Each attestation's topic, start, last day and revocation, of the user."""
    t = tables.training_attestation
    rows = conn.execute(
        select(t.c.topic, t.c.attested_at, t.c.expires_at, t.c.revoked_at).where(
            t.c.user_id == user_id
        )
    ).mappings()
    return [dict(row) for row in rows]
