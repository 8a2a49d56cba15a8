"""In a real browser (Debian's Chromium, Playwright): an analyst qualifies an incident from its page, links
its evidence to two elements, and the case's proof chart shows both elements supported, each linked to
the item and the incident; in English and in Ukrainian, checked by axe-core, and the qualify form from the
keyboard alone."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.web.a11y import assert_accessible, tab_to
from tests.web.test_browser import OPERATOR, PASSWORD, browser, signed_in

pytestmark = SQLITE_ONLY
__all__ = ["browser"]  # the fixture, shared with the site's journey

WORDS = {
    "en": {"supported": "Supported", "chart": "The case's proof chart"},
    "uk": {"supported": "Підтверджується", "chart": "Таблиця доказів справи"},
}


@pytest.fixture
def desk(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    """A case with two incidents (attacks on civilians), two items linked to the first; an analyst."""
    cases.create_case(instance, "Case L")
    ids: dict[str, Any] = {}
    for key, title in (("incident", "Strike on a market"), ("second", "Strike on a bus stop")):
        given = incidents.IncidentInput(title=title, types=["attack-on-civilians"])
        ids[key] = incidents.create(instance, "Case L", given)
    folder = tmp_path / "files"
    folder.mkdir()
    for name in ("photo-1.jpg", "video-2.mp4"):
        (folder / name).write_bytes(os.urandom(600))
    found = {
        Path(r.path).name: r.item_id
        for r in ingest.ingest(instance, [folder], case_name="Case L").results
    }
    ids["photo"], ids["video"] = found["photo-1.jpg"], found["video-2.mp4"]
    for item_id in (ids["photo"], ids["video"]):
        evidence.link(instance, item_id, ids["incident"], "filmed on the day")
    accounts.create_user(instance, "olha", PASSWORD)
    accounts.grant_role(instance, "olha", "Case L", "analyst")
    return ids


def _submit(page: Any, button: Any) -> None:
    """Press a form's button and wait for the page to load again (htmx's redirect, or the plain post's)."""
    with page.expect_navigation():
        button.click()


def _link(page: Any, element: str, item: str) -> None:
    form = page.locator("form[id^=legal-link-]")
    form.locator("select[name=element_id]").select_option(element)
    form.locator("select[name=item_id]").select_option(item)
    form.locator("input[name=stance][value=supports]").check()
    _submit(page, form.locator("button[type=submit]"))


@pytest.mark.parametrize("language", ["en", "uk"])
def test_an_analyst_qualifies_links_two_elements_and_the_chart_shows_them(
    browser: Any, instance: Instance, desk: dict[str, Any], language: str
) -> None:
    from playwright.sync_api import expect

    words = WORDS[language]
    with served(create_server(instance, api_token=OPERATOR)) as base:
        page = signed_in(browser, base, "olha", language)
        page.goto(f"/incidents/{desk['incident']}")
        assert page.get_attribute("html", "lang") == language
        assert_accessible(page)

        page.select_option("#legal-qualify-crime", "CAH-MURDER")
        page.fill("#legal-qualify-note", "two people killed at the stalls")
        _submit(page, page.locator("#legal-qualify button[type=submit]"))
        qualification = page.locator("#legal article.qualification")
        expect(qualification.locator("h3")).to_contain_text("CAH-MURDER")
        expect(qualification).to_contain_text("two people killed at the stalls")
        # Refused (qualified already): the reason on the form, swapped in place by htmx.
        page.select_option("#legal-qualify-crime", "CAH-MURDER")
        page.locator("#legal-qualify button[type=submit]").click()
        expect(page.locator("#legal-qualify [role=alert]")).to_contain_text(
            "this incident already carries CAH-MURDER"
        )
        page.goto(f"/incidents/{desk['incident']}")

        _link(page, "E1", desk["photo"])
        expect(qualification.locator(f'a[href="/evidence/{desk["photo"]}"]')).to_have_count(1)
        _link(page, "CTX-CAH.C1", desk["video"])
        expect(qualification.locator(f'a[href="/evidence/{desk["video"]}"]')).to_have_count(1)
        assert_accessible(page)

        page.get_by_role("link", name=words["chart"]).click()
        page.wait_for_url("**/cases/Case%20L/proof-chart")
        for element, item in (("E1", desk["photo"]), ("CTX-CAH.C1", desk["video"])):
            row = page.locator(f'[id="element-CAH-MURDER-{element}"]')
            expect(row).to_have_attribute("data-status", "supported")
            expect(row.locator(".element-status")).to_contain_text(words["supported"])
            expect(row.locator(f'a[href="/evidence/{item}"]')).to_have_count(1)
            expect(row.locator(f'a[href="/incidents/{desk["incident"]}"]')).to_have_text(
                "Strike on a market"
            )
        gap = page.locator('[id="element-CAH-MURDER-CTX-CAH.C2"]')
        expect(gap).to_have_attribute("data-status", "gap")
        assert_accessible(page)

        page.locator(f'[id="element-CAH-MURDER-E1"] a[href="/evidence/{desk["photo"]}"]').click()
        page.wait_for_url(f"**/evidence/{desk['photo']}")


def test_the_qualify_form_works_from_the_keyboard_alone(
    browser: Any, instance: Instance, desk: dict[str, Any]
) -> None:
    from playwright.sync_api import expect

    with served(create_server(instance, api_token=OPERATOR)) as base:
        page = signed_in(browser, base, "olha", "en")
        page.goto(f"/incidents/{desk['second']}")
        tab_to(page, "#legal-qualify-crime")
        page.keyboard.press("ArrowDown")  # the first crime of Article 7
        assert page.input_value("#legal-qualify-crime") == "CAH-MURDER"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "legal-qualify-note"
        page.keyboard.type("reported by two witnesses")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Qualify (preliminary)"
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect(page.locator("#legal article.qualification h3")).to_contain_text("CAH-MURDER")
        assert incidents.show(instance, desk["second"]).qualifications[0].crime_code == "CAH-MURDER"
