"""The media type from a file's content (libmagic), whatever its name says."""

from __future__ import annotations

import gzip
import os
import re
import shutil
from pathlib import Path

import pytest

from testament.pipeline.extractors.base import ExtractionFailed, Limits
from testament.pipeline.extractors.filetype import (
    FileTypeExtractor,
    extension_matches,
    name_suggests,
)
from tests.pipeline.extractors.conftest import noise, truncated

EXTRACTOR = FileTypeExtractor()


def _identify(path: Path, tmp_path: Path) -> dict[str, object]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    result = EXTRACTOR.extract(path, work, Limits())
    assert result.kind == "type"
    assert result.tool == EXTRACTOR.tool()
    assert list(work.iterdir()) == []
    return result.metadata


def test_a_jpeg_named_jpg(plain_jpeg: Path, tmp_path: Path) -> None:
    metadata = _identify(plain_jpeg, tmp_path)
    assert metadata["media_type"] == "image/jpeg"
    assert str(metadata["description"]).startswith("JPEG image data")
    assert metadata["extension_matches"] is True
    assert metadata["name_suggests"] == "image/jpeg"


def test_a_pdf_named_jpg_is_a_pdf_whose_name_does_not_match(pdf_file: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "holiday.jpg"
    shutil.copyfile(pdf_file, disguised)
    metadata = _identify(disguised, tmp_path)
    assert metadata["media_type"] == "application/pdf"
    assert metadata["extension_matches"] is False
    assert metadata["name_suggests"] == "image/jpeg"


def test_an_mp4_with_no_extension_has_nothing_to_compare(video_mp4: Path, tmp_path: Path) -> None:
    bare = tmp_path / "VID0001"
    shutil.copyfile(video_mp4, bare)
    metadata = _identify(bare, tmp_path)
    assert metadata["media_type"] == "video/mp4"
    assert metadata["extension_matches"] is None
    assert metadata["name_suggests"] is None


def test_a_gzip_named_tar_gz_matches(tmp_path: Path) -> None:
    path = tmp_path / "photos.tar.gz"
    path.write_bytes(gzip.compress(b"not really a tar, but gzip all the same"))
    metadata = _identify(path, tmp_path)
    assert metadata["media_type"] == "application/gzip"
    assert metadata["name_suggests"] == "application/gzip"
    assert metadata["extension_matches"] is True


def test_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    metadata = _identify(path, tmp_path)
    assert metadata["media_type"] == "inode/x-empty"
    assert metadata["extension_matches"] is False


def test_spellings_of_the_same_type_match() -> None:
    assert extension_matches("audio/x-wav", "call.wav") is True
    assert extension_matches("image/jpeg", "IMG_1.JPEG") is True
    assert extension_matches("text/plain", "notes.txt") is True
    assert extension_matches("text/html", "video.mp4") is False
    assert name_suggests("archive.tar.xz") == "application/x-xz"


def test_it_applies_to_every_file_and_names_its_version() -> None:
    assert EXTRACTOR.applies("application/octet-stream", "anything")
    assert EXTRACTOR.applies("image/jpeg", "x.jpg")
    assert EXTRACTOR.tool().name == "libmagic"
    assert re.fullmatch(r"\d+\.\d{2}", EXTRACTOR.tool().version)


def test_a_pipe_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.jpg"
    os.mkfifo(pipe)
    with pytest.raises(ExtractionFailed, match="not a regular file"):
        EXTRACTOR.extract(pipe, tmp_path, Limits())


@pytest.mark.parametrize("name", ["photo.jpg", "clip.mp4", "statement.pdf"])
def test_corrupt_files_are_identified_by_what_they_hold(name: str, tmp_path: Path) -> None:
    metadata = _identify(noise(tmp_path, name), tmp_path)
    assert metadata["media_type"] == "application/octet-stream"
    assert metadata["extension_matches"] is False


def test_truncated_files_keep_their_type(
    plain_jpeg: Path, video_mp4: Path, pdf_file: Path, tmp_path: Path
) -> None:
    for source, media_type in (
        (plain_jpeg, "image/jpeg"),
        (video_mp4, "video/mp4"),
        (pdf_file, "application/pdf"),
    ):
        assert _identify(truncated(source, tmp_path, 300), tmp_path)["media_type"] == media_type
