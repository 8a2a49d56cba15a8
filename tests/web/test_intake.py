"""The guided intake on the pages, on both databases: the person, safety, consent, their account.

The interview stays closed until the risk assessment says proceed and consent is in force; a refusal
comes back on the form with every unmet reason; a match in the re-interview registry is shown by label,
never by name, and going on needs a reason; readers may look but not write.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import people
from testament.domain import interview as rules
from testament.domain.results import plain
from testament.storage import tables
from testament.storage.engine import read_transaction
from testament.survivors import consent, identity, testimony, training
from tests.web.test_pages import PASSWORD, _csrf, _signed_in

NAME = "Halyna Petrenko"
CYRILLIC = "Галина Петренко"
CONTACT = "+380 67 555 0199"
ACCOUNT = "They took my brother from the cellar on Vokzalna street at dawn."
GRANT = consent.GrantInput(
    purpose="criminal-investigation",
    recipient_class="national-prosecutor",
    info_sheet_version="2026-1",
    understanding_checked=True,
)
RISKS = {
    "risks_person": "retaliation if seen with us",
    "risks_family": "none identified",
    "risks_staff": "checkpoint on the road",
}
INTERVIEW = {
    "intended_use": "criminal-investigation",
    "recipient_class": "national-prosecutor",
    "why_needed": "the only witness to the detention who is willing to speak",
    "started": "2024-03-01T10:00",
    "ended": "2024-03-01T11:30",
    "timezone": "Europe/Kyiv",
    "place": "partner office",
    "language": "uk",
    "present": "interviewer\npsychologist",
    "contact_via": "referred by a legal aid NGO",
    "account": ACCOUNT,
    "summary": "Detention of the witness's brother.",
    "fact_text": ["Soldiers searched each cellar.", "He was taken to the school.", ""],
    "fact_source": ["saw", "heard", ""],
    "promised": "nothing",
}


@pytest.fixture
def world(instance: Instance) -> dict[str, Any]:
    """Case A with a documenter (trained for every flag), a coordinator and a viewer; Case B apart."""
    for name in ("Case A", "Case B"):
        cases.create_case(instance, name)
    for user, case_name, role in (
        ("dana", "Case A", "documenter"),
        ("cora", "Case A", "coordinator"),
        ("vera", "Case A", "viewer"),
        ("boris", "Case B", "documenter"),
    ):
        accounts.create_user(instance, user, PASSWORD)
        accounts.grant_role(instance, user, case_name, role)
    for topic in rules.TOPICS:
        training.record(instance, "dana", topic, attested_on="2020-01-01")
    return {}


def _page(http: TestClient, path: str) -> tuple[str, dict[str, str]]:
    shown = http.get(path)
    assert shown.status_code == 200, shown.text
    return shown.text, {"X-CSRF-Token": _csrf(shown.text)}


def _custody(instance: Instance) -> str:
    """Every custody event's detail and every log entry, as one text to search."""
    with read_transaction(instance.engine) as conn:
        details = conn.execute(select(tables.custody_event.c.detail)).scalars().all()
        entries = conn.execute(select(tables.log_entry.c.data)).scalars().all()
    return "\n".join([*details, *(e.decode("utf-8", "replace") for e in entries)])


def _person(instance: Instance, case_name: str = "Case A", name: str = "Olena Kovalchuk") -> str:
    person_id, _ = identity.add_person(instance, case_name, identity.Identity(name=name))
    return person_id


def _assessed(instance: Instance, person_id: str, decision: str = "proceed") -> str:
    return testimony.assess_risk(instance, person_id, flags=[], decision=decision, **RISKS)


