"""Processing and capture over the JSON API: an item's processing and text (opening it, with a purpose),
its possible duplicates, the jobs and their progress, processing a case again, and asking for and
following a capture; refusals in the error envelope, and another case's records answered as absent."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts, credentials
from testament.api.app import create_app
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.pipeline import runner, service
from tests.conftest import SQLITE_ONLY
from tests.web.test_processing_pages import gps_jpeg, make_recording

pytestmark = SQLITE_ONLY

CASE = "Kharkiv"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
PURPOSE = {"X-Testament-Purpose": "checking the strike's location"}


def _clients(instance: Instance) -> dict[str, TestClient]:
    app = create_app(instance, api_token="operator-token-for-tests")  # noqa: S106 - a test token
    found = {}
    for username in ("dora", "vera", "otto"):
        _, token = credentials.create_token(instance, username, "t", scope="write", days=1)
        found[username] = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    return found


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    for name in (CASE, "Izium"):
        cases.create_case(instance, name)
    for username, case, role in (
        ("dora", CASE, "documenter"),
        ("vera", CASE, "viewer"),
        ("otto", "Izium", "viewer"),
    ):
        accounts.create_user(instance, username, PASSWORD)
        accounts.grant_role(instance, username, case, role)
    note = tmp_path / "note.txt"
    note.write_text("Shelling near the market at 06:40.", encoding="utf-8")
    (item,) = ingest.ingest(instance, [note], case_name=CASE).results
    return {"item": str(item.item_id), "allowing": replace(
        instance, settings=replace(instance.settings, capture_allow_private=True)
    )}  # fmt: skip


def test_a_private_address_is_refused_naming_the_switch(
    instance: Instance, world: dict[str, Any]
) -> None:
    dora = _clients(instance)["dora"]
    refused = dora.post(f"/cases/{CASE}/captures", json={"url": "http://127.0.0.1/"})
    assert refused.status_code == 422
    body = refused.json()
    assert body["ok"] is False and "TESTAMENT_CAPTURE_ALLOW_PRIVATE" in body["error"]
    assert body["where"] == "url"
    assert [j for j in service.list_jobs(instance) if j.task == "capture"] == []


def test_a_capture_is_asked_for_and_followed(instance: Instance, world: dict[str, Any]) -> None:
    clients = _clients(world["allowing"])
    asked = clients["dora"].post(f"/cases/{CASE}/captures", json={"url": "http://127.0.0.1:9/"})
    assert asked.status_code == 202, asked.text
    capture = asked.json()["capture"]
    assert capture["state"] == "queued" and capture["requested_url"] == "http://127.0.0.1:9/"
    shown = clients["vera"].get(f"/captures/{capture['id']}")
    assert shown.status_code == 200 and shown.json()["capture"]["id"] == capture["id"]
    refused = clients["vera"].post(f"/cases/{CASE}/captures", json={"url": "http://127.0.0.1:9/"})
    assert refused.status_code == 403
    hidden = clients["otto"].get(f"/captures/{capture['id']}")
    missing = clients["otto"].get("/captures/no-such-capture")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"] == missing.json()["error"] == "no capture has this ID"


def test_jobs_progress_and_processing_again(instance: Instance, world: dict[str, Any]) -> None:
    clients = _clients(instance)
    dora = clients["dora"]
    again = dora.post(f"/cases/{CASE}/reprocess", json={"kinds": ["text"]})
    assert again.status_code == 202 and again.json()["report"]["jobs"] == 1
    assert again.json()["report"]["kinds"] == ["text"]
    jobs = dora.get("/jobs", params={"case": CASE}).json()["items"]
    assert sorted(j["reason"] for j in jobs) == ["ingest", "reprocess"]
    assert dora.get("/jobs", params={"failed": "true"}).json()["items"] == []
    progress = dora.get("/jobs/progress", params={"case": CASE}).json()["progress"]
    assert progress == {"queued": 2, "running": 0, "done": 0, "failed": 0}
    unknown = dora.post(f"/cases/{CASE}/reprocess", json={"kinds": ["astrology"]})
    assert unknown.status_code == 422 and "astrology" in unknown.json()["error"]
    assert clients["vera"].post(f"/cases/{CASE}/reprocess", json={}).status_code == 403
    otto = clients["otto"]
    assert otto.post(f"/cases/{CASE}/reprocess", json={}).status_code == 404
    assert otto.get("/jobs").json()["items"] == []
    assert otto.get("/jobs/progress", params={"case": CASE}).status_code == 404


def test_another_cases_reader_gets_404_for_processing_text_and_duplicates(
    instance: Instance, world: dict[str, Any]
) -> None:
    otto = _clients(instance)["otto"]
    item = world["item"]
    for path in ("processing", "text", "duplicates"):
        answer = otto.get(f"/evidence/{item}/{path}", headers=PURPOSE)
        assert answer.status_code == 404, path
        assert answer.json()["ok"] is False


def test_processing_and_text_open_the_item_with_a_purpose(
    instance: Instance, world: dict[str, Any]
) -> None:
    vera = _clients(instance)["vera"]
    item = world["item"]
    unstated = vera.get(f"/evidence/{item}/processing")
    assert unstated.status_code == 422 and "purpose" in unstated.json()["errors"]
    shown = vera.get(f"/evidence/{item}/processing", headers=PURPOSE).json()
    assert shown["processing"]["item_id"] == item and shown["access_log_index"] > 0
    assert shown["processing"]["jobs"][0]["state"] == "queued"
    assert vera.get(f"/evidence/{item}/text", headers=PURPOSE).json()["text"] == []
    assert vera.get(f"/evidence/{item}/duplicates").json()["items"] == []
    far = vera.get(f"/evidence/{item}/duplicates", params={"max_distance": 257})
    assert far.status_code == 422


def test_a_processed_photo_over_the_api(instance: Instance, tmp_path: Path) -> None:
    cases.create_case(instance, CASE)
    folder = tmp_path / "photos"
    folder.mkdir()
    gps_jpeg(folder / "market.jpg", "SHELTER 14")
    gps_jpeg(folder / "market-copy.jpg", "SHELTER 14", quality=70)
    found = ingest.ingest(instance, [folder], case_name=CASE).results
    runner.drain(instance)
    operator = TestClient(
        create_app(instance, api_token="operator-token-for-tests"),  # noqa: S106 - a test token
        headers={"Authorization": "Bearer operator-token-for-tests"},
    )
    first, second = (str(r.item_id) for r in found)
    shown = operator.get(f"/evidence/{first}/processing").json()["processing"]
    assert shown["suggested_location"]["latitude"] == pytest.approx(50.45)
    assert {d["role"] for d in shown["derivatives"]} >= {"thumbnail"}
    text = operator.get(f"/evidence/{first}/text", params={"q": "shelter"}).json()
    assert text["hits"] and text["hits"][0]["where"] == "image"
    near = operator.get(f"/evidence/{first}/duplicates").json()["items"]
    assert [d["item_id"] for d in near] == [second] and near[0]["distance"] <= 31


def test_a_recordings_text_is_only_for_those_who_may_read_the_words(
    instance: Instance, world: dict[str, Any]
) -> None:
    item = world["item"]
    make_recording(instance, item)
    refused = _clients(instance)["vera"].get(f"/evidence/{item}/text", headers=PURPOSE)
    assert refused.status_code == 403 and refused.json()["ok"] is False
