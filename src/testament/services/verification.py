"""`testament verify`: the numbered steps of docs/verification.md, run against one home.

Each step yields :class:`Finding` objects; a finding with ``ok=False`` names the item, entry or
checkpoint and what differs. Steps read in their own snapshot and never write.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from testament.domain.custody import commitment
from testament.errors import IntegrityError, InvalidInput, NotFound, TestamentError
from testament.ledger import checkpoint as notes
from testament.ledger import log, merkle
from testament.ledger.keys import VerifierKey
from testament.services.custody import to_domain
from testament.services.ingest import item_record
from testament.services.instance import Instance
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event, evidence_item, log_entry, log_node

STREAM_ROWS = 10_000


@dataclass(frozen=True)
class Finding:
    step: int
    check: str
    ok: bool
    detail: str
    where: str | None = None
    info: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "check": self.check,
            "ok": self.ok,
            "info": self.info,
            "detail": self.detail,
            "where": self.where,
        }


STEPS: dict[int, str] = {
    1: "log key",
    2: "checkpoint signatures",
    3: "log entries",
    4: "tree nodes",
    5: "checkpoint roots and consistency",
    6: "custody records against log entries",
    7: "evidence items against their ingestion events",
    8: "blob fixity",
}


def _bad(step: int, detail: str, where: str) -> Finding:
    return Finding(step, STEPS[step], False, detail, where)


def _good(step: int, detail: str) -> Finding:
    return Finding(step, STEPS[step], True, detail)


def _note(step: int, detail: str, where: str | None = None) -> Finding:
    return Finding(step, STEPS[step], True, detail, where, info=True)


def step1_key(instance: Instance, trusted: VerifierKey | None) -> Iterator[Finding]:
    """(1) Establish the verifier key: the given one, else the signing key file's; cross-check the database."""
    recorded = instance.record.verifier_key
    if trusted is None:
        try:
            trusted = instance.signer.verifier
        except TestamentError as exc:
            yield _bad(1, exc.what, exc.where or "signing key")
            return
    if trusted != recorded:
        yield _bad(
            1,
            f"the database names log key {recorded.encode()}, expected {trusted.encode()}",
            "instance record",
        )
        return
    yield _good(1, f"log key {trusted.encode()}")


def step2_signatures(conn: Connection, key: VerifierKey) -> Iterator[Finding]:
    """(2) Every stored checkpoint verifies under the key and matches its own size and root columns."""
    stored = log.all_checkpoints(conn)
    bad = 0
    for cp in stored:
        try:
            head = notes.verify(cp.note, key)
        except (IntegrityError, InvalidInput) as exc:
            bad += 1
            yield _bad(2, exc.what, f"checkpoint {cp.size}")
            continue
        if head.size != cp.size or head.root_hash != cp.root_hash or head.origin != key.name:
            bad += 1
            yield _bad(
                2, "the signed text differs from the stored size or root", f"checkpoint {cp.size}"
            )
    if not stored:
        yield _bad(2, "no checkpoint has ever been signed", "checkpoint table")
    elif not bad:
        yield _good(2, f"{len(stored)} checkpoint(s) signed by the log key")


def _stream(conn: Connection, query: Any) -> Iterator[Any]:
    """Rows in bounded memory (a server-side cursor on PostgreSQL), closed even if abandoned early."""
    result = conn.execution_options(yield_per=STREAM_ROWS).execute(query)
    try:
        yield from result
    finally:
        result.close()


def step3_entries(conn: Connection, size: int) -> Iterator[Finding]:
    """(3) Entries are numbered 0..size-1 with none missing and none extra."""
    count = conn.execute(select(func.count()).select_from(log_entry)).scalar_one()
    low, high = conn.execute(select(func.min(log_entry.c.idx), func.max(log_entry.c.idx))).one()
    if count != size or (size and (low != 0 or high != size - 1)):
        ordered = _stream(conn, select(log_entry.c.idx).order_by(log_entry.c.idx))
        for expected, (idx,) in enumerate(ordered):
            if idx != expected:
                yield _bad(3, f"entry {expected} is missing", f"log entry {expected}")
                return
        yield _bad(3, f"the log state says {size} entries but {count} are stored", "log_state")
        return
    yield _good(3, f"{size} entries, numbered 0 to {size - 1}")


