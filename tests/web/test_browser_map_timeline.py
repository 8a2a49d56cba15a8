"""The map and the timeline in a real browser (Debian's Chromium, driven by Playwright, against a real
server, with no network), in English and in Ukrainian: a documenter picks an incident's point by a
gazetteer search and by a click on the form's map, and saves; brushes the case's timeline (by mouse, then
by keyboard) and sees the list narrow; draws a rectangle and a polygon on the case's map and sees only the
incidents inside; and the timeline draws 100,000 incidents without an error."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import gazetteer, incidents
from testament.server import create_server
from testament.web import i18n
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.services.test_gazetteer_situations import _load_syria, _load_ukraine
from tests.services.test_map_timeline import PLACED, placed
from tests.web.a11y import assert_accessible
from tests.web.test_browser import AN_INCIDENT, AREAS, OPERATOR, PASSWORD, browser, signed_in

pytestmark = SQLITE_ONLY
__all__ = ["browser"]  # the fixture, shared with the other browser tests

WORDS: dict[str, dict[str, Any]] = {
    "en": {"search": "Khar", "rectangle": "Draw a rectangle", "polygon": "Draw a polygon",
           "finish": "Finish the polygon", "list": "List these incidents", "save": "Create incident"},
    "uk": {"search": "Харк", "rectangle": "Накреслити прямокутник",
           "polygon": "Накреслити багатокутник", "finish": "Завершити багатокутник",
           "list": "Список цих подій", "save": None},
    # Arabic, right to left: the words from its catalogue; the gazetteer is searched in Latin letters.
    "ar": {"search": "Khar"} | {key: i18n.catalogue("ar").gettext(english) for key, english in (
        ("rectangle", "Draw a rectangle"), ("polygon", "Draw a polygon"),
        ("finish", "Finish the polygon"), ("list", "List these incidents"))} | {"save": None},
}  # fmt: skip


@pytest.fixture
def world(instance: Instance) -> dict[str, str]:
    gazetteer.load(instance, AREAS, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")
    cases.create_case(instance, "Case A")
    ids = {row[0]: incidents.create(instance, "Case A", placed(*row)) for row in PLACED}
    accounts.create_user(instance, "dana", PASSWORD)
    accounts.grant_role(instance, "dana", "Case A", "documenter")
    return ids


def _titles(page: Any) -> set[str]:
    found = page.locator("main table a[href^='/incidents/']").all_inner_texts()
    return {text.strip() for text in found}


def _pick_points(page: Any, instance: Instance, words: dict[str, Any]) -> None:
    """Two incidents: one placed by a gazetteer search, one by a click on the form's map."""
    from playwright.sync_api import expect

    page.goto("/cases/Case%20A/incidents/new")
    picker = page.locator("#location-picker")
    expect(picker).to_have_attribute("data-ready", "true")
    assert_accessible(page)
    page.fill("input[name=title]", "Strike found by name")
    page.fill("input[name=date]", "2022-06-01")
    page.locator("#place-search").fill(words["search"])
    page.locator(".place-results button", has_text="Kharkiv").click()
    expect(page.locator("select[name=precision]")).to_have_value("area")
    assert float(page.input_value("input[name=uncertainty_m]")) > 50_000
    assert page.input_value("input[name=place_text]") == "Kharkiv"
    page.locator("#incident-form button[type=submit]").click()
    page.wait_for_url(AN_INCIDENT)
    found = incidents.show(instance, page.url.rsplit("/", 1)[-1])
    located = gazetteer.locate(instance, found.latitude, found.longitude)
    assert [a.name for a in located.areas] == ["Kharkiv"] and found.uncertainty_m

    page.goto("/cases/Case%20A/incidents/new")
    expect(picker).to_have_attribute("data-ready", "true")
    page.fill("input[name=title]", "Strike placed by a click")
    page.fill("input[name=date]", "2022-06-02")
    page.locator("#place-map").focus()  # by keyboard: Enter puts the point at the map's centre
    page.keyboard.press("Enter")
    expect(page.locator("input[name=latitude]")).to_have_value("48.5")
    page.locator("#place-map").click()  # the middle of the map: about 48.5 N, 31.5 E
    assert page.input_value("input[name=latitude]") != ""
    expect(page.locator("path.picked-point")).to_have_count(1)
    page.select_option("select[name=precision]", "exact")
    page.locator("#incident-form button[type=submit]").click()
    page.wait_for_url(AN_INCIDENT)
    clicked = incidents.show(instance, page.url.rsplit("/", 1)[-1])
    assert clicked.latitude is not None and abs(clicked.latitude - 48.5) < 1
    assert clicked.longitude is not None and abs(clicked.longitude - 31.5) < 1
    assert clicked.uncertainty_m == 10.0


