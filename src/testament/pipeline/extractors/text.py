"""Text: a PDF's text page by page, and Tesseract OCR of images and of scanned PDF pages.

Each piece of text says where it is (``page N`` or ``image``), so a search hit can point into the
item. A PDF page with almost no text is taken for a scan: it is rendered by ``pdftoppm`` and read by
Tesseract. Tesseract is always given its languages (Ukrainian, Russian and English by default)
rather than left to its default.

A PDF's JavaScript is never run (poppler's tools do not run it); whether a PDF holds any is read
with pypdf and recorded, since a document built to act when opened is worth an analyst's look.
"""

from __future__ import annotations

import functools
import re
import tempfile
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import PIL
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from testament.pipeline.extractors.base import (
    Extraction,
    ExtractionFailed,
    Limits,
    TextSpan,
    Tool,
    run_tool,
)
from testament.pipeline.extractors.previews import (
    NEUTRAL_NAME,
    ORIENTATION_TAG,
    PILLOW_FORMATS,
    neutral_name,
    poppler_version,
    sniff,
    tool_version,
)

# Tesseract's language codes joined by "+", e.g. "ukr+rus+eng" or "chi_sim+eng".
LANGUAGES = re.compile(r"[a-z][a-z_]*(\+[a-z][a-z_]*)*")
# Names in a PDF that hold or start JavaScript: an action's /JS, the document's /JavaScript name
# tree, and an action of type /S /JavaScript.
JAVASCRIPT_NAMES = frozenset({"/JS", "/JavaScript"})
# The most PDF objects looked through for JavaScript; beyond this the answer is unknown.
MAX_OBJECTS = 500_000
# The image types Tesseract (through Leptonica) reads.
OCR_TYPES = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/tiff",
        "image/gif",
        "image/bmp",
        "image/webp",
        "image/jp2",
        "image/x-portable-bitmap",
        "image/x-portable-graymap",
        "image/x-portable-pixmap",
        "image/x-portable-anymap",
    }
)
# pdftotext may write this many times the text kept (``Limits.output_bytes``) before it fails: the
# layout's spaces count in what it writes, and the text past the cap is cut rather than refused.
LAYOUT_ALLOWANCE = 4
# The EXIF orientations (2 to 8) that need the image turned or mirrored before it is read.
TURNED = frozenset(range(2, 9))
# An image with more pixels than this is not decoded here to be turned; Tesseract reads it as stored.
MAX_TURN_PIXELS = 100_000_000
# How much of a reason quotes a library's own message.
QUOTE = 200


@functools.cache
def tesseract_version() -> str:
    """The installed Tesseract's version, e.g. ``5.3.0``."""
    return tool_version(["tesseract", "--version"], "Tesseract", r"tesseract (\S+)")


def pdf_has_javascript(path: Path) -> bool:
    """Whether any object reachable from the PDF's trailer names JavaScript (an open action, a
    page's or an annotation's additional actions, the document's JavaScript names). Nothing is run.

    pypdf reads the file leniently (``strict=False``); a file it cannot read at all, or one with
    more than :data:`MAX_OBJECTS` objects, raises :class:`ExtractionFailed`."""
    try:
        with path.open("rb") as stream:
            return _names_javascript(PdfReader(stream, strict=False).trailer)
    except ExtractionFailed:
        raise
    except Exception as error:  # pypdf meets hostile input here and may raise anything
        message = f"{type(error).__name__}: {error}"[:QUOTE]
        raise ExtractionFailed(f"pypdf could not read the PDF ({message})") from None


def _names_javascript(trailer: DictionaryObject) -> bool:
    """A walk over the object graph, each indirect object once, without reading stream data."""
    seen: set[tuple[int, int]] = set()
    pending: list[Any] = [trailer]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            if len(seen) >= MAX_OBJECTS:
                raise ExtractionFailed(f"the PDF has more than {MAX_OBJECTS} objects to look at")
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            if JAVASCRIPT_NAMES.intersection(item) or dict.get(item, "/S") == "/JavaScript":
                return True
            pending.extend(dict.values(item))
        elif isinstance(item, ArrayObject):
            pending.extend(list.__iter__(item))
    return False


