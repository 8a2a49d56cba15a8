"""Archives: members become files under the work directory, within limits, and never outside it."""

from __future__ import annotations

import io
import json
import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from testament.pipeline.extractors.archives import ArchiveExtractor, declared_entries, safe_name
from testament.pipeline.extractors.base import Extraction, ExtractionFailed, Limits
from tests.pipeline.extractors.conftest import noise

EXTRACTOR = ArchiveExtractor()
ZEROS = 200 * 1024**2
HOSTILE_NAMES = (
    "../evil.txt",
    "/srv/absolute-evil.txt",
    "a/../../../evil2.txt",
    "..\\..\\evil3.txt",
)


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 MB of zeros, deflated into about 200 KB: streamed in, never held in memory."""
    path = tmp_path_factory.mktemp("bomb") / "zeros.zip"
    zeros = bytes(1024**2)
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive,
        archive.open("zeros.bin", "w", force_zip64=True) as member,
    ):
        for _ in range(ZEROS // len(zeros)):
            member.write(zeros)
    return path


def _work(tmp_path: Path) -> Path:
    work = tmp_path / "out"
    work.mkdir(parents=True, exist_ok=True)
    return work


def _extract(path: Path, tmp_path: Path, extractor: ArchiveExtractor = EXTRACTOR) -> Extraction:
    work = _work(tmp_path)
    result = extractor.extract(path, work, Limits())
    assert result.kind == "archive"
    assert result.tool.name == "Python zipfile/tarfile"
    assert sorted(work.iterdir()) == sorted(derived.path for derived in result.derived)
    json.dumps([result.metadata, result.parameters, *(d.parameters for d in result.derived)])
    return result


def _refused(path: Path, tmp_path: Path, extractor: ArchiveExtractor, match: str) -> None:
    work = _work(tmp_path)
    with pytest.raises(ExtractionFailed, match=match):
        extractor.extract(path, work, Limits())
    assert list(work.iterdir()) == []


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, (2024, 5, 1, 10, 20, 30))
            archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_zip_members_become_files(plain_jpeg: Path, tmp_path: Path) -> None:
    photo = plain_jpeg.read_bytes()
    archive = _zip(
        tmp_path / "photos.zip",
        {"photos/": b"", "photos/a.jpg": photo, "notes.txt": b"seen at 10:20\n"},
    )
    result = _extract(archive, tmp_path)
    jpeg, text = result.derived
    assert (jpeg.role, jpeg.name, jpeg.media_type) == ("member", "photos/a.jpg", "image/jpeg")
    assert jpeg.path.read_bytes() == photo and jpeg.path.parent == tmp_path / "out"
    assert jpeg.path.name == "000002.jpg"
    assert jpeg.parameters == {
        "member": "photos/a.jpg",
        "size": len(photo),
        "depth": 1,
        "archive_format": "zip",
        "modified": "2024-05-01T10:20:30",
    }
    assert (text.name, text.media_type) == ("notes.txt", "text/plain")
    assert result.metadata == {
        "format": "zip",
        "entries": 3,
        "members": 2,
        "bytes": len(photo) + 14,
        "skipped": [],
        "skipped_count": 0,
    }
    assert result.parameters["max_member_bytes"] == Limits().output_bytes


@pytest.mark.parametrize(
    ("mode", "name", "archive_format"),
    [("w", "a.tar", "tar"), ("w:gz", "a.tgz", "tar.gz"), ("w:bz2", "a.tar.bz2", "tar.bz2"),
     ("w:xz", "a.tar.xz", "tar.xz")],
)  # fmt: skip
def test_tar_members_become_files(
    mode: str, name: str, archive_format: str, tmp_path: Path
) -> None:
    path = tmp_path / name
    with tarfile.open(path, mode) as archive:  # type: ignore[call-overload]
        _add(archive, "docs/statement.txt", b"I saw it.\n", mtime=1714558830)
        _add(archive, "docs", type=tarfile.DIRTYPE)
    result = _extract(path, tmp_path)
    (member,) = result.derived
    assert (member.name, member.media_type) == ("docs/statement.txt", "text/plain")
    assert member.path.read_bytes() == b"I saw it.\n"
    assert member.parameters["archive_format"] == archive_format
    assert member.parameters["modified"] == "2024-05-01T10:20:30+00:00"
    assert result.metadata["format"] == archive_format


def _add(archive: tarfile.TarFile, name: str, data: bytes = b"", **fields: object) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in fields.items():
        setattr(info, key, value)
    archive.addfile(info, io.BytesIO(data) if data else None)


def test_a_zip_bomb_is_stopped_and_leaves_nothing(zip_bomb: Path, tmp_path: Path) -> None:
    assert zip_bomb.stat().st_size < ZEROS / 500
    _refused(zip_bomb, tmp_path, EXTRACTOR, r"expands more than 100 times its size \(zip bomb\?\)")


def test_the_total_size_limit_holds_whatever_the_ratio(zip_bomb: Path, tmp_path: Path) -> None:
    extractor = ArchiveExtractor(
        max_ratio=1e9, max_total_bytes=50 * 1024**2, max_member_bytes=ZEROS
    )
    _refused(zip_bomb, tmp_path, extractor, "more than 52428800 bytes, the limit for an archive")


def test_the_member_size_limit(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "big.zip", {"a.bin": os.urandom(2 * 1024**2)})
    extractor = ArchiveExtractor(max_member_bytes=1024**2)
    _refused(archive, tmp_path, extractor, "more than 1048576 bytes, the limit for one member")


def test_a_small_archive_of_text_is_no_bomb(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "text.zip", {"a.csv": b"0,0,0\n" * 100_000})
    assert archive.stat().st_size * 100 < 600_000
    assert _extract(archive, tmp_path).metadata["bytes"] == 600_000


def test_hostile_tar_members_write_nothing_outside_work(tmp_path: Path) -> None:
    path = tmp_path / "hostile.tar"
    with tarfile.open(path, "w") as archive:
        for name in HOSTILE_NAMES:
            _add(archive, name, b"evil\n")
        _add(archive, "link", type=tarfile.SYMTYPE, linkname="/etc/passwd")
        _add(archive, "hard", type=tarfile.LNKTYPE, linkname="../evil.txt")
        _add(archive, "tty", type=tarfile.CHRTYPE, devmajor=4, devminor=1)
        _add(archive, "pipe", type=tarfile.FIFOTYPE)
    inside = tmp_path / "deep" / "inside"
    inside.mkdir(parents=True)
    result = _extract(path, inside)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == sorted(
        ["hostile.tar", "deep", "deep/inside", "deep/inside/out"]
        + [f"deep/inside/out/{d.path.name}" for d in result.derived]
    )
    names = [derived.name for derived in result.derived]
    assert names == ["evil.txt", "srv/absolute-evil.txt", "a/evil2.txt", "evil3.txt"]
    assert [d.parameters["member"] for d in result.derived] == list(HOSTILE_NAMES)
    assert result.metadata["skipped"] == [
        {"member": "link", "reason": "a symbolic link"},
        {"member": "hard", "reason": "a hard link"},
        {"member": "tty", "reason": "a device"},
        {"member": "pipe", "reason": "a named pipe"},
    ]
    assert not (tmp_path / "evil.txt").exists() and not Path("/srv/absolute-evil.txt").exists()


def test_hostile_zip_names_and_a_symlink(tmp_path: Path) -> None:
    path = _zip(tmp_path / "hostile.zip", dict.fromkeys(HOSTILE_NAMES, b"evil\n"))
    with zipfile.ZipFile(path, "a") as archive:
        link = zipfile.ZipInfo("link")
        link.create_system = 3
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    work = _work(tmp_path)
    result = _extract(path, tmp_path)
    assert [d.name for d in result.derived] == [
        "evil.txt",
        "srv/absolute-evil.txt",
        "a/evil2.txt",
        "evil3.txt",
    ]
    assert all(d.path.parent == work for d in result.derived)
    assert result.metadata["skipped"] == [{"member": "link", "reason": "a symbolic link"}]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hostile.zip", "out"]


def _encrypt_first_member(path: Path) -> None:
    """Set the 'encrypted' flag of the first member, in its local header and in the directory."""
    data = bytearray(path.read_bytes())
    data[6] |= 0x1  # general purpose flags of the first local header
    directory = data.find(b"PK\x01\x02")
    data[directory + 8] |= 0x1
    path.write_bytes(bytes(data))


def test_an_encrypted_zip_member_is_skipped(tmp_path: Path) -> None:
    path = _zip(tmp_path / "secret.zip", {"secret.txt": b"hidden\n", "open.txt": b"open\n"})
    _encrypt_first_member(path)
    result = _extract(path, tmp_path)
    assert [d.name for d in result.derived] == ["open.txt"]
    assert result.metadata["skipped"] == [{"member": "secret.txt", "reason": "encrypted"}]


def test_a_damaged_member_is_skipped_and_the_rest_kept(tmp_path: Path) -> None:
    path = _zip(tmp_path / "damaged.zip", {"a.txt": b"first member " * 50, "b.txt": b"second\n"})
    data = bytearray(path.read_bytes())
    start = 30 + len("a.txt")  # a.txt's compressed data follows its local header
    data[start + 2 : start + 8] = b"\xff" * 6
    path.write_bytes(bytes(data))
    result = _extract(path, tmp_path)
    assert [d.name for d in result.derived] == ["b.txt"]
    (skipped,) = result.metadata["skipped"]
    assert skipped["member"] == "a.txt" and skipped["reason"].startswith("damaged: ")


def test_too_many_entries(tmp_path: Path) -> None:
    members = {f"{n}.txt": b"x" for n in range(5)}
    _refused(
        _zip(tmp_path / "five.zip", members),
        tmp_path,
        ArchiveExtractor(max_members=3),
        "more than 3 entries",
    )
    path = tmp_path / "five.tar"
    with tarfile.open(path, "w") as archive:
        for name, data in members.items():
            _add(archive, name, data)
    _refused(path, tmp_path, ArchiveExtractor(max_members=3), "more than 3 entries")


def test_a_zip64_directory_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(0x10000 + 10):
            archive.writestr(str(n), b"")
    assert declared_entries(path) == 0x10000 + 10
    _refused(path, tmp_path, EXTRACTOR, "more than 10000 entries")


def test_nesting_beyond_the_depth_limit_is_refused(tmp_path: Path) -> None:
    inner = _zip(tmp_path / "inner.zip", {"a.txt": b"a\n"})
    outer = _zip(tmp_path / "outer.zip", {"inner.zip": inner.read_bytes()})
    (member,) = _extract(outer, tmp_path, ArchiveExtractor(depth=2)).derived
    assert (member.media_type, member.parameters["depth"]) == ("application/zip", 3)
    assert _extract(inner, tmp_path / "x", ArchiveExtractor(depth=3)).derived
    _refused(
        inner, tmp_path / "y", ArchiveExtractor(depth=4), "inside 4 other archives; the limit is 3"
    )


def test_running_past_the_timeout(tmp_path: Path) -> None:
    path = _zip(tmp_path / "a.zip", {"a.txt": b"a\n"})
    work = _work(tmp_path)
    with pytest.raises(ExtractionFailed, match="did not finish within 0 s"):
        EXTRACTOR.extract(path, work, Limits(timeout_s=0))


@pytest.mark.parametrize("name", ["Olena Petrenko.zip", "clip.tar.gz"])
def test_a_corrupt_archive_fails_cleanly(name: str, tmp_path: Path) -> None:
    _refused(noise(tmp_path, name), tmp_path, EXTRACTOR, "neither a zip nor a tar archive")


def test_a_truncated_zip_fails_cleanly(tmp_path: Path) -> None:
    path = _zip(tmp_path / "cut.zip", {"a.txt": os.urandom(5000), "b.txt": b"b"})
    os.truncate(path, 3000)
    _refused(path, tmp_path, EXTRACTOR, "the zip archive is damaged or cut short")


def test_a_truncated_tar_gz_keeps_what_came_before(tmp_path: Path) -> None:
    path = tmp_path / "cut.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        _add(archive, "first.txt", b"first\n")
        _add(archive, "second.bin", os.urandom(200_000))
    os.truncate(path, path.stat().st_size // 2)
    result = _extract(path, tmp_path)
    assert [d.name for d in result.derived] == ["first.txt"]
    assert result.metadata["skipped"] == [
        {"member": "second.bin", "reason": "damaged: its data is cut short"}
    ]
    assert result.metadata["incomplete"] == (
        "the archive ends early or is damaged: its data is cut short"
    )


def test_what_it_applies_to() -> None:
    assert EXTRACTOR.applies("application/zip", "x.zip")
    assert EXTRACTOR.applies("application/x-tar", "x")
    assert EXTRACTOR.applies("application/gzip", "x.TAR.GZ") and EXTRACTOR.applies(
        "application/x-xz", "a.txz"
    )
    assert not EXTRACTOR.applies("application/gzip", "notes.txt.gz")
    assert not EXTRACTOR.applies(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.docx"
    )


@pytest.mark.parametrize(
    ("member", "name"),
    [("a/b.txt", "a/b.txt"), ("../../x", "x"), ("/etc/passwd", "etc/passwd"), ("./a//b", "a/b"),
     ("C:\\Users\\x.txt", "C:/Users/x.txt"), ("bad\nname\x00.txt", "bad_name_.txt"), ("..", ""),
     ("caf\udcc3\udca9.txt", "café.txt"), ("\udcff.txt", "\\xff.txt")],
)  # fmt: skip
def test_safe_names(member: str, name: str) -> None:
    assert safe_name(member) == name


def test_the_copy_is_exact_for_a_member_larger_than_a_chunk(tmp_path: Path) -> None:
    data = os.urandom(3 * 1024**2 + 17)
    (member,) = _extract(_zip(tmp_path / "a.zip", {"a.bin": data}), tmp_path).derived
    assert member.path.read_bytes() == data and member.parameters["size"] == len(data)


def test_a_work_directory_that_cannot_be_written_fails_cleanly(tmp_path: Path) -> None:
    path = _zip(tmp_path / "a.zip", {"a.txt": b"a\n"})
    with pytest.raises(ExtractionFailed, match="could not unpack the archive: No such file"):
        EXTRACTOR.extract(path, tmp_path / "missing", Limits())