def _level_rows(conn: Connection, level: int) -> Iterator[tuple[int, bytes]]:
    low, high = log.node_key(level, 0), log.node_key(level + 1, 0)
    query = (
        select(log_node.c.id, log_node.c.hash)
        .where(log_node.c.id >= low, log_node.c.id < high)
        .order_by(log_node.c.id)
    )
    for key, value in _stream(conn, query):
        yield int(key) - low, bytes(value)


def step4_nodes(conn: Connection, size: int) -> Iterator[Finding]:
    """(4) Recompute every leaf hash from its entry, and every stored node from the level below."""
    problems = 0
    entries = _stream(conn, select(log_entry.c.idx, log_entry.c.data).order_by(log_entry.c.idx))
    leaves = _level_rows(conn, 0)
    for (idx, data), stored in zip(entries, leaves, strict=False):
        if stored[0] != idx or stored[1] != merkle.leaf_hash(bytes(data)):
            problems += 1
            yield _bad(4, "the entry's leaf hash differs from the stored leaf", f"log entry {idx}")
            if problems > 20:
                return
    level, width = 0, size
    while width >= 1 and problems == 0:
        stored_count = sum(1 for _ in _level_rows(conn, level))
        if stored_count != width:
            yield _bad(4, f"{stored_count} nodes stored, {width} expected", f"tree level {level}")
            return
        if width < 2:
            break
        below = _level_rows(conn, level)
        above = _level_rows(conn, level + 1)
        for index, (_, parent) in enumerate(above):
            (_, left), (_, right) = next(below), next(below)
            if merkle.node_hash(left, right) != parent:
                yield _bad(
                    4,
                    "stored node differs from its recomputed hash",
                    f"tree level {level + 1} index {index}",
                )
                return
        level, width = level + 1, width // 2
    if problems == 0:
        yield _good(4, "every stored node matches the entries")


def step5_roots(conn: Connection) -> Iterator[Finding]:
    """(5) Each checkpoint's root equals the recomputed root; consecutive checkpoints are consistent."""
    stored = log.all_checkpoints(conn)
    previous = None
    failures = 0
    for cp in stored:
        actual = log.root_at(conn, cp.size)
        if actual != cp.root_hash:
            failures += 1
            yield _bad(
                5, "the recomputed root differs from the signed root", f"checkpoint {cp.size}"
            )
        if previous is not None:
            proof = log.consistency_proof(conn, previous.size, cp.size)
            try:
                merkle.verify_consistency(
                    previous.size, cp.size, previous.root_hash, cp.root_hash, proof
                )
            except merkle.ProofError:
                failures += 1
                yield _bad(
                    5,
                    "not consistent with the previous checkpoint",
                    f"checkpoints {previous.size} -> {cp.size}",
                )
        previous = cp
    if not failures and stored:
        yield _good(5, f"roots match and {len(stored)} checkpoint(s) are mutually consistent")
    current = log.size(conn)
    if stored and stored[-1].size < current:
        yield _note(
            5,
            f"{current - stored[-1].size} entries are not yet covered by a signed "
            "checkpoint (an interrupted batch); the next write signs them",
            "log tail",
        )


def step6_records(conn: Connection, size: int) -> Iterator[Finding]:
    """(6) Every custody row re-derives its log entry byte for byte, and every entry has its row."""
    rows = _stream(conn, select(custody_event).order_by(custody_event.c.log_index))
    entries = _stream(conn, select(log_entry.c.idx, log_entry.c.data).order_by(log_entry.c.idx))
    problems = 0
    row = next(rows, None)
    for idx, data in entries:
        while row is not None and row.log_index < idx:
            problems += 1
            yield _bad(
                6,
                "a custody record points at a log index that holds another record",
                f"custody event {row.id}",
            )
            row = next(rows, None)
        if row is None or row.log_index != idx:
            problems += 1
            yield _bad(6, "the log entry has no custody record in the database", f"log entry {idx}")
            continue
        expected = to_domain(dict(row._mapping)).entry_bytes()
        if expected != bytes(data):
            problems += 1
            yield _bad(
                6, _differs(expected, bytes(data)), f"log entry {idx} / custody event {row.id}"
            )
        row = next(rows, None)
    while row is not None:
        problems += 1
        yield _bad(6, "the custody record is not in the log", f"custody event {row.id}")
        row = next(rows, None)
    if not problems:
        yield _good(6, f"{size} custody records match the log entry for entry")


