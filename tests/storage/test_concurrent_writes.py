"""Writers side by side: the log stays one ordered, verifiable history, and a lost race is a Conflict.

On PostgreSQL a write transaction runs beside others until it appends to the custody log; the log's
lock then holds until it commits. On SQLite ``BEGIN IMMEDIATE`` keeps one writer at a time, and the
same tests show that nothing changes there.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, insert, select, text

from testament.custody import cases, custody, verification
from testament.custody.instance import Instance, recording
from testament.documentation import incidents
from testament.domain.custody import CustodyEventType
from testament.errors import Conflict
from testament.ledger import log
from testament.storage import tables
from testament.storage.engine import lock_log, read_transaction, write_transaction


def _together(count: int, work: Callable[[int], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``work(n)`` on ``count`` threads released at once; what they returned and raised."""
    start = threading.Barrier(count)
    done: list[Any] = []
    failed: list[BaseException] = []

    def run(n: int) -> None:
        start.wait(30)
        try:
            done.append(work(n))
        except BaseException as exc:  # reported to the test
            failed.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return done, failed


def test_concurrent_writers_leave_one_ordered_verifiable_log(instance: Instance) -> None:
    cases.create_case(instance, "Case A")
    with read_transaction(instance.engine) as conn:
        before = log.size(conn)

    def write(n: int) -> list[str]:
        return [
            incidents.create(instance, "Case A", incidents.IncidentInput(title=f"Strike {n}.{k}"))
            for k in range(5)
        ]

    done, failed = _together(6, write)
    assert failed == []
    assert sum(len(ids) for ids in done) == 30
    with read_transaction(instance.engine) as conn:
        size = log.size(conn)
        indices = sorted(conn.execute(select(tables.custody_event.c.log_index)).scalars())
        latest = log.latest_checkpoint(conn)
    assert size == before + 30
    assert indices == list(range(size))  # no gap, no entry twice
    assert latest is not None and latest.size == size
    findings = verification.run(instance)
    assert all(f.ok for f in findings), [f for f in findings if not f.ok]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_writer_that_has_not_appended_yet_blocks_no_one(instance: Instance) -> None:
    cases.create_case(instance, "Case A")
    inside, finish = threading.Event(), threading.Event()

    def slow_writer() -> None:
        with recording(instance) as conn:
            conn.execute(text("SELECT 1"))
            inside.set()
            assert finish.wait(30)

    slow = threading.Thread(target=slow_writer)
    slow.start()
    try:
        assert inside.wait(30)
        # With one lock for every writer, this would wait for the slow writer to end.
        incidents.create(instance, "Case A", incidents.IncidentInput(title="Meanwhile"))
    finally:
        finish.set()
        slow.join(30)
    findings = verification.run(instance)
    assert all(f.ok for f in findings), [f for f in findings if not f.ok]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_an_append_waits_for_the_lock_holder_to_commit(instance: Instance) -> None:
    holding, finish = threading.Event(), threading.Event()
    order: list[str] = []

    def holder() -> None:
        with recording(instance) as conn:
            lock_log(conn)
            holding.set()
            assert finish.wait(30)
            order.append("holder commits")

    first = threading.Thread(target=holder)
    first.start()
    assert holding.wait(30)
    second = threading.Thread(
        target=lambda: (cases.create_case(instance, "Case B"), order.append("second commits"))
    )
    second.start()
    second.join(0.5)
    assert second.is_alive() and order == []  # its append waits on the lock
    finish.set()
    first.join(30)
    second.join(30)
    assert order == ["holder commits", "second commits"]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_lost_race_on_a_unique_name_is_a_conflict(instance: Instance) -> None:
    """Two writers both find no case called "Same" and create it: the second gets Conflict."""
    looked = threading.Barrier(2)

    def create(_n: int) -> str:
        with recording(instance) as conn:
            found = conn.execute(select(tables.case.c.id).where(tables.case.c.name == "Same"))
            assert found.first() is None
            looked.wait(30)
            return cases.create_case_row(conn, "Same", 1)

    done, failed = _together(2, create)
    assert len(done) == 1
    assert len(failed) == 1 and isinstance(failed[0], Conflict), failed


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_deadlock_between_writers_is_a_conflict(instance: Instance) -> None:
    """A writer holding the log's lock and one holding a row each wait on the other: PostgreSQL ends
    one of them, and what the caller sees is Conflict, not a failed backend."""
    with write_transaction(instance.engine) as conn:
        conn.execute(
            insert(tables.organisation).values(id=990, name="Row everyone wants", created_at="x")
        )
    row_taken, lock_taken = threading.Event(), threading.Event()
    org = tables.organisation

    def row_first(_n: int) -> None:
        with write_transaction(instance.engine) as conn:
            conn.execute(org.update().where(org.c.id == 990).values(name="first"))
            row_taken.set()
            assert lock_taken.wait(30)
            custody.record(
                conn, [custody.NewEvent(CustodyEventType.CREATION, 1, detail={"object": "test"})]
            )

    def lock_first(_n: int) -> None:
        assert row_taken.wait(30)
        with write_transaction(instance.engine) as conn:
            lock_log(conn)
            lock_taken.set()
            conn.execute(org.update().where(org.c.id == 990).values(name="second"))

    results: list[BaseException] = []

    def run(work: Callable[[int], None]) -> None:
        try:
            work(0)
        except BaseException as exc:  # reported to the test
            results.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in (row_first, lock_first)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 1 and isinstance(results[0], Conflict), results
    with read_transaction(instance.engine) as conn:
        assert conn.execute(select(func.count()).select_from(org)).scalar() >= 1
