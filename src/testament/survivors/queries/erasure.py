"""Erasure: what it scrubs of a person, its record, and the database's old copies of rows.

The statements in plain SQL say what Core cannot: SQLite's ``PRAGMA``s, PostgreSQL's ``VACUUM FULL``
and ``CHECKPOINT``, and its view of other sessions' snapshots (``pg_stat_activity``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from contextlib import closing
from typing import Any

from sqlalchemy import Connection, case, insert, select, update

from testament.storage import recordings, tables

# A session holds rows back while its snapshot's horizon (backend_xmin) or its own transaction
# (backend_xid) is older than the given transaction ID: age() is larger for an older one.
_OLDER_SNAPSHOTS = (
    "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
    "AND (age(backend_xmin) > age(%(horizon)s::xid) OR age(backend_xid) > age(%(horizon)s::xid))"
)


def secure_delete(conn: Connection) -> None:
    """SQLite: overwrite deleted content with zeros in the pages this transaction writes."""
    conn.exec_driver_sql("PRAGMA secure_delete=ON")


def recording_items(conn: Connection, person_id: str) -> dict[str, str]:
    """The evidence items that record the person's interviews, and every item processing derived from
    them (keyframes, thumbnails, members): item ID to digest."""
    t, e = tables.testimony, tables.evidence_item
    found = {
        row.id: row.sha256
        for row in conn.execute(
            select(e.c.id, e.c.sha256)
            .join(t, t.c.recording_item_id == e.c.id)
            .where(t.c.person_id == person_id)
        )
    }
    derived = sorted(recordings.derivatives(conn, set(found)))
    for start in range(0, len(derived), 2000):
        rows = conn.execute(
            select(e.c.id, e.c.sha256).where(e.c.id.in_(derived[start : start + 2000]))
        )
        found.update({row.id: row.sha256 for row in rows})
    return found


def digest_held_elsewhere(conn: Connection, digest: str, item_ids: Collection[str]) -> bool:
    """Whether an evidence item other than ``item_ids`` holds the same file."""
    e = tables.evidence_item
    query = select(e.c.id).where(e.c.sha256 == digest, e.c.id.not_in(list(item_ids)))
    return conn.execute(query).first() is not None


def scrub_testimonies(conn: Connection, person_id: str, erased: str) -> None:
    """The person's testimonies' words gone, their circumstances replaced by ``erased``."""
    t = tables.testimony
    conn.execute(
        update(t)
        .where(t.c.person_id == person_id)
        .values(
            account_sealed=None,
            summary_sealed=None,
            place=erased,
            interpreter=erased,
            present="[]",
            contact_via=erased,
            given=erased,
            reinterview_justification=erased,
            why_needed=erased,
            best_interests=erased,
        )
    )


def scrub_assessments(conn: Connection, person_id: str, erased: str) -> None:
    """The person's risk assessments' prose replaced by ``erased`` (an override reason, if any)."""
    r = tables.risk_assessment
    conn.execute(
        update(r)
        .where(r.c.person_id == person_id)
        .values(
            risks_person=erased,
            risks_family=erased,
            risks_staff=erased,
            override_reason=case((r.c.override_reason.is_(None), None), else_=erased),
        )
    )


def scrub_facts(conn: Connection, person_id: str) -> None:
    """The statements of the facts of the person's testimonies gone."""
    t, f = tables.testimony, tables.testimony_fact
    conn.execute(
        update(f)
        .where(f.c.testimony_id.in_(select(t.c.id).where(t.c.person_id == person_id)))
        .values(statement_sealed=None)
    )


def scrub_need_notes(conn: Connection, person_id: str) -> None:
    n = tables.support_need
    conn.execute(update(n).where(n.c.person_id == person_id).values(note_sealed=None))


def insert_erasure(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(tables.erasure).values(**values))


def erased_people(conn: Connection) -> set[str]:
    return set(conn.execute(select(tables.erasure.c.person_id)).scalars())


def people_present(conn: Connection, person_ids: Collection[str]) -> set[str]:
    """Which of these people the database holds."""
    p = tables.person
    return set(conn.execute(select(p.c.id).where(p.c.id.in_(list(person_ids)))).scalars())


def checkpoint_sqlite(path: str) -> None:
    """SQLite: checkpoint the write-ahead log and truncate it, on a connection of its own outside
    any transaction (a checkpoint cannot run inside one)."""
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        raw.execute("PRAGMA busy_timeout=30000")
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()


def horizon(conn: Connection) -> str:
    """PostgreSQL: a new transaction ID, later than every transaction committed before this call."""
    return str(conn.exec_driver_sql("SELECT pg_current_xact_id()::xid::text").scalar_one())


def older_snapshots(conn: Connection, horizon: str) -> int:
    """PostgreSQL: how many other sessions hold a snapshot, or run a transaction, older than
    ``horizon``: either may still see a row version that transactions before it replaced."""
    return int(conn.exec_driver_sql(_OLDER_SNAPSHOTS, {"horizon": horizon}).scalar() or 0)


def vacuum_full(conn: Connection, table: str) -> None:
    """PostgreSQL: rewrite the table, leaving no dead row behind (autocommit only)."""
    conn.exec_driver_sql(f'VACUUM FULL "{table}"')


def checkpoint(conn: Connection) -> None:
    """PostgreSQL: write every dirty page out now."""
    conn.exec_driver_sql("CHECKPOINT")
