"""Concurrent writers on PostgreSQL: incidents recorded per second by 1 and by 8 writer processes.

Each write is one `incidents.create`: a recording transaction with the incident, its first version, its
custody event and log entry, its search document and a signed checkpoint. The writers are separate
processes (as web workers and CLI commands are), released together, each writing its share.

The same run measures the previous rule as its baseline: every write transaction taking one advisory
lock first, which serialises writers from their first statement (it is put back in the writer processes
for that measurement only). Now only the log's lock serialises them, from their first append to their
commit. The scaling ratio (8 writers against 1) shows how much of a write runs side by side.

PostgreSQL is the server at ``TESTAMENT_BENCH_PG_URL`` (default the development server,
``postgresql://postgres@127.0.0.1:5432/postgres``); the benchmark makes its own database there and drops
it at the end. Without a server it says so and skips.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from benchmarks.common import WORK, fresh_dir, report

PG_ENV = "TESTAMENT_BENCH_PG_URL"
PG_DEFAULT = "postgresql://postgres@127.0.0.1:5432/postgres"
CASE = "bench"
MODES = ("one lock for every write transaction (before)", "the log's lock from the first append")
_OLD_LOCK_KEY = 0x7465_7374_616D_6E74


def _settings(home: Path, url: str) -> Any:
    from testament.config import load_settings

    return replace(load_settings({"TESTAMENT_HOME": str(home)}), database_url=url)


def _put_back_one_lock() -> None:
    """In this process only: every write transaction takes one advisory lock first, as before."""
    from sqlalchemy import Connection, Engine

    from testament.custody import instance as instance_module
    from testament.storage import engine as engine_module

    narrow = engine_module.write_transaction

    @contextmanager
    def one_lock(engine: Engine) -> Iterator[Connection]:
        with narrow(engine) as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_OLD_LOCK_KEY})")
            yield connection

    instance_module.write_transaction = one_lock  # type: ignore[assignment]


def _writer(  # noqa: PLR0917 - a process target takes its arguments by position
    home: str, url: str, writer: int, count: int, old_lock: bool, start: Any, results: Any
) -> None:
    from testament.custody import instance
    from testament.documentation import incidents

    if old_lock:
        _put_back_one_lock()
    opened = instance.open_instance(_settings(Path(home), url))

    def write(k: int) -> None:
        incidents.create(
            opened,
            CASE,
            incidents.IncidentInput(
                title=f"Shelling of a residential block {writer}.{k}",
                description="Witnesses describe several strikes in the early morning.",
                date=f"2022-{1 + k % 12:02d}-{1 + k % 28:02d}",
                latitude=f"{49.9 + writer / 100:.4f}",
                longitude=f"{36.2 + k / 10_000:.4f}",
                place_text="Kharkiv",
            ),
        )

    try:
        write(-1)  # warm: imports, the connection, keys and vocabularies load on first use
        start.wait()
        began = time.perf_counter()
        for k in range(count):
            write(k)
        results.put((began, time.perf_counter(), count))
    finally:
        opened.close()


def _run(home: Path, url: str, writers: int, per_writer: int, old_lock: bool) -> float:
    """Writes per second of ``writers`` processes writing ``per_writer`` incidents each."""
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(writers)
    results = context.Queue()
    processes = [
        context.Process(
            target=_writer, args=(str(home), url, n, per_writer, old_lock, start, results)
        )
        for n in range(writers)
    ]
    for process in processes:
        process.start()
    spans = [results.get(timeout=3600) for _ in processes]
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a writer failed (exit code {process.exitcode})")
    began = min(s[0] for s in spans)
    ended = max(s[1] for s in spans)
    return sum(s[2] for s in spans) / (ended - began)


@contextmanager
def _database(admin_url: str) -> Iterator[str | None]:
    import psycopg

    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        print(f"\n== concurrent writes: skipped (no PostgreSQL at {admin_url}: {exc})")
        yield None
        return
    name = f"testament_bench_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rpartition('/')[0]}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def writers(per_writer: int = 60, many: int = 8, reps: int = 3) -> dict[str, float] | None:
    """Incidents/s with 1 and ``many`` writers, under the old lock and the new one (median of reps)."""
    from testament.custody import cases, instance

    with _database(os.environ.get(PG_ENV, PG_DEFAULT)) as url:
        if url is None:
            return None
        home = fresh_dir(WORK / "writes-home")
        settings = _settings(home, url)
        instance.init(settings)
        opened = instance.open_instance(settings)
        try:
            cases.create_case(opened, CASE)
        finally:
            opened.close()
        rates: dict[tuple[bool, int], list[float]] = {}
        for _ in range(reps):  # interleaved: the machine is shared and noisy
            for old_lock in (True, False):
                for count in (1, many):
                    # One writer writes as much as all of them together, so both runs last as long.
                    share = per_writer * many // count
                    rate = _run(home, url, count, share, old_lock)
                    rates.setdefault((old_lock, count), []).append(rate)
    rows: list[tuple[str, str]] = []
    figures: dict[str, float] = {}
    for old_lock, mode in zip((True, False), MODES, strict=True):
        one = sorted(rates[(old_lock, 1)])[reps // 2]
        several = sorted(rates[(old_lock, many)])[reps // 2]
        rows += [
            (mode, ""),
            ("  1 writer", f"{one:8.0f} incidents/s"),
            (f"  {many} writers", f"{several:8.0f} incidents/s"),
            (f"  scaling, {many} writers / 1", f"{several / one:8.2f}x"),
        ]
        key = "before" if old_lock else "now"
        figures |= {f"{key}_1": one, f"{key}_{many}": several}
    rows.append(
        (
            f"{many} writers, now / before",
            f"{figures[f'now_{many}'] / figures[f'before_{many}']:8.2f}x",
        )
    )
    report(
        f"Concurrent writes on PostgreSQL: incidents.create, {per_writer * many} per run "
        f"(median of {reps}, interleaved)",
        rows,
    )
    return figures
