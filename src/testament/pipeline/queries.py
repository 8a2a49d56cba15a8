"""The pipeline's SQL: jobs and their states, what extractors found, derivatives, perceptual hashes and
web captures."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from testament.storage import bulk, recordings
from testament.storage.jobs import DONE, FAILED, QUEUED, RUNNING
from testament.storage.tables import (
    case,
    evidence_item,
    item_derivative,
    item_extraction,
    item_text,
    perceptual_hash,
    processing_job,
    web_capture,
)


@dataclass(frozen=True)
class JobRow:
    id: str
    task: str
    case_id: str
    item_id: str | None
    capture_id: str | None
    kinds: tuple[str, ...] | None
    state: str
    attempts: int
    run_after: str
    enqueued_at: str
    started_at: str | None
    finished_at: str | None
    last_error: str | None
    reason: str


def _job(row: Any) -> JobRow:
    kinds = None if row.kinds is None else tuple(json.loads(row.kinds))
    return JobRow(
        str(row.id),
        str(row.task),
        str(row.case_id),
        row.item_id,
        row.capture_id,
        kinds,
        str(row.state),
        int(row.attempts),
        str(row.run_after),
        str(row.enqueued_at),
        row.started_at,
        row.finished_at,
        row.last_error,
        str(row.reason),
    )


def job(connection: Connection, job_id: str) -> JobRow | None:
    row = connection.execute(select(processing_job).where(processing_job.c.id == job_id)).first()
    return None if row is None else _job(row)


def next_due(connection: Connection, now: str) -> str | None:
    """The oldest queued job whose time has come (the embedded queue)."""
    found = connection.execute(
        select(processing_job.c.id)
        .where(processing_job.c.state == QUEUED, processing_job.c.run_after <= now)
        .order_by(processing_job.c.run_after, processing_job.c.enqueued_at, processing_job.c.id)
        .limit(1)
    ).scalar()
    return None if found is None else str(found)


def claim(connection: Connection, job_id: str, now: str) -> bool:
    """Mark a queued job running (one more attempt); False when another worker has it."""
    done = connection.execute(
        update(processing_job)
        .where(processing_job.c.id == job_id, processing_job.c.state == QUEUED)
        .values(state=RUNNING, started_at=now, attempts=processing_job.c.attempts + 1)
    )
    return done.rowcount == 1


def finish(
    connection: Connection,
    job_id: str,
    *,
    state: str,
    now: str,
    error: str | None = None,
    run_after: str | None = None,
) -> None:
    """Record a job's outcome: done, failed, or queued again for ``run_after`` (a retry)."""
    values: dict[str, Any] = {"state": state, "last_error": error}
    if state in (DONE, FAILED):
        values["finished_at"] = now
    if run_after is not None:
        values["run_after"] = run_after
    connection.execute(update(processing_job).where(processing_job.c.id == job_id).values(values))


def jobs(
    connection: Connection,
    *,
    case_ids: set[str] | None,
    item_id: str | None = None,
    failed_only: bool = False,
    limit: int = 200,
) -> list[JobRow]:
    query = select(processing_job)
    if case_ids is not None:
        query = query.where(processing_job.c.case_id.in_(sorted(case_ids)))
    if item_id is not None:
        query = query.where(processing_job.c.item_id == item_id)
    if failed_only:
        query = query.where(processing_job.c.state == FAILED)
    query = query.order_by(processing_job.c.enqueued_at.desc(), processing_job.c.id).limit(limit)
    return [_job(row) for row in connection.execute(query)]


def job_counts(connection: Connection, case_ids: set[str] | None) -> dict[str, int]:
    """How many jobs are in each state (of these cases)."""
    query = select(processing_job.c.state, func.count()).group_by(processing_job.c.state)
    if case_ids is not None:
        query = query.where(processing_job.c.case_id.in_(sorted(case_ids)))
    return {str(state): int(n) for state, n in connection.execute(query)}


@dataclass(frozen=True)
class ItemRow:
    id: str
    case_id: str
    sha256: str
    size: int
    name: str
    media_type: str
    mtime: str
    recording: bool
    depth: int


