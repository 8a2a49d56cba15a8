"""The guided intake in a real browser: Debian's Chromium, driven by Playwright, against a real server.

A documenter starts an intake from the case page, records the person, then walks the three steps that
guard an account (safety, consent, the interview), with a refusal shown in place on the way.
"""

from __future__ import annotations

import re
from typing import Any

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.server import create_server
from testament.survivors import testimony
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.web.test_browser import (  # noqa: F401 - the browser fixture
    OPERATOR,
    PASSWORD,
    browser,
    signed_in,
)

pytestmark = SQLITE_ONLY

STEPS = re.compile(r"/people/[0-9a-f-]{36}/intake$")
NAME = "Olena Kovalchuk"
ACCOUNT = "The shelling started at dawn; we hid in the school basement."


def test_a_documenter_walks_the_intake(browser: Any, instance: Instance) -> None:  # noqa: F811
    from playwright.sync_api import expect

    cases.create_case(instance, "Case A")
    accounts.create_user(instance, "dana", PASSWORD)
    accounts.grant_role(instance, "dana", "Case A", "documenter")
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "dana")

        # Step 1: who are you meeting? The person is checked against the registry, then recorded.
        page.goto("/cases/Case%20A")
        page.click("text=Start an intake")
        page.wait_for_url("**/cases/Case%20A/intake")
        page.fill("input[name=name]", NAME)
        page.fill("input[name=date_of_birth]", "1979")
        page.fill("input[name=pronouns]", "she/her")
        page.click("text=Check and record the person")
        page.wait_for_url(STEPS)
        steps = page.locator("main")
        expect(steps).to_contain_text("Step 2, safety: no risk assessment yet.")
        expect(steps).not_to_contain_text(NAME)
        expect(page.locator("#step-interview a")).to_have_count(0)

        # Step 2: safety.
        page.click("text=Assess the risks")
        page.fill("textarea[name=risks_person]", "neighbours may see us talk")
        page.fill("textarea[name=risks_family]", "none known")
        page.fill("textarea[name=risks_staff]", "none known")
        page.check("input[name=decision][value=proceed]")
        page.click("text=Save the safety assessment")
        page.wait_for_url(STEPS)
        expect(page.locator("#step-risk")).to_contain_text("Proceed")

        # Step 3: consent, in plain choices.
        page.click("text=Record consent")
        page.check("input[name=purpose][value=criminal-investigation]")
        page.check("input[name=recipient_class][value=national-prosecutor]")
        page.check("input[name=mode][value=oral]")
        page.fill("input[name=info_sheet_version]", "2026-1")
        page.check("input[name=understood]")
        page.click("text=Save this consent")
        page.wait_for_url(STEPS)
        expect(page.locator("#step-consent")).to_contain_text("National prosecutor")

        # Step 4: the account. A start in the future is refused in place, with what was typed kept.
        page.click("text=Take the account")
        page.select_option("select[name=intended_use]", "criminal-investigation")
        page.select_option("select[name=recipient_class]", "national-prosecutor")
        page.fill("textarea[name=why_needed]", "the only witness who is willing to speak")
        page.fill("input[name=started]", "2099-03-01T10:00")
        page.fill("input[name=place]", "partner office")
        page.fill("input[name=contact_via]", "a legal aid hotline")
        page.fill("textarea[name=account]", ACCOUNT)
        page.fill("input[name=fact_text] >> nth=0", "The school was hit twice.")
        page.select_option("select[name=fact_source] >> nth=0", "saw")
        page.check("input[name=promised][value=nothing]")
        page.click("text=Save their account")
        expect(page.locator("#intake-interview-form [role=alert]")).to_contain_text("future")
        assert page.input_value("textarea[name=account]") == ACCOUNT
        page.fill("input[name=started]", "2024-03-01T10:00")
        page.click("text=Save their account")
        page.wait_for_url(STEPS)
        expect(page.locator("#step-interview")).to_contain_text("2024-03-01 by dana")
        expect(page.locator("main")).not_to_contain_text(ACCOUNT)
        person_id = page.url.split("/")[-2]
        page.context.close()
    (taken,) = testimony.list_for_person(instance, person_id)
    assert taken.interviewer == "dana"
