"""The risk gate and the conditions for taking a testimony, over plain values (docs/survivors.md).

Pure and stdlib-only, so every rule can be property-tested. The services gather the facts (the risk
assessment, whether consent was granted, what training the interviewer holds, earlier accounts) and ask
:func:`unmet`, which names *every* unmet requirement at once, so a form or a command can show them all.

- **Risk gate** (CSO-01, CSO-03). An interview needs a recorded risk assessment of the same person whose
  decision is ``proceed``. A person flagged as vulnerable is referred by default (``refer``): a ``proceed``
  for them stands only with a supervisor's override reason.
- **Consent** (CSO-02). An account is taken only for a use the person consented to: its intended purpose,
  to its intended recipient class (the services ask ``consent.decide``, as ``testament consent check``).
- **Children** (MC-10). A child's interview needs their guardian's consent *and* the child's own assent.
- **Competency** (MC-08, CSO-17). Children and survivors of sexual violence are interviewed only by someone
  holding an active training attestation in trauma-informed interviewing *and* in the specialism
  (:data:`TRAINING`). The other flags gate through the risk assessment alone.
- **One account** (CSO-04, MC-04). A second testimony of the same person needs a stated justification.
- **The person's words** (CSO-07). A testimony holds the account in the person's words, a recording of
  it, or both.
- **No inducements** (CSO-06). Either nothing was promised or given, or what was is written down.

The checks of what was typed about an interview (its times, language, who was present, each fact's source
of knowledge) live here too: :func:`times`, :func:`details`, :func:`facts`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from testament.domain.custody import utc_timestamp
from testament.domain.text import clean_text
from testament.errors import InvalidInput

CHILD = "child"
SEXUAL_VIOLENCE = "sexual-violence"
FLAGS = (CHILD, SEXUAL_VIOLENCE, "disability", "trauma")  # vocabulary vulnerability-flags

PROCEED, DEFER, REFER = "proceed", "defer", "refer"
DECISIONS = (PROCEED, DEFER, REFER)  # vocabulary risk-decisions

KNOWLEDGE = ("saw", "heard", "document")  # vocabulary knowledge-sources (HURIDOCS MT 19)

TRAUMA_INFORMED = "trauma-informed-interviewing"
TOPICS = (TRAUMA_INFORMED, "sexual-violence", "child-interviewing")  # vocabulary training-topics

# The training attestations an interviewer must hold, for each flag that needs any (MC-08).
TRAINING: Mapping[str, tuple[str, ...]] = {
    CHILD: (TRAUMA_INFORMED, "child-interviewing"),
    SEXUAL_VIOLENCE: (TRAUMA_INFORMED, "sexual-violence"),
}

MAX_PRESENT = 50
MAX_FACTS = 1000
EARLIEST = "1900-01-01"
CLOCK_SLACK = timedelta(minutes=5)  # a field laptop's clock may run a little ahead
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,3}$")

# What kind of refusal each unmet requirement is: the services raise the matching error.
INPUT, CONSENT, PERMISSION = "input", "consent", "permission"


@dataclass(frozen=True)
class Unmet:
    """One requirement a proposed interview or assessment does not meet.

    ``code`` names the requirement, ``field`` the input to correct, ``reason`` says why in words that
    never repeat what was typed, and ``kind`` is :data:`INPUT`, :data:`CONSENT` or :data:`PERMISSION`.
    """

    code: str
    field: str
    reason: str
    kind: str = INPUT


@dataclass(frozen=True)
class Assessment:
    """A recorded risk assessment, as the gate sees it."""

    person_id: str
    flags: frozenset[str]
    decision: str
    override_reason: str | None = None


@dataclass(frozen=True)
class Proposal:
    """What is known about an interview someone asks to record."""

    person_id: str
    assessment: Assessment | None
    consented: bool
    guardian_consent: bool = False
    child_assent: bool = False
    interviewer_topics: frozenset[str] = frozenset()
    interviewer_may_document: bool = True
    earlier_dates: tuple[str, ...] = ()
    earlier_elsewhere: int = 0  # possible earlier accounts in cases the asker holds no role on
    reinterview_justification: str = ""
    has_account: bool = False
    has_recording: bool = False
    nothing_promised: bool = True
    given: str = ""
    intended_use: str = ""
    intended_recipient: str = ""
    why_needed: str = ""
    best_interests: str = ""
    consent_reason: str = ""  # why consent does not cover the intended use (codes only)

    @property
    def flags(self) -> frozenset[str]:
        """The person's vulnerability flags, as their risk assessment recorded them."""
        return self.assessment.flags if self.assessment is not None else frozenset()


def flagged(flags: Iterable[str]) -> bool:
    """Whether a person with these flags is vulnerable (CSO-03)."""
    return any(flag in FLAGS for flag in flags)


