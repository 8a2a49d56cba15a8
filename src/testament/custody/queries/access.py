"""The access log's reads (:mod:`testament.custody.access_log`): the record opened, and an earlier
``access`` event."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from testament.domain.custody import CustodyEventType
from testament.storage.tables import agent, custody_event, evidence_item, incident


def item_case_and_digest(connection: Connection, item_id: str) -> tuple[str, str] | None:
    """An evidence item's case ID and content digest, or None."""
    row = connection.execute(
        select(evidence_item.c.case_id, evidence_item.c.sha256).where(evidence_item.c.id == item_id)
    ).first()
    return None if row is None else (row.case_id, row.sha256)


def incident_case_and_labels(
    connection: Connection, incident_id: str
) -> tuple[str, str | None] | None:
    """An incident's case ID and its stored sensitivity labels (a JSON array), or None."""
    row = connection.execute(
        select(incident.c.case_id, incident.c.sensitivity).where(incident.c.id == incident_id)
    ).first()
    return None if row is None else (row.case_id, row.sensitivity)


def access_event(connection: Connection, log_index: int) -> dict[str, Any] | None:
    """The ``access`` event at ``log_index`` (its item, detail and time) with its agent's kind and
    name, or None."""
    row = connection.execute(
        select(custody_event.c.item_id, custody_event.c.detail, custody_event.c.occurred_at,
               agent.c.kind, agent.c.name)
        .select_from(custody_event.join(agent, agent.c.id == custody_event.c.agent_id))
        .where(custody_event.c.log_index == log_index,
               custody_event.c.event_type == CustodyEventType.ACCESS.value)
    ).first()  # fmt: skip
    return None if row is None else dict(row._mapping)


def cases_holding(connection: Connection, digest: str) -> list[str]:
    """The case IDs of the evidence items whose content is ``digest``."""
    rows = connection.execute(
        select(evidence_item.c.case_id).where(evidence_item.c.sha256 == digest)
    ).scalars()
    return [str(case_id) for case_id in rows]
