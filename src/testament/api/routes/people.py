"""People in a case, by label only, and the roles they hold in incidents.

The use cases ask the policy themselves; the records named in a path were checked before (the guard's
``hide_unseen``), so these routes call no guard of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from testament.api.bodies import Body, ExpectedVersion, Text
from testament.api.deps import Limit, Offset, instance, page
from testament.api.fields import as_fields
from testament.api.models import Page, answer
from testament.api.routes.records import Created, PatchBody, Version, bodies
from testament.custody.instance import Instance
from testament.documentation import people
from testament.documentation.kinds import PERSON
from testament.documentation.record_views import PersonListed, PersonView

router = APIRouter(tags=["people"])
Inst = Annotated[Instance, Depends(instance)]
FIELDS = {"--role": "role", "--note": "note"}
if TYPE_CHECKING:
    PersonIn = Body
    PersonPatch = PatchBody
else:
    PersonIn, PersonPatch = bodies(PERSON)
Shown = answer("person", PersonView)


class RoleIn(Body):
    incident_id: str = Field(min_length=1)
    role: str = Field(min_length=1, description="A person-roles code.")
    note: Text = ""


@router.post("/people", status_code=201, response_model=Shown)
def create(body: PersonIn, inst: Inst) -> dict[str, Any]:
    given = body.model_dump()
    case = given.pop("case")
    new_id = people.create(inst, case, **given)
    return {"ok": True, "person": people.show(inst, new_id)}


@router.get("/people", response_model=Page[PersonListed])
def list_people(
    inst: Inst,
    case: Annotated[str, Query(description="Case name or ID.")],
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    return page(people.list_for_case(inst, case, limit=limit + 1, offset=offset), limit, offset)


@router.get("/people/{person_id}", response_model=Shown)
def show(person_id: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "person": people.show(inst, person_id)}


@router.patch("/people/{person_id}", response_model=Version)
def edit(person_id: str, body: PersonPatch, inst: Inst) -> dict[str, Any]:
    version = people.edit(inst, person_id, body.given(), expected_version=body.expected_version)
    return {"ok": True, "version": version}


@router.delete("/people/{person_id}", response_model=Version)
def delete(person_id: str, inst: Inst, expected_version: ExpectedVersion = None) -> dict[str, Any]:
    return {
        "ok": True,
        "version": people.delete(inst, person_id, expected_version=expected_version),
    }


@router.post("/people/{person_id}/roles", status_code=201, response_model=Created)
def add_role(person_id: str, body: RoleIn, inst: Inst) -> dict[str, Any]:
    with as_fields(FIELDS):
        new_id = people.add_role(inst, person_id, body.incident_id, body.role, body.note)
    return {"ok": True, "id": new_id}


@router.delete("/person-roles/{role_id}", response_model=Version)
def remove_role(
    role_id: str, inst: Inst, expected_version: ExpectedVersion = None
) -> dict[str, Any]:
    return {
        "ok": True,
        "version": people.remove_role(inst, role_id, expected_version=expected_version),
    }
