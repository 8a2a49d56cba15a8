"""`testament verify`: the numbered steps of docs/verification.md, run against one home.

Each step yields :class:`Finding` objects; a finding with ``ok=False`` names the item, entry or
checkpoint and what differs. All steps read one consistent snapshot and never write. Damaged rows are
findings, never crashes: verification exists for the day something was tampered with.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from testament.custody import policy, vault_staging, verify_versions
from testament.custody.custody import to_domain
from testament.custody.instance import Instance
from testament.custody.records import RECORD_KINDS, RecordKind
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, commitment
from testament.errors import IntegrityError, InvalidInput, NotFound, TestamentError
from testament.ledger import checkpoint as notes
from testament.ledger import log, merkle
from testament.ledger.keys import VerifierKey
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event, evidence_item, log_entry, log_node

STREAM_ROWS = 10_000
MAX_FINDINGS_PER_STEP = 50
MAX_NAMED = 10


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
    2: "checkpoint signatures and numbering",
    3: "log entries",
    4: "tree nodes",
    5: "checkpoint roots and consistency",
    6: "custody records against log entries",
    7: "records against their creation events",
    8: "blob fixity",
    9: "documentation records against their versions",
}


def _bad(step: int, detail: str, where: str) -> Finding:
    return Finding(step, STEPS[step], False, detail, where)


def _good(step: int, detail: str) -> Finding:
    return Finding(step, STEPS[step], True, detail)


def _note(step: int, detail: str, where: str | None = None) -> Finding:
    return Finding(step, STEPS[step], True, detail, where, info=True)


def _stream(conn: Connection, query: Any) -> Generator[Any, None, None]:
    """Rows in bounded memory (a server-side cursor on PostgreSQL); close it with ``closing``."""
    result = conn.execution_options(yield_per=STREAM_ROWS).execute(query)
    try:
        yield from result
    finally:
        result.close()


def step1_key(instance: Instance, trusted: VerifierKey | None) -> Iterator[Finding]:
    """(1) Establish the verifier key: the given one, else the signing key file's; cross-check the database."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)  # the log is no case's: anyone signed in
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
    """(2) Every stored checkpoint verifies under the key and matches its own columns; none is missing."""
    stored = log.all_checkpoints(conn)
    bad = 0
    sequences: dict[int, notes.Sequence | None] = {}
    for cp in stored:
        try:
            head = notes.verify(cp.note, key)
            sequences[cp.number] = notes.sequence_of(head)
        except (IntegrityError, InvalidInput) as exc:
            bad += 1
            yield _bad(2, exc.what, f"checkpoint {cp.size}")
            continue
        if head.size != cp.size or head.root_hash != cp.root_hash:
            bad += 1
            yield _bad(
                2, "the signed text differs from the stored size or root", f"checkpoint {cp.size}"
            )
    for finding in _check_numbering(stored, sequences):
        bad += 1
        yield finding
    if not stored:
        yield _bad(2, "no checkpoint has ever been signed", "checkpoint table")
    elif not bad:
        yield _good(
            2,
            f"{len(stored)} checkpoint(s) signed by the log key, numbered 1 to {len(stored)} "
            "with none missing",
        )


def _check_numbering(
    stored: list[log.StoredCheckpoint], sequences: dict[int, notes.Sequence | None]
) -> Iterator[Finding]:
    """Numbers run 1, 2, 3, … in size order, each equal to its signed number, and none is missing.

    ``stored`` is in size order; ``sequences`` holds the signed sequence line of each checkpoint whose
    signature verified (None for one signed before checkpoints were numbered).
    """
    previous: log.StoredCheckpoint | None = None
    numbered = False
    for cp in stored:
        where = f"checkpoint {cp.size}"
        expected = 1 if previous is None else previous.number + 1
        signed = sequences.get(cp.number)
        if cp.number < expected:
            yield _bad(
                2,
                f"numbered {cp.number}, out of order (the one before it is {expected - 1})",
                where,
            )
        elif cp.number > expected:
            yield _missing(expected, cp, signed, previous)
        if signed is not None:
            numbered = True
            if signed.number != cp.number:
                yield _bad(
                    2, f"signed as number {signed.number} but stored as number {cp.number}", where
                )
            elif cp.number == expected and signed.previous_size != (
                None if previous is None else previous.size
            ):
                yield _bad(
                    2,
                    f"signed after a checkpoint over {signed.previous_size} entries, but the one "
                    f"stored before it covers {None if previous is None else previous.size}",
                    where,
                )
        elif numbered and cp.number in sequences:
            yield _bad(2, "the checkpoint carries no signed number, unlike those before it", where)
        previous = cp


