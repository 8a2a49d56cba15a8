"""Needs, referrals, the directory and closing a case, on both databases (MC-05; docs/survivors.md).

Each refusal has a test: an unknown area, urgency or status, a follow-up date that is not a date, a need
or a service that does not exist, a referral to a service that does not cover the need's area, a bad
row in a directory file, and closing a case while an urgent need is unaddressed. Notes are sealed: they
never reach the custody log or the search index.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from testament.custody import cases, verification
from testament.custody.instance import Instance
from testament.documentation import people, search
from testament.errors import Conflict, ConsentRequired, InvalidInput, NotFound
from testament.search.base import SearchQuery
from testament.storage import tables
from testament.storage.engine import read_transaction, write_transaction
from testament.survivors import consent, directory, erasure, identity, referrals

CASE = "Irpin"
NOTE = "Needs insulin daily; diabetic since 2009; shrapnel wound left leg"
MISSING = "00000000-0000-0000-0000-000000000000"
DAY = date(2026, 12, 1)


def log_text(instance: Instance) -> str:
    """Every custody log entry and custody event row, as text."""
    with read_transaction(instance.engine) as conn:
        entries = conn.execute(select(tables.log_entry.c.data)).scalars()
        events = conn.execute(select(tables.custody_event.c.detail)).scalars()
        return "\n".join([*(bytes(e).decode() for e in entries), *events])


def log_details(instance: Instance) -> list[dict[str, object]]:
    with read_transaction(instance.engine) as conn:
        rows = conn.execute(
            select(tables.custody_event.c.detail).order_by(tables.custody_event.c.log_index)
        )
        return [json.loads(row) for row in rows.scalars()]


REFERRAL_CONSENT = consent.GrantInput(
    purpose="referral-support", recipient_class="partner-organisation", identifiability="named",
    info_sheet_version="2026-1", understanding_checked=True,
)  # fmt: skip


def consent_to_referral(instance: Instance, person_id: str) -> str:
    """The grant a referral asks for: referral-support to a partner organisation, understood."""
    return consent.grant(instance, person_id, REFERRAL_CONSENT)


@pytest.fixture
def person(instance: Instance) -> str:
    cases.create_case(instance, CASE)
    person_id, _ = identity.add_person(instance, CASE, identity.Identity(name="Галина Мельник"))
    consent_to_referral(instance, person_id)
    return person_id


@pytest.fixture
def clinic(instance: Instance) -> str:
    return directory.add_service(
        instance, "Irpin Clinic", ["medical", "psychosocial"], "Kyiv oblast", "+380 44 000 0000",
        languages=["uk", "en"],
    )  # fmt: skip


@pytest.fixture
def lawyers(instance: Instance) -> str:
    return directory.add_service(
        instance, "Free Legal Aid", ["legal"], "Kyiv", "office@example.org"
    )


def test_the_directory_lists_by_area_and_region(
    instance: Instance, clinic: str, lawyers: str
) -> None:
    assert [s.name for s in directory.list_services(instance)] == [
        "Free Legal Aid",
        "Irpin Clinic",
    ]
    medical = directory.list_services(instance, area="medical")
    assert [(s.id, s.areas, s.languages) for s in medical] == [
        (clinic, ["medical", "psychosocial"], ["uk", "en"])
    ]
    assert [s.id for s in directory.list_services(instance, region="kyiv")] == [lawyers]
    with pytest.raises(Conflict):
        directory.add_service(instance, "Irpin Clinic", ["legal"], "Kyiv", "x")
    with pytest.raises(InvalidInput) as unknown:
        directory.add_service(instance, "Dentist", ["dental"], "Kyiv", "x")
    assert unknown.value.where == "--area" and "support-areas" in unknown.value.what
    with pytest.raises(InvalidInput) as no_area:
        directory.add_service(instance, "Nobody", [], "Kyiv", "x")
    assert no_area.value.errors == {"areas": "required"}
    with pytest.raises(InvalidInput) as language:
        directory.add_service(instance, "Babel", ["legal"], "Kyiv", "x", languages=["Ukrainian"])
    assert language.value.errors.keys() == {"languages"}
    with pytest.raises(InvalidInput):
        directory.list_services(instance, area="dental")
    assert "support-service" in log_text(instance) and "+380 44" not in log_text(instance)


def test_a_directory_file_is_imported_all_or_nothing(instance: Instance, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(
        "name,areas,region,contact,languages\n"
        "Shelter One,shelter;protection,Lviv,+380 32 000,uk;en\n"
        '"Clinic, Kharkiv",medical,Kharkiv,"+380 57 000, ext. 2",uk\n'
    )
    ids = directory.import_services(instance, good)
    assert len(ids) == 2
    found = {s.name: s for s in directory.list_services(instance)}
    assert found["Shelter One"].areas == ["shelter", "protection"]
    assert found["Clinic, Kharkiv"].contact == "+380 57 000, ext. 2"
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name,areas,region,contact,languages\n"
        "Fine,legal,Kyiv,x,uk\n"
        "Bad area,legal;dental,Kyiv,x,uk\n"
        ",legal,Kyiv,x,uk\n"
        "Bad language,legal,Kyiv,x,Ukrainian\n"
        "Fine,legal,Odesa,y,\n"
        "Short,legal\n"
        "Shelter One,shelter,Lviv,z,\n"
    )
    with pytest.raises(InvalidInput) as refused:
        directory.import_services(instance, bad)
    assert set(refused.value.errors) == {
        "row 3, areas", "row 4, name", "row 5, languages", "row 6, name", "row 7",
        "row 8, name",
    }  # fmt: skip
    assert "row 2" in refused.value.errors["row 6, name"]
    assert "nothing was imported" in refused.value.what
    assert [s.name for s in directory.list_services(instance)] == [
        "Clinic, Kharkiv",
        "Shelter One",
    ]
    header = tmp_path / "header.csv"
    header.write_text("name,area,region\nX,legal,Kyiv\n")
    with pytest.raises(InvalidInput) as wrong_header:
        directory.import_services(instance, header)
    assert wrong_header.value.where is not None and wrong_header.value.where.endswith("row 1")


def test_needs_are_sealed_and_never_logged_or_indexed(instance: Instance, person: str) -> None:
    with read_transaction(instance.engine) as conn:
        documents = conn.execute(select(func.count()).select_from(tables.search_document)).scalar()
    ids = referrals.assess_needs(
        instance, person, [("medical", "urgent", NOTE), ("legal", "routine", "")]
    )
    assert len(ids) == 2
    with read_transaction(instance.engine) as conn:
        sealed = conn.execute(select(tables.support_need.c.note_sealed)).scalars().all()
        after = conn.execute(select(func.count()).select_from(tables.search_document)).scalar()
    assert all(NOTE.encode() not in s and b"insulin" not in s for s in sealed)
    assert after == documents
    assert search.search(instance, SearchQuery(text="insulin")).hits == []
    text = log_text(instance)
    assert "insulin" not in text and "diabetic" not in text and "medical" not in text
    created = [d for d in log_details(instance) if d.get("object") == "support-need"]
    assert created == [{"object": "support-need", "need": i, "person": person} for i in ids]

    listed = referrals.needs_for_person(instance, person)
    assert [(n.area, n.urgency, hasattr(n, "note")) for n in listed] == [
        ("medical", "urgent", False), ("legal", "routine", False),
    ]  # fmt: skip
    with pytest.raises(InvalidInput):
        referrals.needs_for_person(instance, person, purpose="  ")
    read = referrals.needs_for_person(instance, person, purpose="arrange the clinic visit")
    assert [n.note for n in read] == [NOTE, ""]
    viewed = log_details(instance)[-1]
    assert viewed == {
        "object": "support-need", "person": person, "action": "view",
        "purpose": "arrange the clinic visit",
    }  # fmt: skip
    assert [f for f in verification.run(instance) if not f.ok] == []


def test_bad_needs_are_refused_by_field(instance: Instance, person: str) -> None:
    for need, where in (
        (("dental", "urgent", ""), "--area"),
        (("medical", "immediately", ""), "--urgency"),
        (("medical", "urgent", "bad\x00note"), "--note"),
    ):
        with pytest.raises(InvalidInput) as refused:
            referrals.assess_needs(instance, person, [need])
        assert refused.value.where == where
    with pytest.raises(InvalidInput):
        referrals.assess_needs(instance, person, [])
    with pytest.raises(InvalidInput, match="twice"):
        referrals.assess_needs(instance, person, [("legal", "soon", ""), ("legal", "none", "")])
    with pytest.raises(NotFound):
        referrals.assess_needs(instance, MISSING, [("legal", "soon", "")])
    with pytest.raises(NotFound):
        referrals.needs_for_person(instance, MISSING)
    with read_transaction(instance.engine) as conn:
        assert conn.execute(select(tables.support_need.c.id)).first() is None


def test_referrals_address_needs_and_are_checked(
    instance: Instance, person: str, clinic: str, lawyers: str
) -> None:
    medical, legal = referrals.assess_needs(
        instance, person, [("medical", "urgent", NOTE), ("legal", "soon", "")]
    )
    with pytest.raises(InvalidInput) as wrong_area:
        referrals.refer(instance, medical, lawyers)
    assert wrong_area.value.where == "--service" and "does not cover" in wrong_area.value.what
    with pytest.raises(NotFound, match="no service"):
        referrals.refer(instance, medical, MISSING)
    with pytest.raises(NotFound, match="no support need"):
        referrals.refer(instance, MISSING, clinic)
    for bad in ("next week", "2026-02-30", "20261201", "2026-1-5"):
        with pytest.raises(InvalidInput) as not_a_date:
            referrals.refer(instance, medical, clinic, follow_up_due=bad)
        assert not_a_date.value.where == "--follow-up"
    referral = referrals.refer(instance, medical, "Irpin Clinic", follow_up_due="2026-11-30")
    referrals.refer(instance, legal, lawyers)
    with pytest.raises(InvalidInput) as status:
        referrals.update_referral(instance, referral, "lost")
    assert status.value.where == "--status"
    with pytest.raises(InvalidInput):
        referrals.update_referral(instance, referral)
    with pytest.raises(NotFound, match="no referral"):
        referrals.update_referral(instance, MISSING, "accepted")
    with pytest.raises(InvalidInput):
        referrals.update_referral(instance, referral, follow_up_due="soon")
    assert referrals.needs_for_person(instance, person)[0].addressed_at is None
    updated = referrals.update_referral(instance, referral, "accepted")
    assert (updated.status, updated.follow_up_due) == ("accepted", "2026-11-30")
    needs = {n.id: n for n in referrals.needs_for_person(instance, person)}
    assert needs[medical].addressed_at is not None and needs[legal].addressed_at is None
    assert [r.service for r in needs[medical].referrals] == ["Irpin Clinic"]
    referrals.mark_addressed(instance, legal)
    with pytest.raises(Conflict):
        referrals.mark_addressed(instance, legal)
    with pytest.raises(NotFound):
        referrals.mark_addressed(instance, MISSING)
    cleared = referrals.update_referral(instance, referral, clear_follow_up=True)
    assert cleared.follow_up_due is None
    changes = [d for d in log_details(instance) if d.get("object") in ("referral", "support-need")]
    assert {"object": "support-need", "need": medical, "person": person,
            "change": f"addressed by referral {referral}"} in changes  # fmt: skip
    assert "insulin" not in log_text(instance)


def test_a_referral_needs_consent_to_referral_support(instance: Instance, clinic: str) -> None:
    """Refused without a grant that counts (none, too narrow, not understood, withdrawn), naming
    the purpose and recipient class, never the person, with nothing written; allowed by the grant."""
    cases.create_case(instance, CASE)
    name = "Галина Мельник"
    person_id, _ = identity.add_person(instance, CASE, identity.Identity(name=name))
    (need,) = referrals.assess_needs(instance, person_id, [("medical", "urgent", NOTE)])
    events = len(log_details(instance))

    def refused() -> str:
        with pytest.raises(ConsentRequired) as refusal:
            referrals.refer(instance, need, clinic)
        text = f"{refusal.value} {refusal.value.where}"
        assert "referral-support" in text and "partner-organisation" in text, text
        assert name not in text
        assert referrals.needs_for_person(instance, person_id)[0].referrals == []
        return text

    assert "no grant" in refused()
    assert len(log_details(instance)) == events  # the refusal wrote nothing
    consent.grant(instance, person_id, replace(REFERRAL_CONSENT, identifiability="pseudonymous"))
    assert "named" in refused()  # a pseudonymous grant does not let the service reach them
    with write_transaction(instance.engine) as conn:  # stored before the understanding check
        conn.execute(
            update(tables.consent_grant)
            .where(tables.consent_grant.c.person_id == person_id)
            .values(identifiability="named", understanding_checked=False)
        )
    assert "understood" in refused()
    consent_to_referral(instance, person_id)
    consent.withdraw(instance, person_id, communicated_via="in-person")
    assert "withdrawn" in refused()
    consent_to_referral(instance, person_id)
    referral = referrals.refer(instance, need, clinic)
    assert referrals.needs_for_person(instance, person_id)[0].referrals[0].id == referral


def test_a_case_cannot_close_with_an_urgent_need(
    instance: Instance, person: str, clinic: str
) -> None:
    (need,) = referrals.assess_needs(instance, person, [("medical", "urgent", NOTE)])
    referrals.assess_needs(instance, person, [("psychosocial", "soon", "")])
    other = people.create(instance, CASE, "Witness B")
    (second,) = referrals.assess_needs(instance, other, [("protection", "urgent", "")])
    with pytest.raises(Conflict) as refused:
        cases.close_case(instance, CASE)
    message = refused.value.diagnostics()
    assert "2 urgent need(s)" in message and "testament need urgent" in message
    assert "insulin" not in message and "Мельник" not in message and person not in message
    assert [n.id for n in referrals.urgent_needs(instance, CASE)] == [need, second]
    referral = referrals.refer(instance, need, clinic)
    assert referrals.urgent_needs(instance, CASE)[0].referral_pending is True
    referrals.update_referral(instance, referral, "declined")
    with pytest.raises(Conflict):
        cases.close_case(instance, CASE)
    referrals.update_referral(instance, referral, "completed")
    with pytest.raises(Conflict, match="1 urgent need"):
        cases.close_case(instance, CASE)
    referrals.mark_addressed(instance, second)
    closed_at = cases.close_case(instance, CASE)
    assert [c.closed_at for c in cases.list_cases(instance)] == [closed_at]
    with pytest.raises(Conflict, match="already closed"):
        cases.close_case(instance, CASE)
    with pytest.raises(Conflict, match="closed"):
        referrals.assess_needs(instance, person, [("shelter", "urgent", "")])
    changes = [d.get("change") for d in log_details(instance) if d.get("object") == "case"]
    assert changes[-1] == "closed"
    cases.reopen_case(instance, CASE)
    with pytest.raises(Conflict, match="not closed"):
        cases.reopen_case(instance, CASE)
    referrals.assess_needs(instance, person, [("shelter", "urgent", "")])
    with pytest.raises(Conflict):
        cases.close_case(instance, CASE)
    with pytest.raises(NotFound):
        cases.close_case(instance, "No such case")
    assert [f for f in verification.run(instance) if not f.ok] == []


def test_follow_ups_due(instance: Instance, person: str, clinic: str, lawyers: str) -> None:
    cases.create_case(instance, "Other")
    stranger = people.create(instance, "Other", "Witness C")
    medical, legal, shelter = referrals.assess_needs(
        instance,
        person,
        [("medical", "urgent", NOTE), ("legal", "urgent", ""), ("shelter", "urgent", "")],
    )
    (elsewhere,) = referrals.assess_needs(instance, stranger, [("legal", "urgent", "")])
    due = referrals.refer(instance, medical, clinic, follow_up_due="2026-11-30")
    later = referrals.refer(instance, legal, lawyers, follow_up_due="2026-12-02")
    today = referrals.refer(instance, shelter, directory.add_service(
        instance, "Shelter", ["shelter"], "Irpin", "x"), follow_up_due="2026-12-01")  # fmt: skip
    referrals.update_referral(instance, today, "declined")
    cid = cases.list_cases(instance)[0].id
    found = referrals.follow_ups_due(instance, [cid], DAY)
    # The shelter need's only referral was declined, so it is urgent with nothing pending.
    assert [(f.kind, f.need_id, f.referral_id) for f in found] == [
        ("urgent-need", shelter, None), ("referral", medical, due), ("referral", shelter, today),
    ]  # fmt: skip
    first = found[1].as_json()
    assert first["label"].startswith("P-") and first["area"] == "medical"
    assert "note" not in first and first["follow_up_due"] == "2026-11-30"
    assert later not in {f.referral_id for f in found}
    everywhere = referrals.follow_ups_due(instance, None, DAY)
    assert elsewhere in {f.need_id for f in everywhere}
    referrals.update_referral(instance, due, "completed")
    assert due not in {f.referral_id for f in referrals.follow_ups_due(instance, [cid], DAY)}
    assert referrals.follow_ups_due(instance, [], DAY) == []
    assert [f.need_id for f in referrals.due_for_case(instance, "Other", DAY)] == [elsewhere]


def test_erasure_destroys_the_notes(instance: Instance, person: str) -> None:
    referrals.assess_needs(instance, person, [("medical", "urgent", NOTE)])
    erasure.erase(instance, person, grounds="survivor-request")
    (need,) = referrals.needs_for_person(instance, person, purpose="check after erasure")
    assert need.note == identity.ERASED and need.area == "medical"
    with pytest.raises(NotFound):
        referrals.assess_needs(instance, person, [("legal", "soon", "")])
