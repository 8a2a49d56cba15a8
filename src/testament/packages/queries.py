"""The SQL of evidence packages: which items a package holds, what is linked to them, and which custody
log entries are about them. SQLAlchemy Core over ``testament.storage.tables``; each function runs in
the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

from sqlalchemy import Connection, select, union

from testament.storage import recordings as recording_store
from testament.storage import tables

ITEM_FIELDS = (
    "id", "sha256", "size", "media_type", "original_name", "mtime", "source_note", "ingested_at",
    "ingested_by", "duplicate",
)  # fmt: skip


def items(conn: Connection, case_id: str, item_ids: Collection[str] | None) -> list[dict[str, Any]]:
    """The case's evidence items (or those of ``item_ids`` in it), oldest first."""
    t = tables.evidence_item
    query = select(*(t.c[name] for name in ITEM_FIELDS)).where(t.c.case_id == case_id)
    if item_ids is None:
        return [dict(r) for r in conn.execute(query.order_by(t.c.ingested_at, t.c.id)).mappings()]
    ordered, found = sorted(item_ids), list[dict[str, Any]]()
    for start in range(0, len(ordered), CHUNK):
        chunk = query.where(t.c.id.in_(ordered[start : start + CHUNK]))
        found.extend(dict(r) for r in conn.execute(chunk).mappings())
    return sorted(found, key=lambda r: (r["ingested_at"], r["id"]))


def items_of_incidents(conn: Connection, incident_ids: Collection[str]) -> set[str]:
    """The items linked (live links) to any of ``incident_ids``."""
    links = tables.item_incident
    query = select(links.c.item_id).where(
        links.c.incident_id.in_(sorted(incident_ids)), links.c.deleted_at.is_(None)
    )
    return set(conn.execute(query).scalars())


def live_incidents(conn: Connection, case_id: str, incident_ids: Collection[str]) -> set[str]:
    """Those of ``incident_ids`` that are live incidents of the case."""
    t = tables.incident
    query = select(t.c.id).where(
        t.c.case_id == case_id, t.c.id.in_(sorted(incident_ids)), t.c.deleted_at.is_(None)
    )
    return set(conn.execute(query).scalars())


