"""Recording custody events: one database row and one log entry per event, in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from testament.domain.custody import CustodyEvent, CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.ledger import log
from testament.storage import bulk
from testament.storage.tables import custody_event


@dataclass(frozen=True)
class NewEvent:
    """An event to record; its ID, time and log index are assigned by :func:`record`."""

    event_type: CustodyEventType
    agent_id: int
    case_id: str | None = None
    item_id: str | None = None
    sha256: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    record: str | None = None
    outcome: str = "success"


def agent_ref(agent_id: int) -> str:
    """How an agent appears in a log entry: an opaque local ID, never a name."""
    return f"agent:{agent_id}"


def to_domain(row: dict[str, Any]) -> CustodyEvent:
    """Rebuild the domain event from a ``custody_event`` row (what `verify` re-derives entries from)."""
    return CustodyEvent(
        event_id=row["id"],
        event_type=CustodyEventType(row["event_type"]),
        occurred_at=row["occurred_at"],
        agent=agent_ref(row["agent_id"]),
        case=row["case_id"],
        item=row["item_id"],
        sha256=row["sha256"],
        outcome=row["outcome"],
        detail=json.loads(row["detail"]),
        record=row["record"],
    )


def record(connection: Connection, events: Sequence[NewEvent]) -> list[int]:
    """Insert ``events`` as rows and append their canonical entries to the log, as one batch."""
    if not events:
        return []
    now = utc_timestamp()
    rows = [
        {
            "id": new_id(),
            "event_type": e.event_type.value,
            "occurred_at": now,
            "agent_id": e.agent_id,
            "case_id": e.case_id,
            "item_id": e.item_id,
            "sha256": e.sha256,
            "outcome": e.outcome,
            "detail": json.dumps(e.detail, sort_keys=True, ensure_ascii=False),
            "record": e.record,
        }
        for e in events
    ]
    entries = [to_domain(row).entry_bytes() for row in rows]
    start = log.append(connection, entries)
    for offset, row in enumerate(rows):
        row["log_index"] = start + offset
    bulk.insert_many(connection, custody_event, rows)
    return [start + i for i in range(len(rows))]
