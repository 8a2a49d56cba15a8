"""A package's custody excerpt: the log entries about its items, an inclusion proof each, and the
signed checkpoint they are proved under (with, on request, a consistency proof from an earlier one).

Each line of ``entries.jsonl`` is an entry's exact bytes, so ``SHA-256(0x00 ‖ line)`` is its leaf
hash; line *k* is the entry at the *k*-th smallest of the indexes that name the proof files.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from testament.custody.instance import Instance
from testament.ledger import checkpoint as notes
from testament.ledger import log, proofs
from testament.packages import layout, premis, queries
from testament.packages.writer import BagWriter


def _entries(conn: Connection, indexes: list[int]) -> Iterator[bytes]:
    """The exact bytes of the entries at ``indexes``, in order, read a chunk at a time."""
    for start in range(0, len(indexes), queries.CHUNK):
        chunk = indexes[start : start + queries.CHUNK]
        found = queries.entries(conn, chunk)
        yield from (found[index] for index in chunk)


def write_excerpt(
    conn: Connection,
    writer: BagWriter,
    *,
    indexes: list[int],
    signed: log.StoredCheckpoint,
    instance: Instance,
    since: notes.Checkpoint | None,
) -> int:
    """Write the excerpt for the entries at ``indexes`` under ``signed``; returns how many entries."""
    writer.add(layout.ENTRIES, (entry + b"\n" for entry in _entries(conn, indexes)))
    for index in indexes:
        path = log.inclusion_proof(conn, index, signed.size)
        writer.add_text(
            layout.proof_path(index), proofs.TlogProof(index, path, signed.note).encode()
        )
    writer.add_text(layout.CHECKPOINT, signed.note)
    writer.add_text(layout.VERIFIER_KEY, instance.record.verifier_key.encode() + "\n")
    if since is not None and since.size < signed.size:
        hashes = log.consistency_proof(conn, since.size, signed.size)
        encoded = [base64.b64encode(h).decode() for h in hashes]
        writer.add_text(
            layout.CONSISTENCY, layout.consistency_text(since.size, signed.size, encoded)
        )
    return len(indexes)


def write_premis(
    conn: Connection, writer: BagWriter, *, indexes: list[int], items: Sequence[Mapping[str, Any]]
) -> None:
    """The items' custody history (the entries at ``indexes``) as PREMIS 3 XML. Written before the
    disclosure, so the disclosure names it by digest; the disclosure itself is in ``entries.jsonl``."""
    parsed = (json.loads(entry) for entry in _entries(conn, indexes))
    writer.add_text(layout.PREMIS, premis.render(parsed, items))
