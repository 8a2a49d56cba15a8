"""A web capture replayed inside Testament: a page served on 127.0.0.1 is captured by the capture engine,
then replayed by the vendored ReplayWeb.page in Debian's Chromium (driven by Playwright), with no network
beyond the test's own server. The WACZ route is also checked without a browser: who may read it, and
its answers to ``Range`` requests."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts
from testament.custody import ingest
from testament.custody.instance import Instance
from testament.pipeline import captures, runner
from testament.pipeline.results import CaptureView
from testament.server import create_server
from testament.web.replay import byte_range
from tests.conftest import SQLITE_ONLY
from tests.http_server import served
from tests.pipeline.capture.site import Site, page
from tests.pipeline.capture.site import served as served_pages
from tests.web.conftest import OPERATOR, PASSWORD, open_with_purpose, signed_in
from tests.web.test_browser import CHROMIUM, FLAGS
from tests.web.test_browser import signed_in as browser_signed_in
from tests.web.test_processing_pages import CASE, make_recording, people

VENDOR = Path(__file__).resolve().parents[2] / "src/testament/web/static/vendor/replaywebpage-2.5.3"
WORDS = "Shelling of the Saltivka market, 06:40"


def captured(instance: Instance) -> tuple[Instance, CaptureView]:
    """A capture of a small local page that says WORDS, stored as a WACZ item: the instance that may
    capture 127.0.0.1, and the capture."""
    people(instance)
    allowing = replace(
        instance,
        settings=replace(instance.settings, capture_allow_private=True, capture_timeout_s=10),
    )
    report = Site(
        files={"/report": ("text/html; charset=utf-8", page("Report", f"<p>{WORDS}</p>"))}
    )
    with served_pages(report) as local:
        asked = captures.request_capture(allowing, f"{local.base}/report", case_name=CASE)
        runner.drain(allowing)
        done = captures.capture_view(allowing, asked.id)
    assert done.state == "done" and done.item_id is not None, done
    return allowing, done


def opened(http: Any, item_id: str) -> str:
    """The replay page's address under a view stated as a browser would (the purpose posted)."""
    asked = http.get(f"/evidence/{item_id}/replay")
    assert asked.status_code == 200 and "State your purpose" in asked.text
    csrf = re.search(r'data-csrf="([^"]+)"', asked.text)
    assert csrf is not None
    posted = http.post(
        f"/evidence/{item_id}/replay",
        data={"purpose": "reviewing the preserved page"},
        headers={"X-CSRF-Token": csrf.group(1)},
    )
    assert posted.status_code == 303, posted.text
    return str(posted.headers["location"])


def test_byte_ranges_are_read_as_the_standard_says() -> None:
    assert byte_range(None, 100) is None
    assert byte_range("bytes=0-9", 100) == range(10)
    assert byte_range("bytes=90-", 100) == range(90, 100)
    assert byte_range("bytes=-5", 100) == range(95, 100)
    assert byte_range("bytes=95-500", 100) == range(95, 100)
    assert byte_range("bytes=0-", 100) == range(100)  # all of it, answered as a part
    assert byte_range("bytes=0-1,5-6", 100) is None  # several ranges: answered with the whole
    assert byte_range("items=0-1", 100) is None
    assert byte_range("bytes=100-", 100) == range(100, 100)  # none of it exists
    assert byte_range("bytes=9-3", 100) == range(100, 100)


