"""Web captures as evidence: ``testament capture URL --case C``, the API and "Preserve a link".

Asking for a capture checks the URL at once (its form, and that it does not point into a private
network unless ``capture_allow_private`` says so) and records the request with its job in one
transaction. The job runs the capture engine (:mod:`testament.pipeline.capture`) and stores its WACZ in
the vault like any evidence, with a ``capture`` custody event whose agent is the person who asked and
which commits to the capture's metadata (BP-05 to BP-07); the capture's record keeps the requested and
final URL, the redirect chain, the UTC start and finish, the tool and version and the user agent.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from testament.custody import policy
from testament.custody.derived import DerivedBlob, record_derived
from testament.custody.instance import Instance, acting_agent, software_agent
from testament.domain.access import Action
from testament.domain.canonical import canonical_json
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.errors import InvalidInput, NotFound
from testament.ledger import log
from testament.pipeline import queries
from testament.pipeline.processing import AGENT, work_root
from testament.pipeline.results import CaptureView
from testament.storage.engine import lock_log, read_transaction, write_transaction
from testament.storage.jobs import NewJob, enqueue

if TYPE_CHECKING:
    from testament.pipeline.capture import CaptureResult

MAX_URL = 8192
SWITCH = (
    "TESTAMENT_CAPTURE_ALLOW_PRIVATE=1 or capture_allow_private = true in the configuration file"
)


class CaptureUnavailable(Exception):
    """The capture could not run this time (Chromium crashed, packaging failed): worth another try."""


def _checked_url(instance: Instance, url: str) -> str:
    url = url.strip()
    if not url or len(url) > MAX_URL or any(ord(c) < 32 for c in url):
        raise InvalidInput(
            "the URL is empty, too long or holds control characters",
            where="url",
            hint="give one http:// or https:// address",
            errors={"url": "invalid"},
        )
    # The capture engine (and Playwright behind it) loads only when a capture is asked for.
    from testament.pipeline.capture.guard import CaptureRefused, check_url  # noqa: PLC0415

    try:
        check_url(url, allow_private=instance.settings.capture_allow_private)
    except CaptureRefused as exc:
        raise InvalidInput(
            str(exc), where="url", hint="check the address", errors={"url": str(exc)}
        ) from None
    return url


def request_capture(instance: Instance, url: str, *, case_name: str) -> CaptureView:
    """Record a request to capture ``url`` into case ``case_name`` and enqueue it; refuses a URL that
    may not be captured before anything is written. The policy is asked first, so a refused person's
    URL is never even looked up."""
    with read_transaction(instance.engine) as connection:
        policy.require(connection, instance, Action.DOCUMENT, case=case_name)
    checked = _checked_url(instance, url)
    capture_id = new_id()
    now = utc_timestamp()
    with write_transaction(instance.engine) as connection:
        case_id = policy.require(connection, instance, Action.DOCUMENT, case=case_name)
        if case_id is None:  # pragma: no cover - a named case always has an ID
            raise NotFound("no case has this name", where=case_name)
        agent = acting_agent(connection)
        row = {
            "id": capture_id,
            "case_id": case_id,
            "requested_url": checked,
            "requested_by": agent,
            "requested_at": now,
        }
        queries.insert_capture(connection, row)
        enqueue(
            connection, [NewJob("capture", case_id, capture_id=capture_id, reason="capture")], agent
        )
    return CaptureView(capture_id, case_id, checked, now, "queued")


def capture_view(instance: Instance, capture_id: str) -> CaptureView:
    """A capture and its state, for whoever may read its case."""
    with read_transaction(instance.engine) as connection:
        row = queries.capture(connection, capture_id)
        if row is None:
            raise NotFound("no capture has this ID", where=capture_id)
        policy.require(connection, instance, Action.READ, case=row.case_id)
        job = queries.capture_job(connection, capture_id)
        digest = (
            queries.item_labels(connection, [row.item_id]).get(row.item_id) if row.item_id else None
        )
    return to_view(row, job, None if digest is None else digest[3])


def to_view(row: queries.CaptureRow, job: queries.JobRow | None, sha256: str | None) -> CaptureView:
    state = job.state if job is not None else ("done" if row.item_id else "queued")
    return CaptureView(
        id=row.id,
        case_id=row.case_id,
        requested_url=row.requested_url,
        requested_at=row.requested_at,
        state=state,
        item_id=row.item_id,
        sha256=sha256,
        complete=row.complete,
        incomplete_reason=row.incomplete_reason,
        final_url=row.final_url,
        redirects=row.redirects,
        started_at=row.started_at,
        finished_at=row.finished_at,
        http_status=row.http_status,
        tool=row.tool,
        tool_version=row.tool_version,
        user_agent=row.user_agent,
        error=None if job is None else job.last_error,
    )


def run_capture(instance: Instance, job: queries.JobRow) -> None:
    """The capture job: capture, store the WACZ as evidence, record what the capture recorded."""
    from testament.pipeline.capture import (  # noqa: PLC0415 - see _checked_url
        CaptureFailed,
        CaptureOptions,
        CaptureRefused,
        capture,
    )

    with read_transaction(instance.engine) as connection:
        row = queries.capture(connection, job.capture_id or "")
    if row is None:
        raise NotFound("no capture has this ID", where=job.capture_id)
    if row.item_id is not None:
        return  # stored by an earlier attempt that stopped before its job was marked done
    options = CaptureOptions(
        timeout_s=float(instance.settings.capture_timeout_s),
        allow_private=instance.settings.capture_allow_private,
    )
    with tempfile.TemporaryDirectory(prefix="capture-", dir=work_root(instance)) as tmp:
        try:
            result = capture(row.requested_url, Path(tmp) / "work", options)
        except CaptureRefused as exc:
            raise InvalidInput(str(exc), where="url", hint=f"to allow it, set {SWITCH}") from None
        except CaptureFailed as exc:
            raise CaptureUnavailable(exc.reason) from None
        _store(instance, row, result)


def _metadata(result: CaptureResult) -> dict[str, object]:
    return {
        "requested_url": result.requested_url,
        "final_url": result.final_url,
        "redirects": result.redirects,
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "complete": result.complete,
        "incomplete_reason": result.incomplete_reason,
        "http_status": result.status,
        "tool": result.tool,
        "tool_version": result.tool_version,
        "user_agent": result.user_agent,
        "warc_sha256": result.warc_sha256,
        "screenshot_sha256": result.screenshot_sha256,
        "html_sha256": result.html_sha256,
        "dom_sha256": result.dom_sha256,
    }


def _store(instance: Instance, row: queries.CaptureRow, result: CaptureResult) -> None:
    capture_id = row.id
    case_id = row.case_id
    with result.wacz.open("rb") as handle:
        staged = instance.blobs.stage(handle, durable=False, group=secrets.token_hex(8))
    staged.commit(durable=False)
    instance.blobs.sync()
    described = _metadata(result)
    blob = DerivedBlob(
        sha256=staged.digest,
        size=staged.size,
        name=f"capture-{capture_id[:8]}.wacz",
        media_type="application/wacz",
        source=f"capture:{capture_id}",
        event_type=CustodyEventType.CAPTURE,
        detail={
            "object": "web capture",
            "capture_id": capture_id,
            "complete": result.complete,
            "http_status": result.status,
            "tool": result.tool,
            "tool_version": result.tool_version,
            "metadata_sha256": hashlib.sha256(canonical_json(described)).hexdigest(),
        },
    )
    with write_transaction(instance.engine) as connection:
        lock_log(connection)
        agent = row.requested_by
        (item_id,) = record_derived(connection, case_id=case_id, agent_id=agent, blobs=[blob])
        queries.update_capture(
            connection,
            capture_id,
            {
                "item_id": item_id,
                "final_url": result.final_url,
                "redirects": json.dumps(result.redirects),
                "started_at": result.started_at,
                "finished_at": result.finished_at,
                "complete": result.complete,
                "incomplete_reason": result.incomplete_reason,
                "http_status": result.status,
                "tool": result.tool,
                "tool_version": result.tool_version,
                "user_agent": result.user_agent,
            },
        )
        enqueue(
            connection,
            [NewJob("process", case_id, item_id=item_id, reason="capture")],
            software_agent(connection, AGENT),
        )
        log.sign_checkpoint(
            connection, instance.record.log_origin, instance.signer, utc_timestamp()
        )
