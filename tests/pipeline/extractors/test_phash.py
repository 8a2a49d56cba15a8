"""PDQ and vPDQ hashes on real files made in the test: JPEGs by Pillow, videos by ffmpeg."""

from __future__ import annotations

import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from PIL import Image

from testament.pipeline.extractors.base import Extraction, ExtractionFailed, Limits
from testament.pipeline.extractors.phash import PerceptualHashExtractor, pack_bits
from testament.pipeline.similarity import DEFAULT_MAX_DISTANCE, hamming

EXTRACTOR = PerceptualHashExtractor()


def _photo(seed: int, width: int = 960, height: int = 720) -> Image.Image:
    """A photo-like picture: a smooth scene, a few discs and sensor noise."""
    rng = np.random.default_rng(seed)
    scene = Image.fromarray(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8))
    pixels = np.asarray(scene.resize((width, height), Image.Resampling.BICUBIC)).astype(np.int16)
    rows, cols = np.mgrid[0:height, 0:width]
    for _ in range(10):
        x, y, r = rng.integers(0, width), rng.integers(0, height), rng.integers(30, 200)
        pixels[(cols - x) ** 2 + (rows - y) ** 2 < r * r] = rng.integers(0, 256, 3)
    pixels += rng.normal(0, 10, pixels.shape).astype(np.int16)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _hash(path: Path, extractor: PerceptualHashExtractor = EXTRACTOR) -> bytes:
    result = _extract(path, extractor)
    assert len(result.hashes) == 1
    assert len(result.hashes[0].value) == 32
    return result.hashes[0].value


def _extract(path: Path, extractor: PerceptualHashExtractor = EXTRACTOR) -> Extraction:
    work = Path(tempfile.mkdtemp(prefix="work-", dir=path.parent))
    return extractor.extract(path, work, Limits(timeout_s=60))


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("video") / "testsrc.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc=duration=3:size=320x240:rate=10", "-pix_fmt", "yuv420p",
            str(path))  # fmt: skip
    return path


