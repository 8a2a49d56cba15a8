"""People, units, sources and evidence through the JSON API: what is written reads back, each write is
one custody event that names no personal data, and every refusal leaves in the one error envelope."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.api.app import create_app
from testament.custody import ingest
from testament.custody.instance import Instance
from tests.api.test_api import TOKEN
from tests.services.test_people import DESCRIPTION, LABEL, one_write

MISSING = "00000000-0000-0000-0000-000000000000"
RELEVANCE = "shows the crater next to School 5"


@pytest.fixture
def client(instance: Instance) -> Iterator[TestClient]:
    app = create_app(instance, api_token=TOKEN)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        yield http


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["ok"] is True
    return body


@pytest.fixture
def incident(client: TestClient) -> str:
    ok(client.post("/cases", json={"name": "Case A"}), 201)
    ok(client.post("/cases", json={"name": "Case B"}), 201)
    made = ok(client.post("/incidents", json={"case": "Case A", "title": "Strike"}), 201)
    return str(made["incident"]["id"])


@pytest.fixture
def item(instance: Instance, incident: str, tmp_path: Path) -> str:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"jpeg body" * 10)
    report = ingest.ingest(instance, [tmp_path / "photo.jpg"], case_name="Case A")
    item_id = report.results[0].item_id
    assert item_id is not None
    return item_id


def test_a_person_and_their_roles(client: TestClient, instance: Instance, incident: str) -> None:
    with one_write(instance) as written:
        body = {"case": "Case A", "label": LABEL, "description": DESCRIPTION}
        person = ok(client.post("/people", json=body), 201)["person"]
    assert written[0]["detail"]["object"] == "person"
    assert (person["label"], person["description"], person["version"]) == (LABEL, DESCRIPTION, 1)
    with one_write(instance, "saw the strike") as written:
        role_body = {"incident_id": incident, "role": "witness", "note": "saw the strike"}
        role_id = ok(client.post(f"/people/{person['id']}/roles", json=role_body), 201)["id"]
    assert written[0]["detail"]["object"] == "person-role"
    shown = ok(client.get(f"/people/{person['id']}"))["person"]
    assert [(r["id"], r["role"], r["note"]) for r in shown["roles"]] == [
        (role_id, "witness", "saw the strike")
    ]
    refused = client.delete(f"/people/{person['id']}")
    assert refused.status_code == 409 and LABEL not in refused.text
    with one_write(instance) as written:
        edit = {"description": f"now {DESCRIPTION}", "expected_version": 1}
        assert ok(client.patch(f"/people/{person['id']}", json=edit))["version"] == 2
    assert written[0]["detail"]["fields"] == ["description"]
    with one_write(instance):
        assert ok(client.delete(f"/person-roles/{role_id}"))["version"] == 2
    with one_write(instance):
        assert ok(client.delete(f"/people/{person['id']}", params={"expected_version": 2}))
    assert client.get(f"/people/{person['id']}").status_code == 404
    versions = ok(client.get(f"/records/person/{person['id']}/versions"))["items"]
    assert [v["change"] for v in versions] == ["create", "update", "delete"]


def test_people_are_listed_a_page_at_a_time(client: TestClient, incident: str) -> None:
    for label in ("Witness B", "Witness A"):
        ok(client.post("/people", json={"case": "Case A", "label": label}), 201)
    first = ok(client.get("/people", params={"case": "Case A", "limit": 1}))
    second = ok(client.get("/people", params={"case": "Case A", "limit": 1, "offset": 1}))
    assert ([p["label"] for p in first["items"]], first["next_offset"]) == (["Witness A"], 1)
    assert ([p["label"] for p in second["items"]], second["next_offset"]) == (["Witness B"], None)


def test_a_unit_its_names_commanders_and_involvement(
    client: TestClient, instance: Instance, incident: str
) -> None:
    army = ok(client.post("/units", json={"name": "Army"}), 201)["unit"]
    alias = {"name": "93-тя бригада", "script": "Cyrl", "lang": "uk"}
    with one_write(instance):
        body = {"name": "93rd Brigade", "parent": "Army", "kind": "brigade", "aliases": [alias]}
        unit = ok(client.post("/units", json=body), 201)["unit"]
    assert (unit["parent"], unit["aliases"]) == ({"id": army["id"], "name": "Army"}, [alias])
    assert ok(client.get("/units/93-ТЯ БРИГАДА"))["unit"]["id"] == unit["id"]
    latin = {"name": "93 bryhada", "script": "Latn"}
    assert ok(client.post(f"/units/{unit['id']}/aliases", json=latin))["version"] == 2
    assert client.post(f"/units/{unit['id']}/aliases", json=latin).status_code == 409
    stale = client.patch(f"/units/{unit['id']}", json={"country": "X", "expected_version": 1})
    assert stale.status_code == 409
    edit = {"parent": None, "expected_version": 2}
    assert ok(client.patch(f"/units/{unit['id']}", json=edit))["version"] == 3
    person = ok(client.post("/people", json={"case": "Case A", "label": LABEL}), 201)["person"]
    commander = {"name": "K", "rank": "Colonel", "person_id": person["id"], "from_date": "2022-06"}
    with one_write(instance, "Colonel"):
        ok(client.post(f"/units/{unit['id']}/commanders", json=commander), 201)
    with one_write(instance, "intercepted"):
        involved = {"incident_id": incident, "degree": "gave-orders", "note": "intercepted call"}
        ok(client.post("/units/93rd Brigade/involvements", json=involved), 201)
    shown = ok(client.get(f"/units/{unit['id']}"))["unit"]
    assert shown["parent"] is None
    assert [(c["name"], c["from_date"], c["person_id"]) for c in shown["commanders"]] == [
        ("K", "2022-06-01", person["id"])
    ]
    assert [(i["incident_id"], i["degree"]) for i in shown["incidents"]] == [
        (incident, "gave-orders")
    ]
    listed = ok(client.get("/units"))
    assert [u["name"] for u in listed["items"]] == ["93rd Brigade", "Army"]
    assert ok(client.delete(f"/units/{army['id']}"))["version"] == 2


def test_a_source_and_the_incidents_it_reports_on(
    client: TestClient, instance: Instance, incident: str
) -> None:
    body = {
        "case": "Case A",
        "kind": "url",
        "title": "Local news",
        "url": "https://news.example/strike",
        "published_at": "2022-03",
    }
    with one_write(instance):
        source = ok(client.post("/sources", json=body), 201)["source"]
    assert (source["kind"], source["url"], source["published_at"]) == (
        "url", "https://news.example/strike", "2022-03",
    )  # fmt: skip
    with one_write(instance, "names the school"):
        link = {"incident_id": incident, "note": "names the school"}
        link_id = ok(client.post(f"/sources/{source['id']}/incidents", json=link), 201)["id"]
    assert client.post(f"/sources/{source['id']}/incidents", json=link).status_code == 409
    edit = {"kind": "media-report", "url": None, "expected_version": 1}
    assert ok(client.patch(f"/sources/{source['id']}", json=edit))["version"] == 2
    shown = ok(client.get(f"/sources/{source['id']}"))["source"]
    assert (shown["kind"], shown["url"]) == ("media-report", None)
    assert [i["id"] for i in shown["incidents"]] == [link_id]
    listed = ok(client.get("/sources", params={"case": "Case A"}))["items"]
    assert [s["id"] for s in listed] == [source["id"]]
    assert ok(client.delete(f"/sources/{source['id']}", params={"expected_version": 2}))
    assert ok(client.get("/sources", params={"case": "Case A"}))["items"] == []


def test_evidence_links_and_assessments(
    client: TestClient, instance: Instance, incident: str, item: str
) -> None:
    source = {"case": "Case A", "kind": "person", "title": "Witness A"}
    source_id = ok(client.post("/sources", json=source), 201)["source"]["id"]
    with one_write(instance, RELEVANCE, "School 5"):
        body = {"incident_id": incident, "relevance": RELEVANCE, "source_id": source_id}
        link_id = ok(client.post(f"/evidence/{item}/links", json=body), 201)["id"]
    assert client.post(f"/evidence/{item}/links", json=body).status_code == 409
    marks = [
        {"axis": "source", "status": "in-progress", "method": "call", "assessed_on": "2024-01-02"},
        {
            "axis": "source",
            "status": "verified",
            "method": "call back",
            "assessed_on": "2024-02-03",
        },
    ]
    for mark in marks:
        with one_write(instance, "call"):
            ok(client.post(f"/evidence/{item}/assessments", json=mark), 201)
    shown = ok(client.get(f"/evidence/{item}"))["item"]
    assert [(i["id"], i["source_id"]) for i in shown["incidents"]] == [(link_id, source_id)]
    assert [a["status"] for a in shown["assessments"]] == ["in-progress", "verified"]
    assert shown["latest"]["source"]["status"] == "verified"
    assert client.delete(f"/evidence-links/{link_id}?expected_version=2").status_code == 409
    with one_write(instance):
        assert ok(client.delete(f"/evidence-links/{link_id}?expected_version=1"))["version"] == 2
    assert ok(client.get(f"/evidence/{item}"))["item"]["incidents"] == []


@pytest.fixture
def world(client: TestClient, incident: str, item: str) -> dict[str, str]:
    """One of each record, for the refusals below to point at."""
    person = ok(client.post("/people", json={"case": "Case A", "label": LABEL}), 201)["person"]
    unit = {"name": "Brigade", "aliases": [{"name": "Бригада", "script": "Cyrl"}]}
    source = {"case": "Case A", "kind": "document", "title": "Report"}
    link = {"incident_id": incident, "relevance": RELEVANCE}
    return {
        "incident": incident,
        "item": item,
        "person": person["id"],
        "unit": ok(client.post("/units", json=unit), 201)["unit"]["id"],
        "source": ok(client.post("/sources", json=source), 201)["source"]["id"],
        "link": ok(client.post(f"/evidence/{item}/links", json=link), 201)["id"],
    }


REFUSALS: list[tuple[str, str, dict[str, Any] | None, int, str | None]] = [
    # people
    ("post", "/people/{person}/roles", {"incident_id": "{incident}", "role": "bystander"}, 422, "role"),
    ("post", "/people", {"case": "Case A", "lable": LABEL}, 422, "lable"),
    ("post", "/people", {"case": "Case A", "label": ""}, 422, "label"),
    ("post", "/people", {"case": "No such case", "label": LABEL}, 404, None),
    ("get", f"/people/{MISSING}", None, 404, None),
    ("patch", "/people/{person}", {"label": LABEL, "expected_version": 7}, 409, None),
    ("post", "/people/{person}/roles", {"incident_id": MISSING, "role": "witness"}, 404, None),
    # units
    ("post", "/units/{unit}/involvements", {"incident_id": "{incident}", "degree": "cheered"}, 422, "degree"),
    ("post", "/units", {"name": "X", "aliases": [{"name": "Y", "script": "cyrillic"}]}, 422, "aliases.0.script"),
    ("post", "/units/{unit}/commanders", {"name": "K", "from_date": "2022-02-30"}, 422, "from_date"),
    ("get", "/units/No such unit", None, 404, None),
    ("post", "/units/{unit}/aliases", {"name": "Бригада", "script": "Cyrl"}, 409, None),
    ("patch", "/units/{unit}", {"parent": "{unit}"}, 422, None),
    # sources
    ("post", "/sources", {"case": "Case A", "kind": "blog", "title": "T"}, 422, "kind"),
    ("post", "/sources", {"case": "Case A", "kind": "url", "title": "T"}, 422, "url"),
    ("post", "/sources", {"case": "Case A", "kind": "document", "title": "T", "published_at": "2022-13"}, 422, "published_at"),
    ("patch", "/sources/{source}", {"url": "ftp://files.example/x"}, 422, "url"),
    ("get", f"/sources/{MISSING}", None, 404, None),
    ("patch", "/sources/{source}", {"title": "T", "expected_version": 3}, 409, None),
    # evidence
    ("post", "/evidence/{item}/assessments", {"axis": "source", "status": "probably", "method": "m"}, 422, "status"),
    ("post", "/evidence/{item}/assessments", {"axis": "vibes", "status": "verified", "method": "m"}, 422, "axis"),
    ("post", "/evidence/{item}/assessments", {"axis": "source", "status": "verified", "method": "m", "assessed_on": "2024-01"}, 422, "assessed_on"),
    ("post", "/evidence/{item}/links", {"incident_id": "{incident}"}, 422, "relevance"),
    ("get", f"/evidence/{MISSING}", None, 404, None),
    ("post", "/evidence/{item}/links", {"incident_id": MISSING, "relevance": "r"}, 404, None),
    ("post", "/evidence/{item}/links", {"incident_id": "{incident}", "relevance": "again"}, 409, None),
    ("delete", "/evidence-links/{link}?expected_version=4", None, 409, None),
]  # fmt: skip


def _filled(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _filled(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v, ids) for v in value]
    return value


@pytest.mark.parametrize(("method", "path", "body", "status", "field"), REFUSALS)
def test_refusals_share_one_envelope_and_name_the_field(  # noqa: PLR0917 - one argument per column
    client: TestClient,
    world: dict[str, str],
    method: str,
    path: str,
    body: dict[str, Any] | None,
    status: int,
    field: str | None,
) -> None:
    response = client.request(method, _filled(path, world), json=_filled(body, world))
    assert response.status_code == status, response.text
    payload = response.json()
    assert payload["ok"] is False and payload["status"] == status and payload["error"]
    if field is not None:
        assert field in payload["errors"], payload
    assert LABEL not in response.text


def test_the_openapi_document_lists_the_new_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {
        "/people",
        "/people/{person_id}/roles",
        "/person-roles/{role_id}",
        "/units/{unit}/commanders",
        "/units/{unit}/involvements",
        "/sources/{source_id}/incidents",
        "/evidence/{item_id}/links",
        "/evidence/{item_id}/assessments",
        "/evidence-links/{link_id}",
    } <= set(paths)
