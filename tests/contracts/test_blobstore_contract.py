"""The BlobStore contract: one suite, run unchanged against every backend in ``BACKENDS``.

A backend joins by adding a factory to ``BACKENDS`` that returns a :class:`Harness`: the store plus
the few back doors the tests need to damage a stored object and to look for leftovers.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import tempfile
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, cast

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testament.errors import Conflict, IntegrityError, InvalidInput, NotFound
from testament.vault.base import CHUNK_SIZE, BlobStore
from testament.vault.crypto import InstanceKey
from testament.vault.filesystem import FilesystemBlobStore


class Harness(Protocol):
    @property
    def store(self) -> BlobStore: ...

    def raw(self, digest: str) -> bytes:
        """The stored object exactly as the backend holds it."""
        ...

    def replace_raw(self, digest: str, data: bytes) -> None:
        """Overwrite a stored object behind the store's back (simulated damage)."""
        ...

    def leftovers(self) -> list[str]:
        """Staging data currently present in the backend."""
        ...


@dataclass
class FilesystemHarness:
    store: FilesystemBlobStore

    def _path(self, digest: str) -> Path:
        return self.store.root / "objects" / digest[:2] / digest

    def raw(self, digest: str) -> bytes:
        return self._path(digest).read_bytes()

    def replace_raw(self, digest: str, data: bytes) -> None:
        path = self._path(digest)
        path.chmod(0o644)
        path.write_bytes(data)

    def leftovers(self) -> list[str]:
        tmp = self.store.root / "tmp"
        return sorted(entry.name for entry in tmp.iterdir()) if tmp.exists() else []


def filesystem_encrypted(scratch: Path, chunk_size: int) -> Harness:
    store = FilesystemBlobStore(
        scratch / "vault", instance_key=InstanceKey(os.urandom(32)), chunk_size=chunk_size
    )
    store.initialise()
    return FilesystemHarness(store)


def filesystem_plain(scratch: Path, chunk_size: int) -> Harness:
    store = FilesystemBlobStore(scratch / "vault", instance_key=None, chunk_size=chunk_size)
    store.initialise()
    return FilesystemHarness(store)


BACKENDS: dict[str, Callable[[Path, int], Harness]] = {
    "filesystem-encrypted": filesystem_encrypted,
    "filesystem-plain": filesystem_plain,
}

SMALL_CHUNK = 64


@pytest.fixture(params=list(BACKENDS))
def make_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[int], Harness]:
    factory = BACKENDS[request.param]

    def make(chunk_size: int) -> Harness:
        return factory(tmp_path, chunk_size)

    return make


@pytest.fixture
def backend(make_backend: Callable[[int], Harness]) -> Harness:
    return make_backend(CHUNK_SIZE)


@pytest.fixture
def small(make_backend: Callable[[int], Harness]) -> Harness:
    return make_backend(SMALL_CHUNK)


def put(store: BlobStore, data: bytes) -> str:
    with store.stage(io.BytesIO(data)) as staged:
        assert staged.commit() is True
    return staged.digest


def read_all(store: BlobStore, digest: str) -> bytes:
    return b"".join(store.read(digest))


def flip(harness: Harness, digest: str, offset: int, mask: int = 0x01) -> None:
    raw = bytearray(harness.raw(digest))
    raw[offset] ^= mask
    harness.replace_raw(digest, bytes(raw))


@pytest.mark.parametrize(
    "size",
    [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE + 12345],
)
def test_round_trip(backend: Harness, size: int) -> None:
    data = os.urandom(size)
    with backend.store.stage(io.BytesIO(data)) as staged:
        assert staged.digest == hashlib.sha256(data).hexdigest()
        assert staged.size == size
        assert not backend.store.exists(staged.digest)
        assert staged.commit() is True
    digest = staged.digest
    assert backend.store.exists(digest)
    assert read_all(backend.store, digest) == data
    assert backend.store.info(digest).size == size
    assert backend.store.verify(digest).size == size
    assert backend.leftovers() == []


def test_a_shredded_blob_can_never_be_read_again(backend: Harness, tmp_path: Path) -> None:
    data = os.urandom(3000) + b"the words of a witness"
    digest = put(backend.store, data)
    other = put(backend.store, b"other evidence")
    assert backend.store.shred(digest) is True
    assert not backend.store.exists(digest)
    with pytest.raises((NotFound, IntegrityError)):
        read_all(backend.store, digest)
    assert backend.store.shred(digest) is False  # nothing left to destroy
    assert read_all(backend.store, other) == b"other evidence"
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"the words of a witness" not in path.read_bytes()


