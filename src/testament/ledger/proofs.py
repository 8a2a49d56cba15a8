"""Offline proofs in the C2SP tlog-proof format (c2sp.org/tlog-proof).

::

    c2sp.org/tlog-proof@v1
    index <N>
    <base64 hash>            one per line: RFC 6962 inclusion path, leaf's sibling first
    ...

    <checkpoint signed note, verbatim>

A recipient needs three things: the proof, the exact entry bytes (``testament log entry N``) and the
verifier key (``testament log key``). :func:`verify` is what ``testament log verify-proof`` runs.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from testament.errors import InvalidInput
from testament.ledger import checkpoint as notes
from testament.ledger.keys import VerifierKey
from testament.ledger.merkle import HASH_SIZE, leaf_hash, verify_inclusion

HEADER = "c2sp.org/tlog-proof@v1"


@dataclass(frozen=True)
class TlogProof:
    index: int
    path: list[bytes]
    checkpoint_note: str
    extra: bytes | None = None

    def encode(self) -> str:
        lines = [HEADER]
        if self.extra is not None:
            lines.append(f"extra {base64.b64encode(self.extra).decode()}")
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(h).decode() for h in self.path)
        return "\n".join(lines) + "\n\n" + self.checkpoint_note


def _bad(detail: str) -> InvalidInput:
    return InvalidInput(
        "the proof is not a valid c2sp.org/tlog-proof@v1 text",
        where=f"proof ({detail})",
        hint="pass the file written by `testament log prove`, unchanged",
    )


def parse(text: str) -> TlogProof:
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise _bad("no blank line before the checkpoint")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise _bad("first line")
    rest = lines[1:]
    extra = None
    if rest and rest[0].startswith("extra "):
        try:
            extra = base64.b64decode(rest.pop(0)[6:], validate=True)
        except binascii.Error:
            raise _bad("extra line") from None
    if not rest or not rest[0].startswith("index "):
        raise _bad("index line")
    index_text = rest.pop(0)[6:]
    if not notes.DECIMAL.fullmatch(index_text):
        raise _bad("index is not a decimal number")
    path = []
    for number, line in enumerate(rest, start=1):
        try:
            digest = base64.b64decode(line, validate=True)
        except binascii.Error:
            digest = b""
        if len(digest) != HASH_SIZE:
            raise _bad(f"hash line {number}")
        path.append(digest)
    return TlogProof(int(index_text), path, note, extra)


def verify(text: str, entry: bytes, verifier: VerifierKey) -> tuple[TlogProof, notes.Checkpoint]:
    """Check that ``entry`` is in the log at the proof's index under a checkpoint signed by ``verifier``."""
    proof = parse(text)
    head = notes.verify(proof.checkpoint_note, verifier)
    verify_inclusion(leaf_hash(entry), proof.index, head.size, proof.path, head.root_hash)
    return proof, head
