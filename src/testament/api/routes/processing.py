"""Processing and web capture over the API, as the pages and the CLI do them (docs/api.md,
"Processing and capture"): what processing found on an item, its text, its possible near-duplicates,
the jobs and their progress, processing a case again, and asking for and following a web capture.

Reading an item's processing or its text opens the item, so it is an ``access`` event in the custody log
with your purpose, as ``GET /evidence/{id}`` is. Every rule is the use cases'
(:mod:`testament.pipeline.service`, :mod:`testament.pipeline.captures`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from testament.api.deps import OPERATOR_PURPOSE, Purpose, instance
from testament.api.models import Items, answer
from testament.api.routes.evidence import allow_recording
from testament.custody import access_log
from testament.custody.instance import Instance
from testament.errors import NotFound
from testament.http.auth import Principal, Who
from testament.pipeline import captures, registry, service
from testament.pipeline.results import (
    CaptureView,
    Duplicate,
    JobView,
    ProcessingView,
    Progress,
    ReprocessReport,
    TextSpanView,
)

router = APIRouter(tags=["processing and capture"])
Inst = Annotated[Instance, Depends(instance)]
CaseQuery = Annotated[str | None, Query(max_length=500, description="Only this case's jobs.")]


class ReprocessIn(BaseModel):
    kinds: list[Annotated[str, Field(max_length=32)]] = Field(
        [],
        max_length=len(registry.KINDS),
        description=f"Only these kinds of processing ({', '.join(registry.KINDS)}); none: all.",
    )


class CaptureIn(BaseModel):
    url: str = Field(max_length=captures.MAX_URL, description="An http:// or https:// address.")


def _opened(inst: Instance, who: Principal, item_id: str, stated: str | None) -> int:
    """Record the opening of the item, with the caller's purpose; its log index."""
    purpose = OPERATOR_PURPOSE if who.actor is None and not stated else stated or ""
    return access_log.item_opened(inst, item_id, "view", purpose)


@router.get(
    "/evidence/{item_id}/processing",
    response_model=answer("processing", ProcessingView, access_log_index=int),
)
def processing(item_id: str, inst: Inst, who: Who, stated: Purpose) -> dict[str, Any]:
    """What processing found on the item: metadata per kind (or why it failed), the suggested
    location (from the file; never verified), the text's length, content credentials, derivatives with
    the tool, version and parameters that made them, what it was derived from, and its jobs."""
    index = _opened(inst, who, item_id, stated)
    found = service.item_processing(inst, item_id)
    return {"ok": True, "processing": found, "access_log_index": index}


@router.get(
    "/evidence/{item_id}/text",
    response_model=answer("text", list[TextSpanView], hits=list[TextSpanView]),
)
def text(
    item_id: str,
    inst: Inst,
    who: Who,
    stated: Purpose,
    q: Annotated[str, Query(max_length=500, description="Words to find: where they are.")] = "",
) -> dict[str, Any]:
    """The text found in the item, span by span with where it is (``page N``, ``image``,
    ``member PATH``); with ``q``, the spans holding all its words, as snippets."""
    allow_recording(inst, who, item_id, stated)  # a recording's words: as for its bytes
    _opened(inst, who, item_id, stated)
    spans = service.item_text(inst, item_id)
    hits = service.text_hits(inst, item_id, q) if q.strip() else []
    return {"ok": True, "text": spans, "hits": hits}


@router.get("/evidence/{item_id}/duplicates", response_model=Items[Duplicate])
def duplicates(
    item_id: str,
    inst: Inst,
    max_distance: Annotated[
        int | None,
        Query(ge=0, le=256, description="Largest PDQ distance in bits (of 256); default 31."),
    ] = None,
) -> dict[str, Any]:
    """Possible near-duplicates in the cases you may read, nearest first, each with its distance:
    an analysis aid, never an integrity proof."""
    return {"ok": True, "items": service.duplicates(inst, item_id, max_distance=max_distance)}


@router.get("/jobs", response_model=Items[JobView])
def jobs(inst: Inst, case: CaseQuery = None, failed: bool = False) -> dict[str, Any]:
    """The latest processing and capture jobs of the cases you may read, newest first."""
    return {"ok": True, "items": service.list_jobs(inst, case_name=case, failed_only=failed)}


@router.get("/jobs/progress", response_model=answer("progress", Progress))
def progress(inst: Inst, case: CaseQuery = None) -> dict[str, Any]:
    """How many jobs are queued, running, done and failed."""
    return {"ok": True, "progress": service.progress(inst, case_name=case)}


@router.post(
    "/cases/{case_name}/reprocess",
    status_code=202,
    response_model=answer("report", ReprocessReport),
)
def reprocess(case_name: str, body: ReprocessIn, inst: Inst) -> dict[str, Any]:
    """Queue processing again for every item of the case (a documenter's)."""
    report = service.reprocess(inst, case_name=case_name, kinds=body.kinds or None)
    return {"ok": True, "report": report}


@router.post(
    "/cases/{case_name}/captures", status_code=202, response_model=answer("capture", CaptureView)
)
def capture(case_name: str, body: CaptureIn, inst: Inst) -> dict[str, Any]:
    """Ask for a web capture into the case (a documenter's); follow it at ``GET /captures/{id}``.
    A private or loopback address is refused unless the instance allows it."""
    return {"ok": True, "capture": captures.request_capture(inst, body.url, case_name=case_name)}


@router.get("/captures/{capture_id}", response_model=answer("capture", CaptureView))
def capture_state(capture_id: str, inst: Inst) -> dict[str, Any]:
    """A capture: its state and, once stored, the WACZ item and what the capture recorded."""
    try:
        found = captures.capture_view(inst, capture_id)
    except NotFound:  # one answer for a capture that does not exist and one of a hidden case
        raise NotFound("no capture has this ID", where=capture_id) from None
    return {"ok": True, "capture": found}
