"""Ingest's files: finding them, and staging each in the vault (hashed, sniffed, checked unchanged).

A file's media type is identified by libmagic from its first bytes, on a thread of its own while the
next files are read and stored (:class:`Identifier`): libmagic lets go of the interpreter while it
works, and for a small file its many tests cost about as much as reading, hashing and storing it.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import magic

from testament.domain.custody import utc_timestamp
from testament.domain.results import Result
from testament.errors import InvalidInput
from testament.vault.base import BlobStore, StagedBlob

SNIFF_BYTES = 8192


@dataclass(frozen=True, kw_only=True)
class IngestResult(Result):
    """What happened to one path. ``status`` is stored, linked, already-ingested, skipped or rejected."""

    item_id: str | None = None
    sha256: str | None = None
    path: str
    size: int | None = None
    duplicate: bool | None = None
    status: str
    reason: str | None = None

    @property
    def failed(self) -> bool:
        return self.status == "rejected"


@dataclass(frozen=True)
class Candidate:
    path: Path
    size: int


@dataclass
class Pending:
    """A staged file waiting for its batch to be recorded."""

    candidate: Candidate
    staged: StagedBlob
    mtime: str
    identified: Future[str] | str  # the media type, or its identification under way
    source: str = ""  # where the file came from, as recorded (its absolute path, unless relabelled)

    @property
    def media_type(self) -> str:
        if isinstance(self.identified, str):
            return self.identified
        return self.identified.result()


class Identifier:
    """Identifies media types on one thread beside the ingest's; a context manager that waits for it."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="identify")

    def __enter__(self) -> Identifier:
        return self

    def __exit__(self, *_: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def identify(self, head: bytes) -> Future[str]:
        return self._pool.submit(sniff, head)


def as_text(path: Path) -> str:
    """A path as text, even when its bytes are not UTF-8 (as in archives made with old code pages).

    Undecodable bytes appear as ``\\xNN``, so the name is recorded and shown without loss of meaning.
    """
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def skip(path: Path, reason: str) -> IngestResult:
    return IngestResult(path=as_text(path), status="skipped", reason=reason)


def reject(path: Path, reason: str) -> IngestResult:
    return IngestResult(path=as_text(path), status="rejected", reason=reason)


def _kind(mode: int) -> str | None:
    """Why a non-regular, non-directory file is skipped."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe), not a file: skipped"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file, not a file: skipped"
    if stat.S_ISSOCK(mode):
        return "a socket, not a file: skipped"
    return None


def check_paths(paths: Sequence[Path]) -> None:
    """Refuse the whole command, before anything is written, if a named path does not exist."""
    if not paths:
        raise InvalidInput("no path to ingest", hint="name one or more files or directories")
    for path in paths:
        if not os.path.lexists(path):
            raise InvalidInput(
                "the path does not exist",
                where=as_text(path),
                hint="check the spelling; nothing was ingested",
            )


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_dev, info.st_ino)


def discover(
    paths: Sequence[Path], *, exclude: Sequence[Path] = ()
) -> Iterator[Candidate | IngestResult]:
    """Walk ``paths`` (directories recursively, following symlinks safely).

    Yields a :class:`Candidate` per regular file, and a skipped/rejected result for what cannot be
    ingested: FIFOs, devices and sockets, symlink loops, unreadable directories, a file reached twice,
    and the ``exclude`` directories (Testament's own home and vault).
    """
    seen_files: set[tuple[int, int]] = set()
    seen_dirs: set[tuple[int, int]] = set()
    own = {ident for ident in map(_identity, exclude) if ident is not None}
    stack = list(reversed([Path(p) for p in paths]))
    while stack:
        path = stack.pop()
        try:
            info = path.stat()
        except OSError as exc:
            if exc.errno == 40:  # ELOOP
                yield skip(path, "a symbolic link loop: skipped")
            elif path.is_symlink():
                yield skip(path, "a broken symbolic link: skipped")
            else:
                yield reject(path, f"cannot be read: {exc.strerror}")
            continue
        identity = (info.st_dev, info.st_ino)
        if stat.S_ISDIR(info.st_mode):
            if identity in own:
                yield skip(path, "Testament's own data directory: skipped")
                continue
            if identity in seen_dirs:
                yield skip(path, "a directory reached twice (symbolic link cycle): skipped")
                continue
            seen_dirs.add(identity)
            try:
                children = sorted(os.scandir(path), key=lambda e: e.name)
            except OSError as exc:
                yield reject(path, f"directory cannot be read: {exc.strerror}")
                continue
            stack.extend(Path(child.path) for child in reversed(children))
            continue
        reason = _kind(info.st_mode)
        if reason:
            yield skip(path, reason)
            continue
        if identity in seen_files:
            yield skip(path, "the same file was already named in this run: skipped")
            continue
        seen_files.add(identity)
        yield Candidate(path, info.st_size)


def sniff(head: bytes) -> str:
    """The media type of a file from its first bytes (libmagic)."""
    if not head:
        return "application/x-empty"
    media_type: str = magic.from_buffer(head, mime=True)
    return media_type


def _unchanged(before: os.stat_result, after: os.stat_result) -> bool:
    keys = ("st_size", "st_mtime_ns", "st_ctime_ns", "st_ino", "st_dev")
    return all(getattr(before, k) == getattr(after, k) for k in keys)


def stage(
    blobs: BlobStore,
    candidate: Candidate,
    progress: Callable[[int], None] | None,
    group: str,
    identifier: Identifier,
) -> Pending | IngestResult:
    """Copy one file into the vault's staging area, hashing and encrypting it on the way."""
    path = candidate.path
    try:
        handle = path.open("rb")
    except OSError as exc:
        return reject(path, f"cannot be read: {exc.strerror}")
    with handle:
        before = os.fstat(handle.fileno())
        if not stat.S_ISREG(before.st_mode):
            return skip(path, _kind(before.st_mode) or "not a regular file: skipped")
        try:
            head = os.pread(handle.fileno(), SNIFF_BYTES, 0)
        except OSError as exc:
            return reject(path, f"cannot be read: {exc.strerror}")
        try:
            staged = blobs.stage(handle, progress=progress, durable=False, group=group)
        except InvalidInput as exc:
            return reject(path, exc.what)
        try:
            checked = _check_staged(path, handle.fileno(), before, staged)
        except BaseException:  # including Ctrl-C between staging and batching
            staged.discard()
            raise
        if isinstance(checked, IngestResult):
            return checked
        return Pending(checked, staged, _mtime(before), identifier.identify(head))


def _mtime(before: os.stat_result) -> str:
    return utc_timestamp(datetime.fromtimestamp(before.st_mtime, UTC))


def _check_staged(
    path: Path, fd: int, before: os.stat_result, staged: StagedBlob
) -> Candidate | IngestResult:
    """Keep the staged copy only if the file did not change while it was read."""
    after = os.fstat(fd)
    try:
        on_disk = path.stat()
    except OSError:
        on_disk = after
    same = _unchanged(before, after) and _unchanged(before, on_disk)
    if not same or staged.size != before.st_size:
        staged.discard()
        return reject(path, "the file changed while it was being read: nothing recorded")
    return Candidate(path, before.st_size)


def staged_in_order(
    blobs: BlobStore,
    found: Iterable[Candidate | IngestResult],
    progress: Callable[[int], None] | None,
    group: str,
    identifier: Identifier,
) -> Iterator[Pending | IngestResult]:
    """Stage every candidate of ``found`` in turn; yield each outcome in the order found.

    One at a time: staging several small files on threads was measured slower on a loaded 2-core
    machine (each file's few metadata writes queue behind the others' in the same directory).
    """
    for item in found:
        yield (
            stage(blobs, item, progress, group, identifier) if isinstance(item, Candidate) else item
        )


class Sniffing:
    """A stream that keeps its first :data:`SNIFF_BYTES` for media-type sniffing as they pass."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self.head = bytearray()
        self.name = getattr(source, "name", "upload")

    def readinto(self, view: memoryview) -> int:
        readinto = getattr(self._source, "readinto", None)
        if readinto is not None:
            count = int(readinto(view) or 0)
        else:
            data = self._source.read(len(view))
            count = len(data)
            view[:count] = data
        if len(self.head) < SNIFF_BYTES:
            self.head += view[: min(count, SNIFF_BYTES - len(self.head))]
        return count
