"""Reading custody's own records of the log (:mod:`testament.custody.custody_log`): an item's custody
events, and who the agents named in them are."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, select

from testament.domain.custody import CustodyEventType
from testament.storage.tables import agent, custody_event, user_account


def ingestion_index(connection: Connection, item_id: str) -> int | None:
    """The log index of an item's ingestion event, if it has one."""
    index = connection.execute(
        select(custody_event.c.log_index).where(
            custody_event.c.item_id == item_id,
            custody_event.c.event_type == CustodyEventType.INGESTION.value,
        )
    ).scalar()
    return None if index is None else int(index)


def item_events(connection: Connection, item_id: str) -> list[dict[str, Any]]:
    """The custody event rows of an evidence item, in log order."""
    rows = connection.execute(
        select(custody_event)
        .where(custody_event.c.item_id == item_id)
        .order_by(custody_event.c.log_index)
    ).mappings()
    return [dict(r) for r in rows]


def agents(connection: Connection, ids: Collection[int]) -> list[tuple[int, str, str]]:
    """The ID, kind and name of the agents ``ids``."""
    rows = connection.execute(
        select(agent.c.id, agent.c.kind, agent.c.name).where(agent.c.id.in_(sorted(ids)))
    ).all()
    return [(int(r.id), str(r.kind), str(r.name)) for r in rows]


def usernames(connection: Connection, account_ids: Collection[int]) -> dict[int, str]:
    """The usernames of the accounts ``account_ids`` that exist."""
    rows = connection.execute(
        select(user_account.c.id, user_account.c.username).where(
            user_account.c.id.in_(sorted(account_ids))
        )
    ).all()
    return {int(account_id): str(username) for account_id, username in rows}
