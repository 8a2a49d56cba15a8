"""The filesystem BlobStore beyond the contract: layout, keys, crashes, real write failures."""

from __future__ import annotations

import errno
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from testament.errors import BackendUnavailable, IntegrityError, NotFound
from testament.vault.crypto import KEY_RECORD_SIZE, InstanceKey
from testament.vault.filesystem import FilesystemBlobStore


def make_store(
    root: Path, key: InstanceKey | None, chunk_size: int = 1 << 20
) -> FilesystemBlobStore:
    store = FilesystemBlobStore(root, instance_key=key, chunk_size=chunk_size)
    store.initialise()
    return store


def put(store: FilesystemBlobStore, data: bytes) -> str:
    with store.stage(io.BytesIO(data)) as staged:
        staged.commit()
    return staged.digest


def object_path(root: Path, digest: str) -> Path:
    return root / "objects" / digest[:2] / digest


def key_path(root: Path, digest: str) -> Path:
    return root / "keys" / digest[:2] / f"{digest}.key"


@pytest.fixture
def key() -> InstanceKey:
    return InstanceKey(os.urandom(32))


def test_constructor_touches_nothing(tmp_path: Path, key: InstanceKey) -> None:
    FilesystemBlobStore(tmp_path / "vault", instance_key=key)
    assert not (tmp_path / "vault").exists()


def test_stage_before_initialise_is_not_found(tmp_path: Path, key: InstanceKey) -> None:
    store = FilesystemBlobStore(tmp_path / "vault", instance_key=key)
    with pytest.raises(NotFound) as caught:
        store.stage(io.BytesIO(b"x"))
    assert "testament init" in (caught.value.hint or "")
    assert list(store.digests()) == []


def test_layout_and_modes(tmp_path: Path, key: InstanceKey) -> None:
    store = make_store(tmp_path, key)
    store.initialise()  # idempotent
    digest = put(store, b"a photograph")
    assert object_path(tmp_path, digest).stat().st_mode & 0o777 == 0o444
    record = key_path(tmp_path, digest)
    assert record.stat().st_mode & 0o777 == 0o400
    assert record.stat().st_size == KEY_RECORD_SIZE
    assert list((tmp_path / "tmp").iterdir()) == []


def test_ciphertext_does_not_contain_the_plaintext(tmp_path: Path, key: InstanceKey) -> None:
    plaintext = b"Witness statement: the convoy passed the school at 14:05. " * 2000
    digest = put(make_store(tmp_path, key, chunk_size=4096), plaintext)
    stored = object_path(tmp_path, digest).read_bytes()
    for start in range(0, len(plaintext) - 32, 997):
        assert plaintext[start : start + 32] not in stored
    assert b"convoy" not in stored


def test_plain_mode_stores_the_file_verbatim(tmp_path: Path) -> None:
    data = os.urandom(5000)
    digest = put(make_store(tmp_path, None), data)
    assert object_path(tmp_path, digest).read_bytes() == data
    assert not (tmp_path / "keys" / digest[:2]).exists()


def test_wrong_instance_key_names_both_key_ids(tmp_path: Path, key: InstanceKey) -> None:
    digest = put(make_store(tmp_path, key), b"sealed")
    other = InstanceKey(os.urandom(32))
    with pytest.raises(IntegrityError) as caught:
        FilesystemBlobStore(tmp_path, instance_key=other).read(digest)
    assert key.key_id in caught.value.what
    assert other.key_id in caught.value.what
    assert digest in caught.value.what


def test_missing_key_record_is_an_integrity_error(tmp_path: Path, key: InstanceKey) -> None:
    store = make_store(tmp_path, key)
    digest = put(store, b"shredded")
    key_path(tmp_path, digest).unlink()
    with pytest.raises(IntegrityError, match="key record"):
        store.verify(digest)


def test_damaged_key_record_is_an_integrity_error(tmp_path: Path, key: InstanceKey) -> None:
    store = make_store(tmp_path, key)
    digest = put(store, b"sealed")
    record = key_path(tmp_path, digest)
    data = bytearray(record.read_bytes())
    data[-1] ^= 0x80
    record.chmod(0o600)
    record.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="integrity check"):
        store.verify(digest)


