"""Audio and video through ffprobe: duration, container, each stream's codec, and QuickTime GPS.

ffprobe reads the file itself, seeking to what it needs, so a 5 GB video costs no more memory here
than a small one: only ffprobe's JSON answer comes back, capped by ``Limits.output_bytes``.

The result's ``metadata``: ``container`` (ffprobe's format names) and ``container_name``,
``duration_s``, ``bit_rate``, ``size``, ``streams`` (each with ``index``, ``type``, ``codec`` and what
applies of ``profile``, ``width``, ``height``, ``frame_rate``, ``sample_rate``, ``channels``,
``channel_layout``, ``bit_rate``, ``duration_s``, ``language``), ``stream_count``, the first video
stream's ``width``, ``height``, ``frame_rate`` and ``video_codec``, the first audio stream's
``audio_codec``, ``creation_time``, the raw ``location`` tag with ``gps`` (or ``gps_rejected``), and
the container's ``tags``.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
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
from testament.pipeline.extractors.metadata import (
    finite_number,
    kept_tags,
    location_record,
    run_on,
    suggested_location,
)

FFPROBE = ("ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams")
VERSION_LIMITS = Limits(timeout_s=30.0)
# Tags holding a place as ISO 6709, best first: Apple's, then the one ffmpeg reads from ©xyz.
LOCATION_TAGS = ("com.apple.quicktime.location.iso6709", "location", "location-eng")
MAX_STREAMS = 64
MAX_TAGS = 200
MAX_VALUE_CHARS = 1000
# ISO 6709 as containers write it: latitude, longitude, an optional altitude, an optional CRS, "/".
ISO6709 = re.compile(
    r"(?P<lat>[+-]\d+(?:\.\d+)?)(?P<lon>[+-]\d+(?:\.\d+)?)(?P<alt>[+-]\d+(?:\.\d+)?)?"
    r"(?:CRS[A-Za-z0-9_:]*)?/?"
)


class MediaExtractor:
    """Reads the container and streams of audio and video files with ffprobe."""

    kind = "media"

    def applies(self, media_type: str, name: str) -> bool:
        return media_type.startswith(("video/", "audio/"))

    def tool(self) -> Tool:
        return Tool("ffprobe", _version())

    def extract(self, source: Path, work: Path, limits: Limits) -> Extraction:
        out = run_on(source, FFPROBE, limits, name="ffprobe")
        try:
            probe = json.loads(out)
        except ValueError:
            raise ExtractionFailed("ffprobe's output is not the JSON it writes") from None
        if not isinstance(probe, dict):
            raise ExtractionFailed("ffprobe's output is not the JSON it writes")
        container = _dict(probe.get("format"))
        streams = [_dict(stream) for stream in _list(probe.get("streams"))]
        metadata = _container_summary(container)
        metadata["streams"] = [stream_summary(stream) for stream in streams[:MAX_STREAMS]]
        metadata["stream_count"] = len(streams)
        metadata.update(_main_streams(streams))
        tags = _tags(container)
        created = _creation_time(tags, streams)
        if created is not None:
            metadata["creation_time"] = created
        location = None
        raw = _location_tag(tags)
        if raw is not None:
            metadata["location"] = raw
            try:
                location = quicktime_location(raw)
                metadata["gps"] = location_record(location)
            except ValueError as error:
                metadata["gps_rejected"] = str(error)
        metadata["tags"], metadata["tags_dropped"] = kept_tags(tags, MAX_TAGS, MAX_VALUE_CHARS)
        return Extraction(kind=self.kind, tool=self.tool(), metadata=metadata, location=location)


@cache
def _version() -> str:
    first = run_tool(["ffprobe", "-version"], VERSION_LIMITS, name="ffprobe").decode()
    words = first.split("\n", 1)[0].split()
    return words[2] if len(words) > 2 and words[1] == "version" else "unknown"


def _container_summary(container: dict[str, Any]) -> dict[str, Any]:
    summary = {
        "container": container.get("format_name"),
        "container_name": container.get("format_long_name"),
        "duration_s": finite_number(container.get("duration")),
        "bit_rate": _int(container.get("bit_rate")),
        "size": _int(container.get("size")),
    }
    return {key: value for key, value in summary.items() if value is not None}


def stream_summary(stream: dict[str, Any]) -> dict[str, Any]:
    """What matters of one stream: its type and codec, and its picture or sound."""
    summary = {
        "index": _int(stream.get("index")),
        "type": stream.get("codec_type"),
        "codec": stream.get("codec_name"),
        "profile": stream.get("profile"),
        "width": _int(stream.get("width")),
        "height": _int(stream.get("height")),
        "frame_rate": frame_rate(stream),
        "sample_rate": _int(stream.get("sample_rate")),
        "channels": _int(stream.get("channels")),
        "channel_layout": stream.get("channel_layout"),
        "bit_rate": _int(stream.get("bit_rate")),
        "duration_s": finite_number(stream.get("duration")),
        "language": _tags(stream).get("language"),
    }
    return {key: value for key, value in summary.items() if value not in (None, "")}


def _main_streams(streams: list[dict[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for stream in streams:
        kind = stream.get("codec_type")
        picture = _dict(stream.get("disposition")).get("attached_pic") == 1  # cover art
        if kind == "video" and not picture and "video_codec" not in found:
            found["video_codec"] = stream.get("codec_name")
            found["width"] = _int(stream.get("width"))
            found["height"] = _int(stream.get("height"))
            found["frame_rate"] = frame_rate(stream)
        elif kind == "audio" and "audio_codec" not in found:
            found["audio_codec"] = stream.get("codec_name")
    return {key: value for key, value in found.items() if value is not None}


def frame_rate(stream: dict[str, Any]) -> float | None:
    """A video stream's average frame rate (``30000/1001`` as 29.97), or its base rate."""
    for key in ("avg_frame_rate", "r_frame_rate"):
        numerator, _, denominator = str(stream.get(key, "")).partition("/")
        top, bottom = finite_number(numerator), finite_number(denominator or "1")
        if top and bottom:
            return round(top / bottom, 3)
    return None


