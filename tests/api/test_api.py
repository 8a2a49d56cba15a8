"""The JSON API calls the same services as the CLI and answers every failure with one envelope."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from testament.api.app import create_app
from testament.custody.instance import Instance

TOKEN = "test-token-0123456789"  # noqa: S105 - a throwaway token for the test app


@pytest.fixture
def client(instance: Instance) -> Iterator[TestClient]:
    app = create_app(instance, api_token=TOKEN)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        yield http


def test_record_edit_and_read_an_incident(client: TestClient) -> None:
    assert (
        client.post("/situations", json={"name": "S", "conflict": "international"}).status_code
        == 201
    )
    assert client.post("/cases", json={"name": "Case A", "situation": "S"}).status_code == 201
    made = client.post("/incidents", json={"case": "Case A", "title": "Strike", "date": "2022-03"})
    assert made.status_code == 201
    incident = made.json()["incident"]
    assert (incident["occurred_from"], incident["occurred_to"]) == ("2022-03-01", "2022-03-31")
    edited = client.patch(
        f"/incidents/{incident['id']}", json={"status": "verified", "expected_version": 1}
    )
    assert edited.json() == {"ok": True, "version": 2}
    versions = client.get(f"/records/incident/{incident['id']}/versions").json()["items"]
    assert [v["change"] for v in versions] == ["create", "update"]
    listed = client.get("/incidents", params={"case": "Case A", "limit": 1}).json()
    assert [i["id"] for i in listed["items"]] == [incident["id"]]
    assert listed["next_offset"] is None


def test_pagination_reports_the_next_page(client: TestClient) -> None:
    client.post("/cases", json={"name": "C"})
    for n in range(3):
        client.post("/incidents", json={"case": "C", "title": f"I{n}", "date": f"2022-0{n + 1}"})
    first = client.get("/incidents", params={"case": "C", "limit": 2}).json()
    second = client.get("/incidents", params={"case": "C", "limit": 2, "offset": 2}).json()
    assert (len(first["items"]), first["next_offset"]) == (2, 2)
    assert (len(second["items"]), second["next_offset"]) == (1, None)


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "field"),
    [
        ("post", "/incidents", {"case": "C", "title": "x", "date": "2022-02-30"}, 422, None),
        (
            "post",
            "/incidents",
            {"case": "C", "title": "x", "latitude": 91, "longitude": 30},
            422,
            None,
        ),
        ("post", "/incidents", {"case": "C"}, 422, "title"),
        (
            "post",
            "/incidents/{incident}/casualties",
            {"category": "killed", "count": "many"},
            422,
            "count",
        ),
        ("get", "/incidents/00000000-0000-0000-0000-000000000000", None, 404, None),
        ("post", "/cases", {"name": "C"}, 409, None),
    ],
)
def test_failures_share_one_envelope(  # noqa: PLR0917 - one argument per parametrised column
    client: TestClient, method: str, path: str, body: object, status: int, field: str | None
) -> None:
    client.post("/cases", json={"name": "C"})
    if "{incident}" in path:  # one that exists: a missing one is a 404 before any validation
        made = client.post("/incidents", json={"case": "C", "title": "Strike"}).json()
        path = path.format(incident=made["incident"]["id"])
    response = client.request(method, path, json=body)
    assert response.status_code == status
    payload = response.json()
    assert payload["ok"] is False and payload["status"] == status and payload["error"]
    if field is not None:
        assert field in payload["errors"]


def test_malformed_json_names_the_body(client: TestClient) -> None:
    response = client.post(
        "/cases", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["ok"] is False


def test_requests_without_the_token_are_refused(instance: Instance) -> None:
    app = create_app(instance, api_token=TOKEN)
    with TestClient(app) as anonymous:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            response = anonymous.get("/cases", headers=headers)
            assert response.status_code == 401
            assert response.json()["ok"] is False


def test_the_openapi_document_lists_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/cases",
        "/incidents",
        "/incidents/{incident_id}",
        "/records/{kind}/{record_id}/versions",
    } <= set(paths)
