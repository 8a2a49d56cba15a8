"""Step 9 of `testament verify`: documentation records against their versions and custody events.

Kept apart from :mod:`testament.custody.verification` to keep each module small; the step function
itself lives there and wraps these checks. Each check yields ``(detail, where)`` for a problem.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import closing
from typing import Any

from sqlalchemy import Connection

from testament.custody import history
from testament.custody.queries import verify as queries
from testament.domain.custody import CustodyEventType, commitment

VERSION_EVENTS = {
    "create": CustodyEventType.CREATION.value,
    "update": CustodyEventType.METADATA_MODIFICATION.value,
    "delete": CustodyEventType.DELETION.value,
}
Problem = tuple[str, str]


def _check_version(row: Any) -> str | None:
    """Why one version row disagrees with itself or with its custody event, or None."""
    try:
        data = json.loads(row.data)
    except ValueError:
        return "the stored version is not valid JSON"
    if commitment(bytes(row.salt), data) != row.digest:
        return "the stored version was changed after it was recorded"
    if row.event_record is None:
        return "the version has no custody event at its log index"
    try:
        detail = json.loads(row.event_detail)
    except ValueError:
        return "the version's custody event is malformed"
    expected = (VERSION_EVENTS.get(row.change), row.kind, row.record_id, row.version)
    found = (row.event_type, detail.get("object"), detail.get("id"), detail.get("version"))
    if expected != found or row.event_record != row.digest:
        return "the version does not match the custody event at its log index"
    return None


def versions(
    conn: Connection,
) -> Iterator[tuple[Problem | None, tuple[str, str, int, str, dict[str, Any]] | None]]:
    """Check every version; also yield (kind, id, version, change, data) of each record's latest one."""
    previous: Any = None
    with closing(queries.versions_with_events(conn)) as rows:
        for row in rows:
            where = f"{row.kind} {row.record_id} version {row.version}"
            reason = _check_version(row)
            if reason:
                yield (reason, where), None
            if previous is not None and (previous.kind, previous.record_id) == (
                row.kind,
                row.record_id,
            ):
                if row.version != previous.version + 1:
                    yield ("a version of this record is missing", where), None
            elif previous is not None:
                yield None, _latest(previous)
            previous = row
    if previous is not None:
        yield None, _latest(previous)


def _latest(row: Any) -> tuple[str, str, int, str, dict[str, Any]]:
    try:
        data = json.loads(row.data)
    except ValueError:
        data = {}
    return row.kind, row.record_id, int(row.version), row.change, data


def current_rows(
    conn: Connection, latest: dict[tuple[str, str], tuple[int, str, dict[str, Any]]]
) -> Iterator[Problem]:
    """Every record's row must equal its latest version; every versioned record must still have its row."""
    for kind, table in history.KINDS.items():
        with closing(queries.rows_of(conn, table)) as rows:
            for row in rows:
                where = f"{kind} {row.id}"
                found = latest.pop((kind, row.id), None)
                if found is None:
                    yield "the record has no recorded version", where
                    continue
                version, change, data = found
                if row.version != version or (row.deleted_at is not None) != (change == "delete"):
                    yield "the record's version does not match its history", where
                elif history.snapshot(kind, row._mapping) != data:
                    yield (
                        "the record was changed outside Testament (it differs from its latest version)",
                        where,
                    )
    for kind, record_id in sorted(latest):
        yield "the record named by its versions is missing from the database", f"{kind} {record_id}"


def orphan_events(conn: Connection) -> Iterator[Problem]:
    """Custody events about documentation records whose version row is gone."""
    with closing(queries.events_without_version(conn, VERSION_EVENTS.values())) as rows:
        for row in rows:
            try:
                detail = json.loads(row.detail)
            except ValueError:
                continue
            if (
                isinstance(detail, dict)
                and detail.get("object") in history.KINDS
                and "version" in detail
            ):
                yield "the custody event's record version is missing", f"log entry {row.log_index}"