def item(connection: Connection, item_id: str) -> ItemRow | None:
    row = connection.execute(
        select(
            evidence_item.c.id,
            evidence_item.c.case_id,
            evidence_item.c.sha256,
            evidence_item.c.size,
            evidence_item.c.original_name,
            evidence_item.c.media_type,
            evidence_item.c.mtime,
            item_derivative.c.depth,
        )
        .outerjoin(item_derivative, item_derivative.c.item_id == evidence_item.c.id)
        .where(evidence_item.c.id == item_id)
    ).first()
    if row is None:
        return None
    return ItemRow(
        str(row.id),
        str(row.case_id),
        str(row.sha256),
        int(row.size),
        str(row.original_name),
        str(row.media_type),
        str(row.mtime),
        item_id in recordings.recording_of(connection, [item_id]),
        int(row.depth or 0),
    )


def case_item_ids(connection: Connection, case_id: str) -> list[str]:
    """The case's items that are not derivatives (those are remade from their parents)."""
    query = (
        select(evidence_item.c.id)
        .outerjoin(item_derivative, item_derivative.c.item_id == evidence_item.c.id)
        .where(
            evidence_item.c.case_id == case_id,
            (item_derivative.c.item_id.is_(None)) | (item_derivative.c.role == "member"),
        )
        .order_by(evidence_item.c.ingested_at, evidence_item.c.id)
    )
    return [str(i) for i in connection.execute(query).scalars()]


def case_id_named(connection: Connection, name: str) -> str | None:
    found = connection.execute(select(case.c.id).where(case.c.name == name)).scalar()
    return None if found is None else str(found)


def extraction_versions(connection: Connection, item_id: str) -> dict[str, tuple[str, str]]:
    """Kind → (status, extractor version) of what already ran on an item."""
    rows = connection.execute(
        select(
            item_extraction.c.kind, item_extraction.c.status, item_extraction.c.extractor_version
        ).where(item_extraction.c.item_id == item_id)
    )
    return {str(r.kind): (str(r.status), str(r.extractor_version)) for r in rows}


def save_extraction(connection: Connection, row: dict[str, Any]) -> None:
    """Insert or replace the result of one kind on one item."""
    connection.execute(
        delete(item_extraction).where(
            item_extraction.c.item_id == row["item_id"], item_extraction.c.kind == row["kind"]
        )
    )
    connection.execute(insert(item_extraction).values(row))


def replace_text(connection: Connection, item_id: str, spans: Sequence[dict[str, Any]]) -> None:
    connection.execute(delete(item_text).where(item_text.c.item_id == item_id))
    bulk.insert_many(connection, item_text, [{"item_id": item_id, **s} for s in spans])


def replace_hashes(connection: Connection, item_id: str, rows: Sequence[dict[str, Any]]) -> None:
    connection.execute(delete(perceptual_hash).where(perceptual_hash.c.item_id == item_id))
    for row in rows:
        connection.execute(insert(perceptual_hash).values(item_id=item_id, **row))


