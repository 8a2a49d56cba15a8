"""Embedded metadata through ExifTool: the camera, when the file says it was made, and GPS.

The result's ``metadata`` holds a curated summary (``camera``, ``creation_time``, ``software``,
``width``/``height``, ``page_count``, ``mime_type``, ``warning``, ``gps``) and every other tag ExifTool
read under ``tags`` (binary tags, oversized values and the working copy's own file-system tags left
out; ``tags_dropped`` counts them). GPS becomes a *suggested* location, taken from ExifTool's composite
tags because the EXIF ones are unsigned (their hemisphere is a separate reference tag).

The extractor sees only a working copy, so it cannot know the file time recorded at ingest: the
caller compares the two with :func:`compare_times`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from testament.pipeline.extractors.base import (
    Extraction,
    ExtractionFailed,
    Limits,
    SuggestedLocation,
    Tool,
    run_tool,
)

EXIFTOOL = ("exiftool", "-json", "-n", "-G", "-api", "largefilesupport=1")
VERSION_LIMITS = Limits(timeout_s=30.0)
# What makes a tool's message differ from run to run without saying more (ffmpeg's "@ 0x55d8…").
TOOL_NOISE = re.compile(r" @ 0x[0-9a-f]+")
# Tags that describe the working copy on this machine, not the item.
WORKING_COPY_TAGS = frozenset(
    {
        "SourceFile",
        "ExifTool:ExifToolVersion",
        "File:FileName",
        "File:Directory",
        "File:FileModifyDate",
        "File:FileAccessDate",
        "File:FileInodeChangeDate",
        "File:FilePermissions",
    }
)
# Where the creation time is read from, best first, each with the tag holding its UTC offset if
# kept apart. QuickTime's CreateDate is UTC by the format's definition.
TIME_TAGS: tuple[tuple[str, str | None], ...] = (
    ("Composite:SubSecDateTimeOriginal", None),
    ("EXIF:DateTimeOriginal", "EXIF:OffsetTimeOriginal"),
    ("Composite:SubSecCreateDate", None),
    ("EXIF:CreateDate", "EXIF:OffsetTimeDigitized"),
    ("XMP:DateTimeOriginal", None),
    ("XMP:CreateDate", None),
    ("QuickTime:CreationDate", None),
    ("QuickTime:CreateDate", "Z"),
    ("PDF:CreateDate", None),
)
CAMERA_TAGS = {
    "make": ("EXIF:Make", "QuickTime:Make", "XMP:Make"),
    "model": ("EXIF:Model", "QuickTime:Model", "XMP:Model"),
    "serial": ("EXIF:SerialNumber", "MakerNotes:SerialNumber", "MakerNotes:InternalSerialNumber"),
    "lens": ("EXIF:LensModel", "Composite:LensID", "MakerNotes:LensModel", "XMP:Lens"),
}
SOFTWARE_TAGS = ("EXIF:Software", "XMP:CreatorTool", "QuickTime:Software", "PDF:Creator")
EXIF_DATE = re.compile(
    r"(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?"
)
OFFSET = re.compile(r"Z|[+-]\d{2}:?\d{2}")
# A device without a fix often writes 0, 0 ("null island"), which is no place anyone filmed.
NO_FIX = (0.0, 0.0)
# Within how many hours of UTC a local time can be (UTC-12 to UTC+14).
ZONE_SPAN_S = 14 * 3600


class MetadataExtractor:
    """Reads embedded metadata of images, video, audio and PDF with ExifTool.

    ``max_tags`` caps how many tags are kept under ``tags``; ``max_value_chars`` how long a kept
    value (or a list's values together) may be."""

    kind = "metadata"

    def __init__(self, *, max_tags: int = 1000, max_value_chars: int = 1000) -> None:
        self.max_tags = max_tags
        self.max_value_chars = max_value_chars

    def applies(self, media_type: str, name: str) -> bool:
        return media_type.startswith(("image/", "video/", "audio/")) or (
            media_type == "application/pdf"
        )

    def tool(self) -> Tool:
        return Tool("ExifTool", _version())

    def extract(self, source: Path, work: Path, limits: Limits) -> Extraction:
        out = run_on(source, EXIFTOOL, limits, name="ExifTool")
        try:
            documents = json.loads(out)
            tags: dict[str, Any] = documents[0]
        except (ValueError, LookupError, TypeError):
            raise ExtractionFailed("ExifTool's output is not the JSON it writes") from None
        if not isinstance(tags, dict):
            raise ExtractionFailed("ExifTool's output is not the JSON it writes")
        metadata = summary(tags)
        location = None
        if "Composite:GPSLatitude" in tags or "Composite:GPSLongitude" in tags:
            try:
                location = suggested_location(
                    tags.get("Composite:GPSLatitude"),
                    tags.get("Composite:GPSLongitude"),
                    tags.get("Composite:GPSAltitude"),
                    _gps_source(tags),
                )
                metadata["gps"] = location_record(location)
            except ValueError as error:
                metadata["gps_rejected"] = str(error)
        kept, dropped = kept_tags(tags, self.max_tags, self.max_value_chars)
        metadata["tags"] = kept
        metadata["tags_dropped"] = dropped
        return Extraction(kind=self.kind, tool=self.tool(), metadata=metadata, location=location)


@cache
def _version() -> str:
    return run_tool(["exiftool", "-ver"], VERSION_LIMITS, name="ExifTool").decode().strip()


def run_on(source: Path, args: Sequence[str], limits: Limits, *, name: str) -> bytes:
    """Run a tool on ``source`` (its absolute path last) under ``limits``; a failure's reason never
    shows the working copy's path, and a failure the tool explains nowhere gets a plain reason."""
    path = str(source.absolute())
    try:
        return run_tool([*args, path], limits, name=name)
    except ExtractionFailed as failed:
        reason = failed.reason.replace(path, "the file")
        reason = "; ".join(TOOL_NOISE.sub("", reason).split("\n"))
        if reason.startswith(f"{name} failed (exit") and reason.endswith("): "):
            reason = (
                f"{name} could not read the file: it is damaged or in a format {name} does not know"
            )
        raise ExtractionFailed(reason) from None


def summary(tags: dict[str, Any]) -> dict[str, Any]:
    """The curated part of the metadata: what an analyst asks of a photo, a video or a PDF first."""
    metadata: dict[str, Any] = {}
    camera = {field: _first(tags, names) for field, names in CAMERA_TAGS.items()}
    if any(value is not None for value in camera.values()):
        metadata["camera"] = {field: value for field, value in camera.items() if value is not None}
    created = creation_time(tags)
    if created is not None:
        metadata["creation_time"], metadata["creation_time_tag"] = created
    for key, names in (
        ("software", SOFTWARE_TAGS),
        ("mime_type", ("File:MIMEType",)),
        ("page_count", ("PDF:PageCount",)),
        ("warning", ("ExifTool:Warning",)),
    ):
        value = _first(tags, names)
        if value is not None:
            metadata[key] = value
    size = str(tags.get("Composite:ImageSize", "")).split()
    if len(size) == 2 and all(part.isdigit() for part in size):
        metadata["width"], metadata["height"] = int(size[0]), int(size[1])
    return metadata


def _first(tags: dict[str, Any], names: Iterable[str]) -> Any:
    for name in names:
        value = tags.get(name)
        if value not in (None, ""):
            return value
    return None


def creation_time(tags: dict[str, Any]) -> tuple[str, str] | None:
    """When the file says it was made, as ISO 8601 (with its UTC offset when the file gives one),
    and the tag it came from; None when no tag holds a real date."""
    for name, offset_tag in TIME_TAGS:
        value = tags.get(name)
        if not isinstance(value, str):
            continue
        offset = "Z" if offset_tag == "Z" else tags.get(offset_tag) if offset_tag else None
        iso = exif_date(value, offset if isinstance(offset, str) else None)
        if iso is not None:
            return iso, name
    return None


def exif_date(value: str, offset: str | None = None) -> str | None:
    """ExifTool's ``YYYY:MM:DD HH:MM:SS[.ss][±HH:MM]`` as ISO 8601; ``offset`` applies when the date
    has none of its own. None for a date that is not one (``0000:00:00 00:00:00``)."""
    match = EXIF_DATE.fullmatch(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if zone is None and offset is not None and OFFSET.fullmatch(offset.strip()):
        zone = offset.strip()
    iso = f"{year}-{month}-{day}T{hour}:{minute}:{second}{fraction or ''}{_zone(zone)}"
    try:
        datetime.fromisoformat(iso)
    except ValueError:
        return None
    return iso


def _zone(zone: str | None) -> str:
    if zone is None or zone == "Z":
        return zone or ""
    return zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"


def compare_times(
    created: str | None, file_time: str | None, *, tolerance_s: float = 2.0
) -> dict[str, Any]:
    """Compare the creation time a file states with the file time recorded for it (both ISO 8601).

    Returns ``seconds_apart`` (absolute), ``earlier`` (``creation``, ``file`` or ``neither``) and
    ``consistent`` (within ``tolerance_s``). A creation time without a UTC offset is local time in an
    unknown zone (``creation_time_zone`` is ``unknown``): when the two are a whole time-zone offset
    apart (quarter hours, up to 14 hours) give or take the tolerance, that offset is taken as the
    creation time's (``implied_offset``) and they are consistent; otherwise they are compared as if
    it were UTC, and ``earlier`` is None when the zone alone could change which is earlier. When
    either time is missing or not a time, ``consistent`` is None and ``reason`` says why."""
    when = _parsed(created)
    recorded = _parsed(file_time)
    if recorded is not None and recorded.tzinfo is None:
        recorded = recorded.replace(tzinfo=UTC)  # a recorded file time is UTC
    if when is None or recorded is None:
        missing = "creation time" if when is None else "file time"
        return {"consistent": None, "reason": f"no {missing} to compare"}
    local = when.tzinfo is None
    seconds = (recorded - (when.replace(tzinfo=UTC) if local else when)).total_seconds()
    result: dict[str, Any] = {}
    unknown_order = False
    if local:
        result["creation_time_zone"] = "unknown"
        shift = round(seconds / 900) * 900
        if abs(shift) <= ZONE_SPAN_S and abs(seconds - shift) <= tolerance_s:
            result["implied_offset"] = _offset(-shift)
            seconds -= shift
        else:
            unknown_order = abs(seconds) <= ZONE_SPAN_S
    order = "neither" if seconds == 0 else "creation" if seconds > 0 else "file"
    result["seconds_apart"] = abs(seconds)
    result["earlier"] = None if unknown_order else order
    result["consistent"] = abs(seconds) <= tolerance_s
    return result


def _parsed(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _offset(seconds: int) -> str:
    sign = "+" if seconds >= 0 else "-"
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def suggested_location(
    latitude: object, longitude: object, altitude: object, source: str
) -> SuggestedLocation:
    """A suggested location from signed decimal degrees; ValueError says why the values are no place."""
    lat, lon = finite_number(latitude), finite_number(longitude)
    if lat is None or lon is None:
        raise ValueError("the GPS coordinates are not numbers")
    if not -90.0 <= lat <= 90.0 or not -180.0 <= lon <= 180.0:
        raise ValueError(f"the GPS coordinates are out of range ({lat:g}, {lon:g})")
    if (lat, lon) == NO_FIX:
        raise ValueError("the GPS coordinates are 0, 0, which devices write when they have no fix")
    return SuggestedLocation(lat, lon, source, finite_number(altitude))


def location_record(location: SuggestedLocation) -> dict[str, Any]:
    """A suggested location as metadata (JSON)."""
    record: dict[str, Any] = {
        "latitude": location.latitude,
        "longitude": location.longitude,
        "source": location.source,
    }
    if location.altitude is not None:
        record["altitude"] = location.altitude
    return record


def finite_number(value: object) -> float | None:
    """A number, or a string of one, as a finite float; None for anything else (NaN included)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _gps_source(tags: dict[str, Any]) -> str:
    if any(key.startswith("EXIF:GPS") for key in tags):
        return "EXIF GPS"
    if any(key.startswith("QuickTime:") and ("GPS" in key or "Location" in key) for key in tags):
        return "QuickTime GPS"
    return "XMP GPS" if any(key.startswith("XMP:GPS") for key in tags) else "GPS"


def kept_tags(
    tags: dict[str, Any], max_tags: int, max_value_chars: int
) -> tuple[dict[str, Any], int]:
    """The tags worth keeping (at most ``max_tags``), and how many were dropped: binary data (which
    ExifTool writes as a placeholder), values over ``max_value_chars`` and non-finite numbers."""
    kept: dict[str, Any] = {}
    dropped = 0
    for key, value in tags.items():
        if key in WORKING_COPY_TAGS:
            continue
        if len(kept) >= max_tags or not _plain(value, max_value_chars):
            dropped += 1
            continue
        kept[key] = value
    return kept, dropped


def _plain(value: object, max_chars: int) -> bool:
    if isinstance(value, list):
        return all(
            not isinstance(part, list | dict) and _plain(part, max_chars) for part in value
        ) and (len(json.dumps(value)) <= max_chars)
    if isinstance(value, str):
        return len(value) <= max_chars and not value.startswith(("(Binary data ", "base64:"))
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, int | bool) or value is None
