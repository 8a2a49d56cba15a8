"""Ed25519 keys for signed notes (c2sp.org/signed-note).

The verifier key string is ``<name>+<8 hex key ID>+<base64(0x01 || 32-byte public key)>``, the format
Go's ``golang.org/x/mod/sumdb/note`` and the C2SP tools read. The key ID is
``SHA-256(name || 0x0A || 0x01 || public key)[:4]``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from testament.errors import Conflict, InvalidInput
from testament.secretfiles import read_secret

SIGNATURE_TYPE_ED25519 = 0x01


def validate_key_name(name: str) -> str:
    """Key names are non-empty and contain no whitespace and no ``+`` (signed-note §Format)."""
    if not name or any(ch.isspace() or ch == "+" for ch in name) or "\u2014" in name:
        raise InvalidInput(
            f"invalid key name {name!r}",
            where="log origin",
            hint="use a schema-less URL such as example.org/testament, with no spaces or '+'",
        )
    return name


def compute_key_id(name: str, public_key: bytes) -> bytes:
    """The 4-byte key ID of an Ed25519 note key."""
    material = name.encode() + b"\n" + bytes([SIGNATURE_TYPE_ED25519]) + public_key
    return hashlib.sha256(material).digest()[:4]


@dataclass(frozen=True)
class VerifierKey:
    """A note verifier: key name, key ID and Ed25519 public key."""

    name: str
    key_id: bytes
    public_key: bytes

    def encode(self) -> str:
        encoded = base64.b64encode(bytes([SIGNATURE_TYPE_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except InvalidSignature:
            return False
        return True

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """Parse a verifier key string and check that its key ID matches its name and key."""
        parts = text.strip().split("+", 2)
        bad = InvalidInput(
            "not a verifier key",
            where="verifier key",
            hint="expected <name>+<8 hex digits>+<base64 key>, as printed by `testament log key`",
        )
        if len(parts) != 3:
            raise bad
        name, hex_id, encoded = parts
        try:
            key_id = bytes.fromhex(hex_id)
            raw = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error):
            raise bad from None
        if len(key_id) != 4 or len(raw) != 33 or raw[0] != SIGNATURE_TYPE_ED25519:
            raise bad
        validate_key_name(name)
        public_key = raw[1:]
        if compute_key_id(name, public_key) != key_id:
            raise InvalidInput(
                "the verifier key's ID does not match its name and public key",
                where="verifier key",
                hint="the key string was altered or mistyped; copy it again from its source",
            )
        return cls(name=name, key_id=key_id, public_key=public_key)


@dataclass(frozen=True)
class NoteSigner:
    """Signs note texts with an Ed25519 private key under a key name."""

    name: str
    private_key: Ed25519PrivateKey

    @property
    def verifier(self) -> VerifierKey:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return VerifierKey(self.name, compute_key_id(self.name, public), public)

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


def create_signing_key(path: Path) -> None:
    """Write a new Ed25519 private key (PKCS#8 PEM, mode 0600); never overwrite an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Conflict(
            "a signing key already exists", where=str(path), hint="keep it; never replace it"
        ) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())


def load_signing_key(path: Path, name: str) -> NoteSigner:
    """Load the instance's signing key; refuse a key file that others can read."""
    data = read_secret(
        path,
        "the log signing key",
        missing_hint="run `testament init`, or point TESTAMENT_SIGNING_KEY_FILE at the key",
    )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except ValueError:
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput("the log signing key is not an Ed25519 PEM private key", where=str(path))
    return NoteSigner(validate_key_name(name), key)
