"""The media type of a file from its content (libmagic), whatever its name says.

The name is the working copy's: processing names it after the item, so its extension is the one the
file arrived with. ``extension_matches`` says whether that extension is one the content's type uses;
a mismatch (a ``.jpg`` that is a ZIP, an ``.mp4`` that is HTML) is worth an analyst's look.
"""

from __future__ import annotations

import mimetypes
from functools import cache
from pathlib import Path

import magic

from testament.pipeline.extractors.base import Extraction, ExtractionFailed, Limits, Tool

# Types that libmagic and the mimetypes table spell differently for the same content.
SAME_TYPE = {
    "audio/wav": "audio/x-wav",
    "audio/x-m4a": "audio/mp4",
    "application/x-zip-compressed": "application/zip",
    "application/x-gzip": "application/gzip",
    "image/jpg": "image/jpeg",
    "text/xml": "application/xml",
    "video/x-m4v": "video/mp4",
}
# What a compressed name (``x.tar.gz``) holds, by the encoding mimetypes reads from its last suffix.
COMPRESSED = {
    "gzip": "application/gzip",
    "bzip2": "application/x-bzip2",
    "xz": "application/x-xz",
    "compress": "application/x-compress",
    "br": "application/x-brotli",
}


@cache
def _version() -> str:
    number: int = magic.version()  # type: ignore[no-untyped-call]
    return f"{number // 100}.{number % 100:02d}"


def name_suggests(name: str) -> str | None:
    """The media type a file's name suggests (its extension), or None when it suggests none."""
    media_type, encoding = mimetypes.guess_type(name, strict=False)
    if encoding is not None:
        return COMPRESSED.get(encoding, media_type)
    return media_type


def _normal(media_type: str) -> str:
    return SAME_TYPE.get(media_type, media_type)


def extension_matches(media_type: str, name: str) -> bool | None:
    """Whether ``name``'s extension fits content of ``media_type``; None when the name has no
    extension that suggests a type (nothing to compare)."""
    suggested = name_suggests(name)
    if suggested is None:
        return None
    if _normal(suggested) == _normal(media_type):
        return True
    suffix = Path(name).suffix.lower()
    return suffix in mimetypes.guess_all_extensions(media_type, strict=False)


class FileTypeExtractor:
    """Identifies every file's media type and description with libmagic."""

    kind = "type"

    def applies(self, media_type: str, name: str) -> bool:
        return True

    def tool(self) -> Tool:
        return Tool("libmagic", _version())

    def extract(self, source: Path, work: Path, limits: Limits) -> Extraction:
        if not source.is_file():
            # libmagic's Python binding opens the path first, and opening a pipe would wait forever.
            raise ExtractionFailed("the working copy is not a regular file")
        try:
            media_type: str = magic.from_file(str(source), mime=True)
            description: str = magic.from_file(str(source))
        except (magic.MagicException, OSError) as error:
            reason = _reason(error).replace(str(source), "the file")
            raise ExtractionFailed(f"libmagic could not read the file: {reason}") from None
        return Extraction(
            kind=self.kind,
            tool=self.tool(),
            metadata={
                "media_type": media_type,
                "description": description,
                "extension_matches": extension_matches(media_type, source.name),
                "name_suggests": name_suggests(source.name),
            },
        )


def _reason(error: Exception) -> str:
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    return str(error)
