"""Archives: zip and tar members become new items, unpacked within limits on count, size, ratio and depth.

Nothing in an archive decides where a file is written. Member number N is written as ``work/NNNNNN``
(with its extension when it has a plain one), exclusively created, so a name such as ``../x``, ``/etc/x``
or one that clashes cannot reach outside ``work`` or over another file. The member's path inside the
archive, with empty, ``.`` and ``..`` parts and control characters taken out, becomes the new item's
name; the path as the archive gives it is kept in the derived file's ``parameters["member"]``.

Symbolic and hard links, devices, pipes and encrypted zip members are never written: each is listed
in ``metadata["skipped"]`` with its reason, as is a member whose data is damaged. Sizes are counted as
bytes come out of the decompressor, never taken from headers, so a bomb is stopped as soon as it
passes a limit. Passing a limit raises :class:`ExtractionFailed` naming it, and removes everything
written; so does running past ``Limits.timeout_s``.

Depth is about archives inside archives: ``depth`` is how many archives enclose this one (0 for an
item that did not come out of an archive). Each member's ``parameters["depth"]`` is one more, for the
caller to pass when it processes that member; an archive deeper than ``max_depth`` is refused.
"""

from __future__ import annotations

import lzma
import platform
import re
import stat
import struct
import tarfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from testament.custody.ingest_files import SNIFF_BYTES, sniff
from testament.pipeline.extractors.base import (
    DerivedFile,
    Extraction,
    ExtractionFailed,
    Limits,
    Tool,
)

ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed", "application/x-zip"})
TAR_TYPES = frozenset({"application/x-tar", "application/x-gtar", "application/x-ustar"})
COMPRESSED_TYPES = frozenset(
    {"application/gzip", "application/x-gzip", "application/x-bzip2", "application/x-xz"}
)
COMPRESSED_TAR_NAMES = (".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tar.xz", ".txz")
# A tar's compression, from its first bytes.
TAR_COMPRESSION = ((b"\x1f\x8b", "tar.gz"), (b"BZh", "tar.bz2"), (b"\xfd7zXZ\x00", "tar.xz"))
ZIP_STARTS = (b"PK\x03\x04", b"PK\x05\x06")
CHUNK = 1024 * 1024
# An archive that expands to less than this is never refused for its ratio: a small file of text
# in a tiny archive can compress well beyond any sensible bomb ratio.
RATIO_FLOOR = 1024 * 1024
# How many skipped members are listed by name (all are counted).
MAX_LISTED = 1000
ENCRYPTED = 0x1
SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Read errors that mean a member's data is damaged or cut short (bz2 reports bad data as OSError).
DAMAGE = (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, OSError)


class ArchiveExtractor:
    """Unpacks zip and tar archives (plain, gzip, bzip2 or xz) into member files.

    ``max_members`` caps the entries an archive may hold (of any kind), ``max_total_bytes`` what all
    members expand to, ``max_member_bytes`` one member (``Limits.output_bytes`` when None) and
    ``max_ratio`` what they expand to against the archive's own size. ``depth`` and ``max_depth`` are
    described in the module's documentation."""

    kind = "archive"

    def __init__(
        self,
        *,
        depth: int = 0,
        max_depth: int = 3,
        max_members: int = 10_000,
        max_total_bytes: int = 4 * 1024**3,
        max_member_bytes: int | None = None,
        max_ratio: float = 100.0,
    ) -> None:
        self.depth = depth
        self.max_depth = max_depth
        self.max_members = max_members
        self.max_total_bytes = max_total_bytes
        self.max_member_bytes = max_member_bytes
        self.max_ratio = max_ratio

    def applies(self, media_type: str, name: str) -> bool:
        if media_type in ZIP_TYPES or media_type in TAR_TYPES:
            return True
        return media_type in COMPRESSED_TYPES and name.lower().endswith(COMPRESSED_TAR_NAMES)

    def tool(self) -> Tool:
        return Tool("Python zipfile/tarfile", platform.python_version())

    def extract(self, source: Path, work: Path, limits: Limits) -> Extraction:
        if self.depth > self.max_depth:
            raise ExtractionFailed(
                f"the archive is inside {self.depth} other archives; the limit is {self.max_depth}"
            )
        unpacker = _Unpacker(self, work, limits)
        try:
            archive_format = _format(source)
            unpacker.archive_size = source.stat().st_size
            if archive_format == "zip":
                _unpack_zip(source, unpacker)
            else:
                _unpack_tar(source, archive_format, unpacker)
        except OSError as error:  # the work directory, not the archive: reading errors are caught
            unpacker.remove_all()
            reason = error.strerror or type(error).__name__
            raise ExtractionFailed(f"could not unpack the archive: {reason}") from None
        except BaseException:
            unpacker.remove_all()
            raise
        return Extraction(
            kind=self.kind,
            tool=self.tool(),
            parameters=self.parameters(unpacker.max_member_bytes),
            metadata=unpacker.summary(archive_format),
            derived=unpacker.derived,
        )

    def parameters(self, max_member_bytes: int) -> dict[str, Any]:
        return {
            "depth": self.depth,
            "max_depth": self.max_depth,
            "max_members": self.max_members,
            "max_total_bytes": self.max_total_bytes,
            "max_member_bytes": max_member_bytes,
            "max_ratio": self.max_ratio,
        }


