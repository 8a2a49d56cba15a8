"""End to end in a real browser: Debian's Chromium, driven by Playwright, against a real server.

Covers sign-in with TOTP, the dashboard, creating a case, a case's list with its sensitivity labels, the map drawing
markers with no network, search, an evidence item's custody timeline with its proof checked by
`testament log verify-proof`, a permission denial, and the language switch.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest

from testament.accounts import accounts, credentials
from testament.custody import cases, ingest
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import gazetteer, incidents
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.http_server import served

pytestmark = SQLITE_ONLY

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
OPERATOR = "operator-token-for-tests"
AREAS = Path(__file__).resolve().parents[2] / "demo" / "ukraine-adm1.geojson"
MARKER = (
    Path(__file__).resolve().parents[2]
    / "src/testament/web/static/vendor/leaflet-1.9.4/images/marker-icon.png"
)
AN_INCIDENT = re.compile(r"/incidents/[0-9a-f-]{36}(\?.*)?$")
# Flags for a machine with no network: no background connections, no first-run work.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (`make deps` installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    gazetteer.load(instance, AREAS, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")
    ids: dict[str, Any] = {}
    for name, where in (("Case A", (50.45, 30.52)), ("Case B", (49.99, 36.23))):
        cases.create_case(instance, name)
        ids[name] = incidents.create(
            instance,
            name,
            incidents.IncidentInput(
                title=f"Shelling of school No. 5 ({name})",
                date="2022-03-01",
                latitude=where[0],
                longitude=where[1],
                sensitivity=["graphic"] if name == "Case A" else [],
            ),
        )
        folder = tmp_path / name.replace(" ", "")
        folder.mkdir()
        (folder / "photo.jpg").write_bytes(os.urandom(3000))
        ids[f"item {name}"] = ingest.ingest(instance, [folder], case_name=name).results[0].item_id
    photos = tmp_path / "photos"
    photos.mkdir()
    shutil.copy(MARKER, photos / "strike.png")
    ids["photo"] = ingest.ingest(instance, [photos], case_name="Case A").results[0].item_id
    accounts.create_user(instance, "anna", PASSWORD)
    accounts.grant_role(instance, "anna", "Case A", "coordinator")
    ids["totp"] = credentials.enrol_totp(instance, "anna").secret
    return ids


def signed_in(browser: Any, base: str, username: str, language: str | None = None) -> Any:
    """A page of a fresh browser context, signed in as ``username`` (no second factor) on the dashboard;
    with a ``language``, chosen first through the site's own switch (``/lang/{code}``)."""
    page = browser.new_context(base_url=base).new_page()
    page.set_default_timeout(15_000)
    if language is not None:
        page.goto(f"/lang/{language}")
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/dashboard")
    return page


