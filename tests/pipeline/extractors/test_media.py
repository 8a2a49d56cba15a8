"""Audio and video through ffprobe: duration, codecs, creation time and QuickTime GPS."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import tracemalloc
from pathlib import Path

import pytest

from testament.pipeline.extractors.base import Extraction, ExtractionFailed, Limits
from testament.pipeline.extractors.media import MediaExtractor, frame_rate, quicktime_location
from tests.pipeline.extractors.conftest import VIDEO_CREATED, noise, truncated

EXTRACTOR = MediaExtractor()
FIVE_GIB = 5 * 1024**3


def _extract(path: Path, tmp_path: Path, limits: Limits | None = None) -> Extraction:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    result = EXTRACTOR.extract(path, work, limits or Limits(timeout_s=30))
    assert result.kind == "media"
    assert result.tool.name == "ffprobe"
    assert list(work.iterdir()) == []
    json.dumps(result.metadata, allow_nan=False)
    return result


def _with_tags(source: Path, target: Path, *tags: str) -> Path:
    """A copy of ``source`` (its streams untouched) with container tags set, as ffmpeg writes them."""
    metadata = [part for tag in tags for part in ("-metadata", tag)]
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(source), "-c", "copy", *metadata,
         "-movflags", "use_metadata_tags", str(target)],
        check=True, timeout=60,
    )  # fmt: skip
    return target


def test_a_video_with_its_streams_time_and_place(video_mp4: Path, tmp_path: Path) -> None:
    result = _extract(video_mp4, tmp_path)
    metadata = result.metadata
    assert metadata["duration_s"] == pytest.approx(2.0, abs=0.1)
    assert "mp4" in metadata["container"]
    assert (metadata["video_codec"], metadata["audio_codec"]) == ("h264", "aac")
    assert (metadata["width"], metadata["height"], metadata["frame_rate"]) == (320, 240, 10.0)
    assert metadata["stream_count"] == 2
    video, audio = metadata["streams"]
    assert (video["type"], video["codec"], video["width"]) == ("video", "h264", 320)
    assert (audio["type"], audio["sample_rate"], audio["channels"]) == ("audio", 44100, 1)
    assert metadata["bit_rate"] > 0 and metadata["size"] == video_mp4.stat().st_size
    assert metadata["creation_time"] == VIDEO_CREATED
    assert metadata["location"] == "+50.4501+030.5234/"
    assert result.location is not None
    assert (result.location.latitude, result.location.longitude) == (50.4501, 30.5234)
    assert result.location.source == "QuickTime GPS"
    assert metadata["gps"] == {"latitude": 50.4501, "longitude": 30.5234, "source": "QuickTime GPS"}


def test_apples_location_tag_south_and_east(video_mp4: Path, tmp_path: Path) -> None:
    sydney = "-33.8688+151.2093+010.000/"
    mov = _with_tags(
        video_mp4, tmp_path / "sydney.mov", f"com.apple.quicktime.location.ISO6709={sydney}"
    )
    result = _extract(mov, tmp_path)
    assert result.metadata["location"] == sydney
    assert result.location is not None
    assert (result.location.latitude, result.location.longitude) == (-33.8688, 151.2093)
    assert result.location.altitude == 10.0


def test_a_location_out_of_range_is_no_location(video_mp4: Path, tmp_path: Path) -> None:
    nowhere = _with_tags(video_mp4, tmp_path / "nowhere.mp4", "location=+95.0000+030.0000/")
    result = _extract(nowhere, tmp_path)
    assert result.location is None
    assert "out of range" in result.metadata["gps_rejected"]


def test_audio(audio_m4a: Path, tmp_path: Path) -> None:
    metadata = _extract(audio_m4a, tmp_path).metadata
    assert metadata["audio_codec"] == "aac"
    assert "video_codec" not in metadata and "width" not in metadata
    assert metadata["duration_s"] == pytest.approx(1.0, abs=0.1)
    assert "location" not in metadata and "creation_time" not in metadata


def test_what_it_applies_to() -> None:
    assert EXTRACTOR.applies("video/mp4", "x.mp4") and EXTRACTOR.applies("audio/ogg", "x.ogg")
    assert not EXTRACTOR.applies("image/jpeg", "x.jpg")
    assert not EXTRACTOR.applies("application/pdf", "x.pdf")
    assert EXTRACTOR.tool().version[0].isdigit()


@pytest.mark.parametrize(
    ("text", "latitude", "longitude", "altitude"),
    [
        ("+50.4501+030.5234/", 50.4501, 30.5234, None),
        ("-33.8688+151.2093+010.000/", -33.8688, 151.2093, 10.0),
        ("+5027.006-07331.500/", 50 + 27.006 / 60, -(73 + 31.5 / 60), None),
        ("-335212.5+1511233.48-2.5CRSWGS_84/", -(33 + 52 / 60 + 12.5 / 3600), 151 + 12 / 60 + 33.48 / 3600, -2.5),
        ("+50.4501+030.5234", 50.4501, 30.5234, None),
    ],
)  # fmt: skip
def test_iso6709(text: str, latitude: float, longitude: float, altitude: float | None) -> None:
    location = quicktime_location(text)
    assert location.latitude == pytest.approx(latitude)
    assert location.longitude == pytest.approx(longitude)
    assert location.altitude == altitude


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Kyiv", "not an ISO 6709"),
        ("+504+030/", "not an ISO 6709"),
        ("+5075.0+03031.0/", "over 60"),
        ("+00.0000+000.0000/", "no fix"),
        ("-91.0000+030.0000/", "out of range"),
    ],
)
def test_iso6709_that_is_no_place(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        quicktime_location(text)


def test_frame_rates() -> None:
    assert frame_rate({"avg_frame_rate": "30000/1001"}) == 29.97
    assert frame_rate({"avg_frame_rate": "0/0", "r_frame_rate": "25/1"}) == 25.0
    assert frame_rate({"avg_frame_rate": "0/0"}) is None


def test_a_truncated_mp4_fails_cleanly(video_mp4: Path, tmp_path: Path) -> None:
    # Cut inside the index at the front: there is nothing ffprobe can play.
    with pytest.raises(ExtractionFailed) as failed:
        _extract(truncated(video_mp4, tmp_path, 1000), tmp_path)
    assert failed.value.reason == (
        "ffprobe failed (exit 1): [mov,mp4,m4a,3gp,3g2,mj2] error reading header; the file: End of file"
    )
    assert str(tmp_path) not in failed.value.reason and " @ 0x" not in failed.value.reason


def test_an_mp4_cut_short_after_its_index_says_what_could_be_read(
    video_mp4: Path, tmp_path: Path
) -> None:
    cut = truncated(video_mp4, tmp_path, video_mp4.stat().st_size // 2)
    metadata = _extract(cut, tmp_path).metadata
    assert metadata["video_codec"] == "h264" and metadata["duration_s"] == pytest.approx(
        2.0, abs=0.1
    )


def test_a_corrupt_mp4_fails_cleanly_without_its_name(tmp_path: Path) -> None:
    with pytest.raises(ExtractionFailed) as failed:
        _extract(noise(tmp_path, "Olena Petrenko.mp4"), tmp_path)
    assert "Invalid data found" in failed.value.reason
    assert "Olena" not in failed.value.reason


def test_an_ffprobe_hang_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    pipe = tmp_path / "stream.mp4"
    os.mkfifo(pipe)  # nobody ever writes: ffprobe waits for its first byte forever
    started = time.monotonic()
    with pytest.raises(ExtractionFailed, match="ffprobe did not finish within 1 s"):
        EXTRACTOR.extract(pipe, tmp_path, Limits(timeout_s=1.0))
    assert time.monotonic() - started < 10


def test_a_5_gib_video_is_probed_in_bounded_memory(video_mp4: Path, tmp_path: Path) -> None:
    # The real video, then zeros to 5 GiB (sparse: nothing written to disk).
    large = tmp_path / "large.mp4"
    shutil.copyfile(video_mp4, large)
    os.truncate(large, FIVE_GIB)
    tracemalloc.start()
    try:
        metadata = _extract(large, tmp_path).metadata
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert metadata["size"] == FIVE_GIB
    assert metadata["video_codec"] == "h264"
    assert peak < 50 * 1024**2
