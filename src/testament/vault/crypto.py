"""Encryption at rest for vault objects: streaming AES-256-GCM under per-blob data keys.

Every stored blob gets its own random 256-bit data key (DEK). The DEK encrypts the blob's content
and is itself wrapped (AES-KW, RFC 3394) under the instance key. The wrapped DEK lives in a small
key record kept apart from the write-once ciphertext, so destroying the key record later
("crypto-shredding") makes the content unreadable without touching the object or any digest.

Format, version 1. Integers are unsigned big-endian.

Instance key file
    One line: the standard, padded base64 encoding of 32 random bytes, then a newline; mode 0600.
    ``key_id = hex(SHA-256(b"testament/vault/instance-key-id/v1" || 0x00 || key)[:8])``.

Key record (53 bytes, one per blob, stored as a separate object)
    ======  ====  ===============================================
    offset  size  field
    ======  ====  ===============================================
    0       4     magic ``b"TSTK"``
    4       1     format version, ``0x01``
    5       8     key_id of the instance key that wrapped the DEK
    13      40    ``AES-KW(instance key, DEK)`` (RFC 3394, default IV)
    ======  ====  ===============================================

Encrypted object
    A 16-byte header followed by one or more chunks, the chunked-AEAD "STREAM" construction
    (Hoang, Reyhanitabar, Rogaway, Vizár, "Online Authenticated-Encryption and its
    Nonce-Reuse Misuse-Resistance", 2015).

    ======  ====  ===============================================
    offset  size  field
    ======  ====  ===============================================
    0       4     magic ``b"TSTB"``
    4       1     format version, ``0x01``
    5       4     chunk size ``C``, 1 <= C <= 16 MiB
    9       7     nonce prefix, random per object
    ======  ====  ===============================================

    Chunk ``i`` (counting from 0) is ``AES-256-GCM(DEK, nonce_i, P_i, aad=header)``: the ciphertext
    (as long as ``P_i``) followed by the 16-byte tag, where
    ``nonce_i = nonce prefix (7) || i (4) || final flag (1: 0x01 on the last chunk, else 0x00)``.
    Every chunk but the last holds exactly ``C`` plaintext bytes; the last holds 0 to ``C - 1``.
    So a plaintext whose length is a multiple of ``C`` (the empty plaintext included) ends with an
    empty final chunk, and a reader knows the final chunk by its length alone. For a plaintext of
    ``n * C + r`` bytes (``0 <= r < C``) the object is ``16 + n * (C + 16) + r + 16`` bytes.

    Binding the chunk index and the final flag into the nonce makes reordering, dropping,
    truncating or extending the object fail authentication. The header is the associated data of
    every chunk, so it cannot be changed either. At most 2**32 chunks are written per object.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from testament.errors import Conflict, IntegrityError, InvalidInput
from testament.secretfiles import read_secret

Bytes: TypeAlias = bytes | bytearray | memoryview

KEY_SIZE = 32
TAG_SIZE = 16
NONCE_PREFIX_SIZE = 7
MAX_CHUNK_SIZE = 16 << 20
MAX_CHUNKS = 1 << 32
FORMAT_VERSION = 1

OBJECT_MAGIC = b"TSTB"
_HEADER = struct.Struct(">4sBI7s")
HEADER_SIZE = _HEADER.size

KEY_RECORD_MAGIC = b"TSTK"
_KEY_RECORD = struct.Struct(">4sB8s40s")
KEY_RECORD_SIZE = _KEY_RECORD.size

_KEY_ID_DOMAIN = b"testament/vault/instance-key-id/v1\x00"
_KEY_FILE_MAX = 1024


def compute_key_id(key: bytes) -> str:
    """The public identifier of an instance key: 16 hex digits, safe to print and store."""
    return hashlib.sha256(_KEY_ID_DOMAIN + key).digest()[:8].hex()


class InstanceKey:
    """The instance's key-encryption key. Its ``repr`` shows the key ID only."""

    __slots__ = ("_key", "key_id")

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_SIZE:
            raise InvalidInput(
                f"an instance key is {KEY_SIZE} bytes, not {len(key)}", where="instance key"
            )
        self._key = bytes(key)
        self.key_id = compute_key_id(self._key)

    def __repr__(self) -> str:
        return f"InstanceKey(key_id={self.key_id!r})"

    def wrap(self, dek: bytes) -> bytes:
        """Wrap a data key with AES-KW (RFC 3394)."""
        return aes_key_wrap(self._key, dek)

    def unwrap(self, wrapped: bytes) -> bytes:
        """Unwrap a data key; raises ``InvalidUnwrap`` when the integrity check fails."""
        return aes_key_unwrap(self._key, wrapped)


