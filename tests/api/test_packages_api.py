"""Sharing evidence packages over the JSON API: preview, ask, a second person decides (the approved
package is built), the asker downloads it, and the disclosure register; refusals as the pages give."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts, credentials
from testament.api.app import create_app
from testament.custody import cases, custody_log, ingest
from testament.custody.instance import Instance
from testament.packages import verifier

CASE = "Bucha"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
SHARE = {"recipient_class": "icc-otp", "purpose": "criminal-investigation", "recipient": "ICC OTP"}


@pytest.fixture
def clients(instance: Instance, tmp_path: Path) -> dict[str, TestClient]:
    cases.create_case(instance, CASE)
    photo = tmp_path / "street.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(5000))
    ingest.ingest(instance, [photo], case_name=CASE)
    app = create_app(instance, api_token="operator-token-for-tests")  # noqa: S106 - a test token
    found = {}
    for username, role in (("alla", "analyst"), ("cora", "coordinator")):
        accounts.create_user(instance, username, PASSWORD)
        accounts.grant_role(instance, username, CASE, role)
        _, token = credentials.create_token(instance, username, "t", scope="write", days=1)
        found[username] = TestClient(app, headers={"Authorization": f"Bearer {token}"})
    return found


def test_a_package_is_previewed_asked_approved_built_and_downloaded(
    clients: dict[str, TestClient], instance: Instance, tmp_path: Path
) -> None:
    alla, cora = clients["alla"], clients["cora"]
    shown = alla.post(f"/cases/{CASE}/packages/preview", json=SHARE).json()
    assert shown["ok"] and [i["name"] for i in shown["preview"]["items"]] == ["street.jpg"]
    asked = alla.post(f"/cases/{CASE}/packages/requests", json=SHARE)
    assert asked.status_code == 201
    request_id = asked.json()["id"]
    mine = alla.post(f"/packages/requests/{request_id}/decision", json={"decision": "approve"})
    assert mine.status_code == 403
    decided = cora.post(f"/packages/requests/{request_id}/decision",
                        json={"decision": "approve"})  # fmt: skip
    assert decided.status_code == 200 and decided.json()["request"]["state"] == "ready"
    assert cora.get(f"/packages/requests/{request_id}/package").status_code == 403
    package = alla.get(f"/packages/requests/{request_id}/package")
    assert package.status_code == 200 and package.headers["content-type"] == "application/zip"
    saved = tmp_path / "package.zip"
    saved.write_bytes(package.content)
    assert verifier.verify(saved, custody_log.verifier_key(instance)).verdict == "valid"
    (entry,) = cora.get("/disclosures").json()["items"]
    assert (
        entry["recipient"] == "ICC OTP"
        and entry["package_id"] == decided.json()["request"]["package_id"]
    )


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"recipient_class": "the-press"}, 422),
        ({"items": ["not-an-id"]}, 422),
        ({"purpose": "x" * 49}, 422),
    ],
)
def test_bad_choices_are_refused_with_the_field(
    clients: dict[str, TestClient], change: dict[str, Any], status: int
) -> None:
    answer = clients["alla"].post(f"/cases/{CASE}/packages/requests", json=SHARE | change)
    assert answer.status_code == status and answer.json()["ok"] is False
    assert clients["alla"].get("/packages/requests").json()["items"] == []


def test_a_refusal_needs_a_reason_and_a_stranger_sees_nothing(
    clients: dict[str, TestClient], instance: Instance
) -> None:
    request_id = clients["alla"].post(f"/cases/{CASE}/packages/requests", json=SHARE).json()["id"]
    cora = clients["cora"]
    bare = cora.post(f"/packages/requests/{request_id}/decision", json={"decision": "refuse"})
    assert bare.status_code == 422
    why = {"decision": "refuse", "reason": "the witness is not yet safe"}
    refused = cora.post(f"/packages/requests/{request_id}/decision", json=why).json()
    assert refused["request"]["state"] == "refused"
    accounts.create_user(instance, "sam", PASSWORD)
    _, token = credentials.create_token(instance, "sam", "t", scope="write", days=1)
    stranger = TestClient(clients["cora"].app, headers={"Authorization": f"Bearer {token}"})
    assert stranger.get(f"/packages/requests/{request_id}").status_code == 404
    assert stranger.get("/packages/requests").json()["items"] == []


def test_an_account_without_the_analyst_role_may_not_ask_or_preview(
    clients: dict[str, TestClient], instance: Instance
) -> None:
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", CASE, "viewer")
    _, token = credentials.create_token(instance, "vera", "t", scope="write", days=1)
    vera = TestClient(clients["cora"].app, headers={"Authorization": f"Bearer {token}"})
    for path in (f"/cases/{CASE}/packages/preview", f"/cases/{CASE}/packages/requests"):
        assert vera.post(path, json=SHARE).status_code == 403
    assert clients["alla"].get("/packages/requests").json()["items"] == []
