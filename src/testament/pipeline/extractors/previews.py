"""Previews: a thumbnail of an image, keyframes of a video, the first page of a PDF.

Each preview is a derived file that records exactly what made it (size, format, quality, the
frame's second or the page's resolution), so that a court can see how a picture in the gallery
relates to the original. Images are decoded in process by Pillow behind a pixel limit (a
decompression bomb is refused before it is decoded); video goes through ffmpeg and PDF pages
through poppler's ``pdftoppm``, each within the extraction's limits.

External tools read the source through a link with a neutral name, so that their error messages,
which are quoted in the reason of a failure, never carry an item's file name.
"""

from __future__ import annotations

import functools
import json
import math
import re
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import magic
import PIL
from PIL import Image, ImageOps, UnidentifiedImageError

from testament.pipeline.extractors import wacz_preview
from testament.pipeline.extractors.base import (
    STDERR_QUOTE,
    DerivedFile,
    Extraction,
    ExtractionFailed,
    Limits,
    Tool,
    run_tool,
)

# The name under which a tool sees the file it reads (see ``neutral_name``).
NEUTRAL_NAME = "input"
# A version query is quick; these are its limits.
VERSION_LIMITS = Limits(timeout_s=10.0, output_bytes=64 * 1024)
# ffmpeg's JPEG quality scale runs from 2 (best) to 31.
FFMPEG_QSCALE = 3
ORIENTATION_TAG = 0x0112
# The image types thumbnailed, and the Pillow formats they are read with. Naming the formats keeps
# Pillow's rarer decoders (and its EPS plugin, which runs Ghostscript) away from hostile files; a
# phone's multi-picture JPEG (MPO) is read as JPEG.
IMAGE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/tiff",
        "image/bmp",
        "image/x-ms-bmp",
    }
)
PILLOW_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP")
# How much of a file libmagic reads to name its type.
SNIFF_BYTES = 8192


@contextmanager
def neutral_name(source: Path, scratch: Path) -> Iterator[Path]:
    """A link to ``source`` named ``input`` in a new directory under ``scratch``, removed afterwards.

    Run a tool with ``cwd`` set to the link's directory and ``input`` as its argument: what the
    tool says about the file then names ``input``, never the item's own file name. Whatever else
    the tool writes there (a rendered page) stays under ``scratch`` (the extraction's work
    directory, never the system's temporary directory) and is removed with the link."""
    with tempfile.TemporaryDirectory(prefix=".scratch-", dir=scratch) as folder:
        link = Path(folder) / NEUTRAL_NAME
        link.symlink_to(source.resolve())
        yield link


def tool_version(args: list[str], name: str, pattern: str) -> str:
    """The version a tool prints when run with ``args``: the first group of ``pattern``."""
    out = run_tool(args, VERSION_LIMITS, name=name).decode("utf-8", "replace")
    found = re.search(pattern, out)
    if found is None:
        raise ExtractionFailed(f"{name} did not say its version")
    return found.group(1)


@functools.cache
def ffmpeg_version() -> str:
    """The installed ffmpeg's version, e.g. ``5.1.9-0+deb12u1``."""
    return tool_version(["ffmpeg", "-version"], "ffmpeg", r"ffmpeg version (\S+)")


@functools.cache
def poppler_version() -> str:
    """The installed poppler utilities' version, e.g. ``22.12.0``.

    Poppler prints its version on standard error only, and ``run_tool`` returns standard output,
    so a shell joins the two; the command is fixed text, never built from input."""
    args = ["sh", "-c", "exec pdftoppm -v 2>&1"]
    return tool_version(args, "pdftoppm", r"pdftoppm version (\S+)")


@dataclass(frozen=True)
class _Frame:
    second: float
    path: Path


