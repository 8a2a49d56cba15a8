"""Versioned documentation records: every create, update and delete is a version and a custody event.

A documentation record (a situation, incident, person, unit, source, or a link between them) lives in its
own table as its current version. Each write also

* appends a row to ``record_version`` holding the canonical JSON of the whole new version, a fresh salt and
  the salted SHA-256 commitment to it (:func:`testament.domain.custody.commitment`), and
* records a custody event (``creation``, ``metadata modification`` or ``deletion``) whose entry names the
  record's kind, ID, version and changed field names, and carries the commitment as ``record``.

Field *values* never enter the log: a person's label or an incident's description may identify someone.
The commitment lets `testament verify` prove that no version was edited afterwards. Deleting marks the row
(``deleted_at``); no row and no version is ever removed.

All functions take the caller's connection: they run inside the caller's write transaction, so a record,
its version and its custody event commit together or not at all.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from testament.custody import custody
from testament.custody.queries import records as queries
from testament.domain.canonical import canonical_json
from testament.domain.custody import CustodyEventType, commitment_to, utc_timestamp
from testament.domain.ids import new_id
from testament.errors import Conflict, InvalidInput, NotFound

KINDS = queries.KINDS
META = frozenset({"id", "version", "created_at", "updated_at", "deleted_at"})
# Columns stored as JSON text; a version holds their decoded value.
JSON_COLUMNS = frozenset(
    {"types", "targets", "weapons", "sensitivity", "unmapped", "amendments", "aliases"}
)

# Plain ``str`` names (SQLAlchemy's are a subclass), so versions take canonical JSON's fast path.
_FIELDS = {
    kind: tuple(name for name in queries.columns(kind) if name not in META) for kind in KINDS
}


@dataclass(frozen=True)
class Version:
    """One version of a record, as ``testament ... history`` shows it."""

    kind: str
    record_id: str
    version: int
    change: str
    data: dict[str, Any]
    digest: str
    agent_id: int
    at: str
    log_index: int

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "id": self.record_id,
            "version": self.version,
            "change": self.change,
            "data": self.data,
            "digest": self.digest,
            "agent": f"agent:{self.agent_id}",
            "at": self.at,
            "log_index": self.log_index,
        }


table_of = queries.table_of


def fields(kind: str) -> tuple[str, ...]:
    """The fields a version of ``kind`` holds (every column but the bookkeeping ones)."""
    table_of(kind)
    return _FIELDS[kind]


def _stored(name: str, value: Any) -> Any:
    if name in JSON_COLUMNS:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def _decoded(name: str, value: Any) -> Any:
    if name in JSON_COLUMNS and isinstance(value, str):
        return json.loads(value)
    return value


def snapshot_value(name: str, value: Any) -> Any:
    """A stored column value as a version holds it (JSON columns decoded)."""
    return _decoded(name, value)


def snapshot(kind: str, row: Mapping[str, Any] | Any) -> dict[str, Any]:
    """The version data of a row: its ID and every field, JSON columns decoded."""
    data = {name: _decoded(name, row[name]) for name in fields(kind)}
    data["id"] = row["id"]
    return data


@dataclass(frozen=True)
class _Write:
    kind: str
    data: dict[str, Any]
    version: int
    change: str
    event_type: CustodyEventType
    changed: tuple[str, ...]


def _record_versions(
    connection: Connection, writes: Sequence[_Write], case_ids: Sequence[str | None], agent_id: int
) -> list[int]:
    salts = [secrets.token_bytes(16) for _ in writes]
    encoded = [canonical_json(w.data) for w in writes]
    digests = [commitment_to(salt, data) for salt, data in zip(salts, encoded, strict=True)]
    events = []
    for w, digest, case_id in zip(writes, digests, case_ids, strict=True):
        detail: dict[str, Any] = {
            "object": w.kind,
            "id": w.data["id"],
            "version": w.version,
            "change": w.change,
        }
        if w.changed:
            detail["fields"] = list(w.changed)
        events.append(
            custody.NewEvent(w.event_type, agent_id, case_id=case_id, detail=detail, record=digest)
        )
    indices = custody.record(connection, events)
    now = utc_timestamp()
    queries.insert_versions(
        connection,
        [
            {
                "kind": w.kind,
                "record_id": w.data["id"],
                "version": w.version,
                "change": w.change,
                "data": data.decode(),
                "salt": salt,
                "digest": digest,
                "agent_id": agent_id,
                "at": now,
                "log_index": index,
            }
            for w, data, salt, digest, index in zip(
                writes, encoded, salts, digests, indices, strict=True
            )
        ],
    )
    return indices


def create_many(
    connection: Connection,
    kind: str,
    records: Sequence[Mapping[str, Any]],
    *,
    agent_id: int,
    derive: Callable[[list[str]], None] | None = None,
) -> list[str]:
    """Insert new records of ``kind`` (each a mapping of every field; ``id`` optional); return their IDs.

    ``derive(ids)`` runs once the rows are in and before their versions are recorded: derived data
    written there (areas, search documents) comes before the custody log's lock, which the versions'
    events take and hold until commit, so it overlaps with other writers.
    """
    if not records:
        return []
    names = fields(kind)
    encoded = [name for name in names if name in JSON_COLUMNS]
    now = utc_timestamp()
    rows: list[dict[str, Any]] = []
    writes: list[_Write] = []
    for values in records:
        missing = [name for name in names if name not in values]
        if missing:
            raise InvalidInput(f"a new {kind} lacks fields: {', '.join(missing)}")
        record_id = str(values.get("id") or new_id())
        data = {name: values[name] for name in names} | {"id": record_id}
        row = data | {"version": 1, "created_at": now, "updated_at": now, "deleted_at": None}
        for name in encoded:
            row[name] = _stored(name, row[name])
        rows.append(row)
        writes.append(_Write(kind, data, 1, "create", CustodyEventType.CREATION, ()))
    queries.insert_records(connection, kind, rows)
    ids = [str(row["id"]) for row in rows]
    if derive is not None:
        derive(ids)
    _record_versions(connection, writes, queries.case_ids(connection, kind, rows), agent_id)
    return ids


def create(connection: Connection, kind: str, values: Mapping[str, Any], *, agent_id: int) -> str:
    """Insert one new record; see :func:`create_many`."""
    return create_many(connection, kind, [values], agent_id=agent_id)[0]


def current(
    connection: Connection, kind: str, record_id: str, *, deleted: bool = False
) -> dict[str, Any]:
    """The current version of a record as data (raises NotFound, also for deleted ones unless asked)."""
    row = queries.record_row(connection, kind, record_id)
    if row is None or (row["deleted_at"] is not None and not deleted):
        raise NotFound(f"no {kind} has this ID", where=record_id)
    return row


def _check_version(kind: str, record_id: str, row: Mapping[str, Any], expected: int | None) -> None:
    if row["deleted_at"] is not None:
        raise Conflict(
            f"this {kind} was deleted", where=record_id, hint="deleted records cannot be edited"
        )
    if expected is not None and row["version"] != expected:
        raise Conflict(
            f"this {kind} changed since version {expected} was read (it is now at version {row['version']})",
            where=record_id,
            hint="reload it and apply the change again",
        )


def update(
    connection: Connection,
    kind: str,
    record_id: str,
    changes: Mapping[str, Any],
    *,
    agent_id: int,
    expected_version: int | None = None,
) -> int:
    """Apply ``changes`` to a record as a new version; returns the version (unchanged if nothing differs)."""
    unknown = sorted(set(changes) - set(fields(kind)))
    if unknown:
        raise InvalidInput(f"a {kind} has no field {', '.join(unknown)}", where=record_id)
    row = current(connection, kind, record_id, deleted=True)
    _check_version(kind, record_id, row, expected_version)
    before = snapshot(kind, row)
    changed = tuple(sorted(name for name, value in changes.items() if before[name] != value))
    if not changed:
        return int(row["version"])
    version = int(row["version"]) + 1
    data = before | {name: changes[name] for name in changed}
    queries.update_record(
        connection,
        kind,
        record_id,
        {name: _stored(name, data[name]) for name in changed}
        | {"version": version, "updated_at": utc_timestamp()},
    )
    write = _Write(kind, data, version, "update", CustodyEventType.METADATA_MODIFICATION, changed)
    _record_versions(connection, [write], queries.case_ids(connection, kind, [row]), agent_id)
    return version


def delete(
    connection: Connection,
    kind: str,
    record_id: str,
    *,
    agent_id: int,
    expected_version: int | None = None,
) -> int:
    """Mark a record deleted, as a new version; the row and all its versions stay."""
    row = current(connection, kind, record_id, deleted=True)
    _check_version(kind, record_id, row, expected_version)
    version = int(row["version"]) + 1
    now = utc_timestamp()
    queries.update_record(
        connection, kind, record_id, {"version": version, "updated_at": now, "deleted_at": now}
    )
    write = _Write(kind, snapshot(kind, row), version, "delete", CustodyEventType.DELETION, ())
    _record_versions(connection, [write], queries.case_ids(connection, kind, [row]), agent_id)
    return version


def versions(connection: Connection, kind: str, record_id: str) -> list[Version]:
    """Every version of a record, oldest first."""
    table_of(kind)
    rows = queries.version_rows(connection, kind, record_id)
    found = [
        Version(
            kind=kind,
            record_id=record_id,
            version=int(r["version"]),
            change=str(r["change"]),
            data=json.loads(r["data"]),
            digest=str(r["digest"]),
            agent_id=int(r["agent_id"]),
            at=str(r["at"]),
            log_index=int(r["log_index"]),
        )
        for r in rows
    ]
    if not found:
        raise NotFound(f"no {kind} has this ID", where=record_id)
    return found


def live_ids(connection: Connection, kind: str, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` name records of ``kind`` that exist and are not deleted."""
    return queries.live_ids(connection, kind, ids)
