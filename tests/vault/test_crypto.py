"""Encryption at rest: known-answer vectors, the object format, and the instance key file."""

from __future__ import annotations

import base64
import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap

from testament.errors import Conflict, IntegrityError, InvalidInput, NotFound, PermissionDenied
from testament.vault import crypto
from testament.vault.base import read_full
from testament.vault.crypto import InstanceKey

# RFC 3394 §4.1: wrap 128 bits of key data with a 128-bit KEK.
RFC3394_41_KEK = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
RFC3394_41_DATA = bytes.fromhex("00112233445566778899AABBCCDDEEFF")
RFC3394_41_WRAPPED = bytes.fromhex("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5")

# RFC 3394 §4.6: wrap 256 bits of key data with a 256-bit KEK (the sizes the vault uses).
RFC3394_46_KEK = bytes.fromhex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F")
RFC3394_46_DATA = bytes.fromhex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F")
RFC3394_46_WRAPPED = bytes.fromhex(
    "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21"
)

# "The Galois/Counter Mode of Operation (GCM)", McGrew and Viega, test case 16 (AES-256, with AAD).
GCM16_KEY = bytes.fromhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
GCM16_IV = bytes.fromhex("cafebabefacedbaddecaf888")
GCM16_AAD = bytes.fromhex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
GCM16_PLAINTEXT = bytes.fromhex(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
)
GCM16_CIPHERTEXT = bytes.fromhex(
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
)
GCM16_TAG = bytes.fromhex("76fc6ece0f4e1768cddf8853bb2d551b")


def test_aes_key_wrap_matches_rfc3394_section_4_1() -> None:
    assert aes_key_wrap(RFC3394_41_KEK, RFC3394_41_DATA) == RFC3394_41_WRAPPED
    assert aes_key_unwrap(RFC3394_41_KEK, RFC3394_41_WRAPPED) == RFC3394_41_DATA


def test_instance_key_wrap_matches_rfc3394_section_4_6() -> None:
    key = InstanceKey(RFC3394_46_KEK)
    assert key.wrap(RFC3394_46_DATA) == RFC3394_46_WRAPPED
    assert key.unwrap(RFC3394_46_WRAPPED) == RFC3394_46_DATA


def test_chunk_function_matches_gcm_test_case_16() -> None:
    aead = AESGCM(GCM16_KEY)
    sealed = crypto.seal_chunk(aead, GCM16_IV, GCM16_AAD, GCM16_PLAINTEXT)
    assert sealed == GCM16_CIPHERTEXT + GCM16_TAG
    assert crypto.open_chunk(aead, GCM16_IV, GCM16_AAD, sealed) == GCM16_PLAINTEXT


def test_nonce_layout_is_prefix_counter_flag() -> None:
    prefix = bytes(range(1, 8))
    assert crypto.chunk_nonce(prefix, 0x0A0B0C0D, last=False) == prefix + b"\x0a\x0b\x0c\x0d\x00"
    assert crypto.chunk_nonce(prefix, 0, last=True) == prefix + b"\x00\x00\x00\x00\x01"


def test_header_layout() -> None:
    header = crypto.encode_header(1 << 20, b"\xaa" * 7)
    assert header == b"TSTB" + b"\x01" + b"\x00\x10\x00\x00" + b"\xaa" * 7
    assert crypto.decode_header(header, blob="b", where="w") == (1 << 20, b"\xaa" * 7)


def test_key_id_is_domain_separated_sha256() -> None:
    key = bytes(32)
    expected = hashlib.sha256(b"testament/vault/instance-key-id/v1\x00" + key).digest()[:8].hex()
    assert InstanceKey(key).key_id == expected
    assert len(expected) == 16
    assert InstanceKey(bytes(31) + b"\x01").key_id != expected


def test_instance_key_repr_hides_the_key() -> None:
    key = os.urandom(32)
    text = repr(InstanceKey(key))
    assert key.hex() not in text
    assert base64.b64encode(key).decode() not in text