def _differs(record: bytes, entry: bytes) -> str:
    try:
        a, b = json.loads(record), json.loads(entry)
        fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    except (ValueError, AttributeError):
        fields = []
    return "the database record differs from the log entry" + (
        f" in field(s): {', '.join(fields)}" if fields else ""
    )


def step7_items(conn: Connection) -> Iterator[Finding]:
    """(7) Every item's fields match the commitment in its ingestion event."""
    events = {
        r.item_id: r
        for r in conn.execute(
            select(custody_event.c.item_id, custody_event.c.sha256, custody_event.c.record).where(
                custody_event.c.event_type == "ingestion"
            )
        )
    }
    problems = count = 0
    for item in _stream(conn, select(evidence_item)):
        count += 1
        data = dict(item._mapping)
        event = events.get(data["id"])
        if event is None:
            problems += 1
            yield _bad(7, "the item has no ingestion event", f"item {data['id']}")
        elif event.sha256 != data["sha256"] or event.record != commitment(
            bytes(data["record_salt"]), item_record(data)
        ):
            problems += 1
            yield _bad(7, "the item's record was changed after ingestion", f"item {data['id']}")
    if not problems:
        yield _good(7, f"{count} items match their ingestion events")


def step8_blobs(instance: Instance, conn: Connection, sample: int | None) -> Iterator[Finding]:
    """(8) Re-hash every blob (or a random sample) and compare with its address."""
    digests = sorted({r[0] for r in conn.execute(select(evidence_item.c.sha256).distinct())})
    chosen = digests if sample is None else random.sample(digests, min(sample, len(digests)))
    problems = 0
    for digest in chosen:
        try:
            instance.blobs.verify(digest)
        except (IntegrityError, NotFound) as exc:
            problems += 1
            yield _bad(8, exc.what, f"blob sha256:{digest}")
    if not problems:
        scope = "all" if sample is None else f"a random sample of {len(chosen)} of"
        yield _good(8, f"{scope} {len(digests)} blob(s) re-hashed and match")
    referenced = set(digests)
    orphans = sum(1 for d in instance.blobs.digests() if d not in referenced)
    if orphans:
        yield _note(
            8,
            f"{orphans} stored blob(s) have no item (left by an interrupted ingest; "
            "re-running it links them)",
            "vault",
        )
    stale = instance.blobs.stale_temporaries()
    if stale:
        yield _note(8, f"{len(stale)} temporary file(s) left by a killed process", "vault tmp")


def run(
    instance: Instance,
    *,
    sample: int | None = None,
    trusted_key: VerifierKey | None = None,
    on_finding: Callable[[Finding], None] | None = None,
) -> list[Finding]:
    """Run every step; returns all findings (any ``ok=False`` means verification failed)."""
    if sample is not None and sample < 0:
        raise InvalidInput("--sample must be zero or more", where="--sample")
    findings: list[Finding] = []

    def emit(found: Iterator[Finding]) -> bool:
        ok = True
        for finding in found:
            findings.append(finding)
            ok = ok and finding.ok
            if on_finding is not None:
                on_finding(finding)
        return ok

    if not emit(step1_key(instance, trusted_key)):
        return findings
    key = trusted_key or instance.record.verifier_key
    with read_transaction(instance.engine) as conn:
        size = log.size(conn)
        emit(step2_signatures(conn, key))
        entries_ok = emit(step3_entries(conn, size))
        nodes_ok = entries_ok and emit(step4_nodes(conn, size))
        if nodes_ok:
            emit(step5_roots(conn))
        emit(step6_records(conn, size))
        emit(step7_items(conn))
        emit(step8_blobs(instance, conn, sample))
    return findings
