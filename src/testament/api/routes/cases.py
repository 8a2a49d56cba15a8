"""Cases and situations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from testament.api.deps import instance
from testament.services import cases
from testament.services.instance import Instance

router = APIRouter(tags=["cases"])
Inst = Annotated[Instance, Depends(instance)]


class CaseIn(BaseModel):
    name: str = Field(min_length=1, max_length=500)
    situation: str | None = None


class SituationIn(BaseModel):
    name: str = Field(min_length=1, max_length=500)
    conflict: str
    starts_on: str | None = None
    ends_on: str | None = None
    amendments: list[str] = []
    description: str = ""


class SituationOfCase(BaseModel):
    situation: str


@router.get("/cases")
def list_cases(inst: Inst) -> dict[str, Any]:
    return {"ok": True, "items": [c.as_json() for c in cases.list_cases(inst)]}


@router.post("/cases", status_code=201)
def create_case(body: CaseIn, inst: Inst) -> dict[str, Any]:
    case_id = cases.create_case(inst, body.name, situation_name=body.situation)
    return {"ok": True, "id": case_id}


@router.put("/cases/{case_name}/situation")
def set_situation(case_name: str, body: SituationOfCase, inst: Inst) -> dict[str, Any]:
    cases.assign_situation(inst, case_name, body.situation)
    return {"ok": True}


@router.get("/situations")
def list_situations(inst: Inst) -> dict[str, Any]:
    return {"ok": True, "items": cases.list_situations(inst)}


@router.post("/situations", status_code=201)
def create_situation(body: SituationIn, inst: Inst) -> dict[str, Any]:
    values = cases.situation_values(
        body.name,
        conflict=body.conflict,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        amendments=body.amendments,
        description=body.description,
    )
    return {"ok": True, "id": cases.create_situation(inst, values)}
