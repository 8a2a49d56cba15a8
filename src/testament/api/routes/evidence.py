"""Evidence items' links to incidents, and their verification on the Berkeley Protocol's three axes.

Items themselves are ingested (``testament ingest``); here they are linked, unlinked, assessed and shown.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from testament.api.bodies import Body, ExpectedVersion, Text
from testament.api.deps import instance
from testament.api.fields import as_fields
from testament.services import evidence
from testament.services.instance import Instance

router = APIRouter(tags=["evidence"])
Inst = Annotated[Instance, Depends(instance)]
FIELDS = {
    "--relevance": "relevance",
    "--axis": "axis",
    "--status": "status",
    "--method": "method",
    "--date": "assessed_on",
    "--note": "note",
}


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


@router.get("/evidence/{item_id}")
def show(item_id: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "item": evidence.show(inst, item_id)}


@router.post("/evidence/{item_id}/links", status_code=201)
def link(item_id: str, body: LinkIn, inst: Inst) -> dict[str, Any]:
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
def assess(item_id: str, body: AssessmentIn, inst: Inst) -> dict[str, Any]:
    with as_fields(FIELDS):
        new_id = evidence.assess(inst, item_id, **body.model_dump())
    return {"ok": True, "id": new_id}
