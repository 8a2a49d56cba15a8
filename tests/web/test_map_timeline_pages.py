"""The map and the timeline from the pages and the API: an area drawn on the map (a box or a polygon in
the address) narrows the list, the map's data and the timeline; the timeline's columns; the place search;
the incident form's precision. Each bad input answers with what was wrong, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import gazetteer, incidents
from testament.documentation.timeline import day_number
from tests.api.test_hidden_records import AREAS
from tests.conftest import SQLITE_ONLY
from tests.services.test_map_timeline import PLACED, TRIANGLE, placed
from tests.web.conftest import PASSWORD, csrf_token, signed_in

pytestmark = SQLITE_ONLY


@pytest.fixture
def desk(instance: Instance) -> dict[str, str]:
    gazetteer.load(instance, AREAS, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")
    cases.create_case(instance, "Case A")
    cases.create_case(instance, "Case B")
    ids = {}
    for row in PLACED:
        ids[row[0]] = incidents.create(instance, "Case A", placed(*row))
    for user, role in (("dana", "documenter"), ("vera", "viewer")):
        accounts.create_user(instance, user, PASSWORD)
        accounts.grant_role(instance, user, "Case A", role)
    return ids


def _listed(page: str) -> set[str]:
    return set(re.findall(r'<a href="/incidents/[0-9a-f-]+">([^<]+)</a>', page))


def test_an_area_in_the_address_narrows_the_case_page_and_the_map(
    site: Any, desk: dict[str, str]
) -> None:
    http = signed_in(site, "vera")
    boxed = http.get("/cases/Case A", params={"bbox": "28,46,37,51"})
    assert boxed.status_code == 200
    assert _listed(boxed.text) == {"Kyiv strike", "Kharkiv strike", "Odesa strike", "Undated"}
    assert "Only the incidents inside the area drawn on the map are shown." in boxed.text
    # The timeline's data carry the area, never the dates (those are its brush).
    assert "/api/cases/Case%20A/timeline/spans?bbox=28%2C46%2C37%2C51" in boxed.text
    inside = http.get("/cases/Case A", params={"polygon": TRIANGLE, "date_from": "2022-03-02"})
    assert _listed(inside.text) == {"Kharkiv strike"}
    assert 'data-from="2022-03-02"' in inside.text
    shown = http.get("/cases/Case A/map", params={"polygon": TRIANGLE, "date_to": "2022-03-03"})
    assert shown.status_code == 200
    assert f'data-polygon="{TRIANGLE}"' in shown.text
    assert "/api/cases/Case%20A/map?polygon=29%2C51%3B38%2C51%3B33%2C48&amp;date_to=2022-03-03" in (
        shown.text
    )
    assert 'id="list-these" href="/cases/Case%20A?polygon=' in shown.text
    data = http.get(
        "/api/cases/Case A/map", params={"polygon": TRIANGLE, "date_to": "2022-03-03"}
    ).json()
    assert data["total"] == 1
    assert data["features"][0]["properties"]["title"] == "Kyiv strike"
    assert http.get("/api/cases/Case A/map", params={"within": "28,46,37,51"}).json()["total"] == 4
    listed = http.get("/api/incidents", params={"case": "Case A", "bbox": "28,46,37,51"}).json()
    assert len(listed["items"]) == 4


def test_the_timeline_answers_columns_of_days(site: Any, desk: dict[str, str]) -> None:
    http = signed_in(site, "vera")
    spans = http.get("/api/cases/Case A/timeline/spans").json()
    assert spans["undated"] == 1
    assert spans["start"][1] == day_number("2022-03-01") and spans["vague"] == [1, 0, 0, 1, 1]
    narrowed = http.get("/api/cases/Case A/timeline/spans", params={"polygon": TRIANGLE}).json()
    assert narrowed["start"] == [day_number("2022-03-01"), day_number("2022-03-05")]
    page = http.get("/cases/Case A").text
    assert 'id="timeline"' in page and "/static/timeline.js" in page
    assert '<canvas class="timeline-canvas" tabindex="0"' in page
    assert "Timeline: incidents per month" in page  # the text alternative stays
    # Another case's timeline is answered as a missing case.
    assert http.get("/api/cases/Case B/timeline/spans").status_code == 404


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({"bbox": "30,52,31,50"}, "is north of its north"),
        ({"bbox": "30,50,31,91"}, "off the globe"),
        ({"polygon": "30,50;31,51"}, "at least three corners"),
        ({"polygon": "0,0;2,2;2,0;0,2"}, "edges cross"),
        ({"date_from": "2022-05-01", "date_to": "2022-04-01"}, "before it starts"),
    ],
)
def test_a_bad_area_or_date_range_is_refused_on_every_edge(
    site: Any, desk: dict[str, str], params: dict[str, str], said: str
) -> None:
    http = signed_in(site, "vera")
    for path in ("/cases/Case A", "/cases/Case A/map"):
        page = http.get(path, params=params)
        assert page.status_code == 422, (path, page.text)
        assert said in page.text
    api = {"within": params["bbox"]} if "bbox" in params else params
    for path, sent in (
        ("/api/cases/Case A/map", api),
        ("/api/incidents", params | {"case": "Case A"}),
        ("/api/cases/Case A/timeline/spans", {k: v for k, v in params.items() if "date" not in k}),
    ):
        if not sent or (path.endswith("spans") and "date_from" in params):
            continue
        answer = http.get(path, params=sent)
        assert answer.status_code == 422, (path, answer.text)
        assert said in answer.text


def test_a_place_is_found_by_part_of_its_name(site: Any, desk: dict[str, str]) -> None:
    http = signed_in(site, "vera")
    found = http.get("/api/gazetteer/search", params={"q": "Харк"}).json()["items"]
    assert [p["name"] for p in found] == ["Kharkiv"]
    assert {"latitude", "longitude", "radius_m", "code"} <= set(found[0])
    for query in ("", "k", " "):
        refused = http.get("/api/gazetteer/search", params={"q": query})
        assert refused.status_code == 422, refused.text
        assert "2 to 200 characters" in refused.text


def _form(http: Any) -> dict[str, str]:
    shown = http.get("/cases/Case A/incidents/new")
    assert shown.status_code == 200
    assert 'id="location-picker"' in shown.text and 'name="precision"' in shown.text
    return {"X-CSRF-Token": csrf_token(shown.text)}


def test_the_form_states_the_precision_of_its_point(
    site: Any, desk: dict[str, str], instance: Instance
) -> None:
    http = signed_in(site, "dana")
    headers = _form(http)
    base = {"title": "Strike at the bridge", "date": "2022-06-01", "status": "reported"}
    point = {"latitude": "50.45", "longitude": "30.52"}
    made = http.post(
        "/cases/Case A/incidents",
        headers=headers,
        data=base | point | {"precision": "settlement", "uncertainty_m": "5"},
    )
    assert made.status_code == 303, made.text
    incident_id = made.headers["location"].rsplit("/", 1)[-1]
    assert incidents.show(instance, incident_id).uncertainty_m == 2000.0
    edit = http.get(f"/incidents/{incident_id}/edit").text
    assert '<option value="settlement" selected>' in edit
    found = http.post(
        "/cases/Case A/incidents",
        headers=headers,
        data=base | point | {"precision": "area", "uncertainty_m": "95000"},
    )
    assert found.status_code == 303
    placed = incidents.show(instance, found.headers["location"].rsplit("/", 1)[-1])
    assert placed.uncertainty_m == 95000.0


@pytest.mark.parametrize(
    ("fields", "said"),
    [
        ({"latitude": "91", "longitude": "30.52"}, "latitude 91.0 is out of range"),
        ({"latitude": "50.45", "longitude": "30.52", "precision": "radius"}, "needs the radius"),
        ({"latitude": "50.45", "longitude": "30.52", "precision": "nearby"}, "not a precision"),
    ],
)
def test_a_bad_point_is_refused_with_the_form_kept(
    site: Any, desk: dict[str, str], instance: Instance, fields: dict[str, str], said: str
) -> None:
    http = signed_in(site, "dana")
    headers = _form(http)
    before = len(incidents.list_for_case(instance, "Case A"))
    refused = http.post(
        "/cases/Case A/incidents",
        headers=headers,
        data={"title": "Strike at the dam", "status": "reported"} | fields,
    )
    assert refused.status_code == 422
    assert said in refused.text and 'value="Strike at the dam"' in refused.text
    assert len(incidents.list_for_case(instance, "Case A")) == before
