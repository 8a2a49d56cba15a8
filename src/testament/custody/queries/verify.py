"""The reads of `testament verify` (:mod:`testament.custody.verification`, :mod:`.verify_log`,
:mod:`.verify_versions`). Every long read streams its rows in bounded memory (a server-side cursor on
PostgreSQL): close what :func:`stream` and the functions built on it return, with ``closing``."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, select

from testament.domain.custody import CustodyEventType
from testament.storage.tables import (
    custody_event,
    evidence_item,
    log_entry,
    log_node,
    record_version,
)

STREAM_ROWS = 10_000
Rows = Generator[Any, None, None]


@dataclass(frozen=True)
class RecordKind:
    """A table whose rows are committed to by one creation event each (verify step 7)."""

    name: str
    table: Table
    event_type: CustodyEventType
    event_column: str
    record: Callable[[Mapping[str, Any]], dict[str, Any]]


def stream(conn: Connection, query: Any) -> Rows:
    """Rows in bounded memory (a server-side cursor on PostgreSQL); close it with ``closing``."""
    result = conn.execution_options(yield_per=STREAM_ROWS).execute(query)
    try:
        yield from result
    finally:
        result.close()


# --- The log itself (steps 3 and 4) ---------------------------------------------------------------------


def entry_count_and_bounds(conn: Connection) -> tuple[int, int | None, int | None]:
    """How many log entries are stored, and their lowest and highest index."""
    count = conn.execute(select(func.count()).select_from(log_entry)).scalar_one()
    low, high = conn.execute(select(func.min(log_entry.c.idx), func.max(log_entry.c.idx))).one()
    return int(count), low, high


def entry_indices(conn: Connection) -> Rows:
    """``(idx,)`` of every stored log entry, in order."""
    return stream(conn, select(log_entry.c.idx).order_by(log_entry.c.idx))


def entries(conn: Connection) -> Rows:
    """``(idx, data)`` of every stored log entry, in order."""
    return stream(conn, select(log_entry.c.idx, log_entry.c.data).order_by(log_entry.c.idx))


def nodes_between(conn: Connection, low: int, high: int) -> Rows:
    """``(id, hash)`` of the stored tree nodes with ``low <= id < high``, in order."""
    query = (
        select(log_node.c.id, log_node.c.hash)
        .where(log_node.c.id >= low, log_node.c.id < high)
        .order_by(log_node.c.id)
    )
    return stream(conn, query)


def node_count_between(conn: Connection, low: int, high: int) -> int:
    """How many tree nodes are stored with ``low <= id < high``."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(log_node)
            .where(log_node.c.id >= low, log_node.c.id < high)
        ).scalar_one()
    )


# --- Custody records (steps 6 to 8) ---------------------------------------------------------------------


def custody_rows(conn: Connection) -> Rows:
    """Every custody event row, in log order."""
    return stream(conn, select(custody_event).order_by(custody_event.c.log_index))


def custody_rows_of_types(conn: Connection, event_types: Iterable[str]) -> Rows:
    """The custody event rows of the given types."""
    return stream(conn, select(custody_event).where(custody_event.c.event_type.in_(event_types)))


def rows_of(conn: Connection, table: Table) -> Rows:
    """Every row of ``table``."""
    return stream(conn, select(table))


def _event_digests(conn: Connection, event_type: CustodyEventType) -> set[str]:
    query = select(custody_event.c.sha256).where(custody_event.c.event_type == event_type.value)
    return {r[0] for r in conn.execute(query.distinct()) if r[0]}


def recorded_digests(conn: Connection) -> set[str]:
    """The digests that evidence items and ingestion events name."""
    items = {r[0] for r in conn.execute(select(evidence_item.c.sha256).distinct())}
    made = (CustodyEventType.INGESTION, CustodyEventType.UNPACKING, CustodyEventType.CAPTURE)
    return items | {d for t in made for d in _event_digests(conn, t)} | _derived_digests(conn)


def _derived_digests(conn: Connection) -> set[str]:
    """The digests of derivatives (``creation`` events of processing, which name their content)."""
    query = select(custody_event.c.sha256).where(
        custody_event.c.event_type == CustodyEventType.CREATION.value,
        custody_event.c.item_id.is_not(None),
    )
    return {r[0] for r in conn.execute(query.distinct()) if r[0]}


def shredded_digests(conn: Connection) -> set[str]:
    """The digests that shred events name."""
    return _event_digests(conn, CustodyEventType.SHRED)


# --- Record versions (step 9) ---------------------------------------------------------------------------


def versions_with_events(conn: Connection) -> Rows:
    """Every ``record_version`` row, by kind, record and version, with the type, detail
    (``event_detail``) and record (``event_record``) of the custody event at its log index."""
    rv, ce = record_version, custody_event
    query = (
        select(
            rv,
            ce.c.event_type,
            ce.c.detail.label("event_detail"),
            ce.c.record.label("event_record"),
        )
        .outerjoin(ce, ce.c.log_index == rv.c.log_index)
        .order_by(rv.c.kind, rv.c.record_id, rv.c.version)
    )
    return stream(conn, query)


def events_without_version(conn: Connection, event_types: Iterable[str]) -> Rows:
    """``(id, detail, log_index)`` of the custody events of the given types whose log index no
    ``record_version`` row holds."""
    ce, rv = custody_event, record_version
    query = (
        select(ce.c.id, ce.c.detail, ce.c.log_index)
        .outerjoin(rv, rv.c.log_index == ce.c.log_index)
        .where(rv.c.id.is_(None), ce.c.event_type.in_(list(event_types)))
    )
    return stream(conn, query)
