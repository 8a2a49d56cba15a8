"""The two-person approvals of named exports: rows of ``disclosure_approval``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, insert, select, update

from testament.storage import tables


def insert_request(conn: Connection, values: Mapping[str, Any]) -> None:
    """Store a new request for a named export."""
    conn.execute(insert(tables.disclosure_approval).values(**values))


def approval(conn: Connection, approval_id: str) -> RowMapping | None:
    """A request for a named export, approved or not, or None."""
    t = tables.disclosure_approval
    return conn.execute(select(t).where(t.c.id == approval_id)).mappings().first()


def mark_approved(conn: Connection, approval_id: str, agent_id: int, at: str) -> None:
    t = tables.disclosure_approval
    conn.execute(
        update(t).where(t.c.id == approval_id).values(approved_by=agent_id, approved_at=at)
    )


def mark_used(conn: Connection, approval_id: str, at: str) -> None:
    t = tables.disclosure_approval
    conn.execute(update(t).where(t.c.id == approval_id).values(used_at=at))


def waiting(conn: Connection, case_ids: Sequence[str] | None) -> list[dict[str, Any]]:
    """Requests not yet approved, oldest first, of these cases (None: of every case)."""
    t = tables.disclosure_approval
    query = select(t).where(t.c.approved_at.is_(None)).order_by(t.c.requested_at)
    if case_ids is not None:
        query = query.where(t.c.case_id.in_(case_ids))
    return [dict(r) for r in conn.execute(query).mappings()]