def test_plain_store_refuses_encrypted_objects(tmp_path: Path, key: InstanceKey) -> None:
    digest = put(make_store(tmp_path, key), b"sealed")
    with pytest.raises(IntegrityError, match="encrypted"):
        FilesystemBlobStore(tmp_path, instance_key=None).read(digest)


def test_impossible_object_length_is_an_integrity_error(tmp_path: Path, key: InstanceKey) -> None:
    store = make_store(tmp_path, key, chunk_size=64)
    digest = put(store, os.urandom(100))
    path = object_path(tmp_path, digest)
    path.chmod(0o644)
    path.write_bytes(
        path.read_bytes()[:-40]
    )  # leaves 12 bytes of the final chunk: no room for a tag
    with pytest.raises(IntegrityError, match="impossible length"):
        store.info(digest)


def test_orphan_key_record_from_a_crash_is_replaced(tmp_path: Path, key: InstanceKey) -> None:
    """A crash between placing the key record and linking the object leaves an orphan record."""
    store = make_store(tmp_path, key)
    data = b"re-ingested after a crash"
    digest = hashlib.sha256(data).hexdigest()
    orphan = key_path(tmp_path, digest)
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"\x00" * KEY_RECORD_SIZE)
    assert not store.exists(digest)
    assert put(store, data) == digest
    assert b"".join(store.read(digest)) == data


def test_source_without_readinto(tmp_path: Path, key: InstanceKey) -> None:
    class ReadOnly:
        def __init__(self, data: bytes) -> None:
            self._inner = io.BytesIO(data)

        def read(self, size: int) -> bytes:
            return self._inner.read(min(size, 1000))

    data = os.urandom(10_000)
    store = make_store(tmp_path, key, chunk_size=4096)
    staged = store.stage(ReadOnly(data))  # type: ignore[arg-type]
    assert staged.commit()
    assert b"".join(store.read(staged.digest)) == data


def test_concurrent_commits_of_one_digest_store_it_once(tmp_path: Path, key: InstanceKey) -> None:
    store = make_store(tmp_path, key)
    data = os.urandom(3000)
    staged = [store.stage(io.BytesIO(data)) for _ in range(4)]
    barrier = threading.Barrier(len(staged))
    results: list[bool] = []

    def commit(index: int) -> None:
        barrier.wait()
        results.append(staged[index].commit())

    threads = [threading.Thread(target=commit, args=(i,)) for i in range(len(staged))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False, False, False, True]
    assert b"".join(store.read(staged[0].digest)) == data
    assert list((tmp_path / "tmp").iterdir()) == []


SLOW_WRITER = """
import io, sys, time
from pathlib import Path
from testament.vault.crypto import InstanceKey
from testament.vault.filesystem import FilesystemBlobStore

class Endless(io.RawIOBase):
    def readable(self):
        return True

    def readinto(self, buffer):
        time.sleep(0.002)
        buffer[:] = bytes(len(buffer))
        return len(buffer)

store = FilesystemBlobStore(Path(sys.argv[1]), instance_key=InstanceKey(bytes(32)), chunk_size=4096)
store.stage(Endless())
"""


def test_stale_temporaries_after_sigkill(tmp_path: Path, key: InstanceKey) -> None:
    store = make_store(tmp_path, key)
    child = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(tmp_path)])
    try:
        deadline = time.monotonic() + 30
        while not any(entry.stat().st_size > 65536 for entry in (tmp_path / "tmp").iterdir()):
            assert child.poll() is None, "the writer exited early"
            assert time.monotonic() < deadline, "the writer never started writing"
            time.sleep(0.02)
        assert store.stale_temporaries() == []  # the owner is still alive
        (writing,) = store.temporaries()
        assert (writing.owner, writing.stale) == (child.pid, False)
        assert store.remove_stale_temporaries() == []  # a write in progress is never removed
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
    stale = store.stale_temporaries()
    assert len(stale) == 1
    assert Path(stale[0]).name.startswith(f"{child.pid}.")
    (left,) = store.temporaries()
    assert left.stale and left.size == Path(stale[0]).stat().st_size > 65536
    assert list(store.digests()) == []
    assert store.remove_stale_temporaries({"another-name"}) == []  # only the names given
    assert store.remove_stale_temporaries() == [left]
    assert list((tmp_path / "tmp").iterdir()) == []
    assert store.stale_temporaries() == []


