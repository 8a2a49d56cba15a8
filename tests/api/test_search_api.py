"""The search API's facets and saved searches: counts of the incidents matched, narrowing by each
value (an assignee too), bad facets as 422, and saved searches that only their owner sees."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts, credentials
from testament.api.app import create_app
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents
from tests.api.test_hidden_records import OPERATOR, PASSWORD
from tests.conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # the use cases run on both databases in tests/services


@pytest.fixture
def api(instance: Instance) -> dict[str, Any]:
    cases.create_case(instance, "Case")
    app = create_app(instance, api_token=OPERATOR)
    found: dict[str, Any] = {}
    for user, role in (("anna", "documenter"), ("vera", "viewer")):
        found[f"{user}_id"] = accounts.create_user(instance, user, PASSWORD)
        accounts.grant_role(instance, user, "Case", role)
        _, secret = credentials.create_token(instance, user, "tests", scope="write")
        found[user] = TestClient(app, headers={"Authorization": f"Bearer {secret}"})
    for title, types in (
        ("Kharkiv school", ["attack-on-civilians"]),
        ("Kharkiv market", ["killing"]),
    ):
        found[title] = incidents.create(
            instance, "Case", incidents.IncidentInput(title=title, types=types, date="2022-05-01")
        )
    return found


def _counts(body: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        f["key"]: {v["value"]: v["incidents"] for v in f["values"]}
        for f in body["facets"]["facets"]
    }


def test_facets_are_counted_and_narrow(api: dict[str, Any]) -> None:
    anna = api["anna"]
    assigned = anna.post(
        "/review/assignments",
        json={"targets": [{"kind": "incident", "id": api["Kharkiv market"]}], "assignee": "anna"},
    )
    assert assigned.status_code == 200, assigned.text
    body = anna.get("/search", params={"q": "kharkov", "facets": "true"}).json()
    assert body["facets"]["incidents"] == 2
    counts = _counts(body)
    assert counts["type"] == {"attack-on-civilians": 1, "killing": 1}
    assert counts["year"] == {"2022": 2}
    assert counts["assignee"] == {str(api["anna_id"]): 1}
    narrowed = anna.get("/search", params={"q": "kharkov", "f": "type:killing"}).json()
    assert [h["id"] for h in narrowed["items"]] == [api["Kharkiv market"]]
    theirs = anna.get("/search", params={"q": "kharkov", "f": f"assignee:{api['anna_id']}"}).json()
    assert [h["id"] for h in theirs["items"]] == [api["Kharkiv market"]]
    assert anna.get("/search", params={"q": "kharkov"}).json()["facets"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"f": "colour:red"}, "there is no facet"),
        ({"f": "status:lost"}, "incident-status"),
        ({"date_from": "2023", "date_to": "2022"}, "ends before it starts"),
    ],
)
def test_bad_facets_are_422(api: dict[str, Any], params: dict[str, str], message: str) -> None:
    answer = api["anna"].get("/search", params={"q": "kharkov", **params})
    assert answer.status_code == 422 and message in answer.text


def test_saved_searches_belong_to_their_owner(api: dict[str, Any]) -> None:
    vera, anna = api["vera"], api["anna"]
    made = vera.post(
        "/search/saved", json={"name": "Markets", "q": "market", "f": ["type:killing"]}
    )
    assert made.status_code == 201, made.text
    saved = made.json()["saved_search"]
    assert (saved["name"], saved["facets"]) == ("Markets", ["type:killing"])
    assert [s["name"] for s in vera.get("/search/saved").json()["items"]] == ["Markets"]
    assert vera.post("/search/saved", json={"name": "Markets", "q": "x"}).status_code == 409
    assert vera.post("/search/saved", json={"name": "", "q": "x"}).status_code == 422
    assert anna.get("/search/saved").json()["items"] == []
    assert anna.get(f"/search/saved/{saved['id']}").status_code == 404
    assert anna.delete(f"/search/saved/{saved['id']}").status_code == 404
    assert vera.get(f"/search/saved/{saved['id']}").json()["saved_search"]["query"] == "market"
    assert vera.delete(f"/search/saved/{saved['id']}").status_code == 200
    assert vera.get("/search/saved").json()["items"] == []
