"""Sources of information, and the incidents each reports on."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from testament.api.bodies import Body, ExpectedVersion, Name, Text, VersionField
from testament.api.deps import Limit, Offset, instance, page
from testament.api.fields import as_fields
from testament.custody.instance import Instance
from testament.documentation import sources
from testament.domain.access import Action
from testament.http.auth import Who
from testament.http.guard import allow

router = APIRouter(tags=["sources"])
Inst = Annotated[Instance, Depends(instance)]
FIELDS = {
    "--kind": "kind",
    "--title": "title",
    "--url": "url",
    "--reference": "reference",
    "--published": "published_at",
    "--description": "description",
    "--note": "note",
}
PUBLISHED = "YYYY-MM-DD, YYYY-MM, YYYY or an ISO time with a zone; kept at that precision."


class SourceIn(Body):
    case: str = Field(min_length=1, description="Case name or ID.")
    kind: str = Field(min_length=1, description="A source-types code.")
    title: Name
    url: str | None = Field(None, description="An http(s) address; required for kind url.")
    reference: Text = ""
    published_at: str = Field("", description=PUBLISHED)
    description: Text = ""


class SourcePatch(Body):
    kind: str | None = None
    title: Name | None = None
    url: str | None = Field(None, description="null removes the address.")
    reference: Text | None = None
    published_at: str | None = Field(None, description=PUBLISHED)
    description: Text | None = None
    expected_version: VersionField = None


class IncidentLinkIn(Body):
    incident_id: str = Field(min_length=1)
    note: Text = Field("", description="What the source says about the incident.")


@router.post("/sources", status_code=201)
def create(body: SourceIn, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT, case=body.case)
    given = body.model_dump()
    case = given.pop("case")
    with as_fields(FIELDS):
        new_id = sources.create(inst, case, **given)
    return {"ok": True, "source": sources.show(inst, new_id)}


@router.get("/sources")
def list_sources(
    inst: Inst,
    who: Who,
    case: Annotated[str, Query(description="Case name or ID.")],
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    allow(inst, who, Action.READ, case=case)
    return page(sources.list_for_case(inst, case, limit=limit + 1, offset=offset), limit, offset)


@router.get("/sources/{source_id}")
def show(source_id: str, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.READ, kind="source", record_id=source_id)
    return {"ok": True, "source": sources.show(inst, source_id)}


@router.patch("/sources/{source_id}")
def edit(source_id: str, body: SourcePatch, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT, kind="source", record_id=source_id)
    with as_fields(FIELDS):
        version = sources.edit(
            inst, source_id, body.given(), expected_version=body.expected_version
        )
    return {"ok": True, "version": version}


@router.delete("/sources/{source_id}")
def delete(
    source_id: str, inst: Inst, who: Who, expected_version: ExpectedVersion = None
) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT, kind="source", record_id=source_id)
    return {
        "ok": True,
        "version": sources.delete(inst, source_id, expected_version=expected_version),
    }


@router.post("/sources/{source_id}/incidents", status_code=201)
def link_incident(source_id: str, body: IncidentLinkIn, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT, kind="source", record_id=source_id)
    allow(inst, who, Action.DOCUMENT, kind="incident", record_id=body.incident_id)
    with as_fields(FIELDS):
        new_id = sources.link_incident(inst, source_id, body.incident_id, body.note)
    return {"ok": True, "id": new_id}