@dataclass
class _Collected:
    """Text spans kept so far, within a cap on their total size in UTF-8."""

    cap: int
    spans: list[TextSpan] = field(default_factory=list)
    size: int = 0
    truncated: bool = False

    def add(self, text: str, where: str, page: int | None = None) -> bool:
        """Keep ``text`` (cut at the cap); False once the cap is reached."""
        text = text.strip()
        encoded = text.encode("utf-8")
        if self.size + len(encoded) > self.cap:
            text = encoded[: self.cap - self.size].decode("utf-8", "ignore")
            self.truncated = True
        if text:
            self.spans.append(TextSpan(text, where, page))
            self.size += len(text.encode("utf-8"))
        return not self.truncated


class TextExtractor:
    """A PDF's text per page and OCR of images and scanned pages (kind ``text``).

    ``languages`` are Tesseract's (``ukr+rus+eng``); ``psm`` its page segmentation mode; ``dpi`` the
    resolution scanned pages are rendered at; ``max_pages`` how many pages of a PDF are read;
    ``min_chars`` the fewest characters (spaces aside) a page needs not to be taken for a scan."""

    kind = "text"

    def __init__(
        self,
        *,
        languages: str = "ukr+rus+eng",
        psm: int = 3,
        dpi: int = 200,
        max_pages: int = 500,
        min_chars: int = 16,
    ) -> None:
        if not LANGUAGES.fullmatch(languages):
            raise ValueError("languages are Tesseract's codes joined by '+', e.g. 'ukr+rus+eng'")
        if not 0 <= psm <= 13 or not 50 <= dpi <= 1200 or max_pages < 1 or min_chars < 0:
            raise ValueError("psm 0-13, dpi 50-1200, max_pages >= 1 and min_chars >= 0")
        self.languages = languages
        self.psm = psm
        self.dpi = dpi
        self.max_pages = max_pages
        self.min_chars = min_chars

    def applies(self, media_type: str, name: str) -> bool:
        """PDF, and the image formats Tesseract reads."""
        return media_type == "application/pdf" or media_type in OCR_TYPES

    def tool(self) -> Tool:
        """pdftotext and Tesseract, with their versions (each extraction names what it used)."""
        return Tool(
            "pdftotext+Tesseract", f"poppler {poppler_version()}; tesseract {tesseract_version()}"
        )

    def extract(self, source: Path, work: Path, limits: Limits) -> Extraction:
        """The text of ``source``; nothing is left under ``work`` (the caller indexes the text), which
        holds a scanned page only while it is read.

        The file's type is read from its content (libmagic), whatever its name says."""
        media_type = sniff(source)
        if media_type == "application/pdf":
            return self._pdf(source, work, limits)
        if media_type in OCR_TYPES:
            return self._image(source, work, limits)
        if media_type.startswith("image/"):
            raise ExtractionFailed(f"Tesseract does not read this image format ({media_type})")
        raise ExtractionFailed(f"the file is not an image or a PDF ({media_type})")

    def ocr(self, image: Path, scratch: Path, limits: Limits, *, dpi: int | None = None) -> str:
        """Tesseract's reading of ``image`` in this extractor's languages, within ``limits``.

        ``scratch`` is a directory for the image's neutral name; ``dpi`` is the image's resolution
        where it is known (a rendered page)."""
        args = ["tesseract", NEUTRAL_NAME, "stdout", "-l", self.languages, "--psm", str(self.psm)]
        if dpi is not None:
            args += ["--dpi", str(dpi)]
        with neutral_name(image, scratch) as link:
            out = run_tool(args, limits, name="Tesseract", cwd=link.parent)
        return out.decode("utf-8", "replace")

    def _ocr_parameters(self) -> dict[str, Any]:
        return {"languages": self.languages, "psm": self.psm}

    def _image(self, source: Path, work: Path, limits: Limits) -> Extraction:
        collected = _Collected(limits.output_bytes)
        parameters = self._ocr_parameters()
        with tempfile.TemporaryDirectory(prefix=".scratch-", dir=work) as folder:
            image, orientation = _upright(source, Path(folder))
            collected.add(self.ocr(image, work, limits), "image")
        parameters["exif_orientation"] = orientation
        if image != source:
            parameters["turned_upright_by"] = f"Pillow {PIL.__version__}"
        return Extraction(
            kind=self.kind,
            tool=Tool("Tesseract", tesseract_version()),
            parameters=parameters,
            metadata={"text_truncated": collected.truncated},
            text=collected.spans,
        )

    def _pdf(self, source: Path, work: Path, limits: Limits) -> Extraction:
        metadata = _javascript(source)
        collected = _Collected(limits.output_bytes)
        scanned: list[int] = []
        with neutral_name(source, work) as link:
            pages = self._pages(link, limits)
            beyond = len(pages) > self.max_pages
            pages = pages[: self.max_pages]
            for number, text in enumerate(pages, start=1):
                if len("".join(text.split())) < self.min_chars and "ocr_incomplete" not in metadata:
                    # After one page fails (a hang, a page too large), the other scans are left
                    # unread rather than each spending the timeout; their text pages are kept.
                    try:
                        text = self._ocr_page(link, number, limits)  # noqa: PLW2901
                        scanned.append(number)
                    except ExtractionFailed as failure:
                        metadata["ocr_incomplete"] = f"page {number}: {failure.reason}"
                if not collected.add(text, f"page {number}", number):
                    break
        metadata |= {
            "pages": len(pages),
            "page_limit_reached": beyond,
            "ocr_pages": scanned,
            "text_truncated": collected.truncated,
        }
        parameters: dict[str, Any] = {"layout": True, "max_pages": self.max_pages}
        tool = Tool("pdftotext", poppler_version())
        if scanned:
            parameters |= {**self._ocr_parameters(), "dpi": self.dpi, "min_chars": self.min_chars}
            version = f"poppler {poppler_version()}; tesseract {tesseract_version()}"
            tool = Tool("pdftotext+Tesseract", version)
        return Extraction(
            self.kind, tool, parameters=parameters, metadata=metadata, text=collected.spans
        )

    def _pages(self, link: Path, limits: Limits) -> list[str]:
        """Each page's text, up to one page past ``max_pages`` (so a PDF of exactly ``max_pages``
        pages is known to be whole): pdftotext ends every page with a form feed."""
        args = ["pdftotext", "-layout", "-enc", "UTF-8", "-f", "1", "-l", str(self.max_pages + 1)]
        allowed = replace(limits, output_bytes=limits.output_bytes * LAYOUT_ALLOWANCE)
        out = run_tool([*args, NEUTRAL_NAME, "-"], allowed, name="pdftotext", cwd=link.parent)
        return out.decode("utf-8", "replace").split("\f")[:-1]

    def _ocr_page(self, link: Path, number: int, limits: Limits) -> str:
        """Render one page in grey at ``dpi`` beside the link (a scratch directory) and read it."""
        out = link.parent / f"page-{number}"
        args = ["pdftoppm", "-r", str(self.dpi), "-gray", "-png", "-f", str(number)]
        args += ["-l", str(number), "-singlefile", NEUTRAL_NAME, str(out)]
        run_tool(args, limits, name="pdftoppm", cwd=link.parent)
        image = out.with_suffix(".png")
        try:
            return self.ocr(image, link.parent, limits, dpi=self.dpi)
        finally:
            image.unlink(missing_ok=True)


