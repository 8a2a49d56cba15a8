"""Testimonies: the risk gate, then the account in the person's words, sealed with their key (docs/survivors.md).

:func:`assess_risk` records the do-no-harm assessment that must come first (CSO-01, CSO-03).
:func:`record` takes an account only when :mod:`testament.domain.interview` finds nothing unmet: a
``proceed`` assessment of the same person, a consent grant covering the intended use: its purpose,
to its recipient class (CSO-02, asked of ``consent.decide`` as ``testament consent check`` asks
it), a guardian's consent and the child's assent for a child (MC-10), a trained interviewer for a
child or a survivor of sexual violence (MC-08), a reason for any second account (CSO-04, MC-04),
and the account or its recording (CSO-07). It records when and where, in what language, with whom
present, how the person was reached, and whether
anything was promised or given (CSO-06), and the source of knowledge of each fact (CSO-08).

The account, its summary and each fact are sealed with the person's own key (``identity.PersonKey``), so
erasing the person destroys them. The custody log names the testimony and the person by ID only, and
nothing here enters the search index. Reading the words back (:func:`show`) is an ``access`` event with
the reason given; after an erasure every text reads :data:`~testament.survivors.identity.ERASED`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection, insert, select, update

from testament.accounts import accounts
from testament.custody import custody, history, policy
from testament.custody.access_log import check_purpose
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain import access
from testament.domain import interview as rules
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.domain.text import clean_text
from testament.errors import ConsentRequired, InvalidInput, NotFound, PermissionDenied
from testament.search import indexing
from testament.storage import tables
from testament.storage.engine import read_transaction
from testament.survivors import consent, identity, registry, training
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


def _refuse(problems: Sequence[rules.Unmet]) -> NoReturn:
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


# --- The risk gate (CSO-01, CSO-03) -------------------------------------------------------------------


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
        _refuse(problems)
    with recording(instance) as conn:
        _require(conn, instance, access.Action.DOCUMENT, person_id)
        if override:  # a supervisor's override is a coordinator's (CSO-03)
            _require(conn, instance, access.Action.MANAGE_CASE, person_id)
        person = history.current(conn, "person", person_id)
        agent_id = acting_agent(conn)
        assessment_id = new_id()
        conn.execute(
            insert(tables.risk_assessment).values(
                id=assessment_id,
                person_id=person_id,
                flags=json.dumps(sorted(codes)),
                decision=chosen,
                override_reason=override,
                override_by=agent_id if override else None,
                assessed_at=utc_timestamp(),
                assessed_by=agent_id,
                **risks,
            )
        )
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


def _assessment(conn: Connection, assessment_id: str) -> rules.Assessment | None:
    t = tables.risk_assessment
    row = conn.execute(select(t).where(t.c.id == assessment_id)).mappings().first()
    if row is None:
        return None
    return rules.Assessment(
        row["person_id"],
        frozenset(json.loads(row["flags"])),
        row["decision"],
        row["override_reason"],
    )


# --- Recording a testimony ----------------------------------------------------------------------------


def _zone(value: str) -> str:
    """An IANA time zone name (``Europe/Kyiv``)."""
    name = (value or "").strip()
    try:
        if not name or len(name) > 64:
            raise ValueError(name)
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidInput(
            "not an IANA time zone", where="--timezone", hint="e.g. Europe/Kyiv or UTC"
        ) from None
    return name


def _interviewer(conn: Connection, username: str, case_id: str) -> tuple[int, bool]:
    """The interviewer's account number, and whether they may document on the case."""
    found = conn.execute(
        select(tables.user_account.c.id).where(tables.user_account.c.username == username.strip())
    ).scalar()
    if found is None:
        raise NotFound("no user has this username", where="--interviewer")
    actor = accounts.actor(conn, int(found))
    allowed = actor is not None and bool(access.decide(actor, access.Action.DOCUMENT, case_id))
    return int(found), allowed


def _check_item(conn: Connection, item_id: str, case_id: str) -> None:
    t = tables.evidence_item
    found = conn.execute(select(t.c.case_id).where(t.c.id == item_id)).scalar()
    if found != case_id:
        raise InvalidInput(
            "the recording must be an evidence item of the person's case", where="--recording"
        )


