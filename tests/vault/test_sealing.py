"""Sealed values (vault/sealing.py): a known-answer vector, and what must fail to open."""

from __future__ import annotations

import pytest

from testament.vault import sealing
from testament.vault.crypto import InstanceKey

# AES-256-GCM test case 15 of McGrew and Viega, "The Galois/Counter Mode of Operation" (the GCM
# specification's test vectors): 256-bit key, 96-bit IV, no associated data.
KEY = bytes.fromhex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
IV = bytes.fromhex("cafebabefacedbaddecaf888")
PLAINTEXT = bytes.fromhex(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
    "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
)
CIPHERTEXT = bytes.fromhex(
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
    "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
)
TAG = bytes.fromhex("b094dac5d93471bdec1a502270e3cc6c")


def test_the_known_answer_opens_to_its_plaintext() -> None:
    sealed = sealing.SEAL_VERSION + IV + CIPHERTEXT + TAG
    assert sealing.unseal(KEY, b"", sealed) == PLAINTEXT


def test_a_value_opens_only_with_its_key_and_its_binding() -> None:
    key = sealing.new_key()
    sealed = sealing.seal(key, b"person 1|identity", b"Olha K.")
    assert sealing.unseal(key, b"person 1|identity", sealed) == b"Olha K."
    assert sealed != sealing.seal(key, b"person 1|identity", b"Olha K.")  # a fresh nonce each time
    for other_key, binding in (
        (sealing.new_key(), b"person 1|identity"),
        (key, b"person 2|identity"),
    ):
        with pytest.raises(sealing.Unsealable) as refused:
            sealing.unseal(other_key, binding, sealed)
        assert not refused.value.malformed
    altered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(sealing.Unsealable):
        sealing.unseal(key, b"person 1|identity", altered)


@pytest.mark.parametrize("sealed", [b"", b"\x02" + bytes(40), b"\x01" + bytes(27)])
def test_a_malformed_value_is_refused_as_malformed(sealed: bytes) -> None:
    with pytest.raises(sealing.Unsealable) as refused:
        sealing.unseal(sealing.new_key(), b"", sealed)
    assert refused.value.malformed


def test_a_wrapped_key_unwraps_only_under_its_wrapping_key() -> None:
    wrapping, other = InstanceKey(bytes(range(32))), InstanceKey(bytes(32))
    key = sealing.new_key()
    assert sealing.unwrap_key(wrapping, wrapping.wrap(key)) == key
    with pytest.raises(sealing.Unsealable):
        sealing.unwrap_key(other, wrapping.wrap(key))
