"""Every main page passes axe-core's WCAG A and AA rules with no serious or critical violation, in English
and in Ukrainian, and the sign-in form works from the keyboard alone."""

from __future__ import annotations

from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody.instance import Instance
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.web.a11y import assert_accessible, tab_to, violations
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


@pytest.mark.parametrize("language", ["en", "uk"])
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