def test_same_content_twice_is_stored_once(backend: Harness) -> None:
    data = b"testimony" * 1000
    digest = put(backend.store, data)
    before = backend.raw(digest)
    with backend.store.stage(io.BytesIO(data)) as staged:
        assert staged.commit() is False
    assert backend.raw(digest) == before
    assert list(backend.store.digests()) == [digest]
    assert backend.leftovers() == []


def test_commit_never_overwrites(small: Harness) -> None:
    data = os.urandom(1000)
    first = small.store.stage(io.BytesIO(data))
    second = small.store.stage(io.BytesIO(data))
    assert first.commit() is True
    stored = small.raw(first.digest)
    assert second.commit() is False
    assert small.raw(first.digest) == stored
    assert read_all(small.store, first.digest) == data
    assert small.leftovers() == []


def test_discard_leaves_nothing(backend: Harness) -> None:
    staged = backend.store.stage(io.BytesIO(b"draft"))
    staged.discard()
    staged.discard()
    assert backend.leftovers() == []
    assert not backend.store.exists(staged.digest)
    assert list(backend.store.digests()) == []
    with pytest.raises(Conflict):
        staged.commit()


def test_leaving_with_block_without_commit_discards(backend: Harness) -> None:
    with backend.store.stage(io.BytesIO(b"abandoned")) as staged:
        assert backend.leftovers() != []
    assert backend.leftovers() == []
    assert not backend.store.exists(staged.digest)

    with pytest.raises(RuntimeError), backend.store.stage(io.BytesIO(b"failed")) as staged:
        raise RuntimeError
    assert backend.leftovers() == []
    assert list(backend.store.digests()) == []


def test_commit_twice_is_a_conflict(backend: Harness) -> None:
    with backend.store.stage(io.BytesIO(b"once")) as staged:
        staged.commit()
        with pytest.raises(Conflict):
            staged.commit()
    assert backend.store.exists(staged.digest)


def test_digests_lists_exactly_what_was_committed(small: Harness) -> None:
    committed = {put(small.store, os.urandom(n)) for n in (0, 5, 64, 300)}
    small.store.stage(io.BytesIO(b"never committed")).discard()
    assert sorted(small.store.digests()) == sorted(committed)


def test_discard_group_removes_only_that_group(small: Harness) -> None:
    kept = small.store.stage(io.BytesIO(b"other caller"))
    small.store.stage(io.BytesIO(b"lost one"), group="g1")
    small.store.stage(io.BytesIO(b"lost two"), group="g1")
    other_group = small.store.stage(io.BytesIO(b"other group"), group="g2")
    assert small.store.discard_group("g1") >= 2
    assert small.store.discard_group("g1") == 0
    assert kept.commit() and other_group.commit()
    assert sorted(small.store.digests()) == sorted([kept.digest, other_group.digest])


def test_unknown_digest_is_not_found(backend: Harness) -> None:
    digest = hashlib.sha256(b"absent").hexdigest()
    assert not backend.store.exists(digest)
    with pytest.raises(NotFound) as caught:
        backend.store.read(digest)  # raised by the call, before iterating
    assert digest in str(caught.value)
    with pytest.raises(NotFound):
        backend.store.info(digest)
    with pytest.raises(NotFound):
        backend.store.verify(digest)


