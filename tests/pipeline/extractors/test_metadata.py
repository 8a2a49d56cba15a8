"""Embedded metadata through ExifTool: camera, creation time, GPS as a suggested location."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image

from testament.pipeline.extractors.base import Extraction, ExtractionFailed, Limits
from testament.pipeline.extractors.metadata import (
    MetadataExtractor,
    compare_times,
    exif_date,
    kept_tags,
    suggested_location,
)
from tests.pipeline.extractors.conftest import PHOTO_LATITUDE, PHOTO_LONGITUDE, noise, truncated

EXTRACTOR = MetadataExtractor()


def _extract(path: Path, tmp_path: Path, extractor: MetadataExtractor = EXTRACTOR) -> Extraction:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    result = extractor.extract(path, work, Limits(timeout_s=30))
    assert result.kind == "metadata"
    assert result.tool.name == "ExifTool"
    assert list(work.iterdir()) == []
    json.dumps(result.metadata, allow_nan=False)
    return result


def _exiftool(path: Path, *args: str) -> None:
    subprocess.run(["exiftool", "-overwrite_original", *args, str(path)], check=True, timeout=60)


def test_a_camera_photo_south_and_west_of_greenwich(camera_jpeg: Path, tmp_path: Path) -> None:
    result = _extract(camera_jpeg, tmp_path)
    metadata = result.metadata
    assert metadata["camera"] == {
        "make": "Canon",
        "model": "Canon EOS 5D Mark IV",
        "serial": "012345678901",
        "lens": "EF24-105mm f/4L IS II USM",
    }
    assert metadata["creation_time"] == "2024-05-01T10:20:30+03:00"
    assert metadata["mime_type"] == "image/jpeg"
    assert (metadata["width"], metadata["height"]) == (64, 48)
    location = result.location
    assert location is not None
    assert (location.latitude, location.longitude) == (PHOTO_LATITUDE, PHOTO_LONGITUDE)
    assert (location.source, location.altitude) == ("EXIF GPS", 120.0)
    assert metadata["gps"]["latitude"] == PHOTO_LATITUDE
    tags = metadata["tags"]
    assert tags["EXIF:GPSLatitude"] == abs(PHOTO_LATITUDE)  # unsigned: the reason to use Composite
    assert tags["EXIF:GPSLatitudeRef"] == "S"
    assert "SourceFile" not in tags and "File:Directory" not in tags and "File:FileName" not in tags


def test_a_video_location_and_creation_time(video_mp4: Path, tmp_path: Path) -> None:
    result = _extract(video_mp4, tmp_path)
    assert result.metadata["creation_time"] == "2024-05-01T10:20:30Z"
    assert result.metadata["creation_time_tag"] == "QuickTime:CreateDate"
    location = result.location
    assert location is not None and location.source == "QuickTime GPS"
    assert location.latitude == pytest.approx(50.4501, abs=1e-4)
    assert location.longitude == pytest.approx(30.5234, abs=1e-4)


def test_audio_and_pdf(audio_m4a: Path, pdf_file: Path, tmp_path: Path) -> None:
    audio = _extract(audio_m4a, tmp_path)
    assert audio.metadata["mime_type"] == "audio/mp4"
    assert audio.location is None
    pdf = _extract(pdf_file, tmp_path)
    assert pdf.metadata["page_count"] == 1
    assert pdf.metadata["creation_time_tag"] == "PDF:CreateDate"


def test_what_it_applies_to() -> None:
    for media_type in ("image/jpeg", "image/heic", "video/mp4", "audio/mpeg", "application/pdf"):
        assert EXTRACTOR.applies(media_type, "x")
    for media_type in ("text/plain", "application/zip", "application/octet-stream"):
        assert not EXTRACTOR.applies(media_type, "x")
    assert EXTRACTOR.tool().version.replace(".", "").isdigit()


def test_gps_with_no_fix_is_no_location(plain_jpeg: Path, tmp_path: Path) -> None:
    photo = tmp_path / "nofix.jpg"
    shutil.copyfile(plain_jpeg, photo)
    _exiftool(photo, "-GPSLatitude=0", "-GPSLatitudeRef=N", "-GPSLongitude=0", "-GPSLongitudeRef=E")
    result = _extract(photo, tmp_path)
    assert result.location is None
    assert "no fix" in result.metadata["gps_rejected"]


@pytest.mark.parametrize(
    ("latitude", "longitude", "reason"),
    [
        (91.0, 10.0, "out of range"),
        (-90.5, 10.0, "out of range"),
        (10.0, 180.5, "out of range"),
        (math.nan, 10.0, "not numbers"),
        (10.0, math.inf, "not numbers"),
        ("north", 10.0, "not numbers"),
        (None, 10.0, "not numbers"),
        (True, 10.0, "not numbers"),
    ],
)
def test_coordinates_that_are_no_place(latitude: object, longitude: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        suggested_location(latitude, longitude, None, "EXIF GPS")


def test_edges_of_the_globe_are_places() -> None:
    corner = suggested_location(-90, 180, "12.5", "EXIF GPS")
    assert (corner.latitude, corner.longitude, corner.altitude) == (-90.0, 180.0, 12.5)


def test_binary_tags_are_dropped_and_tags_capped(plain_jpeg: Path, tmp_path: Path) -> None:
    thumbnail = tmp_path / "thumb.jpg"
    Image.new("RGB", (16, 12), (0, 0, 0)).save(thumbnail)
    photo = tmp_path / "with-thumbnail.jpg"
    shutil.copyfile(plain_jpeg, photo)
    _exiftool(photo, f"-ThumbnailImage<={thumbnail}", "-Make=Nikon")
    full = _extract(photo, tmp_path).metadata
    assert "EXIF:ThumbnailImage" not in full["tags"]
    assert full["tags_dropped"] >= 1
    capped = _extract(photo, tmp_path, MetadataExtractor(max_tags=5)).metadata
    assert len(capped["tags"]) == 5
    assert capped["tags_dropped"] > full["tags_dropped"]


def test_kept_tags_leave_out_what_is_not_plain_json() -> None:
    kept, dropped = kept_tags(
        {
            "EXIF:Make": "Canon",
            "EXIF:Note": "x" * 11,
            "EXIF:Data": "(Binary data 2048 bytes, use -b option to extract)",
            "XMP:Blob": "base64:AAAA",
            "EXIF:Weird": math.nan,
            "XMP:List": ["a", "b"],
            "XMP:Nested": [["a"]],
            "File:Directory": "/somewhere",
        },
        max_tags=10,
        max_value_chars=10,
    )
    assert kept == {"EXIF:Make": "Canon", "XMP:List": ["a", "b"]}
    assert dropped == 5


@pytest.mark.parametrize(
    ("value", "offset", "iso"),
    [
        ("2024:05:01 10:20:30", None, "2024-05-01T10:20:30"),
        ("2024:05:01 10:20:30", "+03:00", "2024-05-01T10:20:30+03:00"),
        ("2024:05:01 10:20:30.25-0500", None, "2024-05-01T10:20:30.25-05:00"),
        ("2024:05:01 10:20:30Z", "+03:00", "2024-05-01T10:20:30Z"),
        ("0000:00:00 00:00:00", None, None),
        ("2024:13:01 10:20:30", None, None),
        ("yesterday", None, None),
    ],
)
def test_exiftool_dates(value: str, offset: str | None, iso: str | None) -> None:
    assert exif_date(value, offset) == iso


def test_compare_times_with_zones() -> None:
    same = compare_times("2024-05-01T10:20:30+03:00", "2024-05-01T07:20:31.000000Z")
    assert same == {"seconds_apart": 1.0, "earlier": "creation", "consistent": True}
    later = compare_times("2024-05-01T10:20:30Z", "2024-05-01T07:20:30.000000Z")
    assert later == {"seconds_apart": 10800.0, "earlier": "file", "consistent": False}


def test_compare_times_with_a_local_creation_time() -> None:
    kyiv = compare_times("2024-05-01T10:20:30", "2024-05-01T07:20:31.000000Z")
    assert kyiv["implied_offset"] == "+03:00"
    assert (kyiv["consistent"], kyiv["earlier"], kyiv["seconds_apart"]) == (True, "creation", 1.0)
    odd = compare_times("2024-05-01T10:20:30", "2024-05-01T08:00:31.000000Z")
    assert odd["consistent"] is False and odd["earlier"] is None
    assert odd["creation_time_zone"] == "unknown"
    days = compare_times("2024-05-01T10:20:30", "2024-05-03T10:20:30.000000Z")
    assert (days["consistent"], days["earlier"]) == (False, "creation")


def test_compare_times_with_nothing_to_compare() -> None:
    assert compare_times(None, "2024-05-01T07:20:31Z")["reason"] == "no creation time to compare"
    assert compare_times("2024-05-01T07:20:31Z", "soon")["reason"] == "no file time to compare"


def test_a_truncated_jpeg_says_what_could_be_read(camera_jpeg: Path, tmp_path: Path) -> None:
    result = _extract(truncated(camera_jpeg, tmp_path, 300), tmp_path)
    assert result.metadata["mime_type"] == "image/jpeg"
    assert "format error" in result.metadata["warning"]


def test_a_truncated_mp4_says_what_could_be_read(video_mp4: Path, tmp_path: Path) -> None:
    result = _extract(truncated(video_mp4, tmp_path, 8000), tmp_path)
    assert result.metadata["mime_type"] == "video/mp4"
    assert "Truncated" in result.metadata["warning"]


def test_a_truncated_pdf_says_what_could_be_read(pdf_file: Path, tmp_path: Path) -> None:
    result = _extract(truncated(pdf_file, tmp_path, 400), tmp_path)
    assert result.metadata["mime_type"] == "application/pdf"
    assert "xref" in result.metadata["warning"]


@pytest.mark.parametrize("name", ["Olena Petrenko.jpg", "clip.mp4", "statement.pdf"])
def test_a_corrupt_file_fails_cleanly_without_its_name(name: str, tmp_path: Path) -> None:
    with pytest.raises(ExtractionFailed) as failed:
        _extract(noise(tmp_path, name), tmp_path)
    assert failed.value.reason == (
        "ExifTool could not read the file: it is damaged or in a format ExifTool does not know"
    )


def test_an_exiftool_hang_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    # A JPEG whose first segment claims more data, then 8 GiB of zeros (sparse: nothing on disk):
    # ExifTool reads through all of it looking for the next marker, for a minute or more.
    hostile = tmp_path / "endless.jpg"
    with hostile.open("wb") as stream:
        stream.write(b"\xff\xd8\xff\xe1\xff\xff")
        stream.truncate(8 * 1024**3)
    started = time.monotonic()
    with pytest.raises(ExtractionFailed, match="ExifTool did not finish within 1 s"):
        EXTRACTOR.extract(hostile, tmp_path, Limits(timeout_s=1.0))
    assert time.monotonic() - started < 10


def test_exiftool_refuses_a_pipe_at_once(tmp_path: Path) -> None:
    # ExifTool reads only regular files, so a pipe cannot make it wait (the hang above can).
    pipe = tmp_path / "stream.jpg"
    os.mkfifo(pipe)
    with pytest.raises(ExtractionFailed) as failed:
        EXTRACTOR.extract(pipe, tmp_path, Limits(timeout_s=10.0))
    assert failed.value.reason == "ExifTool failed (exit 1): Error: File not found - the file"
