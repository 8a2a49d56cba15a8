"""The pages: first-admin setup, sign-in, the dashboard, lists, detail pages, escaping, and access rules."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from testament.accounts import accounts
from testament.custody import cases, custody_log, ingest
from testament.custody.instance import Instance
from testament.documentation import gazetteer, incidents
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import PASSWORD, SETUP, open_with_purpose
from tests.web.conftest import csrf_token as _csrf
from tests.web.conftest import signed_in as _signed_in

pytestmark = SQLITE_ONLY

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
AREAS = Path(__file__).resolve().parents[2] / "demo" / "ukraine-adm1.geojson"


def _browser(site: Any) -> TestClient:
    return TestClient(site, base_url="http://127.0.0.1", follow_redirects=False)


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    gazetteer.load(instance, AREAS, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")
    ids: dict[str, Any] = {}
    for name in ("Case A", "Case B"):
        cases.create_case(instance, name)
        ids[name] = incidents.create(
            instance,
            name,
            incidents.IncidentInput(
                title=f"Shelling of a school in {name} {HOSTILE}",
                date="2022-03-01",
                latitude=50.45,
                longitude=30.52,
                description=HOSTILE,
                sensitivity=["graphic"] if name == "Case A" else [],
            ),
        )
        folder = tmp_path / name.replace(" ", "")
        folder.mkdir()
        (folder / "note.txt").write_bytes(os.urandom(100))
        ids[f"item {name}"] = ingest.ingest(instance, [folder], case_name=name).results[0].item_id
    ids["plain"] = incidents.create(
        instance, "Case A", incidents.IncidentInput(title="Strike on a grain silo", date="2022-07")
    )
    ids["vera"] = accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", "Case A", "viewer")
    return ids


def _access_events(instance: Instance) -> list[dict[str, Any]]:
    with read_transaction(instance.engine) as conn:
        rows = conn.execute(
            select(custody_event.c.detail).where(custody_event.c.event_type == "access")
        ).scalars()
        return [{"detail": json.loads(row)} for row in rows]


def test_the_first_admin_is_made_once_with_the_printed_link(site: Any, instance: Instance) -> None:
    http = _browser(site)
    assert http.get("/").headers["location"] == "/setup"
    wrong = http.post("/setup", data={"token": "guess", "username": "ops", "password": PASSWORD})
    assert wrong.status_code == 403
    weak = http.post("/setup", data={"token": SETUP, "username": "ops", "password": "short"})
    assert weak.status_code == 422 and "at least 12 characters" in weak.text
    made = http.post("/setup", data={"token": SETUP, "username": "ops", "password": PASSWORD})
    assert made.status_code == 303 and made.headers["location"] == "/dashboard"
    assert http.get("/dashboard").status_code == 200
    again = _browser(site).post(
        "/setup", data={"token": SETUP, "username": "ops2", "password": PASSWORD}
    )
    assert again.status_code == 303 and again.headers["location"] == "/login"
    assert [u.username for u in accounts.list_users(instance)] == ["ops"]


def test_pages_need_a_session_and_come_back_after_sign_in(site: Any, world: dict[str, Any]) -> None:
    http = _browser(site)
    bounced = http.get("/cases/Case%20A")
    assert bounced.status_code == 303
    assert bounced.headers["location"] == "/login?next=/cases/Case%20A"
    wrong = http.post("/login", data={"username": "vera", "password": "wrong password!"})
    assert wrong.status_code == 403 and "wrong" in wrong.text
    done = http.post(
        "/login", data={"username": "vera", "password": PASSWORD, "next": "/cases/Case A"}
    )
    assert done.headers["location"] == "/cases/Case%20A"
    assert (
        _browser(site)
        .post(
            "/login",
            data={"username": "vera", "password": PASSWORD, "next": "https://evil.example"},
        )
        .headers["location"]
        == "/dashboard"
    )


def test_a_sign_in_posted_from_another_site_is_refused(site: Any, world: dict[str, Any]) -> None:
    response = _browser(site).post(
        "/login",
        data={"username": "vera", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403 and "set-cookie" not in response.headers


def test_the_dashboard_lists_only_the_users_cases(site: Any, world: dict[str, Any]) -> None:
    page = _signed_in(site, "vera").get("/dashboard")
    assert page.status_code == 200
    assert "Case A" in page.text and "Case B" not in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_text_from_records_is_escaped_on_every_page(site: Any, world: dict[str, Any]) -> None:
    http = _signed_in(site, "vera")
    pages = [
        http.get("/cases/Case A").text,
        open_with_purpose(http, f"/incidents/{world['Case A']}", "review").text,
        http.get("/search", params={"q": "school"}).text,
    ]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in pages[0]


def test_sensitivity_labels_show_on_the_list(site: Any, world: dict[str, Any]) -> None:
    page = _signed_in(site, "vera").get("/cases/Case A").text
    assert 'class="label label-graphic"' in page


def test_a_sensitive_record_asks_for_a_purpose_and_logs_the_view(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = _signed_in(site, "vera")
    gate = http.get(f"/incidents/{world['Case A']}")
    assert gate.status_code == 200 and 'name="purpose"' in gate.text
    shown = open_with_purpose(http, f"/incidents/{world['Case A']}", "weekly review")
    assert "History" in shown.text
    plain = http.get(f"/incidents/{world['plain']}")
    assert "grain silo" in plain.text and 'name="purpose"' not in plain.text
    logged = [
        (event["detail"]["id"], event["detail"]["purpose"])
        for event in _access_events(instance)
        if event["detail"].get("object") == "incident"
    ]
    assert logged == [(world["Case A"], "weekly review")]  # the plain record's view is not logged


def test_evidence_page_shows_the_custody_timeline(site: Any, world: dict[str, Any]) -> None:
    http = _signed_in(site, "vera")
    item = world["item Case A"]
    assert 'name="purpose"' in http.get(f"/evidence/{item}").text
    page = open_with_purpose(http, f"/evidence/{item}", "check the chain").text
    assert "Custody timeline" in page and "ingestion" in page.lower() and "check the chain" in page
    assert f"/api/evidence/{item}/proof" in page


def test_another_cases_pages_are_not_found(site: Any, world: dict[str, Any]) -> None:
    http = _signed_in(site, "vera")
    for path in (
        f"/incidents/{world['Case B']}",
        f"/evidence/{world['item Case B']}",
        "/cases/Case B",
        "/cases/Case B/map",
        "/api/cases/Case B/map",
    ):
        assert http.get(path).status_code == 404, path


def test_map_data_comes_from_testament_itself(site: Any, world: dict[str, Any]) -> None:
    http = _signed_in(site, "vera")
    page = http.get("/cases/Case A/map").text
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in page and "tile.openstreetmap" not in page
    points = http.get("/api/cases/Case A/map").json()
    assert [f["geometry"]["coordinates"] for f in points["features"]] == [[30.52, 50.45]]
    assert (points["total"], points["clustered"]) == (1, False)
    kyiv = http.get("/api/cases/Case A/map", params={"bbox": "30,50,31,51", "zoom": 9}).json()
    assert kyiv["total"] == 1
    elsewhere = http.get("/api/cases/Case A/map", params={"bbox": "36,49,37,50", "zoom": 9}).json()
    assert (elsewhere["total"], elsewhere["features"]) == (0, [])
    for bbox, zoom in (("30,50,31", 9), ("31,50,30,51", 9), ("30,50,31,51", 30)):
        refused = http.get("/api/cases/Case A/map", params={"bbox": bbox, "zoom": zoom})
        assert refused.status_code == 422
        assert set(refused.json()["errors"]) & {"bbox", "zoom"}, refused.json()
    areas = http.get("/api/gazetteer/areas.geojson").json()
    assert len(areas["features"]) == 27


def test_a_case_lists_its_evidence_over_the_api(site: Any, world: dict[str, Any]) -> None:
    http = _signed_in(site, "vera")
    listed = http.get("/api/cases/Case A/evidence").json()
    assert [item["id"] for item in listed["items"]] == [world["item Case A"]]
    assert listed["items"][0]["original_name"] == "note.txt" and listed["next_offset"] is None
    assert http.get("/api/cases/Case B/evidence").status_code == 404


def test_the_language_switch_translates_the_page(site: Any, world: dict[str, Any]) -> None:
    http = _signed_in(site, "vera")
    switched = http.get("/lang/uk", params={"next": "/dashboard"})
    assert switched.headers["location"] == "/dashboard"
    page = http.get("/dashboard").text
    assert 'lang="uk"' in page and "Справи" in page
    assert http.get("/lang/en", params={"next": "//evil.example"}).headers["location"] == "/"


def test_browser_language_is_honoured(site: Any, world: dict[str, Any]) -> None:
    http = _signed_in(site, "vera")
    page = http.get("/dashboard", headers={"Accept-Language": "uk-UA,uk;q=0.9,en;q=0.8"}).text
    assert "Панель" in page


def test_sign_out_needs_the_csrf_token(site: Any, world: dict[str, Any]) -> None:
    http = _signed_in(site, "vera")
    token = _csrf(http.get("/dashboard").text)
    assert http.post("/logout", data={"csrf_token": "wrong"}).status_code == 403
    assert http.get("/dashboard").status_code == 200
    assert http.post("/logout", data={"csrf_token": token}).status_code == 303
    assert http.get("/dashboard").status_code == 303  # back to the sign-in page


def test_the_api_is_served_under_api(site: Any, world: dict[str, Any]) -> None:
    http = _signed_in(site, "vera")
    assert http.get("/api/cases").json()["items"][0]["name"] == "Case A"
    assert http.get("/api/openapi.json").status_code == 200


def test_previews_start_blurred_until_the_user_turns_it_off(
    site: Any, instance: Instance, world: dict[str, Any], tmp_path: Path
) -> None:
    import shutil

    photo = tmp_path / "photos" / "strike.png"
    photo.parent.mkdir()
    shutil.copy(Path(__file__).resolve().parents[2] / "src" / "testament" / "web" / "static" / "vendor"
                / "leaflet-1.9.4" / "images" / "marker-icon.png", photo)  # fmt: skip
    item = ingest.ingest(instance, [photo], case_name="Case A").results[0].item_id
    http = _signed_in(site, "vera")
    page = open_with_purpose(http, f"/evidence/{item}", "check").text
    assert 'class="preview graphic"' in page and "button" in page
    image = http.get(f"/api/evidence/{item}/content", params={"purpose": "check", "inline": "true"})
    assert image.headers["content-type"] == "image/png"
    assert image.headers["content-disposition"].startswith("inline")
    assert image.headers["content-security-policy"].startswith("sandbox")
    token = _csrf(page)
    saved = http.post("/settings", data={}, headers={"X-CSRF-Token": token})
    assert saved.status_code == 200 and "Saved." in saved.text
    assert accounts.describe(instance, world["vera"]).blur_graphic is False
    page = open_with_purpose(http, f"/evidence/{item}", "check").text
    assert 'class="preview"' in page and "graphic" not in page.split('class="preview')[1][:20]
    http.post("/settings", data={"blur_graphic": "on"}, headers={"X-CSRF-Token": token})
    assert accounts.describe(instance, world["vera"]).blur_graphic is True


def test_evidence_that_is_not_media_never_shows_inline(site: Any, world: dict[str, Any]) -> None:
    http = _signed_in(site, "vera")
    item = world["item Case A"]
    response = http.get(f"/api/evidence/{item}/content", params={"purpose": "x", "inline": "true"})
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"].startswith("attachment")


def test_settings_need_the_csrf_token(site: Any, world: dict[str, Any]) -> None:
    http = _signed_in(site, "vera")
    assert http.post("/settings", data={"blur_graphic": "on"}).status_code == 403


def test_the_admin_page_is_for_administrators(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    assert _signed_in(site, "vera").get("/admin").status_code == 403
    accounts.create_user(instance, "ops", PASSWORD, admin=True)
    page = _signed_in(site, "ops").get("/admin")
    assert page.status_code == 200
    assert "vera" in page.text and "Case A: Viewer" in page.text
    assert custody_log.verifier_key(instance) in page.text


def test_the_proof_chart_page(site: Any, instance: Instance, world: dict[str, Any]) -> None:
    from testament.documentation import legal

    http = _signed_in(site, "vera")
    assert (
        "No incident of this case has a legal qualification yet."
        in http.get("/cases/Case A/proof-chart").text
    )
    legal.qualify(instance, world["Case A"], "CAH-MURDER", "killed at home")
    page = http.get("/cases/Case A/proof-chart").text
    assert "CAH-MURDER" in page and "Preliminary" in page and "<table>" in page
    assert http.get("/cases/Case B/proof-chart").status_code == 404


def test_a_coordinator_creates_a_case_from_the_dashboard(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    viewer = _signed_in(site, "vera")
    page = viewer.get("/dashboard").text
    assert 'action="/cases"' not in page  # a viewer is not offered the form
    refused = viewer.post("/cases", data={"name": "Case V"}, headers={"X-CSRF-Token": _csrf(page)})
    assert refused.status_code == 403
    accounts.grant_role(instance, "vera", "Case A", "coordinator")
    page = viewer.get("/dashboard").text
    assert 'action="/cases"' in page
    made = viewer.post(
        "/cases",
        data={"name": "Case Kherson"},
        headers={"X-CSRF-Token": _csrf(page), "HX-Request": "true"},
    )
    assert made.status_code == 200 and made.headers["hx-redirect"] == "/cases/Case%20Kherson"
    assert accounts.describe(instance, world["vera"]).roles["Case Kherson"] == "coordinator"
    assert viewer.post("/cases", data={"name": "Case X"}).status_code == 403  # no CSRF token


def test_the_list_filters_and_the_timeline(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = _signed_in(site, "vera")
    page = http.get("/cases/Case A").text
    assert "2022-03" in page and "2022-07" in page and "<meter" in page  # one bar per month
    march = http.get("/cases/Case A", params={"date_to": "2022-03-31"}).text
    assert "Shelling of a school" in march and "grain silo" not in march
    graphic = http.get("/cases/Case A", params={"label": "graphic"}).text
    assert "Shelling of a school" in graphic and "grain silo" not in graphic
    bad = http.get("/cases/Case A", params={"date_from": "2022-02-30"})
    assert bad.status_code == 422 and "date_from" in bad.text
    api = http.get("/api/incidents", params={"case": "Case A", "status": "nonsense"})
    assert api.status_code == 422 and "status" in api.json()["errors"]
    assert http.get("/api/cases/Case A/timeline").json()["items"] == [
        {"month": "2022-03", "incidents": 1},
        {"month": "2022-07", "incidents": 1},
    ]


def test_an_administrator_adds_users_and_roles_from_the_page(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    accounts.create_user(instance, "ops", PASSWORD, admin=True)
    http = _signed_in(site, "ops")
    token = {"X-CSRF-Token": _csrf(http.get("/admin").text)}
    weak = http.post("/admin/users", data={"username": "olena", "password": "short"}, headers=token)
    assert weak.status_code == 422 and "at least 12 characters" in weak.text
    assert "short" not in weak.text.split('role="alert"')[1][:300]  # the password is never echoed
    made = http.post(
        "/admin/users",
        data={"username": "olena", "password": PASSWORD, "organisation": "Truth Hounds"},
        headers=token,
    )
    assert made.status_code == 200 and "olena" in made.text
    granted = http.post(
        "/admin/roles",
        data={"username": "olena", "case": "Case B", "role": "analyst"},
        headers=token,
    )
    assert granted.status_code == 200
    assert accounts.describe(
        instance, accounts.authenticate(instance, "olena", PASSWORD)
    ).roles == {"Case B": "analyst"}
    http.post(
        "/admin/roles", data={"username": "olena", "case": "Case B", "role": "none"}, headers=token
    )
    assert {u.username: u.roles for u in accounts.list_users(instance)}["olena"] == {}
    assert (
        http.post("/admin/users", data={"username": "x", "password": PASSWORD}).status_code == 403
    )
    viewer = _signed_in(site, "vera")
    vtoken = {"X-CSRF-Token": _csrf(viewer.get("/dashboard").text)}
    refused = viewer.post(
        "/admin/roles", data={"username": "vera", "case": "Case B", "role": "admin"}, headers=vtoken
    )
    assert refused.status_code == 403
    assert "Case B" not in accounts.describe(instance, world["vera"]).roles