class _Damaged(Exception):
    """A member's data could not be read; the member is skipped, the archive goes on."""


@dataclass
class _Unpacker:
    """One archive's unpacking: what was written, skipped and counted, and the limits it is held to."""

    extractor: ArchiveExtractor
    work: Path
    limits: Limits
    archive_size: int = 0
    entries: int = 0
    total: int = 0
    derived: list[DerivedFile] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    skipped_count: int = 0
    incomplete: str | None = None
    written: list[Path] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    @property
    def max_member_bytes(self) -> int:
        configured = self.extractor.max_member_bytes
        return self.limits.output_bytes if configured is None else configured

    def entry(self) -> int:
        """Count one more entry, refusing one over the limit; return its number (from 1)."""
        self.entries += 1
        if self.entries > self.extractor.max_members:
            raise ExtractionFailed(
                f"the archive holds more than {self.extractor.max_members} entries"
            )
        self.check_time()
        return self.entries

    def skip(self, member: str, reason: str) -> None:
        self.skipped_count += 1
        if len(self.skipped) < MAX_LISTED:
            self.skipped.append({"member": as_text(member), "reason": reason})

    def write(
        self, number: int, member: str, stream: IO[bytes], parameters: dict[str, Any]
    ) -> None:
        """Copy one member's data to the work directory, counting every byte against the limits."""
        name = safe_name(member) or f"member-{number}"
        suffix = PurePosixPath(name).suffix
        path = self.work / f"{number:06d}{suffix if SUFFIX.fullmatch(suffix) else ''}"
        try:
            size, head = self._copy(stream, path)
        except _Damaged as damaged:
            path.unlink(missing_ok=True)
            self.written.remove(path)
            self.skip(member, f"damaged: {damaged}")
            return
        record = {"member": as_text(member), "size": size, "depth": self.extractor.depth + 1}
        self.derived.append(
            DerivedFile(path, "member", sniff(head), name, {**record, **parameters})
        )

    def _copy(self, stream: IO[bytes], path: Path) -> tuple[int, bytes]:
        size = 0
        head = b""
        with path.open("xb") as out:
            self.written.append(path)
            while chunk := _read(stream):
                size += len(chunk)
                self.total += len(chunk)
                self.check(size)
                if len(head) < SNIFF_BYTES:
                    head += chunk[: SNIFF_BYTES - len(head)]
                out.write(chunk)
        return size, head

    def check(self, member_size: int) -> None:
        """Refuse the archive once a member or the whole has grown past a limit."""
        if member_size > self.max_member_bytes:
            raise ExtractionFailed(
                f"a member expands to more than {self.max_member_bytes} bytes, "
                "the limit for one member"
            )
        if self.total > self.extractor.max_total_bytes:
            raise ExtractionFailed(
                f"the archive expands to more than {self.extractor.max_total_bytes} bytes, "
                "the limit for an archive"
            )
        ratio = self.extractor.max_ratio
        if self.total > RATIO_FLOOR and self.total > ratio * max(self.archive_size, 1):
            raise ExtractionFailed(
                f"the archive expands more than {ratio:g} times its size (zip bomb?)"
            )
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() - self.started > self.limits.timeout_s:
            raise ExtractionFailed(
                f"unpacking the archive did not finish within {self.limits.timeout_s:g} s"
            )

    def remove_all(self) -> None:
        for path in self.written:
            path.unlink(missing_ok=True)
        self.written.clear()
        self.derived.clear()

    def summary(self, archive_format: str) -> dict[str, Any]:
        metadata: dict[str, Any] = {
            "format": archive_format,
            "entries": self.entries,
            "members": len(self.derived),
            "bytes": self.total,
            "skipped": self.skipped,
            "skipped_count": self.skipped_count,
        }
        if self.incomplete is not None:
            metadata["incomplete"] = self.incomplete
        return metadata


def _read(stream: IO[bytes]) -> bytes:
    try:
        return stream.read(CHUNK)
    except DAMAGE as error:
        raise _Damaged(_damage(error)) from None


def _damage(error: BaseException) -> str:
    if isinstance(error, EOFError | tarfile.ReadError):
        return "its data is cut short"
    if isinstance(error, zipfile.BadZipFile) and "CRC" in str(error):
        return "its checksum does not match its data"
    return "its compressed data cannot be read"


def _format(source: Path) -> str:
    with source.open("rb") as stream:
        start = stream.read(8)
    if start.startswith(ZIP_STARTS) or zipfile.is_zipfile(source):
        return "zip"
    for magic, name in TAR_COMPRESSION:
        if start.startswith(magic):
            return name
    return "tar"


