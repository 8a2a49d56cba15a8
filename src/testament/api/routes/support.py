"""Support for survivors (MC-05): the directory of services, needs, referrals, follow-ups, closing a case.

The directory is shared reference data: anyone signed in may read it, and a documenter on any case may
add to it. Needs and referrals belong to a person's case: a documenter records them, anyone who may
read the case sees them by area and status, and the notes (sealed; they may hold health details) come
back only to a documenter who states a purpose, which is recorded. Closing and reopening a case is a
coordinator's. The use cases ask the policy themselves; only the import of a file asks the guard
first, before the file is received.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from testament.api import uploads
from testament.api.bodies import Body, Name, Text
from testament.api.deps import Purpose, instance
from testament.api.fields import as_fields
from testament.api.models import Items, answer
from testament.custody import cases
from testament.custody.instance import Instance
from testament.domain.access import Action
from testament.http.auth import Who
from testament.http.guard import allow, visible_cases
from testament.survivors import directory, referrals
from testament.survivors.results import (
    FollowUp,
    NeedView,
    NeedWithNote,
    ReferralView,
    ServiceView,
    UrgentNeed,
)

router = APIRouter(tags=["support"])
Inst = Annotated[Instance, Depends(instance)]
Short = Annotated[str, Field(max_length=200)]
Code = Annotated[str, Field(min_length=1, max_length=48)]
Day = Annotated[str, Field(max_length=10, description="YYYY-MM-DD")]
SERVICE_FIELDS = {
    "NAME": "name",
    "--area": "areas",
    "--region": "region",
    "--contact": "contact",
    "--language": "languages",
}
NEED_FIELDS = {"--area": "area", "--urgency": "urgency", "--note": "note"}
REFERRAL_FIELDS = {"--service": "service", "--follow-up": "follow_up_due", "--status": "status"}


class ServiceIn(Body):
    name: Name
    areas: list[Code] = Field(min_length=1, max_length=10, description="support-areas codes.")
    region: Name
    contact: Annotated[str, Field(min_length=1, max_length=1000)]
    languages: list[Short] = Field(default_factory=list, max_length=20)


class NeedIn(Body):
    area: Code = Field(description="A support-areas code.")
    urgency: Code = Field(description="urgent, soon, routine or none.")
    note: Text = Field("", description="Sealed with the person's key; never logged or indexed.")


class NeedsIn(Body):
    needs: list[NeedIn] = Field(min_length=1, max_length=10)


class ReferralIn(Body):
    service: Name = Field(description="The service's ID or name.")
    follow_up_due: Day | None = None


class ReferralPatch(Body):
    status: Code | None = Field(None, description="A referral-status code.")
    follow_up_due: Day | None = Field(None, description="null removes the follow-up date.")


def _today(on: str | None) -> date:
    if on is None:
        return datetime.now(UTC).date()
    return date.fromisoformat(referrals.check_day(on, "on"))


@router.get("/services", response_model=Items[ServiceView])
def list_services(
    inst: Inst,
    area: Annotated[str | None, Query(max_length=48)] = None,
    region: Annotated[str | None, Query(max_length=500)] = None,
) -> dict[str, Any]:
    with as_fields({"--area": "area"}):
        return {"ok": True, "items": directory.list_services(inst, area=area, region=region)}


@router.post("/services", status_code=201)
def add_service(body: ServiceIn, inst: Inst) -> dict[str, Any]:
    with as_fields(SERVICE_FIELDS):
        new_id = directory.add_service(
            inst, body.name, body.areas, body.region, body.contact, languages=body.languages
        )
    return {"ok": True, "id": new_id}


@router.post("/services/import", status_code=201)
async def import_services(request: Request, inst: Inst, who: Who) -> dict[str, Any]:
    """Add every service of the CSV file sent as the request body, all or nothing."""
    # Asked here: refused before the file is received.
    await run_in_threadpool(allow, inst, who, Action.DOCUMENT)
    async with uploads.received(
        request, "services.csv", limit=inst.settings.max_upload_bytes
    ) as path:
        ids = await run_in_threadpool(directory.import_services, inst, path)
    return {"ok": True, "ids": ids}


@router.post("/people/{person_id}/needs", status_code=201)
def add_needs(person_id: str, body: NeedsIn, inst: Inst) -> dict[str, Any]:
    needs = [referrals.NeedInput(n.area, n.urgency, n.note) for n in body.needs]
    with as_fields(NEED_FIELDS):
        return {"ok": True, "ids": referrals.assess_needs(inst, person_id, needs)}


@router.get("/people/{person_id}/needs", response_model=Items[NeedView | NeedWithNote])
def list_needs(person_id: str, inst: Inst, purpose: Purpose = None) -> dict[str, Any]:
    """The person's needs and referrals; with a purpose, a documenter also gets the notes."""
    found = referrals.needs_for_person(inst, person_id, purpose=purpose)
    return {"ok": True, "items": found}


@router.post("/needs/{need_id}/addressed")
def mark_addressed(need_id: str, inst: Inst) -> dict[str, Any]:
    referrals.mark_addressed(inst, need_id)
    return {"ok": True}


@router.post("/needs/{need_id}/referrals", status_code=201)
def refer(need_id: str, body: ReferralIn, inst: Inst) -> dict[str, Any]:
    with as_fields(REFERRAL_FIELDS):
        new_id = referrals.refer(inst, need_id, body.service, follow_up_due=body.follow_up_due)
    return {"ok": True, "id": new_id}


@router.patch("/referrals/{referral_id}", response_model=answer("referral", ReferralView))
def update_referral(referral_id: str, body: ReferralPatch, inst: Inst) -> dict[str, Any]:
    clear = "follow_up_due" in body.model_fields_set and body.follow_up_due is None
    with as_fields(REFERRAL_FIELDS):
        updated = referrals.update_referral(
            inst, referral_id, body.status, body.follow_up_due, clear_follow_up=clear
        )
    return {"ok": True, "referral": updated}


@router.get("/follow-ups", response_model=Items[FollowUp])
def all_follow_ups(
    inst: Inst, who: Who, on: Annotated[str | None, Query(max_length=10)] = None
) -> dict[str, Any]:
    """Follow-ups due in every case you may read."""
    today = _today(on)
    found = referrals.follow_ups_due(inst, visible_cases(inst, who), today)
    return {"ok": True, "items": found}


@router.get("/cases/{case_name}/follow-ups", response_model=Items[FollowUp])
def follow_ups(
    case_name: str, inst: Inst, on: Annotated[str | None, Query(max_length=10)] = None
) -> dict[str, Any]:
    """Referrals to follow up (date today or past, not completed) and urgent needs with none pending."""
    found = referrals.due_for_case(inst, case_name, _today(on))
    return {"ok": True, "items": found}


@router.get("/cases/{case_name}/urgent-needs", response_model=Items[UrgentNeed])
def urgent_needs(case_name: str, inst: Inst) -> dict[str, Any]:
    """The case's unaddressed urgent needs: what keeps it from closing."""
    return {"ok": True, "items": referrals.urgent_needs(inst, case_name)}


@router.post("/cases/{case_name}/close")
def close_case(case_name: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "closed_at": cases.close_case(inst, case_name)}


@router.post("/cases/{case_name}/reopen")
def reopen_case(case_name: str, inst: Inst) -> dict[str, Any]:
    cases.reopen_case(inst, case_name)
    return {"ok": True}
