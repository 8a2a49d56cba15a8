"""Units: their hierarchy and names, commanders over time, and involvement in incidents.

Wherever a path takes ``{unit}``, it may be the unit's ID, its name or one of its aliases.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import Field

from testament.api.bodies import Body, ExpectedVersion, Name, Text, VersionField
from testament.api.deps import Limit, Offset, instance, page
from testament.api.fields import as_fields
from testament.custody.instance import Instance
from testament.documentation import units
from testament.domain.access import Action
from testament.http.auth import Who
from testament.http.guard import allow

router = APIRouter(tags=["units"])
Inst = Annotated[Instance, Depends(instance)]
FIELDS = {
    "--degree": "degree",
    "--note": "note",
    "--name": "name",
    "--rank": "rank",
    "--from": "from_date",
    "--to": "to_date",
}
Script = Annotated[
    str, Field(pattern=units.SCRIPT.pattern, description="ISO 15924 script: Cyrl, Latn …")
]
Language = Annotated[
    str | None, Field(pattern=units.LANGUAGE.pattern, description="BCP 47 tag: uk, ru, en-GB …")
]


class AliasIn(Body):
    name: Name
    script: Script
    lang: Language = None


class UnitFields(Body):
    kind: Text | None = None
    country: Text | None = None
    description: Text | None = None
    parent: str | None = Field(None, description="The parent unit's ID, name or alias.")


class UnitIn(UnitFields):
    name: Name
    aliases: list[AliasIn] = Field(default_factory=list)


class UnitPatch(UnitFields):
    name: Name | None = None
    aliases: list[AliasIn] | None = Field(None, description="Replaces every alias.")
    expected_version: VersionField = None


class CommanderIn(Body):
    name: Name = Field(description="The commander's name as documented.")
    rank: Text = ""
    person_id: str | None = None
    from_date: str = Field("", description="YYYY-MM-DD, YYYY-MM or YYYY; empty if unknown.")
    to_date: str = ""
    note: Text = ""


class InvolvementIn(Body):
    incident_id: str = Field(min_length=1)
    degree: str = Field(min_length=1, description="A degrees-of-involvement code.")
    note: Text = ""


@router.post("/units", status_code=201)
def create(body: UnitIn, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT)
    given = body.model_dump(exclude_none=True)
    new_id = units.create(inst, given.pop("name"), **given)
    return {"ok": True, "unit": units.show(inst, new_id)}


@router.get("/units")
def list_units(inst: Inst, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    return page(units.list_units(inst, limit=limit + 1, offset=offset), limit, offset)


@router.get("/units/{unit}")
def show(unit: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "unit": units.show(inst, unit)}


@router.patch("/units/{unit}")
def edit(unit: str, body: UnitPatch, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT)
    version = units.edit(inst, unit, body.given(), expected_version=body.expected_version)
    return {"ok": True, "version": version}


@router.delete("/units/{unit}")
def delete(
    unit: str, inst: Inst, who: Who, expected_version: ExpectedVersion = None
) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT)
    return {"ok": True, "version": units.delete(inst, unit, expected_version=expected_version)}


@router.post("/units/{unit}/aliases")
def add_alias(unit: str, body: AliasIn, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT)
    return {"ok": True, "version": units.add_alias(inst, unit, body.name, body.script, body.lang)}


@router.post("/units/{unit}/commanders", status_code=201)
def add_commander(unit: str, body: CommanderIn, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT)
    with as_fields(FIELDS):
        new_id = units.add_commander(inst, unit, **body.model_dump())
    return {"ok": True, "id": new_id}


@router.post("/units/{unit}/involvements", status_code=201)
def involve(unit: str, body: InvolvementIn, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT, kind="incident", record_id=body.incident_id)
    with as_fields(FIELDS):
        new_id = units.involve(inst, unit, body.incident_id, body.degree, body.note)
    return {"ok": True, "id": new_id}
