"""Browser hygiene in a real browser (Debian's Chromium, driven by Playwright, against a real server): no
page breaks its own Content-Security-Policy, and the API's docs draw with no network."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pyotp

from testament.accounts import accounts
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.documentation import incidents
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

# Collects every CSP violation a page reports, from the page's own event (the console says it too).
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI + " " + event.sourceFile);
});
"""


def _world(instance: Instance, tmp_path: Path) -> dict[str, str]:
    cases.create_case(instance, "Case A")
    incident = incidents.create(
        instance,
        "Case A",
        incidents.IncidentInput(title="Shelling of a school", date="2022-03-01",
                                latitude=50.45, longitude=30.52),
    )  # fmt: skip
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "note.txt").write_bytes(os.urandom(100))
    item = ingest.ingest(instance, [folder], case_name="Case A").results[0].item_id
    accounts.create_user(instance, "anna", PASSWORD, admin=True)
    return {"incident": incident, "item": item}


def test_the_main_pages_break_no_content_security_policy(
    browser: Any,  # noqa: F811
    instance: Instance,
    tmp_path: Path,
) -> None:
    ids = _world(instance, tmp_path)
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "anna")
        page.add_init_script(WATCH)
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        for path in (
            "/dashboard",
            "/cases/Case A",
            "/cases/Case A/map",
            "/cases/Case A/evidence",
            "/cases/Case A/upload",
            f"/incidents/{ids['incident']}",
            f"/evidence/{ids['item']}",
            "/search?q=school",
            "/settings",
            "/admin",
            "/services",
            "/no/such/page",
            "/api/docs",
        ):
            page.goto(path)
            page.wait_for_load_state("networkidle")
            violations = page.evaluate("window.__violations")
            assert violations == [], (path, violations)
        assert not [line for line in console if "Content Security Policy" in line], console


def test_the_administrator_sets_up_two_factor_sign_in_in_the_browser(
    browser: Any,  # noqa: F811
    instance: Instance,
) -> None:
    accounts.create_user(instance, "anna", PASSWORD, admin=True)
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "anna")
        page.add_init_script(WATCH)
        page.goto("/settings")
        page.fill("#second-factor input[name=password]", PASSWORD)
        page.click("text=Set up two-factor sign-in")
        qr = page.locator("figure.qr svg")
        qr.wait_for()
        assert qr.bounding_box()["width"] >= 100  # drawn, from Testament alone
        secret = page.inner_text("code.secret")
        page.fill("input[name=code]", pyotp.TOTP(secret).now())
        page.click("text=Turn on two-factor sign-in")
        codes = page.locator("ol.recovery-codes code")
        codes.first.wait_for()
        assert codes.count() == 10
        recovery = codes.nth(3).inner_text()
        assert page.evaluate("window.__violations") == []
        page.click("text=I have saved them")
        assert "Recovery codes left: 10." in page.inner_text("#second-factor")

        # Signing in again asks for a code; a recovery code serves instead, once.
        page.click("text=Sign out")
        page.fill("input[name=username]", "anna")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        assert "recovery codes" in page.inner_text("[role=alert]")
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=totp]", recovery)
        page.click("button[type=submit]")
        page.wait_for_url("**/dashboard")


def test_the_api_docs_draw_from_testament_alone(browser: Any, instance: Instance) -> None:  # noqa: F811
    accounts.create_user(instance, "anna", PASSWORD, admin=True)
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "anna")
        page.add_init_script(WATCH)
        asked: list[str] = []
        page.on("request", lambda request: asked.append(request.url))
        page.goto("/api/docs")
        page.locator(".swagger-ui .opblock").first.wait_for()
        # Swagger UI draws only the operations in view (a virtual list), so ask it what it loaded.
        assert page.evaluate("window.ui.specSelectors.operations().size") > 50
        assert "Testament" in page.inner_text(".swagger-ui .info")
        assert page.evaluate("window.__violations") == []
        assert asked and all(url.startswith(base + "/") for url in asked), asked


def test_a_form_refused_with_an_error_page_shows_it(
    browser: Any,  # noqa: F811
    instance: Instance,
) -> None:
    """htmx leaves the page as it was on an error status: a form refused with an error page (here
    403, as when the page's CSRF token no longer holds; 413 for a form too large) must show it."""
    cases.create_case(instance, "Case A")
    accounts.create_user(instance, "anna", PASSWORD, admin=True)
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "anna")
        page.goto("/cases/Case A/incidents/new")
        page.fill("input[name=title]", "Shelling of a school")
        page.evaluate("document.body.dataset.csrf = 'stale'")
        page.click("#incident-form button[type=submit]")
        page.locator("main h1", has_text="Not allowed").wait_for()
        assert "CSRF token" in page.inner_text("main")
        assert incidents.list_for_case(instance, "Case A") == []
