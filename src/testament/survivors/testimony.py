"""Testimonies: the account in the person's words, sealed with their key (docs/survivors.md).

:func:`record` takes an account only when :mod:`testament.domain.interview` finds nothing unmet: a
``proceed`` assessment of the same person (:mod:`testament.survivors.risk`, CSO-01, CSO-03), a consent
grant covering the intended use: its purpose, to its recipient class (CSO-02, asked of
``consent.decide`` as ``testament consent check`` asks it), a guardian's consent and the child's assent
for a child (MC-10), a trained interviewer for a child or a survivor of sexual violence (MC-08), a
reason for any second account (CSO-04, MC-04), and the account or its recording (CSO-07). It records
when and where, in what language, with whom present, how the person was reached, and whether
anything was promised or given (CSO-06), and the source of knowledge of each fact (CSO-08).

The account, its summary and each fact are sealed with the person's own key (``identity.PersonKey``), so
erasing the person destroys them. The custody log names the testimony and the person by ID only, and
nothing here enters the search index. Reading the words back (an ``access`` event with the reason
given) is :mod:`testament.survivors.testimony_reading`; the edges reach it, and the risk gate
(:mod:`testament.survivors.risk`), through this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection

from testament.accounts import accounts
from testament.custody import custody, history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain import access
from testament.domain import interview as rules
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.ids import new_id
from testament.domain.text import clean_text
from testament.errors import ConsentRequired, InvalidInput, NotFound
from testament.search import indexing
from testament.storage.engine import lock_log
from testament.survivors import consent, identity, registry, risk, testimony_reading, training
from testament.survivors.queries import interviews as queries
from testament.survivors.queries.training import user_id_named
from testament.taxonomy import vocabulary

# The risk gate and reading testimonies back, under the names the edges and tests use.
assess_risk = risk.assess_risk
person_of = testimony_reading.person_of
recorded_in = testimony_reading.recorded_in
describe = testimony_reading.describe
show = testimony_reading.show
refused = testimony_reading.refused
list_for_person = testimony_reading.list_for_person
export_rows = testimony_reading.export_rows


def _text(value: str | None, what: str, where: str, *, required: bool = False) -> str:
    return clean_text(value if value is not None else "", what, where, required=required)


def _event(conn: Connection, event_type: CustodyEventType, case_id: str, **detail: Any) -> None:
    custody.record(
        conn, [custody.NewEvent(event_type, acting_agent(conn), case_id=case_id, detail=detail)]
    )


def _require(conn: Connection, instance: Instance, action: access.Action, person_id: str) -> None:
    policy.require(conn, instance, action, kind="person", record_id=person_id)


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
    found = user_id_named(conn, username)
    if found is None:
        raise NotFound("no user has this username", where="--interviewer")
    actor = accounts.actor(conn, int(found))
    allowed = actor is not None and bool(access.decide(actor, access.Action.DOCUMENT, case_id))
    return int(found), allowed


def _check_item(conn: Connection, item_id: str, case_id: str) -> None:
    if queries.item_case(conn, item_id) != case_id:
        raise InvalidInput(
            "the recording must be an evidence item of the person's case", where="--recording"
        )


def earlier_accounts(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    """The person's testimonies so far, oldest first: ID, start and interviewer (CSO-04, MC-04)."""
    return queries.earlier_accounts(conn, person_id)