def test_instance_key_must_be_32_bytes() -> None:
    with pytest.raises(InvalidInput):
        InstanceKey(bytes(16))


# The STREAM construction, on in-memory objects


def seal(data: bytes, chunk_size: int, dek: bytes) -> bytes:
    sealer = crypto.ChunkSealer(dek, chunk_size)
    parts = [sealer.header]
    full = len(data) // chunk_size
    for index in range(full):
        parts.append(sealer.seal(data[index * chunk_size : (index + 1) * chunk_size], last=False))
    parts.append(sealer.seal(data[full * chunk_size :], last=True))
    return b"".join(parts)


def unseal(blob: bytes, dek: bytes) -> bytes:
    source = io.BytesIO(blob)
    chunks: Iterator[bytes] = crypto.decrypt_object(
        dek, lambda view: read_full(source.readinto, view), blob="sha256:test", where="memory"
    )
    return b"".join(chunks)


@pytest.mark.parametrize("size", [0, 1, 15, 16, 17, 48, 50])
def test_stream_round_trip_and_size_formula(size: int) -> None:
    dek, data = os.urandom(32), os.urandom(size)
    blob = seal(data, 16, dek)
    assert len(blob) == crypto.sealed_size(size, 16)
    assert crypto.plaintext_size(len(blob), 16, blob="b", where="w") == size
    assert unseal(blob, dek) == data


def chunks_of(blob: bytes, chunk_size: int) -> tuple[bytes, list[bytes]]:
    step = chunk_size + crypto.TAG_SIZE
    body = blob[crypto.HEADER_SIZE :]
    return blob[: crypto.HEADER_SIZE], [body[i : i + step] for i in range(0, len(body), step)]


def test_reordered_chunks_fail() -> None:
    dek = os.urandom(32)
    header, chunks = chunks_of(seal(os.urandom(40), 16, dek), 16)
    with pytest.raises(IntegrityError, match="chunk 0"):
        unseal(header + chunks[1] + chunks[0] + chunks[2], dek)


def test_dropping_the_final_chunk_fails() -> None:
    dek = os.urandom(32)
    header, chunks = chunks_of(seal(os.urandom(32), 16, dek), 16)
    assert len(chunks) == 3  # two full chunks and the empty final one
    with pytest.raises(IntegrityError):
        unseal(header + chunks[0] + chunks[1], dek)
    with pytest.raises(IntegrityError):
        unseal(header + chunks[0], dek)


def test_appending_a_chunk_fails() -> None:
    dek = os.urandom(32)
    blob = seal(os.urandom(20), 16, dek)
    _, chunks = chunks_of(blob, 16)
    with pytest.raises(IntegrityError):
        unseal(blob + chunks[-1], dek)


def test_changed_header_fails() -> None:
    dek = os.urandom(32)
    blob = bytearray(seal(os.urandom(20), 16, dek))
    blob[12] ^= 0x01  # inside the nonce prefix
    with pytest.raises(IntegrityError, match="chunk 0"):
        unseal(bytes(blob), dek)


@pytest.mark.parametrize(
    "header",
    [
        b"",
        b"TSTB\x01",
        b"ZZZZ\x01\x00\x00\x00\x10" + bytes(7),
        b"TSTB\x02\x00\x00\x00\x10" + bytes(7),
    ],
)
def test_bad_headers_are_integrity_errors(header: bytes) -> None:
    with pytest.raises(IntegrityError):
        unseal(header + bytes(32), os.urandom(32))


def test_oversized_chunk_size_in_header_is_refused() -> None:
    header = crypto.encode_header(crypto.MAX_CHUNK_SIZE + 1, bytes(7))
    with pytest.raises(IntegrityError, match="chunk size"):
        crypto.decode_header(header, blob="b", where="w")


