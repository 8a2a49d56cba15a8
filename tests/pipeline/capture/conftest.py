"""The capture tests' site, its files made at test time (Pillow, ffmpeg), and readers for a WACZ."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from warcio.archiveiterator import ArchiveIterator

from testament.pipeline.capture import CaptureOptions
from tests.pipeline.capture.site import Site, page, served

CHROMIUM = "/usr/bin/chromium"
# The site is on 127.0.0.1, so these tests allow private addresses; 3 s bounds a page that never loads.
OPTIONS = CaptureOptions(allow_private=True, timeout_s=3.0, chromium=CHROMIUM)
PARALLEL = 8


def png(colour: tuple[int, int, int], size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format="PNG")
    return out.getvalue()


def mp4(folder: Path) -> bytes:
    """A one-second H.264 clip, made with ffmpeg."""
    path = folder / "clip.mp4"
    subprocess.run(
        [
            "ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10",
            "-pix_fmt", "yuv420p", "-c:v", "libx264", "-movflags", "+faststart", str(path),
        ],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def _files(clip: bytes) -> dict[str, tuple[str, bytes]]:
    spacer = "<div style='height:5000px'>above the fold</div>"
    files = {
        "/page": ("text/html", page("Hello", "<p>A plain page.</p><img src='/logo.png'>")),
        "/logo.png": ("image/png", png((200, 30, 30))),
        "/lazy": (
            "text/html",
            page(
                "Lazy",
                f"{spacer}<img loading='lazy' src='/lazy-1.png'>{spacer}<img loading='lazy' src='/lazy-2.png'>",
            ),
        ),
        "/lazy-1.png": ("image/png", png((10, 120, 10), (300, 200))),
        "/lazy-2.png": ("image/png", png((10, 10, 160), (300, 200))),
        "/video": ("text/html", page("Video", "<video src='/clip.mp4' controls muted></video>")),
        "/clip.mp4": ("video/mp4", clip),
        "/slow-image": ("text/html", page("Slow", "<p>Kept.</p><img src='/hang-image'>")),
        "/busy": (
            "text/html",
            page("Busy", "<script>setTimeout(() => { while (true) {} }, 50)</script>"),
        ),
    }
    for number in range(PARALLEL):
        picture = f"/parallel/{number}.png"
        files[f"/parallel/{number}"] = (
            "text/html",
            page(f"Page {number}", f"<img src='{picture}'>"),
        )
        files[picture] = ("image/png", png((number * 30, 80, 200 - number * 20)))
    return files


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not Path(CHROMIUM).exists() or shutil.which("ffmpeg") is None:
        pytest.skip("Chromium and ffmpeg are needed (`make deps` installs Debian's packages)")
    clip = mp4(tmp_path_factory.mktemp("clip"))
    with served(Site(files=_files(clip))) as running:
        yield running


@dataclass(frozen=True)
class Record:
    kind: str
    uri: str
    headers: dict[str, str]
    http_status: int | None
    http_headers: list[tuple[str, str]]
    payload: bytes


def records(wacz: Path) -> list[Record]:
    """Every record of the WACZ's WARC, in order."""
    found = []
    with zipfile.ZipFile(wacz) as archive:
        names = [name for name in archive.namelist() if name.startswith("archive/")]
        assert len(names) == 1, names
        with archive.open(names[0]) as stream:
            for record in ArchiveIterator(stream):
                http = record.http_headers
                status = (
                    int(http.get_statuscode())
                    if http is not None and record.rec_type == "response"
                    else None
                )
                found.append(
                    Record(
                        kind=record.rec_type,
                        uri=record.rec_headers.get_header("WARC-Target-URI") or "",
                        headers=dict(record.rec_headers.headers),
                        http_status=status,
                        http_headers=list(http.headers) if http is not None else [],
                        payload=record.content_stream().read(),
                    )
                )
    return found


def responses(wacz: Path) -> dict[str, Record]:
    return {record.uri: record for record in records(wacz) if record.kind == "response"}


def assert_valid(wacz: Path) -> None:
    """``wacz validate`` accepts the file."""
    checked = subprocess.run(
        [sys.executable, "-m", "wacz", "validate", "-f", str(wacz)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Validation succeeded" in checked.stdout
