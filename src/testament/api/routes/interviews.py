"""Risk assessments, testimonies and interviewers' training attestations (docs/survivors.md).

Documenters record assessments and testimonies; a supervisor's override of the default ``refer`` needs
the coordinator role; reading a testimony's words needs ``reveal-identity`` and a stated reason, and a
refused attempt is recorded too. Training attestations are for those who manage users. The use cases
ask the policy themselves; a route asks the guard first only where a use case cannot decide in its
place (each says why).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from testament.api.bodies import Body, Name, Text
from testament.api.deps import Purpose, instance
from testament.api.models import Items, answer
from testament.custody.instance import Instance
from testament.domain import interview as rules
from testament.domain.access import Action
from testament.errors import NotFound, PermissionDenied, TestamentError
from testament.http.auth import Principal, Who
from testament.http.guard import allow
from testament.survivors import testimony, training
from testament.survivors.results import (
    AttestationView,
    TestimonyDescribed,
    TestimonyListed,
    TestimonyShown,
)

router = APIRouter(tags=["interviews"])
Inst = Annotated[Instance, Depends(instance)]
# The services name the CLI's options; the API names its body fields.
FIELDS = {
    "--flag": "flags", "--decision": "decision", "--override-reason": "override_reason",
    "--risks-person": "risks_person", "--risks-family": "risks_family",
    "--risks-staff": "risks_staff", "--assessment": "risk_assessment_id",
    "--interviewer": "interviewer", "--started": "started_at", "--ended": "ended_at",
    "--timezone": "timezone", "--place": "place", "--language": "language",
    "--interpreter": "interpreter", "--present": "present", "--contact-via": "contact_via",
    "--account": "account", "--recording": "recording_item_id", "--summary": "summary",
    "--fact": "facts", "--given": "given", "--guardian-consent": "guardian_consent",
    "--child-assent": "child_assent", "--reinterview-justification": "reinterview_justification",
    "--intended-use": "intended_use", "--recipient-class": "intended_recipient",
    "--why-needed": "why_needed",
    "--best-interests": "best_interests",
    "--topic": "topic", "--attested": "attested_on", "--expires": "expires_on",
}  # fmt: skip
Short = Annotated[str, Field(max_length=100)]


@contextlib.contextmanager
def _fields() -> Iterator[None]:
    """Re-raise a service's diagnosis with every field named as the request names it."""
    try:
        yield
    except TestamentError as exc:
        exc.errors = {FIELDS.get(k, k): v for k, v in exc.errors.items()}
        field = FIELDS.get(exc.where or "")
        if field is not None:
            exc.errors.setdefault(field, exc.what)
            exc.where = field
        raise


class RiskIn(Body):
    flags: list[Short] = Field(default=[], max_length=len(rules.FLAGS), description="vulnerability-flags codes.")  # fmt: skip
    risks_person: Text = Field(description="Risks to the person in being interviewed.")
    risks_family: Text = Field(description="Risks to their family and community.")
    risks_staff: Text = Field(description="Risks to the interviewer and staff.")
    decision: Short | None = Field(default=None, description="proceed, defer or refer (default for a flagged person: refer).")  # fmt: skip
    override_reason: Text | None = Field(default=None, description="A supervisor's reason to proceed with a flagged person (coordinator role).")  # fmt: skip


class FactIn(BaseModel):
    statement: Text
    knowledge: Short = Field(description="saw, heard or document (knowledge-sources).")


class InterviewIn(BaseModel):
    """Not a :class:`Body`: its ``given`` is a field here (what was promised or given, CSO-06)."""

    model_config = ConfigDict(extra="forbid")

    risk_assessment_id: Name
    interviewer: Name = Field(description="The interviewer's username.")
    started_at: Short = Field(description="ISO 8601 with its zone.")
    ended_at: Short | None = None
    timezone: Short = Field(description="Local IANA time zone, e.g. Europe/Kyiv.")
    place: Text
    language: Short
    interpreter: Text = ""
    present: list[Text] = Field(default=[], max_length=rules.MAX_PRESENT)
    contact_via: Text
    account: Text | None = Field(default=None, description="The account in the person's words.")
    recording_item_id: Name | None = None
    summary: Text | None = Field(default=None, description="A summary, not the person's words.")
    facts: list[FactIn] = Field(default=[], max_length=rules.MAX_FACTS)
    nothing_promised: bool
    given: Text = ""
    guardian_consent: bool = False
    child_assent: bool = False
    reinterview_justification: Text = ""
    intended_use: Short = Field(default="", description="What it is for (consent-purposes; MC-07).")
    intended_recipient: Short = Field(default="", description="Who it is for (recipient-classes); consent must cover both.")  # fmt: skip
    why_needed: Text = Field(default="", description="Why it is not already available (MC-07).")
    best_interests: Text = Field(default="", description="For a child (MC-10).")


