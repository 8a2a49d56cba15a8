"""Running jobs: the embedded queue in process on SQLite, procrastinate's workers on PostgreSQL.

Both run :func:`run_job`, under one retry policy (:data:`testament.storage.jobs.RETRY`): a failure that
another try may cure (the vault or the database briefly unavailable, a crash) is retried with
exponential backoff and its error shown on the item meanwhile; after the last attempt the job is
failed. A file an extractor cannot read is not a job failure: that kind fails on the item, with its
reason, and the job is done.

``testament serve`` runs a worker beside the web application; ``testament worker`` runs one on its
own, on any machine that reaches the database (PostgreSQL), for more throughput.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from procrastinate import App, JobContext, PsycopgConnector
from procrastinate import jobs as procrastinate_jobs
from procrastinate.exceptions import JobRetry
from procrastinate.retry import RetryDecision

from testament.custody.instance import Instance
from testament.domain.custody import utc_timestamp
from testament.errors import BackendUnavailable, TestamentError
from testament.pipeline import captures, processing, queries
from testament.storage.engine import read_transaction, write_transaction
from testament.storage.jobs import (
    DONE,
    FAILED,
    QUEUE,
    QUEUED,
    RETRY,
    TASK_NAME,
    conninfo,
)

logger = logging.getLogger("testament.pipeline")
# How much a `testament worker` lowers its own priority: processing is background work.
NICENESS = 10
# How long the embedded worker sleeps when the queue is empty (it wakes at once when told of a job).
IDLE_POLL_S = 1.0


class Retry(Exception):
    """A job failed in a way another attempt may cure; carries when to try again."""

    def __init__(self, decision: RetryDecision, reason: str) -> None:
        super().__init__(reason)
        self.decision = decision


def _execute(instance: Instance, job: queries.JobRow) -> None:
    if job.task == "capture":
        captures.run_capture(instance, job)
    else:
        processing.process_item(instance, job)


def _reason(exc: BaseException) -> str:
    """What the item page says about a failed attempt: the error's own words, never a traceback."""
    if isinstance(exc, TestamentError):
        return exc.what
    return f"{type(exc).__name__}: {exc}"[:500]


def run_job(instance: Instance, job_id: str, *, claimed: bool = False) -> str:
    """Run one job and record its state; returns it (``done``, ``failed`` or ``queued`` for a retry).

    ``claimed``: procrastinate already holds the job (PostgreSQL); else it is claimed here first.
    Raises :class:`Retry` when the job should run again later.
    """
    now = utc_timestamp()
    with write_transaction(instance.engine) as connection:
        job = queries.job(connection, job_id)
        if job is None or (not claimed and not queries.claim(connection, job_id, now)):
            return "gone" if job is None else job.state
        if claimed:
            queries.force_running(connection, job_id, now)
        job = queries.job(connection, job_id)
    if job is None:  # pragma: no cover - the row was read in this very transaction
        return "gone"
    try:
        _execute(instance, job)
    except Exception as exc:
        return _failed(instance, job, exc)
    with write_transaction(instance.engine) as connection:
        queries.finish(connection, job_id, state=DONE, now=utc_timestamp())
    return DONE


def _failed(instance: Instance, job: queries.JobRow, exc: Exception) -> str:
    reason = _reason(exc)
    logger.warning(
        "job %s (%s) failed on attempt %d: %s", job.id, job.task, job.attempts, type(exc).__name__
    )
    attempt = procrastinate_jobs.Job(
        id=0,
        queue=QUEUE,
        lock=None,
        queueing_lock=None,
        task_name=TASK_NAME,
        attempts=job.attempts - 1,
    )
    decision = RETRY.get_retry_decision(exception=exc, job=attempt)
    # A refusal, a missing item or content that fails its digest will not change on another try.
    final = isinstance(exc, TestamentError) and not isinstance(exc, BackendUnavailable)
    with write_transaction(instance.engine) as connection:
        if decision is None or final:
            queries.finish(connection, job.id, state=FAILED, now=utc_timestamp(), error=reason)
            return FAILED
        retry_at = decision.retry_at or datetime.now(UTC)
        queries.finish(
            connection,
            job.id,
            state=QUEUED,
            now=utc_timestamp(),
            error=reason,
            run_after=utc_timestamp(retry_at),
        )
    raise Retry(decision, reason)


