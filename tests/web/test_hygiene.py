"""Browser hygiene: error pages, the Content-Security-Policy, the API's own docs, who did what in the
custody timeline, and purposes kept out of URLs (docs/web.md)."""

from __future__ import annotations

import json
import os
import re
import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.routing import Mount

from testament.accounts import accounts
from testament.api.app import create_app
from testament.custody import access_log, cases, ingest
from testament.custody.instance import Instance
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import PASSWORD, open_with_purpose
from tests.web.conftest import csrf_token as _csrf
from tests.web.conftest import signed_in as _signed_in

pytestmark = SQLITE_ONLY

MARKER = (
    Path(__file__).resolve().parents[2]
    / "src/testament/web/static/vendor/leaflet-1.9.4/images/marker-icon.png"
)


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    cases.create_case(instance, "Case A")
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "note.txt").write_bytes(os.urandom(100))
    item = ingest.ingest(instance, [folder], case_name="Case A").results[0].item_id
    user = accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", "Case A", "documenter")
    return {"item": item, "vera": user}


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_an_unknown_page_or_a_wrong_method_is_a_styled_translated_page(
    site: Any, world: dict[str, Any], lang: str
) -> None:
    http = _signed_in(site, "vera")
    http.cookies.set("testament_lang", lang)
    missing = http.get("/no/such/page")
    wrong = http.post("/dashboard", headers={"X-CSRF-Token": _csrf(http.get("/settings").text)})
    for response, status in ((missing, 404), (wrong, 405)):
        assert response.status_code == status
        assert response.headers["content-type"].startswith("text/html")
        assert '<link rel="stylesheet" href="/static/app.css">' in response.text
        assert "Not Found" not in response.text and "detail" not in response.text
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
    if lang == "uk":
        assert "За цією адресою сторінки немає." in missing.text
        assert "Цією сторінкою не можна скористатися так" in wrong.text
    else:
        assert "There is no page at this address." in missing.text


def test_the_api_keeps_its_json_error_envelope(site: Any, world: dict[str, Any]) -> None:
    http = _signed_in(site, "vera")
    for response in (http.get("/api/no/such/route"), http.delete("/api/cases")):
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["ok"] is False and body["status"] == response.status_code


def _api(site: FastAPI) -> FastAPI:
    mounted = next(r for r in site.routes if isinstance(r, Mount) and r.path == "/api")
    app: FastAPI = mounted.app  # type: ignore[assignment]
    return app


def test_an_unexpected_api_error_never_breaks_the_error_handlers(
    site: Any, world: dict[str, Any]
) -> None:
    @_api(site).get("/crash-for-test")
    def crash() -> None:
        raise RuntimeError("a failure nobody expected")

    http = _signed_in(site, "vera", raise_server_exceptions=False)
    response = http.get("/api/crash-for-test")
    assert response.status_code == 500
    assert response.json()["error"] == (
        "internal error (RuntimeError); nothing half-written is kept"
    )
    # The error raised inside the API reaches the site's handler too: it must answer, not fail.
    strict = _signed_in(site, "vera")
    with pytest.raises(RuntimeError, match="nobody expected"):
        strict.get("/api/crash-for-test")


def _access_details(instance: Instance, item: str) -> list[dict[str, Any]]:
    with read_transaction(instance.engine) as conn:
        rows = conn.execute(
            select(custody_event.c.detail)
            .where(custody_event.c.event_type == "access", custody_event.c.item_id == item)
            .order_by(custody_event.c.log_index)
        ).scalars()
        return [json.loads(row) for row in rows]


