"""The patterns page in a real browser (Debian's Chromium, driven by Playwright, against a real
server, with no network): the map draws its area shading, incidents, heat and clusters layers from
Testament's own assets; a click on a bar of the timeline (and Enter on a bar of the small multiples) narrows the
incident list under the figures; the list downloads as CSV; and nothing breaks the page's policy."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.patterns.conftest import SAMPLE, add, load_areas
from tests.web.test_browser import OPERATOR, PASSWORD, browser, signed_in
from tests.web.test_hygiene_browser import WATCH
from tests.web.test_patterns_pages import CLUSTERED, add_cluster

pytestmark = SQLITE_ONLY
__all__ = ["browser"]  # the fixture, shared with the other browser tests

PAGE = "/cases/Patterns/patterns"


def _bar(*parts: str) -> str:
    """An SVG link whose address holds every one of ``parts`` (SVG's ``xlink:href``, by local name)."""
    held = " and ".join(f'contains(@*[local-name()="href"], "{part}")' for part in parts)
    return f'xpath=//*[local-name()="a"][{held}]'


@pytest.fixture
def world(instance: Instance) -> dict[str, str]:
    load_areas(instance)
    cases.create_case(instance, "Patterns")
    found = {
        external: add(instance, "Patterns", external, day, place, types=types, targets=targets)
        for external, day, place, types, targets in SAMPLE
    }
    accounts.create_user(instance, "ana", PASSWORD)
    accounts.grant_role(instance, "ana", "Patterns", "viewer")
    return found


def test_a_click_on_a_figure_narrows_the_list(
    browser: Any,
    instance: Instance,
    world: dict[str, str],
    tmp_path: Path,
) -> None:
    from playwright.sync_api import expect

    add_cluster(instance)
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "ana")
        page.add_init_script(WATCH)
        page.goto(PAGE)

        # The map: areas shaded, every placed incident a marker, the heat layer's canvas and the one
        # cluster in place and time, whose popup links to the clusters analysis.
        drawn = page.locator("#patterns-map")
        expect(drawn).to_have_attribute("data-ready", "true")
        expect(drawn.locator(".leaflet-areas-pane path").first).to_be_visible()
        expect(drawn.locator("path.incident-marker")).to_have_count(len(SAMPLE) + CLUSTERED)
        expect(drawn.locator("canvas.leaflet-heatmap-layer")).to_have_count(1)
        expect(drawn).to_have_attribute("data-spacetime", "1")
        expect(drawn.locator("path.spacetime-cluster")).to_have_count(1)
        expect(drawn.locator(".leaflet-control-layers-overlays label")).to_have_count(4)
        drawn.locator("path.spacetime-cluster").dispatch_event("click")
        popup = drawn.locator(".leaflet-popup-content")
        expect(popup).to_contain_text(f"Incidents: {CLUSTERED}, 2022-05-01 – 2022-05-01")
        expect(popup.locator("a")).to_have_attribute(
            "href", "/cases/Patterns/analyses/clusters?level=1"
        )
        expect(page.locator("tr[data-incident]")).to_have_count(len(SAMPLE) + CLUSTERED)

        # The timeline: shelling in March 2022 is K1 and K2.
        timeline = page.frame_locator("#figure-timeline iframe")
        timeline.locator(_bar("month=2022-03", "type=shelling")).click()
        page.wait_for_url("**month=2022-03**")
        rows = page.locator("tr[data-incident]")
        expect(rows).to_have_count(2)
        assert sorted(rows.evaluate_all("rows => rows.map(r => r.dataset.incident)")) == sorted(
            [world["K1"], world["K2"]]
        )
        expect(page.locator(".selection")).to_contain_text("2022-03")

        # By keyboard: Enter on Kherson's April bar of the small multiples lists S1 alone.
        areas = page.frame_locator("#figure-areas iframe")
        areas.locator(_bar("month=2022-04")).first.focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**month=2022-04**")
        expect(page.locator("tr[data-incident]")).to_have_count(1)
        expect(page.locator(f'tr[data-incident="{world["S1"]}"]')).to_have_count(1)

        # The list downloads as CSV, narrowed as shown.
        with page.expect_download() as download:
            page.locator("#incidents a", has_text="CSV").click()
        saved = tmp_path / "incidents.csv"
        download.value.save_as(saved)
        listed = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8"))))
        assert [row["id"] for row in listed] == [world["S1"]]

        assert page.evaluate("window.__violations") == []