def _missing(
    expected: int,
    cp: log.StoredCheckpoint,
    signed: notes.Sequence | None,
    previous: log.StoredCheckpoint | None,
) -> Finding:
    """The checkpoints missing before ``cp``: numbers, and the size its signed line gives the last."""
    last = cp.number - 1
    numbers = f"number {last}" if last == expected else f"numbers {expected} to {last}"
    verb = "is" if last == expected else "are"
    low = 0 if previous is None else previous.size
    if signed is not None and signed.number == cp.number and signed.previous_size is not None:
        size = f"tree size {signed.previous_size}"
        known = (
            f"checkpoint number {cp.number} was signed after one over {signed.previous_size} "
            "entries, which is gone"
        )
    else:
        size = f"tree size between {low} and {cp.size}"
        known = f"they covered more than {low} and fewer than {cp.size} entries"
    return _bad(
        2,
        f"checkpoint {numbers} {verb} missing from the checkpoint table: a signed checkpoint "
        f"was deleted ({known})",
        f"checkpoint {numbers}" + (f", {size}" if last == expected else ""),
    )


def step3_entries(conn: Connection, size: int) -> Iterator[Finding]:
    """(3) Entries are numbered 0..size-1 with none missing and none extra."""
    count = conn.execute(select(func.count()).select_from(log_entry)).scalar_one()
    low, high = conn.execute(select(func.min(log_entry.c.idx), func.max(log_entry.c.idx))).one()
    if count == size and (size == 0 or (low == 0 and high == size - 1)):
        yield _good(3, f"{size} entries, numbered 0 to {size - 1}")
        return
    query = select(log_entry.c.idx).order_by(log_entry.c.idx)
    with closing(_stream(conn, query)) as ordered:
        for expected, (idx,) in enumerate(ordered):
            if idx != expected:
                yield _bad(3, f"entry {expected} is missing", f"log entry {expected}")
                return
    yield _bad(3, f"the log state says {size} entries but {count} are stored", "log state")


def _level_rows(conn: Connection, level: int) -> Generator[tuple[int, bytes], None, None]:
    low, high = log.node_key(level, 0), log.node_key(level + 1, 0)
    query = (
        select(log_node.c.id, log_node.c.hash)
        .where(log_node.c.id >= low, log_node.c.id < high)
        .order_by(log_node.c.id)
    )
    with closing(_stream(conn, query)) as rows:
        for key, value in rows:
            yield int(key) - low, bytes(value)


def _check_leaves(conn: Connection) -> Iterator[Finding]:
    query = select(log_entry.c.idx, log_entry.c.data).order_by(log_entry.c.idx)
    problems = 0
    with closing(_stream(conn, query)) as entries, closing(_level_rows(conn, 0)) as leaves:
        for (idx, data), stored in zip(entries, leaves, strict=False):
            if stored[0] != idx or stored[1] != merkle.leaf_hash(bytes(data)):
                problems += 1
                yield _bad(
                    4, "the entry's leaf hash differs from the stored leaf", f"log entry {idx}"
                )
                if problems >= MAX_FINDINGS_PER_STEP:
                    return


def _check_level(conn: Connection, level: int) -> Iterator[Finding]:
    with closing(_level_rows(conn, level)) as below, closing(_level_rows(conn, level + 1)) as above:
        for index, (position, parent) in enumerate(above):
            pair = next(below, None), next(below, None)
            if position != index or None in pair:
                yield _bad(
                    4, "a stored node is out of place", f"tree level {level + 1} index {index}"
                )
                return
            (_, left), (_, right) = pair  # type: ignore[misc]
            if merkle.node_hash(left, right) != parent:
                yield _bad(
                    4,
                    "stored node differs from its recomputed hash",
                    f"tree level {level + 1} index {index}",
                )
                return