def drain(instance: Instance, *, clock: Callable[[], datetime] | None = None) -> int:
    """Run every job that is due now, in this process, until none is; returns how many ran.

    On PostgreSQL the jobs are taken from procrastinate's queue (so a job another worker holds is not
    run twice); on SQLite from the embedded queue. ``clock`` stands in for the time (to run retries
    that are due later)."""
    if not instance.settings.is_sqlite:
        return _drain_procrastinate(instance)
    ran = 0
    while True:
        now = utc_timestamp(clock() if clock else None)
        with read_transaction(instance.engine) as connection:
            job_id = queries.next_due(connection, now)
        if job_id is None:
            return ran
        with contextlib.suppress(Retry):
            run_job(instance, job_id)
        ran += 1


def worker_app(instance: Instance) -> App:
    """procrastinate's app with Testament's one task, for workers on PostgreSQL."""
    app = App(connector=PsycopgConnector(conninfo=conninfo(instance.settings.database_url)))

    @app.task(name=TASK_NAME, queue=QUEUE, retry=RETRY, pass_context=True)
    def run(context: JobContext, job_id: str) -> None:
        try:
            run_job(instance, job_id, claimed=True)
        except Retry as retry:
            raise JobRetry(retry.decision) from None

    del run
    return app


def _drain_procrastinate(instance: Instance) -> int:
    app = worker_app(instance)
    with read_transaction(instance.engine) as connection:
        before = sum(queries.job_counts(connection, None).get(s, 0) for s in (DONE, FAILED))
    app.run_worker(queues=[QUEUE], wait=False, install_signal_handlers=False, listen_notify=False)
    with read_transaction(instance.engine) as connection:
        after = sum(queries.job_counts(connection, None).get(s, 0) for s in (DONE, FAILED))
    return after - before


class Worker:
    """A worker in a thread of this process: ``testament serve``'s, or ``testament worker``'s.

    On SQLite it polls the embedded queue; on PostgreSQL it runs procrastinate's worker with
    ``concurrency`` jobs at a time."""

    def __init__(self, instance: Instance, *, concurrency: int = 1) -> None:
        self.instance = instance
        self.concurrency = concurrency
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        target = self._run_embedded if self.instance.settings.is_sqlite else self._run_procrastinate
        self._thread = threading.Thread(target=target, name="testament-worker", daemon=True)
        self._thread.start()

    def run_forever(self) -> None:
        """Work in the calling thread until :meth:`stop` (or Ctrl-C)."""
        if self.instance.settings.is_sqlite:
            self._run_embedded()
        else:
            self._run_procrastinate()

    def _run_embedded(self) -> None:
        while not self._stop.is_set():
            try:
                ran = drain(self.instance)
            except Exception:
                logger.exception("the embedded worker could not read its queue")
                ran = 0
            if not ran:
                self._stop.wait(IDLE_POLL_S)

    def _run_procrastinate(self) -> None:
        app = worker_app(self.instance)
        loop = asyncio.new_event_loop()
        self._loop = loop

        async def work() -> None:
            async with app.open_async():
                await app.run_worker_async(
                    queues=[QUEUE],
                    concurrency=self.concurrency,
                    install_signal_handlers=False,
                    fetch_job_polling_interval=IDLE_POLL_S,
                )

        self._task = loop.create_task(work())
        with contextlib.suppress(asyncio.CancelledError):
            loop.run_until_complete(self._task)
        loop.close()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        if self._loop is not None and self._task is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)
        if self._thread is not None:
            self._thread.join(timeout)


def due_later(seconds: float) -> Callable[[], datetime]:
    """A clock ``seconds`` ahead of now, for :func:`drain` to run retries that are due later."""
    return lambda: datetime.now(UTC) + timedelta(seconds=seconds)