@pytest.mark.parametrize(
    "digest",
    ["", "abc", "A" * 64, "g" * 64, "a" * 63, "a" * 65, "sha256:" + "a" * 64, "a" * 64 + "\n"],
)
def test_malformed_digest_is_invalid_input(backend: Harness, digest: str) -> None:
    for call in (
        backend.store.exists,
        backend.store.info,
        backend.store.read,
        backend.store.verify,
    ):
        with pytest.raises(InvalidInput):
            call(digest)


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_flipped_byte_is_detected(small: Harness, where: str) -> None:
    data = os.urandom(5 * SMALL_CHUNK + 7)
    digest = put(small.store, data)
    size = len(small.raw(digest))
    flip(small, digest, {"first": 0, "middle": size // 2, "last": size - 1}[where])
    with pytest.raises(IntegrityError) as caught:
        read_all(small.store, digest)
    assert digest in str(caught.value)
    with pytest.raises(IntegrityError):
        small.store.verify(digest)


@pytest.mark.parametrize("cut", [1, SMALL_CHUNK, SMALL_CHUNK + 16])
def test_truncated_object_is_detected(small: Harness, cut: int) -> None:
    digest = put(small.store, os.urandom(4 * SMALL_CHUNK))
    small.replace_raw(digest, small.raw(digest)[:-cut])
    with pytest.raises(IntegrityError):
        small.store.verify(digest)


def test_extended_object_is_detected(small: Harness) -> None:
    digest = put(small.store, os.urandom(3 * SMALL_CHUNK + 1))
    small.replace_raw(digest, small.raw(digest) + b"\x00" * 20)
    with pytest.raises(IntegrityError):
        small.store.verify(digest)


def test_emptied_object_is_detected(backend: Harness) -> None:
    digest = put(backend.store, b"x")
    backend.replace_raw(digest, b"")
    with pytest.raises(IntegrityError):
        backend.store.verify(digest)


def test_progress_sums_to_size(small: Harness) -> None:
    data = os.urandom(10 * SMALL_CHUNK + 3)
    seen: list[int] = []
    with small.store.stage(io.BytesIO(data), progress=seen.append) as staged:
        staged.commit()
    assert sum(seen) == len(data)
    assert len(seen) >= 10


class PatternSource(io.RawIOBase):
    """A large stream made on the fly: ``size`` bytes from a repeated block, no big allocations."""

    def __init__(self, size: int, block: bytes) -> None:
        self._left = size
        self._block = memoryview(block)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        count = min(len(buffer), len(self._block), self._left)
        buffer[:count] = self._block[:count]
        self._left -= count
        return count


def test_memory_stays_bounded(backend: Harness) -> None:
    size = 64 << 20
    block = os.urandom(CHUNK_SIZE)
    expected = hashlib.sha256()
    for _ in range(size // len(block)):
        expected.update(block)
    source = cast(BinaryIO, PatternSource(size, block))
    tracemalloc.start()
    try:
        with backend.store.stage(source) as staged:
            staged.commit()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert staged.digest == expected.hexdigest()
    assert staged.size == size
    # The read buffer, the chunk being sealed and the writer's short queue: a few chunks, whatever
    # the size of the stream (64 MiB here).
    assert peak < 8 * CHUNK_SIZE, f"peak traced memory {peak} bytes"


class FailingSource(io.RawIOBase):
    """Yields some bytes, then fails as a dying disk or a yanked USB stick would."""

    name = "/media/evidence/clip.mp4"

    def __init__(self, good: int) -> None:
        self._good = good

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._good <= 0:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        count = min(len(buffer), self._good)
        buffer[:count] = b"s" * count
        self._good -= count
        return count


@pytest.mark.parametrize("good", [0, 100, 3 * CHUNK_SIZE])
def test_unreadable_source_is_invalid_input_and_leaves_nothing(backend: Harness, good: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        backend.store.stage(cast(BinaryIO, FailingSource(good)))
    assert caught.value.where == FailingSource.name
    assert "sss" not in caught.value.diagnostics()
    assert backend.leftovers() == []
    assert list(backend.store.digests()) == []


@pytest.mark.parametrize("factory", list(BACKENDS.values()), ids=list(BACKENDS))
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=5 * SMALL_CHUNK), draw=st.data())
def test_round_trip_holds_and_any_flipped_byte_is_detected(
    factory: Callable[[Path, int], Harness], data: bytes, draw: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        harness = factory(Path(scratch), SMALL_CHUNK)
        digest = put(harness.store, data)
        assert digest == hashlib.sha256(data).hexdigest()
        assert read_all(harness.store, digest) == data
        assert harness.store.info(digest).size == len(data)
        stored = harness.raw(digest)
        if not stored:  # a plaintext backend stores the empty blob as zero bytes
            return
        offset = draw.draw(st.integers(0, len(stored) - 1), label="offset")
        mask = draw.draw(st.integers(1, 255), label="mask")
        flip(harness, digest, offset, mask)
        with pytest.raises(IntegrityError):
            harness.store.verify(digest)


def test_deferred_durability_round_trip(backend: Harness) -> None:
    """Blobs staged and committed with durable=False read back after sync(), as any other."""
    store = backend.store
    payloads = [b"one", b"two" * 1000, b""]
    digests = []
    for payload in payloads:
        staged = store.stage(io.BytesIO(payload), durable=False)
        assert staged.commit(durable=False) is True
        digests.append(staged.digest)
    store.sync()
    store.sync()  # nothing pending: a no-op
    for payload, digest in zip(payloads, digests, strict=True):
        assert b"".join(store.read(digest)) == payload
        assert store.verify(digest).size == len(payload)
    assert backend.leftovers() == []