def test_a_documenter_works_through_the_site(
    browser: Any, instance: Instance, world: dict[str, Any], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        context = browser.new_context(base_url=base, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15_000)

        # Sign in: the password alone is not enough, the code is.
        page.goto("/dashboard")
        assert page.url.endswith("/login?next=/dashboard")
        page.fill("input[name=username]", "anna")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        assert "authenticator" in page.inner_text("[role=alert]")
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=totp]", pyotp.TOTP(world["totp"]).now())
        page.click("button[type=submit]")
        page.wait_for_url("**/dashboard")
        assert "Case A" in page.inner_text("main") and "Case B" not in page.inner_text("main")

        # A coordinator creates a case from the dashboard, and coordinates it.
        page.fill("input[name=name]", "Case Zaporizhzhia")
        page.click("text=Create case")
        page.wait_for_url("**/cases/Case%20Zaporizhzhia")
        assert "No incidents here yet" in page.inner_text("main")
        page.goto("/dashboard")
        assert "Case Zaporizhzhia" in page.inner_text("main")

        # The case's incidents, with their sensitivity labels.
        page.click("text=Case A")
        page.wait_for_url("**/cases/Case%20A")
        assert page.inner_text("span.label-graphic") == "Graphic content"

        # The map draws the incident over Testament's own boundaries, with no tile server.
        page.goto("/cases/Case%20A/map")
        page.wait_for_selector("#map[data-markers='1']")
        page.wait_for_selector("path.incident-marker")
        assert page.locator("path.incident-marker").count() == 1
        expect(page.locator(".leaflet-areas-pane path")).to_have_count(27)
        page.click("path.incident-marker")  # its popup links to the incident
        assert (
            page.get_attribute(".leaflet-popup-content a", "href")
            == f"/incidents/{world['Case A']}"
        )

        # Search, in Ukrainian transliteration of nothing in particular: the title's words.
        page.goto("/search")
        page.fill("input[name=q]", "school")
        page.click("main button[type=submit]")
        hits = page.inner_text("ol.hits")
        assert "Case A" in hits and "Case B" not in hits

        # An evidence item: the purpose, then the custody timeline and the proof.
        item = world["item Case A"]
        page.goto(f"/evidence/{item}")
        page.fill("input[name=purpose]", "check geolocation")
        page.click("main button[type=submit]")
        timeline = page.inner_text("table.timeline")
        assert "ingestion" in timeline.lower() and "check geolocation" in timeline
        with page.expect_download() as proof_download:
            page.click("text=Proof of inclusion (.tlog-proof)")
        proof = tmp_path / "item.tlog-proof"
        proof_download.value.save_as(proof)
        entry = tmp_path / "entry.json"
        entry.write_bytes(page.request.get(f"/api/evidence/{item}/proof/entry").body())
        key = page.request.get("/api/log/key").text().strip()
        checked = subprocess.run(
            [sys.executable, "-m", "testament.cli.main", "log", "verify-proof", str(proof),
             "--entry", str(entry), "--key", key],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert checked.returncode == 0, checked.stderr

        # A picture that may be graphic is not even fetched until its viewer asks to see it.
        page.goto(f"/evidence/{world['photo']}")
        page.fill("input[name=purpose]", "review")
        page.click("main button[type=submit]")
        picture = page.locator("figure.preview img")
        expect(picture).to_be_hidden()
        assert picture.get_attribute("src") is None and picture.get_attribute("data-src")
        page.click("figure.preview a.show-graphic")
        expect(picture).to_be_visible()
        assert picture.evaluate("element => element.complete && element.naturalWidth > 0")

        # Upload two files at once; each is streamed, hashed and recorded, and becomes a link to its
        # item. A right-to-left override in a name is shown, never obeyed.
        first, second = tmp_path / "drone-1.jpg", tmp_path / "свідчення\u202etxt.exe"
        first.write_bytes(os.urandom(2_000_000))
        second.write_bytes("Записано 2022-03-02".encode())
        page.goto("/cases/Case%20A/upload")
        page.set_input_files("input[type=file]", [str(first), str(second)])
        expect(page.locator("table.uploads tr[data-item] a[href^='/evidence/']")).to_have_count(2)
        uploaded = page.inner_text("table.uploads")
        assert "drone-1.jpg" in uploaded and "свідчення[U+202E]txt.exe" in uploaded
        assert "\u202e" not in uploaded
        assert instance.blobs.exists(hashlib.sha256(first.read_bytes()).hexdigest())

        # A new incident through the form; a wrong latitude is refused in place, then corrected.
        page.goto("/cases/Case%20A")
        page.click("text=New incident")
        page.fill("input[name=title]", "Strike on a water pumping station")
        page.fill("input[name=date]", "2022-04-02")
        page.fill("input[name=latitude]", "95")
        page.fill("input[name=longitude]", "31.7")
        page.select_option("select[name=types]", ["attack-on-civilians"])
        page.click("text=Create incident")
        expect(page.locator("#incident-form [role=alert]")).to_contain_text("latitude 95.0")
        assert page.input_value("input[name=title]") == "Strike on a water pumping station"
        page.fill("input[name=latitude]", "47.1")
        page.click("text=Create incident")
        page.wait_for_url(AN_INCIDENT)
        assert page.inner_text("h1") == "Strike on a water pumping station"
        # Edit it, then link the uploaded drone photo to it.
        page.click("main >> text=Edit")
        page.select_option("select[name=status]", "verified")
        page.click("text=Save changes")
        page.wait_for_url(AN_INCIDENT)
        expect(page.locator("dl.facts").first).to_contain_text("Verified")
        drone = page.locator("select[name=item_id] option", has_text="drone-1.jpg")
        page.select_option("select[name=item_id]", drone.get_attribute("value"))
        page.fill("input[name=relevance]", "shows the pumping station after the strike")
        page.click("text=Link evidence")
        expect(page.locator("main")).to_contain_text("shows the pumping station after the strike")

        # Another case's incident does not exist for this user.
        response = page.goto(f"/incidents/{world['Case B']}")
        assert response is not None and response.status == 404
        assert "Not found" in page.inner_text("h1")

        # The language switch.
        page.goto("/dashboard")
        page.click("a[lang=uk]")
        page.wait_for_url("**/dashboard")
        assert page.inner_text("h1") == "Панель"
        context.close()


def test_the_map_clusters_thousands_of_incidents_and_splits_them_on_zoom(
    browser: Any, instance: Instance
) -> None:
    from playwright.sync_api import expect

    cases.create_case(instance, "Case Big")
    pick = random.Random(3)
    with recording(instance) as conn:
        cid = cases.case_id(conn, "Case Big")
        rows = [
            incidents.prepare(conn, cid, incidents.IncidentInput(
                title=f"Strike {n}", date="2022-05",
                latitude=pick.uniform(45.0, 52.0), longitude=pick.uniform(23.0, 40.0),
            ))
            for n in range(2500)
        ]  # fmt: skip
        incidents.write_new(conn, rows, agent_id=acting_agent(conn))
    accounts.create_user(instance, "bo", PASSWORD)
    accounts.grant_role(instance, "bo", "Case Big", "viewer")
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "bo")
        page.goto("/cases/Case%20Big/map")
        page.wait_for_selector("#map[data-clustered='true']")
        assert page.get_attribute("#map", "data-markers") == "2500"
        clusters = page.locator(".incident-cluster")
        expect(clusters.first).to_be_visible()
        counts = [int(text) for text in clusters.all_inner_texts()]
        assert sum(counts) == 2500 and len(counts) < 2500
        # Zooming into a cluster asks only for what is on screen: fewer incidents, drawn as points.
        for _ in range(6):
            if page.get_attribute("#map", "data-clustered") == "false":
                break
            clusters.first.click()
            page.wait_for_timeout(600)
        expect(page.locator("#map")).to_have_attribute("data-clustered", "false")
        shown = int(page.get_attribute("#map", "data-markers") or "0")
        assert 0 < shown <= 2000
        expect(page.locator("path.incident-marker")).to_have_count(shown)
        page.context.close()
