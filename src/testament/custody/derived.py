"""Items that processing makes from other items: derivatives (a thumbnail, a keyframe, extracted text)
and the members of an archive, each a new item with its own custody event.

The original is never touched. A derived item is stored in the vault like any file, recorded in the
parent's case, and its event (``creation`` for a derivative, ``unpacking`` for an archive member, or
``capture`` for a web capture) names the parent's digest and the tool, version and parameters that
made it. Its ``source_path`` says where it came from (``derived:<parent item>/<role>/<name>``), so the
same derivative made twice is recorded once.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from testament.custody import custody
from testament.custody.queries import ingest as queries
from testament.custody.records import item_record
from testament.domain.custody import CustodyEventType, commitment, utc_timestamp
from testament.domain.ids import new_id
from testament.search import indexing


@dataclass(frozen=True)
class DerivedBlob:
    """A blob already committed to the vault, to record as a new item of ``case_id``."""

    sha256: str
    size: int
    name: str
    media_type: str
    source: str
    event_type: CustodyEventType
    detail: dict[str, Any] = field(default_factory=dict)
    source_note: str | None = None


def record_derived(
    connection: Connection, *, case_id: str, agent_id: int, blobs: Sequence[DerivedBlob]
) -> list[str]:
    """Record ``blobs`` as items with their events in the caller's transaction; returns each blob's
    item ID, in order (the existing item where the same blob from the same source is recorded)."""
    in_case: dict[tuple[str, str], str] = {}
    held: set[str] = set()
    for known in queries.items_with_digests(connection, {b.sha256 for b in blobs}):
        held.add(known.sha256)
        if known.case_id == case_id:
            in_case[(known.sha256, known.source_path)] = known.id
    now = utc_timestamp()
    ids: list[str] = []
    rows: list[dict[str, Any]] = []
    events: list[custody.NewEvent] = []
    for blob in blobs:
        key = (blob.sha256, blob.source)
        if key in in_case:
            ids.append(in_case[key])
            continue
        row = _row(blob, case_id=case_id, agent_id=agent_id, now=now, duplicate=blob.sha256 in held)
        held.add(blob.sha256)
        in_case[key] = row["id"]
        ids.append(row["id"])
        rows.append(row)
        events.append(
            custody.NewEvent(
                blob.event_type,
                agent_id,
                case_id=case_id,
                item_id=row["id"],
                sha256=blob.sha256,
                detail={"size": blob.size, "media_type": blob.media_type, **blob.detail},
                record=commitment(row["record_salt"], item_record(row)),
            )
        )
    if rows:
        queries.insert_items(connection, rows)
        custody.record(connection, events)
        indexing.refresh(connection, "item", [row["id"] for row in rows])
    return ids


def _row(
    blob: DerivedBlob, *, case_id: str, agent_id: int, now: str, duplicate: bool
) -> dict[str, Any]:
    return {
        "id": new_id(),
        "case_id": case_id,
        "sha256": blob.sha256,
        "size": blob.size,
        "original_name": blob.name,
        "source_path": blob.source,
        "mtime": now,
        "media_type": blob.media_type,
        "source_note": blob.source_note,
        "ingested_by": agent_id,
        "ingested_at": now,
        "duplicate": duplicate,
        "record_salt": secrets.token_bytes(16),
    }
