"""Reading testimonies back: their metadata, and their words under identity access (docs/survivors.md).

:func:`describe` and :func:`list_for_person` give what anyone who may read the person's case sees, never
the words. :func:`show` unseals the account, summary and facts with the person's key for someone with
``reveal-identity`` on the case, and records the reveal and its reason as an ``access`` event;
:func:`refused` records an attempt the policy refused. After an erasure every text reads
:data:`~testament.survivors.identity.ERASED`. :func:`export_rows` serves an export already cleared by
consent. Recording them is :mod:`testament.survivors.testimony`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from testament.custody import custody, history, policy
from testament.custody.access_log import check_purpose
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain import access
from testament.domain.custody import CustodyEventType
from testament.domain.text import clean_text
from testament.errors import NotFound
from testament.storage.engine import read_transaction
from testament.survivors import identity
from testament.survivors.queries import interviews as queries
from testament.survivors.results import (
    FactInBrief,
    FactShown,
    TestimonyDescribed,
    TestimonyListed,
    TestimonyShown,
)


def _require(conn: Connection, instance: Instance, action: access.Action, person_id: str) -> None:
    policy.require(conn, instance, action, kind="person", record_id=person_id)


def _opened(conn: Connection, testimony_id: str) -> tuple[dict[str, Any], str]:
    """The testimony's row (with the interviewer's username) and its case's ID."""
    row = queries.testimony(conn, testimony_id)
    if row is None:
        raise NotFound("no testimony has this ID", where=testimony_id)
    person = history.current(conn, "person", row["person_id"], deleted=True)
    return row, str(person["case_id"])


def opened_as(
    conn: Connection, instance: Instance, action: access.Action, testimony_id: str
) -> tuple[dict[str, Any], str]:
    """:func:`_opened`, for a principal who may do ``action`` on the person's case; to anyone who may
    not read it, the testimony is absent."""
    row, case_id = _opened(conn, testimony_id)
    _hidden_unless(conn, instance, action, row["person_id"], testimony_id)
    return row, case_id


def _hidden_unless(
    conn: Connection, instance: Instance, action: access.Action, person_id: str, testimony_id: str
) -> None:
    try:
        _require(conn, instance, action, person_id)
    except NotFound:
        raise NotFound("no testimony has this ID", where=testimony_id) from None


def _local(moment: str | None, zone: str) -> str | None:
    if moment is None:
        return None
    return datetime.fromisoformat(moment).astimezone(ZoneInfo(zone)).isoformat()


def _metadata(row: dict[str, Any], case_id: str) -> dict[str, Any]:
    keys = (
        "id", "person_id", "risk_assessment_id", "interviewer", "started_at", "ended_at",
        "timezone", "place", "language", "interpreter", "contact_via", "recording_item_id",
        "nothing_promised", "given", "guardian_consent", "child_assent",
        "reinterview_justification", "intended_use", "intended_recipient", "why_needed",
        "best_interests",
        "recorded_at", "recorded_by",
    )  # fmt: skip
    data = {k: row[k] for k in keys} | {"case_id": case_id, "present": json.loads(row["present"])}
    data["nothing_promised"] = bool(row["nothing_promised"])
    data["guardian_consent"] = bool(row["guardian_consent"])
    data["child_assent"] = bool(row["child_assent"])
    data["started_local"] = _local(row["started_at"], row["timezone"])
    data["ended_local"] = _local(row["ended_at"], row["timezone"])
    return data


def _fact_rows(conn: Connection, testimony_id: str) -> list[dict[str, Any]]:
    return queries.facts(conn, testimony_id)


def _key(conn: Connection, instance: Instance, person_id: str) -> identity.PersonKey | None:
    """The person's key; None once erasure destroyed it."""
    try:
        return identity.person_key(conn, instance, person_id)
    except NotFound:
        return None


def _texts(conn: Connection, key: identity.PersonKey | None, row: dict[str, Any]) -> dict[str, Any]:
    """The account, summary and facts unsealed; :data:`identity.ERASED` wherever erasure removed them."""
    tid = row["id"]

    def unseal(part: str, sealed: bytes | None) -> str | None:
        if key is None:
            return identity.ERASED
        return None if sealed is None else key.unseal_text(f"testimony/{tid}/{part}", sealed)

    facts = [
        {
            "position": f["position"],
            "knowledge": f["knowledge"],
            "statement": unseal(f"fact/{f['position']}", f["statement_sealed"]) or identity.ERASED,
        }
        for f in _fact_rows(conn, tid)
    ]
    return {
        "account": unseal("account", row["account_sealed"]),
        "summary": unseal("summary", row["summary_sealed"]),
        "facts": facts,
    }


