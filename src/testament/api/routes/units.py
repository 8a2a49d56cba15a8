"""Units: their hierarchy and names, commanders over time, involvement in incidents, and placements
(where a unit was, and when).

Wherever a path takes ``{unit}``, it may be the unit's ID, its name or one of its aliases. The use cases
ask the policy themselves, so these routes call no guard of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from testament.api.bodies import Body, ExpectedVersion, Line, Name, Text
from testament.api.deps import Limit, Offset, instance, page
from testament.api.fields import as_fields
from testament.api.models import Page, answer
from testament.api.routes.records import AliasIn, Created, PatchBody, Version, bodies
from testament.custody.instance import Instance
from testament.documentation import placements, units
from testament.documentation.kinds import UNIT
from testament.documentation.record_views import Placement, UnitListed, UnitView

router = APIRouter(tags=["units"])
Inst = Annotated[Instance, Depends(instance)]
FIELDS = {
    "--degree": "degree",
    "--note": "note",
    "--name": "name",
    "--rank": "rank",
    "--from": "from_date",
    "--to": "to_date",
    "--area": "area",
    "--area, --at": "area",
    "--at": "latitude",
    "--radius-m": "radius_m",
    "--source": "source_text",
    "--reason": "reason",
}
if TYPE_CHECKING:
    UnitIn = Body
    UnitPatch = PatchBody
else:
    UnitIn, UnitPatch = bodies(UNIT, absent_as_null=True)
Shown = answer("unit", UnitView)


class CommanderIn(Body):
    name: Name = Field(description="The commander's name as documented.")
    rank: Text = ""
    person_id: str | None = None
    from_date: str = Field("", description="YYYY-MM-DD, YYYY-MM or YYYY; empty if unknown.")
    to_date: str = ""
    note: Text = ""


class PlacementIn(Body):
    """An area, or a point with a radius; the period's ends may be empty (unknown)."""

    area: str | None = Field(
        None, min_length=1, max_length=500, description="An area's code, name or alternative name."
    )
    latitude: float | None = Field(
        None, description="WGS 84 latitude, with longitude and radius_m."
    )
    longitude: float | None = None
    radius_m: float | None = Field(None, description="Metres around the point; more than 0.")
    from_date: str = Field("", description="First day present: YYYY-MM-DD, YYYY-MM or YYYY.")
    to_date: str = Field("", description="Last day present, in the same forms.")
    note: Text = ""
    source_text: Line = Field("", description="Where the presence is documented.")


class PlacementsAnswer(BaseModel):
    ok: bool = True
    items: list[Placement]


class InvolvementIn(Body):
    incident_id: str = Field(min_length=1)
    degree: str = Field(min_length=1, description="A degrees-of-involvement code.")
    note: Text = ""


@router.post("/units", status_code=201, response_model=Shown)
def create(body: UnitIn, inst: Inst) -> dict[str, Any]:
    given = body.model_dump(exclude_none=True)
    new_id = units.create(inst, given.pop("name"), **given)
    return {"ok": True, "unit": units.show(inst, new_id)}


@router.get("/units", response_model=Page[UnitListed])
def list_units(inst: Inst, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    return page(units.list_units(inst, limit=limit + 1, offset=offset), limit, offset)


@router.get("/units/{unit}", response_model=Shown)
def show(unit: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "unit": units.show(inst, unit)}


@router.patch("/units/{unit}", response_model=Version)
def edit(unit: str, body: UnitPatch, inst: Inst) -> dict[str, Any]:
    version = units.edit(inst, unit, body.given(), expected_version=body.expected_version)
    return {"ok": True, "version": version}


@router.delete("/units/{unit}", response_model=Version)
def delete(unit: str, inst: Inst, expected_version: ExpectedVersion = None) -> dict[str, Any]:
    return {"ok": True, "version": units.delete(inst, unit, expected_version=expected_version)}


@router.post("/units/{unit}/aliases", response_model=Version)
def add_alias(unit: str, body: AliasIn, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "version": units.add_alias(inst, unit, body.name, body.script, body.lang)}


@router.post("/units/{unit}/commanders", status_code=201, response_model=Created)
def add_commander(unit: str, body: CommanderIn, inst: Inst) -> dict[str, Any]:
    with as_fields(FIELDS):
        new_id = units.add_commander(inst, unit, **body.model_dump())
    return {"ok": True, "id": new_id}


@router.post("/units/{unit}/involvements", status_code=201, response_model=Created)
def involve(unit: str, body: InvolvementIn, inst: Inst) -> dict[str, Any]:
    with as_fields(FIELDS):
        new_id = units.involve(inst, unit, body.incident_id, body.degree, body.note)
    return {"ok": True, "id": new_id}


@router.post("/units/{unit}/placements", status_code=201, response_model=Created)
def place(unit: str, body: PlacementIn, inst: Inst) -> dict[str, Any]:
    with as_fields(FIELDS):
        new_id = placements.place(inst, unit, **body.model_dump())
    return {"ok": True, "id": new_id}


@router.get("/units/{unit}/placements", response_model=PlacementsAnswer)
def list_placements(unit: str, inst: Inst) -> dict[str, Any]:
    """Where the unit was and when (its presence timeline), by start date."""
    return {"ok": True, "items": placements.placements(inst, unit)}


@router.delete("/unit-placements/{placement_id}", response_model=Version)
def unplace(
    placement_id: str,
    inst: Inst,
    reason: Annotated[str, Query(min_length=1, max_length=2000, description="Why it is removed.")],
) -> dict[str, Any]:
    with as_fields(FIELDS):
        return {"ok": True, "version": placements.unplace(inst, placement_id, reason)}