class UseIn(Body):
    intended_use: Short = Field(description="What the account is now for (consent-purposes).")
    intended_recipient: Short = Field(description="Who it is now for (recipient-classes).")


class TrainingIn(Body):
    topic: Short = Field(description="A training-topics code.")
    attested_on: Short | None = Field(default=None, description="YYYY-MM-DD (default today).")
    expires_on: Short | None = Field(default=None, description="The last day it holds.")


@router.post("/people/{person_id}/risk-assessments", status_code=201)
def assess(person_id: str, body: RiskIn, inst: Inst) -> dict[str, Any]:
    with _fields():
        new_id = testimony.assess_risk(
            inst,
            person_id,
            flags=body.flags,
            risks_person=body.risks_person,
            risks_family=body.risks_family,
            risks_staff=body.risks_staff,
            decision=body.decision,
            override_reason=body.override_reason,
        )
    return {"ok": True, "id": new_id}


@router.post("/people/{person_id}/interviews", status_code=201)
def record(person_id: str, body: InterviewIn, inst: Inst) -> dict[str, Any]:
    values = body.model_dump(exclude={"facts"})
    with _fields():
        new_id = testimony.record(
            inst, person_id, facts=[(f.statement, f.knowledge) for f in body.facts], **values
        )
    warning = rules.promise_warning(body.nothing_promised)
    return {"ok": True, "id": new_id, "warnings": [warning] if warning else []}


@router.get("/people/{person_id}/interviews", response_model=Items[TestimonyListed])
def list_interviews(person_id: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "items": testimony.list_for_person(inst, person_id)}


def _allow_testimony(inst: Instance, who: Principal, action: Action, testimony_id: str) -> None:
    """The policy on the testimony's person's case; another case's testimony is simply not found."""
    person_id = testimony.person_of(inst, testimony_id)
    try:
        allow(inst, who, action, kind="person", record_id=person_id)
    except NotFound:
        raise NotFound("no testimony has this ID", where=testimony_id) from None


@router.get(
    "/interviews/{testimony_id}",
    response_model=answer("interview", TestimonyDescribed | TestimonyShown),
)
def show(
    testimony_id: str,
    inst: Inst,
    who: Who,
    *,
    reveal: Annotated[bool, Query(description="Unseal the person's words.")] = False,
    reason: Annotated[
        str | None,
        Query(max_length=1000, description="Why (with reveal); recorded, so name no one."),
    ] = None,
    purpose: Purpose = None,
) -> dict[str, Any]:
    reason = reason or purpose
    if not reveal:
        return {"ok": True, "interview": testimony.describe(inst, testimony_id)}
    # Asked here: a refusal is recorded (testimony.refused) whatever the reason given.
    try:
        _allow_testimony(inst, who, Action.REVEAL_IDENTITY, testimony_id)
    except PermissionDenied:
        testimony.refused(inst, testimony_id, reason)
        raise
    with _fields():
        shown = testimony.show(inst, testimony_id, reveal_reason=reason or "")
    return {"ok": True, "interview": shown}


@router.put("/interviews/{testimony_id}/use")
def change_use(testimony_id: str, body: UseIn, inst: Inst) -> dict[str, Any]:
    """Change what the account is held for; refused unless consent covers the new purpose and
    recipient class."""
    with _fields():
        testimony.change_use(
            inst,
            testimony_id,
            intended_use=body.intended_use,
            intended_recipient=body.intended_recipient,
        )
    return {"ok": True}


@router.post("/users/{username}/training", status_code=201)
def train(username: str, body: TrainingIn, inst: Inst) -> dict[str, Any]:
    with _fields():
        number = training.record(
            inst, username, body.topic, attested_on=body.attested_on, expires_on=body.expires_on
        )
    return {"ok": True, "id": number}


@router.get("/users/{username}/training", response_model=Items[AttestationView])
def list_training(username: str, inst: Inst, who: Who) -> dict[str, Any]:
    # Asked here: the API lists attestations only for those who manage users, as it always has; the
    # use case would also let an account read its own.
    allow(inst, who, Action.MANAGE_USERS)
    return {"ok": True, "items": training.list_for_user(inst, username)}


@router.delete("/users/{username}/training/{topic}")
def untrain(username: str, topic: str, inst: Inst) -> dict[str, Any]:
    with _fields():
        return {"ok": True, "revoked": training.revoke(inst, username, topic)}
