"""Previews on real files: thumbnails (size, orientation, no metadata), keyframes, a PDF's first
page, and bad input (cut short, corrupt, a decompression bomb, a pipe) failing cleanly."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import PIL
import pytest
from PIL import Image

from testament.pipeline.extractors.base import Extraction, ExtractionFailed, Limits
from testament.pipeline.extractors.previews import PreviewExtractor, ffmpeg_version, poppler_version
from tests.pipeline.extractors.files_previews import (
    PERSONAL,
    bomb_png,
    corrupt_exif_jpeg,
    corrupted,
    fifo,
    live_webm,
    mp4_index_size,
    noise_jpeg,
    oriented_jpeg,
    outcome,
    pdf,
    truncated,
    video,
)

LIMITS = Limits(timeout_s=30.0)


@pytest.fixture
def work(tmp_path: Path) -> Path:
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def _named(tmp_path: Path, suffix: str) -> Path:
    return tmp_path / f"{PERSONAL}{suffix}"


def _exiftool(path: Path) -> dict[str, object]:
    out = subprocess.run(
        ["exiftool", "-json", "-G", "-a", str(path)],
        check=True,
        capture_output=True,
        timeout=30,
    ).stdout
    found: dict[str, object] = json.loads(out)[0]
    return found


def test_applies_to_images_video_and_pdf() -> None:
    extractor = PreviewExtractor()
    assert extractor.applies("image/jpeg", "a.jpg")
    assert extractor.applies("video/mp4", "a.mp4")
    assert extractor.applies("application/pdf", "a.pdf")
    assert extractor.applies("image/tiff", "a.tif")
    assert not extractor.applies("image/svg+xml", "a.svg")
    assert not extractor.applies("image/x-eps", "a.eps")
    assert not extractor.applies("audio/mpeg", "a.mp3")
    assert not extractor.applies("application/zip", "a.zip")


def test_tool_names_the_three_tools_and_their_versions() -> None:
    tool = PreviewExtractor().tool()
    assert tool.name == "Pillow+ffmpeg+pdftoppm"
    assert PIL.__version__ in tool.version
    assert ffmpeg_version() in tool.version
    assert poppler_version() in tool.version


def test_thumbnail_is_upright_within_its_size_and_carries_no_metadata(
    tmp_path: Path, work: Path
) -> None:
    source = oriented_jpeg(_named(tmp_path, ".jpg"))

    result = PreviewExtractor(max_side=512).extract(source, work, LIMITS)

    assert result.kind == "preview"
    assert result.tool.name == "Pillow"
    assert result.tool.version == PIL.__version__
    (thumbnail,) = result.derived
    assert thumbnail.role == "thumbnail"
    assert thumbnail.media_type == "image/jpeg"
    assert thumbnail.path.parent == work
    with Image.open(thumbnail.path) as image:
        assert image.format == "JPEG"
        # Stored 1200x600 sideways; Orientation 6 turns it clockwise: 600x1200, shrunk to 256x512.
        assert image.size == (256, 512)
        # The stored left half (red) is on top once turned.
        red, _green, blue = image.convert("RGB").getpixel((128, 100))  # type: ignore[misc]
        assert red > 200 and blue < 60
        red, _green, blue = image.convert("RGB").getpixel((128, 400))  # type: ignore[misc]
        assert blue > 200 and red < 60
        assert not image.getexif()
        assert "icc_profile" not in image.info
    tags = _exiftool(thumbnail.path)
    assert not [tag for tag in tags if tag.split(":")[0] in ("EXIF", "ICC_Profile", "XMP")]
    assert thumbnail.parameters == {
        "max_side": 512,
        "width": 256,
        "height": 512,
        "format": "JPEG",
        "quality": 85,
        "resample": "LANCZOS",
        "source_width": 1200,
        "source_height": 600,
        "exif_orientation": 6,
        "decoded_width": 1200,
        "decoded_height": 600,
        "metadata": "stripped",
    }


def test_a_large_jpeg_is_decoded_at_a_reduced_scale(tmp_path: Path, work: Path) -> None:
    source = tmp_path / "large.jpg"
    Image.new("RGB", (2400, 1600), (90, 90, 90)).save(source, quality=90)

    (thumbnail,) = PreviewExtractor(max_side=512).extract(source, work, LIMITS).derived

    # 1/4 would give 600x400, under 512 on one side; 1/2 gives 1200x800.
    assert (thumbnail.parameters["decoded_width"], thumbnail.parameters["decoded_height"]) == (
        1200,
        800,
    )
    assert (thumbnail.parameters["width"], thumbnail.parameters["height"]) == (512, 341)


def test_an_image_with_corrupt_exif_still_gets_its_thumbnail(tmp_path: Path, work: Path) -> None:
    source = corrupt_exif_jpeg(_named(tmp_path, ".jpg"))

    (thumbnail,) = PreviewExtractor().extract(source, work, LIMITS).derived

    assert (thumbnail.parameters["width"], thumbnail.parameters["height"]) == (120, 80)
    assert thumbnail.parameters["exif_orientation"] == 1


def test_thumbnail_keeps_a_small_image_at_its_size(tmp_path: Path, work: Path) -> None:
    source = tmp_path / "small.png"
    Image.new("RGB", (100, 40), (10, 200, 10)).save(source)

    (thumbnail,) = PreviewExtractor().extract(source, work, LIMITS).derived

    assert (thumbnail.parameters["width"], thumbnail.parameters["height"]) == (100, 40)


def test_thumbnail_of_an_image_with_transparency_is_a_png(tmp_path: Path, work: Path) -> None:
    source = tmp_path / "logo.png"
    Image.new("RGBA", (800, 400), (255, 0, 0, 128)).save(source)

    (thumbnail,) = PreviewExtractor(max_side=200).extract(source, work, LIMITS).derived

    assert thumbnail.media_type == "image/png"
    assert thumbnail.parameters["format"] == "PNG"
    assert "quality" not in thumbnail.parameters
    with Image.open(thumbnail.path) as image:
        assert image.mode == "RGBA"
        assert image.size == (200, 100)
        assert image.getpixel((10, 10)) == (255, 0, 0, 128)


def test_a_16_bit_grey_image_keeps_its_darks_and_lights(tmp_path: Path, work: Path) -> None:
    source = tmp_path / "scan16.png"
    image = Image.new("I;16", (200, 100), 1000)
    image.paste(60000, (100, 0, 200, 100))
    image.save(source)

    (thumbnail,) = PreviewExtractor().extract(source, work, LIMITS).derived

    with Image.open(thumbnail.path) as shown:
        assert shown.mode == "L"
        assert shown.getpixel((20, 50)) < 10
        assert shown.getpixel((180, 50)) > 245


def test_keyframes_are_evenly_spaced_scaled_jpegs_and_the_first_is_the_preview(
    tmp_path: Path, work: Path
) -> None:
    source = video(_named(tmp_path, ".mp4"), seconds=2, size="640x360")

    result = PreviewExtractor(frames=4).extract(source, work, LIMITS)

    assert result.tool.name == "ffmpeg"
    assert result.tool.version == ffmpeg_version()
    assert result.parameters == {"max_side": 512, "frames": 4, "qscale": 3}
    assert result.metadata["duration"] == pytest.approx(2.0, abs=0.1)
    assert [d.role for d in result.derived] == ["keyframe"] * 4
    assert [d.parameters["second"] for d in result.derived] == [0.0, 0.5, 1.0, 1.5]
    assert [d.parameters["preview"] for d in result.derived] == [True, False, False, False]
    assert len({d.path.read_bytes() for d in result.derived}) == 4
    # Only the keyframes are left in the work directory (no scratch, no link to the source).
    assert sorted(p.name for p in work.iterdir()) == [d.path.name for d in result.derived]
    for derived in result.derived:
        assert derived.media_type == "image/jpeg"
        assert derived.path.parent == work
        with Image.open(derived.path) as image:
            assert image.format == "JPEG"
            assert image.size == (512, 288)
        assert derived.parameters["width"] == 512
        assert derived.parameters["height"] == 288
        assert derived.parameters["format"] == "JPEG"


def test_keyframes_of_a_video_with_wide_pixels_keep_its_shown_shape(
    tmp_path: Path, work: Path
) -> None:
    # 320x240 stored, each pixel twice as wide as high: shown at 640x240.
    source = video(tmp_path / "anamorphic.mp4", seconds=1, size="320x240", sar="2")

    result = PreviewExtractor(frames=1).extract(source, work, LIMITS)

    (frame,) = result.derived
    assert (frame.parameters["width"], frame.parameters["height"]) == (512, 192)


def test_a_video_without_a_duration_gives_its_first_frame(tmp_path: Path, work: Path) -> None:
    source = live_webm(tmp_path / "live.webm")

    result = PreviewExtractor().extract(source, work, LIMITS)

    assert result.metadata == {"duration": None}
    (frame,) = result.derived
    assert frame.parameters["second"] == 0.0
    assert frame.parameters["preview"] is True


def test_a_file_with_no_video_stream_is_refused(tmp_path: Path, work: Path) -> None:
    source = _named(tmp_path, ".webm")
    args = ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "libopus"]
    subprocess.run([*args, "-f", "webm", "-y", str(source)], check=True, timeout=60)

    # libmagic calls any WebM a video; ffprobe finds only sound in it.
    assert outcome(PreviewExtractor(), source, work, LIMITS) == "the file holds no video stream"


def test_a_pdf_s_first_page_is_its_preview(tmp_path: Path, work: Path) -> None:
    source = _named(tmp_path, ".pdf")
    source.write_bytes(pdf(["First page", "Second page", "Third page"]))

    result = PreviewExtractor().extract(source, work, LIMITS)

    assert result.tool.name == "pdftoppm"
    assert result.tool.version == poppler_version()
    (preview,) = result.derived
    assert preview.role == "preview"
    assert preview.media_type == "image/jpeg"
    assert list(work.iterdir()) == [preview.path]
    with Image.open(preview.path) as image:
        assert image.format == "JPEG"
        # A US Letter page (612x792 points) scaled so its longest side is 512.
        assert image.size == (396, 512)
    assert preview.parameters == {
        "page": 1,
        "resolution": 72,
        "scale_to": 512,
        "width": 396,
        "height": 512,
        "format": "JPEG",
        "quality": 85,
    }


def test_a_pdf_with_javascript_gets_its_preview(tmp_path: Path, work: Path) -> None:
    source = _named(tmp_path, ".pdf")
    opening = "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
    source.write_bytes(pdf(["First page"], catalog=opening))

    (preview,) = PreviewExtractor().extract(source, work, LIMITS).derived

    assert preview.role == "preview"
    assert preview.parameters["page"] == 1


# Bad input: a clean failure with a readable reason, or a partial result; never another exception.


def test_a_truncated_jpeg_fails_cleanly(tmp_path: Path, work: Path) -> None:
    source = truncated(noise_jpeg(tmp_path / "whole.jpg"), _named(tmp_path, ".jpg"))

    with pytest.raises(ExtractionFailed, match=r"Pillow could not decode the image: .*truncated"):
        PreviewExtractor().extract(source, work, LIMITS)


def test_a_corrupt_jpeg_fails_cleanly_or_gives_a_thumbnail(tmp_path: Path, work: Path) -> None:
    source = corrupted(noise_jpeg(tmp_path / "whole.jpg"), _named(tmp_path, ".jpg"), keep=700)

    found = outcome(PreviewExtractor(), source, work, LIMITS)

    if isinstance(found, Extraction):
        assert [d.role for d in found.derived] == ["thumbnail"]
    else:
        assert found.startswith("Pillow could not decode the image")


def test_a_truncated_mp4_fails_cleanly(tmp_path: Path, work: Path) -> None:
    source = truncated(video(tmp_path / "whole.mp4"), _named(tmp_path, ".mp4"))

    found = outcome(PreviewExtractor(), source, work, LIMITS)

    assert isinstance(found, str)
    assert found.startswith("ffprobe failed")


def test_a_corrupt_mp4_fails_cleanly_or_gives_keyframes(tmp_path: Path, work: Path) -> None:
    whole = video(tmp_path / "whole.mp4")
    # The index survives, so ffprobe reads the file and ffmpeg meets the garbage frames.
    source = corrupted(whole, _named(tmp_path, ".mp4"), tail=mp4_index_size(whole))

    found = outcome(PreviewExtractor(), source, work, LIMITS)

    if isinstance(found, Extraction):
        assert {d.role for d in found.derived} == {"keyframe"}
    else:
        assert found.startswith("ffmpeg failed")


def test_a_truncated_pdf_fails_cleanly_or_gives_its_preview(tmp_path: Path, work: Path) -> None:
    whole = tmp_path / "whole.pdf"
    whole.write_bytes(pdf(["First page", "Second page", "Third page"]))
    source = truncated(whole, _named(tmp_path, ".pdf"), fraction=0.4)

    found = outcome(PreviewExtractor(), source, work, LIMITS)

    if isinstance(found, Extraction):
        assert [d.role for d in found.derived] == ["preview"]
    else:
        assert found.startswith("pdftoppm failed")


def test_a_corrupt_pdf_fails_cleanly(tmp_path: Path, work: Path) -> None:
    whole = tmp_path / "whole.pdf"
    whole.write_bytes(pdf(["First page", "Second page", "Third page"]))
    source = corrupted(whole, _named(tmp_path, ".pdf"), keep=16)

    found = outcome(PreviewExtractor(), source, work, LIMITS)

    assert isinstance(found, str)
    assert found.startswith("pdftoppm failed")


def test_a_decompression_bomb_is_refused_before_it_is_decoded(tmp_path: Path, work: Path) -> None:
    source = bomb_png(tmp_path / "bomb.png", side=30000)
    assert source.stat().st_size < 1024 * 1024

    with pytest.raises(ExtractionFailed) as failed:
        PreviewExtractor().extract(source, work, LIMITS)

    assert failed.value.reason == ("the image is larger than 100 megapixels (decompression bomb?)")
    assert not list(work.iterdir())


def test_the_pixel_limit_is_the_extractor_s_own(tmp_path: Path, work: Path) -> None:
    source = tmp_path / "wide.png"
    Image.new("L", (2000, 1000), 0).save(source)

    with pytest.raises(ExtractionFailed) as failed:
        PreviewExtractor(max_pixels=1_500_000).extract(source, work, LIMITS)

    assert failed.value.reason == "the image is larger than 1.5 megapixels (decompression bomb?)"
    assert PreviewExtractor(max_pixels=2_000_000).extract(source, work, LIMITS).derived


def test_a_pipe_is_refused_without_being_opened(tmp_path: Path, work: Path) -> None:
    source = fifo(_named(tmp_path, ".jpg"))

    with pytest.raises(ExtractionFailed, match="not a regular file"):
        PreviewExtractor().extract(source, work, LIMITS)


def test_an_eps_image_is_refused_and_never_reaches_ghostscript(tmp_path: Path, work: Path) -> None:
    # A DOS EPS header: libmagic calls it an image, and Pillow's EPS plugin would run Ghostscript.
    source = _named(tmp_path, ".eps")
    source.write_bytes(b"\xc5\xd0\xd3\xc6" + bytes(60))

    with pytest.raises(ExtractionFailed) as failed:
        PreviewExtractor().extract(source, work, LIMITS)

    assert failed.value.reason == "this type of image gets no thumbnail (image/x-eps)"


def test_a_jpeg_whose_content_pillow_does_not_take_for_an_image_is_refused(
    tmp_path: Path, work: Path
) -> None:
    # libmagic names a JPEG by its first three bytes; Pillow wants a valid marker after them.
    source = _named(tmp_path, ".jpg")
    source.write_bytes(b"\xff\xd8\xff" + bytes(200))

    assert outcome(PreviewExtractor(), source, work, LIMITS) == (
        "Pillow does not recognise the image's format"
    )


def test_a_file_that_is_not_an_image_a_video_or_a_pdf_is_refused(
    tmp_path: Path, work: Path
) -> None:
    source = _named(tmp_path, ".jpg")
    source.write_text("just some text\n", encoding="utf-8")

    with pytest.raises(ExtractionFailed, match=r"not an image, a video or a PDF \(text/plain\)"):
        PreviewExtractor().extract(source, work, LIMITS)
