"""Bulk work in a real browser (Debian's Chromium, driven by Playwright), in English and in Ukrainian:
a coordinator selects all 50 items of a page with the keyboard, sees the count, confirms and assigns
them to a documenter in one step; a CSV update with one bad row shows the diff and the error and
writes nothing until it is confirmed (the database is checked after the preview). axe-core finds no
serious violation on the list, the confirmation, the summary and the update pages.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from testament.accounts import accounts
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.review import reading
from testament.server import create_server
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.web.a11y import assert_accessible, tab_to
from tests.web.test_browser import (  # noqa: F401 - the browser fixture
    OPERATOR,
    PASSWORD,
    browser,
    signed_in,
)

pytestmark = SQLITE_ONLY

CASE = "Case A"
ITEMS = 50
WORDS = {
    "en": {"count": f"{ITEMS} evidence items", "done": f"{ITEMS} records changed.",
           "diff": "What would change", "errors": "Rows in error", "updated": "1 incident updated"},
    "uk": {"count": f"{ITEMS} доказів", "done": f"Змінено {ITEMS} записів.",
           "diff": "Що зміниться", "errors": "Рядки з помилками", "updated": "Оновлено 1 подію"},
}  # fmt: skip


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    cases.create_case(instance, CASE)
    for name, role in (("dora", "coordinator"), ("rita", "documenter")):
        accounts.create_user(instance, name, PASSWORD)
        accounts.grant_role(instance, name, CASE, role)
    folder = tmp_path / "photos"
    folder.mkdir()
    for number in range(ITEMS):
        (folder / f"street-{number:02d}.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(800))
    report = ingest.ingest(instance, [folder], case_name=CASE)
    items = [str(r.item_id) for r in report.results if r.item_id]
    assert len(items) == ITEMS
    made = [
        incidents.create(instance, CASE, incidents.IncidentInput(title=title, date="2022-03-01"))
        for title in ("Strike on the market", "Shelling of the school")
    ]
    return {"items": items, "incidents": made}


def _events(instance: Instance) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(custody_event)).scalar_one())


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_bulk_assign_fifty_items_with_the_keyboard(
    browser: Any,  # noqa: F811
    instance: Instance,
    world: dict[str, Any],
    lang: str,
) -> None:
    from playwright.sync_api import expect

    words = WORDS[lang]
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "dora", lang)
        page.goto(f"/cases/{CASE}/evidence")
        expect(page.locator('input[name="target"]')).to_have_count(ITEMS)
        assert_accessible(page)
        tab_to(page, "form[data-bulk] input[data-bulk-all]")
        page.keyboard.press("Space")
        expect(page.locator("[data-bulk-count]")).to_have_text(str(ITEMS))
        expect(page.locator('input[name="target"]:checked')).to_have_count(ITEMS)
        tab_to(page, "form[data-bulk] select[name=action]")
        page.locator("form[data-bulk] select[name=action]").select_option("assign")
        tab_to(page, "form[data-bulk] button[type=submit]")
        page.keyboard.press("Enter")
        expect(page.locator(".bulk-summary")).to_contain_text(words["count"])
        assert_accessible(page)
        before = _events(instance)
        assert reading.review(instance, "item", world["items"][0]).assignee is None
        tab_to(page, "input[name=assignee]")
        page.keyboard.type("rita")
        page.keyboard.press("Enter")
        expect(page.locator(".bulk-result")).to_contain_text(words["done"])
        assert_accessible(page)
        assert _events(instance) - before >= ITEMS  # a custody event per item assigned
        assigned = {reading.review(instance, "item", i).assignee for i in world["items"]}
        assert assigned == {"rita"}


@pytest.mark.parametrize("lang", ["en", "uk"])
def test_a_csv_update_with_one_bad_row_writes_nothing_until_confirmed(
    browser: Any,  # noqa: F811
    instance: Instance,
    world: dict[str, Any],
    tmp_path: Path,
    lang: str,
) -> None:
    from playwright.sync_api import expect

    words = WORDS[lang]
    first, second = world["incidents"]
    update = tmp_path / "corrections.csv"
    update.write_text(
        f"id,title,date\n{first},Strike on the central market,\n{second},,2022-02-30\n"
    )
    site = create_server(instance, api_token=OPERATOR)
    with served(site) as base:
        page = signed_in(browser, base, "dora", lang)
        page.goto(f"/cases/{CASE}/update")
        assert_accessible(page)
        page.set_input_files("input[name=file]", str(update))
        tab_to(page, "form.update-upload button[type=submit]")
        before = _events(instance)
        page.keyboard.press("Enter")
        diff = page.locator("table.update-diff")
        expect(diff).to_contain_text("Strike on the central market")
        expect(diff).to_contain_text("Strike on the market")
        expect(page.locator("main")).to_contain_text(words["diff"])
        errors = page.locator("table.update-errors")
        expect(errors).to_contain_text("2022-02-30")
        expect(errors.locator("tbody tr")).to_have_count(1)
        expect(errors.locator("tbody tr td").first).to_have_text("3")
        expect(page.locator("main")).to_contain_text(words["errors"])
        assert_accessible(page)
        # The preview wrote nothing: no event, and the incidents as they were.
        assert _events(instance) == before
        assert incidents.show(instance, first).title == "Strike on the market"
        tab_to(page, "input[name=only_valid]")
        page.keyboard.press("Space")
        tab_to(page, "form.update-confirm button[type=submit]")
        page.keyboard.press("Enter")
        expect(page.locator(".update-result")).to_contain_text(words["updated"])
        assert_accessible(page)
        assert _events(instance) > before
        assert incidents.show(instance, first).version == 2
        assert incidents.show(instance, first).title == "Strike on the central market"
        assert incidents.show(instance, second).version == 1
        # A tag added from the incident's page with the keyboard, and the case's tags page.
        page.goto(f"/incidents/{first}")
        tab_to(page, "section.tags input[name=tag]")
        page.keyboard.type("Market")
        page.keyboard.press("Enter")
        expect(page.locator("section.tags a.tag")).to_have_text("Market")
        assert_accessible(page, within="section.tags")
        page.locator("section.tags a.tag").click()
        expect(page.locator("main ul").first).to_contain_text("Strike on the central market")
        assert_accessible(page)