def step4_nodes(conn: Connection, size: int) -> Iterator[Finding]:
    """(4) Recompute every leaf hash from its entry, and every stored node from the level below."""
    problems = list(_check_leaves(conn))
    yield from problems
    level, width = 0, size
    while width >= 1 and not problems:
        stored_count = conn.execute(
            select(func.count())
            .select_from(log_node)
            .where(
                log_node.c.id >= log.node_key(level, 0), log_node.c.id < log.node_key(level + 1, 0)
            )
        ).scalar_one()
        if stored_count != width:
            problems.append(
                _bad(4, f"{stored_count} nodes stored, {width} expected", f"tree level {level}")
            )
            yield problems[-1]
            break
        if width >= 2:
            problems = list(_check_level(conn, level))
            yield from problems
        level, width = level + 1, width // 2
    if not problems:
        yield _good(4, "every stored node matches the entries")


def _check_anchor(
    conn: Connection, key: VerifierKey, text: str, size: int, stored: list[log.StoredCheckpoint]
) -> Iterator[Finding]:
    """A checkpoint the user kept from earlier: the log must still contain that exact tree."""
    try:
        head = notes.verify(text, key)
        sequence = notes.sequence_of(head)
    except (IntegrityError, InvalidInput) as exc:
        yield _bad(5, f"the given checkpoint does not verify: {exc.what}", "--checkpoint")
        return
    where = f"given checkpoint {head.size}"
    same = [cp for cp in stored if sequence is not None and cp.number == sequence.number]
    if same and (same[0].size, same[0].root_hash) != (head.size, head.root_hash):
        yield _bad(
            5,
            f"the stored checkpoint number {same[0].number} covers {same[0].size} entries, not "
            f"the given one's {head.size}: checkpoints were deleted and signed again",
            where,
        )
    elif head.size > size:
        yield _bad(
            5,
            f"the log has {size} entries, fewer than the given checkpoint: it was rolled back",
            where,
        )
    elif log.root_at(conn, head.size) != head.root_hash:
        yield _bad(5, "the log's tree at this size differs from the given checkpoint", where)
    else:
        yield _good(5, f"the log still contains the tree of the given checkpoint ({head.size})")


def step5_roots(
    conn: Connection, key: VerifierKey, size: int, anchors: list[str]
) -> Iterator[Finding]:
    """(5) Each checkpoint's root equals the recomputed root; consecutive checkpoints are consistent."""
    stored = log.all_checkpoints(conn)
    previous = None
    failures = 0
    for cp in stored:
        where = f"checkpoint {cp.size}"
        if cp.size > size:
            failures += 1
            yield _bad(
                5, f"the checkpoint covers {cp.size} entries but the log holds {size}", where
            )
            continue
        if log.root_at(conn, cp.size) != cp.root_hash:
            failures += 1
            yield _bad(5, "the recomputed root differs from the signed root", where)
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
    if stored and stored[-1].size < size:
        failures += 1
        yield _bad(
            5,
            f"{size - stored[-1].size} entries are not covered by any signed checkpoint; every "
            "write signs its own, so entries were added outside Testament or a checkpoint was removed",
            f"log entries {stored[-1].size} to {size - 1}",
        )
    for text in anchors:
        found = list(_check_anchor(conn, key, text, size, stored))
        failures += sum(1 for f in found if not f.ok)
        yield from found
    if not failures and stored:
        yield _good(5, f"roots match and {len(stored)} checkpoint(s) are mutually consistent")


