"""The screenshot read out of a capture's WACZ for its preview, and a WACZ that has none."""

from __future__ import annotations

import gzip
import io
import uuid
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from testament.pipeline.extractors import wacz_preview
from testament.pipeline.extractors.base import ExtractionFailed


def _record(uri: str, content_type: str, body: bytes) -> bytes:
    """One gzipped WARC/1.1 resource record, written out as the format says."""
    head = (
        f"WARC/1.1\r\nWARC-Type: resource\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
        f"WARC-Date: 2026-12-07T10:00:00Z\r\nWARC-Target-URI: {uri}\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return gzip.compress(head.encode() + body + b"\r\n\r\n")


def _wacz(path: Path, *, with_shot: bool) -> Path:
    warc = _record("https://example.org/", "text/html", b"<p>x</p>")
    if with_shot:
        png = io.BytesIO()
        Image.new("RGB", (40, 300), "navy").save(png, "PNG")
        warc += _record(
            "urn:testament:screenshot:https://example.org/", "image/png", png.getvalue()
        )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("datapackage.json", '{"profile": "wacz"}')
        z.writestr("archive/data.warc.gz", warc)
    return path


def test_the_screenshot_is_streamed_out(tmp_path: Path) -> None:
    source = _wacz(tmp_path / "c.wacz", with_shot=True)
    assert wacz_preview.is_wacz(source)
    shot = wacz_preview.screenshot(source, tmp_path, max_bytes=10**6)
    with Image.open(shot) as image:
        assert image.size == (40, 300)


def test_a_capture_without_a_screenshot_or_too_large_a_one_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(ExtractionFailed, match="no screenshot"):
        wacz_preview.screenshot(_wacz(tmp_path / "a.wacz", with_shot=False), tmp_path, 10**6)
    with pytest.raises(ExtractionFailed, match="larger than 10 bytes"):
        wacz_preview.screenshot(_wacz(tmp_path / "b.wacz", with_shot=True), tmp_path, 10)


def test_what_is_not_a_wacz_is_said_so(tmp_path: Path) -> None:
    plain = tmp_path / "plain.zip"
    with zipfile.ZipFile(plain, "w") as z:
        z.writestr("notes.txt", "hello")
    broken = tmp_path / "broken.wacz"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert not wacz_preview.is_wacz(plain) and not wacz_preview.is_wacz(broken)
    with pytest.raises(ExtractionFailed, match="cannot be read"):
        wacz_preview.screenshot(broken, tmp_path, 10**6)