LIMITED_WRITER = """
import io, json, resource, signal, sys
from pathlib import Path
from testament.errors import TestamentError
from testament.vault.crypto import InstanceKey
from testament.vault.filesystem import FilesystemBlobStore

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
key = InstanceKey(bytes(32)) if sys.argv[3] == "encrypted" else None
store = FilesystemBlobStore(Path(sys.argv[1]), instance_key=key)
try:
    store.stage(io.BytesIO(bytes(4 << 20)))
except TestamentError as error:
    print(json.dumps(error.as_dict()))
else:
    print(json.dumps({"kind": None}))
"""


def assert_nothing_left(root: Path) -> None:
    assert list((root / "tmp").iterdir()) == []
    assert list((root / "objects").iterdir()) == []
    assert list((root / "keys").iterdir()) == []


@pytest.mark.parametrize("mode", ["encrypted", "plain"])
def test_file_size_limit_mid_write_is_backend_unavailable(tmp_path: Path, mode: str) -> None:
    """The kernel refuses the write (EFBIG) part-way through a chunk."""
    make_store(tmp_path, None)
    limit = (1 << 20) + 1000
    result = subprocess.run(
        [sys.executable, "-c", LIMITED_WRITER, str(tmp_path), str(limit), mode],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    error = json.loads(result.stdout)
    assert error["kind"] == "BackendUnavailable"
    assert os.strerror(errno.EFBIG) in error["error"]
    assert error["where"] == str(tmp_path)
    assert_nothing_left(tmp_path)


def test_full_disk_is_backend_unavailable(tmp_path: Path, key: InstanceKey) -> None:
    """ENOSPC on a real 2 MiB tmpfs, when this process may mount one."""
    mount_point = tmp_path / "small"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("this environment does not permit mounting a tmpfs")
    try:
        store = make_store(mount_point, key)
        with pytest.raises(BackendUnavailable) as caught:
            store.stage(io.BytesIO(os.urandom(4 << 20)))
        assert os.strerror(errno.ENOSPC) in caught.value.what
        assert caught.value.where == str(mount_point)
        assert_nothing_left(mount_point)
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def _swap(root: Path, first: str, second: str, *, keys: bool) -> None:
    """Exchange two stored objects (and their key records), as a hand on the disk could."""
    paths = [(object_path(root, first), object_path(root, second))]
    if keys:
        paths.append((key_path(root, first), key_path(root, second)))
    for one, other in paths:
        for path in (one, other):
            path.chmod(0o600)
            path.parent.chmod(0o700)
        data = one.read_bytes()
        one.write_bytes(other.read_bytes())
        other.write_bytes(data)


@pytest.mark.parametrize("encrypted", [True, False])
def test_a_large_object_is_checked_in_full_while_it_is_read(
    tmp_path: Path, key: InstanceKey, encrypted: bool
) -> None:
    """Past the first 8 MiB the digest is computed on a second thread as the chunks are handed on
    (HashBehind); a swapped object, authentic under its own key record, still fails at the end."""
    store = make_store(tmp_path, key if encrypted else None)
    big, other = os.urandom(12 << 20), os.urandom(12 << 20)
    first, second = put(store, big), put(store, other)
    assert b"".join(store.read(first)) == big
    _swap(tmp_path, first, second, keys=encrypted)
    with pytest.raises(IntegrityError, match="does not match its content"):
        b"".join(store.read(first))
    threads = threading.active_count()
    reading = store.read(second)
    for _ in range(10):  # past the first 8 MiB: the hashing thread is running
        next(reading)
    reading.close()  # a reader that stops early leaves no thread behind
    assert threading.active_count() == threads
