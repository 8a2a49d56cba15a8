"""In a real browser (Debian's Chromium, Playwright), in English and in Ukrainian: a documenter narrows
a case's incidents by a facet, finds words across scripts with the matches marked in the snippets,
saves the search and runs it again from the saved list, and relates two incidents from the incident
page; axe-core finds no serious violation on these pages, and the relation form works from the
keyboard alone."""

from __future__ import annotations

from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.web.a11y import assert_accessible, tab_to
from tests.web.test_browser import OPERATOR, PASSWORD, browser, signed_in

pytestmark = SQLITE_ONLY
__all__ = ["browser"]  # the fixture, shared with the site's journey

WORDS = {
    "en": {"killing": "Killing", "two": "2 incidents match.", "one": "1 incident matches.",
           "save": "Save this search", "name": "Name for this search", "relate": "Relate",
           "other": "Other incident (its ID, or words of its title)"},
    "uk": {"killing": "Вбивство", "two": "2 інциденти відповідають.",
           "one": "1 інцидент відповідає.", "save": "Зберегти цей пошук",
           "name": "Назва цього пошуку", "relate": "Пов'язати",
           "other": "Інший інцидент (його ID або слова з назви)"},
}  # fmt: skip


@pytest.fixture
def desk(instance: Instance) -> dict[str, str]:
    cases.create_case(instance, "Case S")
    ids = {}
    for key, title, description, types in (
        ("school", "Strike on a school", "Shelled at dawn in Харків", ["attack-on-civilians"]),
        ("market", "Strike on a market", "The Kharkiv market burned", ["killing"]),
        ("bus", "Strike on a bus stop", "Kharkiv, a bus stop", ["killing"]),
    ):
        given = incidents.IncidentInput(title=title, description=description, types=types,
                                        date="2022-05-01")  # fmt: skip
        ids[key] = incidents.create(instance, "Case S", given)
    accounts.create_user(instance, "dora", PASSWORD)
    accounts.grant_role(instance, "dora", "Case S", "documenter")
    return ids


@pytest.mark.parametrize("language", ["en", "uk"])
def test_facets_snippets_saved_searches_and_relations(
    browser: Any, instance: Instance, desk: dict[str, str], language: str
) -> None:
    from playwright.sync_api import expect

    words = WORDS[language]
    with served(create_server(instance, api_token=OPERATOR)) as base:
        page = signed_in(browser, base, "dora", language)
        page.goto("/cases/Case%20S")
        assert_accessible(page)
        facets = page.locator("nav.facets")
        facets.get_by_role("link", name=words["killing"]).click()
        expect(page.locator("#incident-total")).to_have_text(words["two"])
        expect(page.locator("table.incidents")).not_to_contain_text("Strike on a school")

        page.goto("/search?q=kharkov")
        expect(page.locator("ol.hits mark").first).to_be_visible()
        expect(page.locator("ol.hits")).to_contain_text("Харків")
        assert "Харків" in page.locator("ol.hits mark").all_inner_texts()
        page.locator("nav.facets").get_by_role("link", name=words["killing"]).click()
        expect(page.locator("#incident-total")).to_have_text(words["two"])
        assert_accessible(page)
        page.get_by_label(words["name"]).fill("Killings in Kharkiv")
        page.get_by_role("button", name=words["save"]).click()
        saved = page.locator("#saved-searches").get_by_role("link", name="Killings in Kharkiv")
        expect(saved).to_be_visible()
        page.goto("/search")
        page.locator("#saved-searches").get_by_role("link", name="Killings in Kharkiv").click()
        expect(page.locator("#incident-total")).to_have_text(words["two"])
        expect(page.locator("ol.hits")).not_to_contain_text("Strike on a school")

        page.goto(f"/incidents/{desk['market']}")
        form = page.locator("#relation-form")
        expect(form).to_be_visible()  # loaded in place by htmx
        form.get_by_label(words["other"]).fill("bus stop")
        form.get_by_role("button", name=words["relate"]).click()
        link = page.locator("#relations").get_by_role("link", name="Strike on a bus stop")
        expect(link).to_be_visible()
        assert_accessible(page)
        link.click()
        page.wait_for_url(f"**/incidents/{desk['bus']}")
        expect(
            page.locator("#relations").get_by_role("link", name="Strike on a market")
        ).to_be_visible()


def test_the_relation_form_works_from_the_keyboard_alone(
    browser: Any, instance: Instance, desk: dict[str, str]
) -> None:
    from playwright.sync_api import expect

    with served(create_server(instance, api_token=OPERATOR)) as base:
        page = signed_in(browser, base, "dora", "en")
        page.goto(f"/incidents/{desk['school']}")
        expect(page.locator("#relation-form")).to_be_visible()
        tab_to(page, "#relation-form select[name=relation]")
        page.keyboard.press("End")
        tab_to(page, "#relation-form input[name=other]")
        page.keyboard.type("market")
        tab_to(page, "#relation-form button[type=submit]")
        page.keyboard.press("Enter")
        expect(
            page.locator("#relations").get_by_role("link", name="Strike on a market")
        ).to_be_visible()
        page.goto(f"/incidents/{desk['school']}/relations")  # the page without JavaScript
        expect(page.locator("#relation-form")).to_be_visible()
        assert_accessible(page)
