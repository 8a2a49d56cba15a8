"""Support for survivors and witnesses: needs, referrals to the directory's services, follow-ups (MC-05).

Every person documented can have their needs assessed, one support area at a time (``support-areas``)
with an urgency (``need-urgency``) and a note. The note may hold health details, so it is sealed with the
person's own key in the identity vault (``note_sealed``); it never enters the custody log, the search
index or an error message, and erasure destroys it with the rest of the person's sealed values. Reading
notes needs a stated purpose, recorded as an ``access`` event.

A need is met by a referral to a service of the directory (:mod:`testament.survivors.directory`) that
covers its area (``referral-status``:
an ``accepted`` or ``completed`` referral marks the need addressed) or is marked addressed directly. A
referral passes the person to a service outside the organisation, so it asks the one consent gate
(``consent.referral_use``: ``referral-support`` to a ``partner-organisation``). A
case cannot be closed while an urgent need of any of its people is unaddressed
(:func:`testament.custody.cases.close_case`). Custody events name records by ID only: the person, the
need, the service, the referral.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection

from testament.custody import custody, history, policy
from testament.custody.access_log import check_purpose
from testament.custody.instance import Instance, acting_agent, recording
from testament.custody.queries import cases as case_queries
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.domain.text import clean_text
from testament.errors import Conflict, ConsentRequired, InvalidInput, NotFound
from testament.storage.engine import lock_log, read_transaction
from testament.survivors import consent, directory, identity
from testament.survivors.queries import support as queries
from testament.survivors.results import (
    FollowUp,
    NeedView,
    NeedWithNote,
    ReferralListed,
    ReferralView,
    UrgentNeed,
)
from testament.taxonomy import vocabulary

AREAS = directory.AREAS
URGENCY = "need-urgency"
STATUS = "referral-status"
URGENT = "urgent"
PENDING = "proposed"
ADDRESSING = frozenset({"accepted", "completed"})
NOTE_PURPOSE = "support-need-note"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# --- Needs and referrals ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedInput:
    """One assessed area: its urgency and a note (sealed; may hold health details)."""

    area: str
    urgency: str
    note: str = ""


def _check_needs(needs: Sequence[NeedInput | tuple[str, str, str]]) -> list[NeedInput]:
    if not needs:
        raise InvalidInput("name at least one need", where="--area")
    checked: list[NeedInput] = []
    for given in needs:
        need = given if isinstance(given, NeedInput) else NeedInput(*given)
        area = vocabulary.require_one(AREAS, need.area, where="--area")
        if any(c.area == area for c in checked):
            raise InvalidInput("the same area is assessed twice", where="--area")
        urgency = vocabulary.require_one(URGENCY, need.urgency, where="--urgency")
        checked.append(NeedInput(area, urgency, clean_text(need.note, "the note", "--note")))
    return checked


def _open_case(conn: Connection, case_id: str) -> None:
    if queries.case_closed_at(conn, case_id) is not None:
        raise Conflict(
            "the person's case is closed",
            where=case_id,
            hint="reopen it with `testament case reopen NAME` to record new needs",
        )


def _event(conn: Connection, kind: CustodyEventType, case_id: str, detail: dict[str, Any]) -> None:
    custody.record(
        conn, [custody.NewEvent(kind, acting_agent(conn), case_id=case_id, detail=detail)]
    )


def assess_needs(
    instance: Instance, person_id: str, needs: Sequence[NeedInput | tuple[str, str, str]]
) -> list[str]:
    """Record a person's needs, each ``(area, urgency, note)``; returns the needs' IDs.

    Each note is sealed with the person's key. Refused for a person whose case is closed.
    """
    checked = _check_needs(needs)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="person", record_id=person_id)
        person = history.current(conn, "person", person_id)
        _open_case(conn, person["case_id"])
        key = identity.key_for(conn, instance, person_id)
        now = utc_timestamp()
        agent_id = acting_agent(conn)
        ids = sorted(new_id() for _ in checked)  # one assessment lists in the order given
        for need_id, need in zip(ids, checked, strict=True):
            queries.insert_need(
                conn,
                {
                    "id": need_id,
                    "person_id": person_id,
                    "area": need.area,
                    "urgency": need.urgency,
                    "note_sealed": key.seal_text(_sealed_as(need_id), need.note),
                    "assessed_at": now,
                    "assessed_by": agent_id,
                },
            )
        events = [
            custody.NewEvent(
                CustodyEventType.CREATION,
                agent_id,
                case_id=person["case_id"],
                detail={"object": "support-need", "need": need_id, "person": person_id},
            )
            for need_id in ids
        ]
        custody.record(conn, events)
    return ids


def _sealed_as(need_id: str) -> str:
    """What a note is bound to (with the person's ID): moved to another need, it fails to unseal."""
    return f"{NOTE_PURPOSE}|{need_id}"


def _need(conn: Connection, need_id: str) -> dict[str, Any]:
    """A need (with its person's ``case_id``), for a change: under the log's lock, so whether it is
    addressed holds until commit."""
    lock_log(conn)
    row = queries.need_with_case(conn, need_id)
    if row is None:
        raise _no_need(need_id)
    return row


def _no_need(need_id: str) -> NotFound:
    return NotFound(
        "no support need has this ID",
        where=need_id,
        hint="a person's needs are listed by `testament need list PERSON_ID`",
    )


def _on_person(
    conn: Connection, instance: Instance, action: Action, person_id: str, hidden: NotFound
) -> None:
    """The policy for a need or a referral is its person's; one of a case the principal may not read
    is answered as ``hidden`` (as if it did not exist)."""
    try:
        policy.require(conn, instance, action, kind="person", record_id=person_id)
    except NotFound:
        raise hidden from None


def check_day(value: str, where: str = "--follow-up") -> str:
    """A follow-up date as YYYY-MM-DD; InvalidInput naming ``where`` otherwise."""
    text = value.strip()
    try:
        if not _DAY.match(text):
            raise ValueError(text)
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise InvalidInput(
            "the follow-up date is not a date", where=where, hint="write YYYY-MM-DD"
        ) from None


def _addressed(conn: Connection, need: dict[str, Any], change: str) -> None:
    queries.mark_need_addressed(conn, need["id"], utc_timestamp())
    detail = {
        "object": "support-need",
        "need": need["id"],
        "person": need["person_id"],
        "change": change,
    }
    _event(conn, CustodyEventType.METADATA_MODIFICATION, need["case_id"], detail)


def mark_addressed(instance: Instance, need_id: str) -> None:
    """Mark a need addressed without a referral (met by the documenting organisation, say)."""
    with recording(instance) as conn:
        need = _need(conn, need_id)
        _on_person(conn, instance, Action.DOCUMENT, need["person_id"], _no_need(need_id))
        if need["addressed_at"] is not None:
            raise Conflict("this need is already addressed", where=need_id)
        _addressed(conn, need, "addressed")


def refer(
    instance: Instance, need_id: str, service: str, *, follow_up_due: str | None = None
) -> str:
    """Refer a need to a service (by ID or name) that covers its area; returns the referral's ID."""
    due = check_day(follow_up_due) if follow_up_due is not None else None
    with recording(instance) as conn:
        need = _need(conn, need_id)
        _on_person(conn, instance, Action.DOCUMENT, need["person_id"], _no_need(need_id))
        found = directory.find(conn, service)
        if need["area"] not in found["areas"].split(directory.SEPARATOR):
            raise InvalidInput(
                "this service does not cover the need's support area",
                where="--service",
                hint="`testament need list PERSON_ID` shows the need's area; "
                "`testament service list --area AREA` the services that cover it",
            )
        _require_consent(conn, need)
        referral_id = new_id()
        now = utc_timestamp()
        queries.insert_referral(
            conn,
            {
                "id": referral_id,
                "person_id": need["person_id"],
                "need_id": need_id,
                "service_id": found["id"],
                "referred_at": now,
                "status": PENDING,
                "follow_up_due": due,
                "updated_at": now,
                "recorded_by": acting_agent(conn),
            },
        )
        detail = {
            "object": "referral",
            "referral": referral_id,
            "need": need_id,
            "person": need["person_id"],
            "service": found["id"],
        }
        _event(conn, CustodyEventType.CREATION, need["case_id"], detail)
    return referral_id


def _require_consent(conn: Connection, need: dict[str, Any]) -> None:
    """Refuse unless a grant that counts covers a referral (:func:`consent.referral_use`): the
    one consent gate, asked inside the referral's transaction. The refusal names the missing purpose
    and recipient class by their codes, and the need by ID; never the person."""
    decision = consent.decide(conn, need["person_id"], consent.referral_use())
    if not decision.allowed:
        raise ConsentRequired(
            f"consent does not cover this referral: {decision.reason}",
            where=need["id"],
            hint="record the grant with `testament consent grant` once the person has agreed "
            "to be referred",
        )


def update_referral(
    instance: Instance,
    referral_id: str,
    status: str | None = None,
    follow_up_due: str | None = None,
    *,
    clear_follow_up: bool = False,
) -> ReferralView:
    """Change a referral's status or follow-up date; ``accepted`` or ``completed`` addresses the need."""
    changes: dict[str, Any] = {}
    if status is not None:
        changes["status"] = vocabulary.require_one(STATUS, status, where="--status")
    if follow_up_due is not None:
        changes["follow_up_due"] = check_day(follow_up_due)
    elif clear_follow_up:
        changes["follow_up_due"] = None
    if not changes:
        raise InvalidInput("name a new status or follow-up date", where="--status")
    with recording(instance) as conn:
        row = queries.referral(conn, referral_id)
        missing = NotFound("no referral has this ID", where=referral_id)
        if row is None:
            raise missing
        _on_person(conn, instance, Action.DOCUMENT, row["person_id"], missing)
        need = _need(conn, row["need_id"])
        queries.update_referral(conn, referral_id, {"updated_at": utc_timestamp(), **changes})
        detail = {
            "object": "referral",
            "referral": referral_id,
            "need": need["id"],
            "person": need["person_id"],
            "fields": sorted(changes),
            "status": changes.get("status", row["status"]),
        }
        _event(conn, CustodyEventType.METADATA_MODIFICATION, need["case_id"], detail)
        if changes.get("status") in ADDRESSING and need["addressed_at"] is None:
            _addressed(conn, need, f"addressed by referral {referral_id}")
        updated = queries.referral_written(conn, referral_id)
    return ReferralView(**_referral_json(updated))


def _referral_json(row: dict[str, Any]) -> dict[str, Any]:
    data = dict(row)
    data.pop("recorded_by", None)
    return data


def person_of(instance: Instance, kind: str, record_id: str) -> str:
    """The person a need (``support_need``) or a referral belongs to, for the policy door."""
    missing = NotFound(f"no {kind.replace('_', ' ')} has this ID", where=record_id)
    with read_transaction(instance.engine) as conn:
        found = queries.person_of_record(conn, kind, record_id)
        if found is None:
            raise missing
        _on_person(conn, instance, Action.READ, str(found), missing)
    return str(found)


def needs_for_person(
    instance: Instance, person_id: str, *, purpose: str | None = None
) -> list[NeedView] | list[NeedWithNote]:
    """A person's needs, oldest first, each with its referrals.

    Notes are unsealed only when a ``purpose`` is stated; that reading is an ``access`` event.
    """
    if purpose is None:
        with read_transaction(instance.engine) as conn:
            policy.require(conn, instance, Action.READ, kind="person", record_id=person_id)
            history.current(conn, "person", person_id)
            return _needs(conn, person_id, notes=False, key=None)
    stated = check_purpose(purpose)
    with recording(instance) as conn:  # the notes: a documenter's, for a stated purpose
        policy.require(conn, instance, Action.DOCUMENT, kind="person", record_id=person_id)
        person = history.current(conn, "person", person_id)
        try:
            key = identity.person_key(conn, instance, person_id)
        except NotFound:  # erased: nothing of theirs can be unsealed
            key = None
        found = _needs(conn, person_id, notes=True, key=key)
        detail = {"object": "support-need", "person": person_id, "action": "view"}
        _event(conn, CustodyEventType.ACCESS, person["case_id"], detail | {"purpose": stated})
    return found


def _needs(
    conn: Connection, person_id: str, *, notes: bool, key: identity.PersonKey | None
) -> list[NeedView] | list[NeedWithNote]:
    referrals: dict[str, list[ReferralListed]] = {}
    for row in queries.referrals_of_person(conn, person_id):
        referrals.setdefault(row["need_id"], []).append(ReferralListed(**_referral_json(row)))
    found = []
    for row in queries.needs_of_person(conn, person_id):
        data = dict(row)
        sealed = data.pop("note_sealed")
        data.pop("assessed_by")
        if notes:
            data["note"] = (
                key.unseal_text(_sealed_as(row["id"]), sealed)
                if key is not None and sealed is not None
                else identity.ERASED
            )
        data["referrals"] = referrals.get(row["id"], [])
        found.append(data)
    if notes:
        return [NeedWithNote(**data) for data in found]
    return [NeedView(**data) for data in found]


# --- What is due ------------------------------------------------------------------------------------


def follow_ups_due(
    instance: Instance, case_ids: Collection[str] | None, today: date
) -> list[FollowUp]:
    """Referrals whose follow-up date is ``today`` or past and that are not completed, and urgent needs
    not yet addressed that no pending (``proposed``) referral covers: urgent needs first, then
    referrals by date. ``case_ids`` None means every case the principal may read; a case among
    ``case_ids`` that they may not read is answered as absent. Deleted people are left out."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        readable = policy.readable_cases(conn, instance)
        if readable is not None:
            hidden = sorted(set(case_ids or ()) - readable)
            if hidden:
                raise policy.no_such_case(hidden[0])
        urgent, due = queries.follow_ups(conn, case_ids, readable, today)
    return [_follow(row, "urgent-need") for row in urgent] + [
        _follow(row, "referral") for row in due
    ]


def due_for_case(instance: Instance, case_name: str | None, today: date) -> list[FollowUp]:
    """:func:`follow_ups_due` for one case named (or with that ID), or for every case."""
    if case_name is None:
        return follow_ups_due(instance, None, today)
    with read_transaction(instance.engine) as conn:
        cid = str(policy.require(conn, instance, Action.READ, case=case_name))
    return follow_ups_due(instance, [cid], today)


def _follow(data: dict[str, Any], kind: str) -> FollowUp:
    extra = (
        {k: data[k] for k in ("referral_id", "service_id", "status", "follow_up_due")}
        if kind == "referral"
        else {}
    )
    return FollowUp(
        kind=kind,
        case_id=data["case_id"],
        case=data["case"],
        person_id=data["person_id"],
        label=data["label"],
        need_id=data["id"],
        area=data["area"],
        urgency=data["urgency"],
        assessed_at=data["assessed_at"],
        **extra,
    )


def urgent_needs(instance: Instance, case_name: str) -> list[UrgentNeed]:
    """The unaddressed urgent needs of a case (what blocks closing it), by person label and area."""
    with read_transaction(instance.engine) as conn:
        cid = str(policy.require(conn, instance, Action.READ, case=case_name))
        ids = case_queries.open_urgent_needs(conn, cid)
        rows = queries.needs_described(conn, ids)
        waiting = queries.with_pending_referral(conn, ids)
    return [UrgentNeed(**row, referral_pending=row["id"] in waiting) for row in rows]