def create_instance_key(path: Path) -> None:
    """Write a new random instance key (mode 0600) atomically; never replace an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        raise _key_exists(path)
    encoded = base64.b64encode(secrets.token_bytes(KEY_SIZE)) + b"\n"
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, encoded)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.link(temporary, path)
    except FileExistsError:
        raise _key_exists(path) from None
    finally:
        temporary.unlink(missing_ok=True)
    fsync_directory(path.parent)


def _key_exists(path: Path) -> Conflict:
    return Conflict(
        "an instance key file already exists",
        where=str(path),
        hint="keep it: it is needed to read every stored blob; it is never replaced",
    )


def load_instance_key(path: Path, *, what: str = "the vault instance key") -> InstanceKey:
    """Load an instance key; refuse a key file that group or others can access."""
    data = read_secret(
        path,
        what,
        missing_hint="run `testament init` to create it, or point Testament at the existing key file",
    )
    malformed = InvalidInput(
        f"{what} file is malformed",
        where=str(path),
        hint=f"it must hold one line: base64 of {KEY_SIZE} bytes; restore it from your backup",
    )
    try:
        key = base64.b64decode(data.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise malformed from None
    if len(data) > _KEY_FILE_MAX or len(key) != KEY_SIZE:
        raise malformed
    return InstanceKey(key)


def fsync_directory(path: Path) -> None:
    """Make a directory's entries (new, linked or removed names) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class KeyRecord:
    """A blob's wrapped data key and the ID of the instance key that wrapped it."""

    key_id: str
    wrapped_dek: bytes

    def encode(self) -> bytes:
        return _KEY_RECORD.pack(
            KEY_RECORD_MAGIC, FORMAT_VERSION, bytes.fromhex(self.key_id), self.wrapped_dek
        )

    @classmethod
    def decode(cls, data: bytes, *, blob: str, where: str) -> KeyRecord:
        if len(data) != KEY_RECORD_SIZE or data[:4] != KEY_RECORD_MAGIC:
            raise IntegrityError(f"the key record of blob {blob} is malformed", where=where)
        _, version, key_id, wrapped = _KEY_RECORD.unpack(data)
        if version != FORMAT_VERSION:
            raise IntegrityError(
                f"the key record of blob {blob} has unsupported format version {version}",
                where=where,
                hint="upgrade Testament to read it",
            )
        return cls(key_id=key_id.hex(), wrapped_dek=wrapped)


def new_data_key(instance_key: InstanceKey) -> tuple[bytes, KeyRecord]:
    """A fresh random data key and its key record."""
    dek = secrets.token_bytes(KEY_SIZE)
    return dek, KeyRecord(key_id=instance_key.key_id, wrapped_dek=instance_key.wrap(dek))


def unwrap_data_key(
    instance_key: InstanceKey, record: KeyRecord, *, blob: str, where: str
) -> bytes:
    """Recover a blob's data key; IntegrityError names both key IDs when they differ."""
    if record.key_id != instance_key.key_id:
        raise IntegrityError(
            f"blob {blob} is encrypted under instance key {record.key_id}, "
            f"but the loaded instance key is {instance_key.key_id}",
            where=where,
            hint="open the vault with the instance key it was written with",
        )
    try:
        return instance_key.unwrap(record.wrapped_dek)
    except InvalidUnwrap:
        raise IntegrityError(
            f"the data key of blob {blob} fails its integrity check under instance key "
            f"{instance_key.key_id}",
            where=where,
            hint="the key record was altered or damaged; restore it from a backup",
        ) from None


def chunk_nonce(prefix: bytes, index: int, *, last: bool) -> bytes:
    """The 12-byte nonce of chunk ``index``: prefix (7) || index (4) || final flag (1)."""
    return prefix + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def seal_chunk(aead: AESGCM, nonce: bytes, header: bytes, plaintext: Bytes) -> bytes:
    """Encrypt one chunk: ciphertext || 16-byte tag, with the object header as associated data."""
    return aead.encrypt(nonce, plaintext, header)


def open_chunk(aead: AESGCM, nonce: bytes, header: bytes, sealed: Bytes) -> bytes:
    """Decrypt one chunk; raises ``InvalidTag`` when it fails authentication."""
    return aead.decrypt(nonce, sealed, header)


def encode_header(chunk_size: int, nonce_prefix: bytes) -> bytes:
    return _HEADER.pack(OBJECT_MAGIC, FORMAT_VERSION, chunk_size, nonce_prefix)


