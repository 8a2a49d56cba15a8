"""Sealing small values with a key of their own: a person's identity, photo and words (AES-256-GCM).

Format v1: ``0x01 ‖ 12-byte random nonce ‖ ciphertext ‖ 16-byte tag``. The associated data binds a
value to its owner and purpose, so a value moved to another record or field fails to open. The keys
themselves are wrapped by an :class:`~testament.vault.crypto.InstanceKey` (AES-KW, RFC 3394). This is
the only place outside the blob store's own format that encrypts (docs/survivors.md).
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap

from testament.vault.crypto import InstanceKey

SEAL_VERSION = b"\x01"
NONCE_SIZE = 12
TAG_SIZE = 16
KEY_SIZE = 32


class Unsealable(Exception):
    """A sealed value (or a wrapped key) is malformed, or fails its integrity check."""

    def __init__(self, *, malformed: bool) -> None:
        super().__init__("malformed" if malformed else "fails its integrity check")
        self.malformed = malformed


def new_key() -> bytes:
    """A fresh random key for one owner's values."""
    return secrets.token_bytes(KEY_SIZE)


def seal(key: bytes, associated: bytes, plaintext: bytes) -> bytes:
    """``plaintext`` sealed under ``key``, bound to ``associated``."""
    nonce = secrets.token_bytes(NONCE_SIZE)
    return SEAL_VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def unseal(key: bytes, associated: bytes, sealed: bytes) -> bytes:
    """The plaintext of a value :func:`seal` made; :class:`Unsealable` if it is not one, or was
    altered, or was sealed with another key or associated data."""
    if not sealed.startswith(SEAL_VERSION) or len(sealed) < 1 + NONCE_SIZE + TAG_SIZE:
        raise Unsealable(malformed=True)
    nonce = sealed[1 : 1 + NONCE_SIZE]
    try:
        return AESGCM(key).decrypt(nonce, sealed[1 + NONCE_SIZE :], associated)
    except InvalidTag:
        raise Unsealable(malformed=False) from None


def unwrap_key(wrapping: InstanceKey, wrapped: bytes) -> bytes:
    """An owner's key, unwrapped; :class:`Unsealable` if the wrapped key fails its integrity check."""
    try:
        return wrapping.unwrap(wrapped)
    except InvalidUnwrap:
        raise Unsealable(malformed=False) from None
