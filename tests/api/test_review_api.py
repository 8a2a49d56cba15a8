"""The review API: a documenter's item verified by an analyst, refused to its author; bulk transitions
and assignments all or nothing; comments and the queue; the states for administrators."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts, credentials
from testament.api.app import create_app
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.documentation import incidents
from tests.api.test_hidden_records import OPERATOR, PASSWORD
from tests.conftest import SQLITE_ONLY
from tests.policy.conftest import as_account

pytestmark = SQLITE_ONLY  # the use cases run on both databases in tests/review


@pytest.fixture
def api(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    cases.create_case(instance, "Case")
    cases.create_case(instance, "Other")
    app = create_app(instance, api_token=OPERATOR)
    found: dict[str, Any] = {}
    for user, case, role in [("anna", "Case", "documenter"), ("bohdan", "Case", "analyst"),
                             ("olek", "Other", "analyst")]:  # fmt: skip
        accounts.create_user(instance, user, PASSWORD)
        accounts.grant_role(instance, user, case, role)
        _, secret = credentials.create_token(instance, user, "tests", scope="write")
        found[user] = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    accounts.create_user(instance, "root", PASSWORD, admin=True)
    _, secret = credentials.create_token(instance, "root", "tests", scope="write")
    found["root"] = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    anna = as_account(instance, "anna")
    found["item"] = ingest.ingest(anna, [folder], case_name="Case").results[0].item_id
    found["incident"] = incidents.create(anna, "Case", incidents.IncidentInput(title="Strike"))
    return found


def test_an_analyst_verifies_a_documenters_item_and_the_author_is_refused(
    api: dict[str, Any],
) -> None:
    anna, bohdan = api["anna"], api["bohdan"]
    targets = [{"kind": "item", "id": api["item"]}, {"kind": "incident", "id": api["incident"]}]
    sent = anna.post("/review/assignments", json={"targets": targets, "assignee": "bohdan"})
    assert sent.status_code == 200, sent.text
    assert len(sent.json()["change"]["changed"]) == 2
    moved = anna.post("/review/transitions", json={"targets": targets, "state": "in-review"})
    assert moved.json()["change"]["value"] == "in-review"
    queue = bohdan.get("/review/queue").json()["items"]
    assert {(e["kind"], e["target_id"]) for e in queue} == {("item", api["item"]),
                                                            ("incident", api["incident"])}  # fmt: skip
    refused = anna.post("/review/transitions", json={"targets": targets[:1], "state": "verified"})
    assert refused.status_code == 403
    verified = bohdan.post(
        "/review/transitions", json={"targets": targets[:1], "state": "verified", "note": "OK"}
    )
    assert verified.status_code == 200, verified.text
    shown = anna.get(f"/items/{api['item']}/review").json()["review"]
    assert (shown["state"], shown["assignee"]) == ("verified", "bohdan")
    assert [c["body"] for c in shown["comments"]] == ["OK"]


def test_bad_requests_name_what_and_where_and_write_nothing(api: dict[str, Any]) -> None:
    anna = api["anna"]
    item = {"kind": "item", "id": api["item"]}
    unknown = anna.post("/review/transitions", json={"targets": [item], "state": "done"})
    assert unknown.status_code == 422 and "state" in unknown.json()["errors"]
    missing = {"kind": "item", "id": "00000000-0000-7000-8000-000000000000"}
    batch = anna.post(
        "/review/transitions", json={"targets": [item, missing], "state": "in-review"}
    )
    assert batch.status_code == 404 and missing["id"] in batch.text
    assert anna.get(f"/items/{api['item']}/review").json()["review"]["state"] == "new"
    held = anna.post(
        "/review/transitions", json={"targets": [item], "state": "new", "case": "Other"}
    )
    assert held.status_code == 404
    outsider = anna.post("/review/assignments", json={"targets": [item], "assignee": "olek"})
    assert outsider.status_code == 422 and "assignee" in outsider.json()["errors"]
    empty = anna.post(f"/items/{api['item']}/review/comments", json={"body": "  "})
    assert empty.status_code == 422
    hidden = api["olek"].get(f"/incidents/{api['incident']}/review")
    assert hidden.status_code == 404
    made = anna.post(f"/incidents/{api['incident']}/review/comments", json={"body": "See @bohdan"})
    assert made.status_code == 201 and made.json()["comment"]["mentions"] == ["bohdan"]


def test_administrators_change_the_states(api: dict[str, Any]) -> None:
    body = {
        "label_en": "Corroborated",
        "label_uk": "Підтверджено",
        "label_ar": "مؤكَّدة",
        "second_person": True,
    }
    assert api["anna"].put("/review/states/corroborated", json=body).status_code == 403
    added = api["root"].put("/review/states/corroborated", json=body)
    assert added.status_code == 200 and added.json()["items"][-1]["code"] == "corroborated"
    assert added.json()["items"][-1]["label_ar"] == "مؤكَّدة"
    moved = api["root"].post("/review/states/corroborated/position", json={"position": 2})
    assert [s["code"] for s in moved.json()["items"]][:2] == ["new", "corroborated"]
    gone = api["root"].delete("/review/states/corroborated")
    assert "corroborated" not in [s["code"] for s in gone.json()["items"]]
    assert [s["code"] for s in api["anna"].get("/review/states").json()["items"]] == [
        "new", "in-review", "verified", "disputed",
    ]  # fmt: skip
