"""Cases and situations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from testament.accounts import accounts
from testament.api.deps import instance
from testament.api.models import answer
from testament.custody import cases
from testament.custody.instance import Instance
from testament.custody.results import CaseSummary, SituationView
from testament.domain.access import Action
from testament.http.auth import Who
from testament.http.guard import allow, visible_cases

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


class CaseList(BaseModel):
    """The cases you may see, by name."""

    model_config = ConfigDict(from_attributes=True)

    ok: bool = True
    items: list[CaseSummary]


class SituationList(BaseModel):
    """The situations, by name."""

    model_config = ConfigDict(from_attributes=True)

    ok: bool = True
    items: list[SituationView]


Created = answer("id", str)


@router.get("/cases", response_model=CaseList)
def list_cases(inst: Inst, who: Who) -> CaseList:
    """The cases you may see."""
    visible = visible_cases(inst, who)
    return CaseList(items=[c for c in cases.list_cases(inst) if visible is None or c.id in visible])


@router.post("/cases", status_code=201, response_model=Created)
def create_case(body: CaseIn, inst: Inst, who: Who) -> dict[str, Any]:
    """Create a case. A coordinator who creates one becomes its coordinator."""
    if who.user_id is None or (who.actor is not None and who.actor.is_admin):
        case_id = cases.create_case(inst, body.name, situation_name=body.situation)
    else:
        case_id = accounts.create_case_for(
            inst, who.user_id, body.name, situation_name=body.situation
        )
    return {"ok": True, "id": case_id}


@router.put("/cases/{case_name}/situation")
def set_situation(case_name: str, body: SituationOfCase, inst: Inst, who: Who) -> dict[str, Any]:
    cases.assign_situation(inst, case_name, body.situation)
    return {"ok": True}


@router.get("/situations", response_model=SituationList)
def list_situations(inst: Inst) -> SituationList:
    return SituationList(items=cases.list_situations(inst))


@router.post("/situations", status_code=201, response_model=Created)
def create_situation(body: SituationIn, inst: Inst, who: Who) -> dict[str, Any]:
    # Asked here as well as in the use case: the fields are checked before the use case is called,
    # and one who may not create situations is refused before being told what is wrong with them.
    allow(inst, who, Action.MANAGE_CASE)
    values = cases.situation_values(
        body.name,
        conflict=body.conflict,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        amendments=body.amendments,
        description=body.description,
    )
    return {"ok": True, "id": cases.create_situation(inst, values)}