def test_a_reencoded_and_halved_photo_stays_within_the_threshold(tmp_path: Path) -> None:
    photo = _photo(1)
    photo.save(tmp_path / "original.jpg", quality=95)
    small = photo.resize((photo.width // 2, photo.height // 2), Image.Resampling.LANCZOS)
    small.save(tmp_path / "copy.jpg", quality=60)
    _photo(2).save(tmp_path / "other.jpg", quality=95)
    original = _hash(tmp_path / "original.jpg")
    assert hamming(original, _hash(tmp_path / "copy.jpg")) <= DEFAULT_MAX_DISTANCE
    assert hamming(original, _hash(tmp_path / "other.jpg")) > 80


def test_the_reduced_decode_stays_within_a_few_bits_of_a_full_decode(tmp_path: Path) -> None:
    for seed in range(3):
        path = tmp_path / f"{seed}.jpg"
        _photo(seed, 1600, 1200).save(path, quality=90)
        with Image.open(path) as image:
            bits, _ = pdqhash.compute(np.asarray(image.convert("RGB")))
        result = _extract(path)
        assert result.parameters["decoded_size"] == [800, 600]
        assert result.parameters["image_size"] == [1600, 1200]
        assert hamming(pack_bits(bits), result.hashes[0].value) <= 8


def test_the_exif_orientation_is_applied(tmp_path: Path) -> None:
    photo = _photo(3)
    photo.save(tmp_path / "upright.jpg", quality=95)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned left: a viewer turns it 90 degrees clockwise
    photo.transpose(Image.Transpose.ROTATE_90).save(tmp_path / "tagged.jpg", quality=95, exif=exif)
    photo.transpose(Image.Transpose.ROTATE_90).save(tmp_path / "untagged.jpg", quality=95)
    upright = _hash(tmp_path / "upright.jpg")
    assert hamming(upright, _hash(tmp_path / "tagged.jpg")) <= 8
    assert hamming(upright, _hash(tmp_path / "untagged.jpg")) > DEFAULT_MAX_DISTANCE


def test_a_photo_with_corrupt_exif_data_still_hashes(tmp_path: Path) -> None:
    photo = _photo(7)
    photo.save(tmp_path / "clean.jpg", quality=95)
    broken = b"Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x05\x01\x12\x00\x03\xff\xff"
    photo.save(tmp_path / "broken.jpg", quality=95, exif=broken)
    assert _hash(tmp_path / "broken.jpg") == _hash(tmp_path / "clean.jpg")


def test_png_and_16_bit_images_hash(tmp_path: Path) -> None:
    photo = _photo(4).convert("L")
    photo.save(tmp_path / "eight.png")
    deep = Image.fromarray(np.asarray(photo).astype(np.uint16) * 257)
    deep.save(tmp_path / "sixteen.png")
    with Image.open(tmp_path / "sixteen.png") as image:
        assert image.mode.startswith("I")
    assert hamming(_hash(tmp_path / "eight.png"), _hash(tmp_path / "sixteen.png")) <= 4


def test_a_video_gives_one_hash_per_second(video: Path, tmp_path: Path) -> None:
    result = _extract(video)
    assert result.tool.name == "vpdq"
    assert [h.position for h in result.hashes] == [0.0, 1.0, 2.0]
    assert all(h.algorithm == "pdq" and len(h.value) == 32 for h in result.hashes)
    assert result.parameters["seconds_per_hash"] == 1.0
    again = tmp_path / "again.mp4"
    _ffmpeg("-i", str(video), "-c:v", "libx264", "-b:v", "60k", str(again))
    copies = _extract(again).hashes
    assert len(copies) == len(result.hashes)
    for frame, copy in zip(result.hashes, copies, strict=True):
        assert hamming(frame.value, copy.value) <= DEFAULT_MAX_DISTANCE


def test_a_video_frame_hashes_like_the_same_picture(video: Path, tmp_path: Path) -> None:
    _ffmpeg("-i", str(video), "-frames:v", "1", str(tmp_path / "first.png"))
    first = _extract(video).hashes[0].value
    assert hamming(first, _hash(tmp_path / "first.png")) <= 4


def test_the_frame_cap_keeps_frames_spread_over_the_video(video: Path) -> None:
    result = _extract(video, PerceptualHashExtractor(seconds_per_hash=0.5, max_frames=3))
    assert result.parameters["frames_hashed"] == 6
    assert [h.position for h in result.hashes] == [0.0, 1.0, 2.5]  # frames 0, 2 and 5 of 6


def test_truncated_and_corrupt_jpegs_fail_cleanly(tmp_path: Path) -> None:
    _photo(5).save(tmp_path / "whole.jpg", quality=90)
    data = (tmp_path / "whole.jpg").read_bytes()
    (tmp_path / "truncated.jpg").write_bytes(data[: len(data) // 3])
    (tmp_path / "corrupt.jpg").write_bytes(data[:20] + bytes(range(256)) * 40)
    for name in ("truncated.jpg", "corrupt.jpg"):
        with pytest.raises(ExtractionFailed, match="could not be decoded") as failure:
            _extract(tmp_path / name)
        assert str(tmp_path) not in failure.value.reason


def test_truncated_and_corrupt_videos_fail_cleanly(video: Path, tmp_path: Path) -> None:
    data = video.read_bytes()
    (tmp_path / "truncated.mp4").write_bytes(data[:3000])
    (tmp_path / "corrupt.mp4").write_bytes(data[:32] + bytes(range(256)) * 40)
    for name in ("truncated.mp4", "corrupt.mp4"):
        with pytest.raises(ExtractionFailed, match="vpdq") as failure:
            _extract(tmp_path / name)
        assert str(tmp_path) not in failure.value.reason


def test_a_file_without_a_video_stream_fails(tmp_path: Path) -> None:
    silent = tmp_path / "silent.mp4"
    _ffmpeg("-f", "lavfi", "-i", "anullsrc=duration=1", "-c:a", "aac", "-f", "mp4", str(silent))
    with pytest.raises(ExtractionFailed, match="vpdq could not read the video"):
        _extract(silent)


def _png_declaring(path: Path, width: int, height: int) -> None:
    """A small PNG whose header declares ``width`` x ``height`` pixels (a decompression bomb)."""
    Image.new("L", (8, 8)).save(path)
    data = bytearray(path.read_bytes())
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("side", [12_000, 60_000])
def test_a_decompression_bomb_is_refused_before_decoding(tmp_path: Path, side: int) -> None:
    _png_declaring(tmp_path / "bomb.png", side, side)
    with pytest.raises(ExtractionFailed, match="pixels"):
        _extract(tmp_path / "bomb.png")


def test_the_pixel_cap_is_a_setting(tmp_path: Path) -> None:
    _photo(6).save(tmp_path / "photo.jpg")
    with pytest.raises(ExtractionFailed, match="960x720 pixels, over the cap of 100000"):
        _extract(tmp_path / "photo.jpg", PerceptualHashExtractor(max_pixels=100_000))


def test_what_it_applies_to() -> None:
    assert EXTRACTOR.kind == "phash"
    assert EXTRACTOR.applies("image/jpeg", "a.jpg")
    assert EXTRACTOR.applies("video/mp4", "a.mp4")
    assert not EXTRACTOR.applies("image/svg+xml", "a.svg")
    assert not EXTRACTOR.applies("application/pdf", "a.pdf")
    assert EXTRACTOR.tool().name == "pdqhash"
    with pytest.raises(ValueError, match="decode_size"):
        PerceptualHashExtractor(decode_size=32)
    with pytest.raises(ValueError, match="must be positive"):
        PerceptualHashExtractor(seconds_per_hash=0)
