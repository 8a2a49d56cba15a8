"""The dashboard's follow-ups panel and a person's needs page: labels and areas only, for readers only."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.services import accounts, cases, directory, identity, people, referrals
from testament.services.instance import Instance
from tests.conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
NAME = "Оксана Бондаренко"
NOTE = "Pregnant, needs antenatal care urgently"


def _signed_in(site: Any, username: str) -> TestClient:
    http = TestClient(site, base_url="http://127.0.0.1", follow_redirects=False)
    response = http.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return http


@pytest.fixture
def world(instance: Instance) -> dict[str, Any]:
    for name in ("Case A", "Case B"):
        cases.create_case(instance, name)
    person, label = identity.add_person(instance, "Case A", identity.Identity(name=NAME))
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
    return {"person": person, "label": label, "hidden": hidden}


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


def test_nothing_due_says_so(site: Any, instance: Instance) -> None:
    cases.create_case(instance, "Quiet")
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", "Quiet", "viewer")
    assert "Nothing to follow up today." in _signed_in(site, "vera").get("/dashboard").text


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
