"""Survivors and witnesses: identities in the vault, consent grants, and erasure (docs/survivors.md).

Revealing an identity needs the ``reveal-identity`` action (the admin role on the case) and a reason;
the reveal is a custody event, and so is every refused attempt. Recording consent is a documenter's
work; erasing a person is a coordinator's. The use cases ask the policy themselves; a route asks the
guard first only where a use case cannot decide in its place (each says why).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from testament.api.bodies import Body, Line, Name, Text
from testament.api.deps import Purpose, instance
from testament.api.models import Items, answer
from testament.custody.instance import Instance
from testament.domain import consent as rules
from testament.domain import text
from testament.domain.access import Action
from testament.errors import InvalidInput, PermissionDenied
from testament.http.auth import Who
from testament.http.guard import allow
from testament.search import names
from testament.survivors import consent, erasure, identity, registry
from testament.survivors.results import (
    ErasureReport,
    GrantView,
    HeldElsewhere,
    Match,
    RequestAsked,
    RequestHeld,
    Withdrawal,
)
from testament.transfer import disclosure

router = APIRouter(tags=["survivors"])
Inst = Annotated[Instance, Depends(instance)]
Short = Annotated[str, Field(max_length=200)]


# An identity's fields take the lengths of domain/text.py's table, as the intake form and the CLI do.
NameText = Annotated[str, Field(max_length=text.NAME_CHARS)]


class IdentityIn(Body):
    name: Name
    other_names: list[NameText] = Field(default_factory=list, max_length=identity.MAX_NAMES)
    date_of_birth: Annotated[str, Field(max_length=10)] | None = None
    place: Line | None = None
    address: Line | None = None
    contacts: list[Line] = Field(default_factory=list, max_length=identity.MAX_NAMES)
    preferred_name: NameText | None = None
    pronouns: NameText | None = None
    safe_contact: Line | None = None

    def identity(self) -> identity.Identity:
        return identity.Identity.from_mapping(self.model_dump())


class IdentifiedPersonIn(Body):
    case: str = Field(min_length=1, description="Case name or ID.")
    identity: IdentityIn
    label: Name | None = Field(None, description="A pseudonym (default: P-7KQ2MX).")
    description: Text = ""


class GrantIn(Body):
    purpose: str = Field(min_length=1, max_length=48)
    recipient_class: str = Field(min_length=1, max_length=48)
    data_scope: str = Field("all", max_length=48)
    identifiability: str = Field("pseudonymous", max_length=16)
    mode: str = Field(max_length=16)
    language: str = Field(max_length=16)
    info_sheet_version: str = Field(min_length=1, max_length=32)
    understanding_checked: bool = False
    expires_at: Annotated[str, Field(max_length=10)] | None = None


class WithdrawIn(Body):
    communicated_via: str = Field(max_length=32)
    grant_ids: list[Annotated[str, Field(max_length=36)]] = Field(
        default_factory=list, max_length=1000
    )


class EraseIn(Body):
    grounds: str = Field(max_length=32, description=", ".join(erasure.GROUNDS))
    keep_recordings: bool = False


@router.post("/people/identified", status_code=201)
def create(body: IdentifiedPersonIn, inst: Inst) -> dict[str, Any]:
    """Record a person with their identity sealed in the vault; answers the pseudonymous ID and label."""
    person_id, label = identity.add_person(
        inst, body.case, body.identity.identity(), label=body.label, description=body.description
    )
    return {"ok": True, "person": {"id": person_id, "label": label}}


@router.get("/people/{person_id}/identity")
def reveal(person_id: str, inst: Inst, who: Who, reason: Purpose) -> dict[str, Any]:
    """Unseal a person's identity: needs identity access and a reason; both outcomes are logged."""
    # Asked here: a refusal is recorded (identity.refused) whatever the reason given.
    try:
        allow(inst, who, Action.REVEAL_IDENTITY, kind="person", record_id=person_id)
    except PermissionDenied:
        identity.refused(inst, person_id, reason)
        raise
    found = identity.reveal(inst, person_id, reason or "")
    return {"ok": True, "identity": asdict(found)}


@router.put("/people/{person_id}/identity")
def replace_identity(person_id: str, body: IdentityIn, inst: Inst) -> dict[str, Any]:
    identity.set_identity(inst, person_id, body.identity())
    return {"ok": True}


@router.put("/people/{person_id}/photo")
async def put_photo(person_id: str, request: Request, inst: Inst, who: Who) -> dict[str, Any]:
    """Seal a photo of the person's face (the request body: JPEG, PNG, WebP, HEIC or TIFF)."""
    # Asked here: refused before the body is read, not after up to 20 MiB of it.
    allow(inst, who, Action.REVEAL_IDENTITY, kind="person", record_id=person_id)
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > identity.MAX_PHOTO_BYTES:
            raise InvalidInput(
                f"the photo is larger than {identity.MAX_PHOTO_BYTES // (1024 * 1024)} MiB",
                where="body",
            )
    await run_in_threadpool(identity.set_photo, inst, person_id, bytes(data))
    return {"ok": True}


