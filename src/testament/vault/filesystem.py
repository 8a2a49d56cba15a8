"""The default BlobStore: a directory tree on a local filesystem.

Layout under the store's root::

    objects/ab/<digest>          the object (ciphertext, or plaintext in plain mode), mode 0444
    keys/ab/<digest>.key         its key record (encrypted mode only), mode 0400
    tmp/<pid>.<random>.blob      staged objects, and .key staged key records

A write goes to a temporary file that is fsynced, then moved into place with a rename that fails
rather than replace an existing object (``renameat2(RENAME_NOREPLACE)``, else ``os.link``), then the
directory is fsynced. In encrypted mode the
key record is put in place (and its directory fsynced) before the object is linked, so a crash at
any point leaves either no visible object or an object with its key record. A crash can leave an
orphan key record with no object; the next commit of the same digest replaces it. Commits of one
digest are serialised with ``flock`` on the object's shard directory, so the store needs a local
filesystem. Temporary names carry the writer's process ID, which lets :meth:`temporaries` tell what a
killed process left behind on this host (stale) from a write in progress; only `testament vault
clean-tmp --yes` removes stale ones.
"""

from __future__ import annotations

import fcntl
import os
import secrets
from collections.abc import Collection, Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Self

from testament.errors import BackendUnavailable, Conflict, IntegrityError, NotFound
from testament.vault import crypto
from testament.vault.base import (
    CHUNK_SIZE,
    BlobInfo,
    Progress,
    Temporary,
    ingest,
    is_digest,
    read_full,
    validate_chunk_size,
    validate_digest,
)
from testament.vault.crypto import InstanceKey, fsync_directory
from testament.vault.fileio import (
    ChunkWriter,
    HashBehind,
    WritebackAhead,
    move_new,
    sync_filesystem,
    write_file,
)

_BLOB_SUFFIX = ".blob"
_KEY_SUFFIX = ".key"


