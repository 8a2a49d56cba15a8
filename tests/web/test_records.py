"""Writing the documentation from the pages: new incidents, edits, a case's evidence and links to it.

Each form goes through the services and the policy door; a refused form comes back filled in with the
reason, and nothing is half-written.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.documentation import incidents
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import open_with_purpose
from tests.web.test_pages import HOSTILE, PASSWORD, _access_events, _csrf, _signed_in

pytestmark = SQLITE_ONLY


@pytest.fixture
def desk(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    """Case A with one incident and two evidence files; Case B apart; a documenter and a viewer of A."""
    ids: dict[str, Any] = {}
    for name in ("Case A", "Case B"):
        cases.create_case(instance, name)
    ids["incident"] = incidents.create(
        instance, "Case A", incidents.IncidentInput(title="Strike on a grain silo", date="2022-07")
    )
    folder = tmp_path / "files"
    folder.mkdir()
    for name in ("photo-1.jpg", "фото-2.jpg"):
        (folder / name).write_bytes(os.urandom(500))
    ids["items"] = [
        r.item_id for r in ingest.ingest(instance, [folder], case_name="Case A").results
    ]
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.bin").write_bytes(os.urandom(50))
    ids["item B"] = ingest.ingest(instance, [other], case_name="Case B").results[0].item_id
    for user, role in (("dana", "documenter"), ("vera", "viewer")):
        accounts.create_user(instance, user, PASSWORD)
        accounts.grant_role(instance, user, "Case A", role)
    return ids


def _page(http: TestClient, path: str) -> tuple[str, dict[str, str]]:
    shown = http.get(path)
    assert shown.status_code == 200, shown.text
    return shown.text, {"X-CSRF-Token": _csrf(shown.text)}


def test_a_documenter_creates_an_incident_from_the_case_page(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    http = _signed_in(site, "dana")
    case_page, _ = _page(http, "/cases/Case A")
    assert "/cases/Case%20A/incidents/new" in case_page
    form, csrf = _page(http, "/cases/Case A/incidents/new")
    assert 'name="sensitivity"' in form and 'value="attack-on-civilians"' in form
    made = http.post(
        "/cases/Case A/incidents",
        headers=csrf,
        data={
            "title": "Shelling of a bread factory " + HOSTILE,
            "date": "2022-03-14",
            "place_text": "Kharkiv",
            "latitude": "49.99",
            "longitude": "36.23",
            "status": "reported",
            "types": ["attack-on-civilians"],
            "sensitivity": ["graphic"],
            "description": HOSTILE,
        },
    )
    assert made.status_code == 303, made.text
    new_id = made.headers["location"].rsplit("/", 1)[1]
    shown = incidents.show(instance, new_id)
    assert shown.title.startswith("Shelling of a bread factory")
    assert (shown.occurred_from, shown.latitude, shown.types) == (
        "2022-03-14", 49.99, ["attack-on-civilians"],
    )  # fmt: skip
    assert shown.sensitivity == ["graphic"] and shown.description == HOSTILE
    page = open_with_purpose(http, f"/incidents/{new_id}", "checking the new record").text
    assert HOSTILE not in page and "&lt;script&gt;" in page


def test_a_refused_incident_comes_back_filled_in_and_nothing_is_written(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    http = _signed_in(site, "dana")
    _, csrf = _page(http, "/cases/Case A/incidents/new")
    before = len(incidents.list_for_case(instance, "Case A"))
    for data, reason in (
        ({"title": "Strike", "latitude": "95", "longitude": "30"}, "latitude 95.0 is out of range"),
        ({"title": "Strike", "date": "2022-02-30"}, "is not a date"),
        ({"title": "Strike", "types": ["alien-abduction"]}, "alien-abduction"),
        ({"title": "   "}, "the title must not be empty"),
    ):
        refused = http.post("/cases/Case A/incidents", headers=csrf, data=data)
        assert refused.status_code == 422, data
        assert reason in refused.text and 'id="incident-form"' in refused.text
        assert 'value="Strike"' in refused.text or data["title"].strip() == ""
    too_long = http.post("/cases/Case A/incidents", headers=csrf, data={"title": "x" * 501})
    assert too_long.status_code == 422 and "title" in too_long.text and "<html" in too_long.text
    assert len(incidents.list_for_case(instance, "Case A")) == before


def test_an_edit_saves_a_new_version_and_a_stale_one_is_refused(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    http = _signed_in(site, "dana")
    incident = desk["incident"]
    form, csrf = _page(http, f"/incidents/{incident}/edit")
    assert 'value="Strike on a grain silo"' in form and 'name="version" value="1"' in form
    fields = {"version": "1", "title": "Strike on a grain silo", "date": "2022-07-01",
              "date_to": "2022-07-03", "status": "verified", "place_text": "Odesa port"}  # fmt: skip
    saved = http.post(f"/incidents/{incident}/edit", headers=csrf, data=fields)
    assert saved.status_code == 303 and saved.headers["location"] == f"/incidents/{incident}"
    shown = incidents.show(instance, incident)
    assert (shown.version, shown.status, shown.place_text) == (2, "verified", "Odesa port")
    assert (shown.occurred_from, shown.occurred_to) == ("2022-07-01", "2022-07-03")
    # Someone else's tab still holds version 1: their save must not overwrite this one.
    stale = http.post(f"/incidents/{incident}/edit", headers=csrf, data=fields | {"title": "Old"})
    assert stale.status_code == 409 and 'value="Old"' in stale.text
    assert incidents.show(instance, incident).title == "Strike on a grain silo"
    # The form shows a range as its two ends, ready to edit again.
    again, _ = _page(http, f"/incidents/{incident}/edit")
    assert 'name="date_to" maxlength="100" value="2022-07-03"' in again


def test_editing_a_sensitive_incident_asks_the_purpose_and_logs_it(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    incident = incidents.create(
        instance, "Case A", incidents.IncidentInput(title="Detention site", sensitivity=["graphic"])
    )
    http = _signed_in(site, "dana")
    asked = http.get(f"/incidents/{incident}/edit")
    assert asked.status_code == 200 and 'name="purpose"' in asked.text
    form = open_with_purpose(http, f"/incidents/{incident}/edit", "adding the date")
    assert 'name="title"' in form.text and "adding the date" not in str(form.url)
    access = re.search(r'name="access" value="(\d+)"', form.text)
    assert access is not None
    fields = {"version": "1", "title": "Detention site", "date": "2022-04",
              "sensitivity": ["graphic"], "access": access.group(1)}  # fmt: skip
    saved = http.post(f"/incidents/{incident}/edit", headers={"X-CSRF-Token": _csrf(form.text)},
                      data=fields)  # fmt: skip
    assert saved.headers["location"] == f"/incidents/{incident}?access={access.group(1)}"
    assert "Detention site" in http.get(saved.headers["location"]).text

    purposes = [e["detail"].get("purpose") for e in _access_events(instance)]
    assert "adding the date" in purposes


def test_viewers_and_other_cases_cannot_write(site: Any, desk: dict[str, Any]) -> None:
    viewer = _signed_in(site, "vera")
    case_page, csrf = _page(viewer, "/cases/Case A")
    assert "/incidents/new" not in case_page
    incident_page, _ = _page(viewer, f"/incidents/{desk['incident']}")
    assert "/edit" not in incident_page and 'name="item_id"' not in incident_page
    assert viewer.get("/cases/Case A/incidents/new").status_code == 403
    refused = viewer.post("/cases/Case A/incidents", headers=csrf, data={"title": "Strike"})
    assert refused.status_code == 403
    assert viewer.get(f"/incidents/{desk['incident']}/edit").status_code == 403
    documenter = _signed_in(site, "dana")
    _, csrf = _page(documenter, "/cases/Case A")
    assert documenter.get("/cases/Case B/incidents/new").status_code == 404
    assert (
        documenter.post("/cases/Case B/incidents", headers=csrf, data={"title": "x"}).status_code
        == 404
    )
    assert documenter.get("/cases/Case B/evidence").status_code == 404
    no_csrf = documenter.post("/cases/Case A/incidents", data={"title": "Strike"})
    assert no_csrf.status_code == 403


def test_a_case_lists_its_evidence_and_an_item_is_linked_from_the_incident(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    http = _signed_in(site, "dana")
    listing, _ = _page(http, "/cases/Case A/evidence")
    assert "photo-1.jpg" in listing and "фото-2.jpg" in listing and "b.bin" not in listing
    incident = desk["incident"]
    page, csrf = _page(http, f"/incidents/{incident}")
    assert page.count('<option value="') >= 2
    first = desk["items"][0]
    linked = http.post(f"/incidents/{incident}/evidence", headers=csrf,
                       data={"item_id": first, "relevance": "shows the damage"})  # fmt: skip
    assert linked.status_code == 303
    assert [link.item_id for link in incidents.show(instance, incident).evidence] == [first]
    page, _ = _page(http, f"/incidents/{incident}")
    assert f'<option value="{first}"' not in page and "shows the damage" in page
    twice = http.post(f"/incidents/{incident}/evidence", headers=csrf,
                      data={"item_id": first, "relevance": "again"})  # fmt: skip
    assert twice.status_code == 422 and "already linked" in twice.text
    other_case = http.post(f"/incidents/{incident}/evidence", headers=csrf,
                           data={"item_id": desk["item B"], "relevance": "x"})  # fmt: skip
    assert other_case.status_code == 404
    listing, _ = _page(http, "/cases/Case A/evidence")
    assert ">1</td>" in listing  # the linked item now counts one incident
