"""What processing found, on the pages, in English and Ukrainian: the item's panels (preview, suggested
location, metadata, derivatives, duplicates, jobs), the gallery behind a stated purpose, the text view
with the words marked, "Preserve a link" refusing what it may not capture, and the jobs page with its
progress and "Process again"; a reader of another case is answered as if nothing were there."""

from __future__ import annotations

import html
import re
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageDraw

from testament.accounts import accounts
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.pipeline import runner, service
from testament.server import create_server
from testament.survivors import consent, identity, testimony
from testament.web import processing
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import OPERATOR, PASSWORD, csrf_token, open_with_purpose, signed_in
from tests.web.test_recording_access import GIVEN, RISKS

pytestmark = SQLITE_ONLY

CASE = "Kharkiv"
OTHER = "Izium"


def gps_jpeg(path: Path, words: str = "", quality: int = 92) -> Path:
    """A real JPEG (Pillow) with GPS written by ExifTool, and ``words`` drawn large enough to read."""
    picture = Image.new("RGB", (640, 200), (250, 250, 250))
    if words:
        ImageDraw.Draw(picture).text((20, 70), words, fill=(0, 0, 0), font_size=48)
    picture.save(path, "JPEG", quality=quality)
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", "-GPSLatitude=50.45", "-GPSLatitudeRef=N",
         "-GPSLongitude=30.52", "-GPSLongitudeRef=E", str(path)],
        check=True,
    )  # fmt: skip
    return path


def people(instance: Instance) -> None:
    """dora documents Kharkiv, vera views it, otto views only Izium."""
    for name in (CASE, OTHER):
        cases.create_case(instance, name)
    for username, case, role in (
        ("dora", CASE, "documenter"),
        ("vera", CASE, "viewer"),
        ("otto", OTHER, "viewer"),
    ):
        accounts.create_user(instance, username, PASSWORD)
        accounts.grant_role(instance, username, case, role)


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    people(instance)
    note = tmp_path / "note.txt"
    note.write_text("Shelling near the market at 06:40.", encoding="utf-8")
    found = ingest.ingest(instance, [note], case_name=CASE).results
    return {"note": str(found[0].item_id)}


def _post(http: TestClient, path: str, data: dict[str, Any], page: str = "/jobs") -> Any:
    token = csrf_token(http.get(page).text)
    return http.post(path, data=data, headers={"X-CSRF-Token": token, "HX-Request": "true"})


def _captures(instance: Instance) -> list[Any]:
    return [job for job in service.list_jobs(instance) if job.task == "capture"]


# --- "Preserve a link" ----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://169.254.169.254/latest/"])
def test_a_private_address_is_refused_beside_the_field_naming_the_switch(
    site: Any, world: dict[str, Any], instance: Instance, url: str
) -> None:
    dora = signed_in(site, "dora")
    form = dora.get(f"/capture?case={CASE}")
    assert form.status_code == 200 and 'name="url"' in form.text and "<label>" in form.text
    refused = _post(dora, "/capture", {"url": url, "case": CASE}, "/capture")
    assert refused.status_code == 422
    assert "TESTAMENT_CAPTURE_ALLOW_PRIVATE" in refused.text and 'id="url-problem"' in refused.text
    assert 'id="capture"' in refused.text  # the form comes back, where htmx swaps it
    assert f'value="{url}"' in refused.text  # with what was typed
    assert _captures(instance) == []


