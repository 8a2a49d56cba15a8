"""Evidence items' links to incidents, and their verification on the Berkeley Protocol's three axes.

Items themselves are ingested (``testament ingest``); here they are linked, unlinked, assessed and shown.
"""

from __future__ import annotations

import base64
import mimetypes
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from testament.api import uploads
from testament.api.bodies import Body, ExpectedVersion, Text
from testament.api.deps import OPERATOR_PURPOSE, Limit, Offset, Purpose, instance, page
from testament.api.fields import as_fields
from testament.api.models import Page, answer
from testament.custody import access_log, ingest
from testament.custody.instance import Instance
from testament.documentation import evidence, item_uses
from testament.documentation.results import EvidenceItem, EvidenceListed, ItemUses
from testament.domain.access import Action
from testament.domain.display import ascii_name, download_name, shown
from testament.errors import InvalidInput, PermissionDenied
from testament.http.auth import Principal, Who
from testament.http.guard import allow
from testament.survivors import testimony

router = APIRouter(tags=["evidence"])
INLINE_KINDS = ("image", "video", "audio")
Inst = Annotated[Instance, Depends(instance)]
FIELDS = {
    "--relevance": "relevance",
    "--axis": "axis",
    "--status": "status",
    "--method": "method",
    "--date": "assessed_on",
    "--note": "note",
}


MEDIA_HELP = (
    f"Only one kind of media: {', '.join(evidence.MEDIA_KINDS)} (a document: any other type)."
)
LINKED_HELP = "Only the items linked to an incident (true) or to none (false)."


class UploadIn(BaseModel):
    filename: str = Field("upload.bin", max_length=1000, description="The file's name (made safe).")
    source: str | None = Field(None, max_length=2000, description="Where the file came from.")


class LinkIn(Body):
    incident_id: str = Field(min_length=1, description="An incident of the item's case.")
    relevance: Text = Field(min_length=1, description="Why the item matters to the incident.")
    source_id: str | None = Field(None, description="The source the item came from.")


class AssessmentIn(Body):
    axis: str = Field(description=f"One of {', '.join(evidence.AXES)}.")
    status: str = Field(min_length=1, description="A verification-status code.")
    method: Text = Field(min_length=1, description="How it was assessed.")
    assessed_on: str | None = Field(None, description="YYYY-MM-DD; default today (UTC).")
    note: Text = ""


@router.post("/cases/{case_name}/evidence", status_code=201)
async def upload(
    case_name: str, request: Request, params: Annotated[UploadIn, Query()], inst: Inst, who: Who
) -> dict[str, Any]:
    """Ingest the request body as one evidence file of the case.

    The body streams straight into the vault, hashed and encrypted on the way, never held in memory
    and never copied anywhere else, then is recorded as `testament ingest` records a file. Over the
    configured limit it gets 413 and nothing is kept. The same content under the same name is
    ingested once per case.
    """
    await run_in_threadpool(allow, inst, who, Action.DOCUMENT, case=case_name)
    original = uploads.original_name(params.filename, "upload.bin")
    name = uploads.safe_name(params.filename, "upload.bin")
    body = uploads.BodyReader(request, inst.settings.max_upload_bytes)
    result = await run_in_threadpool(
        partial(
            ingest.ingest_stream,
            inst,
            body,  # type: ignore[arg-type]
            name=original,
            case_name=case_name,
            recorded_as=f"upload:{name}",
            source_note=params.source,
        )
    )
    if result.status not in ("stored", "linked", "already-ingested"):
        raise InvalidInput(
            f"the upload was not ingested: {result.reason}", errors={"body": result.status}
        )
    return {"ok": True, "item": {"id": result.item_id, "name": original,
            "shown_name": shown(original), "sha256": result.sha256, "size": result.size,
            "status": result.status}}  # fmt: skip


@router.get("/cases/{case_name}/evidence", response_model=Page[EvidenceListed])
def list_items(  # noqa: PLR0917 - the query's parameters
    case_name: str,
    inst: Inst,
    limit: Limit = 100,
    offset: Offset = 0,
    media: Annotated[str, Query(max_length=40, description=MEDIA_HELP)] = "",
    linked: Annotated[bool | None, Query(description=LINKED_HELP)] = None,
    tag: Annotated[str, Query(max_length=256, description="Only the items with this tag.")] = "",
) -> dict[str, Any]:
    """A page of the case's evidence items, newest first, with how many incidents each is linked to.
    Listing opens nothing, so it is not an ``access`` event; opening an item is."""
    found = evidence.list_for_case(inst, case_name, limit=limit + 1, offset=offset,
                                   media=media or None, linked=linked, tag=tag or None)  # fmt: skip
    return page(found, limit, offset)


@router.get(
    "/evidence/{item_id}", response_model=answer("item", EvidenceItem, access_log_index=int)
)
def show(item_id: str, inst: Inst, who: Who, stated: Purpose) -> dict[str, Any]:
    """The item's record. Opening it is an ``access`` event in the custody log, with your purpose."""
    # Asked here: the access log checks the purpose before the policy, and a refusal comes first.
    allow(inst, who, Action.READ, kind="evidence", record_id=item_id)
    index = access_log.item_opened(inst, item_id, "view", _purpose(who, stated))
    return {"ok": True, "item": evidence.show(inst, item_id), "access_log_index": index}


