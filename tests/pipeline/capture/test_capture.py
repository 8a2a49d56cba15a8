"""Pages captured from a local site: the records, the artefacts, a redirect chain, lazy images, a video, a 404."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import zipfile
from dataclasses import replace
from pathlib import Path

from testament.pipeline.capture import CaptureResult, capture, media
from testament.pipeline.capture.proxy import GuardingProxy, Policy
from tests.pipeline.capture.conftest import OPTIONS, assert_valid, records, responses
from tests.pipeline.capture.site import Site, page


def _warc_bytes(wacz: Path) -> bytes:
    with zipfile.ZipFile(wacz) as archive:
        return archive.read("archive/capture.warc.gz")


def _sha256_base32(data: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode()


def test_a_page_is_captured_with_every_artefact(site: Site, tmp_path: Path) -> None:
    url = f"{site.base}/page"
    result = capture(url, tmp_path, OPTIONS)

    assert_valid(result.wacz)
    assert (result.complete, result.incomplete_reason, result.status) == (True, None, 200)
    assert (result.requested_url, result.final_url, result.redirects) == (url, url, [])
    assert result.started_at.endswith("Z") and result.finished_at.endswith("Z")
    assert result.started_at <= result.finished_at
    assert result.tool == "Testament capture"
    assert result.tool_version.startswith("Playwright 1.") and ", Chromium " in result.tool_version
    assert "HeadlessChrome" in result.user_agent
    assert result.resources == 2, "the page and its image"
    assert result.html_sha256 == hashlib.sha256(site.files["/page"][1]).hexdigest()
    assert result.warc_sha256 == hashlib.sha256(_warc_bytes(result.wacz)).hexdigest()
    assert result.wacz_sha256 == hashlib.sha256(result.wacz.read_bytes()).hexdigest()

    found = records(result.wacz)
    assert [r.kind for r in found] == [
        "warcinfo", "response", "request", "response", "request", "resource", "resource", "resource",
    ]  # fmt: skip
    warcinfo = found[0].payload.decode()
    assert "software: Testament capture (Playwright" in warcinfo
    assert f"http-header-user-agent: {result.user_agent}" in warcinfo
    assert f"capture-started: {result.started_at}" in warcinfo
    served = responses(result.wacz)
    assert served[url].payload == site.files["/page"][1]
    assert served[url].headers["WARC-Payload-Digest"] == _sha256_base32(site.files["/page"][1])
    assert served[f"{site.base}/logo.png"].payload == site.files["/logo.png"][1]
    for response, request in ((found[1], found[2]), (found[3], found[4])):
        assert request.headers["WARC-Concurrent-To"] == response.headers["WARC-Record-ID"]
        assert request.headers["WARC-Date"] == response.headers["WARC-Date"]
        assert response.headers["WARC-IP-Address"] == "127.0.0.1"
        assert response.headers["WARC-Warcinfo-ID"] == found[0].headers["WARC-Record-ID"]
        assert response.headers["WARC-Block-Digest"].startswith("sha256:")
        assert "WARC-Truncated" not in response.headers and "WARC-Truncated" not in request.headers

    screenshot, dom, meta = found[5], found[6], found[7]
    assert screenshot.uri == f"urn:testament:screenshot:{url}"
    assert screenshot.headers["Content-Type"] == "image/png"
    assert screenshot.payload.startswith(b"\x89PNG")
    assert hashlib.sha256(screenshot.payload).hexdigest() == result.screenshot_sha256
    assert screenshot.headers["WARC-Concurrent-To"] == served[url].headers["WARC-Record-ID"]
    assert dom.uri == f"urn:testament:dom:{url}"
    assert b"A plain page." in dom.payload
    assert hashlib.sha256(dom.payload).hexdigest() == result.dom_sha256
    assert meta.uri == f"urn:testament:metadata:{url}"
    recorded = json.loads(meta.payload)
    assert recorded == result.metadata
    assert recorded["requested_url"] == url and recorded["final_url"] == url
    assert recorded["capture_started_utc"] == result.started_at
    assert recorded["capture_finished_utc"] == result.finished_at
    assert recorded["browser_user_agent"] == result.user_agent
    assert (
        recorded["tool_name"] == "Testament capture"
        and recorded["tool_version"] == result.tool_version
    )
    assert recorded["complete"] is True and recorded["incomplete_reason"] is None

    with zipfile.ZipFile(result.wacz) as archive:
        header, line = archive.read("pages/pages.jsonl").decode().splitlines()
        datapackage = json.loads(archive.read("datapackage.json"))
    assert json.loads(header)["format"] == "json-pages-1.0"
    assert json.loads(line)["url"] == url and json.loads(line)["ts"] == result.started_at
    assert datapackage["profile"] == "data-package"
    assert {r["path"] for r in datapackage["resources"]} >= {
        "archive/capture.warc.gz",
        "pages/pages.jsonl",
    }


def test_a_redirect_chain_is_recorded_in_order(site: Site, tmp_path: Path) -> None:
    result = capture(f"{site.base}/redirect/3", tmp_path, OPTIONS)

    assert_valid(result.wacz)
    assert result.complete and result.status == 200
    assert result.redirects == [f"{site.base}/redirect/{hops}" for hops in (3, 2, 1)]
    assert result.final_url == f"{site.base}/page"
    served = responses(result.wacz)
    for hops, location in ((3, "/redirect/2"), (2, "/redirect/1"), (1, "/page")):
        hop = served[f"{site.base}/redirect/{hops}"]
        assert hop.http_status == 302
        assert ("Location", location) in hop.http_headers
        assert hop.headers["WARC-Truncated"] == "unspecified", (
            "Chromium keeps no body for a redirect"
        )
    assert result.metadata["redirects"] == result.redirects


def test_lazy_images_below_the_fold_are_captured(site: Site, tmp_path: Path) -> None:
    result = capture(f"{site.base}/lazy", tmp_path, OPTIONS)

    assert_valid(result.wacz)
    assert result.complete
    served = responses(result.wacz)
    for name in ("/lazy-1.png", "/lazy-2.png"):
        assert served[f"{site.base}{name}"].http_status == 200
        assert served[f"{site.base}{name}"].payload == site.files[name][1]
    screenshot = next(
        r for r in records(result.wacz) if r.uri.startswith("urn:testament:screenshot:")
    )
    assert int.from_bytes(screenshot.payload[20:24], "big") > 10_000, (
        "the screenshot is the full page's height"
    )


def test_an_embedded_video_is_downloaded_whole(site: Site, tmp_path: Path) -> None:
    result = capture(f"{site.base}/video", tmp_path, OPTIONS)

    assert_valid(result.wacz)
    assert result.complete
    name = f"urn:testament:media:{site.base}/clip.mp4"
    assert result.media == [name]
    (video,) = [r for r in records(result.wacz) if r.uri == name]
    assert video.kind == "resource"
    assert video.headers["Content-Type"] == "video/mp4"
    assert video.payload == site.files["/clip.mp4"][1]
    assert result.metadata["media_errors"] == []
    assert not (tmp_path / "media").exists(), "the downloads are in the WARC, not left beside it"


def test_a_404_is_a_complete_capture_of_that_answer(site: Site, tmp_path: Path) -> None:
    url = f"{site.base}/no-such-page"
    result = capture(url, tmp_path, OPTIONS)

    assert_valid(result.wacz)
    assert (result.complete, result.status, result.incomplete_reason) == (True, 404, None)
    assert responses(result.wacz)[url].http_status == 404
    assert result.metadata["http_status"] == 404


def test_a_compressed_body_is_recorded_decoded_with_the_change_written_down(
    site: Site, tmp_path: Path
) -> None:
    url = f"{site.base}/gzipped"
    result = capture(url, tmp_path, OPTIONS)

    assert_valid(result.wacz)
    record = responses(result.wacz)[url]
    body = page("Gzipped", "<p>Compressed on the wire.</p>")
    assert record.payload == body
    assert ("X-Testament-Orig-Content-Encoding", "gzip") in record.http_headers
    assert ("Content-Length", str(len(body))) in record.http_headers
    assert "Content-Encoding" not in [name for name, _ in record.http_headers]
    assert "WARC-Testament-Transformation" in record.headers
    assert result.metadata["decoded_bodies"] == [url]


def test_the_user_agent_asked_for_is_used_and_recorded(site: Site, tmp_path: Path) -> None:
    agent = "TestamentCapture/1.0 (evidence preservation)"
    result = capture(
        f"{site.base}/page", tmp_path, replace(OPTIONS, user_agent=agent, download_media=False)
    )

    assert result.user_agent == agent
    request = next(r for r in records(result.wacz) if r.kind == "request")
    assert (agent,) == tuple(
        value for name, value in request.http_headers if name.lower() == "user-agent"
    )


def test_a_capture_runs_from_code_that_runs_an_asyncio_loop(site: Site, tmp_path: Path) -> None:
    async def job() -> CaptureResult:
        return capture(f"{site.base}/page", tmp_path, OPTIONS)

    assert asyncio.run(job()).complete


def test_a_direct_media_url_is_downloaded_whole(site: Site, tmp_path: Path) -> None:
    url = f"{site.base}/clip.mp4"
    result = capture(url, tmp_path, OPTIONS)

    assert_valid(result.wacz)
    assert result.media == [f"urn:testament:media:{url}"]
    (video,) = [r for r in records(result.wacz) if r.uri == result.media[0]]
    assert video.payload == site.files["/clip.mp4"][1]
    assert result.complete, result.incomplete_reason


def test_media_downloads_go_through_the_guarding_relay(site: Site, tmp_path: Path) -> None:
    relay = GuardingProxy(Policy(), max_bytes=10 * 1024**2).start()
    try:
        downloads = media.download([f"{site.base}/clip.mp4"], tmp_path, relay.server, 10 * 1024**2)
    finally:
        relay.close()

    assert downloads.files == []
    (error,) = downloads.errors
    assert error.startswith(f"{site.base}/clip.mp4: ")
    assert relay.traffic.refused == ["127.0.0.1"]
