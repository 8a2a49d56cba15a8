"""Cases (investigation workspaces) and situations (the conflicts they belong to)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from testament.custody import custody, history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.custody.queries import cases as queries
from testament.custody.records import case_record
from testament.custody.results import CaseSummary, SituationView
from testament.domain import dates
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, commitment, utc_timestamp
from testament.domain.ids import new_id
from testament.domain.text import check_length, clean_text
from testament.errors import Conflict, InvalidInput, NotFound
from testament.storage.engine import lock_log, read_transaction
from testament.taxonomy import loader, vocabulary

# The case lookups are the policy's, which every use case asks first.
case_id = policy.case_id
no_such_case = policy.no_such_case


def situation_id(connection: Connection, name: str) -> str:
    found = queries.situation_named(connection, name)
    if found is None:
        raise NotFound(
            "no situation has this name",
            where=name,
            hint="create it with `testament situation create NAME --conflict …`",
        )
    return found


def create_case_row(connection: Connection, name: str, agent_id: int) -> str:
    row: dict[str, Any] = {
        "id": new_id(),
        "name": name,
        "created_at": utc_timestamp(),
        "created_by": agent_id,
        "record_salt": secrets.token_bytes(16),
    }
    queries.insert_case(connection, row)
    event = custody.NewEvent(
        CustodyEventType.CREATION,
        agent_id,
        case_id=row["id"],
        detail={"object": "case"},
        record=commitment(row["record_salt"], case_record(row)),
    )
    custody.record(connection, [event])
    return str(row["id"])


def _check_name(name: str, what: str) -> str:
    check_length(name, f"the {what} name", "NAME", field="name")
    cleaned = name.strip()
    if not cleaned or any(ord(ch) < 32 for ch in cleaned):
        raise InvalidInput(
            f"a {what} name must be non-empty text without control characters", where=repr(name)
        )
    return cleaned


def create_case(
    instance: Instance,
    name: str,
    *,
    situation_name: str | None = None,
    also: Callable[[Connection, str], None] | None = None,
) -> str:
    """Create a case; ``also(connection, case_id)`` runs in the same transaction (granting its creator
    a role, for instance), so the case never exists without it."""
    with recording(instance) as conn:
        policy.require(conn, instance, Action.MANAGE_CASE)  # a coordinator of some case may
        name = _check_name(name, "case")  # one who may not create cases hears that first
        if queries.case_with_name(conn, name) is not None:
            raise Conflict("a case with this name already exists", where=name)
        agent_id = acting_agent(conn)
        new_id = create_case_row(conn, name, agent_id)
        if situation_name:
            _set_situation(conn, new_id, situation_id(conn, situation_name), agent_id)
        if also is not None:
            also(conn, new_id)
    return new_id


def assign_situation(instance: Instance, case_name: str, situation_name: str) -> None:
    """Place a case in a situation (which decides the conflict type its crime codes are checked against)."""
    with recording(instance) as conn:
        cid = str(policy.require(conn, instance, Action.MANAGE_CASE, case=case_name))
        sid = situation_id(conn, situation_name)
        queries.remove_situation_of(conn, cid)
        _set_situation(conn, cid, sid, acting_agent(conn))


def _set_situation(connection: Connection, cid: str, sid: str, agent_id: int) -> None:
    queries.insert_case_situation(connection, cid, sid)
    detail = {"object": "case", "id": cid, "change": "situation", "situation": sid}
    custody.record(
        connection,
        [
            custody.NewEvent(
                CustodyEventType.METADATA_MODIFICATION, agent_id, case_id=cid, detail=detail
            )
        ],
    )


def list_cases(instance: Instance) -> list[CaseSummary]:
    """The cases the principal may read, by name."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        readable = policy.readable_cases(conn, instance)
        rows = queries.case_summaries(conn, readable)
    return [
        CaseSummary(r["id"], r["name"], r["situation"], int(r["n"] or 0), r["closed_at"])
        for r in rows
    ]