def earlier_accounts(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    """The person's testimonies so far, oldest first: ID, start and interviewer (CSO-04, MC-04)."""
    t, u = tables.testimony, tables.user_account
    rows = conn.execute(
        select(t.c.id, t.c.started_at, u.c.username.label("interviewer"))
        .join(u, u.c.id == t.c.interviewer_id)
        .where(t.c.person_id == person_id)
        .order_by(t.c.started_at, t.c.id)
    ).mappings()
    return [dict(row) for row in rows]


def _earlier(conn: Connection, instance: Instance, person_id: str) -> tuple[tuple[str, ...], int]:
    """Days of the person's earlier accounts: their own, and those of anyone in the vault whose name,
    date of birth and place match theirs (the re-interview registry, across scripts and spellings) on
    a case the acting user holds a role on; and how many matches are held where they hold none (their
    dates are not told)."""
    own = [e["started_at"][:10] for e in earlier_accounts(conn, person_id)]
    seen, elsewhere = registry.earlier_seen(conn, instance, person_id)
    matched = [interview["started_at"][:10] for found in seen for interview in found.interviews]
    return tuple(own + matched), elsewhere


def record(
    instance: Instance,
    person_id: str,
    *,
    risk_assessment_id: str,
    interviewer: str,
    started_at: str,
    ended_at: str | None = None,
    timezone: str,
    place: str,
    language: str,
    interpreter: str = "",
    present: Sequence[str] = (),
    contact_via: str,
    account: str | None = None,
    recording_item_id: str | None = None,
    summary: str | None = None,
    facts: Sequence[tuple[str, str]] = (),
    nothing_promised: bool,
    given: str = "",
    guardian_consent: bool = False,
    child_assent: bool = False,
    reinterview_justification: str = "",
    intended_use: str = "",
    intended_recipient: str = "",
    why_needed: str = "",
    best_interests: str = "",
) -> str:
    """Record a testimony once every requirement is met; returns its ID.

    Refusals name every unmet requirement by field (``domain.interview.unmet``) and never repeat a
    value: ConsentRequired, PermissionDenied or InvalidInput, after the first.
    """
    for ref, where in (
        (risk_assessment_id, "--assessment"),
        (interviewer, "--interviewer"),
        (recording_item_id or "", "--recording"),
    ):
        _text(ref, "the reference", where)  # no NUL: PostgreSQL cannot even compare one
    start, end = rules.times(started_at, ended_at, datetime.now(UTC))
    columns = rules.details(place, language, interpreter, present, contact_via) | {
        "risk_assessment_id": risk_assessment_id,
        "started_at": start,
        "ended_at": end,
        "timezone": _zone(timezone),
        "recording_item_id": recording_item_id or None,
        "nothing_promised": nothing_promised,
        "given": _text(given, "what was promised or given", "--given"),
        "guardian_consent": guardian_consent,
        "child_assent": child_assent,
        "reinterview_justification": _text(
            reinterview_justification, "the justification", "--reinterview-justification"
        ),
        "intended_use": (
            vocabulary.require_one("consent-purposes", intended_use, where="--intended-use")
            if intended_use.strip()
            else ""
        ),
        "intended_recipient": (
            vocabulary.require_one(
                "recipient-classes", intended_recipient, where="--recipient-class"
            )
            if intended_recipient.strip()
            else ""
        ),
        "why_needed": _text(why_needed, "why it is needed", "--why-needed"),
        "best_interests": _text(best_interests, "the best-interests note", "--best-interests"),
    }
    words = {
        "account": _text(account, "the account", "--account") or None,
        "summary": _text(summary, "the summary", "--summary") or None,
    }
    checked_facts = rules.facts(facts)
    with recording(instance) as conn:
        _require(conn, instance, access.Action.DOCUMENT, person_id)
        case_id = history.current(conn, "person", person_id)["case_id"]
        interviewer_id = _admit(
            conn,
            instance,
            person_id,
            case_id,
            interviewer,
            columns=columns,
            has_account=bool(words["account"]),
        )
        key = identity.key_for(conn, instance, person_id)
        testimony_id = new_id()
        conn.execute(
            insert(tables.testimony).values(
                id=testimony_id,
                person_id=person_id,
                interviewer_id=interviewer_id,
                account_sealed=_seal(key, testimony_id, "account", words["account"]),
                summary_sealed=_seal(key, testimony_id, "summary", words["summary"]),
                recorded_at=utc_timestamp(),
                recorded_by=acting_agent(conn),
                **columns,
            )
        )
        _store_facts(conn, key, testimony_id, checked_facts)
        if recording_item_id:
            # A recording's file name and notes may name the person: they leave the search index.
            indexing.refresh(conn, "item", [recording_item_id])
        _event(
            conn,
            CustodyEventType.CREATION,
            case_id,
            object="testimony",
            testimony=testimony_id,
            person=person_id,
        )
    return testimony_id


def _admit(
    conn: Connection,
    instance: Instance,
    person_id: str,
    case_id: str,
    interviewer: str,
    *,
    columns: dict[str, Any],
    has_account: bool,
) -> int:
    """Refuse unless the interview meets every requirement; the interviewer's account number."""
    interviewer_id, may_document = _interviewer(conn, interviewer, case_id)
    if columns["recording_item_id"]:
        _check_item(conn, columns["recording_item_id"], case_id)
    earlier_dates, elsewhere = _earlier(conn, instance, person_id)
    consented, consent_reason = _covered(
        conn, person_id, columns["intended_use"], columns["intended_recipient"]
    )
    proposal = rules.Proposal(
        person_id=person_id,
        assessment=_assessment(conn, columns["risk_assessment_id"]),
        consented=consented,
        consent_reason=consent_reason,
        intended_recipient=columns["intended_recipient"],
        guardian_consent=columns["guardian_consent"],
        child_assent=columns["child_assent"],
        interviewer_topics=training.active_topics(conn, interviewer_id, columns["started_at"]),
        interviewer_may_document=may_document,
        earlier_dates=earlier_dates,
        earlier_elsewhere=elsewhere,
        reinterview_justification=columns["reinterview_justification"],
        intended_use=columns["intended_use"],
        why_needed=columns["why_needed"],
        best_interests=columns["best_interests"],
        has_account=has_account,
        has_recording=columns["recording_item_id"] is not None,
        nothing_promised=columns["nothing_promised"],
        given=columns["given"],
    )
    problems = rules.unmet(proposal)
    if problems:
        _refuse(problems)
    return interviewer_id


def _covered(conn: Connection, person_id: str, purpose: str, recipient: str) -> tuple[bool, str]:
    """Whether consent covers holding the account for this purpose and recipient class, and if not,
    why (codes only). Unstated, the plan's own requirement refuses it (MC-07)."""
    if not (purpose and recipient):
        return True, ""
    decision = consent.decide(conn, person_id, consent.recording_use(purpose, recipient))
    return decision.allowed, decision.reason


def change_use(
    instance: Instance, testimony_id: str, *, intended_use: str, intended_recipient: str
) -> None:
    """Change what a testimony is held for, once consent covers the new purpose and recipient class.

    Refused (ConsentRequired, naming the missing grant by its codes) otherwise; the change is a
    ``metadata modification`` event naming the codes, never the person.
    """
    purpose = vocabulary.require_one("consent-purposes", intended_use, where="--intended-use")
    recipient = vocabulary.require_one(
        "recipient-classes", intended_recipient, where="--recipient-class"
    )
    with recording(instance) as conn:
        row, case_id = _opened_as(conn, instance, access.Action.DOCUMENT, testimony_id)
        covered, reason = _covered(conn, row["person_id"], purpose, recipient)
        if not covered:
            raise ConsentRequired(
                f"consent does not cover this account's intended use: {reason}",
                where="--intended-use",
                errors={"--intended-use": reason, "--recipient-class": reason},
                hint="record the grant with `testament consent grant` once the person has agreed "
                "to it",
            )
        t = tables.testimony
        conn.execute(
            update(t)
            .where(t.c.id == testimony_id)
            .values(intended_use=purpose, intended_recipient=recipient)
        )
        _event(
            conn,
            CustodyEventType.METADATA_MODIFICATION,
            case_id,
            object="testimony",
            testimony=testimony_id,
            person=row["person_id"],
            intended_use=purpose,
            intended_recipient=recipient,
        )


def _store_facts(
    conn: Connection, key: identity.PersonKey, testimony_id: str, facts: list[tuple[str, str]]
) -> None:
    if not facts:
        return
    conn.execute(
        insert(tables.testimony_fact),
        [
            {
                "testimony_id": testimony_id,
                "position": n,
                "knowledge": knowledge,
                "statement_sealed": _seal(key, testimony_id, f"fact/{n}", statement),
            }
            for n, (statement, knowledge) in enumerate(facts, 1)
        ],
    )


def _seal(key: identity.PersonKey, testimony_id: str, part: str, text: str | None) -> bytes | None:
    return None if text is None else key.seal_text(f"testimony/{testimony_id}/{part}", text)


# --- Reading testimonies back ---------------------------------------------------------------------------


def _opened(conn: Connection, testimony_id: str) -> tuple[dict[str, Any], str]:
    """The testimony's row (with the interviewer's username) and its case's ID."""
    t, u = tables.testimony, tables.user_account
    row = (
        conn.execute(
            select(t, u.c.username.label("interviewer"))
            .join(u, u.c.id == t.c.interviewer_id)
            .where(t.c.id == testimony_id)
        )
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound("no testimony has this ID", where=testimony_id)
    person = history.current(conn, "person", row["person_id"], deleted=True)
    return dict(row), str(person["case_id"])


def _opened_as(
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
    f = tables.testimony_fact
    rows = conn.execute(
        select(f.c.position, f.c.knowledge, f.c.statement_sealed)
        .where(f.c.testimony_id == testimony_id)
        .order_by(f.c.position)
    ).mappings()
    return [dict(r) for r in rows]


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
        found = conn.execute(
            select(tables.testimony.c.person_id).where(tables.testimony.c.id == testimony_id)
        ).scalar()
        if found is None:
            raise NotFound("no testimony has this ID", where=testimony_id)
        _hidden_unless(conn, instance, access.Action.READ, str(found), testimony_id)
    return str(found)


def recorded_in(instance: Instance, item_id: str) -> str | None:
    """The testimony whose recording evidence item ``item_id`` is, if any (the first recorded).

    A recording is the person's words: its bytes are played or downloaded only under the rule that
    unseals the words (``reveal-identity``), and a refused attempt is logged as one on the words.
    """
    t = tables.testimony
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, access.Action.READ, kind="evidence", record_id=item_id)
        found = conn.execute(
            select(t.c.id)
            .where(t.c.recording_item_id == item_id)
            .order_by(t.c.recorded_at, t.c.id)
            .limit(1)
        ).scalar()
    return None if found is None else str(found)


def describe(instance: Instance, testimony_id: str) -> dict[str, Any]:
    """A testimony's metadata without its words: what anyone who may read the case sees."""
    with read_transaction(instance.engine) as conn:
        row, case_id = _opened_as(conn, instance, access.Action.READ, testimony_id)
        facts = _fact_rows(conn, testimony_id)
    return _metadata(row, case_id) | {
        "has_account": row["account_sealed"] is not None,
        "has_summary": row["summary_sealed"] is not None,
        "facts": [{"position": f["position"], "knowledge": f["knowledge"]} for f in facts],
    }


def show(instance: Instance, testimony_id: str, *, reveal_reason: str) -> dict[str, Any]:
    """A testimony with its words unsealed; the reveal and its reason are an ``access`` event.

    It needs ``reveal-identity`` on the person's case.
    """
    stated = check_purpose(reveal_reason)
    with recording(instance) as conn:
        row, case_id = _opened_as(conn, instance, access.Action.REVEAL_IDENTITY, testimony_id)
        data = _metadata(row, case_id) | _texts(conn, _key(conn, instance, row["person_id"]), row)
        _access(conn, row, case_id, stated, "success")
    return data


def refused(instance: Instance, testimony_id: str, reason: str | None) -> None:
    """Record an attempt to read a testimony's words that the policy refused (outcome ``denied``): by
    someone who may read the case (to anyone else the testimony is absent)."""
    stated = " ".join((reason or "").replace("\x00", "").split())[:300] or "(none stated)"
    with recording(instance) as conn:
        row, case_id = _opened_as(conn, instance, access.Action.READ, testimony_id)
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


def list_for_person(instance: Instance, person_id: str) -> list[dict[str, Any]]:
    """A person's testimonies, oldest first: metadata only, never their words."""
    t, u = tables.testimony, tables.user_account
    with read_transaction(instance.engine) as conn:
        _require(conn, instance, access.Action.READ, person_id)
        history.current(conn, "person", person_id)
        rows = conn.execute(
            select(
                t.c.id,
                t.c.started_at,
                t.c.ended_at,
                t.c.timezone,
                t.c.language,
                u.c.username.label("interviewer"),
                t.c.risk_assessment_id,
                t.c.recording_item_id,
                t.c.recorded_at,
            )
            .join(u, u.c.id == t.c.interviewer_id)
            .where(t.c.person_id == person_id)
            .order_by(t.c.started_at, t.c.id)
        ).mappings()
        return [dict(row) for row in rows]


def export_rows(conn: Connection, instance: Instance, case_id: str) -> list[dict[str, Any]]:
    """Every testimony of the case with its words unsealed (or erased), for an export already
    cleared by consent; oldest first."""
    t, u, p = tables.testimony, tables.user_account, tables.person
    rows = conn.execute(
        select(t, u.c.username.label("interviewer"))
        .join(u, u.c.id == t.c.interviewer_id)
        .join(p, p.c.id == t.c.person_id)
        .where(p.c.case_id == case_id)
        .order_by(t.c.started_at, t.c.id)
    ).mappings()
    keys: dict[str, identity.PersonKey | None] = {}
    found = []
    for mapping in rows.all():
        row = dict(mapping)
        person_id = row["person_id"]
        if person_id not in keys:
            keys[person_id] = _key(conn, instance, person_id)
        found.append(_metadata(row, case_id) | _texts(conn, keys[person_id], row))
    return found