def default_decision(flags: Iterable[str]) -> str | None:
    """``refer`` for a flagged person (CSO-03); an unflagged person's assessor must decide."""
    return REFER if flagged(flags) else None


def training_needed(flags: Iterable[str]) -> tuple[str, ...]:
    """The training topics an interviewer of a person with these flags must hold, sorted."""
    return tuple(sorted({topic for flag in flags for topic in TRAINING.get(flag, ())}))


def assessment_problems(
    flags: Iterable[str], decision: str, override_reason: str | None
) -> list[Unmet]:
    """What is wrong with a risk assessment as proposed (CSO-01, CSO-03)."""
    flag_set = frozenset(flags)
    problems = [
        Unmet("unknown-flag", "flags", "not a vulnerability flag")
        for flag in sorted(flag_set)
        if flag not in FLAGS
    ]
    if decision not in DECISIONS:
        problems.append(Unmet("unknown-decision", "decision", f"one of {', '.join(DECISIONS)}"))
        return problems
    overridden = bool((override_reason or "").strip())
    if flagged(flag_set) and decision == PROCEED and not overridden:
        problems.append(
            Unmet(
                "override-needed",
                "override_reason",
                "a flagged person is referred by default; proceeding needs a supervisor's "
                "override reason (CSO-03)",
            )
        )
    if overridden and not (flagged(flag_set) and decision == PROCEED):
        problems.append(
            Unmet(
                "override-not-applicable",
                "override_reason",
                "an override applies only to proceeding with a flagged person",
            )
        )
    return problems


def _gate(assessment: Assessment | None, person_id: str) -> list[Unmet]:
    where = "risk_assessment_id"
    if assessment is None:
        return [
            Unmet("risk-assessment-missing", where, "an interview needs a risk assessment (CSO-01)")
        ]
    if assessment.person_id != person_id:
        return [
            Unmet("risk-assessment-other-person", where, "the risk assessment is of another person")
        ]
    if assessment.decision != PROCEED:
        return [
            Unmet(
                "risk-decision",
                where,
                f"the risk assessment decided {assessment.decision}, not proceed (CSO-01)",
            )
        ]
    return [
        Unmet(p.code, where, p.reason, p.kind)
        for p in assessment_problems(
            assessment.flags, assessment.decision, assessment.override_reason
        )
    ]


def _child(proposal: Proposal) -> list[Unmet]:
    if CHILD not in proposal.flags:
        return []
    found = []
    if not proposal.guardian_consent:
        found.append(
            Unmet(
                "guardian-consent-missing",
                "guardian_consent",
                "a child's interview needs their guardian's consent (MC-10)",
                CONSENT,
            )
        )
    if not proposal.child_assent:
        found.append(
            Unmet(
                "child-assent-missing",
                "child_assent",
                "a child's interview needs the child's own assent (MC-10)",
                CONSENT,
            )
        )
    if not proposal.best_interests.strip():
        found.append(
            Unmet(
                "best-interests-missing",
                "best_interests",
                "a child's interview needs a note on why it is in the child's best interests (MC-10)",
            )
        )
    return found


def _plan(proposal: Proposal) -> list[Unmet]:
    """MC-07: an interview must add value: say what it is for and why the information is not already
    available."""
    found = []
    if not proposal.intended_use.strip():
        found.append(
            Unmet(
                "intended-use-missing",
                "intended_use",
                "state what the account is for (a consent-purposes code; general awareness is not "
                "a reason to interview a survivor, MC-07)",
            )
        )
    if not proposal.intended_recipient.strip():
        found.append(
            Unmet(
                "intended-recipient-missing",
                "intended_recipient",
                "state who the account is for (a recipient-classes code): consent is given for a "
                "purpose and a recipient (MC-02)",
            )
        )
    if not proposal.why_needed.strip():
        found.append(
            Unmet(
                "why-needed-missing",
                "why_needed",
                "state why the information is not already available from other sources (MC-07)",
            )
        )
    return found


def _interviewer(proposal: Proposal) -> list[Unmet]:
    found = []
    if not proposal.interviewer_may_document:
        found.append(
            Unmet(
                "interviewer-no-role",
                "interviewer",
                "the interviewer has no documenter role (or above) on the person's case",
                PERMISSION,
            )
        )
    missing = [t for t in training_needed(proposal.flags) if t not in proposal.interviewer_topics]
    if missing:
        found.append(
            Unmet(
                "training-missing",
                "interviewer",
                f"the interviewer holds no active training attestation in {', '.join(missing)} (MC-08)",
                PERMISSION,
            )
        )
    return found


