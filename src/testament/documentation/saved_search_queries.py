"""Saved searches' SQL: a user's named searches (migration 0017)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, insert, select

from testament.storage import tables as t


def named(conn: Connection, user_id: int, name: str) -> str | None:
    s = t.saved_search
    found = conn.execute(select(s.c.id).where(s.c.user_id == user_id, s.c.name == name)).scalar()
    return None if found is None else str(found)


def add(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(insert(t.saved_search).values(**row))


def of_user(conn: Connection, user_id: int) -> list[dict[str, Any]]:
    s = t.saved_search
    rows = conn.execute(select(s).where(s.c.user_id == user_id).order_by(s.c.name, s.c.id))
    return [dict(r._mapping) for r in rows]


def one(conn: Connection, user_id: int, search_id: str) -> dict[str, Any] | None:
    s = t.saved_search
    row = conn.execute(select(s).where(s.c.id == search_id, s.c.user_id == user_id)).first()
    return None if row is None else dict(row._mapping)


def remove(conn: Connection, user_id: int, search_id: str) -> int:
    s = t.saved_search
    done = conn.execute(delete(s).where(s.c.id == search_id, s.c.user_id == user_id))
    return int(done.rowcount or 0)