def test_the_purpose_never_travels_in_an_address(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = _signed_in(site, "vera")
    item = world["item"]
    gate = http.get(f"/evidence/{item}")
    assert f'<form method="post" action="/evidence/{item}/purpose"' in gate.text
    posted = http.post(f"/evidence/{item}/purpose", data={"purpose": "secret reason"},
                       headers={"X-CSRF-Token": _csrf(gate.text)})  # fmt: skip
    assert posted.status_code == 303 and "secret" not in posted.headers["location"]
    page = http.get(posted.headers["location"])
    assert "Custody timeline" in page.text
    links = re.findall(r'(?:href|src|action)="([^"]*)"', page.text)
    assert links and not [link for link in links if "purpose" in link or "secret" in link]
    # Under that view, the download is logged with the same purpose, which it reads from the log.
    download = re.search(r'href="(/api/evidence/[^"]+/content[^"]*)"', page.text)
    assert download is not None
    assert http.get(download.group(1).replace("&amp;", "&")).status_code == 200
    assert [(d["action"], d["purpose"]) for d in _access_details(instance, item)] == [
        ("view", "secret reason"),
        ("download", "secret reason"),
    ]


def test_a_view_is_logged_once_with_its_preview(
    site: Any, instance: Instance, world: dict[str, Any], tmp_path: Path
) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    shutil.copy(MARKER, photos / "strike.png")
    item = ingest.ingest(instance, [photos], case_name="Case A").results[0].item_id
    http = _signed_in(site, "vera")
    page = open_with_purpose(http, f"/evidence/{item}", "check the strike")
    # vera blurs graphic content (the default): the picture waits behind its veil, fetched on "Show".
    assert not re.search(r'<img src="/evidence/', page.text)
    preview = re.search(r'<img data-src="([^"]+)"', page.text)
    assert preview is not None
    image = http.get(preview.group(1).replace("&amp;", "&"))
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert [(d["action"], d["purpose"]) for d in _access_details(instance, item)] == [
        ("view", "check the strike")
    ]
    listed = http.get(str(page.url)).text.split("Custody timeline")[1]
    assert listed.count("check the strike") == 1


def test_a_view_reference_is_only_its_owners(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    accounts.create_user(instance, "omar", PASSWORD)
    accounts.grant_role(instance, "omar", "Case A", "viewer")
    item = world["item"]
    shown = open_with_purpose(_signed_in(site, "vera"), f"/evidence/{item}", "review")
    reference = str(shown.url).split("?", 1)[1]
    other = _signed_in(site, "omar")
    assert 'name="purpose"' in other.get(f"/evidence/{item}?{reference}").text
    refused = other.get(f"/api/evidence/{item}/content?{reference}")
    assert refused.status_code == 403 and refused.json()["errors"] == {
        "access": "state why you are opening this again"
    }
    assert [d["purpose"] for d in _access_details(instance, item)] == ["review"]


def test_the_custody_timeline_names_people_not_agent_numbers(
    site: Any, world: dict[str, Any]
) -> None:
    http = _signed_in(site, "vera")
    page = open_with_purpose(http, f"/evidence/{world['item']}", "review").text
    timeline = page.split("Custody timeline")[1]
    cells = re.findall(r"<td><span title=\"agent:\d+\">([^<]+)</span></td>", timeline)
    assert "vera" in cells  # her own view
    assert any(cell.endswith("(command line)") for cell in cells)  # the ingestion, by the CLI
    assert not re.search(r"<td>agent:\d+</td>", timeline)


def test_the_api_docs_page_loads_only_vendored_assets(site: Any) -> None:
    page = TestClient(site, base_url="http://127.0.0.1").get("/api/docs")
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets == [
        "/static/vendor/swagger-ui-dist-5.36.0/swagger-ui.css",
        "/static/vendor/swagger-ui-dist-5.36.0/swagger-ui-bundle.js",
        "/static/api-docs.js",
    ]
    assert 'data-openapi="/api/openapi.json"' in page.text and "<script>" not in page.text
    http = TestClient(site, base_url="http://127.0.0.1")
    for asset in assets:
        assert http.get(asset).status_code == 200, asset


def test_an_old_view_reference_asks_for_the_purpose_again(
    site: Any, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    http = _signed_in(site, "vera")
    shown = open_with_purpose(http, f"/evidence/{world['item']}", "review")
    assert "Custody timeline" in shown.text
    monkeypatch.setattr(access_log, "REFERENCE_LIFETIME", timedelta(0))
    again = http.get(str(shown.url))
    assert 'name="purpose"' in again.text and "Custody timeline" not in again.text


def test_the_api_docs_page_works_when_the_api_is_served_alone(instance: Instance) -> None:
    """`testament api serve` serves the API at the root, with no site around it: its docs page
    must still find Swagger UI (a blank page otherwise)."""
    alone = create_app(instance, api_token="alone")  # noqa: S106 - a test token
    http = TestClient(alone, base_url="http://127.0.0.1")
    page = http.get("/docs")
    assert page.status_code == 200 and 'data-openapi="/openapi.json"' in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert len(assets) == 3
    for asset in assets:
        assert http.get(asset).status_code == 200, asset
