"""The SQL of tags (:mod:`testament.documentation.tags`): the live tags of records, of a case, and the
records that carry one."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, func, select

from testament.storage.tables import evidence_item, incident, record_tag

CHUNK = 500  # IDs per ``IN (…)`` list
_LIVE = record_tag.c.deleted_at.is_(None)


def live_tags(
    conn: Connection, kind: str, target_ids: Collection[str], folded: str | None = None
) -> list[dict[str, Any]]:
    """The live tags of these records (only those compared as ``folded``, if given), by label."""
    ids = sorted(set(target_ids))
    found: list[dict[str, Any]] = []
    for start in range(0, len(ids), CHUNK):
        query = select(record_tag).where(
            _LIVE,
            record_tag.c.target_kind == kind,
            record_tag.c.target_id.in_(ids[start : start + CHUNK]),
        )
        if folded is not None:
            query = query.where(record_tag.c.folded == folded)
        found += [dict(row) for row in conn.execute(query).mappings()]
    return sorted(found, key=lambda row: (row["folded"], row["target_id"]))


def case_tags(conn: Connection, case_id: str, kind: str | None = None) -> list[dict[str, Any]]:
    """Each live tag of a case (of one kind of record, if given): its first label and how many carry it."""
    query = (
        select(
            record_tag.c.folded,
            func.min(record_tag.c.label).label("label"),
            func.count().label("records"),
        )
        .where(_LIVE, record_tag.c.case_id == case_id)
        .group_by(record_tag.c.folded)
        .order_by(record_tag.c.folded)
    )
    if kind is not None:
        query = query.where(record_tag.c.target_kind == kind)
    return [dict(row) for row in conn.execute(query).mappings()]


def tagged(conn: Connection, case_id: str, kind: str, folded: str) -> list[str]:
    """The IDs of the records of a case of ``kind`` that carry the tag compared as ``folded``."""
    query = (
        select(record_tag.c.target_id)
        .where(
            _LIVE,
            record_tag.c.case_id == case_id,
            record_tag.c.target_kind == kind,
            record_tag.c.folded == folded,
        )
        .order_by(record_tag.c.target_id)
    )
    return [str(found) for found in conn.execute(query).scalars()]


def tagged_records(conn: Connection, case_id: str, folded: str) -> list[dict[str, Any]]:
    """The live items and incidents of a case carrying the tag compared as ``folded``: kind, ID and
    name (an item's original name, an incident's title), incidents first, each by name."""
    live = (_LIVE, record_tag.c.case_id == case_id, record_tag.c.folded == folded)
    items = (
        select(
            record_tag.c.target_kind.label("kind"),
            evidence_item.c.id,
            evidence_item.c.original_name.label("name"),
        )
        .select_from(record_tag.join(evidence_item, evidence_item.c.id == record_tag.c.target_id))
        .where(*live, record_tag.c.target_kind == "item")
    )
    found = (
        select(
            record_tag.c.target_kind.label("kind"), incident.c.id, incident.c.title.label("name")
        )
        .select_from(record_tag.join(incident, incident.c.id == record_tag.c.target_id))
        .where(*live, record_tag.c.target_kind == "incident", incident.c.deleted_at.is_(None))
    )
    rows = [dict(row) for query in (found, items) for row in conn.execute(query).mappings()]
    return sorted(rows, key=lambda row: (row["kind"] != "incident", row["name"], row["id"]))