def _by_item(conn: Connection, table: Any, item_ids: Collection[str]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = defaultdict(list)
    ordered = sorted(item_ids)
    for start in range(0, len(ordered), CHUNK):
        query = (
            select(table)
            .where(
                table.c.item_id.in_(ordered[start : start + CHUNK]), table.c.deleted_at.is_(None)
            )
            .order_by(table.c.created_at, table.c.id)
        )
        for row in conn.execute(query).mappings():
            found[row["item_id"]].append(dict(row))
    return found


def incident_links(conn: Connection, item_ids: Collection[str]) -> dict[str, list[Any]]:
    return _by_item(conn, tables.item_incident, item_ids)


def assessments(conn: Connection, item_ids: Collection[str]) -> dict[str, list[Any]]:
    return _by_item(conn, tables.assessment, item_ids)


def element_links(conn: Connection, item_ids: Collection[str]) -> dict[str, list[Any]]:
    return _by_item(conn, tables.element_link, item_ids)


CHUNK = 2000  # values bound in one IN list (SQLite allows 32,766 in all)


def entry_indexes(conn: Connection, item_ids: Collection[str]) -> list[int]:
    """The log indexes of every custody event about the items: their own events (ingestion, access,
    fixity …) and the versions of their incident links, assessments and legal-element links."""
    ordered = sorted(item_ids)
    found: set[int] = set()
    for start in range(0, len(ordered), CHUNK):
        found.update(_entry_indexes(conn, ordered[start : start + CHUNK]))
    return sorted(found)


def _entry_indexes(conn: Connection, wanted: list[str]) -> set[int]:
    events = tables.custody_event
    own = select(events.c.log_index).where(events.c.item_id.in_(wanted))
    versions = tables.record_version
    parts = [own]
    for kind, table in (
        ("item-incident", tables.item_incident),
        ("assessment", tables.assessment),
        ("element-link", tables.element_link),
    ):
        records = select(table.c.id).where(table.c.item_id.in_(wanted))
        parts.append(
            select(versions.c.log_index).where(
                versions.c.kind == kind, versions.c.record_id.in_(records)
            )
        )
    return {int(index) for (index,) in conn.execute(union(*parts))}


def entries(conn: Connection, indexes: list[int]) -> dict[int, bytes]:
    """The exact bytes of the log entries at ``indexes`` (at most :data:`CHUNK` of them)."""
    t = tables.log_entry
    rows = conn.execute(select(t.c.idx, t.c.data).where(t.c.idx.in_(indexes)))
    return {int(index): bytes(data) for index, data in rows}


def recordings(conn: Connection, item_ids: Collection[str]) -> dict[str, tuple[str, ...]]:
    """Of ``item_ids``, those that are the recording of a testimony (or were derived from one: a
    keyframe, a thumbnail), with everyone whose testimony it records (one recording may hold several)."""
    t = tables.testimony
    held = recording_store.recording_of(conn, item_ids)
    ordered = sorted(set().union(*held.values())) if held else []
    people: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(ordered), CHUNK):
        query = select(t.c.recording_item_id, t.c.person_id).where(
            t.c.recording_item_id.in_(ordered[start : start + CHUNK])
        )
        for item, person in conn.execute(query):
            people[str(item)].add(str(person))
    found = {item: set().union(*(people[r] for r in of)) for item, of in held.items()}
    return {item: tuple(sorted(who)) for item, who in found.items() if who}


def testimonies(conn: Connection, case_id: str) -> list[dict[str, Any]]:
    """The case's testimonies (ID, person, recording), oldest first."""
    t, person = tables.testimony, tables.person
    query = (
        select(t.c.id, t.c.person_id, t.c.recording_item_id)
        .join(person, person.c.id == t.c.person_id)
        .where(person.c.case_id == case_id)
        .order_by(t.c.started_at, t.c.id)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


# --- Importing a partner's package (:mod:`testament.packages.importing`) ------------------------------


def provenanced_items(conn: Connection, package_id: str, item_ids: Collection[str]) -> set[str]:
    """Of ``item_ids``, those that already hold a provenance row for the package ``package_id``."""
    t = tables.package_provenance
    ordered = sorted(item_ids)
    found: set[str] = set()
    for start in range(0, len(ordered), CHUNK):
        query = select(t.c.item_id).where(
            t.c.package_id == package_id, t.c.item_id.in_(ordered[start : start + CHUNK])
        )
        found.update(str(item) for item in conn.execute(query).scalars())
    return found


def insert_provenance(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        conn.execute(tables.package_provenance.insert(), rows)


def provenance(conn: Connection, item_ids: Collection[str]) -> list[dict[str, Any]]:
    """The provenance rows of ``item_ids``, oldest first."""
    t = tables.package_provenance
    query = select(t).where(t.c.item_id.in_(sorted(item_ids))).order_by(t.c.imported_at, t.c.id)
    return [dict(r) for r in conn.execute(query).mappings()]


def external_ids(conn: Connection, item_ids: Collection[str]) -> dict[str, dict[str, str]]:
    """The live external identifiers of each item (scheme -> value), such as an ICC ERN."""
    t = tables.item_external_id
    ordered = sorted(item_ids)
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for start in range(0, len(ordered), CHUNK):
        rows = conn.execute(
            select(t.c.item_id, t.c.scheme, t.c.value).where(
                t.c.item_id.in_(ordered[start : start + CHUNK]), t.c.deleted_at.is_(None)
            )
        )
        for item, scheme, value in rows:
            found[str(item)][str(scheme)] = str(value)
    return found
