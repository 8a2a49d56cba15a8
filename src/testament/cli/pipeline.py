"""`testament worker`, `testament reprocess`, `testament jobs` and `testament capture`: processing and
web capture from the terminal (docs/processing.md)."""

from __future__ import annotations

import contextlib
import os
import time

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, json_line
from testament.custody.instance import Instance
from testament.errors import Conflict
from testament.pipeline import captures, runner, service
from testament.pipeline.registry import KINDS
from testament.pipeline.results import Progress

# How often a waiting command looks at the queue again.
POLL_S = 0.5


@click.command("worker")
@click.option("--concurrency", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Jobs run at once by this worker (PostgreSQL); more workers may run on other machines.")  # fmt: skip
@click.option("--once", is_flag=True, help="Run every job that is due now, then stop.")
def worker(concurrency: int, once: bool) -> None:
    """Process evidence and web captures in the background, until stopped (Ctrl-C)."""
    os.nice(runner.NICENESS)  # background work: the ingest and the web application come first
    with opened() as inst:
        if once:
            ran = runner.drain(inst)
            click.echo(f"{ran} job(s) run", err=True)
            return
        click.echo("Testament worker: processing jobs (Ctrl-C stops)", err=True)
        work = runner.Worker(inst, concurrency=concurrency)
        try:
            work.run_forever()
        except KeyboardInterrupt:
            work.stop()


def _wait(inst: Instance, case: str | None, *, quiet: bool) -> Progress:
    """Run due jobs here (SQLite) or wait for the workers (PostgreSQL), with a progress bar."""
    now = service.progress(inst, case_name=case)
    with contextlib.ExitStack() as stack:
        bar = None
        if not quiet:
            bar = stack.enter_context(
                click.progressbar(length=max(now.total, 1), label="processing")
            )
        settled = now.done + now.failed
        while True:
            runner.drain(inst)
            now = service.progress(inst, case_name=case)
            if bar is not None:
                bar.length = max(now.total, 1)
                bar.update(now.done + now.failed - settled)
            settled = now.done + now.failed
            if now.queued + now.running == 0:
                return now
            time.sleep(POLL_S)


@click.command("reprocess")
@click.option(
    "--case", "case_name", required=True, help="The case whose items are processed again."
)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(KINDS),
              help="Only this kind of processing (repeatable). Default: every kind.")  # fmt: skip
@click.option("--wait", is_flag=True, help="Run (or wait for) the jobs, with a progress bar.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def reprocess(case_name: str, kinds: tuple[str, ...], wait: bool, as_json: bool) -> None:
    """Process a case's evidence again (after a tool is upgraded or a kind is added)."""
    with opened() as inst:
        report = service.reprocess(inst, case_name=case_name, kinds=list(kinds) or None)
        finished = _wait(inst, case_name, quiet=as_json) if wait else None
    if as_json:
        json_line(report)
        if finished is not None:
            json_line(finished)
        return
    click.echo(f"{report.jobs} item(s) of the case queued for processing")
    if finished is not None:
        click.echo(f"{finished.done} job(s) done, {finished.failed} failed")


@click.command("jobs")
@click.option("--case", "case_name", help="Only this case's jobs.")
@click.option("--failed", "failed_only", is_flag=True, help="Only failed jobs.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def jobs(case_name: str | None, failed_only: bool, as_json: bool) -> None:
    """List processing and capture jobs and their state, newest first."""
    with opened() as inst:
        found = service.list_jobs(inst, case_name=case_name, failed_only=failed_only)
    for job in found:
        if as_json:
            json_line(job)
            continue
        target = job.item_id or job.capture_id or ""
        line = f"{job.enqueued_at}  {job.state:<7} {job.task:<8} {target}  attempts {job.attempts}"
        click.echo(line + (f"  {job.error}" if job.error else ""))


@click.command("capture")
@click.argument("url")
@click.option(
    "--case", "case_name", required=True, help="The case the capture becomes evidence of."
)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def capture(url: str, case_name: str, as_json: bool) -> None:
    """Preserve a web page as evidence (a WACZ), and wait for the capture."""
    with opened() as inst:
        asked = captures.request_capture(inst, url, case_name=case_name)
        view = asked
        while view.state in ("queued", "running"):
            runner.drain(inst)
            view = captures.capture_view(inst, asked.id)
            if view.state in ("queued", "running"):
                time.sleep(POLL_S)
    if view.state == "failed" or view.item_id is None:
        raise Conflict(
            f"the capture failed: {view.error or 'unknown reason'}",
            where=url,
            hint="see `testament jobs --failed`",
        )
    if as_json:
        json_line({"item_id": view.item_id, "sha256": view.sha256, "complete": view.complete,
                   "capture": view.as_json()})  # fmt: skip
        return
    state = "complete" if view.complete else f"INCOMPLETE: {view.incomplete_reason}"
    click.echo(f"captured {view.final_url or view.requested_url} ({state})")
    click.echo(f"item {view.item_id}  sha256:{view.sha256}")