def step6_records(conn: Connection, size: int) -> Iterator[Finding]:
    """(6) Every custody row re-derives its log entry byte for byte, and every entry has its row."""
    query_rows = select(custody_event).order_by(custody_event.c.log_index)
    query_entries = select(log_entry.c.idx, log_entry.c.data).order_by(log_entry.c.idx)
    problems: list[Finding] = []
    with (
        closing(_stream(conn, query_rows)) as rows,
        closing(_stream(conn, query_entries)) as entries,
    ):
        row = next(rows, None)
        for idx, data in entries:
            while row is not None and row.log_index < idx:
                problems.append(
                    _bad(
                        6,
                        "a custody record points at a log index that holds another record",
                        f"custody event {row.id}",
                    )
                )
                row = next(rows, None)
            if row is None or row.log_index != idx:
                problems.append(
                    _bad(
                        6, "the log entry has no custody record in the database", f"log entry {idx}"
                    )
                )
                continue
            finding = _compare_record(dict(row._mapping), bytes(data), idx)
            if finding is not None:
                problems.append(finding)
            row = next(rows, None)
        while row is not None:
            problems.append(
                _bad(6, "the custody record is not in the log", f"custody event {row.id}")
            )
            row = next(rows, None)
    yield from problems[:MAX_FINDINGS_PER_STEP]
    if len(problems) > MAX_FINDINGS_PER_STEP:
        yield _bad(
            6, f"{len(problems) - MAX_FINDINGS_PER_STEP} more problems not listed", "custody log"
        )
    if not problems:
        yield _good(6, f"{size} custody records match the log entry for entry")


def _compare_record(row: dict[str, Any], entry: bytes, idx: int) -> Finding | None:
    where = f"log entry {idx} / custody event {row['id']}"
    try:
        expected = to_domain(row).entry_bytes()
    except (ValueError, KeyError, TypeError):
        return _bad(6, "the custody record is malformed and cannot be rebuilt", where)
    if expected == entry:
        return None
    return _bad(6, _differs(expected, entry), where)


def _differs(record: bytes, entry: bytes) -> str:
    try:
        a, b = json.loads(record), json.loads(entry)
        fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    except (ValueError, AttributeError):
        fields = []
    return "the database record differs from the log entry" + (
        f" in field(s): {', '.join(fields)}" if fields else ""
    )


def _creation_events(conn: Connection) -> dict[str, dict[str, Any]]:
    """Creation events by "<kind> <id>", from the custody rows (already checked against the log)."""
    wanted = [CustodyEventType.CREATION.value, CustodyEventType.INGESTION.value]
    query = select(custody_event).where(custody_event.c.event_type.in_(wanted))
    events: dict[str, dict[str, Any]] = {}
    with closing(_stream(conn, query)) as rows:
        for row in rows:
            data = dict(row._mapping)
            try:
                detail = json.loads(data["detail"])
            except ValueError:
                continue
            if data["event_type"] == CustodyEventType.INGESTION.value:
                key = f"item {data['item_id']}"
            elif isinstance(detail, dict) and detail.get("object") in {"case", "agent"}:
                column = "case_id" if detail["object"] == "case" else "agent_id"
                key = f"{detail['object']} {data[column]}"
            else:
                continue
            events[key] = data
    return events


def _check_kind(
    conn: Connection, kind: RecordKind, events: dict[str, dict[str, Any]]
) -> Iterator[Finding]:
    seen: set[str] = set()
    with closing(_stream(conn, select(kind.table))) as rows:
        for row in rows:
            data = dict(row._mapping)
            key = f"{kind.name} {data['id']}"
            seen.add(key)
            event = events.get(key)
            if event is None:
                yield _bad(7, f"the {kind.name} has no {kind.event_type.value} event", key)
                continue
            expected = commitment(bytes(data["record_salt"]), kind.record(data))
            digest_ok = kind.name != "item" or event["sha256"] == data["sha256"]
            if event["record"] != expected or not digest_ok:
                yield _bad(7, f"the {kind.name}'s record was changed after it was created", key)
    for key in sorted(k for k in events if k.startswith(kind.name + " ") and k not in seen):
        yield _bad(
            7,
            f"the {kind.name} named by its {kind.event_type.value} event is missing "
            "from the database",
            key,
        )


def step7_records(conn: Connection) -> Iterator[Finding]:
    """(7) Every agent, case and item matches the commitment in its creation event, and back."""
    events = _creation_events(conn)
    problems = 0
    for kind in RECORD_KINDS:
        for finding in _check_kind(conn, kind, events):
            problems += 1
            if problems <= MAX_FINDINGS_PER_STEP:
                yield finding
    if not problems:
        counts = {
            k.name: sum(1 for e in events if e.startswith(k.name + " ")) for k in RECORD_KINDS
        }
        summary = ", ".join(f"{n} {name}(s)" for name, n in counts.items())
        yield _good(7, f"{summary} match their creation events")


