"""The units list and a unit's page: where it was and when, recorded and removed from the browser.

A documenter adds a placement (an area of the gazetteer, or a point with a radius, over a period) and
removes one saying why; each refusal comes back on its form, 422, with the reason by the field, and
nothing is written. A reader sees the page without forms, and their posts are refused by the use case.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import gazetteer, placements, units
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.web.conftest import PASSWORD, csrf_token
from tests.web.conftest import signed_in as client_for
from tests.web.test_browser import (  # noqa: F401 - the browser fixture
    OPERATOR,
    browser,
    signed_in,
)

AREAS = Path(__file__).resolve().parents[2] / "demo" / "ukraine-adm1.geojson"
UNIT = "64th Separate Motorized Rifle Brigade"


@pytest.fixture
def world(instance: Instance) -> dict[str, Any]:
    gazetteer.load(instance, AREAS, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")
    cases.create_case(instance, "Case A")
    cases.create_case(instance, "Case B")
    army = units.create(instance, "35th Combined Arms Army", kind="army", country="RU")
    brigade = units.create(
        instance,
        UNIT,
        parent=army,
        kind="brigade",
        country="RU",
        aliases=[{"name": "64-я ОМСБр", "script": "Cyrl", "lang": "ru"}],
    )
    units.add_commander(instance, brigade, name="Azatbek Omurbekov", rank="Lieutenant Colonel")
    accounts.create_user(instance, "dana", PASSWORD)
    accounts.grant_role(instance, "dana", "Case A", "documenter")
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", "Case A", "viewer")
    return {"unit": brigade, "army": army}


def _post(http: TestClient, path: str, data: dict[str, str]) -> Any:
    """Post a page's form as htmx does: with the page's CSRF token in a header."""
    token = csrf_token(http.get("/dashboard").text)
    return http.post(path, data=data, headers={"X-CSRF-Token": token, "HX-Request": "true"})


def _place(http: TestClient, unit: str, **typed: str) -> Any:
    return _post(http, f"/units/{unit}/placements", typed)


def test_a_placement_by_area_and_by_point_shows_in_the_table(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "dana")
    unit = world["unit"]
    added = _place(http, unit, area="Kiev", from_date="2022-02-27", to_date="2022-03-30",
                   note="Bucha and Andriivka")  # fmt: skip
    assert added.status_code == 200 and added.headers["HX-Redirect"] == f"/units/{unit}"
    added = _place(http, unit, latitude="50.5436", longitude="30.2122", radius_m="3000",
                   from_date="2022-03")  # fmt: skip
    assert added.status_code == 200, added.text
    found = placements.placements(instance, unit)
    assert [(p.area_name, p.radius_m, p.from_date, p.to_date) for p in found] == [
        ("Kiev", None, "2022-02-27", "2022-03-30"),
        (None, 3000.0, "2022-03-01", None),
    ]
    page = http.get(f"/units/{unit}").text
    table = page[page.index('<table class="placements">') : page.index("</table>", page.index(
        '<table class="placements">'))]  # fmt: skip
    assert "Kiev" in table and "2022-02-27" in table and "2022-03-30" in table
    assert "Bucha and Andriivka" in table
    assert "within 3,000 m of 50.5436, 30.2122" in table and "2022-03-01" in table
    assert page.count('class="presence-bar"') == 2


@SQLITE_ONLY
def test_the_pages_show_the_unit_in_english_and_ukrainian(site: Any, world: dict[str, Any]) -> None:
    http = client_for(site, "vera")
    listed = http.get("/units")
    assert listed.status_code == 200
    assert f'href="/units/{world["unit"]}"' in listed.text and "64-я ОМСБр" in listed.text
    assert 'href="/units"' in listed.text  # the header's link
    page = http.get("/units/64-я ОМСБр")  # by an alias, as every use case takes it
    assert page.status_code == 200
    text = page.text
    for shown in (UNIT, "brigade", "RU", "35th Combined Arms Army", "Azatbek Omurbekov",
                  "Lieutenant Colonel", "No placements recorded yet."):  # fmt: skip
        assert shown in text
    assert f'href="/units/{world["army"]}"' in text
    assert f'href="/cases/Case%20A/analyses/units?unit={world["unit"]}"' in text
    assert "Case B" not in text  # a case the reader may not read is not offered
    assert 'id="placement-form"' not in text and "Why remove it?" not in text
    http.cookies.set("testament_lang", "uk")
    uk = http.get(f"/units/{world['unit']}").text
    assert "Командири" in uk and "Де був підрозділ" in uk and "Підрозділи" in uk
    assert "Commanders" not in uk
    assert "Підрозділи" in http.get("/units").text


@SQLITE_ONLY
def test_the_form_is_in_ukrainian_with_its_refusals(site: Any, world: dict[str, Any]) -> None:
    http = client_for(site, "dana")
    http.cookies.set("testament_lang", "uk")
    page = http.get(f"/units/{world['unit']}").text
    assert "Додати дислокацію" in page and 'list="area-names"' in page
    assert '<option value="Kharkiv">' in page  # the gazetteer's areas are offered
    refused = _place(http, world["unit"], area="Atlantis")
    assert refused.status_code == 422
    assert "У довіднику немає адміністративної одиниці з такою назвою або кодом." in refused.text


BAD = [
    ({"area": "Kiev", "latitude": "50.4", "longitude": "30.5", "radius_m": "500"}, "area",
     "Give either an administrative area, or a point with a radius, not both."),
    ({"latitude": "50.4", "longitude": "30.5", "radius_m": "0"}, "radius_m",
     "The radius must be more than 0 metres."),
    ({"latitude": "50.4", "longitude": "30.5"}, "radius_m",
     "Give the radius around the point, in metres."),
    ({"area": "Kiev", "from_date": "2022-04-01", "to_date": "2022-03-01"}, "to_date",
     "The last day is before the first day."),
    ({"area": "Atlantis"}, "area",
     "The gazetteer has no administrative area with this name or code."),
    ({"latitude": "95", "longitude": "30.5", "radius_m": "100"}, "latitude",
     "latitude 95.0 is out of range (-90 to 90)"),
    ({"area": "Kiev", "from_date": "2022-13-01"}, "from_date", ""),
    ({"area": "Kyiv"}, "area", "names 2 administrative areas"),
    ({}, "area", "Give either an administrative area, or a point with a radius, not both."),
]  # fmt: skip


@SQLITE_ONLY
@pytest.mark.parametrize(("typed", "field", "reason"), BAD)
def test_bad_input_is_named_on_the_form_and_writes_nothing(  # noqa: PLR0917 - fixtures and cases
    site: Any,
    instance: Instance,
    world: dict[str, Any],
    typed: dict[str, str],
    field: str,
    reason: str,
) -> None:
    http = client_for(site, "dana")
    refused = _place(http, world["unit"], **typed)
    assert refused.status_code == 422, refused.text
    form = refused.text[refused.text.index('id="placement-form"') :]
    assert "Not saved:" in form
    beside = re.search(
        rf'name="{field}"[^>]*> <span class="error" role="alert">([^<]+)</span>', form
    )
    assert beside is not None, form
    assert reason in beside.group(1)
    for value in typed.values():  # what was typed is still there
        assert f'value="{value}"' in form
    assert placements.placements(instance, world["unit"]) == []


@SQLITE_ONLY
def test_removal_needs_a_reason(site: Any, instance: Instance, world: dict[str, Any]) -> None:
    unit = world["unit"]
    placed = placements.place(instance, unit, area="Kiev", from_date="2022-03-01")
    http = client_for(site, "dana")
    path = f"/units/{unit}/placements/{placed}/remove"
    refused = _post(http, path, {"reason": "  "})
    assert refused.status_code == 422
    form = refused.text[refused.text.index(f'id="remove-{placed}"') :]
    assert "Write why the placement is removed." in form
    assert [p.id for p in placements.placements(instance, unit)] == [placed]
    removed = _post(http, path, {"reason": "the source was misread"})
    assert removed.status_code == 200 and removed.headers["HX-Redirect"] == f"/units/{unit}"
    assert placements.placements(instance, unit) == []
    assert "No placements recorded yet." in http.get(f"/units/{unit}").text
    again = _post(http, path, {"reason": "twice"})
    assert again.status_code == 404


@SQLITE_ONLY
def test_a_reader_sees_no_form_and_may_not_write(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    unit = world["unit"]
    placed = placements.place(instance, unit, area="Kiev")
    http = client_for(site, "vera")
    refused = _place(http, unit, area="Kharkiv")
    assert refused.status_code == 403
    assert 'id="placement-form"' not in refused.text
    removal = _post(http, f"/units/{unit}/placements/{placed}/remove", {"reason": "mine"})
    assert removal.status_code == 403
    assert [p.id for p in placements.placements(instance, unit)] == [placed]


@SQLITE_ONLY
def test_an_unknown_unit_is_not_found(site: Any, world: dict[str, Any]) -> None:
    http = client_for(site, "vera")
    assert http.get("/units/no-such-unit").status_code == 404
    assert _place(http, "no-such-unit", area="Kiev").status_code == 404


@SQLITE_ONLY
def test_a_documenter_adds_a_placement_by_keyboard(
    browser: Any,  # noqa: F811
    instance: Instance,
    world: dict[str, Any],
) -> None:
    from playwright.sync_api import expect

    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "dana")
        page.click("header nav >> text=Units")
        page.wait_for_url("**/units")
        page.click(f"text={UNIT}")
        page.wait_for_url(f"**/units/{world['unit']}")
        page.focus("input[name=area]")
        page.keyboard.type("Kharkiv")
        page.keyboard.press("Escape")  # close the list of suggestions
        for _field in ("latitude", "longitude", "radius_m", "from_date"):
            page.keyboard.press("Tab")
        page.keyboard.type("2022-03-01")
        page.keyboard.press("Tab")
        page.keyboard.type("2022-05-15")
        page.keyboard.press("Enter")
        rows = page.locator("table.placements tbody tr")
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text("Kharkiv")
        expect(rows.first).to_contain_text("2022-05-15")
        expect(page.locator("svg.presence-bar")).to_have_count(1)
        # A refusal comes back on the form, by keyboard too.
        page.focus("input[name=area]")
        page.keyboard.type("Atlantis")
        page.keyboard.press("Escape")
        page.keyboard.press("Enter")
        expect(page.locator("#placement-form .problem")).to_contain_text("no administrative area")
        expect(rows).to_have_count(1)
