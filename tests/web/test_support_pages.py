"""The dashboard's follow-ups panel, a person's needs page and the directory of services.

Pages name people by label and needs by area only, never a name or a note. Documenters record needs and
referrals on the needs page; a refusal comes back on its form, 422, with the reason by the field; readers
see the same page without forms, and their posts are refused.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import people
from testament.domain.results import plain
from testament.survivors import directory, identity, referrals
from tests.conftest import SQLITE_ONLY
from tests.services.test_referrals import consent_to_referral
from tests.web.conftest import PASSWORD
from tests.web.conftest import signed_in as _signed_in
from tests.web.test_intake import _custody
from tests.web.test_pages import _csrf

NAME = "Оксана Бондаренко"
NOTE = "Pregnant, needs antenatal care urgently"


@pytest.fixture
def world(instance: Instance) -> dict[str, Any]:
    for name in ("Case A", "Case B"):
        cases.create_case(instance, name)
    person, label = identity.add_person(instance, "Case A", identity.Identity(name=NAME))
    consent_to_referral(instance, person)
    clinic = directory.add_service(instance, "Clinic", ["medical"], "Kyiv", "+380 44 000")
    medical, _legal = referrals.assess_needs(
        instance, person, [("medical", "soon", NOTE), ("legal", "urgent", "")]
    )
    referrals.refer(instance, medical, clinic, follow_up_due="2020-01-31")
    hidden = people.create(instance, "Case B", "Witness in B")
    referrals.assess_needs(instance, hidden, [("shelter", "urgent", "")])
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", "Case A", "viewer")
    accounts.create_user(instance, "boris", PASSWORD)
    accounts.grant_role(instance, "boris", "Case B", "viewer")
    accounts.create_user(instance, "dana", PASSWORD)
    accounts.grant_role(instance, "dana", "Case A", "documenter")
    return {
        "person": person,
        "label": label,
        "hidden": hidden,
        "clinic": clinic,
        "medical": medical,
    }


@SQLITE_ONLY
def test_the_dashboard_lists_follow_ups_by_label_and_area(site: Any, world: dict[str, Any]) -> None:
    page = _signed_in(site, "vera").get("/dashboard").text
    assert "Follow-ups due" in page
    assert world["label"] in page and f'href="/people/{world["person"]}/needs"' in page
    assert "Medical" in page and "Legal" in page and "2020-01-31" in page
    assert "Urgent need with no referral pending" in page
    assert NAME not in page and "antenatal" not in page and "Clinic" not in page
    assert "Witness in B" not in page and "Shelter" not in page
    other = _signed_in(site, "boris").get("/dashboard").text
    assert "Witness in B" in other and world["label"] not in other
    uk = _signed_in(site, "vera")
    uk.cookies.set("testament_lang", "uk")
    assert "Що треба перевірити" in uk.get("/dashboard").text


@SQLITE_ONLY
def test_nothing_due_says_so(site: Any, instance: Instance) -> None:
    cases.create_case(instance, "Quiet")
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", "Quiet", "viewer")
    assert "Nothing to follow up today." in _signed_in(site, "vera").get("/dashboard").text


@SQLITE_ONLY
def test_a_persons_needs_page_shows_no_notes_and_only_to_readers(
    site: Any, world: dict[str, Any]
) -> None:
    http = _signed_in(site, "vera")
    page = http.get(f"/people/{world['person']}/needs")
    assert page.status_code == 200
    assert world["label"] in page.text and "Clinic" in page.text and "Proposed" in page.text
    assert "antenatal" not in page.text and NAME not in page.text
    assert http.get(f"/people/{world['hidden']}/needs").status_code == 404
    assert _signed_in(site, "boris").get(f"/people/{world['person']}/needs").status_code == 404


# --- Recording needs and referrals (both databases) ------------------------------------------------

HEALTH_NOTE = "Shrapnel wound in the left leg, HIV-positive"


def _form(http: TestClient, path: str) -> tuple[str, dict[str, str]]:
    shown = http.get(path)
    assert shown.status_code == 200, shown.text
    return shown.text, {"X-CSRF-Token": _csrf(shown.text)}


def _needs(instance: Instance, person_id: str) -> list[dict[str, Any]]:
    return list(plain(referrals.needs_for_person(instance, person_id)))


def _beside(page: str, field: str) -> str:
    """The reason shown right after the form field ``field``."""
    found = re.search(rf'name="{field}"[^>]*>(?:[^<]|<option[^>]*>[^<]*</option>|</select>)*'
                      r'<span class="error" role="alert">([^<]+)</span>', page)  # fmt: skip
    assert found is not None, f"no reason beside {field}"
    return found.group(1)


def test_a_need_is_referred_and_completed_and_leaves_the_follow_ups(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    person, label = identity.add_person(instance, "Case A", identity.Identity(name="Petro Lysenko"))
    consent_to_referral(instance, person)
    shelter = directory.add_service(instance, "Dim Lviv", ["shelter"], "Lviv", "+380 32 000", languages=["uk", "en"])  # fmt: skip
    http = _signed_in(site, "dana")
    url = f"/people/{person}/needs"
    page, csrf = _form(http, url)
    assert 'id="need-form"' in page and "only people who state a reason can read it" in page
    assert f'href="/people/{person}/intake"' in page and 'href="/services"' in page
    assert "A risk to life, health or safety" in page  # urgency explained by its definition

    added = http.post(url, headers=csrf | {"HX-Request": "true"},
                      data={"area": "shelter", "urgency": "urgent", "note": HEALTH_NOTE})  # fmt: skip
    assert added.status_code == 200 and added.headers["HX-Redirect"] == url
    (need,) = _needs(instance, person)
    page = http.get(url).text
    assert "Shelter" in page and "Urgent" in page and HEALTH_NOTE not in page
    assert "Dim Lviv (Lviv; uk, en)" in page and "Clinic" not in page.split("need-form")[0]
    assert "Urgent need with no referral pending" in http.get("/dashboard").text

    referred = http.post(f"/needs/{need['id']}/referrals", headers=csrf,
                         data={"service": shelter, "follow_up_due": "2020-02-01"})  # fmt: skip
    assert referred.status_code == 303 and referred.headers["location"] == url
    (ref,) = _needs(instance, person)[0]["referrals"]
    board = http.get("/dashboard").text
    assert label in board and "2020-02-01" in board and 'href="/services"' in board

    done = http.post(f"/referrals/{ref['id']}", headers=csrf,
                     data={"status": "completed", "follow_up_due": "2020-02-01",
                           "follow_up_was": "2020-02-01"})  # fmt: skip
    assert done.status_code == 303, done.text
    (need,) = _needs(instance, person)
    assert need["addressed_at"] is not None and need["referrals"][0]["status"] == "completed"
    assert need["referrals"][0]["follow_up_due"] == "2020-02-01"
    page = http.get(url).text
    assert "Completed" in page and f"Addressed: {need['addressed_at'][:10]}" in page
    assert f"refer-{need['id']}" not in page and f"addressed-{need['id']}" not in page
    assert label not in http.get("/dashboard").text
    assert HEALTH_NOTE not in page and HEALTH_NOTE not in _custody(instance)
    assert referrals.needs_for_person(instance, person, purpose="test")[0].note == HEALTH_NOTE


def test_a_need_met_without_a_referral_and_a_follow_up_date_moved_or_removed(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    http = _signed_in(site, "dana")
    page, csrf = _form(http, f"/people/{world['person']}/needs")
    legal = next(n for n in _needs(instance, world["person"]) if n["area"] == "legal")
    assert "No service in the directory gives this kind of help yet." in page
    assert f'href="/services?area=legal&amp;back=/people/{world["person"]}/needs"' in page
    met = http.post(f"/needs/{legal['id']}/addressed", headers=csrf)
    assert met.status_code == 303
    again = http.post(f"/needs/{legal['id']}/addressed", headers=csrf)
    assert again.status_code == 422 and "This need is already marked as addressed." in again.text

    (ref,) = _needs(instance, world["person"])[0]["referrals"]
    moved = http.post(f"/referrals/{ref['id']}", headers=csrf,
                      data={"follow_up_due": "2030-05-01", "follow_up_was": "2020-01-31"})  # fmt: skip
    assert moved.status_code == 303
    assert _needs(instance, world["person"])[0]["referrals"][0]["follow_up_due"] == "2030-05-01"
    assert _needs(instance, world["person"])[0]["referrals"][0]["status"] == "proposed"
    cleared = http.post(f"/referrals/{ref['id']}", headers=csrf,
                        data={"status": "no-response", "follow_up_was": "2030-05-01"})  # fmt: skip
    assert cleared.status_code == 303
    (after,) = _needs(instance, world["person"])[0]["referrals"]
    assert after["follow_up_due"] is None and after["status"] == "no-response"


def test_refusals_come_back_on_the_form_beside_the_field(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    http = _signed_in(site, "dana")
    url = f"/people/{world['person']}/needs"
    _page, csrf = _form(http, url)
    legal = next(n for n in _needs(instance, world["person"]) if n["area"] == "legal")
    lawyers = directory.add_service(instance, "Lawyers", ["legal"], "Kyiv", "+380 44 111")

    wrong = http.post(f"/needs/{legal['id']}/referrals", headers=csrf,
                      data={"service": world["clinic"], "follow_up_due": ""})  # fmt: skip
    assert wrong.status_code == 422
    assert _beside(wrong.text, "service").startswith("This service does not give this kind")
    assert f'id="refer-{legal["id"]}"' in wrong.text and "Traceback" not in wrong.text
    assert "testament" not in wrong.text.split("<main>")[1].split("Not saved yet:")[1][:300]

    bad_day = http.post(f"/needs/{legal['id']}/referrals", headers=csrf,
                        data={"service": lawyers, "follow_up_due": "2024-02-30"})  # fmt: skip
    assert bad_day.status_code == 422
    assert _beside(bad_day.text, "follow_up_due") == "This is not a date."
    assert 'value="2024-02-30"' in bad_day.text and f'value="{lawyers}" selected' in bad_day.text
    assert "Write the date as year-month-day" in bad_day.text
    assert not _needs(instance, world["person"])[1]["referrals"]  # nothing half-written

    (ref,) = _needs(instance, world["person"])[0]["referrals"]
    unchanged = http.post(f"/referrals/{ref['id']}", headers=csrf,
                          data={"follow_up_due": "2020-01-31", "follow_up_was": "2020-01-31"})  # fmt: skip
    assert unchanged.status_code == 422
    assert _beside(unchanged.text, "status") == "Choose a new status or change the follow-up date."
    late = http.post(f"/referrals/{ref['id']}", headers=csrf,
                     data={"status": "accepted", "follow_up_due": "31.01.2020"})  # fmt: skip
    assert late.status_code == 422 and _beside(late.text, "follow_up_due") == "This is not a date."

    empty = http.post(url, headers=csrf, data={"note": "kept"})
    assert (
        empty.status_code == 422
        and "Choose one." in empty.text
        and ">kept</textarea>" in empty.text
    )

    uk = _signed_in(site, "dana")
    uk.cookies.set("testament_lang", "uk")
    _page, uk_csrf = _form(uk, url)
    translated = uk.post(f"/needs/{legal['id']}/referrals", headers=uk_csrf,
                         data={"service": lawyers, "follow_up_due": "2024-13-01"})  # fmt: skip
    assert (
        translated.status_code == 422 and _beside(translated.text, "follow_up_due") == "Це не дата."
    )


def test_a_closed_case_refuses_new_needs_on_the_form(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    cases.create_case(instance, "Case C")
    accounts.grant_role(instance, "dana", "Case C", "documenter")
    person, _ = identity.add_person(instance, "Case C", identity.Identity(name="Ivan Melnyk"))
    cases.close_case(instance, "Case C")
    http = _signed_in(site, "dana")
    _page, csrf = _form(http, f"/people/{person}/needs")
    refused = http.post(f"/people/{person}/needs", headers=csrf,
                        data={"area": "medical", "urgency": "soon", "note": ""})  # fmt: skip
    assert refused.status_code == 422
    assert "The person's case is closed. A coordinator must reopen it" in refused.text
    assert 'value="medical" required checked' in refused.text and "Traceback" not in refused.text
    assert _needs(instance, person) == []


def test_a_viewer_gets_no_forms_and_their_posts_are_refused(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    http = _signed_in(site, "vera")
    page, csrf = _form(http, f"/people/{world['person']}/needs")
    assert "<form id=" not in page and "Add a need" not in page and "Refer to a service" not in page
    assert "Mark as addressed" not in page and "Clinic" in page
    (ref,) = _needs(instance, world["person"])[0]["referrals"]
    for path, data in (
        (f"/people/{world['person']}/needs", {"area": "medical", "urgency": "soon"}),
        (f"/needs/{world['medical']}/referrals", {"service": world["clinic"]}),
        (f"/needs/{world['medical']}/addressed", {}),
        (f"/referrals/{ref['id']}", {"status": "completed"}),
        ("/services", {"name": "X", "areas": ["legal"], "region": "Kyiv", "contact": "x"}),
    ):
        assert http.post(path, headers=csrf, data=data).status_code == 403, path
    services, _ = _form(http, "/services")
    assert "Clinic" in services and 'id="service-form"' not in services
    outsider = _signed_in(site, "boris")
    _page, other = _form(outsider, "/dashboard")
    assert outsider.post(f"/needs/{world['medical']}/addressed", headers=other).status_code == 404
    assert len(_needs(instance, world["person"])) == 2
    assert _needs(instance, world["person"])[0]["addressed_at"] is None


def test_the_directory_lists_filters_and_takes_new_services(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    directory.add_service(instance, "Pravo", ["legal", "protection"], "Lviv", "pravo@example.org")
    http = _signed_in(site, "dana")
    page, csrf = _form(http, "/services")
    assert "Clinic" in page and "Pravo" in page and "Legal, Protection" in page
    assert 'id="service-form"' in page
    legal = http.get("/services", params={"area": "legal"}).text
    assert "Pravo" in legal and "Clinic" not in legal.split("service-form")[0]
    kyiv = http.get("/services", params={"region": "Kyiv"}).text
    assert "Clinic" in kyiv and "Pravo" not in kyiv.split("service-form")[0]

    back = f"/people/{world['person']}/needs"
    added = http.post("/services", headers=csrf,
                      data={"name": "Dovira", "areas": ["psychosocial", "medical"], "region": "Kharkiv",
                            "contact": "+380 57 000", "languages": "uk, ru", "back": back})  # fmt: skip
    assert added.status_code == 303 and added.headers["location"] == back
    assert "Dovira (Kharkiv; uk, ru)" in http.get(back).text
    elsewhere = http.post("/services", headers=csrf,
                          data={"name": "Far", "areas": ["legal"], "region": "Odesa",
                                "contact": "x", "back": "https://example.org/"})  # fmt: skip
    assert elsewhere.headers["location"] == "/services"

    taken = http.post("/services", headers=csrf,
                      data={"name": "Clinic", "areas": ["medical"], "region": "Kyiv", "contact": "x"})  # fmt: skip
    assert taken.status_code == 422
    assert _beside(taken.text, "name") == "The directory already has a service with this name."
    no_area = http.post("/services", headers=csrf,
                        data={"name": "New", "region": "Kyiv", "contact": "x", "languages": "uk"})  # fmt: skip
    assert no_area.status_code == 422 and "Tick at least one kind of help." in no_area.text
    assert 'value="New"' in no_area.text
    tongue = http.post("/services", headers=csrf,
                       data={"name": "New", "areas": ["legal"], "region": "Kyiv", "contact": "x",
                             "languages": "Ukrainian!"})  # fmt: skip
    assert tongue.status_code == 422
    assert _beside(tongue.text, "languages").startswith("Write each language as a short code")
    assert [s.name for s in directory.list_services(instance)] == [
        "Clinic", "Dovira", "Far", "Pravo"
    ]  # fmt: skip
