"""The incident form's place picker in a case of a situation: its search and its map's areas are that
situation's (and the shared ones), so a Syrian case is not offered Ukraine's oblasts, nor the other way
round; a case in no situation is offered every area, as before. A case's map page and patterns page
draw their situation's areas the same way. Real pages, services and database."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import gazetteer, incidents
from tests.conftest import SQLITE_ONLY
from tests.services.test_gazetteer_situations import SYRIA, UKRAINE, _load_syria, _load_ukraine
from tests.web.conftest import PASSWORD, csrf_token, signed_in

pytestmark = SQLITE_ONLY

UKRAINE_NAME = "Ukraine & Crimea"  # a name the address must encode
UKRAINE_CODES = {"UA.KK", "UA.KS", "UA.KV", "UA.KC"}
SYRIA_CODES = {"SY01", "SY02", "SY07", "SY12"}
assert UKRAINE.exists() and SYRIA.exists()


@pytest.fixture
def two_situations(instance: Instance) -> None:
    for name in (UKRAINE_NAME, "Syria"):
        cases.create_situation(instance, cases.situation_values(name, conflict="international"))
    _load_ukraine(instance, UKRAINE_NAME)
    _load_syria(instance, "Syria")
    cases.create_case(instance, "Aleppo", situation_name="Syria")
    cases.create_case(instance, "Kharkiv", situation_name=UKRAINE_NAME)
    cases.create_case(instance, "Nowhere")
    accounts.create_user(instance, "dana", PASSWORD)
    for case in ("Aleppo", "Kharkiv", "Nowhere"):
        accounts.grant_role(instance, "dana", case, "documenter")


def _picker(page: str) -> dict[str, str]:
    """The picker's search and areas addresses, as the browser reads them."""
    found = re.search(r'data-search="([^"]*)" *\n? *data-areas="([^"]*)"', page)
    assert found, page
    return {"search": html.unescape(found[1]), "areas": html.unescape(found[2])}


def _with(address: str, **params: str) -> str:
    """``address`` with more parameters, kept apart from those it holds (as places.js adds them)."""
    parts = urlsplit(address)
    return parts.path + "?" + urlencode([*parse_qsl(parts.query), *params.items()])


def _codes_found(http: Any, picker: dict[str, str], query: str) -> set[str]:
    answer = http.get(_with(picker["search"], q=query, limit="10"))
    assert answer.status_code == 200, answer.text
    return {place["code"] for place in answer.json()["items"]}


def _codes_drawn(http: Any, picker: dict[str, str]) -> set[str]:
    answer = http.get(picker["areas"])
    assert answer.status_code == 200, answer.text
    return {feature["properties"]["code"] for feature in answer.json()["features"]}


def test_a_case_of_a_situation_is_offered_its_own_places(
    site: Any, instance: Instance, two_situations: None
) -> None:
    http = signed_in(site, "dana")
    syrian = _picker(http.get("/cases/Aleppo/incidents/new").text)
    assert syrian == {
        "search": "/api/gazetteer/search?situation=Syria",
        "areas": "/api/gazetteer/areas.geojson?level=1&situation=Syria",
    }
    # "ar" is in Kharkiv and in Dar'a: the Syrian case is offered Dar'a only.
    assert _codes_found(http, syrian, "ar") == {"SY12"}
    assert _codes_drawn(http, syrian) == SYRIA_CODES

    ukrainian = _picker(http.get("/cases/Kharkiv/incidents/new").text)
    assert ukrainian["search"] == "/api/gazetteer/search?situation=Ukraine%20%26%20Crimea"
    assert _codes_found(http, ukrainian, "ar") == {"UA.KK"}
    assert _codes_drawn(http, ukrainian) == UKRAINE_CODES

    everywhere = _picker(http.get("/cases/Nowhere/incidents/new").text)
    assert everywhere == {
        "search": "/api/gazetteer/search",
        "areas": "/api/gazetteer/areas.geojson?level=1",
    }
    assert _codes_found(http, everywhere, "ar") == {"UA.KK", "SY12"}
    assert _codes_drawn(http, everywhere) == UKRAINE_CODES | SYRIA_CODES