def decode_header(header: bytes, *, blob: str, where: str) -> tuple[int, bytes]:
    """Return (chunk size, nonce prefix) from an object header, or raise IntegrityError."""
    if len(header) != HEADER_SIZE or header[:4] != OBJECT_MAGIC:
        raise IntegrityError(
            f"blob {blob} is not an encrypted vault object (bad header)",
            where=where,
            hint="the object was replaced or damaged, or it was written without encryption",
        )
    _, version, chunk_size, prefix = _HEADER.unpack(header)
    if version != FORMAT_VERSION:
        raise IntegrityError(
            f"blob {blob} has unsupported format version {version}",
            where=where,
            hint="upgrade Testament to read it",
        )
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise IntegrityError(f"blob {blob} has an invalid chunk size", where=where)
    return chunk_size, prefix


def sealed_size(plaintext_size: int, chunk_size: int) -> int:
    """The size of the encrypted object for a plaintext of ``plaintext_size`` bytes."""
    full, rest = divmod(plaintext_size, chunk_size)
    return HEADER_SIZE + full * (chunk_size + TAG_SIZE) + rest + TAG_SIZE


def plaintext_size(object_size: int, chunk_size: int, *, blob: str, where: str) -> int:
    """Invert :func:`sealed_size`; IntegrityError if no plaintext size gives ``object_size``."""
    body = object_size - HEADER_SIZE - TAG_SIZE
    full, rest = divmod(body, chunk_size + TAG_SIZE)
    if body < 0 or rest >= chunk_size:
        raise IntegrityError(
            f"blob {blob} has an impossible length for its format (truncated or extended)",
            where=where,
        )
    return full * chunk_size + rest


class ChunkSealer:
    """Encrypts one object, chunk by chunk, in order; the header goes first in the object."""

    def __init__(self, dek: bytes, chunk_size: int) -> None:
        if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
            raise InvalidInput(f"chunk size must be 1 to {MAX_CHUNK_SIZE} bytes", where="vault")
        self._aead = AESGCM(dek)
        self._prefix = secrets.token_bytes(NONCE_PREFIX_SIZE)
        self._chunk_size = chunk_size
        self._index = 0
        self._finished = False
        self.header = encode_header(chunk_size, self._prefix)

    def seal(self, plaintext: Bytes, *, last: bool) -> bytes:
        """Encrypt the next chunk: exactly ``chunk_size`` bytes, or fewer for the final chunk."""
        size = len(plaintext)
        if self._finished or size > self._chunk_size or (size < self._chunk_size and not last):
            raise ValueError("chunks must be sealed in order, full except the final one")
        if self._index >= MAX_CHUNKS:
            raise InvalidInput("the source is too large for one vault object", where="vault")
        nonce = chunk_nonce(self._prefix, self._index, last=last)
        self._index += 1
        self._finished = last
        return seal_chunk(self._aead, nonce, self.header, plaintext)


def decrypt_object(
    dek: bytes, fill: Callable[[memoryview], int], *, blob: str, where: str
) -> Iterator[bytes]:
    """Yield the plaintext chunks of an encrypted object read through ``fill``.

    ``fill(view)`` reads into ``view`` until it is full or the object ends and returns the count.
    Raises IntegrityError at the first chunk that fails authentication or when the object is cut.
    """
    header = bytearray(HEADER_SIZE)
    got = fill(memoryview(header))
    if got != HEADER_SIZE:
        raise IntegrityError(f"blob {blob} is truncated (no complete header)", where=where)
    header_bytes = bytes(header)
    chunk_size, prefix = decode_header(header_bytes, blob=blob, where=where)
    aead = AESGCM(dek)
    buffer = bytearray(chunk_size + TAG_SIZE)
    view = memoryview(buffer)
    index = 0
    while True:
        got = fill(view)
        last = got < len(buffer)
        nonce = chunk_nonce(prefix, index, last=last)
        try:
            plaintext = open_chunk(aead, nonce, header_bytes, view[:got])
        except InvalidTag:
            raise IntegrityError(
                f"blob {blob} fails authentication at chunk {index} "
                f"(bytes {HEADER_SIZE + index * len(buffer)} onwards)",
                where=where,
                hint="the object was altered, truncated or damaged; restore it from a replica",
            ) from None
        yield plaintext
        if last:
            return
        index += 1
        if index >= MAX_CHUNKS:
            raise IntegrityError(f"blob {blob} has more chunks than the format allows", where=where)
