"""Where a person's guided intake stands, step by step (docs/survivors.md, "The guided intake").

The steps are those every testimony follows: the person is recorded (the identity vault), the risk
assessment (CSO-01, CSO-03), consent (CSO-02), the interview (CSO-05…08) and needs and referrals (MC-05).
:func:`progress` reads what each step holds for one person, so a page can show the state of each and
keep the interview closed until its gates are met: the latest risk assessment's decision and flags
(never its texts), the consent grants with their state, the testimonies (metadata only) and how many
needs were assessed. :func:`earlier_accounts` asks the re-interview registry for other people who match
this one and have given an account (CSO-04, MC-04); it compares every identity in the vault, so only the
interview step asks it.

Nothing here unseals a value or writes anything. The steps themselves are recorded by ``identity``,
``testimony``, ``consent`` and ``referrals``, which enforce every rule again whatever a page shows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection

from testament.custody import history, policy
from testament.custody.instance import Instance
from testament.domain import interview as rules
from testament.domain.access import Action
from testament.errors import NotFound
from testament.storage.engine import read_transaction
from testament.survivors import consent, identity, registry
from testament.survivors.queries import interviews as queries
from testament.survivors.queries import support
from testament.survivors.results import (
    AssessmentInBrief,
    GrantView,
    HeldElsewhere,
    InterviewInBrief,
    Match,
    Term,
)
from testament.taxonomy import loader

# What the interview still waits for, in the order of the steps.
NO_ASSESSMENT, NOT_PROCEED, NO_CONSENT = "risk-assessment", "risk-decision", "consent"


@dataclass(frozen=True)
class Progress:
    """One person's intake: what each step holds. ``identity`` is ``sealed``, ``none`` or ``erased``."""

    person_id: str
    label: str
    case: str
    identity: str
    assessment: AssessmentInBrief | None
    grants: list[GrantView]
    testimonies: list[InterviewInBrief]
    needs: int

    @property
    def decision(self) -> str | None:
        return None if self.assessment is None else self.assessment.decision

    @property
    def flags(self) -> list[str]:
        return [] if self.assessment is None else list(self.assessment.flags)

    @property
    def consented(self) -> bool:
        """At least one live grant (an account may only be taken after one, CSO-02)."""
        return any(grant.state == "active" for grant in self.grants)

    @property
    def referred(self) -> bool:
        """The latest assessment decided not to interview now (``refer`` or ``defer``)."""
        return self.decision in (rules.REFER, rules.DEFER)

    def missing(self) -> list[str]:
        """What the interview still waits for: :data:`NO_ASSESSMENT`, :data:`NOT_PROCEED`, :data:`NO_CONSENT`."""
        found = []
        if self.assessment is None:
            found.append(NO_ASSESSMENT)
        elif self.decision != rules.PROCEED:
            found.append(NOT_PROCEED)
        if not self.consented:
            found.append(NO_CONSENT)
        return found

    def earlier_dates(self, matches: list[Match | HeldElsewhere]) -> list[str]:
        """Days of earlier accounts: the person's own, and those of the people ``matches`` describes."""
        own = [t.started_at[:10] for t in self.testimonies]
        matched = [i.started_at[:10] for m in matches if isinstance(m, Match) for i in m.interviews]
        return sorted(set(own + matched))


def _latest_assessment(conn: Connection, person_id: str) -> AssessmentInBrief | None:
    row = queries.latest_assessment(conn, person_id)
    if row is None:
        return None
    return AssessmentInBrief(
        id=row["id"],
        flags=sorted(json.loads(row["flags"])),
        decision=row["decision"],
        overridden=bool(row["override_reason"]),
        assessed_at=row["assessed_at"],
    )


def _testimonies(conn: Connection, person_id: str) -> list[InterviewInBrief]:
    return [
        InterviewInBrief(
            id=r["id"],
            started_at=r["started_at"],
            timezone=r["timezone"],
            interviewer=r["username"],
            something_given=not r["nothing_promised"],
        )
        for r in queries.testimonies_in_brief(conn, person_id)
    ]


def progress(instance: Instance, person_id: str) -> Progress:
    """Where the intake of ``person_id`` stands (NotFound for a person that does not exist)."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind="person", record_id=person_id)
        person = history.current(conn, "person", person_id)
        case = queries.case_name(conn, person["case_id"])
        assessment = _latest_assessment(conn, person_id)
        testimonies = _testimonies(conn, person_id)
        needs = support.count_needs(conn, person_id)
    return Progress(
        person_id=person_id,
        label=str(person["label"]),
        case=str(case),
        identity=identity.summary(instance, person_id).identity,
        assessment=assessment,
        grants=consent.grants(instance, person_id),
        testimonies=testimonies,
        needs=int(needs),
    )


def earlier_accounts(instance: Instance, person_id: str) -> list[Match | HeldElsewhere]:
    """Other people the registry matches with this one who have given an account, best first, as the
    acting user may see them (``registry.answer``: only whom to ask, where they hold no role). For
    whoever may document the person (the interview step): asking may file registry requests."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="person", record_id=person_id)
        history.current(conn, "person", person_id)
        ranked = registry.earlier_ranked(conn, instance, person_id)
    return registry.answer(instance, ranked)


def choices(vocabulary: str, language: str) -> list[Term]:
    """A vocabulary's terms as a form offers them: code, label and definition in ``language``."""
    found = loader.shipped().vocabulary(vocabulary)
    if found is None:
        raise NotFound(f"there is no vocabulary {vocabulary!r}")
    return [
        Term(
            code=term.code,
            label=term.label.get(language) or term.label.get("en") or term.code,
            definition=term.definition.get(language) or term.definition.get("en") or "",
        )
        for term in found.terms
    ]
