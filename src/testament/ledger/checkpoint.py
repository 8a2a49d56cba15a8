"""Checkpoints as C2SP signed notes (c2sp.org/tlog-checkpoint, c2sp.org/signed-note).

::

    <origin>
    <tree size>
    <base64 root hash>
    testament-checkpoint <number> [after <size of the previous checkpoint>]

    — <key name> <base64(4-byte key ID || Ed25519 signature over the lines above)>

The fourth line is an extension line (tlog-checkpoint §Note text): Testament numbers its checkpoints
1, 2, 3, … and names the previous checkpoint's tree size, so that `testament verify` can name a
checkpoint removed from the middle of the history (docs/verification.md, step 2). Readers that do not
know the line ignore it, as the specification requires. Checkpoints signed before Testament numbered
them carry no such line.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from testament.errors import IntegrityError, InvalidInput
from testament.ledger.keys import NoteSigner, VerifierKey
from testament.ledger.merkle import HASH_SIZE

SIGNATURE_PREFIX = "\u2014 "
# An ASCII decimal with no leading zeroes (str.isdigit would also accept "²" and "٢").
DECIMAL = re.compile(r"0|[1-9][0-9]*", re.ASCII)
MAX_SIGNATURES = 64


SEQUENCE_TAG = "testament-checkpoint"
_SEQUENCE = re.compile(r"testament-checkpoint ([1-9][0-9]*)(?: after ([1-9][0-9]*|0))?", re.ASCII)


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: origin, size and root hash, and any extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode()]
        return "".join(f"{line}\n" for line in [*lines, *self.extensions])


@dataclass(frozen=True)
class Sequence:
    """A checkpoint's place in the history: its number and the previous checkpoint's tree size."""

    number: int
    previous_size: int | None

    def line(self) -> str:
        after = "" if self.previous_size is None else f" after {self.previous_size}"
        return f"{SEQUENCE_TAG} {self.number}{after}"


def sequence_of(checkpoint: Checkpoint) -> Sequence | None:
    """The signed sequence line of ``checkpoint``; None if it has none (signed before numbering)."""
    lines = [line for line in checkpoint.extensions if line.split(" ", 1)[0] == SEQUENCE_TAG]
    if not lines:
        return None
    found = _SEQUENCE.fullmatch(lines[0])
    if len(lines) > 1 or found is None:
        raise InvalidInput(
            "the checkpoint's sequence line is malformed",
            where="checkpoint extension line",
            hint=f"expected one line `{SEQUENCE_TAG} N` or `{SEQUENCE_TAG} N after SIZE`",
        )
    number, after = found.groups()
    return Sequence(int(number), None if after is None else int(after))


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes
    signature: bytes


def sign(checkpoint: Checkpoint, signer: NoteSigner) -> str:
    """The signed note text for ``checkpoint``."""
    body = checkpoint.body()
    verifier = signer.verifier
    blob = verifier.key_id + signer.sign(body.encode())
    return f"{body}\n{SIGNATURE_PREFIX}{signer.name} {base64.b64encode(blob).decode()}\n"


def split_note(text: str) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its text and signature lines (signed-note §Format)."""
    malformed = "the signed note is malformed"
    if not text.endswith("\n") or any(ord(ch) < 0x20 and ch != "\n" for ch in text):
        raise InvalidInput(malformed, where="checkpoint", hint="it must end in a newline")
    cut = text.rfind("\n\n")
    if cut < 0:
        raise InvalidInput(malformed, where="checkpoint", hint="no blank line before signatures")
    body, sig_block = text[: cut + 1], text[cut + 2 :]
    signatures = []
    for line in sig_block.splitlines():
        if not line.startswith(SIGNATURE_PREFIX) or line.count(" ") != 2:
            raise InvalidInput(malformed, where="checkpoint signature line")
        name, encoded = line[len(SIGNATURE_PREFIX) :].split(" ")
        try:
            blob = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise InvalidInput(malformed, where="checkpoint signature (base64)") from None
        if len(blob) < 5:
            raise InvalidInput(malformed, where="checkpoint signature (too short)")
        signatures.append(NoteSignature(name, blob[:4], blob[4:]))
    if not signatures or len(signatures) > MAX_SIGNATURES:
        raise InvalidInput(malformed, where="checkpoint", hint="no signature lines")
    return body, signatures


def parse_body(body: str) -> Checkpoint:
    """Parse the three mandatory checkpoint lines and keep any extension lines as they are."""
    lines = body.split("\n")[:-1]
    if len(lines) < 3 or any(not line for line in lines):
        raise InvalidInput("the checkpoint text is malformed", where="checkpoint body")
    origin, size_text, root_text = lines[:3]
    if not DECIMAL.fullmatch(size_text):
        raise InvalidInput("the checkpoint size is not a decimal number", where="checkpoint body")
    try:
        root_hash = base64.b64decode(root_text, validate=True)
    except binascii.Error:
        root_hash = b""
    if len(root_hash) != HASH_SIZE:
        raise InvalidInput("the checkpoint root is not a base64 SHA-256 hash", where="checkpoint")
    return Checkpoint(origin, int(size_text), root_hash, tuple(lines[3:]))


def verify(text: str, verifier: VerifierKey) -> Checkpoint:
    """Check a signed checkpoint against a trusted verifier key and return its tree head.

    Signatures from unknown keys are ignored; a known key's signature must verify; at least one must.
    """
    body, signatures = split_note(text)
    known = [s for s in signatures if s.name == verifier.name and s.key_id == verifier.key_id]
    if not known:
        raise IntegrityError(
            "the checkpoint is not signed by this log's key",
            where=f"checkpoint ({', '.join(f'{s.name}+{s.key_id.hex()}' for s in signatures)})",
            hint=f"expected a signature by {verifier.name}+{verifier.key_id.hex()}",
        )
    for signature in known:
        if not verifier.verify(body.encode(), signature.signature):
            raise IntegrityError(
                "the checkpoint signature does not verify",
                where=f"checkpoint signed as {verifier.name}+{verifier.key_id.hex()}",
                hint="the checkpoint text or its signature was altered",
            )
    checkpoint = parse_body(body)
    if checkpoint.origin != verifier.name:
        raise IntegrityError(
            f"the checkpoint origin {checkpoint.origin!r} is not the log's name {verifier.name!r}",
            where="checkpoint origin line",
        )
    return checkpoint
