"""Real files for the extractors' tests, made once per session with Pillow, ExifTool and ffmpeg.

The session fixtures are shared: a test that changes a file copies it first (``tmp_path``).
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest
from PIL import Image

# Where the camera photo was taken: south and west, so the signed coordinates are negative.
PHOTO_LATITUDE = -50.45
PHOTO_LONGITUDE = -30.52
# Where the video was made (Kyiv), as ISO 6709 in the container's location tag.
VIDEO_LOCATION = "+50.4501+030.5234/"
VIDEO_CREATED = "2024-05-01T10:20:30.000000Z"


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("samples")


@pytest.fixture(scope="session")
def plain_jpeg(samples: Path) -> Path:
    """A small JPEG with no metadata beyond JFIF."""
    path = samples / "plain.jpg"
    Image.new("RGB", (64, 48), (200, 30, 30)).save(path, quality=90)
    return path


@pytest.fixture(scope="session")
def camera_jpeg(samples: Path) -> Path:
    """A JPEG with a camera's make, model and lens, a creation time with its offset, and GPS in the
    southern and western hemispheres (EXIF stores them unsigned, with S and W references)."""
    path = samples / "camera.jpg"
    Image.new("RGB", (64, 48), (30, 120, 200)).save(path, quality=90)
    _run(
        "exiftool",
        "-overwrite_original",
        "-Make=Canon",
        "-Model=Canon EOS 5D Mark IV",
        "-SerialNumber=012345678901",
        "-LensModel=EF24-105mm f/4L IS II USM",
        "-DateTimeOriginal=2024:05:01 10:20:30",
        "-OffsetTimeOriginal=+03:00",
        f"-GPSLatitude={abs(PHOTO_LATITUDE)}",
        "-GPSLatitudeRef=S",
        f"-GPSLongitude={abs(PHOTO_LONGITUDE)}",
        "-GPSLongitudeRef=W",
        "-GPSAltitude=120",
        "-GPSAltitudeRef=0",
        str(path),
    )
    return path


@pytest.fixture(scope="session")
def video_mp4(samples: Path) -> Path:
    """A 2 s H.264 and AAC MP4 (320x240, 10 frames a second) with a location and a creation time,
    its index at the front (``+faststart``)."""
    path = samples / "video.mp4"
    _run(
        "ffmpeg", "-v", "error", "-y",
        "-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=10",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
        "-shortest", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac",
        "-metadata", f"location={VIDEO_LOCATION}",
        "-metadata", f"creation_time={VIDEO_CREATED}",
        "-movflags", "+faststart",
        str(path),
    )  # fmt: skip
    return path


@pytest.fixture(scope="session")
def audio_m4a(samples: Path) -> Path:
    """A 1 s AAC tone in an MP4 audio container."""
    path = samples / "tone.m4a"
    _run(
        "ffmpeg", "-v", "error", "-y",
        "-f", "lavfi", "-i", "sine=frequency=440:duration=1",
        "-c:a", "aac", str(path),
    )  # fmt: skip
    return path


@pytest.fixture(scope="session")
def pdf_file(samples: Path) -> Path:
    """A one-page PDF made by Pillow (it records a title and a creation date)."""
    path = samples / "page.pdf"
    Image.new("RGB", (200, 100), (255, 255, 255)).save(path)
    return path


def truncated(source: Path, directory: Path, keep: int) -> Path:
    """A copy of ``source`` cut after ``keep`` bytes, under the same name."""
    path = directory / source.name
    with source.open("rb") as stream:
        path.write_bytes(stream.read(keep))
    return path


def noise(directory: Path, name: str, size: int = 20_000) -> Path:
    """``size`` random-looking (but fixed) bytes under ``name``: a corrupt file with a plausible name."""
    path = directory / name
    path.write_bytes(random.Random(name).randbytes(size))
    return path
