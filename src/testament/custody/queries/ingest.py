"""Ingest's SQL (:mod:`testament.custody.ingest`): the case a batch goes to, the items already holding a
batch's digests, and the new items' rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from testament.storage import bulk
from testament.storage.tables import case, evidence_item


def case_named(connection: Connection, name: str) -> str | None:
    """The ID of the case called ``name``, or None."""
    found = connection.execute(select(case.c.id).where(case.c.name == name)).scalar()
    return None if found is None else str(found)


@dataclass(frozen=True)
class HeldItem:
    """An item already in the vault's records: its case, digest and where it came from."""

    id: str
    case_id: str
    sha256: str
    source_path: str


def items_with_digests(connection: Connection, digests: set[str]) -> list[HeldItem]:
    """Every item, in any case, whose content has one of ``digests``."""
    rows = connection.execute(
        select(
            evidence_item.c.id,
            evidence_item.c.case_id,
            evidence_item.c.sha256,
            evidence_item.c.source_path,
        ).where(evidence_item.c.sha256.in_(sorted(digests)))
    ).all()
    return [HeldItem(str(r.id), str(r.case_id), str(r.sha256), str(r.source_path)) for r in rows]


def insert_items(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert new ``evidence_item`` rows (all naming every column), straight through the driver."""
    bulk.insert_many(connection, evidence_item, rows)