def _upright(source: Path, scratch: Path) -> tuple[Path, int]:
    """The image Tesseract should read, and the EXIF orientation it had: a phone's photo of a
    document is often stored sideways with an Orientation tag, and Tesseract does not read the tag.

    A turned copy (PNG) is written under ``scratch``. An image Pillow cannot read, or one over
    :data:`MAX_TURN_PIXELS`, is given to Tesseract as it is, to read or to fail on."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # corrupt EXIF data: the image is read without turning
        try:
            with Image.open(source, formats=PILLOW_FORMATS) as image:
                orientation = image.getexif().get(ORIENTATION_TAG, 1)
                width, height = image.size
                if orientation not in TURNED or width * height > MAX_TURN_PIXELS:
                    return source, 1
                upright = ImageOps.exif_transpose(image)
                path = scratch / "upright.png"
                upright.save(path, "PNG", compress_level=1)
                return path, orientation
        except Exception:  # Tesseract meets the same file, and gives its own reason
            return source, 1


def _javascript(source: Path) -> dict[str, Any]:
    """``javascript``: whether the PDF names any; None, with why, where pypdf cannot tell."""
    try:
        return {"javascript": pdf_has_javascript(source)}
    except ExtractionFailed as failure:
        return {"javascript": None, "javascript_unknown": failure.reason}