class FilesystemBlobStore:
    """Write-once, content-addressed blobs under ``root``; plaintext if ``instance_key`` is None."""

    def __init__(
        self, root: Path, *, instance_key: InstanceKey | None, chunk_size: int = CHUNK_SIZE
    ) -> None:
        self.root = Path(root)
        self.instance_key = instance_key
        self.chunk_size = validate_chunk_size(chunk_size, crypto.MAX_CHUNK_SIZE)
        self._objects = self.root / "objects"
        self._keys = self.root / "keys"
        self._tmp = self.root / "tmp"
        self._dirty = False
        self._shards: set[str] = set()  # shard directories this store made or found (never removed)

    def __repr__(self) -> str:
        mode = "plain" if self.instance_key is None else f"key {self.instance_key.key_id}"
        return f"FilesystemBlobStore({str(self.root)!r}, {mode})"

    def initialise(self) -> None:
        """Create the store's directories (idempotent). `testament init` calls this.

        The 256 shard directories of ``objects/`` and of ``keys/`` are made as blobs first need them,
        each flushed with the batch that made it: a home that holds a few files has a few of them.
        """
        try:
            for directory in (self._objects, self._keys, self._tmp):
                _make_dirs(directory)
        except OSError as error:
            raise self._unavailable(error, "cannot create the blob store") from None

    # Writing

    def stage(
        self,
        source: BinaryIO,
        *,
        progress: Progress | None = None,
        durable: bool = True,
        group: str | None = None,
    ) -> FilesystemStagedBlob:
        if not self._tmp.is_dir():
            raise NotFound(
                "the blob store is not initialised",
                where=str(self.root),
                hint="run `testament init`, or check the configured data directory",
            )
        stem = self._tmp / f"{self._group_prefix(group)}{secrets.token_hex(8)}"
        blob_tmp = stem.with_name(stem.name + _BLOB_SUFFIX)
        key_tmp = stem.with_name(stem.name + _KEY_SUFFIX) if self.instance_key is not None else None
        try:
            digest, size, record = self._write_temporary(blob_tmp, source, progress, durable)
            if key_tmp is not None and record is not None:
                write_file(key_tmp, record, mode=0o400, durable=durable)
            self._dirty = self._dirty or not durable
        except BaseException as error:
            blob_tmp.unlink(missing_ok=True)
            if key_tmp is not None:
                key_tmp.unlink(missing_ok=True)
            if isinstance(error, OSError):
                raise self._unavailable(error, "cannot write to the blob store") from None
            raise
        return FilesystemStagedBlob(self, digest, size, blob_tmp, key_tmp)

    def _write_temporary(
        self, path: Path, source: BinaryIO, progress: Progress | None, durable: bool
    ) -> tuple[str, int, bytes | None]:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
        writeback = WritebackAhead(fd)
        writer = ChunkWriter(fd, writeback, threshold=2 * self.chunk_size)

        def write(data: bytes | memoryview) -> None:
            writer.put(data)

        try:
            record: bytes | None = None
            sealer: crypto.ChunkSealer | None = None
            if self.instance_key is not None:
                dek, key_record = crypto.new_data_key(self.instance_key)
                sealer = crypto.ChunkSealer(dek, self.chunk_size)
                record = key_record.encode()
                write(sealer.header)

            def sink(chunk: memoryview, last: bool) -> None:
                write(chunk if sealer is None else sealer.seal(chunk, last=last))

            digest, size = ingest(source, sink, chunk_size=self.chunk_size, progress=progress)
            writer.close()
            writeback.stop()
            os.fchmod(fd, 0o444)
            if durable:
                os.fsync(fd)
        finally:
            try:
                writer.abandon()
                writeback.stop()
            finally:
                os.close(fd)
        return digest, size, record

    def sync(self) -> None:
        if not self._dirty:
            return
        try:
            sync_filesystem(self.root)
        except OSError as error:
            raise self._unavailable(error, "cannot flush the blob store to disk") from None
        self._dirty = False

    def _commit(self, staged: FilesystemStagedBlob, durable: bool) -> bool:
        digest = staged.digest
        target = self._object_path(digest)
        try:
            self._shard(target.parent, durable)
            if staged.key_tmp is not None:
                self._shard(self._key_path(digest).parent, durable)
            shard = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                fcntl.flock(shard, fcntl.LOCK_EX)
                return self._link_locked(staged, target, shard, durable)
            finally:
                os.close(shard)
        except OSError as error:
            raise self._unavailable(error, f"cannot commit blob sha256:{digest}") from None
        finally:
            staged.remove_temporaries()

    def _shard(self, directory: Path, durable: bool) -> None:
        """Make sure a shard directory exists; a deferred commit leaves it to the next sync."""
        name = str(directory)
        if not durable and name in self._shards:
            return
        if _make_dirs(directory, durable=durable):
            self._dirty = self._dirty or not durable
        elif durable:
            # Another writer's deferred commit may have made it and not flushed it yet.
            fsync_directory(directory.parent)
        self._shards.add(name)

    def _link_locked(
        self, staged: FilesystemStagedBlob, target: Path, shard: int, durable: bool
    ) -> bool:
        if os.path.lexists(target):
            return False
        self._dirty = self._dirty or not durable
        if staged.key_tmp is not None:
            key_path = self._key_path(staged.digest)
            staged.key_tmp.replace(key_path)
            if durable:
                fsync_directory(key_path.parent)
        try:
            move_new(staged.blob_tmp, target)
        except FileExistsError:
            return False
        if durable:
            os.fsync(shard)
        return True

    # Reading

    def exists(self, digest: str) -> bool:
        return self._object_path(validate_digest(digest)).is_file()

    def info(self, digest: str) -> BlobInfo:
        path = self._existing(digest)
        try:
            with path.open("rb", buffering=0) as handle:
                size = os.fstat(handle.fileno()).st_size
                if self.instance_key is None:
                    return BlobInfo(digest, size)
                header = handle.read(crypto.HEADER_SIZE)
        except OSError as error:
            raise self._read_failed(error, digest, path) from None
        blob, where = f"sha256:{digest}", str(path)
        chunk_size, _ = crypto.decode_header(header, blob=blob, where=where)
        return BlobInfo(digest, crypto.plaintext_size(size, chunk_size, blob=blob, where=where))

    def read(self, digest: str) -> Iterator[bytes]:
        path = self._existing(digest)
        key = self.instance_key
        dek = self._data_key(digest, key) if key is not None else None
        if dek is None and self._key_path(digest).exists():
            raise IntegrityError(
                f"blob sha256:{digest} is encrypted, but the store was opened without a key",
                where=str(path),
                hint="open the vault with its instance key",
            )
        return self._chunks(digest, path, dek)

    def _chunks(self, digest: str, path: Path, dek: bytes | None) -> Iterator[bytes]:
        hasher = HashBehind()
        try:
            with path.open("rb", buffering=0) as handle:
                if dek is None:
                    while chunk := handle.read(self.chunk_size):
                        hasher.update(chunk)
                        yield chunk
                else:
                    blob, where = f"sha256:{digest}", str(path)
                    for chunk in crypto.decrypt_object(
                        dek, lambda view: read_full(handle.readinto, view), blob=blob, where=where
                    ):
                        hasher.update(chunk)
                        yield chunk
        except OSError as error:
            raise self._read_failed(error, digest, path) from None
        finally:
            hasher.close()  # a reader that stops early leaves no thread behind
        actual = hasher.hexdigest()
        if actual != digest:
            raise IntegrityError(
                f"blob sha256:{digest} does not match its content (actual sha256:{actual})",
                where=str(path),
                hint="the stored object was altered or damaged; restore it from a replica",
            )

    def verify(self, digest: str) -> BlobInfo:
        size = 0
        for chunk in self.read(digest):
            size += len(chunk)
        return BlobInfo(digest, size)

    def digests(self) -> Iterator[str]:
        for shard in _sorted_names(self._objects):
            for name in _sorted_names(self._objects / shard):
                if name[:2] == shard and is_digest(name):
                    yield name

    def _existing(self, digest: str) -> Path:
        path = self._object_path(validate_digest(digest))
        if not path.is_file():
            raise NotFound(f"no blob sha256:{digest} in the vault", where=str(self.root))
        return path

    def _data_key(self, digest: str, instance_key: InstanceKey) -> bytes:
        path = self._key_path(digest)
        blob = f"sha256:{digest}"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise IntegrityError(
                f"the key record of blob {blob} is missing",
                where=str(path),
                hint="the data key was destroyed or lost; the content cannot be decrypted",
            ) from None
        except OSError as error:
            raise self._read_failed(error, digest, path) from None
        record = crypto.KeyRecord.decode(data, blob=blob, where=str(path))
        return crypto.unwrap_data_key(instance_key, record, blob=blob, where=str(path))

    @staticmethod
    def _group_prefix(group: str | None) -> str:
        if group is None:
            return f"{os.getpid()}."
        if not group.isalnum():
            raise ValueError(f"staging group {group!r} is not alphanumeric")
        return f"{os.getpid()}.{group}."

    def discard_group(self, group: str) -> int:
        prefix = self._group_prefix(group)
        removed = 0
        for name in _sorted_names(self._tmp):
            if name.startswith(prefix):
                (self._tmp / name).unlink(missing_ok=True)
                removed += 1
        return removed

    # Temporaries left by killed processes

    def temporaries(self) -> list[Temporary]:
        found = []
        for name in _sorted_names(self._tmp):
            try:
                status = (self._tmp / name).lstat()
            except FileNotFoundError:
                continue  # committed or discarded since the directory was listed
            owner_text = name.split(".", 1)[0]
            owner = int(owner_text) if owner_text.isdigit() else None
            stale = owner is not None and not _process_alive(owner)
            found.append(Temporary(name, status.st_size, status.st_mtime, owner, stale))
        return found

    def stale_temporaries(self) -> list[str]:
        return [str(self._tmp / t.name) for t in self.temporaries() if t.stale]

    def remove_stale_temporaries(self, names: Collection[str] | None = None) -> list[Temporary]:
        removed = []
        for temporary in self.temporaries():
            if not temporary.stale or (names is not None and temporary.name not in names):
                continue
            try:
                (self._tmp / temporary.name).unlink()
            except FileNotFoundError:
                continue
            removed.append(temporary)
        if removed:
            fsync_directory(self._tmp)
        return removed

    # Erasure

    def shred(self, digest: str) -> bool:
        """Overwrite, sync and remove the key record (encrypted mode) or the object (plain mode)."""
        digest = validate_digest(digest)
        target = (
            self._key_path(digest) if self.instance_key is not None else self._object_path(digest)
        )
        try:
            size = target.stat().st_size
        except FileNotFoundError:
            return False
        except OSError as error:
            raise self._unavailable(error, "cannot shred the blob") from None
        try:
            target.chmod(0o600)
            with target.open("r+b", buffering=0) as handle:
                handle.write(bytes(size))
                os.fsync(handle.fileno())
            target.unlink()
            fsync_directory(target.parent)
            if self.instance_key is None:
                return True
            # The ciphertext cannot be read without the key; remove it too so nothing is left.
            obj = self._object_path(digest)
            if obj.exists():
                obj.chmod(0o600)
                obj.unlink()
                fsync_directory(obj.parent)
        except OSError as error:
            raise self._unavailable(error, "cannot shred the blob") from None
        return True

    # Paths and errors

    def _object_path(self, digest: str) -> Path:
        return self._objects / digest[:2] / digest

    def _key_path(self, digest: str) -> Path:
        return self._keys / digest[:2] / f"{digest}{_KEY_SUFFIX}"

    def _unavailable(self, error: OSError, what: str) -> BackendUnavailable:
        reason = error.strerror or type(error).__name__
        return BackendUnavailable(
            f"{what}: {reason}",
            where=str(self.root),
            hint="check free space, quotas, permissions and the health of the disk",
        )

    def _read_failed(self, error: OSError, digest: str, path: Path) -> BackendUnavailable:
        reason = error.strerror or type(error).__name__
        return BackendUnavailable(
            f"cannot read blob sha256:{digest}: {reason}",
            where=str(path),
            hint="check permissions and the health of the disk",
        )