class PreviewExtractor:
    """Thumbnails of images, keyframes of video, and the first page of a PDF (kind ``preview``).

    ``max_side`` is the longest side of every preview in pixels; ``max_pixels`` refuses an image
    with more pixels than that before decoding it; ``frames`` is how many keyframes a video gives,
    evenly spaced over its duration; ``quality`` is the JPEG quality of thumbnails and PDF pages."""

    kind = "preview"

    def __init__(
        self,
        *,
        max_side: int = 512,
        max_pixels: int = 100_000_000,
        frames: int = 6,
        quality: int = 85,
    ) -> None:
        if max_side < 16 or max_pixels < 1 or frames < 1 or not 1 <= quality <= 95:
            raise ValueError("max_side >= 16, max_pixels >= 1, frames >= 1 and quality 1-95")
        self.max_side = max_side
        self.max_pixels = max_pixels
        self.frames = frames
        self.quality = quality

    def applies(self, media_type: str, name: str) -> bool:
        """The common image types (:data:`IMAGE_TYPES`), any video, PDF, and a web capture's WACZ."""
        return (
            media_type in IMAGE_TYPES
            or media_type.startswith("video/")
            or media_type in ("application/pdf", "application/wacz")
        )

    def tool(self) -> Tool:
        """Pillow, ffmpeg and pdftoppm, with their versions (each extraction names the one it used)."""
        version = (
            f"Pillow {PIL.__version__}; ffmpeg {ffmpeg_version()}; poppler {poppler_version()}"
        )
        return Tool("Pillow+ffmpeg+pdftoppm", version)

    def extract(self, source: Path, work: Path, limits: Limits) -> Extraction:
        """A thumbnail (image), keyframes (video) or the first page (PDF) under ``work``.

        The file's type is read from its content (libmagic), whatever its name says."""
        media_type = sniff(source)
        if media_type == "application/zip" and wacz_preview.is_wacz(source):
            shot = wacz_preview.screenshot(source, work, limits.output_bytes)
            found = self._thumbnail(shot, work)
            shot.unlink()
            for derived in found.derived:
                derived.parameters["from"] = "the capture's full-page screenshot"
            return found
        if media_type == "application/pdf":
            return self._pdf_preview(source, work, limits)
        if media_type in IMAGE_TYPES:
            return self._thumbnail(source, work)
        if media_type.startswith("image/"):
            raise ExtractionFailed(f"this type of image gets no thumbnail ({media_type})")
        if media_type.startswith("video/"):
            return self._keyframes(source, work, limits)
        raise ExtractionFailed(f"the file is not an image, a video or a PDF ({media_type})")

    # Images

    def _thumbnail(self, source: Path, work: Path) -> Extraction:
        with warnings.catch_warnings():
            # The pixel limit below is the rule, and Pillow's other warnings (corrupt EXIF data)
            # change nothing here: what decodes is shown, what does not fails below.
            warnings.simplefilter("ignore")
            try:
                with Image.open(source, formats=PILLOW_FORMATS) as image:
                    parameters = self._check_pixels(image)
                    # A JPEG is decoded at the smallest scale (1/2, 1/4, 1/8) still over max_side.
                    image.draft("RGB", (self.max_side, self.max_side))
                    parameters["decoded_width"], parameters["decoded_height"] = image.size
                    thumbnail = self._shrink(image)
            except ExtractionFailed:
                raise
            except Image.DecompressionBombError:
                limit = min(self.max_pixels, 2 * (Image.MAX_IMAGE_PIXELS or self.max_pixels))
                raise ExtractionFailed(_bomb(limit)) from None
            except UnidentifiedImageError:
                raise ExtractionFailed("Pillow does not recognise the image's format") from None
            except Exception as error:  # a hostile file can make Pillow raise almost anything
                # Pillow's messages may quote the file's path; the path is taken out.
                message = str(error).replace(str(source), "the file")[:STDERR_QUOTE]
                raise ExtractionFailed(f"Pillow could not decode the image: {message}") from None
        return self._save_thumbnail(thumbnail, work, parameters)

    def _check_pixels(self, image: Image.Image) -> dict[str, Any]:
        width, height = image.size
        if width * height > self.max_pixels:
            raise ExtractionFailed(_bomb(self.max_pixels))
        orientation = image.getexif().get(ORIENTATION_TAG, 1)
        if not isinstance(orientation, int):
            orientation = None
        return {"source_width": width, "source_height": height, "exif_orientation": orientation}

    def _shrink(self, image: Image.Image) -> Image.Image:
        """Turn upright, scale down, and keep no metadata."""
        alpha = image.has_transparency_data
        upright = ImageOps.exif_transpose(image)
        upright.thumbnail((self.max_side, self.max_side), Image.Resampling.LANCZOS)
        upright = _eight_bit(upright)
        wanted = ("RGBA", "LA") if alpha else ("RGB", "L")
        if upright.mode not in wanted:
            upright = upright.convert("RGBA" if alpha else "RGB")
        upright.info.clear()  # no EXIF, XMP, ICC profile or comment goes into the thumbnail
        return upright

    def _save_thumbnail(
        self, thumbnail: Image.Image, work: Path, parameters: dict[str, Any]
    ) -> Extraction:
        alpha = thumbnail.mode in ("RGBA", "LA")
        path = work / ("thumbnail.png" if alpha else "thumbnail.jpg")
        if alpha:
            thumbnail.save(path, "PNG", optimize=True)
            written: dict[str, Any] = {"format": "PNG"}
        else:
            thumbnail.save(path, "JPEG", quality=self.quality)
            written = {"format": "JPEG", "quality": self.quality}
        width, height = thumbnail.size
        derived = DerivedFile(
            path=path,
            role="thumbnail",
            media_type="image/png" if alpha else "image/jpeg",
            name=path.name,
            parameters={
                "max_side": self.max_side,
                "width": width,
                "height": height,
                **written,
                "resample": "LANCZOS",
                **parameters,
                "metadata": "stripped",
            },
        )
        return Extraction(
            kind=self.kind,
            tool=Tool("Pillow", PIL.__version__),
            parameters={"max_side": self.max_side, "max_pixels": self.max_pixels},
            derived=[derived],
        )

    # Video

    def _keyframes(self, source: Path, work: Path, limits: Limits) -> Extraction:
        with neutral_name(source, work) as link:
            duration = _duration(link, limits)
            # A stream that gives no duration (a live recording) gives its first frame.
            count = self.frames if duration else 1
            seconds = [round((duration or 0.0) * n / count, 3) for n in range(count)]
            frames: list[_Frame] = []
            incomplete: str | None = None
            for index, second in enumerate(seconds, start=1):
                path = work / f"keyframe-{index:02d}.jpg"
                try:
                    self._grab(link, second, path, limits)
                except ExtractionFailed as failure:
                    if not frames:
                        raise
                    incomplete = failure.reason
                    break
                if path.is_file() and path.stat().st_size > 0:
                    frames.append(_Frame(second, path))
        if not frames:
            raise ExtractionFailed("ffmpeg could not decode any frame of the video")
        metadata: dict[str, Any] = {"duration": duration}
        if incomplete is not None:
            metadata["incomplete"] = incomplete
        return Extraction(
            kind=self.kind,
            tool=Tool("ffmpeg", ffmpeg_version()),
            parameters={"max_side": self.max_side, "frames": self.frames, "qscale": FFMPEG_QSCALE},
            metadata=metadata,
            derived=[self._keyframe(frame, first=not n) for n, frame in enumerate(frames)],
        )

    def _grab(self, link: Path, second: float, path: Path, limits: Limits) -> None:
        side = self.max_side
        # Non-square pixels (an anamorphic video) are made square first, so the frame keeps the
        # shape the video is shown in; then the longest side is brought down to max_side.
        scale = (
            "scale='trunc(iw*sar)':ih,setsar=1,"
            f"scale='min({side},iw)':'min({side},ih)':force_original_aspect_ratio=decrease"
        )
        args = ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1"]
        args += ["-ss", f"{second:.3f}", "-i", NEUTRAL_NAME, "-map", "0:v:0", "-an", "-sn", "-dn"]
        args += ["-frames:v", "1", "-vf", scale, "-q:v", str(FFMPEG_QSCALE)]
        args += ["-f", "image2", "-update", "1", "-y", str(path)]
        run_tool(args, limits, name="ffmpeg", cwd=link.parent)

    def _keyframe(self, frame: _Frame, *, first: bool) -> DerivedFile:
        width, height = _jpeg_size(frame.path)
        parameters: dict[str, Any] = {
            "second": frame.second,
            "max_side": self.max_side,
            "width": width,
            "height": height,
            "format": "JPEG",
            "qscale": FFMPEG_QSCALE,
            "preview": first,
        }
        return DerivedFile(frame.path, "keyframe", "image/jpeg", frame.path.name, parameters)

    # PDF

    def _pdf_preview(self, source: Path, work: Path, limits: Limits) -> Extraction:
        resolution = 72
        out = work / "preview"
        args = ["pdftoppm", "-f", "1", "-l", "1", "-r", str(resolution), "-jpeg"]
        args += ["-jpegopt", f"quality={self.quality}", "-scale-to", str(self.max_side)]
        with neutral_name(source, work) as link:
            args += ["-singlefile", NEUTRAL_NAME, str(out)]
            run_tool(args, limits, name="pdftoppm", cwd=link.parent)
        path = out.with_suffix(".jpg")
        if not path.is_file():
            raise ExtractionFailed("pdftoppm rendered no page of the PDF")
        width, height = _jpeg_size(path)
        parameters = {
            "page": 1,
            "resolution": resolution,
            "scale_to": self.max_side,
            "width": width,
            "height": height,
            "format": "JPEG",
            "quality": self.quality,
        }
        derived = DerivedFile(path, "preview", "image/jpeg", path.name, parameters)
        return Extraction(
            kind=self.kind,
            tool=Tool("pdftoppm", poppler_version()),
            parameters={"max_side": self.max_side, "quality": self.quality},
            derived=[derived],
        )


