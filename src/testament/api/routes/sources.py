"""Sources of information, and the incidents each reports on.

The use cases ask the policy themselves; the records named in a path were checked before (the guard's
``hide_unseen``), so these routes call no guard of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from testament.api.bodies import Body, ExpectedVersion, Text
from testament.api.deps import Limit, Offset, instance, page
from testament.api.models import Page, answer
from testament.api.routes.records import Created, PatchBody, Version, bodies, named_as_fields
from testament.custody.instance import Instance
from testament.documentation import sources
from testament.documentation.kinds import SOURCE
from testament.documentation.record_views import SourceListed, SourceView

router = APIRouter(tags=["sources"])
Inst = Annotated[Instance, Depends(instance)]
if TYPE_CHECKING:
    SourceIn = Body
    SourcePatch = PatchBody
else:
    SourceIn, SourcePatch = bodies(SOURCE)
Shown = answer("source", SourceView)


class IncidentLinkIn(Body):
    incident_id: str = Field(min_length=1)
    note: Text = Field("", description="What the source says about the incident.")


@router.post("/sources", status_code=201, response_model=Shown)
def create(body: SourceIn, inst: Inst) -> dict[str, Any]:
    given = body.model_dump()
    case = given.pop("case")
    with named_as_fields(SOURCE):
        new_id = sources.create(inst, case, **given)
    return {"ok": True, "source": sources.show(inst, new_id)}


@router.get("/sources", response_model=Page[SourceListed])
def list_sources(
    inst: Inst,
    case: Annotated[str, Query(description="Case name or ID.")],
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    return page(sources.list_for_case(inst, case, limit=limit + 1, offset=offset), limit, offset)


@router.get("/sources/{source_id}", response_model=Shown)
def show(source_id: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "source": sources.show(inst, source_id)}


@router.patch("/sources/{source_id}", response_model=Version)
def edit(source_id: str, body: SourcePatch, inst: Inst) -> dict[str, Any]:
    with named_as_fields(SOURCE):
        version = sources.edit(
            inst, source_id, body.given(), expected_version=body.expected_version
        )
    return {"ok": True, "version": version}


@router.delete("/sources/{source_id}", response_model=Version)
def delete(source_id: str, inst: Inst, expected_version: ExpectedVersion = None) -> dict[str, Any]:
    return {
        "ok": True,
        "version": sources.delete(inst, source_id, expected_version=expected_version),
    }


@router.post("/sources/{source_id}/incidents", status_code=201, response_model=Created)
def link_incident(source_id: str, body: IncidentLinkIn, inst: Inst) -> dict[str, Any]:
    with named_as_fields(SOURCE, **{"--note": "note"}):
        new_id = sources.link_incident(inst, source_id, body.incident_id, body.note)
    return {"ok": True, "id": new_id}