class FilesystemStagedBlob:
    """A staged object in ``tmp/``; see :class:`testament.vault.base.StagedBlob`."""

    def __init__(
        self,
        store: FilesystemBlobStore,
        digest: str,
        size: int,
        blob_tmp: Path,
        key_tmp: Path | None,
    ) -> None:
        self.digest = digest
        self.size = size
        self.blob_tmp = blob_tmp
        self.key_tmp = key_tmp
        self._store = store
        self._open = True

    def __repr__(self) -> str:
        return f"FilesystemStagedBlob(sha256:{self.digest}, {self.size} bytes)"

    def commit(self, *, durable: bool = True) -> bool:
        if not self._open:
            raise Conflict(
                f"staged blob sha256:{self.digest} was already committed or discarded",
                where=str(self._store.root),
                hint="stage the source again",
            )
        self._open = False
        return self._store._commit(self, durable)

    def discard(self) -> None:
        self._open = False
        self.remove_temporaries()

    def remove_temporaries(self) -> None:
        self.blob_tmp.unlink(missing_ok=True)
        if self.key_tmp is not None:
            self.key_tmp.unlink(missing_ok=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.discard()


def _make_dirs(path: Path, *, durable: bool = True) -> bool:
    """Create ``path`` and its missing parents (mode 0700); whether any was created.

    Each parent that changed is fsynced, unless ``durable`` is False: the caller then flushes the
    filesystem (:meth:`FilesystemBlobStore.sync`) before relying on them, as a batched ingest does.
    (A directory fsync per new shard forces a journal commit each, which stalls the files written
    meanwhile: the first ingest into a new vault makes all 512 shards.)
    """
    missing = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    created = False
    for directory in reversed(missing):
        try:
            directory.mkdir(mode=0o700)
        except FileExistsError:
            continue
        created = True
        if durable:
            fsync_directory(directory.parent)
    return created


def _sorted_names(directory: Path) -> list[str]:
    try:
        return sorted(entry.name for entry in directory.iterdir())
    except (FileNotFoundError, NotADirectoryError):
        return []


def _process_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