@router.get("/people/{person_id}/photo")
def get_photo(person_id: str, inst: Inst, who: Who, reason: Purpose) -> Response:
    """The person's photo: identity access and a reason, logged like a reveal."""
    # Asked here: a refusal is recorded (identity.refused) whatever the reason given.
    try:
        allow(inst, who, Action.REVEAL_IDENTITY, kind="person", record_id=person_id)
    except PermissionDenied:
        identity.refused(inst, person_id, reason)
        raise
    data, media_type = identity.reveal_photo(inst, person_id, reason or "")
    return Response(data, media_type=media_type, headers={"Cache-Control": "no-store"})


@router.get("/people/{person_id}/consent", response_model=answer("grants", list[GrantView]))
def grants(person_id: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "grants": consent.grants(inst, person_id)}


@router.post("/people/{person_id}/consent", status_code=201)
def grant(person_id: str, body: GrantIn, inst: Inst) -> dict[str, Any]:
    grant_id = consent.grant(inst, person_id, consent.GrantInput(**body.model_dump()))
    return {"ok": True, "grant": grant_id}


@router.get("/people/{person_id}/consent/check")
def check(  # noqa: PLR0917 - FastAPI passes what the route declares
    person_id: str,
    inst: Inst,
    purpose: Annotated[str, Query(max_length=48)],
    recipient_class: Annotated[str, Query(max_length=48)],
    scope: Annotated[str, Query(max_length=48)] = "testimony",
    use: Annotated[str, Query(max_length=16)] = "export",
) -> dict[str, Any]:
    """Whether a live grant covers a use; a refusal names the missing grant."""
    decision: rules.ConsentDecision = consent.check(
        inst, person_id, consent.check_use(use, purpose, recipient_class, scope)
    )
    return {"ok": True, "allowed": decision.allowed, "reason": decision.reason}


@router.post(
    "/people/{person_id}/consent/withdraw", response_model=answer("withdrawal", Withdrawal)
)
def withdraw(person_id: str, body: WithdrawIn, inst: Inst) -> dict[str, Any]:
    result = consent.withdraw(
        inst, person_id, communicated_via=body.communicated_via, grant_ids=body.grant_ids
    )
    return {"ok": True, "withdrawal": result}


@router.post("/people/{person_id}/erase", response_model=answer("erasure", ErasureReport))
def erase(person_id: str, body: EraseIn, inst: Inst) -> dict[str, Any]:
    """Crypto-shred a person's identity and words; custody history and proofs stay."""
    report = erasure.erase(
        inst, person_id, grounds=body.grounds, recordings=not body.keep_recordings
    )
    return {"ok": True, "erasure": report}


class NamedExportIn(Body):
    recipient_class: str = Field(max_length=48, description="Who receives it (recipient-classes).")
    purpose: str = Field(max_length=48, description="What it is for (consent-purposes).")
    recipient: Short = Field(description="The receiving organisation.")


@router.post("/cases/{case}/named-exports", status_code=201)
def request_named_export(case: str, body: NamedExportIn, inst: Inst, who: Who) -> dict[str, Any]:
    """Ask for an export of testimonies that names people; a second person must approve it."""
    allow(inst, who, Action.REVEAL_IDENTITY, case=case)
    approval_id = disclosure.request(inst, case, body.recipient_class, body.purpose, body.recipient)
    return {"ok": True, "approval": approval_id}


@router.post("/named-exports/{approval_id}/approve")
def approve_named_export(approval_id: str, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.REVEAL_IDENTITY, case=disclosure.case_of(inst, approval_id))
    disclosure.approve(inst, approval_id)
    return {"ok": True}


class MatchIn(Body):
    name: Name
    dob: Annotated[str, Field(max_length=10)] | None = None
    place: Short | None = None


@router.post("/registry/match", response_model=answer("matches", list[Match | HeldElsewhere]))
def match(body: MatchIn, inst: Inst) -> dict[str, Any]:
    """Before an interview: people already in the vault who are probably this person, with who holds
    their accounts and under what consent (MC-04). Never answers a name. A match held in a case the
    caller has no role on answers only ``held_elsewhere``, whom to contact and the request filed."""
    found = registry.match(inst, names.NameRecord(body.name, body.dob, body.place))
    return {"ok": True, "matches": found}


@router.get("/registry/requests", response_model=Items[RequestHeld | RequestAsked])
def registry_requests(
    inst: Inst, open_only: Annotated[bool, Query(alias="open")] = False
) -> dict[str, Any]:
    """Registry requests about the people of the cases you coordinate, and those you asked."""
    return {"ok": True, "items": registry.requests(inst, open_only=open_only)}


class DecisionIn(Body):
    decision: str = Field(max_length=16, description=", ".join(registry.DECISIONS))


@router.post("/registry/requests/{request_id}/decision")
def decide_registry_request(
    request_id: str, body: DecisionIn, inst: Inst, who: Who
) -> dict[str, Any]:
    """A coordinator of the holding case shares their contact with the asker, or declines."""
    # Asked here: someone who coordinates no case is refused (403) before the request is looked
    # up; the use case answers anyone but the holding case's coordinators as if it did not exist.
    allow(inst, who, Action.MANAGE_CASE)
    registry.decide(inst, request_id, body.decision)
    return {"ok": True}