def step8_blobs(instance: Instance, conn: Connection, sample: int | None) -> Iterator[Finding]:
    """(8) Re-hash every blob (or a random sample) and compare with its address."""
    policy.require(conn, instance, Action.READ)
    recorded = {r[0] for r in conn.execute(select(evidence_item.c.sha256).distinct())}
    recorded |= {
        r[0]
        for r in conn.execute(
            select(custody_event.c.sha256)
            .where(custody_event.c.event_type == CustodyEventType.INGESTION.value)
            .distinct()
        )
        if r[0]
    }
    shredded = {
        r[0]
        for r in conn.execute(
            select(custody_event.c.sha256)
            .where(custody_event.c.event_type == CustodyEventType.SHRED.value)
            .distinct()
        )
        if r[0]
    }
    digests = sorted(recorded - shredded)
    chosen = digests if sample is None else random.sample(digests, min(sample, len(digests)))
    problems = 0
    for digest in chosen:
        try:
            instance.blobs.verify(digest)
        except (IntegrityError, NotFound, InvalidInput) as exc:
            problems += 1
            yield _bad(8, exc.what, f"blob sha256:{digest}")
    if not problems:
        scope = "all" if sample is None else f"a random sample of {len(chosen)} of"
        yield _good(8, f"{scope} {len(digests)} blob(s) re-hashed and match")
    if shredded:
        yield _note(8, f"{len(shredded)} blob(s) were shredded under policy (shred events)")
    orphans = sum(1 for d in instance.blobs.digests() if d not in recorded)
    if orphans:
        yield _note(
            8,
            f"{orphans} stored blob(s) have no ingestion event (left by an interrupted "
            "ingest; re-running it links them)",
            "vault",
        )
    stale = [t for t in instance.blobs.temporaries() if t.stale]  # asked above, in this snapshot
    if stale:
        names = ", ".join(t.name for t in stale[:MAX_NAMED])
        more = f" and {len(stale) - MAX_NAMED} more" if len(stale) > MAX_NAMED else ""
        yield _note(
            8,
            f"{vault_staging.stale_summary(stale)} (a crash during an upload or ingest): "
            f"{names}{more}; list them with `testament vault clean-tmp`, remove them with "
            "`testament vault clean-tmp --yes`",
            "vault tmp",
        )


def step9_versions(conn: Connection) -> Iterator[Finding]:
    """(9) Every version matches its commitment and custody event; every record matches its latest version."""
    problems: list[tuple[str, str]] = []
    latest: dict[tuple[str, str], tuple[int, str, dict[str, Any]]] = {}
    count = 0
    for problem, last in verify_versions.versions(conn):
        if problem is not None:
            problems.append(problem)
        if last is not None:
            kind, record_id, version, change, data = last
            latest[(kind, record_id)] = (version, change, data)
            count += 1
    problems.extend(verify_versions.current_rows(conn, latest))
    problems.extend(verify_versions.orphan_events(conn))
    for detail, where in problems[:MAX_FINDINGS_PER_STEP]:
        yield _bad(9, detail, where)
    if len(problems) > MAX_FINDINGS_PER_STEP:
        yield _bad(
            9, f"{len(problems) - MAX_FINDINGS_PER_STEP} more problems not listed", "records"
        )
    if not problems:
        yield _good(9, f"{count} documentation record(s) match their versions and custody events")


def run(
    instance: Instance,
    *,
    sample: int | None = None,
    trusted_key: VerifierKey | None = None,
    anchors: list[str] | None = None,
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
        policy.require(conn, instance, Action.READ)
        try:
            size = log.size(conn)
        except NotFound:
            emit(iter([_bad(3, "the log state record is missing", "log state")]))
            return findings
        emit(step2_signatures(conn, key))
        entries_ok = emit(step3_entries(conn, size))
        if entries_ok and emit(step4_nodes(conn, size)):
            emit(step5_roots(conn, key, size, anchors or []))
        emit(step6_records(conn, size))
        emit(step7_records(conn))
        emit(step8_blobs(instance, conn, sample))
        emit(step9_versions(conn))
    return findings
