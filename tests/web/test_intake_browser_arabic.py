"""The guided intake in Arabic, right to left, in a real browser (Chromium, driven by Playwright).

The documenter chooses العربية with the site's own switch and walks the same steps as in
``test_intake_browser.py``: the page is ``<html lang="ar" dir="rtl">``, its layout mirrors (the brand
on the right, the language switch on the left), every label the test clicks is the Arabic one from the
catalogue, and a person recorded under an Arabic name is found again when a second intake gives the
same name, the name kept, right to left, in the form that says so.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.server import create_server
from testament.survivors import testimony
from testament.web import i18n
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
NAME = "محمد عبد الله الأحمد"
ACCOUNT = "بدأ القصف عند الفجر؛ اختبأنا في قبو المدرسة."
CASE = "حلب 2016"
ARABIC = re.compile("[\u0600-\u06ff]")


def _ar(message: str) -> str:
    """The Arabic words of a message, checked to be Arabic: the test clicks only what a reader sees."""
    words = i18n.catalogue("ar").gettext(message)
    assert ARABIC.search(words), f"{message!r} is not translated into Arabic"
    return words


def _mirrors(page: Any) -> None:
    from playwright.sync_api import expect

    expect(page.locator("html")).to_have_attribute("lang", "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    brand = page.locator("header.top .brand").bounding_box()
    switch = page.locator("header.top .langs").bounding_box()
    assert brand is not None and switch is not None
    assert brand["x"] > switch["x"], (
        "right to left: the brand is on the right, the switch on the left"
    )


def _person_and_safety(page: Any, case_path: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"/cases/{case_path}")
    _mirrors(page)
    page.click(f"text={_ar('Start an intake')}")
    page.wait_for_url(re.compile(r"/cases/[^/]+/intake$"))
    expect(page.locator("h1")).to_contain_text(_ar("Who are you meeting?"))
    page.fill("input[name=name]", NAME)
    page.fill("input[name=date_of_birth]", "1979")
    page.click(f"text={_ar('Check and record the person')}")
    page.wait_for_url(STEPS)
    _mirrors(page)
    expect(page.locator("main")).to_contain_text(_ar("Step 2, safety: no risk assessment yet."))
    expect(page.locator("main")).not_to_contain_text(NAME)  # sealed: only its label is shown

    page.click(f"text={_ar('Assess the risks')}")
    page.fill("textarea[name=risks_person]", "قد يرانا الجيران ونحن نتحدث")
    page.fill("textarea[name=risks_family]", "لا شيء معروف")
    page.fill("textarea[name=risks_staff]", "لا شيء معروف")
    page.check("input[name=decision][value=proceed]")
    page.click(f"text={_ar('Save the safety assessment')}")
    page.wait_for_url(STEPS)
    expect(page.locator("#step-risk")).to_contain_text("المضي قُدُمًا")  # the vocabulary's ar label


def _consent_and_account(page: Any) -> None:
    from playwright.sync_api import expect

    page.click(f"text={_ar('Record consent')}")
    assert page.input_value("input[name=language]") == "ar", "the conversation is offered in Arabic"
    page.check("input[name=purpose][value=criminal-investigation]")
    page.check("input[name=recipient_class][value=national-prosecutor]")
    page.check("input[name=mode][value=oral]")
    page.fill("input[name=info_sheet_version]", "2026-1")
    page.check("input[name=understood]")
    page.click(f"text={_ar('Save this consent')}")
    page.wait_for_url(STEPS)
    expect(page.locator("#step-consent")).to_contain_text("المدعي العام الوطني")

    page.click(f"text={_ar('Take the account')}")
    assert page.input_value("input[name=language]") == "ar"
    page.select_option("select[name=intended_use]", "criminal-investigation")
    page.select_option("select[name=recipient_class]", "national-prosecutor")
    page.fill("textarea[name=why_needed]", "الشاهد الوحيد المستعد للكلام")
    page.fill("input[name=started]", "2024-03-01T10:00")
    page.fill("input[name=place]", "مكتب الشريك")
    page.fill("input[name=contact_via]", "خط المساعدة القانونية")
    page.fill("textarea[name=account]", ACCOUNT)
    direction = page.eval_on_selector(
        "textarea[name=account]", "e => getComputedStyle(e).direction"
    )
    assert direction == "rtl", "an Arabic account is typed right to left (dir=auto)"
    page.fill("input[name=fact_text] >> nth=0", "أصيبت المدرسة مرتين.")
    page.select_option("select[name=fact_source] >> nth=0", "saw")
    page.check("input[name=promised][value=nothing]")
    page.click(f"text={_ar('Save their account')}")
    page.wait_for_url(STEPS)
    # The date and the interviewer's Latin name keep their order inside the Arabic sentence.
    expect(page.locator("#step-interview")).to_contain_text("2024-03-01")
    expect(page.locator("#step-interview")).to_contain_text("dana")
    expect(page.locator("main")).not_to_contain_text(ACCOUNT)


def test_a_documenter_walks_the_intake_in_arabic(browser: Any, instance: Instance) -> None:  # noqa: F811
    from playwright.sync_api import expect

    cases.create_case(instance, CASE)
    accounts.create_user(instance, "dana", PASSWORD)
    accounts.grant_role(instance, "dana", CASE, "documenter")
    site = create_server(instance, api_token=OPERATOR)
    case_path = quote(CASE)
    with served(site) as base:
        page = signed_in(browser, base, "dana", language="ar")
        _person_and_safety(page, case_path)
        _consent_and_account(page)
        person_id = page.url.split("/")[-2]

        # A second intake under the same Arabic name is stopped: the registry finds the person, and
        # the form keeps the name as typed, shown right to left.
        page.goto(f"/cases/{case_path}/intake")
        page.fill("input[name=name]", NAME)
        page.click(f"text={_ar('Check and record the person')}")
        expect(page.locator("#intake-person-form [role=alert]")).to_contain_text(
            _ar("Someone like this person is already recorded.")
        )
        assert page.input_value("input[name=name]") == NAME
        shown = page.eval_on_selector("input[name=name]", "e => getComputedStyle(e).direction")
        assert shown == "rtl"
        page.context.close()
    (taken,) = testimony.list_for_person(instance, person_id)
    assert taken.interviewer == "dana"
