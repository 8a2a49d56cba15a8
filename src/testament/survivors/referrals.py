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
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, exists, insert, select, update

from testament.custody import cases, custody, history, policy
from testament.custody.access_log import check_purpose
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.domain.text import clean_text
from testament.errors import Conflict, ConsentRequired, InvalidInput, NotFound
from testament.storage import tables
from testament.storage.engine import lock_log, read_transaction
from testament.survivors import consent, directory, identity
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
    closed = conn.execute(
        select(tables.case.c.closed_at).where(tables.case.c.id == case_id)
    ).scalar()
    if closed is not None:
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
            conn.execute(
                insert(tables.support_need).values(
                    id=need_id,
                    person_id=person_id,
                    area=need.area,
                    urgency=need.urgency,
                    note_sealed=key.seal_text(_sealed_as(need_id), need.note),
                    assessed_at=now,
                    assessed_by=agent_id,
                )
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


def _need(conn: Connection, need_id: str) -> Row[Any]:
    """A need, for a change: under the log's lock, so whether it is addressed holds until commit."""
    lock_log(conn)
    n, p = tables.support_need, tables.person
    row = conn.execute(
        select(n, p.c.case_id).join(p, p.c.id == n.c.person_id).where(n.c.id == need_id)
    ).first()
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


def _addressed(conn: Connection, need: Row[Any], change: str) -> None:
    conn.execute(
        update(tables.support_need)
        .where(tables.support_need.c.id == need.id)
        .values(addressed_at=utc_timestamp())
    )
    detail = {"object": "support-need", "need": need.id, "person": need.person_id, "change": change}
    _event(conn, CustodyEventType.METADATA_MODIFICATION, need.case_id, detail)


def mark_addressed(instance: Instance, need_id: str) -> None:
    """Mark a need addressed without a referral (met by the documenting organisation, say)."""
    with recording(instance) as conn:
        need = _need(conn, need_id)
        _on_person(conn, instance, Action.DOCUMENT, need.person_id, _no_need(need_id))
        if need.addressed_at is not None:
            raise Conflict("this need is already addressed", where=need_id)
        _addressed(conn, need, "addressed")


def refer(
    instance: Instance, need_id: str, service: str, *, follow_up_due: str | None = None
) -> str:
    """Refer a need to a service (by ID or name) that covers its area; returns the referral's ID."""
    due = check_day(follow_up_due) if follow_up_due is not None else None
    with recording(instance) as conn:
        need = _need(conn, need_id)
        _on_person(conn, instance, Action.DOCUMENT, need.person_id, _no_need(need_id))
        found = directory.find(conn, service)
        if need.area not in found.areas.split(directory.SEPARATOR):
            raise InvalidInput(
                "this service does not cover the need's support area",
                where="--service",
                hint="`testament need list PERSON_ID` shows the need's area; "
                "`testament service list --area AREA` the services that cover it",
            )
        _require_consent(conn, need)
        referral_id = new_id()
        now = utc_timestamp()
        conn.execute(
            insert(tables.referral).values(
                id=referral_id,
                person_id=need.person_id,
                need_id=need_id,
                service_id=found.id,
                referred_at=now,
                status=PENDING,
                follow_up_due=due,
                updated_at=now,
                recorded_by=acting_agent(conn),
            )
        )
        detail = {
            "object": "referral",
            "referral": referral_id,
            "need": need_id,
            "person": need.person_id,
            "service": found.id,
        }
        _event(conn, CustodyEventType.CREATION, need.case_id, detail)
    return referral_id


def _require_consent(conn: Connection, need: Row[Any]) -> None:
    """Refuse unless a grant that counts covers a referral (:func:`consent.referral_use`): the
    one consent gate, asked inside the referral's transaction. The refusal names the missing purpose
    and recipient class by their codes, and the need by ID; never the person."""
    decision = consent.decide(conn, need.person_id, consent.referral_use())
    if not decision.allowed:
        raise ConsentRequired(
            f"consent does not cover this referral: {decision.reason}",
            where=need.id,
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
) -> dict[str, Any]:
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
    r = tables.referral
    with recording(instance) as conn:
        row = conn.execute(select(r).where(r.c.id == referral_id)).first()
        missing = NotFound("no referral has this ID", where=referral_id)
        if row is None:
            raise missing
        _on_person(conn, instance, Action.DOCUMENT, row.person_id, missing)
        need = _need(conn, row.need_id)
        conn.execute(
            update(r).where(r.c.id == referral_id).values(updated_at=utc_timestamp(), **changes)
        )
        detail = {
            "object": "referral",
            "referral": referral_id,
            "need": need.id,
            "person": need.person_id,
            "fields": sorted(changes),
            "status": changes.get("status", row.status),
        }
        _event(conn, CustodyEventType.METADATA_MODIFICATION, need.case_id, detail)
        if changes.get("status") in ADDRESSING and need.addressed_at is None:
            _addressed(conn, need, f"addressed by referral {referral_id}")
        updated = conn.execute(select(r).where(r.c.id == referral_id)).one()
    return _referral_json(updated)


def _referral_json(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    data.pop("recorded_by", None)
    return data


def person_of(instance: Instance, kind: str, record_id: str) -> str:
    """The person a need (``support_need``) or a referral belongs to, for the policy door."""
    table = tables.support_need if kind == "support_need" else tables.referral
    missing = NotFound(f"no {kind.replace('_', ' ')} has this ID", where=record_id)
    with read_transaction(instance.engine) as conn:
        found = conn.execute(select(table.c.person_id).where(table.c.id == record_id)).scalar()
        if found is None:
            raise missing
        _on_person(conn, instance, Action.READ, str(found), missing)
    return str(found)


def needs_for_person(
    instance: Instance, person_id: str, *, purpose: str | None = None
) -> list[dict[str, Any]]:
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
) -> list[dict[str, Any]]:
    n, r, s = tables.support_need, tables.referral, tables.support_service
    referrals: dict[str, list[dict[str, Any]]] = {}
    query = (
        select(r, s.c.name.label("service"))
        .join(s, s.c.id == r.c.service_id)
        .where(r.c.person_id == person_id)
        .order_by(r.c.referred_at, r.c.id)
    )
    for row in conn.execute(query):
        referrals.setdefault(row.need_id, []).append(_referral_json(row))
    found = []
    needs = conn.execute(
        select(n).where(n.c.person_id == person_id).order_by(n.c.assessed_at, n.c.id)
    )
    for row in needs:
        data = dict(row._mapping)
        sealed = data.pop("note_sealed")
        data.pop("assessed_by")
        if notes:
            data["note"] = (
                key.unseal_text(_sealed_as(row.id), sealed)
                if key is not None and sealed is not None
                else identity.ERASED
            )
        data["referrals"] = referrals.get(row.id, [])
        found.append(data)
    return found


# --- What is due ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUp:
    """One thing to act on: a referral to follow up, or an urgent need that no referral is pending for.

    It names the person by ID and pseudonymous label only; never a name or a note.
    """

    kind: str  # "referral" or "urgent-need"
    case_id: str
    case: str
    person_id: str
    label: str
    need_id: str
    area: str
    urgency: str
    assessed_at: str
    referral_id: str | None = None
    service_id: str | None = None
    status: str | None = None
    follow_up_due: str | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def follow_ups_due(
    instance: Instance, case_ids: Collection[str] | None, today: date
) -> list[FollowUp]:
    """Referrals whose follow-up date is ``today`` or past and that are not completed, and urgent needs
    not yet addressed that no pending (``proposed``) referral covers: urgent needs first, then
    referrals by date. ``case_ids`` None means every case the principal may read; a case among
    ``case_ids`` that they may not read is answered as absent. Deleted people are left out."""
    n, r, p, c = tables.support_need, tables.referral, tables.person, tables.case
    base = (
        select(n, p.c.label, p.c.case_id, c.c.name.label("case"))
        .join(p, p.c.id == n.c.person_id)
        .join(c, c.c.id == p.c.case_id)
        .where(p.c.deleted_at.is_(None))
    )
    if case_ids is not None:
        base = base.where(p.c.case_id.in_(list(case_ids)))
    pending = exists().where(r.c.need_id == n.c.id, r.c.status == PENDING)
    urgent = base.where(cases.unaddressed_urgent(), ~pending).order_by(n.c.assessed_at, n.c.id)
    due = (
        base.add_columns(r.c.id.label("referral_id"), r.c.service_id, r.c.status, r.c.follow_up_due)
        .join(r, r.c.need_id == n.c.id)
        .where(r.c.follow_up_due <= today.isoformat(), r.c.status != "completed")
        .order_by(r.c.follow_up_due, r.c.id)
    )
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        readable = policy.readable_cases(conn, instance)
        if readable is not None:
            hidden = sorted(set(case_ids or ()) - readable)
            if hidden:
                raise policy.no_such_case(hidden[0])
            urgent = urgent.where(p.c.case_id.in_(sorted(readable)))
            due = due.where(p.c.case_id.in_(sorted(readable)))
        found = [_follow(row, "urgent-need") for row in conn.execute(urgent)]
        found += [_follow(row, "referral") for row in conn.execute(due)]
    return found


def due_for_case(instance: Instance, case_name: str | None, today: date) -> list[FollowUp]:
    """:func:`follow_ups_due` for one case named (or with that ID), or for every case."""
    if case_name is None:
        return follow_ups_due(instance, None, today)
    with read_transaction(instance.engine) as conn:
        cid = str(policy.require(conn, instance, Action.READ, case=case_name))
    return follow_ups_due(instance, [cid], today)


def _follow(row: Any, kind: str) -> FollowUp:
    data = row._mapping
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


def urgent_needs(instance: Instance, case_name: str) -> list[dict[str, Any]]:
    """The unaddressed urgent needs of a case (what blocks closing it), by person label and area."""
    n, r, p = tables.support_need, tables.referral, tables.person
    with read_transaction(instance.engine) as conn:
        cid = str(policy.require(conn, instance, Action.READ, case=case_name))
        ids = cases.open_urgent_needs(conn, cid)
        rows = conn.execute(
            select(n.c.id, n.c.person_id, p.c.label, n.c.area, n.c.assessed_at)
            .join(p, p.c.id == n.c.person_id)
            .where(n.c.id.in_(ids))
            .order_by(n.c.assessed_at, n.c.id)
        ).all()
        waiting = set(
            conn.execute(
                select(r.c.need_id).where(r.c.status == PENDING, r.c.need_id.in_(ids))
            ).scalars()
        )
    return [dict(row._mapping) | {"referral_pending": row.id in waiting} for row in rows]