def insert_derivatives(connection: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Link derived items to their parent (an item already linked keeps its first link)."""
    known = set(
        connection.execute(
            select(item_derivative.c.item_id).where(
                item_derivative.c.item_id.in_([r["item_id"] for r in rows])
            )
        ).scalars()
    )
    fresh = [r for r in rows if r["item_id"] not in known]
    bulk.insert_many(connection, item_derivative, fresh)


@dataclass(frozen=True)
class ExtractionRow:
    kind: str
    status: str
    tool: str
    tool_version: str
    parameters: dict[str, Any]
    result: dict[str, Any]
    result_sha256: str | None
    text_length: int
    error: str | None
    extracted_at: str


def extractions(connection: Connection, item_id: str) -> list[ExtractionRow]:
    rows = connection.execute(
        select(item_extraction)
        .where(item_extraction.c.item_id == item_id)
        .order_by(item_extraction.c.kind)
    )
    return [
        ExtractionRow(
            str(r.kind),
            str(r.status),
            str(r.tool),
            str(r.tool_version),
            json.loads(r.parameters),
            json.loads(r.result) if r.result else {},
            r.result_sha256,
            int(r.text_length),
            r.error,
            str(r.extracted_at),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class DerivativeRow:
    item_id: str
    parent_id: str
    parent_sha256: str
    role: str
    tool: str
    tool_version: str
    parameters: dict[str, Any]
    name: str
    sha256: str
    media_type: str
    size: int


def _derivative_query() -> Any:
    return select(
        item_derivative,
        evidence_item.c.original_name,
        evidence_item.c.sha256,
        evidence_item.c.media_type,
        evidence_item.c.size,
    ).join(evidence_item, evidence_item.c.id == item_derivative.c.item_id)


def _derivative(r: Any) -> DerivativeRow:
    return DerivativeRow(
        str(r.item_id),
        str(r.parent_id),
        str(r.parent_sha256),
        str(r.role),
        str(r.tool),
        str(r.tool_version),
        json.loads(r.parameters),
        str(r.original_name),
        str(r.sha256),
        str(r.media_type),
        int(r.size),
    )


def derivatives_of(connection: Connection, parent_id: str) -> list[DerivativeRow]:
    query = _derivative_query().where(item_derivative.c.parent_id == parent_id)
    rows = connection.execute(query.order_by(item_derivative.c.role, evidence_item.c.original_name))
    return [_derivative(r) for r in rows]


def derived_from(connection: Connection, item_id: str) -> DerivativeRow | None:
    row = connection.execute(
        _derivative_query().where(item_derivative.c.item_id == item_id)
    ).first()
    return None if row is None else _derivative(row)


def previews(connection: Connection, parent_ids: Sequence[str]) -> dict[str, str]:
    """Each parent's first thumbnail, keyframe or page preview: parent ID → preview item ID."""
    if not parent_ids:
        return {}
    rows = connection.execute(
        select(item_derivative.c.parent_id, item_derivative.c.item_id, item_derivative.c.parameters)
        .where(
            item_derivative.c.parent_id.in_(list(parent_ids)),
            item_derivative.c.role.in_(("thumbnail", "keyframe", "preview")),
        )
        .order_by(
            item_derivative.c.parent_id, item_derivative.c.role.desc(), item_derivative.c.item_id
        )
    )
    found: dict[str, tuple[float, str]] = {}
    for r in rows:
        second = float(json.loads(r.parameters).get("second", 0) or 0)
        best = found.get(str(r.parent_id))
        if best is None or second < best[0]:
            found[str(r.parent_id)] = (second, str(r.item_id))
    return {parent: item_id for parent, (_s, item_id) in found.items()}


def texts(connection: Connection, item_id: str) -> list[tuple[str, int | None, str]]:
    rows = connection.execute(
        select(item_text.c.location, item_text.c.page, item_text.c.body)
        .where(item_text.c.item_id == item_id)
        .order_by(item_text.c.seq)
    )
    return [(str(r.location), r.page, str(r.body)) for r in rows]


@dataclass(frozen=True)
class HashRow:
    id: int
    item_id: str
    case_id: str
    position: float
    value: bytes


def hashes_after(connection: Connection, after_id: int) -> list[HashRow]:
    """Every PDQ hash with a row ID above ``after_id`` (the index loads what it has not seen)."""
    rows = connection.execute(
        select(
            perceptual_hash.c.id,
            perceptual_hash.c.item_id,
            evidence_item.c.case_id,
            perceptual_hash.c.position,
            perceptual_hash.c.value,
        )
        .join(evidence_item, evidence_item.c.id == perceptual_hash.c.item_id)
        .where(perceptual_hash.c.id > after_id, perceptual_hash.c.algorithm == "pdq")
        .order_by(perceptual_hash.c.id)
    )
    return [
        HashRow(int(r.id), str(r.item_id), str(r.case_id), float(r.position), bytes(r.value))
        for r in rows
    ]


def item_hashes(connection: Connection, item_id: str) -> list[tuple[float, bytes]]:
    rows = connection.execute(
        select(perceptual_hash.c.position, perceptual_hash.c.value)
        .where(perceptual_hash.c.item_id == item_id, perceptual_hash.c.algorithm == "pdq")
        .order_by(perceptual_hash.c.position)
    )
    return [(float(r.position), bytes(r.value)) for r in rows]


def item_labels(connection: Connection, ids: Sequence[str]) -> dict[str, tuple[str, str, str, str]]:
    """ID → (case ID, name, media type, digest)."""
    if not ids:
        return {}
    rows = connection.execute(
        select(
            evidence_item.c.id,
            evidence_item.c.case_id,
            evidence_item.c.original_name,
            evidence_item.c.media_type,
            evidence_item.c.sha256,
        ).where(evidence_item.c.id.in_(list(ids)))
    )
    return {
        str(r.id): (str(r.case_id), str(r.original_name), str(r.media_type), str(r.sha256))
        for r in rows
    }


@dataclass(frozen=True)
class CaptureRow:
    id: str
    case_id: str
    requested_url: str
    requested_by: int
    requested_at: str
    item_id: str | None
    final_url: str | None
    redirects: list[str]
    started_at: str | None
    finished_at: str | None
    complete: bool | None
    incomplete_reason: str | None
    http_status: int | None
    tool: str | None
    tool_version: str | None
    user_agent: str | None


def _capture(r: Any) -> CaptureRow:
    return CaptureRow(
        str(r.id),
        str(r.case_id),
        str(r.requested_url),
        int(r.requested_by),
        str(r.requested_at),
        r.item_id,
        r.final_url,
        json.loads(r.redirects or "[]"),
        r.started_at,
        r.finished_at,
        None if r.complete is None else bool(r.complete),
        r.incomplete_reason,
        r.http_status,
        r.tool,
        r.tool_version,
        r.user_agent,
    )


def insert_capture(connection: Connection, row: dict[str, Any]) -> None:
    connection.execute(insert(web_capture).values(row))


def update_capture(connection: Connection, capture_id: str, values: dict[str, Any]) -> None:
    connection.execute(update(web_capture).where(web_capture.c.id == capture_id).values(values))


def capture(connection: Connection, capture_id: str) -> CaptureRow | None:
    row = connection.execute(select(web_capture).where(web_capture.c.id == capture_id)).first()
    return None if row is None else _capture(row)


def capture_of_item(connection: Connection, item_id: str) -> CaptureRow | None:
    row = connection.execute(select(web_capture).where(web_capture.c.item_id == item_id)).first()
    return None if row is None else _capture(row)


def captures(
    connection: Connection, case_ids: set[str] | None, limit: int = 50
) -> list[tuple[CaptureRow, JobRow | None]]:
    """The latest captures with their jobs, newest first."""
    query = select(web_capture)
    if case_ids is not None:
        query = query.where(web_capture.c.case_id.in_(sorted(case_ids)))
    rows = [
        _capture(r)
        for r in connection.execute(query.order_by(web_capture.c.requested_at.desc()).limit(limit))
    ]
    return [(row, capture_job(connection, row.id)) for row in rows]


def force_running(connection: Connection, job_id: str, now: str) -> None:
    """procrastinate started this job: mark it running, one more attempt (whatever its state said)."""
    connection.execute(
        update(processing_job)
        .where(processing_job.c.id == job_id)
        .values(state=RUNNING, started_at=now, attempts=processing_job.c.attempts + 1)
    )


def capture_job(connection: Connection, capture_id: str) -> JobRow | None:
    row = connection.execute(
        select(processing_job)
        .where(processing_job.c.capture_id == capture_id, processing_job.c.task == "capture")
        .order_by(processing_job.c.enqueued_at.desc())
        .limit(1)
    ).first()
    return None if row is None else _job(row)


def recordings_among(connection: Connection, item_ids: Sequence[str]) -> set[str]:
    """Which of these items are a survivor's recording or derived from one."""
    return set(recordings.recording_of(connection, item_ids))