def _creation_time(tags: dict[str, Any], streams: list[dict[str, Any]]) -> str | None:
    for candidate in (tags, *(_tags(stream) for stream in streams)):
        value = candidate.get("creation_time")
        if isinstance(value, str):
            try:
                datetime.fromisoformat(value)
            except ValueError:
                continue
            return value
    return None


def _location_tag(tags: dict[str, Any]) -> str | None:
    lowered = {key.lower(): value for key, value in tags.items()}
    for key in LOCATION_TAGS:
        value = lowered.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def quicktime_location(text: str) -> SuggestedLocation:
    """A suggested location from an ISO 6709 string (``+50.4501+030.5234/``, degrees and minutes
    ``+5027.006+03031.404/`` or with seconds); ValueError says why it is no place."""
    match = ISO6709.fullmatch(text.strip())
    if match is None:
        raise ValueError("the location tag is not an ISO 6709 position")
    latitude = _angle(match["lat"], 2)
    longitude = _angle(match["lon"], 3)
    altitude = float(match["alt"]) if match["alt"] else None
    return suggested_location(latitude, longitude, altitude, "QuickTime GPS")


def _angle(text: str, degree_digits: int) -> float:
    """ISO 6709's ±DD.D, ±DDMM.M or ±DDMMSS.S (three degree digits for a longitude)."""
    sign = -1.0 if text[0] == "-" else 1.0
    whole, _, fraction = text[1:].partition(".")
    fraction = f".{fraction}" if fraction else ""
    extra = len(whole) - degree_digits
    if extra not in (0, 2, 4):
        raise ValueError("the location tag is not an ISO 6709 position")
    degrees = float(whole[:degree_digits] + (fraction if extra == 0 else ""))
    minutes = float(whole[degree_digits:][:2] + (fraction if extra == 2 else "")) if extra else 0.0
    seconds = float(whole[degree_digits + 2 :] + fraction) if extra == 4 else 0.0
    if minutes >= 60 or seconds >= 60:
        raise ValueError("the location tag has minutes or seconds over 60")
    return sign * (degrees + minutes / 60 + seconds / 3600)


def _tags(entry: dict[str, Any]) -> dict[str, Any]:
    return _dict(entry.get("tags"))


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _int(value: object) -> int | None:
    number = finite_number(value)
    return int(number) if number is not None and number.is_integer() else None
