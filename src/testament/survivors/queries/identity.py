"""The identity vault: people's wrapped keys and sealed values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from testament.storage import tables


def insert_person_key(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(tables.person_key).values(**values))


def wrapped_key(conn: Connection, person_id: str) -> dict[str, Any] | None:
    """The person's wrapped key (None once shredded) and the identity key's ID that wrapped it."""
    k = tables.person_key
    row = conn.execute(
        select(k.c.wrapped_key, k.c.key_id).where(k.c.person_id == person_id)
    ).first()
    return None if row is None else dict(row._mapping)


def update_sealed(conn: Connection, person_id: str, values: dict[str, Any]) -> int:
    """Write values into the person's vault row; how many rows it changed (0 when there is none)."""
    t = tables.person_identity
    return int(conn.execute(update(t).where(t.c.person_id == person_id).values(**values)).rowcount)


def insert_sealed(conn: Connection, person_id: str, values: dict[str, Any]) -> None:
    conn.execute(insert(tables.person_identity).values(person_id=person_id, **values))


def sealed_identity(conn: Connection, person_id: str) -> dict[str, Any] | None:
    """The person's vault row's sealed identity (``sealed``); None when they have no row."""
    t = tables.person_identity
    row = conn.execute(select(t.c.sealed).where(t.c.person_id == person_id)).first()
    return None if row is None else dict(row._mapping)


def sealed_photo(conn: Connection, person_id: str) -> dict[str, Any] | None:
    """The person's vault row's sealed photo (``photo_sealed``); None when they have no row."""
    t = tables.person_identity
    row = conn.execute(select(t.c.photo_sealed).where(t.c.person_id == person_id)).first()
    return None if row is None else dict(row._mapping)


def has_key(conn: Connection, person_id: str) -> bool:
    """Whether the person has (or had, before an erasure) a key."""
    k = tables.person_key
    return conn.execute(select(k.c.person_id).where(k.c.person_id == person_id)).first() is not None


def key_state(conn: Connection, person_id: str) -> dict[str, Any] | None:
    """When the person's key was shredded (``shredded_at``, None if it was not); None without a key."""
    k = tables.person_key
    row = conn.execute(select(k.c.shredded_at).where(k.c.person_id == person_id)).first()
    return None if row is None else dict(row._mapping)


def case_of_person(conn: Connection, person_id: str) -> str | None:
    p = tables.person
    row = conn.execute(select(p.c.case_id).where(p.c.id == person_id)).first()
    return None if row is None else str(row.case_id)


def sealed_identities(conn: Connection, case_id: str | None) -> list[dict[str, Any]]:
    """Every undeleted person (of one case, or all) whose key and identity are not shredded: the
    person's ID, wrapped key, key ID and sealed identity, by person ID."""
    k, i, p = tables.person_key, tables.person_identity, tables.person
    query = (
        select(k.c.person_id, k.c.wrapped_key, k.c.key_id, i.c.sealed)
        .join(i, i.c.person_id == k.c.person_id)
        .join(p, p.c.id == k.c.person_id)
        .where(k.c.wrapped_key.is_not(None), i.c.sealed.is_not(None), p.c.deleted_at.is_(None))
    )
    if case_id is not None:
        query = query.where(p.c.case_id == case_id)
    return [dict(row._mapping) for row in conn.execute(query.order_by(k.c.person_id))]


def shred_key(conn: Connection, person_id: str, at: str) -> None:
    k = tables.person_key
    conn.execute(
        update(k).where(k.c.person_id == person_id).values(wrapped_key=None, shredded_at=at)
    )


def shred_sealed(conn: Connection, person_id: str, at: str) -> None:
    """Destroy the person's sealed identity and photo."""
    t = tables.person_identity
    conn.execute(
        update(t)
        .where(t.c.person_id == person_id)
        .values(sealed=None, photo_sealed=None, updated_at=at)
    )


def keyed_people(conn: Connection) -> list[str]:
    """The ID of every person with a key (shredded or not)."""
    return [str(p) for p in conn.execute(select(tables.person_key.c.person_id)).scalars()]