def _x_of(page: Any, day: str) -> float:
    """Where ``day`` lies on the timeline's canvas, in the page's pixels from its left edge."""
    return float(
        page.evaluate(
            """(day) => { const t = document.getElementById("timeline").timeline;
                return t.x(Date.parse(day + "T00:00:00Z") / 86400000) / (window.devicePixelRatio || 1); }""",
            day,
        )
    )


def _brush(page: Any) -> None:
    """Drag across March 2022: the list keeps what overlaps it; the arrow key moves on to April."""
    from playwright.sync_api import expect

    page.goto("/cases/Case%20A")
    timeline = page.locator("#timeline")
    expect(timeline).to_have_attribute("data-ready", "true")
    assert_accessible(page)
    page.locator("#timeline canvas").scroll_into_view_if_needed()
    box = page.locator("#timeline canvas").bounding_box()
    middle = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + _x_of(page, "2022-02-15"), middle)
    page.mouse.down()
    page.mouse.move(box["x"] + _x_of(page, "2022-02-25"), middle)
    page.mouse.move(box["x"] + _x_of(page, "2022-03-10"), middle)
    page.mouse.up()
    page.wait_for_url("**date_from=**")
    assert _titles(page) == {"Kyiv strike", "Kharkiv strike", "Nowhere known"}
    expect(page.locator("#timeline")).to_have_attribute("data-ready", "true")
    page.locator("#timeline canvas").focus()
    page.keyboard.press("ArrowRight")  # a month on: the view is a year wide
    expect(page.locator("#timeline-state")).to_contain_text("2022-04")
    page.keyboard.press("Enter")
    page.wait_for_url("**date_from=2022-03-1*")
    assert _titles(page) == {"Odesa strike", "Nowhere known"}


def _corner(page: Any, lat: float, lon: float) -> tuple[float, float]:
    """Where a point lies on the case's map, in the page's pixels."""
    box = page.locator("#map").bounding_box()
    at = page.evaluate(
        "([lat, lon]) => document.getElementById('map').leafletMap.latLngToContainerPoint([lat, lon])",
        [lat, lon],
    )
    return box["x"] + at["x"], box["y"] + at["y"]


CENTRE_LON = "() => document.getElementById('map').leafletMap.getCenter().lng"


def _draw(page: Any, instance: Instance, words: dict[str, Any]) -> None:
    """A rectangle over Kyiv and Kharkiv, then a triangle: the map and the list keep what is inside."""
    from playwright.sync_api import expect

    page.goto("/cases/Case%20A/map")
    drawn = page.locator("#map")
    expect(drawn).to_have_attribute("data-markers", str(len(PLACED) - 1 + 2))
    assert_accessible(page)
    page.get_by_role("button", name=words["rectangle"]).click()
    page.mouse.move(*_corner(page, 51.2, 29.5))
    page.mouse.down()
    page.mouse.move(*_corner(page, 50.0, 33.0))
    page.mouse.move(*_corner(page, 49.7, 36.8))
    page.mouse.up()
    page.wait_for_url("**bbox=**")
    bbox = parse_qs(urlsplit(page.url).query)["bbox"][0]
    inside = incidents.list_for_case(instance, "Case A", only=incidents.ListFilter(bbox=bbox))
    assert {"Kyiv strike", "Kharkiv strike"} <= {r.title for r in inside}
    assert not {"Odesa strike", "Lviv strike"} & {r.title for r in inside}
    expect(drawn).to_have_attribute("data-markers", str(len(inside)))
    expect(drawn).to_have_attribute("data-area", "shown")
    page.get_by_role("link", name=words["list"]).click()
    page.wait_for_url("**/cases/Case%20A?bbox=**")
    assert _titles(page) == {r.title for r in inside}

    page.goto("/cases/Case%20A/map")
    expect(drawn).to_have_attribute("data-markers", str(len(PLACED) - 1 + 2))
    page.get_by_role("button", name=words["polygon"]).click()
    for lat, lon in ((51.0, 29.8), (51.0, 31.5), (49.5, 30.6)):  # around Kyiv alone
        page.mouse.click(*_corner(page, lat, lon))
    page.get_by_role("button", name=words["finish"]).click()
    page.wait_for_url("**polygon=**")
    expect(drawn).to_have_attribute("data-markers", "1")
    page.get_by_role("link", name=words["list"]).click()
    page.wait_for_url("**polygon=**")
    assert _titles(page) == {"Kyiv strike"}

    # By keyboard: Space puts a corner at the map's centre, the arrow keys move the map between them.
    page.goto("/cases/Case%20A/map")
    expect(drawn).to_have_attribute("data-markers", str(len(PLACED) - 1 + 2))
    page.get_by_role("button", name=words["rectangle"]).click()
    expect(drawn).to_be_focused()
    page.keyboard.press("Space")
    first = page.evaluate(CENTRE_LON)
    for key in ("ArrowRight", "ArrowRight", "ArrowDown", "ArrowDown"):
        page.keyboard.press(key)
    # The map pans with an animation (east and west; the case's bounds may hold it north and south):
    # the second corner goes down once the centre has moved, so the rectangle has a width.
    page.wait_for_function(f"() => ({CENTRE_LON})() !== {first!r}")
    page.keyboard.press("Space")
    page.wait_for_url("**bbox=**")
    expect(drawn).to_have_attribute("data-area", "shown")

    # The dates chosen on the timeline under the map narrow the map too.
    page.goto("/cases/Case%20A/map?date_from=2022-03-01&date_to=2022-03-03")
    expect(drawn).to_have_attribute("data-markers", "1")
    expect(page.locator("#timeline")).to_have_attribute("data-ready", "true")


