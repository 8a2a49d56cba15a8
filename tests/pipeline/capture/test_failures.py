"""Captures that cannot finish: a page that never loads, a redirect loop, a redirect to a refused address,
the byte bound. Each gives an incomplete result with its reason and keeps what was obtained."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

import pytest

from testament.pipeline.capture import capture
from tests.pipeline.capture.conftest import OPTIONS, assert_valid, records, responses
from tests.pipeline.capture.site import Site

# Chromium's start, the screenshot and packaging come on top of the 3 s load bound.
OVERHEAD_S = 15.0


def test_a_page_that_never_finishes_is_incomplete_within_the_bound(
    site: Site, tmp_path: Path
) -> None:
    url = f"{site.base}/slow-image"
    started = time.monotonic()
    result = capture(url, tmp_path, OPTIONS)
    elapsed = time.monotonic() - started

    assert elapsed < OPTIONS.timeout_s + OVERHEAD_S
    assert_valid(result.wacz)
    assert result.complete is False
    assert result.incomplete_reason == "the page did not finish loading within 3 s"
    assert responses(result.wacz)[url].payload == site.files["/slow-image"][1], "the HTML is kept"
    assert result.html_sha256 is not None and result.screenshot_sha256 is not None
    kinds = {r.uri.split(":")[2] for r in records(result.wacz) if r.kind == "resource"}
    assert kinds == {"screenshot", "dom", "metadata"}
    assert result.metadata["unfinished_requests"] == [f"{site.base}/hang-image"]
    assert result.metadata["complete"] is False


def test_a_document_that_never_finishes_keeps_its_screenshot_and_dom(
    site: Site, tmp_path: Path
) -> None:
    result = capture(f"{site.base}/hang-document", tmp_path, replace(OPTIONS, download_media=False))

    assert_valid(result.wacz)
    assert result.complete is False
    assert result.incomplete_reason == "the page did not finish loading within 3 s"
    assert result.html_sha256 is None, "the HTML as served never ended"
    dom = next(r for r in records(result.wacz) if r.uri.startswith("urn:testament:dom:"))
    assert b"start" in dom.payload
    assert result.screenshot_sha256 is not None


@pytest.mark.slow
def test_a_page_whose_scripts_never_yield_is_stopped(site: Site, tmp_path: Path) -> None:
    url = f"{site.base}/busy"
    started = time.monotonic()
    result = capture(url, tmp_path, replace(OPTIONS, download_media=False))

    assert time.monotonic() - started < OPTIONS.timeout_s + OVERHEAD_S + 10
    assert_valid(result.wacz)
    assert result.complete is False
    assert (
        result.incomplete_reason
        == "the page kept the browser busy past the bound, so the browser was stopped"
    )
    assert responses(result.wacz)[url].payload == site.files["/busy"][1], "the HTML is kept"


def test_a_url_that_redirects_forever_stops_with_a_clear_reason(site: Site, tmp_path: Path) -> None:
    result = capture(f"{site.base}/loop/0", tmp_path, replace(OPTIONS, download_media=False))

    assert_valid(result.wacz)
    assert result.complete is False
    assert result.incomplete_reason == "more than 20 redirects"
    assert result.final_url is None and result.status is None
    assert result.redirects[:3] == [f"{site.base}/loop/{hop}" for hop in range(3)]
    assert len(result.redirects) == 20


def test_a_lower_redirect_bound_stops_sooner(site: Site, tmp_path: Path) -> None:
    result = capture(
        f"{site.base}/loop/100", tmp_path, replace(OPTIONS, max_redirects=5, download_media=False)
    )

    assert_valid(result.wacz)
    assert result.complete is False
    assert result.incomplete_reason == "more than 5 redirects"
    assert result.final_url is None and result.status is None


def test_a_redirect_to_a_refused_address_is_never_followed(site: Site, tmp_path: Path) -> None:
    guarded = replace(
        OPTIONS, allow_private=False, allowed_networks=("127.0.0.1/32",), download_media=False
    )
    result = capture(f"{site.base}/to-metadata", tmp_path, guarded)

    assert_valid(result.wacz)
    assert result.complete is False
    assert result.incomplete_reason == (
        "the page led to a private or loopback address (169.254.169.254); set TESTAMENT_CAPTURE_ALLOW_PRIVATE=1 "
        "or capture_allow_private = true in the configuration file to allow it"
    )
    assert result.metadata["refused_addresses"] == ["169.254.169.254"]
    assert list(responses(result.wacz)) == [f"{site.base}/to-metadata"]


def test_the_byte_bound_stops_a_capture(site: Site, tmp_path: Path) -> None:
    result = capture(f"{site.base}/lazy", tmp_path, replace(OPTIONS, max_bytes=2_000))

    assert_valid(result.wacz)
    assert result.complete is False
    assert result.incomplete_reason == "the capture reached its limit of 2000 bytes"
    assert result.metadata["bytes_received"] > 2_000