def sniff(source: Path) -> str:
    """The media type of ``source`` from its first bytes (libmagic).

    Only a regular file is read: opening a pipe or a device could block the worker."""
    if not source.is_file():
        raise ExtractionFailed("the file to process is not a regular file")
    with source.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
    return str(magic.from_buffer(head, mime=True))


def _eight_bit(image: Image.Image) -> Image.Image:
    """A grey image of more than 8 bits a pixel (a scanner's 16-bit TIFF, a 16-bit PNG) stretched
    over 8 bits by its own darkest and lightest values; Pillow's plain conversion would clip it
    to almost white. Any other image is returned as it is."""
    if image.mode not in ("I", "F") and not image.mode.startswith("I;16"):
        return image
    wide = image.convert("I").convert("F") if image.mode != "F" else image
    low, high = cast(tuple[float, float], wide.getextrema())  # one band: (lowest, highest)
    scale = 255 / (high - low) if high > low else 1.0
    return wide.point(lambda value: value * scale - low * scale).convert("L")


def _bomb(pixels: int) -> str:
    return f"the image is larger than {pixels / 1_000_000:g} megapixels (decompression bomb?)"


def _duration(link: Path, limits: Limits) -> float | None:
    """The video's duration in seconds from ffprobe; None where it does not say."""
    args = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries"]
    args += ["format=duration:stream=codec_type", "-of", "json", NEUTRAL_NAME]
    out = run_tool(args, limits, name="ffprobe", cwd=link.parent)
    try:
        probe = json.loads(out)
    except ValueError:
        raise ExtractionFailed("ffprobe did not answer in JSON") from None
    if not probe.get("streams"):
        raise ExtractionFailed("the file holds no video stream")
    try:
        duration = float(probe.get("format", {})["duration"])
    except (KeyError, TypeError, ValueError):
        return None
    return duration if duration > 0 and math.isfinite(duration) else None


def _jpeg_size(path: Path) -> tuple[int, int]:
    """The size of a JPEG this extractor's tools wrote (read from its header only)."""
    with Image.open(path) as image:
        return image.size