def test_the_edit_form_and_a_refused_form_keep_the_cases_situation(
    site: Any, instance: Instance, two_situations: None
) -> None:
    http = signed_in(site, "dana")
    incident_id = incidents.create(instance, "Aleppo", incidents.IncidentInput(title="Shelling"))
    edit = http.get(f"/incidents/{incident_id}/edit")
    assert edit.status_code == 200
    assert _picker(edit.text)["search"] == "/api/gazetteer/search?situation=Syria"
    headers = {"X-CSRF-Token": csrf_token(edit.text)}
    refused = http.post(
        f"/incidents/{incident_id}/edit",
        headers=headers,
        data={"title": "Shelling", "status": "reported", "latitude": "91", "longitude": "37"},
    )
    assert refused.status_code == 422
    assert _picker(refused.text)["areas"] == "/api/gazetteer/areas.geojson?level=1&situation=Syria"
    made = http.post(
        "/cases/Aleppo/incidents",
        headers=headers,
        data={"title": "Strike", "status": "reported", "latitude": "91", "longitude": "37"},
    )
    assert made.status_code == 422
    assert _picker(made.text)["search"] == "/api/gazetteer/search?situation=Syria"


def test_the_areas_layer_refuses_an_unknown_situation(
    site: Any, instance: Instance, two_situations: None
) -> None:
    http = signed_in(site, "dana")
    answer = http.get("/api/gazetteer/areas.geojson", params={"situation": "Atlantis"})
    assert answer.status_code == 404, answer.text
    assert "no situation is called" in answer.text
    shared = gazetteer.areas_geojson(instance, situation="Syria")
    assert {f.properties["code"] for f in shared.features} == SYRIA_CODES


def _areas_drawn_by(page: str, element_id: str) -> str:
    """The ``data-areas`` address of the map element ``element_id``, as the browser reads it."""
    found = re.search(rf'id="{element_id}"[^>]*?data-areas="([^"]*)"', page, re.DOTALL)
    assert found, page
    return html.unescape(found[1])


@pytest.mark.parametrize(
    ("path", "element_id"), [("/cases/{}/map", "map"), ("/cases/{}/patterns", "patterns-map")]
)
def test_a_cases_map_and_patterns_pages_draw_its_situations_areas(
    site: Any, instance: Instance, two_situations: None, path: str, element_id: str
) -> None:
    http = signed_in(site, "dana")
    syrian = http.get(path.format("Aleppo"))
    assert syrian.status_code == 200, syrian.text
    areas = _areas_drawn_by(syrian.text, element_id)
    assert areas == "/api/gazetteer/areas.geojson?level=1&situation=Syria"
    assert _codes_drawn(http, {"areas": areas}) == SYRIA_CODES

    ukrainian = _areas_drawn_by(http.get(path.format("Kharkiv")).text, element_id)
    assert ukrainian.endswith("&situation=Ukraine%20%26%20Crimea")
    assert _codes_drawn(http, {"areas": ukrainian}) == UKRAINE_CODES

    everywhere = _areas_drawn_by(http.get(path.format("Nowhere")).text, element_id)
    assert everywhere == "/api/gazetteer/areas.geojson?level=1"
    assert _codes_drawn(http, {"areas": everywhere}) == UKRAINE_CODES | SYRIA_CODES


def test_a_situations_patterns_page_draws_its_areas(
    site: Any, instance: Instance, two_situations: None
) -> None:
    http = signed_in(site, "dana")
    page = http.get("/situations/Syria/patterns", params={"level": "1"})
    assert page.status_code == 200, page.text
    areas = _areas_drawn_by(page.text, "patterns-map")
    assert areas == "/api/gazetteer/areas.geojson?level=1&situation=Syria"
    assert _codes_drawn(http, {"areas": areas}) == SYRIA_CODES