def test_the_whole_intake_ends_with_a_testimony(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    http = _signed_in(site, "dana")
    case_page, _ = _page(http, "/cases/Case A")
    assert 'href="/cases/Case%20A/intake"' in case_page
    form, csrf = _page(http, "/cases/Case A/intake")
    assert "Who are you meeting?" in form and 'name="safe_contact"' in form
    made = http.post(
        "/cases/Case A/intake",
        headers=csrf,
        data={"name": NAME, "date_of_birth": "1984", "contacts": CONTACT, "pronouns": "she/her"},
    )
    assert made.status_code == 303, made.text
    steps_url = made.headers["location"]
    person_id = re.fullmatch(r"/people/([0-9a-f-]{36})/intake", steps_url)[1]  # type: ignore[index]
    assert identity.summary(instance, person_id).identity == "sealed"

    steps, csrf = _page(http, steps_url)
    label = people.show(instance, person_id).label
    assert label in steps and NAME not in steps and CONTACT not in steps
    assert "Step 2, safety: no risk assessment yet." in steps
    assert "Step 3, consent: no consent is in force." in steps
    assert f'href="/people/{person_id}/intake/interview"' not in steps
    assert f'href="/people/{person_id}/needs"' in steps

    risk_form, _ = _page(http, f"/people/{person_id}/intake/risk")
    assert 'value="child"' in risk_form and 'value="refer" checked' in risk_form
    assert 'name="override_reason"' not in risk_form  # a documenter is no supervisor
    assessed = http.post(
        f"/people/{person_id}/intake/risk", headers=csrf, data={**RISKS, "decision": "proceed"}
    )
    assert assessed.status_code == 303, assessed.text
    consent_form, _ = _page(http, f"/people/{person_id}/intake/consent")
    assert "ICC Office of the Prosecutor" in consent_form
    granted = http.post(
        f"/people/{person_id}/intake/consent",
        headers=csrf,
        data={"purpose": "criminal-investigation", "recipient_class": "national-prosecutor",
              "data_scope": "testimony", "identifiability": "pseudonymous", "mode": "oral",
              "language": "uk", "info_sheet_version": "2026-1", "understood": "on"},
    )  # fmt: skip
    assert granted.status_code == 303, granted.text
    (grant,) = consent.grants(instance, person_id)
    assert (grant.recipient_class, grant.mode, grant.understanding_checked) == (
        "national-prosecutor", "oral", True,
    )  # fmt: skip

    steps, _ = _page(http, steps_url)
    assert f'href="/people/{person_id}/intake/interview"' in steps and "Closed until" not in steps
    interview_form, _ = _page(http, f"/people/{person_id}/intake/interview")
    assert 'value="dana"' in interview_form and "guardian_consent" not in interview_form
    assert " disabled" not in interview_form
    taken = http.post(f"/people/{person_id}/intake/interview", headers=csrf, data=INTERVIEW)
    assert taken.status_code == 303, taken.text
    (recorded,) = testimony.list_for_person(instance, person_id)
    shown = testimony.describe(instance, recorded.id)
    assert shown.started_at.startswith("2024-03-01T08:00:00") and shown.timezone == "Europe/Kyiv"
    assert shown.present == ["interviewer", "psychologist"] and shown.interviewer == "dana"
    assert [f.knowledge for f in shown.facts] == ["saw", "heard"]
    assert shown.has_account and shown.has_summary and shown.nothing_promised
    words = testimony.show(instance, recorded.id, reveal_reason="checking the intake test")
    assert words.account == ACCOUNT
    steps, _ = _page(http, steps_url)
    assert "2024-03-01 by dana" in steps and ACCOUNT not in steps and NAME not in steps
    logged = _custody(instance)
    assert NAME not in logged and CONTACT not in logged and ACCOUNT not in logged


def test_the_interview_is_refused_until_safety_and_consent(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    person_id = _person(instance)
    http = _signed_in(site, "dana")
    form, csrf = _page(http, f"/people/{person_id}/intake/interview")
    assert (
        "This step is closed until these steps are done" in form and "<fieldset disabled>" in form
    )
    refused = http.post(f"/people/{person_id}/intake/interview", headers=csrf, data=INTERVIEW)
    assert refused.status_code == 422
    assert "Step 2, safety</strong>: an interview needs a risk assessment" in refused.text
    assert (
        "Step 3, consent</strong>: consent does not cover this account&#39;s intended use: no grant "
        "for purpose criminal-investigation to national-prosecutor" in refused.text
    )
    assert ACCOUNT in refused.text  # what was typed comes back, nothing is lost
    assert 'id="intake-interview-form"' in refused.text

    _assessed(instance, person_id)
    refused = http.post(f"/people/{person_id}/intake/interview", headers=csrf, data=INTERVIEW)
    assert refused.status_code == 422
    assert "Step 2, safety</strong>" not in refused.text
    assert (
        "Step 3, consent</strong>: consent does not cover this account&#39;s intended use: no grant "
        "for purpose criminal-investigation to national-prosecutor" in refused.text
    )
    assert testimony.list_for_person(instance, person_id) == []

    referred = _person(instance, name="Petro Marchenko")
    _assessed(instance, referred, "refer")
    consent.grant(instance, referred, GRANT)
    steps, _ = _page(http, f"/people/{referred}/intake")
    assert "refer this person for support: do not take a detailed account" in steps
    assert f'href="/people/{referred}/intake/interview"' not in steps
    form, _ = _page(http, f"/people/{referred}/intake/interview")
    assert f'href="/people/{referred}/needs"' in form and "<fieldset disabled>" in form
    refused = http.post(f"/people/{referred}/intake/interview", headers=csrf, data=INTERVIEW)
    assert refused.status_code == 422 and "decided refer, not proceed" in refused.text


def test_a_child_needs_a_supervisor_and_their_guardians_consent(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    child = _person(instance, name="Mykola Bondar")
    dana = _signed_in(site, "dana")
    _, csrf = _page(dana, f"/people/{child}/intake/risk")
    risk = {**RISKS, "flags": ["child"], "decision": "proceed"}
    refused = dana.post(f"/people/{child}/intake/risk", headers=csrf, data=risk)
    assert refused.status_code == 422 and "supervisor" in refused.text
    assert 'value="child" checked' in refused.text
    override = {**risk, "override_reason": "child specialist and psychologist present"}
    assert dana.post(f"/people/{child}/intake/risk", headers=csrf, data=override).status_code == 403

    cora = _signed_in(site, "cora")
    form, cora_csrf = _page(cora, f"/people/{child}/intake/risk")
    assert 'name="override_reason"' in form
    done = cora.post(f"/people/{child}/intake/risk", headers=cora_csrf, data=override)
    assert done.status_code == 303, done.text
    consent.grant(instance, child, GRANT)

    form, _ = _page(dana, f"/people/{child}/intake/interview")
    assert 'name="guardian_consent"' in form and 'name="child_assent"' in form
    refused = dana.post(f"/people/{child}/intake/interview", headers=csrf, data=INTERVIEW)
    assert refused.status_code == 422
    assert (
        "Guardian's consent</strong>: a child&#39;s interview needs their guardian" in refused.text
    )
    assert (
        "The child's own agreement</strong>: a child&#39;s interview needs the child"
        in refused.text
    )
    assert ACCOUNT in refused.text and testimony.list_for_person(instance, child) == []
    assert "best interests</strong>" in refused.text
    agreed = {**INTERVIEW, "guardian_consent": "on", "child_assent": "on",
              "best_interests": "the family asked for the account to be taken"}  # fmt: skip
    assert (
        dana.post(f"/people/{child}/intake/interview", headers=csrf, data=agreed).status_code == 303
    )
    (taken,) = testimony.list_for_person(instance, child)
    assert testimony.describe(instance, taken.id).guardian_consent is True


def test_an_earlier_account_is_shown_by_label_and_going_on_needs_a_reason(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    """On a case where the documenter holds a role; elsewhere only whom to ask is shown
    (tests/web/test_registry_requests.py)."""
    earlier, label = identity.add_person(
        instance, "Case A",
        identity.Identity(name=NAME, other_names=(CYRILLIC,), contacts=(CONTACT,), date_of_birth="1984"),
    )  # fmt: skip
    consent.grant(instance, earlier, GRANT)
    testimony.record(
        instance, earlier, risk_assessment_id=_assessed(instance, earlier), interviewer="dana",
        started_at="2023-05-02T10:00+03:00", timezone="Europe/Kyiv", place="partner office",
        language="uk", contact_via="a hotline", account=ACCOUNT, nothing_promised=True,
        intended_use="criminal-investigation", intended_recipient="national-prosecutor",
        why_needed="no other witness",
    )  # fmt: skip
    http = _signed_in(site, "dana")
    _, csrf = _page(http, "/cases/Case A/intake")
    typed = {"name": "Galina Petrenko", "date_of_birth": "1984"}
    shown = http.post("/cases/Case A/intake", headers=csrf, data=typed)
    assert shown.status_code == 409, shown.text
    assert label in shown.text and "Case A" in shown.text
    assert "2023-05-02 by dana" in shown.text
    assert "Criminal investigation and prosecution" in shown.text
    assert "Ask the holder for a transfer" in shown.text
    assert NAME not in shown.text and CYRILLIC not in shown.text and CONTACT not in shown.text
    assert [p.id for p in people.list_for_case(instance, "Case A")] == [earlier]

    why = "the earlier account was about another incident"
    made = http.post("/cases/Case A/intake", headers=csrf, data={**typed, "justification": why})
    assert made.status_code == 303, made.text
    steps_url = made.headers["location"]
    assert steps_url.endswith("?why=the%20earlier%20account%20was%20about%20another%20incident")
    person_id = steps_url.split("/")[2]
    steps, _ = _page(http, steps_url)
    assert f'href="/people/{person_id}/intake/risk?why=the%20earlier' in steps
    _assessed(instance, person_id)
    consent.grant(instance, person_id, GRANT)

    form, _ = _page(http, f"/people/{person_id}/intake/interview?why=" + why.replace(" ", "%20"))
    assert label in form and "already gave an account on: 2023-05-02" in form
    assert f">{why}</textarea>" in form and NAME not in form
    refused = http.post(f"/people/{person_id}/intake/interview", headers=csrf, data=INTERVIEW)
    assert refused.status_code == 422 and "already interviewed on 2023-05-02" in refused.text
    justified = {**INTERVIEW, "reinterview_justification": why}
    taken = http.post(f"/people/{person_id}/intake/interview", headers=csrf, data=justified)
    assert taken.status_code == 303, taken.text
    (recorded,) = testimony.list_for_person(instance, person_id)
    assert testimony.describe(instance, recorded.id).reinterview_justification == why


def test_a_different_person_goes_on_once_ticked(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    _person(instance, "Case B", NAME)
    http = _signed_in(site, "dana")
    _, csrf = _page(http, "/cases/Case A/intake")
    assert http.post("/cases/Case A/intake", headers=csrf, data={"name": NAME}).status_code == 409
    ticked = http.post(
        "/cases/Case A/intake", headers=csrf, data={"name": NAME, "different_person": "on"}
    )
    assert ticked.status_code == 303 and "why=" not in ticked.headers["location"]
    refused = http.post("/cases/Case A/intake", headers=csrf, data={"name": "  ", "place": "Irpin"})
    assert refused.status_code == 422 and "Their name</strong>" in refused.text
    assert 'value="Irpin"' in refused.text


def test_readers_see_the_steps_and_cannot_write(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    person_id = _person(instance)
    vera = _signed_in(site, "vera")
    steps, csrf = _page(vera, f"/people/{person_id}/intake")
    assert "Safety: is it safe to talk now?" in steps
    assert f'href="/people/{person_id}/intake/risk"' not in steps
    assert f'href="/people/{person_id}/intake/consent"' not in steps
    assert 'href="/cases/Case%20A/intake"' not in vera.get("/cases/Case A").text
    for path in ("/cases/Case A/intake", *(f"/people/{person_id}/intake/{step}"
                                          for step in ("risk", "consent", "interview"))):  # fmt: skip
        assert vera.get(path).status_code == 403, path
        assert vera.post(path, headers=csrf, data={"name": NAME, **RISKS}).status_code == 403, path
    assert plain(people.list_for_case(instance, "Case A")) == [
        {"id": person_id, "label": people.show(instance, person_id).label, "version": 1}
    ]
    boris = _signed_in(site, "boris")
    assert boris.get(f"/people/{person_id}/intake").status_code == 404
    dana = _signed_in(site, "dana")
    _page(dana, "/cases/Case A/intake")
    no_token = dana.post("/cases/Case A/intake", data={"name": NAME})
    assert no_token.status_code == 403


def test_the_steps_read_in_ukrainian(site: Any, world: dict[str, Any], instance: Instance) -> None:
    person_id = _person(instance)
    http = _signed_in(site, "dana")
    http.cookies.set("testament_lang", "uk")
    steps = http.get(f"/people/{person_id}/intake").text
    assert "Безпека: чи безпечно говорити зараз?" in steps
    assert "Дитина" in http.get(f"/people/{person_id}/intake/risk").text
