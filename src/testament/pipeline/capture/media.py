"""Media files at their original quality, through yt-dlp (BP-05, artefact 4).

The browser records what the page loaded, but a player often loads only part of a video. So each media
element's source (``<video>``, ``<audio>``, ``<source>``; a direct media URL opens as one) and any page of
a site yt-dlp has an extractor for (a video platform) is downloaded in full, in process, with
``yt_dlp.YoutubeDL``. yt-dlp goes through the capture's guarding relay, so it reaches only what the
browser may reach, and it stops at the capture's byte bound. A failure is recorded, never fatal: the
rest of the capture stands.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SOCKET_TIMEOUT_S = 30


@dataclass
class Downloads:
    """The media files downloaded (each with the URL it came from) and what failed, with why."""

    files: list[tuple[str, Path]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class _Quiet:
    """A logger for yt-dlp that keeps only its errors (for the capture's metadata)."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def debug(self, message: str) -> None:
        del message

    def info(self, message: str) -> None:
        del message

    def warning(self, message: str) -> None:
        del message

    def error(self, message: str) -> None:
        self.errors.append(message.removeprefix("ERROR: ").strip())


def platform_supported(url: str) -> bool:
    """Whether yt-dlp has an extractor for this URL's site (its generic extractor aside)."""
    from yt_dlp.extractor import gen_extractor_classes  # noqa: PLC0415 - yt-dlp costs 0.5 s to import

    return any(
        extractor.ie_key() != "Generic" and extractor.suitable(url)
        for extractor in gen_extractor_classes()
    )


def media_type(path: Path) -> str:
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _options(folder: Path, proxy: str, max_bytes: int, logger: _Quiet) -> dict[str, Any]:
    return {
        "proxy": proxy.replace("socks5://", "socks5h://", 1),
        "outtmpl": {"default": str(folder / "media.%(ext)s")},
        "paths": {"home": str(folder), "temp": str(folder)},
        "max_filesize": max_bytes,
        "socket_timeout": SOCKET_TIMEOUT_S,
        "noplaylist": True,
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "logger": logger,
        "cachedir": False,
        "retries": 1,
        "fragment_retries": 1,
        "restrictfilenames": True,
        "overwrites": True,
    }


def download(urls: list[str], work: Path, proxy: str, max_bytes: int) -> Downloads:
    """Download each of ``urls`` with yt-dlp into its own folder under ``work``."""
    downloads = Downloads()
    if not urls or max_bytes <= 0:
        return downloads
    from yt_dlp import YoutubeDL  # noqa: PLC0415 - see platform_supported
    from yt_dlp.utils import YoutubeDLError  # noqa: PLC0415 - see platform_supported

    for number, url in enumerate(urls, start=1):
        folder = work / "media" / str(number)
        folder.mkdir(parents=True, exist_ok=True)
        logger = _Quiet()
        try:
            with YoutubeDL(_options(folder, proxy, max_bytes, logger)) as ydl:
                ydl.extract_info(url, download=True)
        except (YoutubeDLError, OSError) as error:
            reason = logger.errors[-1] if logger.errors else type(error).__name__
            downloads.errors.append(f"{url}: {reason}")
            continue
        found = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.endswith(".part"))
        if not found:
            reason = logger.errors[-1] if logger.errors else "nothing was downloaded"
            downloads.errors.append(f"{url}: {reason}")
        downloads.files.extend((url, path) for path in found)
    return downloads
