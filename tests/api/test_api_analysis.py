"""The API's legal, search, gazetteer and import/export routes call the CLI's services, on both databases."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from testament.api.app import create_app
from testament.custody import ingest
from testament.custody.instance import Instance

TOKEN = "test-token-0123456789"  # noqa: S105 - a throwaway token for the test app
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
AREAS = FIXTURES / "gazetteer" / "ukraine-adm1-sample.geojson"
TIMEMAP = FIXTURES / "timemap" / "bellingcat-sample.json"
CASE = "Case A"
KHARKIV = {"latitude": 49.99, "longitude": 36.23}


@dataclass
class World:
    http: TestClient
    incident: str
    item: str


@pytest.fixture
def client(instance: Instance) -> Iterator[TestClient]:
    app = create_app(instance, api_token=TOKEN)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        yield http


@pytest.fixture
def world(client: TestClient, instance: Instance, tmp_path: Path) -> World:
    client.post("/situations", json={"name": "S", "conflict": "non-international"})
    client.post("/cases", json={"name": CASE, "situation": "S"})
    incident = client.post(
        "/incidents",
        json={
            "case": CASE,
            "title": "Shelling of school no 5",
            "date": "2022-03",
            "types": ["attack-on-civilians"],
            "weapons": ["artillery"],
            **KHARKIV,
        },
    ).json()["incident"]["id"]
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(b"photo of the school")
    (result,) = ingest.ingest(instance, [photo], case_name=CASE).results
    return World(client, incident, str(result.item_id))


def _link(w: World, element: str, crime: str = "CAH-MURDER") -> dict[str, object]:
    body = {
        "item_id": w.item,
        "incident_id": w.incident,
        "crime": crime,
        "element": element,
        "stance": "supports",
    }
    response = w.http.post("/element-links", json=body)
    payload: dict[str, object] = response.json()
    payload["status_code"] = response.status_code
    return payload


# --- legal ----------------------------------------------------------------------------------------


def test_crimes_and_their_elements_are_listed(client: TestClient) -> None:
    codes = [c["code"] for c in client.get("/legal/crimes").json()["items"]]
    assert "CAH-MURDER" in codes
    crime = client.get("/legal/crimes/CAH-MURDER").json()["crime"]
    assert crime["elements"][0]["id"] == "E1"
    assert any(e["id"].startswith("CTX-CAH.") for e in crime["elements"])


def test_qualify_link_chart_unlink_and_withdraw(world: World) -> None:
    http = world.http
    made = http.post(
        f"/incidents/{world.incident}/qualifications", json={"crime": "CAH-MURDER", "note": "x"}
    )
    assert made.status_code == 201
    assert made.json()["ok"] is True and made.json()["status"] == "preliminary"
    link = _link(world, "E1")
    assert link["status_code"] == 201
    chart = http.get(f"/cases/{CASE}/proof-chart").json()["chart"]
    (crime,) = chart["crimes"]
    first = next(e for e in crime["elements"] if e["id"] == "E1")
    assert (first["status"], first["supporting"]) == ("supported", [world.item])
    markdown = http.get(f"/cases/{CASE}/proof-chart", params={"format": "md"})
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert markdown.text.startswith(f"# Proof chart: {CASE}")
    table = http.get(f"/cases/{CASE}/proof-chart", params={"format": "csv"})
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert {r["element_id"] for r in rows if r["supporting_items"]} == {"E1"}
    assert http.delete(f"/element-links/{link['id']}").json() == {"ok": True, "version": 2}
    again = _link(world, "CTX-CAH.C1")
    unexplained = http.delete(f"/qualifications/{made.json()['id']}")
    assert unexplained.status_code == 422 and "reason" in unexplained.json()["errors"]
    withdrawn = http.request(
        "DELETE", f"/qualifications/{made.json()['id']}", json={"reason": "not a killing"}
    ).json()
    assert withdrawn == {"ok": True, "withdrawn_links": [again["id"]]}
    assert http.get(f"/cases/{CASE}/proof-chart").json()["chart"]["crimes"] == []


def test_suggestions_come_from_the_incident_terms(world: World) -> None:
    items = world.http.get(f"/incidents/{world.incident}/suggestions").json()["items"]
    assert items and all(s["qualified"] is False and s["because"] for s in items)
    assert all(s["rejected"] is False for s in items)


def test_a_rejected_suggestion_is_marked_and_cannot_be_rejected_twice(world: World) -> None:
    path = f"/incidents/{world.incident}/suggestions"
    code = world.http.get(path).json()["items"][0]["code"]
    made = world.http.post(f"{path}/rejections", json={"crime": code, "note": "no nexus"})
    assert made.status_code == 201 and made.json()["id"]
    (shown,) = [s for s in world.http.get(path).json()["items"] if s["code"] == code]
    assert shown["rejected"] is True and shown["qualified"] is False
    again = world.http.post(f"{path}/rejections", json={"crime": code})
    assert again.status_code == 409 and "already rejected" in again.json()["error"]
    unknown = world.http.post(f"{path}/rejections", json={"crime": "NOPE"})
    assert unknown.status_code == 422 and "crime" in unknown.json()["errors"]


def test_an_unknown_crime_code_names_the_field(world: World) -> None:
    response = world.http.post(
        f"/incidents/{world.incident}/qualifications", json={"crime": "CAH-MURDERS"}
    )
    assert response.status_code == 422
    payload = response.json()
    assert payload["ok"] is False and "crime" in payload["errors"]
    assert "CAH-MURDER" in payload["hint"]


def test_an_element_of_another_crime_is_refused(world: World) -> None:
    world.http.post(f"/incidents/{world.incident}/qualifications", json={"crime": "WC-ATT-CIV"})
    payload = _link(world, "CTX-CAH.C1", crime="WC-ATT-CIV")
    assert payload["status_code"] == 422
    assert "element" in payload["errors"]  # type: ignore[operator]


def test_a_link_without_a_stance_is_refused(world: World) -> None:
    body = {"item_id": world.item, "incident_id": world.incident, "crime": "X", "element": "E1"}
    response = world.http.post("/element-links", json=body)
    assert response.status_code == 422 and "stance" in response.json()["errors"]


# --- search ---------------------------------------------------------------------------------------


def test_search_finds_the_incident_and_pages(world: World) -> None:
    found = world.http.get("/search", params={"q": "school", "case": CASE, "kind": "incident"})
    assert found.status_code == 200
    payload = found.json()
    assert [h["id"] for h in payload["items"]] == [world.incident]
    assert (payload["next_offset"], payload["capped"]) == (None, False)
    filtered = world.http.get(
        "/search", params={"q": "school", "date_from": "2023", "type": "attack-on-civilians"}
    )
    assert filtered.json()["items"] == []


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"q": '"school'}, 422, "q"),
        ({"q": "-school"}, 422, "q"),
        ({"q": ""}, 422, "q"),
        ({"q": "school", "date_from": "2022-13"}, 422, "date_from"),
        ({"q": "school", "kind": "photo"}, 422, "kind.0"),
        ({"q": "school", "limit": 0}, 422, "limit"),
        ({"q": "school", "case": "No such case"}, 404, "case"),
    ],
)
def test_bad_searches_name_the_parameter(
    client: TestClient, params: dict[str, object], status: int, field: str
) -> None:
    response = client.get("/search", params=params)  # type: ignore[arg-type]
    assert response.status_code == status
    assert field in response.json()["errors"]


# --- gazetteer ------------------------------------------------------------------------------------


def _load_areas(http: TestClient) -> dict[str, object]:
    response = http.post(
        "/gazetteer/areas",
        params={"level": 1, "name_field": "NAME_1", "alt_names_field": "VARNAME_1"},
        content=AREAS.read_bytes(),
        headers={"Content-Type": "application/geo+json"},
    )
    assert response.status_code == 201, response.text
    report: dict[str, object] = response.json()["report"]
    return report


def test_load_list_find_and_locate_areas(world: World) -> None:
    http = world.http
    report = _load_areas(http)
    assert report["added"] and report["path"] == "areas.geojson"
    assert report["assignment"]["point"] == 1  # type: ignore[index]
    areas = http.get("/gazetteer/areas", params={"level": 1, "limit": 1}).json()
    assert len(areas["items"]) == 1 and areas["next_offset"] == 1
    found = http.get("/gazetteer/find", params={"name": "Kharkov"}).json()["items"]
    assert [a["name"] for a in found] == ["Kharkiv"]
    located = http.get("/gazetteer/locate", params=KHARKIV).json()
    assert [a["name"] for a in located["areas"]] == ["Kharkiv"]
    swapped = http.get("/gazetteer/locate", params={"latitude": 36.23, "longitude": 49.99}).json()
    assert (swapped["areas"], [a["name"] for a in swapped["swapped"]]) == ([], ["Kharkiv"])
    hits = http.get("/search", params={"q": "school", "area": "Харків"}).json()["items"]
    assert [h["id"] for h in hits] == [world.incident]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"latitude": 91, "longitude": 30}, "latitude"),
        ({"latitude": 50, "longitude": -181}, "longitude"),
        ({"latitude": "north", "longitude": 30}, "latitude"),
    ],
)
def test_locate_refuses_coordinates_out_of_range(
    client: TestClient, params: dict[str, object], field: str
) -> None:
    response = client.get("/gazetteer/locate", params=params)  # type: ignore[arg-type]
    assert response.status_code == 422 and field in response.json()["errors"]


def test_locate_without_areas_answers_with_the_nearest_place(client: TestClient) -> None:
    response = client.get("/gazetteer/locate", params=KHARKIV)
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["areas"] == [] and found["nearest"]["country_code"] == "UA"
    assert found["nearest"]["approximate"] is True
    assert found["nearest"]["method"] == "nearest-place"
    unknown = client.get("/gazetteer/locate", params={**KHARKIV, "situation": "Atlantis"})
    assert unknown.status_code == 404 and "Atlantis" in unknown.text


def test_a_bad_upload_names_the_file_not_the_server_path(client: TestClient) -> None:
    response = client.post(
        "/gazetteer/areas",
        params={"level": 1, "name_field": "NAME_1", "filename": "../../etc/oblasts.geojson"},
        content=b"{not geojson",
    )
    assert response.status_code == 422
    assert "testament-upload-" not in response.text and "/tmp" not in response.text
    empty = client.post("/gazetteer/areas", params={"level": 1, "name_field": "NAME_1"})
    assert empty.status_code == 422 and "body" in empty.json()["errors"]


# --- import and export ----------------------------------------------------------------------------


def _export(http: TestClient, fmt: str, case: str = CASE) -> str:
    response = http.get(f"/cases/{case}/export", params={"format": fmt})
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    return response.text


def test_exports_download_in_every_format(world: World) -> None:
    lines = [json.loads(line) for line in _export(world.http, "jsonl").splitlines()]
    assert lines[0]["kind"] == "header"
    assert [line["data"]["id"] for line in lines if line["kind"] == "incident"] == [world.incident]
    header = next(csv.reader(io.StringIO(_export(world.http, "csv"))))
    assert "id" in header and "title" in header
    geojson = json.loads(_export(world.http, "geojson"))
    assert geojson["type"] == "FeatureCollection" and len(geojson["features"]) == 1
    assert geojson["features"][0]["geometry"]["coordinates"] == [36.23, 49.99]
    timemap = json.loads(_export(world.http, "timemap"))
    assert [event["id"] for event in timemap] == [world.incident]


def test_an_export_reimports_unchanged_and_keeps_its_ids(world: World) -> None:
    http = world.http
    exported = _export(http, "jsonl").encode()
    same = http.post(f"/cases/{CASE}/import/jsonl", content=exported)
    assert same.status_code == 201, same.text
    report = same.json()["report"]
    assert (report["nothing_new"], report["incidents"]["unchanged"]) == (True, 1)
    elsewhere = http.post("/cases/Case B/import/jsonl", content=exported).json()
    assert (elsewhere["status"], elsewhere["where"]) == (409, "upload.jsonl: line 2")


def test_a_timemap_upload_is_imported_once(client: TestClient) -> None:
    data = TIMEMAP.read_bytes()
    params = {"filename": "bellingcat-civharm-2024-06-02.json"}
    first = client.post("/cases/TM/import/timemap", params=params, content=data).json()
    assert first["ok"] is True and first["report"]["incidents"]["created"] == 20
    assert first["report"]["namespace"] == "timemap:bellingcat-civharm"
    again = client.post("/cases/TM/import/timemap", params=params, content=data).json()
    assert again["report"]["nothing_new"] is True
    bad = client.post("/cases/TM/import/timemap", content=b"[{]")
    assert bad.status_code == 422 and "testament-upload-" not in bad.text


@pytest.mark.parametrize(
    ("path", "params", "status", "field"),
    [
        (f"/cases/{CASE}/export", {"format": "xlsx"}, 422, "format"),
        (f"/cases/{CASE}/export", {}, 422, "format"),
        ("/cases/No such case/export", {"format": "jsonl"}, 404, None),
        ("/cases/No such case/proof-chart", {}, 404, None),
        (f"/cases/{CASE}/proof-chart", {"format": "pdf"}, 422, "format"),
        ("/legal/crimes/NOPE", {}, 422, "code"),
    ],
)
def test_bad_reads_share_the_envelope(
    world: World, path: str, params: dict[str, str], status: int, field: str | None
) -> None:
    response = world.http.get(path, params=params)
    assert response.status_code == status
    payload = response.json()
    assert payload["ok"] is False and payload["status"] == status
    if field is not None:
        assert field in payload["errors"]


def test_an_import_format_outside_the_list_is_refused(client: TestClient) -> None:
    response = client.post("/cases/C/import/csv", content=b"a,b\n1,2\n")
    assert response.status_code == 422 and "fmt" in response.json()["errors"]


def test_the_openapi_document_lists_the_new_routes(client: TestClient) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {
        "/legal/crimes",
        "/incidents/{incident_id}/qualifications",
        "/element-links",
        "/cases/{case_name}/proof-chart",
        "/search",
        "/gazetteer/locate",
        "/cases/{case_name}/export",
        "/cases/{case_name}/import/{fmt}",
    } <= paths
