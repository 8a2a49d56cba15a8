"""Incidents, their casualty figures and relations.

The use cases ask the policy themselves; the records and cases named in a path were checked before (the
guard's ``hide_unseen``), so these routes call no guard of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, create_model

from testament.api.bodies import MAX_COUNT, ExpectedVersion, Text, VersionField
from testament.api.deps import OPERATOR_PURPOSE, Limit, Offset, Purpose, instance, page
from testament.api.models import Page, answer
from testament.api.routes.records import Created, Version, bodies
from testament.custody import access_log
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.documentation import timeline as timelines
from testament.documentation.kinds import INCIDENT
from testament.documentation.record_views import IncidentListed, IncidentView
from testament.http.auth import Who

router = APIRouter(tags=["incidents"])
BOX = "An area drawn on a map: west,south,east,north in degrees."
POLYGON = "An area drawn on a map: its corners as lon,lat;lon,lat;… (three or more)."
Inst = Annotated[Instance, Depends(instance)]


class IncidentFields(BaseModel):
    """An incident's body: a field sent as null is a field not sent."""

    def given(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class IncidentChanges(IncidentFields):
    expected_version: VersionField = None


if TYPE_CHECKING:
    IncidentIn = IncidentFields
    IncidentPatch = IncidentChanges
else:
    IncidentIn, IncidentPatch = bodies(
        INCIDENT, base=IncidentFields, patch_base=IncidentChanges, case=str, absent_as_null=True
    )
Made = answer("incident", IncidentView)
Shown = create_model("IncidentShown", __base__=Made, access_log_index=(int | None, ...))


class Timeline(BaseModel):
    ok: bool = True
    items: list[incidents.TimelineMonth]


class CasualtyIn(BaseModel):
    category: str
    count: int = Field(ge=0, le=MAX_COUNT)
    qualifier: str = "exact"
    source_id: str | None = None
    note: Text = ""


class RelationIn(BaseModel):
    related_id: str
    relation: str
    note: Text = ""


@router.post("/incidents", status_code=201, response_model=Made)
def create(body: IncidentIn, inst: Inst) -> dict[str, Any]:
    given = body.given()
    case = given.pop("case")
    new_id = incidents.create(inst, case, incidents.IncidentInput(**given))
    return {"ok": True, "incident": incidents.show(inst, new_id)}


@router.get("/incidents", response_model=Page[IncidentListed])
def list_incidents(  # noqa: PLR0917 - FastAPI passes the query's fields
    inst: Inst,
    case: Annotated[str, Query(description="Case name or ID.")],
    limit: Limit = 100,
    offset: Offset = 0,
    status: Annotated[str | None, Query(max_length=64, description="Incident status.")] = None,
    date_from: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD.")] = None,
    label: Annotated[str | None, Query(max_length=64, description="A sensitivity label.")] = None,
    bbox: Annotated[str | None, Query(max_length=200, description=BOX)] = None,
    polygon: Annotated[str | None, Query(max_length=10_000, description=POLYGON)] = None,
) -> dict[str, Any]:
    """A page of the case's incidents in date order, optionally narrowed."""
    only = incidents.ListFilter(status, date_from, date_to, label, bbox, polygon)
    rows = incidents.list_for_case(inst, case, limit=limit + 1, offset=offset, only=only)
    return page(rows, limit, offset)


@router.get("/cases/{case_name}/timeline", response_model=Timeline)
def timeline(case_name: str, inst: Inst) -> dict[str, Any]:
    """How many of the case's incidents began in each month."""
    return {"ok": True, "items": incidents.timeline(inst, case_name)}


@router.get("/cases/{case_name}/timeline/spans", response_class=JSONResponse)
def timeline_spans(  # noqa: PLR0917 - FastAPI passes the query's fields
    case_name: str,
    inst: Inst,
    status: Annotated[str | None, Query(max_length=64, description="Incident status.")] = None,
    label: Annotated[str | None, Query(max_length=64, description="A sensitivity label.")] = None,
    bbox: Annotated[str | None, Query(max_length=200, description=BOX)] = None,
    polygon: Annotated[str | None, Query(max_length=10_000, description=POLYGON)] = None,
) -> JSONResponse:
    """The case's dated incidents as columns for a timeline: ``start`` and ``end`` (days since
    1970-01-01), ``vague`` (1 where the date is a month, a year or a range), and the ``undated`` count."""
    only = incidents.ListFilter(status=status, label=label, bbox=bbox, polygon=polygon)
    return JSONResponse(timelines.spans(inst, case_name, only).as_json())


@router.get("/cases/{case_name}/map", response_class=JSONResponse)
def map_data(  # noqa: PLR0917 - FastAPI passes the query's fields
    case_name: str,
    inst: Inst,
    bbox: Annotated[
        str | None, Query(max_length=120, description="The view: west,south,east,north in degrees.")
    ] = None,
    zoom: Annotated[int, Query(ge=0, le=incidents.MAP_MAX_ZOOM, description="The map's zoom.")] = 6,
    within: Annotated[str | None, Query(max_length=200, description="Only in: " + BOX)] = None,
    polygon: Annotated[str | None, Query(max_length=10_000, description=POLYGON)] = None,
    date_from: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD.")] = None,
    date_to: Annotated[str | None, Query(max_length=10, description="YYYY-MM-DD.")] = None,
) -> JSONResponse:
    """The case's incidents with coordinates as GeoJSON: points, or clusters with a ``count`` when more
    than 2,000 are in view (``clustered`` says which). Give the view's ``bbox`` and ``zoom`` to get only
    what is on screen, clustered for that zoom; ``within`` or ``polygon`` (an area drawn on the map) and
    the dates narrow them as the list is narrowed."""
    view = None if bbox is None else incidents.MapView.parse(bbox, zoom)
    only = incidents.ListFilter(date_from=date_from, date_to=date_to, bbox=within, polygon=polygon)
    # Plain JSON values already: skipping FastAPI's encoder halves the time at 100k points.
    return JSONResponse(incidents.map_points(inst, case_name, view, only=only).as_json())


@router.get("/incidents/{incident_id}", response_model=Shown)
def show(incident_id: str, inst: Inst, who: Who, stated: Purpose) -> dict[str, Any]:
    """The incident. Viewing one with sensitivity labels is an ``access`` event, with your purpose."""
    purpose = stated or (OPERATOR_PURPOSE if who.actor is None else None)
    index = access_log.sensitive_record_viewed(inst, incident_id, purpose or "")
    return {"ok": True, "incident": incidents.show(inst, incident_id), "access_log_index": index}


@router.patch("/incidents/{incident_id}", response_model=Version)
def edit(incident_id: str, body: IncidentPatch, inst: Inst) -> dict[str, Any]:
    changes = body.given()
    changes.pop("expected_version", None)
    version = incidents.edit(inst, incident_id, changes, expected_version=body.expected_version)
    return {"ok": True, "version": version}


@router.delete("/incidents/{incident_id}", response_model=Version)
def delete(
    incident_id: str, inst: Inst, expected_version: ExpectedVersion = None
) -> dict[str, Any]:
    return {
        "ok": True,
        "version": incidents.delete(inst, incident_id, expected_version=expected_version),
    }


@router.post("/incidents/{incident_id}/casualties", status_code=201, response_model=Created)
def add_casualty(incident_id: str, body: CasualtyIn, inst: Inst) -> dict[str, Any]:
    new_id = incidents.add_casualty(inst, incident_id, **body.model_dump())
    return {"ok": True, "id": new_id}


@router.post("/incidents/{incident_id}/relations", status_code=201, response_model=Created)
def relate(incident_id: str, body: RelationIn, inst: Inst) -> dict[str, Any]:
    new_id = incidents.relate(inst, incident_id, body.related_id, body.relation, body.note)
    return {"ok": True, "id": new_id}