def _account(proposal: Proposal) -> list[Unmet]:
    found = []
    earlier = proposal.earlier_dates or proposal.earlier_elsewhere
    if earlier and not proposal.reinterview_justification.strip():
        dates = ", ".join(sorted(set(proposal.earlier_dates)))
        said = (
            f"this person was already interviewed on {dates}"
            if dates
            else "a possible earlier account of this person is held in a case you have no role "
            "on (ask its coordinator)"
        )
        found.append(
            Unmet(
                "reinterview-justification-missing",
                "reinterview_justification",
                f"{said}; state why another account is needed (CSO-04, MC-04)",
            )
        )
    if not (proposal.has_account or proposal.has_recording):
        found.append(
            Unmet(
                "account-missing",
                "account",
                "a testimony needs the account in the person's words, a recording of it, or both "
                "(CSO-07)",
            )
        )
    if not proposal.nothing_promised and not proposal.given.strip():
        found.append(
            Unmet("given-missing", "given", "say what was promised or given to the person (CSO-06)")
        )
    if proposal.nothing_promised and proposal.given.strip():
        found.append(
            Unmet(
                "given-contradicts",
                "given",
                "either nothing was promised or given, or say what was, not both",
            )
        )
    return found


def unmet(proposal: Proposal) -> list[Unmet]:
    """Every requirement the proposed interview does not meet, in the order of the workflow."""
    found = _gate(proposal.assessment, proposal.person_id)
    if not proposal.consented:
        found.append(
            Unmet(
                "consent-missing",
                "consent",
                f"consent does not cover this account's intended use: {proposal.consent_reason}; "
                "record their informed consent for it first (CSO-02)"
                if proposal.consent_reason
                else "the person has no active consent grant; record their informed consent "
                "first (CSO-02)",
                CONSENT,
            )
        )
    return found + _plan(proposal) + _child(proposal) + _interviewer(proposal) + _account(proposal)


def promise_warning(nothing_promised: bool) -> str | None:
    """The warning shown when something was promised or given to the person (CSO-06)."""
    if nothing_promised:
        return None
    return (
        "something was promised or given to the person: it is recorded with the testimony and may be "
        "used to challenge the account's credibility (CSO-06)"
    )


# --- Checking what was typed about an interview (CSO-06, CSO-08) ---------------------------------------
#
# Each refusal names the command-line option (the API maps it to its field) and never repeats the value.


def instant(value: str, where: str, now: datetime) -> str:
    """An ISO 8601 time with its zone, as the UTC timestamp stored; not after ``now``, nor before 1900."""
    try:
        moment = datetime.fromisoformat(value.strip())
        if moment.tzinfo is None:
            raise ValueError(where)
        stored = utc_timestamp(moment)
    except (ValueError, AttributeError, OverflowError):
        raise InvalidInput(
            "not a time with its zone", where=where, hint="write e.g. 2024-03-01T14:30+02:00"
        ) from None
    if not EARLIEST <= stored <= utc_timestamp(now + CLOCK_SLACK):
        raise InvalidInput("the interview cannot be in the future or before 1900", where=where)
    return stored


def times(started_at: str, ended_at: str | None, now: datetime) -> tuple[str, str | None]:
    """The interview's start and (optional) end in UTC, in order."""
    start = instant(started_at, "--started", now)
    end = instant(ended_at, "--ended", now) if ended_at else None
    if end is not None and end < start:
        raise InvalidInput("the interview ends before it starts", where="--ended")
    return start, end


def facts(items: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each fact's statement, cleaned, with its source of knowledge (CSO-08)."""
    if len(items) > MAX_FACTS:
        raise InvalidInput(f"at most {MAX_FACTS} facts", where="--fact")
    checked = []
    for statement, knowledge in items:
        if knowledge not in KNOWLEDGE:
            raise InvalidInput(
                f"a fact's source of knowledge must be one of {', '.join(KNOWLEDGE)} (CSO-08)",
                where="--fact",
            )
        checked.append((clean_text(statement, "a fact", "--fact", required=True), knowledge))
    return checked


def details(
    place: str, language: str, interpreter: str, present: Sequence[str], contact_via: str
) -> dict[str, str]:
    """What CSO-06 asks about the interview itself, checked (``present`` as a JSON list)."""
    if not LANGUAGE.match(language or ""):
        raise InvalidInput(
            "the language must be a code such as uk, ru, en or crh", where="--language"
        )
    if len(present) > MAX_PRESENT:
        raise InvalidInput(f"at most {MAX_PRESENT} people present", where="--present")
    return {
        "place": clean_text(place, "the place", "--place", required=True),
        "language": language,
        "interpreter": clean_text(interpreter, "the interpreter", "--interpreter"),
        "present": json.dumps(
            [clean_text(p, "a person present", "--present", required=True) for p in present],
            ensure_ascii=False,
        ),
        "contact_via": clean_text(
            contact_via, "how contact was made", "--contact-via", required=True
        ),
    }
