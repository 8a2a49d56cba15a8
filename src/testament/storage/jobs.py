"""The job queue: a job is written in the same transaction as the evidence it processes.

Every job is a ``processing_job`` row, on both back ends, so a rolled-back upload never runs a job and
the browser shows every job's state the same way. On the embedded SQLite default that table is the
queue: :mod:`testament.pipeline.runner` claims its rows in process. On PostgreSQL the same transaction
also defers a procrastinate job (in procrastinate's tables, created by migration 0014) that names the
row, so any number of ``testament worker`` processes on any number of machines share the queue with
no broker beyond the database. Both run one retry policy, :data:`RETRY`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from procrastinate import App, PsycopgConnector, RetryStrategy
from procrastinate.types import JSONDict
from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from testament.domain.custody import utc_timestamp
from testament.domain.ids import new_id
from testament.storage import bulk
from testament.storage.tables import processing_job

QUEUE = "testament"
TASK_NAME = "testament.run_job"
# Three attempts in all: procrastinate counts the attempts before the one that failed, and retries while
# they are fewer than ``max_attempts``, waiting ``exponential_wait ** (attempts + 1)`` seconds: 4 s, then
# 16 s. A file an extractor cannot read fails its kind at once (testament.pipeline.runner): only
# failures that another try may cure are retried.
RETRY = RetryStrategy(max_attempts=2, exponential_wait=4)

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
STATES = (QUEUED, RUNNING, DONE, FAILED)


@dataclass(frozen=True)
class NewJob:
    """A job to enqueue: ``task`` is ``process`` (an item's extractors; ``kinds`` None means every
    kind that applies) or ``capture`` (a web capture, ``capture_id``)."""

    task: str
    case_id: str
    item_id: str | None = None
    capture_id: str | None = None
    kinds: tuple[str, ...] | None = None
    reason: str = "ingest"


def conninfo(database_url: str) -> str:
    """A libpq connection string for procrastinate, from an SQLAlchemy PostgreSQL URL."""
    url = make_url(database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@cache
def queue_app(database_url: str) -> App:
    """procrastinate's app for this database (not opened: deferring uses the caller's connection)."""
    return App(connector=PsycopgConnector(conninfo=conninfo(database_url)))


def enqueue(connection: Connection, jobs: Sequence[NewJob], agent_id: int) -> list[str]:
    """Write ``jobs`` in the caller's transaction; returns their IDs."""
    if not jobs:
        return []
    now = utc_timestamp()
    ids = [new_id() for _ in jobs]
    rows: list[dict[str, object]] = [
        {
            "id": job_id,
            "task": job.task,
            "case_id": job.case_id,
            "item_id": job.item_id,
            "capture_id": job.capture_id,
            "kinds": None if job.kinds is None else json.dumps(list(job.kinds)),
            "state": QUEUED,
            "attempts": 0,
            "run_after": now,
            "enqueued_at": now,
            "enqueued_by": agent_id,
            "started_at": None,
            "finished_at": None,
            "last_error": None,
            "reason": job.reason,
        }
        for job_id, job in zip(ids, jobs, strict=True)
    ]
    bulk.insert_many(connection, processing_job, rows)
    if connection.dialect.name == "postgresql":
        _defer(connection, ids)
    return ids


def _defer(connection: Connection, ids: list[str]) -> None:
    """procrastinate jobs for ``ids``, inserted through the caller's own database connection, so they
    commit (or roll back) with it."""
    raw = connection.connection.driver_connection
    url = connection.engine.url.render_as_string(hide_password=False)
    deferrer = queue_app(url).configure_task(TASK_NAME, queue=QUEUE, connection=raw)
    arguments: list[JSONDict] = [{"job_id": job_id} for job_id in ids]
    deferrer.batch_defer(*arguments)