def _unpack_zip(source: Path, unpacker: _Unpacker) -> None:
    declared = declared_entries(source)
    if declared > unpacker.extractor.max_members:
        raise ExtractionFailed(
            f"the archive holds more than {unpacker.extractor.max_members} entries"
        )
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise ExtractionFailed("the zip archive is damaged or cut short") from None
    with archive:
        for info in archive.infolist():
            number = unpacker.entry()
            if info.is_dir():
                continue
            reason = _zip_refusal(info)
            if reason is not None:
                unpacker.skip(info.filename, reason)
                continue
            parameters = {"archive_format": "zip", "modified": _zip_time(info)}
            try:
                stream = archive.open(info)
            except (NotImplementedError, zipfile.BadZipFile, RuntimeError, *DAMAGE) as error:
                unpacker.skip(info.filename, f"damaged: {_open_failure(error)}")
                continue
            with stream:
                unpacker.write(number, info.filename, stream, parameters)


def _zip_refusal(info: zipfile.ZipInfo) -> str | None:
    if info.flag_bits & ENCRYPTED:
        return "encrypted"
    mode = info.external_attr >> 16
    if info.create_system != 3 or stat.S_IFMT(mode) in (0, stat.S_IFREG):
        return None
    return _refusal(mode)


def _refusal(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    return "not a regular file"


def _open_failure(error: BaseException) -> str:
    if isinstance(error, NotImplementedError):
        return "compressed with a method this tool cannot read"
    return _damage(error)


def _zip_time(info: zipfile.ZipInfo) -> str | None:
    try:
        return datetime(*info.date_time).isoformat()  # local time, as zip stores it
    except ValueError:
        return None


def declared_entries(source: Path) -> int:
    """How many entries a zip's end record says its directory holds, read before the directory
    itself (which zipfile loads whole); 0 when there is no end record (zipfile then refuses it)."""
    size = source.stat().st_size
    with source.open("rb") as stream:
        stream.seek(max(0, size - 22 - 0xFFFF))
        tail = stream.read()
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < 22:
            return 0
        (entries,) = struct.unpack_from("<H", tail, at + 10)
        locator = at - 20
        if entries != 0xFFFF or locator < 0 or tail[locator : locator + 4] != b"PK\x06\x07":
            return int(entries)
        (offset,) = struct.unpack_from("<Q", tail, locator + 8)
        stream.seek(offset)
        record = stream.read(56)
    if len(record) == 56 and record.startswith(b"PK\x06\x06"):
        return int(struct.unpack_from("<Q", record, 32)[0])
    return int(entries)


def _open_tar(source: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(source, "r:*")
    except (tarfile.TarError, EOFError, zlib.error, lzma.LZMAError, OSError):
        raise ExtractionFailed(
            "the file is neither a zip nor a tar archive this tool can read, or it is damaged"
        ) from None


def _unpack_tar(source: Path, archive_format: str, unpacker: _Unpacker) -> None:
    with _open_tar(source) as archive:
        for member in _members(archive, unpacker):
            number = unpacker.entry()
            if member.isdir():
                continue
            if not member.isreg():
                unpacker.skip(member.name, _tar_refusal(member))
                continue
            parameters = {"archive_format": archive_format, "modified": _tar_time(member)}
            try:
                stream = archive.extractfile(member)
            except DAMAGE as error:
                unpacker.skip(member.name, f"damaged: {_damage(error)}")
                continue
            if stream is not None:
                with stream:
                    unpacker.write(number, member.name, stream, parameters)


def _members(archive: tarfile.TarFile, unpacker: _Unpacker) -> Iterator[tarfile.TarInfo]:
    """The archive's members one at a time; damage after the first ends the walk (and is noted)."""
    while True:
        try:
            member = archive.next()
        except DAMAGE as error:
            unpacker.incomplete = f"the archive ends early or is damaged: {_damage(error)}"
            return
        if member is None:
            return
        yield member


def _tar_refusal(member: tarfile.TarInfo) -> str:
    if member.issym():
        return "a symbolic link"
    if member.islnk():
        return "a hard link"
    if member.ischr() or member.isblk():
        return "a device"
    if member.isfifo():
        return "a named pipe"
    return "not a regular file"


def _tar_time(member: tarfile.TarInfo) -> str | None:
    try:
        return datetime.fromtimestamp(member.mtime, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        return None


def safe_name(member: str) -> str:
    """A member's path as an item's name: no empty, ``.`` or ``..`` parts, no leading ``/``, no
    backslash separators or control characters; '' when nothing is left."""
    parts = re.split(r"[/\\]", member)
    return "/".join(
        CONTROL.sub("_", as_text(part)) for part in parts if part not in ("", ".", "..")
    )


def as_text(name: str) -> str:
    """A member's name as text that encodes as UTF-8 (tar names that are not UTF-8 come with
    surrogates; their bytes appear as ``\\xNN``)."""
    try:
        encoded = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        encoded = name.encode("utf-8", "backslashreplace")
    return encoded.decode("utf-8", "backslashreplace")
