"""The instance record and the agents that act on it (:mod:`testament.custody.instance`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, insert, select

from testament.storage.tables import agent, instance


def instance_row(connection: Connection) -> tuple[Any, ...] | None:
    """The instance record's ID, log origin, vault key ID, verifier key and creation time, or None."""
    row = connection.execute(
        select(
            instance.c.instance_id,
            instance.c.log_origin,
            instance.c.vault_key_id,
            instance.c.verifier_key,
            instance.c.created_at,
        ).where(instance.c.id == 1)
    ).first()
    return None if row is None else tuple(row)


def insert_instance(connection: Connection, values: Mapping[str, Any]) -> None:
    connection.execute(insert(instance).values(id=1, **values))


def agent_named(connection: Connection, kind: str, name: str) -> int | None:
    """The ID of the agent of ``kind`` called ``name``, if there is one."""
    query = select(agent.c.id).where(agent.c.kind == kind, agent.c.name == name)
    found = connection.execute(query).scalar()
    return None if found is None else int(found)


def insert_agent(connection: Connection, row: Mapping[str, Any]) -> int:
    """Insert an agent; its new ID."""
    return int(connection.execute(insert(agent).values(**row).returning(agent.c.id)).scalar_one())