def test_sealer_refuses_out_of_order_use() -> None:
    sealer = crypto.ChunkSealer(os.urandom(32), 16)
    with pytest.raises(ValueError, match="in order"):
        sealer.seal(b"short", last=False)
    sealer.seal(b"", last=True)
    with pytest.raises(ValueError, match="in order"):
        sealer.seal(b"", last=True)


# Key records


def test_key_record_round_trip_and_layout() -> None:
    key = InstanceKey(os.urandom(32))
    dek, record = crypto.new_data_key(key)
    encoded = record.encode()
    assert len(encoded) == crypto.KEY_RECORD_SIZE == 53
    assert encoded[:5] == b"TSTK\x01"
    assert encoded[5:13].hex() == key.key_id
    decoded = crypto.KeyRecord.decode(encoded, blob="b", where="w")
    assert crypto.unwrap_data_key(key, decoded, blob="b", where="w") == dek


def test_wrong_instance_key_names_both_key_ids() -> None:
    right, wrong = InstanceKey(os.urandom(32)), InstanceKey(os.urandom(32))
    _, record = crypto.new_data_key(right)
    with pytest.raises(IntegrityError) as caught:
        crypto.unwrap_data_key(wrong, record, blob="sha256:abc", where="w")
    assert right.key_id in caught.value.what
    assert wrong.key_id in caught.value.what


def test_damaged_wrapped_key_is_an_integrity_error() -> None:
    key = InstanceKey(os.urandom(32))
    _, record = crypto.new_data_key(key)
    damaged = crypto.KeyRecord(
        record.key_id, bytes([record.wrapped_dek[0] ^ 1]) + record.wrapped_dek[1:]
    )
    with pytest.raises(IntegrityError, match="integrity check"):
        crypto.unwrap_data_key(key, damaged, blob="b", where="w")


@pytest.mark.parametrize("data", [b"", b"TSTK\x01" + bytes(47), b"ZZZZ\x01" + bytes(48)])
def test_malformed_key_records_are_integrity_errors(data: bytes) -> None:
    with pytest.raises(IntegrityError):
        crypto.KeyRecord.decode(data, blob="b", where="w")


# The instance key file


def test_create_instance_key_writes_mode_0600_and_loads(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "nested" / "vault.key"
    crypto.create_instance_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert len(base64.b64decode(path.read_bytes().strip(), validate=True)) == 32
    assert crypto.load_instance_key(path).key_id == crypto.load_instance_key(path).key_id
    assert [entry.name for entry in path.parent.iterdir()] == ["vault.key"]


def test_create_instance_key_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "vault.key"
    crypto.create_instance_key(path)
    before = path.read_bytes()
    with pytest.raises(Conflict):
        crypto.create_instance_key(path)
    assert path.read_bytes() == before
    assert [entry.name for entry in tmp_path.iterdir()] == ["vault.key"]


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660])
def test_key_file_readable_by_others_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "vault.key"
    crypto.create_instance_key(path)
    path.chmod(mode)
    with pytest.raises(PermissionDenied) as caught:
        crypto.load_instance_key(path)
    assert f"chmod 600 {path}" in (caught.value.hint or "")


def test_missing_key_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as caught:
        crypto.load_instance_key(tmp_path / "absent.key")
    assert "testament init" in (caught.value.hint or "")


@pytest.mark.parametrize(
    "content",
    [b"", b"not base64 at all!\n", base64.b64encode(bytes(16)) + b"\n", b"A" * 5000],
)
def test_malformed_key_file_is_invalid_input(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "vault.key"
    path.write_bytes(content)
    path.chmod(0o600)
    with pytest.raises(InvalidInput) as caught:
        crypto.load_instance_key(path)
    assert "base64 at all" not in caught.value.diagnostics()


def test_key_path_that_is_a_directory_is_invalid_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="regular file"):
        crypto.load_instance_key(tmp_path)
