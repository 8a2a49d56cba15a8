"""The BlobStore protocol every vault backend implements, and the ingest loop they share.

A blob is named by the SHA-256 of its plaintext, as 64 lowercase hex digits. Stores are write-once:
an object, once committed, is never overwritten or edited. Writing is two steps, so that callers
can record the digest before the object becomes visible::

    with store.stage(source) as staged:
        record_ingest(staged.digest, staged.size)
        staged.commit()

Leaving the ``with`` block without :meth:`StagedBlob.commit` discards the staged data.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import BinaryIO, Protocol, Self

from testament.errors import InvalidInput

CHUNK_SIZE = 1 << 20

_DIGEST = re.compile(r"[0-9a-f]{64}")

Progress = Callable[[int], None]
Sink = Callable[[memoryview, bool], None]


@dataclass(frozen=True)
class BlobInfo:
    """A stored blob: its digest and its plaintext size in bytes."""

    digest: str
    size: int


@dataclass(frozen=True)
class Temporary:
    """A staged file not (yet) committed: a write in progress, or one a crash left behind.

    ``stale`` means the process that wrote it no longer runs, so it will never be committed.
    """

    name: str
    size: int
    modified: float
    owner: int | None
    stale: bool


class StagedBlob(Protocol):
    """A fully written, durable object that is not visible yet."""

    @property
    def digest(self) -> str: ...

    @property
    def size(self) -> int: ...

    def commit(self, *, durable: bool = True) -> bool:
        """Make the object visible atomically.

        Returns True if it was newly stored, False if identical content was already stored (the
        staged copy is then dropped). Never overwrites an existing object. A second call raises
        Conflict. With ``durable=False`` the store may defer flushing to disk until
        :meth:`BlobStore.sync`, which the caller must call before relying on the object.
        """
        ...

    def discard(self) -> None:
        """Remove the staged data. Idempotent, and a no-op after commit."""
        ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...


class BlobStore(Protocol):
    """Write-once, content-addressed storage for evidence files."""

    def stage(
        self,
        source: BinaryIO,
        *,
        progress: Progress | None = None,
        durable: bool = True,
        group: str | None = None,
    ) -> StagedBlob:
        """Read ``source`` once, in bounded memory, into a durable staged object.

        ``progress(n)`` is called after each chunk with the bytes consumed by that chunk. A source
        that cannot be read raises InvalidInput; a store that cannot be written raises
        BackendUnavailable. Either way nothing is left behind. ``durable=False`` lets the store
        defer flushing to :meth:`sync`, so a batch of small files costs one flush, not one each.
        ``group`` tags the staged data before any of it exists, so :meth:`discard_group` can
        remove it even if the caller never received the StagedBlob (an interrupt between the
        store returning and the caller keeping the result).
        """
        ...

    def discard_group(self, group: str) -> int:
        """Remove every uncommitted object this process staged under ``group``; returns how many."""
        ...

    def sync(self) -> None:
        """Make everything staged or committed with ``durable=False`` durable. Cheap if nothing is."""
        ...

    def exists(self, digest: str) -> bool: ...

    def info(self, digest: str) -> BlobInfo:
        """Digest and plaintext size; NotFound if absent. Does not check the content."""
        ...

    def read(self, digest: str) -> Iterator[bytes]:
        """Yield the plaintext in chunks, checking it on the way.

        NotFound if absent (raised by the call itself). IntegrityError as soon as a chunk fails
        authentication, or after the last chunk if the content does not hash to ``digest``, so a
        caller must consume the whole iterator before trusting what it got.
        """
        ...

    def verify(self, digest: str) -> BlobInfo:
        """Read and check the whole object; IntegrityError on any mismatch."""
        ...

    def digests(self) -> Iterator[str]:
        """Every committed digest."""
        ...

    def shred(self, digest: str) -> bool:
        """Make the object unreadable for good: destroy its data key (and, stored in plaintext, the
        object itself, overwritten first). False if there was nothing to destroy. The only way an
        object ever stops being readable on purpose (erasure under policy)."""
        ...

    def temporaries(self) -> list[Temporary]:
        """Every staged file, in name order: writes in progress and those left by a crash."""
        ...

    def stale_temporaries(self) -> list[str]:
        """Staged objects left behind by processes that no longer run."""
        ...

    def remove_stale_temporaries(self, names: Collection[str] | None = None) -> list[Temporary]:
        """Remove the stale :meth:`temporaries` (only those ``names``, if given; never one whose
        writer still runs); return what was removed.

        Only `testament vault clean-tmp --yes` calls this, and records what it removed: a partial
        upload is never deleted silently (docs/vault.md).
        """
        ...


def is_digest(value: object) -> bool:
    """True if ``value`` is a SHA-256 digest written as 64 lowercase hex digits."""
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


def validate_digest(digest: str) -> str:
    """Return ``digest`` if it is 64 lowercase hex digits, else raise InvalidInput."""
    if not is_digest(digest):
        raise InvalidInput(
            "not a SHA-256 digest",
            where="digest",
            hint="give the digest as 64 lowercase hexadecimal digits",
        )
    return digest


def validate_chunk_size(chunk_size: int, maximum: int) -> int:
    if not 1 <= chunk_size <= maximum:
        raise InvalidInput(f"chunk size must be 1 to {maximum} bytes", where="chunk_size")
    return chunk_size


def read_full(readinto: Callable[[memoryview], int | None], view: memoryview) -> int:
    """Read into ``view`` until it is full or the stream ends; return the byte count."""
    filled = 0
    size = len(view)
    while filled < size:
        count = readinto(view[filled:])
        if count is None:
            raise BlockingIOError("the stream is non-blocking and has no data ready")
        if count == 0:
            break
        filled += count
    return filled


def ingest(
    source: BinaryIO, sink: Sink, *, chunk_size: int, progress: Progress | None
) -> tuple[str, int]:
    """Hash ``source`` and pass it to ``sink`` chunk by chunk, in one pass, with one reused buffer.

    ``sink(chunk, last)`` receives full ``chunk_size`` chunks, then one final shorter chunk
    (possibly empty), in order. Returns the hex SHA-256 and the size. OSError from the sink
    propagates; OSError from the source becomes InvalidInput.

    Hashing on this thread while a helper thread encrypts and writes was measured (1 GiB, 2-core
    VM, shared with other work) and was slower than this plain loop, so the loop stays serial.
    """
    readinto = _readinto_of(source)
    hasher = hashlib.sha256()
    view = memoryview(bytearray(chunk_size))
    total = 0
    while True:
        chunk = _read_chunk(source, readinto, view)
        hasher.update(chunk)
        last = len(chunk) < chunk_size
        sink(chunk, last)
        total += len(chunk)
        if progress is not None:
            progress(len(chunk))
        if last:
            return hasher.hexdigest(), total


def _read_chunk(
    source: BinaryIO, readinto: Callable[[memoryview], int | None], view: memoryview
) -> memoryview:
    try:
        return view[: read_full(readinto, view)]
    except OSError as error:
        raise _unreadable(source, error) from None


def _readinto_of(source: BinaryIO) -> Callable[[memoryview], int | None]:
    readinto: Callable[[memoryview], int | None] | None = getattr(source, "readinto", None)
    if readinto is not None:
        return readinto

    def read_copy(view: memoryview) -> int:
        data = source.read(len(view))
        view[: len(data)] = data
        return len(data)

    return read_copy


def _unreadable(source: BinaryIO, error: OSError) -> InvalidInput:
    name = getattr(source, "name", None)
    reason = error.strerror or type(error).__name__
    return InvalidInput(
        f"the source cannot be read: {reason}",
        where=name if isinstance(name, str) else "source stream",
        hint="check that the file is readable and that its medium is healthy, then try again",
    )
