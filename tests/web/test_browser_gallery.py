"""The gallery and an item's page in a real browser (Debian's Chromium, driven by Playwright), by keyboard
alone, in English and Ukrainian: state why, reveal a blurred thumbnail (fetched only then), open the item
and see where it is used (an incident and a legal element); axe-core finds nothing serious on either
page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from testament.custody import ingest
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents, legal
from testament.pipeline import runner
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.web.a11y import assert_accessible, tab_to
from tests.web.conftest import OPERATOR
from tests.web.test_browser import CHROMIUM, FLAGS, signed_in
from tests.web.test_processing_pages import CASE, people

pytestmark = SQLITE_ONLY
WORDS = {
    "en": {"uses": "Where it is used", "supports": "supports it", "crime": "Murder"},
    "uk": {"uses": "Де використано", "supports": "підтверджує його", "crime": "Вбивство"},
}


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
def photo(instance: Instance, tmp_path: Path) -> str:
    """A photo of Kharkiv, thumbnailed, linked to a strike and supporting an element of murder."""
    people(instance)
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.new("RGB", (320, 200), (180, 40, 40)).save(folder / "market.jpg", "JPEG")
    item = str(ingest.ingest(instance, [folder], case_name=CASE).results[0].item_id)
    runner.drain(instance)
    strike = incidents.create(instance, CASE, incidents.IncidentInput(title="Market strike"))
    evidence.link(instance, item, strike, "the crater beside the stalls")
    legal.qualify(instance, strike, "CAH-MURDER")
    legal.link_element(instance, item, strike, "CAH-MURDER", "E1", stance="supports")
    return item


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_the_gallery_and_the_item_page_by_keyboard(
    browser: Any, instance: Instance, photo: str, lang: str
) -> None:
    from playwright.sync_api import expect

    words = WORDS[lang]
    with served(create_server(instance, api_token=OPERATOR)) as base:
        tab = signed_in(browser, base, "vera", lang)
        tab.goto(f"/cases/{CASE}/gallery")
        expect(tab.locator("html")).to_have_attribute("lang", lang)
        assert_accessible(tab)
        tab_to(tab, "input[name=purpose]")
        tab.keyboard.type("reviewing the case's photos")
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(r"/gallery\?offset=0&access=\d+"))
        figure = tab.locator("figure.graphic").first
        image = figure.locator("img")
        expect(figure.locator(".veil")).to_be_visible()
        expect(image).to_be_hidden()
        assert image.get_attribute("src") is None  # nothing of the picture fetched yet
        assert_accessible(tab)
        tab_to(tab, "a.show-graphic")
        tab.keyboard.press("Enter")
        expect(figure).to_have_class(re.compile(r"\brevealed\b"))
        expect(image).to_be_visible()
        tab.wait_for_function(
            "e => e.complete && e.naturalWidth > 0", arg=image.element_handle(), timeout=30_000
        )
        expect(figure).to_be_focused()  # the keyboard stays where it was
        tab.keyboard.press("Tab")
        expect(tab.locator(f'a[href="/evidence/{photo}"]')).to_be_focused()
        tab.keyboard.press("Enter")
        tab.wait_for_url(f"**/evidence/{photo}")
        tab_to(tab, "input[name=purpose]")
        tab.keyboard.type("checking where it is used")
        tab.keyboard.press("Enter")
        tab.wait_for_url(re.compile(rf"/evidence/{photo}\?access=\d+"))
        uses = tab.locator("section.uses")
        expect(uses.get_by_role("heading", name=words["uses"])).to_be_visible()
        expect(uses.get_by_role("link", name="Market strike").first).to_be_visible()
        expect(uses.locator("table.uses-elements")).to_contain_text(words["supports"])
        expect(uses.locator("table.uses-elements")).to_contain_text(words["crime"])
        expect(uses.locator("table.uses-elements")).to_contain_text("E1")
        assert_accessible(tab)
