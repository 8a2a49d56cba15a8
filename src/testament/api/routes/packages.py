"""Sharing evidence packages over the API, as the pages do (docs/packages.md, "Sharing from the
browser"): preview, ask, a second person decides, the approved package is built, the asker downloads it,
and the disclosure register. Every rule is the use case's (:mod:`testament.packages.sharing`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from testament.api.deps import instance
from testament.api.models import Items, answer
from testament.custody.instance import Instance
from testament.packages import sharing
from testament.packages.create import Narrowing
from testament.packages.results import Preview, RegisterEntry, SharingRequest
from testament.transfer.disclosure import Audience

router = APIRouter(tags=["evidence packages"])
Inst = Annotated[Instance, Depends(instance)]
Ids = Annotated[list[Annotated[str, Field(max_length=36)]], Field(max_length=10_000)]


class ShareIn(BaseModel):
    """Who a package is for and what it holds; no items and no incidents: the whole case."""

    recipient_class: str = Field(max_length=48, description="A recipient-classes code.")
    purpose: str = Field(max_length=48, description="A consent-purposes code.")
    recipient: str = Field(max_length=300, description="The receiving organisation.")
    items: Ids = []
    incidents: Ids = []
    media_types: list[Annotated[str, Field(max_length=16)]] = Field(
        [], max_length=5, description="Keep only files of these kinds: image, video, audio, text …"
    )
    dated_from: str | None = Field(
        None, max_length=10, description="Files dated on or after (YYYY-MM-DD)."
    )
    dated_to: str | None = Field(None, max_length=10, description="Files dated on or before.")

    def chosen(self) -> tuple[Audience, sharing.Selection]:
        audience = Audience(self.recipient_class, self.purpose, self.recipient)
        narrowed = self.media_types or self.dated_from or self.dated_to
        only = (
            Narrowing(tuple(self.media_types), self.dated_from, self.dated_to) if narrowed else None
        )
        return audience, sharing.Selection(tuple(self.items), tuple(self.incidents), only)


class DecisionIn(BaseModel):
    decision: Literal["approve", "refuse"]
    reason: str = Field("", max_length=2000, description="Why, for a refusal (required then).")


@router.post("/cases/{case_name}/packages/preview", response_model=answer("preview", Preview))
def preview(case_name: str, body: ShareIn, inst: Inst) -> dict[str, Any]:
    """What a package would hold, what it would withhold and why, and the size of its originals."""
    return {"ok": True, "preview": sharing.preview(inst, case_name, *body.chosen())}


@router.post("/cases/{case_name}/packages/requests", status_code=201)
def ask(case_name: str, body: ShareIn, inst: Inst) -> dict[str, Any]:
    """Ask for a package to be shared; a coordinator other than you decides."""
    return {"ok": True, "id": sharing.ask(inst, case_name, *body.chosen())}


@router.get("/packages/requests", response_model=Items[SharingRequest])
def requests(inst: Inst) -> dict[str, Any]:
    """The sharing requests of the cases you may read, newest first."""
    return {"ok": True, "items": sharing.requests(inst)}


@router.get("/packages/requests/{request_id}", response_model=answer("request", SharingRequest))
def show(request_id: str, inst: Inst) -> dict[str, Any]:
    """One request, with its state and, while its package is built, its progress."""
    return {"ok": True, "request": sharing.requests(inst, request_id)[0]}


@router.post(
    "/packages/requests/{request_id}/decision",
    response_model=answer("request", SharingRequest),
)
async def decide(request_id: str, body: DecisionIn, inst: Inst) -> dict[str, Any]:
    """Approve (the package is then built, and this answers when it is ready or failed) or refuse."""
    approve = body.decision == "approve"
    await run_in_threadpool(sharing.decide, inst, request_id, approve=approve, reason=body.reason)
    if approve:
        await run_in_threadpool(sharing.build, inst, request_id)
    return {"ok": True, "request": sharing.requests(inst, request_id)[0]}


@router.get("/packages/requests/{request_id}/package", response_class=FileResponse)
def download(request_id: str, inst: Inst) -> FileResponse:
    """The built package, a zip, for the person who asked (a limited number of times)."""
    path, name = sharing.download(inst, request_id)
    return FileResponse(path, media_type="application/zip", filename=name)


@router.get("/disclosures", response_model=Items[RegisterEntry])
def register(inst: Inst) -> dict[str, Any]:
    """The disclosure register: every package shared, and whom to tell of consent withdrawn since."""
    return {"ok": True, "items": sharing.register(inst)}
