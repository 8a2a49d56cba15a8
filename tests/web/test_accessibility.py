"""Every main page passes axe-core's WCAG A and AA rules with no serious or critical violation, in English,
in Ukrainian and in Arabic (right to left), and the sign-in form works from the keyboard alone."""

from __future__ import annotations

from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody.instance import Instance
from testament.documentation import incidents, people, sources, units
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.web.a11y import (
    assert_accessible,
    assert_every_form_control_is_reachable,
    tab_to,
    violations,
)
from tests.web.test_browser import OPERATOR, PASSWORD, browser, world

pytestmark = SQLITE_ONLY
__all__ = ["browser", "world"]  # the fixtures, shared with the site's journey

PAGES = [
    "/dashboard",
    "/cases/Case%20A",
    "/cases/Case%20A/map",
    "/cases/Case%20A/upload",
    "/cases/Case%20A/evidence",
    "/cases/Case%20A/gallery",
    "/cases/Case%20A/proof-chart",
    "/cases/Case%20A/patterns",
    "/search?q=school",
    "/units",
    "/settings",
    "/services",
    "/jobs",
    "/capture",
    "/cases/Case%20A/incidents/new",
    "/cases/Case%20A/intake",
    "/cases/Case%20A/share",
    "/cases/Case%20A/analyses/counts",
    "/packages/import",
    "/sharing",
    "/disclosures",
    "/registry/requests",
    "/review",
    "/cases/Case%20A/people",
    "/cases/Case%20A/sources",
    "/cases/Case%20A/tags",
    "/cases/Case%20A/update",
    "/units/new",
    "/cases/Case%20A?f=status:reported",
]


@pytest.mark.parametrize("language", ["en", "uk", "ar"])
def test_the_main_pages_have_no_serious_violation(
    browser: Any, instance: Instance, world: dict[str, Any], language: str
) -> None:
    accounts.create_user(instance, "petro", PASSWORD)
    accounts.grant_role(instance, "petro", "Case A", "coordinator")
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = browser.new_context(base_url=base).new_page()
        page.set_default_timeout(15_000)
        page.goto(f"/lang/{language}")
        page.goto("/login")
        assert page.get_attribute("html", "lang") == language
        assert page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
        assert_accessible(page)
        page.fill("input[name=username]", "petro")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/dashboard")
        for path in [*PAGES, f"/incidents/{world['Case A']}"]:
            page.goto(path)
            assert page.url == base + path, f"{path} went to {page.url}"
            assert_accessible(page)


def test_the_checker_finds_what_it_is_for(browser: Any, instance: Instance) -> None:
    """An unlabelled field and an image with no text are caught: the check above can fail."""
    with served(create_server(instance, api_token=OPERATOR)) as base:
        page = browser.new_context(base_url=base).new_page()
        page.goto("/login")
        page.evaluate(
            """() => document.querySelector("main").insertAdjacentHTML("beforeend",
                '<input id="unlabelled"><img src="/static/app.css">')"""
        )
        found = {v["id"] for v in violations(page)}
        assert {"label", "image-alt"} <= found
        with pytest.raises(AssertionError, match="image-alt"):
            assert_accessible(page)


def test_signing_in_from_the_keyboard_alone(browser: Any, instance: Instance) -> None:
    accounts.create_user(instance, "petro", PASSWORD)
    with served(create_server(instance, api_token=OPERATOR)) as base:
        page = browser.new_context(base_url=base).new_page()
        page.set_default_timeout(15_000)
        page.goto("/login")
        tab_to(page, "input[name=username]")
        page.keyboard.type("petro")
        tab_to(page, "input[name=password]")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url("**/dashboard")


def test_every_form_of_the_documenters_day_works_from_the_keyboard(
    browser: Any, instance: Instance, world: dict[str, Any]
) -> None:
    """Every visible control of every form on these pages takes the focus from the Tab key alone."""
    accounts.create_user(instance, "petro", PASSWORD)
    accounts.grant_role(instance, "petro", "Case A", "coordinator")
    unit = units.create(instance, "72nd Mechanised Brigade")
    person = people.create(instance, "Case A", "Witness W-1")
    source = sources.create(instance, "Case A", kind="person", title="Witness statement")
    incident = incidents.create(  # not sensitive: its page opens with no purpose asked
        instance, "Case A", incidents.IncidentInput(title="Strike on a school", date="2022-03-02")
    )
    pages = [
        f"/incidents/{incident}",
        f"/units/{unit}",
        f"/people/{person}",
        f"/sources/{source}",
        "/cases/Case%20A",
        "/cases/Case%20A/evidence",
        "/cases/Case%20A/map",
        "/cases/Case%20A/incidents/new",
        f"/incidents/{incident}/edit",
        "/cases/Case%20A/people",
        "/cases/Case%20A/sources",
        "/cases/Case%20A/update",
        "/cases/Case%20A/upload",
        "/units/new",
        "/search?q=school",
    ]
    with served(create_server(instance, api_token=OPERATOR)) as base:
        page = browser.new_context(base_url=base).new_page()
        page.set_default_timeout(15_000)
        page.goto("/login")
        page.fill("input[name=username]", "petro")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/dashboard")
        counted: dict[str, int] = {}
        for path in pages:
            page.goto(path)
            assert page.url == base + path, f"{path} went to {page.url}"
            counted[path] = assert_every_form_control_is_reachable(page)
        assert all(counted.values()), counted  # each page has forms, and they were walked
        assert (
            counted[f"/incidents/{incident}"] >= 20
        )  # legal, people, units, relations, tags, review
        page.goto(f"/evidence/{world['photo']}")
        page.fill("input[name=purpose]", "check the keyboard")
        page.click("main button[type=submit]")
        page.wait_for_selector("#uses-title")
        assert_every_form_control_is_reachable(page)


def test_the_keyboard_walk_finds_a_control_it_cannot_reach(
    browser: Any, instance: Instance
) -> None:
    with served(create_server(instance, api_token=OPERATOR)) as base:
        page = browser.new_context(base_url=base).new_page()
        page.goto("/login")
        page.evaluate(
            """() => document.querySelector("main form").insertAdjacentHTML("beforeend",
                '<label>Out of reach <input name="unreachable" tabindex="-1"></label>')"""
        )
        with pytest.raises(AssertionError, match="unreachable"):
            assert_every_form_control_is_reachable(page)
