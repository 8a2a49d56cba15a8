"""Sharing with investigators in a real browser: Debian's Chromium, driven by Playwright, against a real
server. An analyst chooses and previews, asks; a coordinator approves; the package is made while the
page shows its progress; the analyst downloads it and the recipient's verifier accepts it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from testament.accounts import accounts
from testament.custody import cases, custody_log, ingest
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.packages import verifier
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.web.test_browser import (  # noqa: F401 - the browser fixture
    OPERATOR,
    PASSWORD,
    browser,
    signed_in,
)

pytestmark = SQLITE_ONLY


def test_a_package_is_shared_from_the_browser(
    browser: Any,  # noqa: F811 - the fixture imported above
    instance: Instance,
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    cases.create_case(instance, "Case A")
    for username, role in (("alla", "analyst"), ("cora", "coordinator")):
        accounts.create_user(instance, username, PASSWORD)
        accounts.grant_role(instance, username, "Case A", role)
    photo = tmp_path / "silo.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(20_000))
    ingest.ingest(instance, [photo], case_name="Case A")
    incidents.create(instance, "Case A", incidents.IncidentInput(title="Strike on a grain silo"))
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        alla = signed_in(browser, base, "alla")
        alla.goto("/cases/Case%20A")
        alla.click("text=Share with investigators")
        alla.select_option("select[name=recipient_class]", "icc-otp")
        alla.fill("input[name=recipient]", "ICC OTP")
        alla.select_option("select[name=purpose]", "criminal-investigation")
        alla.click("button[value=preview]")
        expect(alla.locator("section.preview")).to_contain_text("silo.jpg")
        alla.click("button[value=ask]")
        alla.wait_for_url("**/sharing")
        expect(alla.locator("table.sharing")).to_contain_text("waiting for approval")

        cora = signed_in(browser, base, "cora")
        cora.goto("/sharing")
        cora.click("button[value=approve]")
        expect(cora.locator("table.sharing")).to_contain_text("ready", timeout=30_000)

        alla.goto("/sharing")
        with alla.expect_download() as waiting:
            alla.click("a[href$='/download']")
        saved = tmp_path / "package.zip"
        waiting.value.save_as(saved)
    checked = verifier.verify(saved, custody_log.verifier_key(instance))
    assert checked.verdict == "valid", verifier.render(checked)