@router.get("/evidence/{item_id}/uses", response_model=answer("uses", ItemUses))
def uses(item_id: str, inst: Inst) -> dict[str, Any]:
    """Where the item is used: the incidents it is linked to (with the relevance), the elements of
    crimes it supports or contradicts, and the packages it went into, within the cases you may read.
    It names the item's records, never its content, so it is not an ``access`` event."""
    return {"ok": True, "uses": item_uses.uses(inst, item_id)}


@router.get("/evidence/{item_id}/content", response_class=StreamingResponse)
def download(  # noqa: PLR0917 - the query's parameters
    item_id: str,
    inst: Inst,
    who: Who,
    stated: Purpose,
    inline: Annotated[
        bool, Query(description="Show an image, video or sound in the page.")
    ] = False,
    access: Annotated[
        int | None,
        Query(
            ge=0,
            le=2**62,
            description="Instead of a purpose: the log entry of your own recent "
            "view of this item, whose purpose applies (the pages use this).",
        ),
    ] = None,
) -> StreamingResponse:
    """The item's bytes, streamed from the vault and checked against its SHA-256 on the way.

    The ``Repr-Digest`` header (RFC 9530) carries the digest for the client to check too. If the stored
    copy fails the check, the connection is cut before the end, so no damaged copy looks complete.
    Downloading (or, with ``inline``, viewing) is an ``access`` event in the custody log, with your
    purpose. Only images, video and sound are ever shown inline, and never with script.
    """
    allow(inst, who, Action.READ, kind="evidence", record_id=item_id)
    allow_recording(inst, who, item_id, stated)
    item = evidence.show(inst, item_id)
    media = str(item.media_type or "application/octet-stream")
    inline_shown = inline and media.split("/", maxsplit=1)[0] in INLINE_KINDS
    chunks = access_log.stream_item(inst, item.sha256)
    action = "view" if inline_shown else "download"
    if access is not None:
        access_log.item_reopened(inst, item_id, action, access)
    else:
        access_log.item_opened(inst, item_id, action, _purpose(who, stated))
    # Named as it was ingested, with any bidirectional control shown (docs/web.md, "Names as shown").
    name = download_name(item.original_name, item_id + (mimetypes.guess_extension(media) or ".bin"))
    digest = base64.b64encode(bytes.fromhex(item.sha256)).decode()
    disposition = "inline" if inline_shown else "attachment"
    headers = {
        "Content-Length": str(item.size),
        "Content-Disposition": (
            f"{disposition}; filename=\"{ascii_name(name)}\"; filename*=UTF-8''{quote(name)}"
        ),
        "Repr-Digest": f"sha-256=:{digest}:",
        "X-Content-Type-Options": "nosniff",
        # Evidence is content from the world: whatever it is, it never runs in Testament's origin.
        "Content-Security-Policy": "sandbox; default-src 'none'",
    }
    return StreamingResponse(
        chunks, media_type=media if inline_shown else "application/octet-stream", headers=headers
    )


def allow_recording(inst: Instance, who: Principal, item_id: str, stated: str | None) -> None:
    """A testimony's recording is the person's words: its bytes need what the words need
    (``reveal-identity``, as ``GET /interviews/{id}?reveal=true``); a refusal is logged as one on the
    words, against the testimony."""
    held = testimony.recorded_in(inst, item_id)
    if held is None:
        return
    try:
        allow(inst, who, Action.REVEAL_IDENTITY, kind="evidence", record_id=item_id)
    except PermissionDenied:
        testimony.refused(inst, held, stated)
        raise


def _purpose(who: Principal, stated: str | None) -> str:
    if who.actor is None and not stated:
        return OPERATOR_PURPOSE
    return stated or ""


@router.post("/evidence/{item_id}/links", status_code=201)
def link(item_id: str, body: LinkIn, inst: Inst, who: Who) -> dict[str, Any]:
    # Asked here: the use case checks the relevance's text before the policy, and names a hidden item
    # with its own hint; the guard's refusal comes first, as it always has.
    allow(inst, who, Action.DOCUMENT, kind="evidence", record_id=item_id)
    allow(inst, who, Action.DOCUMENT, kind="incident", record_id=body.incident_id)
    with as_fields(FIELDS):
        new_id = evidence.link(
            inst, item_id, body.incident_id, body.relevance, source_id=body.source_id
        )
    return {"ok": True, "id": new_id}


@router.delete("/evidence-links/{link_id}")
def unlink(link_id: str, inst: Inst, expected_version: ExpectedVersion = None) -> dict[str, Any]:
    return {
        "ok": True,
        "version": evidence.unlink(inst, link_id, expected_version=expected_version),
    }


@router.post("/evidence/{item_id}/assessments", status_code=201)
def assess(item_id: str, body: AssessmentIn, inst: Inst, who: Who) -> dict[str, Any]:
    # Asked here: the use case checks the axis, status and date before the policy.
    allow(inst, who, Action.ANALYSE, kind="evidence", record_id=item_id)
    with as_fields(FIELDS):
        new_id = evidence.assess(inst, item_id, **body.model_dump())
    return {"ok": True, "id": new_id}
