"""People, units and sources in a real browser (Debian's Chromium, driven by Playwright), in English and
in Ukrainian: a documenter records a unit under a parent, gives it a Cyrillic alias and a commander,
places it, and sees the placements drawn on the offline map; a person is recorded with the keyboard
alone. axe-core finds no serious violation on each new page.
"""

from __future__ import annotations

from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import gazetteer, incidents, sources, units
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.web.a11y import assert_accessible, tab_to
from tests.web.test_browser import (  # noqa: F401 - the browser fixture
    AREAS,
    OPERATOR,
    PASSWORD,
    browser,
    signed_in,
)

pytestmark = SQLITE_ONLY

# What each language's pages say, to check that the journey runs in it.
WORDS = {
    "en": {"record": "Record a unit", "commanders": "Commanders", "map": "Placements on the map",
           "people": "People", "script": "Cyrillic"},
    "uk": {"record": "Записати підрозділ", "commanders": "Командири",
           "map": "Дислокації на мапі", "people": "Особи", "script": "Кирилиця"},
}  # fmt: skip


@pytest.fixture
def world(instance: Instance) -> dict[str, Any]:
    gazetteer.load(instance, AREAS, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")
    cases.create_case(instance, "Case A")
    army = units.create(instance, "Southern Army")
    incident = incidents.create(instance, "Case A", incidents.IncidentInput(title="Strike"))
    source = sources.create(instance, "Case A", kind="document", title="Police report")
    accounts.create_user(instance, "dana", PASSWORD)
    accounts.grant_role(instance, "dana", "Case A", "documenter")
    return {"army": army, "incident": incident, "source": source}


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_unit_under_a_parent_with_an_alias_a_commander_and_its_map(
    browser: Any,  # noqa: F811
    instance: Instance,
    world: dict[str, Any],
    lang: str,
) -> None:
    from playwright.sync_api import expect

    words = WORDS[lang]
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "dana", lang)
        page.goto("/units")
        assert_accessible(page)
        page.click(f"text={words['record']}")
        page.wait_for_url("**/units/new")
        assert_accessible(page)
        page.fill("#unit-form input[name=name]", "12th Battalion")
        page.fill("#unit-form input[name=parent]", "Southern Army")
        page.fill("#unit-form input[name=kind]", "battalion")
        page.click("#unit-form button[type=submit]")
        expect(page.locator("h1")).to_have_text("12th Battalion")
        expect(page.locator("nav.breadcrumbs")).to_contain_text("Southern Army")
        # An alias in Cyrillic, named by its script in the reader's language.
        page.fill("#alias-form input[name=alias_name]", "12-й батальйон")
        page.select_option("#alias-form select[name=script]", label=words["script"])
        page.fill("#alias-form input[name=lang]", "uk")
        page.click("#alias-form button[type=submit]")
        expect(page.locator("ul.aliases")).to_contain_text("12-й батальйон")
        # A commander over a period, and a refusal of one that ends before it starts.
        page.fill("#commander-form input[name=name]", "Col. Petrenko")
        page.fill("#commander-form input[name=from_date]", "2022-05")
        page.fill("#commander-form input[name=to_date]", "2022-01")
        page.click("#commander-form button[type=submit]")
        expect(page.locator("#commander-form .problem")).to_be_visible()
        expect(page.locator("ol.commanders li")).to_have_count(0)
        page.fill("#commander-form input[name=to_date]", "2022-09")
        page.click("#commander-form button[type=submit]")
        expect(page.locator("ol.commanders li")).to_have_count(1)
        expect(page.locator("ol.commanders")).to_contain_text("2022-05-01 – 2022-09-30")
        expect(page.get_by_role("heading", name=words["commanders"])).to_be_visible()
        # Two placements: an area (drawn from the gazetteer's outline) and a point with a radius.
        page.fill("#placement-form input[name=area]", "Kharkiv")
        page.click("#placement-form button[type=submit]")
        expect(page.locator("table.placements tbody tr")).to_have_count(1)
        for field, value in (("latitude", "50.45"), ("longitude", "30.52"), ("radius_m", "5000")):
            page.fill(f"#placement-form input[name={field}]", value)
        page.click("#placement-form button[type=submit]")
        expect(page.locator("table.placements tbody tr")).to_have_count(2)
        expect(page.get_by_role("heading", name=words["map"])).to_be_visible()
        expect(page.locator("#unit-map")).to_have_attribute("data-drawn", "2")
        expect(page.locator("#unit-map path.unit-placement")).to_have_count(2)
        assert_accessible(page)
        # Found by its Cyrillic alias, as every use case takes it.
        page.goto("/units/12-й батальйон")
        expect(page.locator("h1")).to_have_text("12th Battalion")
        page.goto("/units")
        expect(page.locator("nav.unit-tree li li")).to_contain_text("12th Battalion")


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_person_is_recorded_with_the_keyboard_alone(
    browser: Any,  # noqa: F811
    instance: Instance,
    world: dict[str, Any],
    lang: str,
) -> None:
    from playwright.sync_api import expect

    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "dana", lang)
        page.goto("/cases/Case%20A/people")
        expect(page.locator("h1")).to_contain_text(WORDS[lang]["people"])
        assert_accessible(page)
        tab_to(page, "#person-form input[name=label]")
        page.keyboard.type("Witness K")
        page.keyboard.press("Tab")
        page.keyboard.type("a neighbour")
        page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        expect(page.locator("h1")).to_have_text("Witness K")
        assert_accessible(page)
        # A role in an incident, by keyboard too: the incident and the role are chosen from lists.
        tab_to(page, "#role-form select[name=role]")
        page.keyboard.press("End")
        tab_to(page, "#role-form button[type=submit]")
        page.keyboard.press("Enter")
        expect(page.locator("table.roles tbody tr")).to_have_count(1)
        page.goto(f"/incidents/{world['incident']}")
        expect(page.locator("#people-and-roles")).to_contain_text("Witness K")
        assert_accessible(page, within="#people-and-roles")
        assert_accessible(page, within="#units-involved")
        for path in ("/cases/Case%20A/sources", f"/sources/{world['source']}"):
            page.goto(path)
            expect(page.locator("h1")).to_be_visible()
            assert_accessible(page)
