"""The do-no-harm risk gate before an interview (CSO-01, CSO-03; docs/survivors.md).

:func:`assess_risk` records the assessment that must come before any testimony; :func:`assessment`
reads one back for :func:`testament.survivors.testimony.record`, which takes an account only after a
``proceed`` assessment of the same person. Refusals here and there name every unmet requirement of
:mod:`testament.domain.interview` by the CLI's option (:data:`OPTIONS`, :func:`refuse`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NoReturn

from sqlalchemy import Connection

from testament.custody import custody, history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain import access
from testament.domain import interview as rules
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.domain.text import clean_text
from testament.errors import ConsentRequired, InvalidInput, PermissionDenied
from testament.survivors.queries import interviews as queries
from testament.taxonomy import vocabulary

# The domain's field names, as the CLI's options (the API maps them back to its own fields).
OPTIONS = {
    "flags": "--flag",
    "decision": "--decision",
    "override_reason": "--override-reason",
    "risk_assessment_id": "--assessment",
    "guardian_consent": "--guardian-consent",
    "child_assent": "--child-assent",
    "interviewer": "--interviewer",
    "reinterview_justification": "--reinterview-justification",
    "intended_use": "--intended-use",
    "intended_recipient": "--recipient-class",
    "why_needed": "--why-needed",
    "best_interests": "--best-interests",
    "account": "--account",
    "given": "--given",
}
_REFUSALS = {rules.CONSENT: ConsentRequired, rules.PERMISSION: PermissionDenied}


def refuse(problems: Sequence[rules.Unmet]) -> NoReturn:
    """One error naming every unmet requirement by field; its kind is the first one's."""
    errors: dict[str, str] = {}
    for problem in problems:
        key = OPTIONS.get(problem.field, problem.field)
        errors[key] = f"{errors[key]}; {problem.reason}" if key in errors else problem.reason
    first = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    raise _REFUSALS.get(first.kind, InvalidInput)(
        first.reason + more, where=OPTIONS.get(first.field, first.field), errors=errors
    )


def _text(value: str | None, what: str, where: str, *, required: bool = False) -> str:
    return clean_text(value if value is not None else "", what, where, required=required)


def _event(conn: Connection, event_type: CustodyEventType, case_id: str, **detail: Any) -> None:
    custody.record(
        conn, [custody.NewEvent(event_type, acting_agent(conn), case_id=case_id, detail=detail)]
    )


def assess_risk(
    instance: Instance,
    person_id: str,
    *,
    flags: Sequence[str],
    risks_person: str,
    risks_family: str,
    risks_staff: str,
    decision: str | None,
    override_reason: str | None = None,
) -> str:
    """Record a risk assessment of a person; returns its ID.

    ``decision`` None takes the default, ``refer``, for a flagged person. A ``proceed`` for a flagged
    person needs ``override_reason``; the acting user is recorded as the supervisor who overrode (an
    override needs the coordinator role or above on the person's case).
    """
    codes = vocabulary.require("vulnerability-flags", flags, where="--flag")
    chosen = decision or rules.default_decision(codes)
    if chosen is None:
        raise InvalidInput("state the decision: proceed, defer or refer", where="--decision")
    chosen = vocabulary.require_one("risk-decisions", chosen, where="--decision")
    risks = {
        "risks_person": _text(risks_person, "the risks to the person", "--risks-person", required=True),
        "risks_family": _text(risks_family, "the risks to family and community", "--risks-family", required=True),
        "risks_staff": _text(risks_staff, "the risks to staff", "--risks-staff", required=True),
    }  # fmt: skip
    override = _text(override_reason, "the override reason", "--override-reason") or None
    problems = rules.assessment_problems(codes, chosen, override)
    if problems:
        refuse(problems)
    with recording(instance) as conn:
        _require(conn, instance, access.Action.DOCUMENT, person_id)
        if override:  # a supervisor's override is a coordinator's (CSO-03)
            _require(conn, instance, access.Action.MANAGE_CASE, person_id)
        person = history.current(conn, "person", person_id)
        agent_id = acting_agent(conn)
        assessment_id = new_id()
        queries.insert_assessment(conn, {
            "id": assessment_id, "person_id": person_id, "flags": json.dumps(sorted(codes)),
            "decision": chosen, "override_reason": override,
            "override_by": agent_id if override else None,
            "assessed_at": utc_timestamp(), "assessed_by": agent_id, **risks,
        })  # fmt: skip
        _event(
            conn,
            CustodyEventType.CREATION,
            person["case_id"],
            object="risk-assessment",
            risk_assessment=assessment_id,
            person=person_id,
        )
    return assessment_id


def _require(conn: Connection, instance: Instance, action: access.Action, person_id: str) -> None:
    policy.require(conn, instance, action, kind="person", record_id=person_id)


def assessment(conn: Connection, assessment_id: str) -> rules.Assessment | None:
    """A recorded assessment as the interview rules read it; None if no assessment has this ID."""
    row = queries.assessment(conn, assessment_id)
    if row is None:
        return None
    return rules.Assessment(
        row["person_id"],
        frozenset(json.loads(row["flags"])),
        row["decision"],
        row["override_reason"],
    )
