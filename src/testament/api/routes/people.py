"""People in a case, by label only, and the roles they hold in incidents."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from testament.api.bodies import Body, ExpectedVersion, Name, Text, VersionField
from testament.api.deps import Limit, Offset, instance, page
from testament.api.fields import as_fields
from testament.custody.instance import Instance
from testament.documentation import people
from testament.domain.access import Action
from testament.http.auth import Who
from testament.http.guard import allow

router = APIRouter(tags=["people"])
Inst = Annotated[Instance, Depends(instance)]
FIELDS = {"--role": "role", "--note": "note"}


class PersonIn(Body):
    case: str = Field(min_length=1, description="Case name or ID.")
    label: Name = Field(description="A pseudonym, or a public figure's public name.")
    description: Text = ""


class PersonPatch(Body):
    label: Name | None = None
    description: Text | None = None
    expected_version: VersionField = None


class RoleIn(Body):
    incident_id: str = Field(min_length=1)
    role: str = Field(min_length=1, description="A person-roles code.")
    note: Text = ""


@router.post("/people", status_code=201)
def create(body: PersonIn, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT, case=body.case)
    new_id = people.create(inst, body.case, body.label, body.description)
    return {"ok": True, "person": people.show(inst, new_id)}


@router.get("/people")
def list_people(
    inst: Inst,
    who: Who,
    case: Annotated[str, Query(description="Case name or ID.")],
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    allow(inst, who, Action.READ, case=case)
    return page(people.list_for_case(inst, case, limit=limit + 1, offset=offset), limit, offset)


@router.get("/people/{person_id}")
def show(person_id: str, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.READ, kind="person", record_id=person_id)
    return {"ok": True, "person": people.show(inst, person_id)}


@router.patch("/people/{person_id}")
def edit(person_id: str, body: PersonPatch, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT, kind="person", record_id=person_id)
    version = people.edit(inst, person_id, body.given(), expected_version=body.expected_version)
    return {"ok": True, "version": version}


@router.delete("/people/{person_id}")
def delete(
    person_id: str, inst: Inst, who: Who, expected_version: ExpectedVersion = None
) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT, kind="person", record_id=person_id)
    return {
        "ok": True,
        "version": people.delete(inst, person_id, expected_version=expected_version),
    }


@router.post("/people/{person_id}/roles", status_code=201)
def add_role(person_id: str, body: RoleIn, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT, kind="person", record_id=person_id)
    allow(inst, who, Action.DOCUMENT, kind="incident", record_id=body.incident_id)
    with as_fields(FIELDS):
        new_id = people.add_role(inst, person_id, body.incident_id, body.role, body.note)
    return {"ok": True, "id": new_id}


@router.delete("/person-roles/{role_id}")
def remove_role(
    role_id: str, inst: Inst, who: Who, expected_version: ExpectedVersion = None
) -> dict[str, Any]:
    allow(inst, who, Action.DOCUMENT, kind="person_role", record_id=role_id)
    return {
        "ok": True,
        "version": people.remove_role(inst, role_id, expected_version=expected_version),
    }