@pytest.mark.parametrize("lang", ["en", "uk", "ar"])
def test_a_documenter_places_incidents_brushes_the_timeline_and_draws_an_area(
    browser: Any, instance: Instance, world: dict[str, str], lang: str
) -> None:
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "dana")
        if lang != "en":
            page.goto(f"/lang/{lang}?next=/dashboard")
            page.wait_for_url("**/dashboard")
            assert page.locator("html").get_attribute("lang") == lang
            assert page.locator("html").get_attribute("dir") == i18n.direction(lang)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        _pick_points(page, instance, WORDS[lang])
        _brush(page)
        _draw(page, instance, WORDS[lang])
        assert errors == []
        page.context.close()


def test_a_syrian_case_is_offered_syrian_places_only(browser: Any, instance: Instance) -> None:
    """Oblasts and governorates loaded into two situations: the picker of a case in one searches and
    draws only its areas, and its small map opens on them."""
    from playwright.sync_api import expect

    for name in ("Ukraine", "Syria"):
        cases.create_situation(instance, cases.situation_values(name, conflict="international"))
    _load_ukraine(instance, "Ukraine")
    _load_syria(instance, "Syria")
    cases.create_case(instance, "Aleppo", situation_name="Syria")
    accounts.create_user(instance, "dana", PASSWORD)
    accounts.grant_role(instance, "dana", "Aleppo", "documenter")
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "dana")
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if "/api/gazetteer/" in r.url else None)
        page.goto("/cases/Aleppo/incidents/new")
        expect(page.locator("#location-picker")).to_have_attribute("data-ready", "true")
        page.locator("#place-search").fill("ar")  # in Kharkiv and in Dar'a
        found = page.locator(".place-results button")
        expect(found).to_have_text(["Dar'a (SY12)"])
        searched = [parse_qs(urlsplit(url).query) for url in asked if "/search?" in url]
        assert searched and all(q["situation"] == ["Syria"] for q in searched), asked
        assert searched[-1]["q"] == ["ar"] and searched[-1]["limit"] == ["10"]
        page.locator("#place-map").focus()  # the map opened on Syria's governorates
        page.keyboard.press("Enter")
        expect(page.locator("input[name=latitude]")).not_to_have_value("")
        assert 32 < float(page.input_value("input[name=latitude]")) < 37.5
        page.locator("#place-search").fill("Khar")
        expect(page.locator(".place-state")).to_have_text(
            "No place in the gazetteer has this name."
        )
        assert errors == []
        page.context.close()


def test_the_timeline_draws_a_hundred_thousand_incidents(
    browser: Any, instance: Instance, world: dict[str, str]
) -> None:
    """The columns of 100k incidents (served in place of the case's own) are drawn without an error, at
    every zoom; how long it takes is measured by benchmarks/timeline_bench.py, not asserted here."""
    from playwright.sync_api import expect

    pick = random.Random(5)
    start = [pick.randrange(18_000, 20_000) for _ in range(100_000)]
    vague = [int(pick.random() < 0.3) for _ in start]
    end = [s + (pick.randrange(0, 365) if v else 0) for s, v in zip(start, vague, strict=True)]
    columns = {"start": sorted(start), "end": end, "vague": vague, "undated": 7}
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "dana")
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.route("**/timeline/spans*", lambda route: route.fulfill(json=columns))
        page.goto("/cases/Case%20A")
        timeline = page.locator("#timeline")
        expect(timeline).to_have_attribute("data-ready", "true")
        expect(timeline).to_have_attribute("data-drawn", "100000")
        assert int(timeline.get_attribute("data-in-view") or "0") == 100_000
        page.locator("#timeline canvas").focus()
        for key in ("+", "+", "+", "+", "ArrowRight", "-", "Escape"):
            page.keyboard.press(key)
        measured = page.evaluate(
            "performance.getEntriesByName('timeline-draw').map(e => e.duration)"
        )
        assert len(measured) >= 8 and all(m >= 0 for m in measured)
        assert errors == []
        page.context.close()