@SQLITE_ONLY
def test_the_wacz_is_read_by_range_only_under_the_readers_own_view(instance: Instance) -> None:
    allowing, done = captured(instance)
    item_id = str(done.item_id)
    site = create_server(allowing, api_token=OPERATOR)
    vera = signed_in(site, "vera")
    target = opened(vera, item_id)
    assert re.fullmatch(rf"/evidence/{item_id}/replay\?access=\d+", target)
    shown = vera.get(target)
    assert shown.status_code == 200
    item_page = vera.get(target.replace("/replay?", "?"))
    assert shown.headers["content-security-policy"] == item_page.headers["content-security-policy"]
    source = re.search(r'source="([^"]+)"', shown.text)
    assert source is not None
    content = source.group(1).replace("&amp;", "&")
    whole = vera.get(content)
    assert whole.status_code == 200 and whole.headers["accept-ranges"] == "bytes"
    assert whole.content[:2] == b"PK"  # a ZIP, as a WACZ is
    assert hashlib.sha256(whole.content).hexdigest() == done.sha256
    size = len(whole.content)
    part = vera.get(content, headers={"Range": "bytes=10-29"})
    assert part.status_code == 206 and part.content == whole.content[10:30]
    assert part.headers["content-range"] == f"bytes 10-29/{size}"
    tail = vera.get(content, headers={"Range": "bytes=-22"})  # the ZIP's end record
    assert tail.status_code == 206 and tail.content == whole.content[-22:]
    head = vera.head(content, headers={"Range": "bytes=0-0"})
    assert head.status_code == 206 and head.headers["content-length"] == "1"
    beyond = vera.get(content, headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{size}"
    # Another reader's view, no view at all, or a reader of another case: nothing.
    otto = signed_in(site, "otto")
    assert otto.get(content).status_code == 404
    assert otto.get(f"/evidence/{item_id}/replay").status_code == 404
    dora = signed_in(site, "dora")
    assert dora.get(content).status_code == 403  # vera's view, not dora's
    accounts.create_user(allowing, "nina", PASSWORD)  # no role anywhere
    nina = signed_in(site, "nina")
    assert nina.get(f"/evidence/{item_id}/replay").status_code == 404
    assert nina.get(content).status_code == 404
    assert vera.get(f"/evidence/{item_id}/replay.wacz").status_code == 422


@SQLITE_ONLY
def test_a_capture_named_as_a_recording_replays_only_for_those_who_may_read_the_words(
    instance: Instance,
) -> None:
    allowing, done = captured(instance)
    item_id = str(done.item_id)
    make_recording(allowing, item_id)
    site = create_server(allowing, api_token=OPERATOR)
    vera = signed_in(site, "vera")  # reads the case, may not read the person's words
    assert vera.get(f"/evidence/{item_id}/replay").status_code == 403
    assert vera.get(f"/evidence/{item_id}/replay.wacz?access=1").status_code in (403, 404)


@SQLITE_ONLY
def test_an_item_that_is_not_a_capture_has_no_replay(instance: Instance, tmp_path: Path) -> None:
    people(instance)
    note = tmp_path / "note.txt"
    note.write_text("Shelling near the market at 06:40.", encoding="utf-8")
    (found,) = ingest.ingest(instance, [note], case_name=CASE).results
    vera = signed_in(create_server(instance, api_token=OPERATOR), "vera")
    assert vera.get(f"/evidence/{found.item_id}/replay").status_code == 404
    viewed = open_with_purpose(vera, f"/evidence/{found.item_id}", "reading the note")
    access = viewed.url.params["access"]
    assert vera.get(f"/evidence/{found.item_id}/replay.wacz?access={access}").status_code == 404


@SQLITE_ONLY
def test_the_replayer_is_the_vendored_one_in_its_own_scope(instance: Instance) -> None:
    http = TestClient(create_server(instance, api_token=OPERATOR), base_url="http://127.0.0.1")
    worker = http.get("/replay/sw.js")
    assert worker.status_code == 200 and worker.headers["content-type"].startswith(
        "text/javascript"
    )
    assert worker.content == (VENDOR / "sw.js").read_bytes()
    assert worker.headers["content-security-policy"].startswith("default-src 'self';")
    assert http.get("/replay/ui.js").content == (VENDOR / "ui.js").read_bytes()
    waiting = http.get("/replay/")
    assert "frame-ancestors 'self'" in waiting.headers["content-security-policy"]
    assert '<script src="/replay/waiting.js">' in waiting.text
    assert "serviceWorker.ready" in http.get("/replay/waiting.js").text


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (`make deps` installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield launched
        launched.close()


@SQLITE_ONLY
def test_a_capture_replays_in_the_item_page(browser: Any, instance: Instance) -> None:
    from playwright.sync_api import expect

    allowing, done = captured(instance)
    item_id = str(done.item_id)
    with served(create_server(allowing, api_token=OPERATOR)) as base:
        tab = browser_signed_in(browser, base, "vera")
        refused: list[str] = []  # what the pages' policies blocked, as Chromium reports it
        tab.on("console", lambda m: refused.append(m.text) if "Security Policy" in m.text else None)
        tab.goto(f"/evidence/{item_id}")
        tab.fill("input[name=purpose]", "reviewing the preserved page")
        tab.get_by_role("button", name="Open").click()
        tab.get_by_role("link", name="Replay the capture").click()
        tab.wait_for_url(re.compile(rf"/evidence/{item_id}/replay\?access=\d+"))
        replayed = (
            tab.frame_locator("replay-web-page iframe")
            .frame_locator("replay-app-main iframe")
            .locator("body")
        )
        # The captured page, replayed from the WACZ inside ReplayWeb.page's frame within its frame.
        expect(replayed).to_contain_text(WORDS, timeout=30_000)
        assert str(done.final_url) in tab.content()
        assert refused == []
