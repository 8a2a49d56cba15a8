"""Testimonies behind the risk gate, and training attestations, on both databases (docs/survivors.md).

Every refusal of the testimonies issue has a test here (CSO-01…08, MC-04, MC-08, MC-10), and so does the
promise that the person's words are sealed: they never reach the custody log, the search index or an
error message, and after the person's key is destroyed they read "erased under policy".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

from testament.accounts import accounts
from testament.custody import cases, ingest
from testament.custody.instance import Instance, acting_as, recording
from testament.domain import interview as rules
from testament.domain.results import plain
from testament.errors import (
    ConsentRequired,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from testament.errors import TestamentError as Refusal
from testament.storage import tables
from testament.storage.engine import read_transaction
from testament.survivors import consent, erasure, identity, testimony, training

CASE = "Case A"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
NAME = "Halyna Petrenko"
ACCOUNT = "They took my brother Mykola from the cellar on Vokzalna street at dawn."
SUMMARY = "Detention of the witness's brother by soldiers in March."
FACT = "Soldiers in green uniforms with white armbands searched each cellar."
OVERRIDE = "specialist child interviewer and psychologist present; supervisor approved"
GRANT = consent.GrantInput(
    purpose="criminal-investigation",
    recipient_class="icc-otp",
    info_sheet_version="2026-1",
    understanding_checked=True,
)


@pytest.fixture
def world(instance: Instance) -> dict[str, Any]:
    """A case with a consenting person, a documenter without training and a fully trained one."""
    cases.create_case(instance, CASE)
    cases.create_case(instance, "Case B")
    person_id, _ = identity.add_person(instance, CASE, identity.Identity(name=NAME))
    consent.grant(instance, person_id, GRANT)
    ids: dict[str, Any] = {"person": person_id}
    for username in ("iryna", "taras"):
        ids[username] = accounts.create_user(instance, username, PASSWORD)
        accounts.grant_role(instance, username, CASE, "documenter")
    for topic in rules.TOPICS:
        training.record(instance, "taras", topic, attested_on="2020-01-01")
    return ids


def assess(
    instance: Instance,
    person_id: str,
    flags: tuple[str, ...] = (),
    decision: str | None = "proceed",
    override: str | None = None,
) -> str:
    return testimony.assess_risk(
        instance,
        person_id,
        flags=flags,
        risks_person="retaliation if seen with us",
        risks_family="none identified",
        risks_staff="checkpoint on the road",
        decision=decision,
        override_reason=override,
    )


def take(instance: Instance, person_id: str, assessment: str, **changes: Any) -> str:
    values: dict[str, Any] = {
        "risk_assessment_id": assessment,
        "interviewer": "iryna",
        "started_at": "2024-03-01T10:00:00+02:00",
        "ended_at": "2024-03-01T11:30:00+02:00",
        "timezone": "Europe/Kyiv",
        "place": "partner office",
        "language": "uk",
        "interpreter": "",
        "present": ["interviewer", "psychologist"],
        "contact_via": "referred by a legal aid NGO",
        "account": ACCOUNT,
        "summary": SUMMARY,
        "facts": [(FACT, "saw"), ("The brother was taken to the school.", "heard")],
        "nothing_promised": True,
        "intended_use": "criminal-investigation",
        "intended_recipient": "icc-otp",
        "why_needed": "no other account of the cellar detentions exists",
        "best_interests": "a specialist judged the account will not harm the child",
    }
    return testimony.record(instance, person_id, **(values | changes))


def refusal(instance: Instance, person_id: str, assessment: str, **changes: Any) -> Refusal:
    with pytest.raises(Refusal) as caught:
        take(instance, person_id, assessment, **changes)
    error = caught.value
    for secret in (ACCOUNT, SUMMARY, FACT, NAME, "Mykola", OVERRIDE):
        assert secret not in json.dumps(error.as_dict(), ensure_ascii=False)
        assert secret not in error.diagnostics()
    return error


def everything_stored(instance: Instance) -> str:
    """The custody log, the custody rows and the search index, as one text to search."""
    with read_transaction(instance.engine) as conn:
        parts = [
            *(d.decode("utf-8", "replace") for d in conn.execute(select(tables.log_entry.c.data)).scalars()),
            *conn.execute(select(tables.custody_event.c.detail)).scalars(),
            *(json.dumps(dict(r._mapping), default=str) for r in conn.execute(select(tables.search_document))),
        ]  # fmt: skip
        if conn.dialect.name == "sqlite":
            parts += [str(r) for r in conn.execute(text("SELECT * FROM search_text"))]
        else:
            parts += [str(r) for r in conn.execute(text("SELECT tsv::text FROM search_text"))]
    return "\n".join(parts)


# --- Recording, sealing, reading back ---------------------------------------------------------------------


def test_a_testimony_is_sealed_and_reads_back_with_a_reason(
    instance: Instance, world: dict[str, Any]
) -> None:
    person = world["person"]
    tid = take(instance, person, assess(instance, person))
    with read_transaction(instance.engine) as conn:
        row = conn.execute(select(tables.testimony).where(tables.testimony.c.id == tid)).one()
        facts = conn.execute(select(tables.testimony_fact.c.statement_sealed)).scalars().all()
    assert row.started_at == "2024-03-01T08:00:00.000000Z"  # stored in UTC
    assert row.timezone == "Europe/Kyiv"
    for sealed in (row.account_sealed, row.summary_sealed, *facts):
        assert sealed is not None
        assert b"Mykola" not in sealed and b"soldiers" not in sealed.lower()
    stored = everything_stored(instance)
    for secret in (ACCOUNT, "Mykola", "Vokzalna", SUMMARY, FACT, "armbands", NAME):
        assert secret not in stored
    shown = testimony.show(instance, tid, reveal_reason="preparing the case file")
    assert (shown.account, shown.summary) == (ACCOUNT, SUMMARY)
    assert (shown.facts[0].knowledge, shown.facts[0].statement) == ("saw", FACT)
    assert shown.started_local == "2024-03-01T10:00:00+02:00"
    assert shown.present == ["interviewer", "psychologist"]
    with read_transaction(instance.engine) as conn:
        details = [
            json.loads(d)
            for d in conn.execute(
                select(tables.custody_event.c.detail).where(
                    tables.custody_event.c.detail.like('%"testimony"%')
                )
            ).scalars()
        ]
    created, opened = details[-2:]
    assert created == {"object": "testimony", "testimony": tid, "person": person}
    assert opened["action"] == "reveal" and opened["purpose"] == "preparing the case file"


def test_metadata_and_lists_hold_no_words(instance: Instance, world: dict[str, Any]) -> None:
    person = world["person"]
    tid = take(instance, person, assess(instance, person))
    described = testimony.describe(instance, tid)
    listed = testimony.list_for_person(instance, person)
    with read_transaction(instance.engine) as conn:
        earlier = testimony.earlier_accounts(conn, person)
    for shown in (described, listed, earlier):
        assert ACCOUNT not in json.dumps(plain(shown), default=str)
        assert FACT not in json.dumps(plain(shown), default=str)
    assert described.has_account and described.has_summary
    assert [f.knowledge for f in described.facts] == ["saw", "heard"]
    assert [t.id for t in listed] == [tid] == [e["id"] for e in earlier]
    assert earlier[0]["interviewer"] == "iryna"


def test_revealing_needs_a_reason(instance: Instance, world: dict[str, Any]) -> None:
    person = world["person"]
    tid = take(instance, person, assess(instance, person))
    with pytest.raises(InvalidInput) as caught:
        testimony.show(instance, tid, reveal_reason="  ")
    assert "purpose" in caught.value.errors
    with pytest.raises(NotFound):
        testimony.show(instance, "no-such-testimony", reveal_reason="checking")


def test_show_after_key_destruction_reads_erased(instance: Instance, world: dict[str, Any]) -> None:
    person = world["person"]
    tid = take(instance, person, assess(instance, person))
    with recording(instance) as conn:
        identity.forget(conn, person)
    shown = testimony.show(instance, tid, reveal_reason="after erasure")
    assert shown.account == shown.summary == identity.ERASED
    assert {f.statement for f in shown.facts} == {identity.ERASED}
    assert shown.place == "partner office"  # metadata stays
    with read_transaction(instance.engine) as conn:
        rows = testimony.export_rows(conn, instance, cases_id(conn))
    assert rows[0]["account"] == identity.ERASED


def test_erasure_leaves_the_testimony_unreadable(instance: Instance, world: dict[str, Any]) -> None:
    person = world["person"]
    tid = take(instance, person, assess(instance, person))
    erasure.erase(instance, person, grounds="survivor-request")
    shown = testimony.show(instance, tid, reveal_reason="after erasure")
    assert shown.account == identity.ERASED
    with read_transaction(instance.engine) as conn:
        sealed = conn.execute(select(tables.testimony.c.account_sealed)).scalar()
    assert sealed is None


def test_export_rows_unseal_each_testimony_of_the_case(
    instance: Instance, world: dict[str, Any]
) -> None:
    person = world["person"]
    assessment = assess(instance, person)
    take(instance, person, assessment, summary=None)
    take(instance, person, assessment, reinterview_justification="first account incomplete")
    with read_transaction(instance.engine) as conn:
        rows = testimony.export_rows(conn, instance, cases_id(conn))
        other = testimony.export_rows(conn, instance, cases_id(conn, "Case B"))
    assert other == []
    assert [r["account"] for r in rows] == [ACCOUNT, ACCOUNT]
    assert [r["summary"] for r in rows] == [None, SUMMARY]
    assert rows[0]["facts"][0] == {"position": 1, "knowledge": "saw", "statement": FACT}
    json.dumps(rows)  # what the export writes


def cases_id(conn: Any, name: str = CASE) -> str:
    return str(conn.execute(select(tables.case.c.id).where(tables.case.c.name == name)).scalar())


# --- The risk gate (CSO-01, CSO-03) ---------------------------------------------------------------------


def test_no_interview_without_a_risk_assessment(instance: Instance, world: dict[str, Any]) -> None:
    error = refusal(instance, world["person"], "no-such-assessment")
    assert isinstance(error, InvalidInput)
    assert "--assessment" in error.errors and "CSO-01" in error.what


def test_an_assessment_of_another_person_does_not_open_the_gate(
    instance: Instance, world: dict[str, Any]
) -> None:
    other, _ = identity.add_person(instance, CASE, identity.Identity(name="Someone Else"))
    error = refusal(instance, world["person"], assess(instance, other))
    assert "another person" in error.errors["--assessment"]


@pytest.mark.parametrize("decision", ["defer", "refer"])
def test_only_proceed_opens_the_gate(
    instance: Instance, world: dict[str, Any], decision: str
) -> None:
    error = refusal(instance, world["person"], assess(instance, world["person"], decision=decision))
    assert f"decided {decision}" in error.errors["--assessment"]


def test_a_flagged_person_is_referred_unless_a_supervisor_overrides(
    instance: Instance, world: dict[str, Any]
) -> None:
    person = world["person"]
    with pytest.raises(InvalidInput) as caught:
        assess(instance, person, ("trauma",))
    assert "--override-reason" in caught.value.errors
    default = assess(instance, person, ("trauma",), decision=None)
    with pytest.raises(InvalidInput):
        assess(instance, person, decision=None)  # an unflagged person's assessor must decide
    with pytest.raises(InvalidInput):
        assess(instance, person, decision="refer", override=OVERRIDE)
    # A supervisor's override is a coordinator's: a documenter's is refused.
    with acting_as(world["iryna"]), pytest.raises(PermissionDenied):
        assess(instance, person, ("trauma",), override=OVERRIDE)
    accounts.grant_role(instance, "taras", CASE, "coordinator")
    with acting_as(world["taras"]):
        overridden = assess(instance, person, ("trauma",), override=OVERRIDE)
    t = tables.risk_assessment
    with read_transaction(instance.engine) as conn:
        rows = {r.id: r for r in conn.execute(select(t))}
        taras_agent = conn.execute(
            select(tables.agent.c.id).where(tables.agent.c.name == str(world["taras"]))
        ).scalar()
    assert rows[default].decision == "refer" and rows[default].override_by is None
    assert rows[overridden].override_by == taras_agent == rows[overridden].assessed_by
    assert json.loads(rows[overridden].flags) == ["trauma"]
    assert OVERRIDE not in everything_stored(instance)
    take(instance, person, overridden)


def test_unknown_flags_and_decisions_are_refused(instance: Instance, world: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput) as caught:
        assess(instance, world["person"], ("elderly",))
    assert caught.value.where == "--flag"
    with pytest.raises(InvalidInput):
        assess(instance, world["person"], decision="go")
    with pytest.raises(NotFound):
        assess(instance, "no-such-person")


# --- Consent, children, competency (CSO-02, MC-10, MC-08) -------------------------------------------------


def test_no_account_without_a_consent_grant(instance: Instance, world: dict[str, Any]) -> None:
    person, _ = identity.add_person(instance, CASE, identity.Identity(name="Not Yet Asked"))
    error = refusal(instance, person, assess(instance, person))
    assert isinstance(error, ConsentRequired) and "consent" in error.errors


def test_a_child_interview_without_guardian_consent(
    instance: Instance, world: dict[str, Any]
) -> None:
    person = world["person"]
    assessment = assess(instance, person, ("child",), override=OVERRIDE)
    error = refusal(instance, person, assessment, interviewer="taras", child_assent=True)
    assert isinstance(error, ConsentRequired)
    assert set(error.errors) == {"--guardian-consent"} and "MC-10" in error.what


def test_a_child_interview_needs_the_childs_own_assent_too(
    instance: Instance, world: dict[str, Any]
) -> None:
    person = world["person"]
    assessment = assess(instance, person, ("child",), override=OVERRIDE)
    error = refusal(instance, person, assessment, interviewer="taras", guardian_consent=True)
    assert set(error.errors) == {"--child-assent"}
    take(
        instance, person, assessment, interviewer="taras", guardian_consent=True, child_assent=True
    )


@pytest.mark.parametrize("flag", ["child", "sexual-violence"])
def test_an_untrained_interviewer_may_not_interview_a_flagged_person(
    instance: Instance, world: dict[str, Any], flag: str
) -> None:
    person = world["person"]
    assessment = assess(instance, person, (flag,), override=OVERRIDE)
    both = {"guardian_consent": True, "child_assent": True}
    error = refusal(instance, person, assessment, **both)
    assert isinstance(error, PermissionDenied) and "MC-08" in error.errors["--interviewer"]
    training.record(instance, "iryna", "trauma-informed-interviewing", attested_on="2023-01-01")
    error = refusal(instance, person, assessment, **both)
    assert "trauma-informed" not in error.errors["--interviewer"]
    specialism = "child-interviewing" if flag == "child" else "sexual-violence"
    training.record(instance, "iryna", specialism, attested_on="2023-01-01")
    take(instance, person, assessment, **both)


def test_an_attestation_holds_from_its_day_until_expiry_or_revocation(
    instance: Instance, world: dict[str, Any]
) -> None:
    uid = world["iryna"]
    training.record(instance, "iryna", "sexual-violence", attested_on="2024-01-01")
    training.record(instance, "iryna", "child-interviewing", expires_on="2999-12-31")
    with read_transaction(instance.engine) as conn:
        assert training.holds(conn, uid, "sexual-violence", "2024-01-01T00:00:00.000000Z")
        assert not training.holds(conn, uid, "sexual-violence", "2023-12-31T23:59:59.000000Z")
        assert training.holds(conn, uid, "child-interviewing", "2999-12-31T23:00:00.000000Z")
        assert not training.holds(conn, uid, "child-interviewing", "3000-01-01T00:00:00.000000Z")
    assert training.revoke(instance, "iryna", "sexual-violence") == 1
    with read_transaction(instance.engine) as conn:
        assert not training.holds(conn, uid, "sexual-violence", "2025-01-01T00:00:00.000000Z")
    listed = training.list_for_user(instance, "iryna")
    assert [(a.topic, a.active) for a in listed] == [
        ("sexual-violence", False),
        ("child-interviewing", True),
    ]
    with pytest.raises(NotFound):
        training.revoke(instance, "iryna", "sexual-violence")
    with pytest.raises(InvalidInput):
        training.record(instance, "iryna", "first-aid")
    with pytest.raises(InvalidInput):
        training.record(instance, "iryna", "sexual-violence", expires_on="2001-01-01")
    with pytest.raises(InvalidInput):
        training.record(instance, "iryna", "sexual-violence", attested_on="2999-01-01")
    with pytest.raises(NotFound):
        training.record(instance, "nobody", "sexual-violence")


def test_attestations_are_custody_events_naming_ids_only(
    instance: Instance, world: dict[str, Any]
) -> None:
    number = training.record(instance, "iryna", "sexual-violence")
    with read_transaction(instance.engine) as conn:
        detail = conn.execute(
            select(tables.custody_event.c.detail).order_by(tables.custody_event.c.log_index.desc())
        ).scalar()
    assert json.loads(str(detail)) == {
        "object": "training_attestation",
        "id": number,
        "user": world["iryna"],
        "topic": "sexual-violence",
        "change": "attest",
    }


def test_the_interviewer_needs_a_role_on_the_case(
    instance: Instance, world: dict[str, Any]
) -> None:
    accounts.create_user(instance, "outsider", PASSWORD)
    person = world["person"]
    error = refusal(instance, person, assess(instance, person), interviewer="outsider")
    assert isinstance(error, PermissionDenied) and "role" in error.errors["--interviewer"]
    with pytest.raises(NotFound):
        take(instance, person, assess(instance, person), interviewer="nobody")


# --- One account, the words, no inducements, times (CSO-04…08, MC-04) ---------------------------------------


def test_a_second_account_needs_a_justification(instance: Instance, world: dict[str, Any]) -> None:
    person = world["person"]
    assessment = assess(instance, person)
    take(instance, person, assessment)
    error = refusal(instance, person, assessment)
    assert "already interviewed on 2024-03-01" in error.errors["--reinterview-justification"]
    take(instance, person, assessment, reinterview_justification="the ICC asked for details")
    assert len(testimony.list_for_person(instance, person)) == 2


def test_an_account_or_a_recording_is_needed(
    instance: Instance, world: dict[str, Any], tmp_path: Path
) -> None:
    person = world["person"]
    assessment = assess(instance, person)
    error = refusal(instance, person, assessment, account=None, summary=None)
    assert "--account" in error.errors
    (tmp_path / "interview.wav").write_bytes(b"RIFF" + b"\x00" * 200)
    item = ingest.ingest(instance, [tmp_path / "interview.wav"], case_name=CASE).results[0].item_id
    (tmp_path / "other.wav").write_bytes(b"RIFF" + b"\x01" * 200)
    other = ingest.ingest(instance, [tmp_path / "other.wav"], case_name="Case B").results[0]
    with pytest.raises(InvalidInput) as caught:
        take(instance, person, assessment, account=None, recording_item_id=other.item_id)
    assert caught.value.where == "--recording"
    tid = take(instance, person, assessment, account=None, summary=None, recording_item_id=item)
    shown = testimony.show(instance, tid, reveal_reason="listening to the recording")
    assert shown.recording_item_id == item and shown.account is None


def test_what_was_promised_or_given_is_recorded(instance: Instance, world: dict[str, Any]) -> None:
    person = world["person"]
    assessment = assess(instance, person)
    error = refusal(instance, person, assessment, nothing_promised=False)
    assert "--given" in error.errors
    error = refusal(instance, person, assessment, given="bus fare refunded")
    assert "--given" in error.errors
    tid = take(instance, person, assessment, nothing_promised=False, given="bus fare refunded")
    assert testimony.describe(instance, tid).given == "bus fare refunded"


def test_every_unmet_requirement_is_named_at_once(
    instance: Instance, world: dict[str, Any]
) -> None:
    person = world["person"]
    take(instance, person, assess(instance, person))
    error = refusal(
        instance,
        person,
        assess(instance, person, ("child",), decision="refer"),
        account=None,
        nothing_promised=False,
    )
    assert set(error.errors) == {
        "--assessment",
        "--guardian-consent",
        "--child-assent",
        "--interviewer",
        "--reinterview-justification",
        "--account",
        "--given",
    }
    assert "more)" in error.what


@pytest.mark.parametrize(
    ("changes", "where"),
    [
        ({"started_at": "2024-03-01T10:00:00"}, "--started"),
        ({"started_at": "yesterday"}, "--started"),
        ({"started_at": "2999-03-01T10:00:00+00:00", "ended_at": None}, "--started"),
        ({"ended_at": "2024-03-01T09:00:00+02:00"}, "--ended"),
        ({"timezone": "Europe/Atlantis"}, "--timezone"),
        ({"timezone": "../../etc/passwd"}, "--timezone"),
        ({"timezone": "A" * 100}, "--timezone"),
        ({"language": "Ukrainian"}, "--language"),
        ({"place": " "}, "--place"),
        ({"contact_via": ""}, "--contact-via"),
        ({"present": ["interviewer", ""]}, "--present"),
        ({"facts": [(FACT, "rumour")]}, "--fact"),
        ({"facts": [("", "saw")]}, "--fact"),
        ({"account": "with a \x00 NUL"}, "--account"),
        ({"interviewer": "ir\x00yna"}, "--interviewer"),
        ({"ended_at": "9999-12-31T23:00:00+14:00"}, "--ended"),
        ({"started_at": "1899-12-31T10:00:00+00:00"}, "--started"),
    ],
)
def test_bad_details_are_refused_by_field(
    instance: Instance, world: dict[str, Any], changes: dict[str, Any], where: str
) -> None:
    error = refusal(instance, world["person"], assess(instance, world["person"]), **changes)
    assert isinstance(error, InvalidInput) and error.where == where
    assert "rumour" not in error.diagnostics()


def test_a_refusal_writes_nothing(instance: Instance, world: dict[str, Any]) -> None:
    person = world["person"]
    assessment = assess(instance, person, ("child",), override=OVERRIDE)
    with read_transaction(instance.engine) as conn:
        before = conn.execute(select(tables.custody_event.c.id)).scalars().all()
    refusal(instance, person, assessment, interviewer="taras")
    with read_transaction(instance.engine) as conn:
        assert conn.execute(select(tables.custody_event.c.id)).scalars().all() == before
        assert conn.execute(select(tables.testimony.c.id)).first() is None


def test_a_withdrawn_consent_stops_new_accounts(instance: Instance, world: dict[str, Any]) -> None:
    person = world["person"]
    assessment = assess(instance, person)
    consent.withdraw(instance, person, communicated_via="phone")
    assert isinstance(refusal(instance, person, assessment), ConsentRequired)


def test_an_interview_must_say_what_it_is_for_and_why(
    instance: Instance, world: dict[str, Any]
) -> None:
    """MC-07: no survivor interview for general awareness, and none that repeats what is known."""
    person = world["person"]
    assessment = assess(instance, person)
    error = refusal(instance, person, assessment, intended_use="", why_needed=" ")
    assert {"--intended-use", "--why-needed"} <= set(error.errors)
    with pytest.raises(InvalidInput) as refused:
        take(instance, person, assessment, intended_use="general-awareness")
    assert refused.value.where == "--intended-use"


def test_a_child_interview_needs_a_best_interests_note(
    instance: Instance, world: dict[str, Any]
) -> None:
    person = world["person"]
    assessment = assess(instance, person, ("child",), override=OVERRIDE)
    both = {"guardian_consent": True, "child_assent": True, "interviewer": "taras"}
    error = refusal(instance, person, assessment, best_interests="", **both)
    assert set(error.errors) == {"--best-interests"} and "MC-10" in error.errors["--best-interests"]