def person_of(instance: Instance, testimony_id: str) -> str:
    """The ID of the person who gave the testimony (the edges ask the policy about their case)."""
    with read_transaction(instance.engine) as conn:
        found = queries.person_of(conn, testimony_id)
        if found is None:
            raise NotFound("no testimony has this ID", where=testimony_id)
        _hidden_unless(conn, instance, access.Action.READ, str(found), testimony_id)
    return str(found)


def recorded_in(instance: Instance, item_id: str) -> str | None:
    """The testimony whose recording evidence item ``item_id`` is, if any (the first recorded).

    A recording is the person's words: its bytes are played or downloaded only under the rule that
    unseals the words (``reveal-identity``), and a refused attempt is logged as one on the words.
    """
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, access.Action.READ, kind="evidence", record_id=item_id)
        return queries.first_with_recording(conn, item_id)


def describe(instance: Instance, testimony_id: str) -> TestimonyDescribed:
    """A testimony's metadata without its words: what anyone who may read the case sees."""
    with read_transaction(instance.engine) as conn:
        row, case_id = opened_as(conn, instance, access.Action.READ, testimony_id)
        facts = _fact_rows(conn, testimony_id)
    return TestimonyDescribed(
        **_metadata(row, case_id),
        has_account=row["account_sealed"] is not None,
        has_summary=row["summary_sealed"] is not None,
        facts=[FactInBrief(f["position"], f["knowledge"]) for f in facts],
    )


def show(instance: Instance, testimony_id: str, *, reveal_reason: str) -> TestimonyShown:
    """A testimony with its words unsealed; the reveal and its reason are an ``access`` event.

    It needs ``reveal-identity`` on the person's case.
    """
    stated = check_purpose(reveal_reason)
    with recording(instance) as conn:
        row, case_id = opened_as(conn, instance, access.Action.REVEAL_IDENTITY, testimony_id)
        texts = _texts(conn, _key(conn, instance, row["person_id"]), row)
        _access(conn, row, case_id, stated, "success")
    return TestimonyShown(
        **_metadata(row, case_id),
        account=texts["account"],
        summary=texts["summary"],
        facts=[FactShown(**fact) for fact in texts["facts"]],
    )


def refused(instance: Instance, testimony_id: str, reason: str | None) -> None:
    """Record an attempt to read a testimony's words that the policy refused (outcome ``denied``): by
    someone who may read the case (to anyone else the testimony is absent)."""
    stated = " ".join((reason or "").replace("\x00", "").split())[:300] or "(none stated)"
    with recording(instance) as conn:
        row, case_id = opened_as(conn, instance, access.Action.READ, testimony_id)
        _access(conn, row, case_id, stated, "denied")


def _access(conn: Connection, row: dict[str, Any], case_id: str, stated: str, outcome: str) -> None:
    custody.record(
        conn,
        [
            custody.NewEvent(
                CustodyEventType.ACCESS,
                acting_agent(conn),
                case_id=case_id,
                outcome=outcome,
                detail={
                    "object": "testimony",
                    "testimony": row["id"],
                    "person": row["person_id"],
                    "action": "reveal",
                    "purpose": clean_text(stated, "the reason", "--reason"),
                },
            )
        ],
    )


def list_for_person(instance: Instance, person_id: str) -> list[TestimonyListed]:
    """A person's testimonies, oldest first: metadata only, never their words."""
    with read_transaction(instance.engine) as conn:
        _require(conn, instance, access.Action.READ, person_id)
        history.current(conn, "person", person_id)
        rows = queries.testimonies_of(conn, person_id)
    return [TestimonyListed(**row) for row in rows]


def export_rows(conn: Connection, instance: Instance, case_id: str) -> list[dict[str, Any]]:
    """Every testimony of the case with its words unsealed (or erased), for an export already
    cleared by consent; oldest first."""
    keys: dict[str, identity.PersonKey | None] = {}
    found = []
    for row in queries.testimonies_of_case(conn, case_id):
        person_id = row["person_id"]
        if person_id not in keys:
            keys[person_id] = _key(conn, instance, person_id)
        found.append(_metadata(row, case_id) | _texts(conn, keys[person_id], row))
    return found
