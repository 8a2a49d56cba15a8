"""What each creation event commits to: the descriptive fields of agents, cases and evidence items.

Those fields (names, paths, notes) must never enter the log, yet a later edit must be detectable. So the
creation event carries ``record``, a salted SHA-256 over the row's fields (:func:`commitment`), and
`testament verify` (step 7) recomputes it from the row. Adding a field here is a format change: the
commitment of every existing row would no longer match.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from testament.custody.queries.verify import RecordKind
from testament.domain.custody import CustodyEventType
from testament.storage.tables import agent, case, evidence_item

ITEM_FIELDS = (
    "id", "case_id", "sha256", "size", "original_name", "source_path", "mtime", "media_type",
    "source_note", "ingested_by", "ingested_at", "duplicate",
)  # fmt: skip
CASE_FIELDS = ("id", "name", "created_at", "created_by")
AGENT_FIELDS = ("id", "kind", "name", "created_at")


def _pick(fields: tuple[str, ...]) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    def record(row: Mapping[str, Any]) -> dict[str, Any]:
        return {name: row[name] for name in fields}

    return record


item_record = _pick(ITEM_FIELDS)
case_record = _pick(CASE_FIELDS)
agent_record = _pick(AGENT_FIELDS)

# The tables whose rows are committed to by one creation event each (verify step 7).

RECORD_KINDS = (
    RecordKind("agent", agent, CustodyEventType.CREATION, "agent_id", agent_record),
    RecordKind("case", case, CustodyEventType.CREATION, "case_id", case_record),
    RecordKind("item", evidence_item, CustodyEventType.INGESTION, "item_id", item_record),
)