def situation_values(
    name: str,
    *,
    conflict: str,
    starts_on: str | None = None,
    ends_on: str | None = None,
    amendments: list[str] | None = None,
    description: str = "",
) -> dict[str, Any]:
    """Validated fields of a situation."""
    known = set(loader.shipped().amendments)
    for code in amendments or []:
        if code not in known:
            raise InvalidInput(
                f"{code!r} is not a Statute amendment Testament knows",
                hint=f"known: {', '.join(sorted(known))}",
            )
    bounds = [
        dates.parse(v, where=opt).start if v else None
        for v, opt in ((starts_on, "--from"), (ends_on, "--to"))
    ]
    if bounds[0] and bounds[1] and bounds[0] > bounds[1]:
        raise InvalidInput("the situation ends before it starts", where=f"{starts_on} – {ends_on}")
    return {
        "name": _check_name(name, "situation"),
        "description": clean_text(
            description, "the description", "--description", field="description"
        ),
        "starts_on": bounds[0][:10] if bounds[0] else None,
        "ends_on": bounds[1][:10] if bounds[1] else None,
        "conflict": vocabulary.require_one(
            "conflict-characterisation", conflict, where="--conflict"
        ),
        "amendments": sorted(set(amendments or [])),
    }


def create_situation(instance: Instance, values: dict[str, Any]) -> str:
    with recording(instance) as conn:
        policy.require(conn, instance, Action.MANAGE_CASE)  # as the API asks
        if queries.situation_with_name(conn, values["name"]):
            raise Conflict("a situation with this name already exists", where=values["name"])
        return history.create(conn, "situation", values, agent_id=acting_agent(conn))


def list_situations(instance: Instance) -> list[SituationView]:
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)  # shared reference data
        rows = queries.live_situations(conn)
    return [_situation(history.snapshot("situation", r) | {"version": r["version"]}) for r in rows]


def _situation(data: dict[str, Any]) -> SituationView:
    return SituationView(**data | {"amendments": tuple(data["amendments"])})


def conflict_of_case(connection: Connection, cid: str) -> tuple[str, list[str]] | None:
    """The conflict characterisation and amendments in force of a case's situation, if it has one."""
    found = queries.conflict_of_case(connection, cid)
    if found is None:
        return None
    conflict, amendments = found
    return conflict, list(history.snapshot_value("amendments", amendments))


def close_case(instance: Instance, name: str) -> str:
    """Close a case; returns when. Refused while an urgent need of any of its people is unaddressed
    (Murad Code MC-05), with how many and where to see them, never whose they are."""
    with recording(instance) as conn:
        cid = str(policy.require(conn, instance, Action.MANAGE_CASE, case=name))
        lock_log(conn)  # the checks below hold until commit
        if queries.closed_at(conn, cid) is not None:
            raise Conflict(
                "this case is already closed", where=name, hint="`testament case reopen NAME`"
            )
        waiting = len(queries.open_urgent_needs(conn, cid))
        if waiting:
            raise Conflict(
                f"{waiting} urgent need(s) of people in this case are not addressed yet",
                where=name,
                hint="see them with `testament need urgent --case NAME`; refer each one "
                "(`testament referral add NEED_ID --service S`) until a referral is accepted, "
                "or mark it met with `testament need addressed NEED_ID`",
            )
        return _set_closed(conn, cid, utc_timestamp(), "closed")


def reopen_case(instance: Instance, name: str) -> None:
    """Reopen a closed case."""
    with recording(instance) as conn:
        cid = str(policy.require(conn, instance, Action.MANAGE_CASE, case=name))
        lock_log(conn)  # the check below holds until commit
        if queries.closed_at(conn, cid) is None:
            raise Conflict("this case is not closed", where=name)
        _set_closed(conn, cid, None, "reopened")


def _set_closed(connection: Connection, cid: str, when: str | None, change: str) -> str:
    queries.set_closed_at(connection, cid, when)
    detail = {"object": "case", "id": cid, "change": change}
    event = custody.NewEvent(
        CustodyEventType.METADATA_MODIFICATION, acting_agent(connection), case_id=cid, detail=detail
    )
    custody.record(connection, [event])
    return when or ""