def _earlier(conn: Connection, instance: Instance, person_id: str) -> tuple[tuple[str, ...], int]:
    """Days of the person's earlier accounts: their own, and those of anyone in the vault whose name,
    date of birth and place match theirs (the re-interview registry, across scripts and spellings) on
    a case the acting user holds a role on; and how many matches are held where they hold none (their
    dates are not told)."""
    own = [e["started_at"][:10] for e in earlier_accounts(conn, person_id)]
    seen, elsewhere = registry.earlier_seen(conn, instance, person_id)
    matched = [interview.started_at[:10] for found in seen for interview in found.interviews]
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
    _check_references(risk_assessment_id, interviewer, recording_item_id)
    start, end = rules.times(started_at, ended_at, datetime.now(UTC))
    columns = (
        rules.details(place, language, interpreter, present, contact_via)
        | {
            "risk_assessment_id": risk_assessment_id,
            "started_at": start,
            "ended_at": end,
            "timezone": _zone(timezone),
            "recording_item_id": recording_item_id or None,
            "nothing_promised": nothing_promised,
            "given": _text(given, "what was promised or given", "--given"),
            "guardian_consent": guardian_consent,
            "child_assent": child_assent,
        }
        | _purpose(
            reinterview_justification, intended_use, intended_recipient, why_needed, best_interests
        )
    )
    words = _words(account, summary)
    fact_list = rules.facts(facts)
    with recording(instance) as conn:
        return _store(
            conn, instance, person_id, interviewer, columns=columns, words=words, facts=fact_list
        )


def _check_references(
    risk_assessment_id: str, interviewer: str, recording_item_id: str | None
) -> None:
    for ref, where in (
        (risk_assessment_id, "--assessment"),
        (interviewer, "--interviewer"),
        (recording_item_id or "", "--recording"),
    ):
        _text(ref, "the reference", where)  # no NUL: PostgreSQL cannot even compare one


def _purpose(
    reinterview_justification: str,
    intended_use: str,
    intended_recipient: str,
    why_needed: str,
    best_interests: str,
) -> dict[str, str]:
    """Why the account is taken and what for, checked: a second account's justification, the intended
    use and recipient class (vocabulary codes, empty where unstated), why it is needed, and the
    best-interests note."""
    return {
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


def _words(account: str | None, summary: str | None) -> dict[str, str | None]:
    """The account and its summary, checked; None where not given."""
    return {
        "account": _text(account, "the account", "--account") or None,
        "summary": _text(summary, "the summary", "--summary") or None,
    }


def _store(
    conn: Connection,
    instance: Instance,
    person_id: str,
    interviewer: str,
    *,
    columns: dict[str, Any],
    words: dict[str, str | None],
    facts: list[tuple[str, str]],
) -> str:
    """In the recording's transaction: the policy, every requirement (:func:`_admit`), then the account
    sealed with the person's key, its facts and its ``creation`` event; returns the testimony's ID."""
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
    queries.insert_testimony(
        conn,
        {
            "id": testimony_id,
            "person_id": person_id,
            "interviewer_id": interviewer_id,
            "account_sealed": _seal(key, testimony_id, "account", words["account"]),
            "summary_sealed": _seal(key, testimony_id, "summary", words["summary"]),
            "recorded_at": utc_timestamp(),
            "recorded_by": acting_agent(conn),
            **columns,
        },
    )
    _store_facts(conn, key, testimony_id, facts)
    if columns["recording_item_id"]:
        # A recording's file name and notes may name the person: they leave the search index.
        indexing.refresh(conn, "item", [columns["recording_item_id"]])
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
        assessment=risk.assessment(conn, columns["risk_assessment_id"]),
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
        risk.refuse(problems)
    return interviewer_id


def _covered(conn: Connection, person_id: str, purpose: str, recipient: str) -> tuple[bool, str]:
    """Whether consent covers holding the account for this purpose and recipient class, and if not,
    why (codes only). Unstated, the plan's own requirement refuses it (MC-07). Asked under the log's
    lock, as :func:`consent.require` is, so a withdrawal either comes first or sees this use."""
    if not (purpose and recipient):
        return True, ""
    lock_log(conn)
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
        row, case_id = testimony_reading.opened_as(
            conn, instance, access.Action.DOCUMENT, testimony_id
        )
        covered, reason = _covered(conn, row["person_id"], purpose, recipient)
        if not covered:
            raise ConsentRequired(
                f"consent does not cover this account's intended use: {reason}",
                where="--intended-use",
                errors={"--intended-use": reason, "--recipient-class": reason},
                hint="record the grant with `testament consent grant` once the person has agreed "
                "to it",
            )
        queries.set_intended_use(conn, testimony_id, purpose, recipient)
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
    queries.insert_facts(
        conn,
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
