"""Review in a real browser (Debian's Chromium, driven by Playwright), in English and in Ukrainian: a
documenter uploads an item and asks for its review; trying to verify it herself is refused; a second
person finds it in the review queue and verifies it with the keyboard alone. axe-core finds no serious
violation on the queue, nor on the review part of the item's and an incident's page.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.review import reading, states
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.web.a11y import assert_accessible, tab_to
from tests.web.test_browser import (  # noqa: F401 - the browser fixture
    OPERATOR,
    PASSWORD,
    browser,
    signed_in,
)

pytestmark = SQLITE_ONLY

WORDS = {
    "en": {"queue": "Review queue", "in review": "In review", "verified": "Verified",
           "not done": "Not done:", "waits": "waits for review", "mentions": "mentions you"},
    "uk": {"queue": "Черга перевірки", "in review": "На перевірці", "verified": "Перевірено",
           "not done": "Не виконано:", "waits": "чекає на перевірку", "mentions": "згадує вас"},
}  # fmt: skip


@pytest.fixture
def world(instance: Instance) -> dict[str, Any]:
    cases.create_case(instance, "Case A")
    # Both may verify (analysts): what keeps Anna from verifying her own upload is the second-person rule.
    for name in ("anna", "bohdan"):
        accounts.create_user(instance, name, PASSWORD)
        accounts.grant_role(instance, name, "Case A", "analyst")
    incident = incidents.create(instance, "Case A", incidents.IncidentInput(title="Strike"))
    return {"incident": incident}


def _open_item(page: Any, href: str) -> None:
    """Open an item as the site asks: the purpose first, then the item's page."""
    page.goto(href)
    page.fill("input[name=purpose]", "review")
    page.click("main button[type=submit]")
    page.locator("#review").wait_for()


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_reviewer_verifies_another_persons_item_and_their_own_is_refused(
    browser: Any,  # noqa: F811
    instance: Instance,
    world: dict[str, Any],
    tmp_path: Path,
    lang: str,
) -> None:
    from playwright.sync_api import expect

    words = WORDS[lang]
    photo = tmp_path / "crater.jpg"
    photo.write_bytes(os.urandom(4000))
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        # Anna uploads a photo and asks Bohdan to review it.
        anna = signed_in(browser, base, "anna", lang)
        anna.goto("/cases/Case%20A/upload")
        anna.set_input_files("input[type=file]", [str(photo)])
        link = anna.locator("table.uploads tr[data-item] a[href^='/evidence/']")
        expect(link).to_have_count(1)
        href = link.get_attribute("href")
        assert href is not None
        item = href.rsplit("/", 1)[1].split("?")[0]
        _open_item(anna, href)
        anna.select_option("#review-state select[name=state]", "in-review")
        anna.fill("#review-state input[name=note]", "Please check the crater, @bohdan")
        anna.click("#review-state button[type=submit]")
        expect(anna.locator("#review .review-state")).to_have_text(words["in review"])
        assert_accessible(anna, within="#review")

        # Her own upload: verifying it is refused, and nothing changes.
        anna.select_option("#review-state select[name=state]", "verified")
        anna.click("#review-state button[type=submit]")
        alert = anna.locator("#review [role=alert]")
        expect(alert).to_contain_text(words["not done"])
        expect(alert).to_contain_text("second person")
        assert reading.review(instance, "item", item).state == "in-review"

        # Bohdan finds it in his queue and verifies it with the keyboard alone.
        bohdan = signed_in(browser, base, "bohdan", lang)
        bohdan.goto("/review")
        expect(bohdan.locator("h1")).to_have_text(words["queue"])
        row = bohdan.locator("table.review-queue tbody tr")
        expect(row).to_have_count(1)
        expect(row).to_contain_text(words["waits"])
        expect(row).to_contain_text(words["mentions"])
        assert_accessible(bohdan)
        _open_item(bohdan, f"/evidence/{item}")
        tab_to(bohdan, "#review-state select[name=state]")
        bohdan.keyboard.press("Home")
        bohdan.keyboard.press("ArrowDown")
        bohdan.keyboard.press("ArrowDown")
        assert bohdan.input_value("#review-state select[name=state]") == "verified"
        tab_to(bohdan, "#review-state button[type=submit]")
        bohdan.keyboard.press("Enter")
        expect(bohdan.locator("#review .review-state")).to_have_text(words["verified"])
        expect(bohdan.locator("#review ol.comments")).to_contain_text("@bohdan")
        assert reading.review(instance, "item", item).state == "verified"

        # The incident page's review part passes axe too.
        bohdan.goto(f"/incidents/{world['incident']}")
        bohdan.locator("#review").wait_for()
        assert_accessible(bohdan, within="#review")


def test_an_administrator_adds_a_review_state_with_the_keyboard(
    browser: Any,  # noqa: F811
    instance: Instance,
    world: dict[str, Any],
) -> None:
    from playwright.sync_api import expect

    accounts.create_user(instance, "root", PASSWORD, admin=True)
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "root")
        page.goto("/review")
        assert_accessible(page)
        page.click("main a[href='/admin/review-states']")
        expect(page.locator("h1")).to_have_text("Review states")
        assert_accessible(page)
        tab_to(page, "#review-state-form input[name=code]")
        page.keyboard.type("corroborated")
        page.keyboard.press("Tab")
        page.keyboard.type("Corroborated")
        page.keyboard.press("Tab")
        page.keyboard.type("Підтверджено")
        page.keyboard.press("Tab")
        page.keyboard.type("مؤكَّدة")
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        tab_to(page, "#review-state-form button[type=submit]")
        page.keyboard.press("Enter")
        expect(page.locator("main table tbody tr")).to_have_count(5)
        added = [s for s in states.states(instance) if s.code == "corroborated"]
        assert added and added[0].second_person and not added[0].queued
        assert added[0].label("ar") == "مؤكَّدة"
