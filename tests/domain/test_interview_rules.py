"""The risk gate and the conditions for a testimony, as pure rules (CSO-01…08, MC-04, MC-08, MC-10)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from testament.domain import interview as rules
from testament.errors import InvalidInput
from testament.taxonomy import loader

PERSON = "person-1"
flag_sets = st.frozensets(st.sampled_from(rules.FLAGS))
flagged_sets = st.frozensets(st.sampled_from(rules.FLAGS), min_size=1)
topic_sets = st.frozensets(st.sampled_from(rules.TOPICS))
reasons = st.text(min_size=1).filter(str.strip)
blank = st.sampled_from(["", "   ", "\t\n"])


def _ready(flags: frozenset[str] = frozenset(), **changes: object) -> rules.Proposal:
    """A proposal that meets every requirement for a person with ``flags``."""
    override = "supervisor approved: specialist present" if rules.flagged(flags) else None
    proposal = rules.Proposal(
        person_id=PERSON,
        assessment=rules.Assessment(PERSON, flags, rules.PROCEED, override),
        consented=True,
        guardian_consent=True,
        child_assent=True,
        interviewer_topics=frozenset(rules.TOPICS),
        has_account=True,
        intended_use="criminal-investigation",
        intended_recipient="icc-otp",
        why_needed="no other account exists",
        best_interests="a specialist judged it safe",
    )
    return replace(proposal, **changes)  # type: ignore[arg-type]


def _codes(problems: list[rules.Unmet]) -> set[str]:
    return {p.code for p in problems}


def test_the_vocabularies_hold_the_rules_codes() -> None:
    shipped = loader.shipped()
    for name, codes in (
        ("vulnerability-flags", rules.FLAGS),
        ("risk-decisions", rules.DECISIONS),
        ("knowledge-sources", rules.KNOWLEDGE),
        ("training-topics", rules.TOPICS),
    ):
        vocabulary = shipped.vocabulary(name)
        assert vocabulary is not None, name
        assert tuple(t.code for t in vocabulary.terms) == codes, name
    assert {t for topics in rules.TRAINING.values() for t in topics} <= set(rules.TOPICS)


@given(flag_sets)
def test_a_ready_proposal_meets_every_requirement(flags: frozenset[str]) -> None:
    assert rules.unmet(_ready(flags)) == []


# --- The risk gate (CSO-01, CSO-03) ---------------------------------------------------------------------


@given(flagged_sets, st.one_of(st.none(), blank))
def test_a_flagged_person_never_proceeds_without_an_override(
    flags: frozenset[str], override: str | None
) -> None:
    problems = rules.assessment_problems(flags, rules.PROCEED, override)
    assert [p.code for p in problems] == ["override-needed"]
    assessment = rules.Assessment(PERSON, flags, rules.PROCEED, override)
    assert "override-needed" in _codes(rules.unmet(_ready(flags, assessment=assessment)))


@given(flagged_sets, reasons)
def test_a_supervisor_override_lets_a_flagged_person_proceed(
    flags: frozenset[str], reason: str
) -> None:
    assert rules.assessment_problems(flags, rules.PROCEED, reason) == []


@given(flag_sets)
def test_flagged_people_are_referred_by_default(flags: frozenset[str]) -> None:
    assert rules.default_decision(flags) == (rules.REFER if flags else None)


@given(flag_sets, st.sampled_from([rules.DEFER, rules.REFER]), st.one_of(st.none(), reasons))
def test_an_override_is_only_for_proceeding_with_a_flagged_person(
    flags: frozenset[str], decision: str, override: str | None
) -> None:
    problems = _codes(rules.assessment_problems(flags, decision, override))
    assert problems == ({"override-not-applicable"} if override else set())
    if override:
        assert _codes(rules.assessment_problems(frozenset(), rules.PROCEED, override)) == {
            "override-not-applicable"
        }


def test_unknown_flags_and_decisions_are_named() -> None:
    problems = rules.assessment_problems({"elderly"}, "maybe", None)
    assert [(p.code, p.field) for p in problems] == [
        ("unknown-flag", "flags"),
        ("unknown-decision", "decision"),
    ]


@given(flag_sets, st.sampled_from([rules.DEFER, rules.REFER]))
def test_only_a_proceed_decision_opens_the_gate(flags: frozenset[str], decision: str) -> None:
    assessment = rules.Assessment(PERSON, flags, decision)
    problems = rules.unmet(_ready(flags, assessment=assessment))
    assert "risk-decision" in _codes(problems)
    assert rules.unmet(_ready(flags, assessment=None))[0].code == "risk-assessment-missing"


@given(flag_sets)
def test_an_assessment_of_another_person_does_not_count(flags: frozenset[str]) -> None:
    ready = _ready(flags)
    assert ready.assessment is not None
    other = replace(ready.assessment, person_id="person-2")
    problems = rules.unmet(replace(ready, assessment=other))
    assert [p.code for p in problems] == ["risk-assessment-other-person"]


# --- Consent and children (CSO-02, MC-10) -----------------------------------------------------------------


@given(flag_sets)
def test_no_account_without_consent(flags: frozenset[str]) -> None:
    problems = rules.unmet(_ready(flags, consented=False))
    assert [(p.code, p.kind) for p in problems] == [("consent-missing", rules.CONSENT)]


@given(flag_sets, st.booleans(), st.booleans())
def test_a_child_always_needs_guardian_consent_and_their_own_assent(
    flags: frozenset[str], guardian: bool, assent: bool
) -> None:
    child = flags | {rules.CHILD}
    codes = _codes(rules.unmet(_ready(child, guardian_consent=guardian, child_assent=assent)))
    assert ("guardian-consent-missing" in codes) is not guardian
    assert ("child-assent-missing" in codes) is not assent
    adult = flags - {rules.CHILD}
    assert rules.unmet(_ready(adult, guardian_consent=guardian, child_assent=assent)) == []


# --- Competency (MC-08) -----------------------------------------------------------------------------------


@given(flag_sets, topic_sets)
def test_children_and_survivors_of_sexual_violence_need_trained_interviewers(
    flags: frozenset[str], held: frozenset[str]
) -> None:
    problems = [
        p
        for p in rules.unmet(_ready(flags, interviewer_topics=held))
        if p.code == "training-missing"
    ]
    needed = set(rules.training_needed(flags))
    assert bool(problems) == (not needed <= held)
    if {rules.CHILD, rules.SEXUAL_VIOLENCE} & flags:
        assert rules.TRAUMA_INFORMED in needed
    else:
        assert needed == set()
    for problem in problems:
        assert problem.kind == rules.PERMISSION and problem.field == "interviewer"
        assert all(topic in problem.reason for topic in needed - held)


def test_the_training_each_flag_needs() -> None:
    assert rules.training_needed({rules.CHILD}) == ("child-interviewing", rules.TRAUMA_INFORMED)
    assert rules.training_needed({rules.SEXUAL_VIOLENCE}) == (
        "sexual-violence",
        rules.TRAUMA_INFORMED,
    )
    assert rules.training_needed({"disability", "trauma"}) == ()


def test_an_interviewer_without_a_role_on_the_case_is_named() -> None:
    problems = rules.unmet(_ready(interviewer_may_document=False))
    assert [(p.code, p.field) for p in problems] == [("interviewer-no-role", "interviewer")]


# --- One account, the words, no inducements (CSO-04…07, MC-04) ---------------------------------------------


@given(st.lists(st.dates().map(str), min_size=1, max_size=3), blank)
def test_a_second_account_needs_a_justification(dates: list[str], justification: str) -> None:
    proposal = _ready(earlier_dates=tuple(dates), reinterview_justification=justification)
    [problem] = rules.unmet(proposal)
    assert problem.code == "reinterview-justification-missing"
    assert all(d in problem.reason for d in dates)
    justified = replace(proposal, reinterview_justification="the first account was lost")
    assert rules.unmet(justified) == []


def test_an_account_or_a_recording_is_needed() -> None:
    assert _codes(rules.unmet(_ready(has_account=False))) == {"account-missing"}
    assert rules.unmet(_ready(has_account=False, has_recording=True)) == []


@given(st.booleans(), st.one_of(blank, reasons))
def test_what_was_promised_or_given_is_written_down(nothing: bool, given_text: str) -> None:
    codes = _codes(rules.unmet(_ready(nothing_promised=nothing, given=given_text)))
    said = bool(given_text.strip())
    assert ("given-missing" in codes) == (not nothing and not said)
    assert ("given-contradicts" in codes) == (nothing and said)
    assert (rules.promise_warning(nothing) is None) is nothing


def test_every_unmet_requirement_is_listed_at_once() -> None:
    everything_wrong = rules.Proposal(
        person_id=PERSON,
        assessment=rules.Assessment(PERSON, frozenset({rules.CHILD}), rules.REFER),
        consented=False,
        earlier_dates=("2024-01-02",),
        nothing_promised=False,
    )
    assert [p.code for p in rules.unmet(everything_wrong)] == [
        "risk-decision",
        "consent-missing",
        "intended-use-missing",
        "intended-recipient-missing",
        "why-needed-missing",
        "guardian-consent-missing",
        "child-assent-missing",
        "best-interests-missing",
        "training-missing",
        "reinterview-justification-missing",
        "account-missing",
        "given-missing",
    ]


# --- What was typed about the interview (CSO-06) ----------------------------------------------------------

NOW = datetime(2025, 1, 1, tzinfo=UTC)


@given(
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2024, 12, 31)),
    st.integers(min_value=-12 * 60, max_value=14 * 60),
)
def test_any_time_with_a_zone_is_stored_as_the_same_instant_in_utc(
    moment: datetime, minutes: int
) -> None:
    local = moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    stored = rules.instant(local.isoformat(), "--started", NOW)
    assert datetime.fromisoformat(stored) == local
    assert stored.endswith("Z")


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2024, 12, 31)))
def test_a_time_without_its_zone_is_refused(moment: datetime) -> None:
    with pytest.raises(InvalidInput) as caught:
        rules.instant(moment.isoformat(), "--started", NOW)
    assert caught.value.where == "--started"


@given(
    st.sampled_from(["intended_use", "intended_recipient", "why_needed"]),
    st.frozensets(st.sampled_from(rules.FLAGS)),
)
def test_an_interview_without_a_stated_use_is_refused(field: str, flags: frozenset[str]) -> None:
    """MC-07, whatever else holds."""
    assert field in {p.field for p in rules.unmet(_ready(flags, **{field: "  "}))}


@given(st.frozensets(st.sampled_from(rules.FLAGS)))
def test_only_a_child_needs_a_best_interests_note(flags: frozenset[str]) -> None:
    fields = {p.field for p in rules.unmet(_ready(flags, best_interests=""))}
    assert ("best_interests" in fields) == (rules.CHILD in flags)
