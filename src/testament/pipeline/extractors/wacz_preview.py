"""The screenshot inside a web capture's WACZ, for its preview in the gallery.

A capture's WACZ holds a full-page screenshot as a WARC ``resource`` record whose target URI starts
``urn:testament:screenshot:`` (:mod:`testament.pipeline.capture.archive`). It is streamed out of the
archive into the work directory, within a size bound, and thumbnailed like any image.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Protocol

from warcio.archiveiterator import ArchiveIterator

from testament.pipeline.extractors.base import ExtractionFailed

SCREENSHOT = "urn:testament:screenshot:"
CHUNK = 1024 * 1024


def is_wacz(source: Path) -> bool:
    """A zip with a WACZ's ``datapackage.json`` and WARC files under ``archive/``."""
    try:
        with zipfile.ZipFile(source) as wacz:
            names = set(wacz.namelist())
    except (OSError, zipfile.BadZipFile):
        return False
    return "datapackage.json" in names and any(n.startswith("archive/") for n in names)


def screenshot(source: Path, work: Path, max_bytes: int) -> Path:
    """Write the capture's screenshot under ``work``; ExtractionFailed when there is none."""
    target = work / "screenshot.png"
    try:
        with zipfile.ZipFile(source) as wacz:
            for name in sorted(n for n in wacz.namelist() if n.startswith("archive/")):
                with wacz.open(name) as stream:
                    for record in ArchiveIterator(stream):
                        uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                        if record.rec_type == "resource" and uri.startswith(SCREENSHOT):
                            _copy(record.content_stream(), target, max_bytes)
                            return target
    except (OSError, zipfile.BadZipFile, ValueError) as exc:
        raise ExtractionFailed(
            f"the capture's archive cannot be read: {type(exc).__name__}"
        ) from None
    raise ExtractionFailed("the capture holds no screenshot")


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _copy(stream: _Readable, target: Path, max_bytes: int) -> None:
    read = stream.read
    written = 0
    with target.open("wb") as out:
        while chunk := read(CHUNK):
            written += len(chunk)
            if written > max_bytes:
                raise ExtractionFailed(f"the capture's screenshot is larger than {max_bytes} bytes")
            out.write(chunk)
