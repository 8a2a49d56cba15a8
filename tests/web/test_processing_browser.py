"""Processing and capture in a real browser (Debian's Chromium, driven by Playwright) against a real server:
the gallery's blurred preview fetched and shown only on a click, the item's suggested location, and "Preserve a link"
followed until a worker has captured a page served on 127.0.0.1."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from testament.custody import ingest
from testament.custody.instance import Instance
from testament.pipeline import runner
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.pipeline.capture.site import Site, page
from tests.pipeline.capture.site import served as served_pages
from tests.web.test_browser import CHROMIUM, FLAGS, signed_in
from tests.web.test_processing_pages import CASE, OPERATOR, gps_jpeg, people

pytestmark = SQLITE_ONLY


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (`make deps` installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        launched.close()


def test_the_gallery_reveals_a_blurred_preview_and_the_item_suggests_a_place(
    browser: Any, instance: Instance, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    people(instance)
    folder = tmp_path / "photos"
    folder.mkdir()
    gps_jpeg(folder / "market.jpg")
    ingest.ingest(instance, [folder], case_name=CASE)
    runner.drain(instance)
    with served(create_server(instance, api_token=OPERATOR)) as base:
        tab = signed_in(browser, base, "dora")
        tab.goto(f"/cases/{CASE}/gallery")
        tab.fill("input[name=purpose]", "reviewing the case's photos")
        tab.get_by_role("button", name="Show previews").click()
        tab.wait_for_url(re.compile(r"/gallery\?offset=0&access=\d+"))
        figure = tab.locator("figure.graphic").first
        image = figure.locator("img")
        # Blurred: a veil, and nothing of the picture fetched until its viewer asks.
        expect(figure.locator(".veil")).to_be_visible()
        expect(image).to_be_hidden()
        assert image.get_attribute("src") is None
        figure.get_by_role("link", name=re.compile(r"^Show")).click()
        expect(figure).to_have_class(re.compile(r"\brevealed\b"))
        expect(image).to_be_visible()
        # The preview's bytes arrive after the element shows: wait for the image to have decoded.
        tab.wait_for_function(
            "e => e.complete && e.naturalWidth > 0", arg=image.element_handle(), timeout=30_000
        )
        expect(image).to_have_css("filter", "none")
        tab.get_by_role("link", name="market.jpg").click()
        tab.fill("input[name=purpose]", "checking where it was taken")
        tab.get_by_role("button", name="Open").click()
        expect(tab.locator(".suggested-location")).to_contain_text("50.450000, 30.520000")
        expect(
            tab.get_by_text("Suggested location (from the file's GPS; not verified)")
        ).to_be_visible()


@pytest.mark.slow  # a real capture by a worker: about 10 s
def test_preserve_a_link_is_followed_until_the_capture_is_complete(
    browser: Any, instance: Instance
) -> None:
    from playwright.sync_api import expect

    people(instance)
    allowing = replace(
        instance,
        settings=replace(instance.settings, capture_allow_private=True, capture_timeout_s=10),
    )
    report = Site(
        files={"/page": ("text/html; charset=utf-8", page("Shelling report", "<p>Kharkiv</p>"))}
    )
    worker = runner.Worker(allowing)
    with served_pages(report) as local, served(create_server(allowing, api_token=OPERATOR)) as base:
        worker.start()
        try:
            tab = signed_in(browser, base, "dora")
            tab.get_by_role("link", name="Preserve a link").click()
            tab.get_by_label("Address (URL)").fill(f"{local.base}/redirect/2")
            tab.get_by_label("Case").select_option(CASE)
            tab.locator("#capture").get_by_role("button", name="Preserve").click()
            state = tab.locator("#capture-state")
            expect(state).to_have_attribute("data-state", "done", timeout=60_000)
            expect(state).to_contain_text("Complete")
            expect(state).to_contain_text(f"{local.base}/page")  # the final address
            expect(state.locator("ol li")).to_have_count(2)  # the redirect chain
            expect(state.locator("ol")).to_contain_text(f"{local.base}/redirect/1")
            state.get_by_role("link", name="Open the capture's item").click()
            expect(tab.get_by_role("heading", name="State your purpose")).to_be_visible()
        finally:
            worker.stop()
