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
from testament.documentation import evidence, incidents
from testament.packages import verifier
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.packages.conftest import make_package
from tests.packages.test_import import partner  # noqa: F401 - the partner's home, a fixture
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
        expect(alla.locator("main")).to_have_count(1)  # the page's main replaced, not nested
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


def test_a_partners_package_is_imported_from_the_browser(
    browser: Any,  # noqa: F811 - the fixture imported above
    instance: Instance,
    partner: dict[str, Any],  # noqa: F811 - the fixture imported above
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    cases.create_case(instance, "Received")
    accounts.create_user(instance, "dora", PASSWORD)
    accounts.grant_role(instance, "dora", "Received", "documenter")
    package = make_package(partner["instance"], tmp_path / "package.zip", zipped=True)
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        dora = signed_in(browser, base, "dora")
        dora.goto("/sharing")
        dora.click("text=Import a partner's package")
        dora.set_input_files("input[name=package]", str(package))
        dora.fill("input[name=case]", "Received")
        dora.fill("textarea[name=key]", partner["key"])
        dora.click("main form button[type=submit]")
        expect(dora.locator("main")).to_contain_text("Items imported: 3")
    assert len(evidence.list_for_case(instance, "Received")) == 3