def test_a_url_that_is_not_a_web_address_is_refused(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    dora = signed_in(site, "dora")
    refused = _post(dora, "/capture", {"url": "ftp://example.org/x", "case": CASE}, "/capture")
    assert refused.status_code == 422 and 'role="alert"' in refused.text
    assert _captures(instance) == []


def test_a_capture_is_asked_for_and_followed_until_the_worker_takes_it(
    instance: Instance, world: dict[str, Any]
) -> None:
    allowing = replace(instance, settings=replace(instance.settings, capture_allow_private=True))
    dora = signed_in(create_server(allowing, api_token=OPERATOR), "dora")
    asked = _post(dora, "/capture", {"url": "http://127.0.0.1:9/page", "case": CASE}, "/capture")
    assert asked.status_code == 200, asked.text
    (job,) = _captures(instance)
    assert job.task == "capture" and job.state == "queued"
    polled = re.search(r'hx-get="(/captures/[0-9a-f-]+/state)" hx-trigger="every 2s"', asked.text)
    assert polled is not None
    state = dora.get(polled.group(1))
    assert state.status_code == 200 and 'data-state="queued"' in state.text
    assert "<html" not in state.text  # the fragment alone
    assert f"/captures/{job.capture_id}" in dora.get("/jobs").text
    otto = signed_in(create_server(allowing, api_token=OPERATOR), "otto")
    assert otto.get(polled.group(1)).status_code == 404
    assert otto.get(f"/captures/{job.capture_id}").status_code == 404
    assert otto.get("/captures/no-such-capture").status_code == 404


def test_a_viewer_may_not_ask_for_a_capture(instance: Instance, world: dict[str, Any]) -> None:
    allowing = replace(instance, settings=replace(instance.settings, capture_allow_private=True))
    site = create_server(allowing, api_token=OPERATOR)
    asked = {"url": "http://127.0.0.1:9/page", "case": CASE}
    assert _post(signed_in(site, "vera"), "/capture", asked, "/capture").status_code == 403
    assert _post(signed_in(site, "otto"), "/capture", asked, "/capture").status_code == 404
    assert _captures(instance) == []


# --- Jobs -----------------------------------------------------------------------------------------------


def test_the_jobs_page_shows_progress_and_processes_a_case_again(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    dora = signed_in(site, "dora")
    page = dora.get("/jobs")
    assert page.status_code == 200 and "<progress" in page.text
    assert 'name="kind"' in page.text and 'value="text"' in page.text
    again = _post(dora, "/jobs/reprocess", {"case": CASE, "kind": "text"})
    assert again.status_code == 200 and "1 items queued for processing." in again.text
    assert 'hx-swap-oob="true"' in again.text and 'hx-trigger="every 2s"' in again.text
    assert [j.kinds for j in service.list_jobs(instance) if j.reason == "reprocess"] == [["text"]]
    busy = dora.get(f"/jobs/progress?case={CASE}")
    assert "every 2s" in busy.text and "Queued: 2" in busy.text  # ingest's job and this one
    listed = dora.get(f"/jobs?case={CASE}")
    assert listed.text.count('class="job-queued"') == 2
    assert 'class="job-' not in dora.get("/jobs?failed=true").text
    unknown = _post(dora, "/jobs/reprocess", {"case": CASE, "kind": "astrology"})
    assert unknown.status_code == 422 and "unknown kind" in unknown.text
    assert 'id="reprocess"' in unknown.text


def test_a_viewer_may_not_process_again_and_a_stranger_sees_no_jobs(
    site: Any, world: dict[str, Any]
) -> None:
    vera = signed_in(site, "vera")
    assert _post(vera, "/jobs/reprocess", {"case": CASE}).status_code == 403
    otto = signed_in(site, "otto")
    assert _post(otto, "/jobs/reprocess", {"case": CASE}).status_code == 404
    assert 'class="job-' not in otto.get("/jobs").text
    assert otto.get(f"/jobs?case={CASE}").status_code == 404


# --- The item, the gallery and the text, once processed ---------------------------------------------------


def _ingested(instance: Instance, folder: Path) -> dict[str, str]:
    """Ingest the folder's files and run their processing; each file's name to its item."""
    found = ingest.ingest(instance, [folder], case_name=CASE).results
    runner.drain(instance)
    return {Path(r.path).name: str(r.item_id) for r in found}


@pytest.fixture
def processed(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    people(instance)
    folder = tmp_path / "photos"
    folder.mkdir()
    gps_jpeg(folder / "market.jpg", "SHELTER 14")
    return {"photo": _ingested(instance, folder)["market.jpg"], "folder": tmp_path}


def test_the_item_page_shows_what_processing_found(
    site: Any, processed: dict[str, Any], instance: Instance
) -> None:
    dora = signed_in(site, "dora")
    photo = processed["photo"]
    again = processed["folder"] / "again"
    again.mkdir()
    gps_jpeg(again / "market-resent.jpg", "SHELTER 14", quality=70)  # the same photo, sent again
    resent_id = _ingested(instance, again)["market-resent.jpg"]
    page = open_with_purpose(dora, f"/evidence/{photo}", "checking the strike's location")
    assert page.status_code == 200
    assert "Suggested location (from the file's GPS; not verified)" in page.text
    assert "50.450000, 30.520000" in page.text
    access = re.search(r"/evidence/" + photo + r"/preview\?access=(\d+)", page.text)
    assert access is not None  # the thumbnail, blurred until shown
    assert 'class="preview graphic"' in page.text and "Derivatives" in page.text
    found = service.item_processing(instance, photo)
    for derived in found.derivatives:
        assert f"/evidence/{derived.item_id}" in page.text and derived.tool in page.text
    assert "Perceptual hashes are analysis aids, never integrity proofs" in page.text
    assert "No content credentials (this is not evidence either way)" in page.text
    shown = dora.get(f"/evidence/{photo}/preview?access={access.group(1)}")
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert (
        shown.content.startswith(b"\xff\xd8")
        and "sandbox" in shown.headers["content-security-policy"]
    )
    derived = found.derivatives[0]
    child = open_with_purpose(dora, f"/evidence/{derived.item_id}", "checking the thumbnail")
    assert "Derived from" in child.text and f'href="/evidence/{photo}"' in child.text
    resent = re.search(r'<ul class="duplicates"><li><a href="/evidence/([^"]+)">', page.text)
    assert resent is not None and resent.group(1) == resent_id
    assert re.search(r"\d+ bits apart \(of 256\)", page.text)


def test_a_failed_extraction_shows_its_error(site: Any, instance: Instance, tmp_path: Path) -> None:
    people(instance)
    whole = gps_jpeg(tmp_path / "whole.jpg").read_bytes()
    folder = tmp_path / "torn"
    folder.mkdir()
    (folder / "torn.jpg").write_bytes(whole[: len(whole) // 3])  # a JPEG cut short
    torn = _ingested(instance, folder)["torn.jpg"]
    failed = [e for e in service.item_processing(instance, torn).extractions if e.status != "ok"]
    assert failed and all(e.error for e in failed)
    dora = signed_in(site, "dora")
    page = open_with_purpose(dora, f"/evidence/{torn}", "checking a damaged file")
    for extraction in failed:
        assert f"failed: {extraction.error}" in html.unescape(page.text)


def test_the_text_view_marks_the_words_searched_for(
    site: Any, processed: dict[str, Any], instance: Instance
) -> None:
    photo = processed["photo"]
    if not service.item_text(instance, photo):
        pytest.fail("OCR found no text in the test image")
    dora = signed_in(site, "dora")
    gate = dora.get(f"/evidence/{photo}/text?q=shelter")
    assert "State your purpose" in gate.text and "/text/purpose?q=shelter" in gate.text
    posted = dora.post(
        f"/evidence/{photo}/text/purpose?q=shelter",
        data={"purpose": "reading the sign"},
        headers={"X-CSRF-Token": csrf_token(gate.text)},
    )
    assert posted.status_code == 303
    text = dora.get(posted.headers["location"])
    assert text.status_code == 200 and "<mark>SHELTER</mark>" in text.text
    assert "the image" in text.text
    hits = dora.get(f"/evidence/{photo}/hits?q=shelter")
    assert "the image" in hits.text and "SHELTER" not in hits.text  # where, never what
    searched = dora.get("/search?q=shelter")
    assert f'hx-get="/evidence/{photo}/hits?q=shelter"' in searched.text


def test_the_gallery_shows_previews_once_the_purpose_is_stated(
    site: Any, processed: dict[str, Any], instance: Instance
) -> None:
    dora = signed_in(site, "dora")
    gallery = dora.get(f"/cases/{CASE}/gallery")
    assert gallery.status_code == 200 and "market.jpg" in gallery.text
    assert "Show previews" in gallery.text and "/preview?access=" not in gallery.text
    refused = _post(dora, f"/cases/{CASE}/gallery", {"purpose": " "}, f"/cases/{CASE}/gallery")
    assert refused.status_code == 422 and "state why you are opening this" in refused.text
    shown = _post(
        dora, f"/cases/{CASE}/gallery", {"purpose": "reviewing the case"}, f"/cases/{CASE}/gallery"
    )
    target = shown.headers["HX-Redirect"]
    page = dora.get(target)
    # Blurred (the default): nothing of the picture is fetched until its viewer asks.
    assert re.search(
        r'<figure class="preview graphic">\s*<div class="veil" aria-hidden="true"></div>\s*'
        r'<img data-src="/evidence/[0-9a-f-]+/preview',
        page.text,
    )
    assert ' src="/evidence/' not in page.text
    image = re.search(r'data-src="(/evidence/[^"]+/preview\?access=\d+)"', page.text)
    assert image is not None and dora.get(image.group(1)).status_code == 200


def test_a_reader_of_another_case_finds_nothing(
    site: Any, processed: dict[str, Any], instance: Instance
) -> None:
    photo = processed["photo"]
    otto = signed_in(site, "otto")
    for path in (
        f"/evidence/{photo}/text",
        f"/evidence/{photo}/text?access=1",
        f"/evidence/{photo}/preview?access=1",
        f"/evidence/{photo}/hits?q=shelter",
        f"/cases/{CASE}/gallery",
    ):
        assert otto.get(path).status_code == 404, path


def test_the_pages_in_ukrainian(site: Any, processed: dict[str, Any]) -> None:
    dora = signed_in(site, "dora")
    dora.cookies.set("testament_lang", "uk")
    page = open_with_purpose(dora, f"/evidence/{processed['photo']}", "перевірка")
    assert "Запропоноване місце" in page.text and "Можливі дублікати" in page.text
    assert "Suggested location" not in page.text
    jobs = dora.get("/jobs")
    assert "Обробити знову" in jobs.text and "Process again" not in jobs.text
    gallery = dora.get(f"/cases/{CASE}/gallery")
    assert "Галерея" in gallery.text and "Gallery" not in gallery.text
    capture = dora.get("/capture")
    assert "Зберегти посилання" in capture.text and "Preserve a link" not in capture.text


def test_the_gallery_turns_pages_without_asking_again(
    site: Any, processed: dict[str, Any], instance: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    later = processed["folder"] / "later"
    later.mkdir()
    gps_jpeg(later / "bridge.jpg", "BRIDGE")
    newer = _ingested(instance, later)["bridge.jpg"]
    monkeypatch.setattr(processing, "GALLERY_PAGE", 1)  # the newer photo, then the first one
    dora = signed_in(site, "dora")
    gallery = f"/cases/{CASE}/gallery"
    first = dora.get(gallery)
    assert f'href="/evidence/{newer}"' in first.text
    assert f'href="/evidence/{processed["photo"]}"' not in first.text
    second = dora.get(gallery + "?offset=1")
    assert f'href="/evidence/{processed["photo"]}"' in second.text
    # Thumbnails are shown on their photos, never listed as items of their own.
    thumbs = {d.item_id for d in service.item_processing(instance, newer).derivatives}
    assert thumbs and not any(f'href="/evidence/{t}"' in first.text + second.text for t in thumbs)
    assert dora.get(gallery + "?offset=2").text.count('<figure class="graphic') == 0
    shown = _post(dora, gallery, {"purpose": "reviewing", "offset": "1"}, gallery)
    page = dora.get(shown.headers["HX-Redirect"])
    back = re.search(r'name="again" value="(\d+)">\s*<input type="hidden" name="again_item" '
                     r'value="([^"]+)">\s*<button type="submit" class="link">Previous page', page.text)  # fmt: skip
    assert back is not None and back.group(2) == processed["photo"]
    turned = _post(dora, gallery, {"offset": "0", "again": back.group(1),
                                   "again_item": back.group(2)}, gallery)  # fmt: skip
    # Back on the first page, its photo's view is recorded with the purpose already stated.
    assert re.fullmatch(
        re.escape(gallery) + r"\?offset=0&access=\d+", turned.headers["HX-Redirect"]
    )
    forged = _post(
        dora, gallery, {"offset": "0", "again": back.group(1), "again_item": "x"}, gallery
    )
    assert forged.status_code in (403, 404)


def make_recording(instance: Instance, item: str) -> None:
    """Make ``item`` the recording of a consenting person's testimony in the case."""
    person, _ = identity.add_person(instance, CASE, identity.Identity(name="Halyna Petrenko"))
    consent.grant(instance, person, GIVEN)
    assessed = testimony.assess_risk(instance, person, flags=[], decision="proceed", **RISKS)
    testimony.record(
        instance, person, risk_assessment_id=assessed, interviewer="dora",
        started_at="2024-03-01T10:00:00+02:00", timezone="Europe/Kyiv", place="partner office",
        language="uk", contact_via="legal aid NGO", recording_item_id=item,
        nothing_promised=True, why_needed="no other account exists",
        intended_use="criminal-investigation", intended_recipient="national-prosecutor",
    )  # fmt: skip


def test_a_photo_that_became_a_recording_keeps_its_content_for_those_who_may_read_the_words(
    site: Any, processed: dict[str, Any], instance: Instance
) -> None:
    photo = processed["photo"]
    make_recording(instance, photo)
    vera = signed_in(site, "vera")
    page = open_with_purpose(vera, f"/evidence/{photo}", "review")
    entry = re.search(r"This view is entry (\d+) of the custody log", page.text)
    assert entry is not None
    assert "/preview?access=" not in page.text and "/text?access=" not in page.text
    for path in ("preview", "text"):
        refused = vera.get(f"/evidence/{photo}/{path}?access={entry.group(1)}")
        assert refused.status_code == 403 and "SHELTER" not in refused.text, path
    assert vera.get(f"/evidence/{photo}/hits?q=shelter").status_code == 403
