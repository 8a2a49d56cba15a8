"""`testament verify`: the numbered steps of docs/verification.md, run against one home.

Each step yields :class:`Finding` objects; a finding with ``ok=False`` names the item, entry or
checkpoint and what differs. All steps read one consistent snapshot and never write. Damaged rows are
findings, never crashes: verification exists for the day something was tampered with. Steps 2 to 5,
the signed log's own, are in :mod:`testament.custody.verify_log`, the findings in
:mod:`testament.custody.verify_findings`; both are named here too.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from contextlib import closing
from typing import Any

from sqlalchemy import Connection

from testament.custody import policy, vault_staging, verify_findings, verify_log, verify_versions
from testament.custody.custody import to_domain
from testament.custody.instance import Instance
from testament.custody.queries import verify as queries
from testament.custody.queries.verify import RecordKind
from testament.custody.records import RECORD_KINDS
from testament.custody.verify_findings import (
    MAX_FINDINGS_PER_STEP,
    MAX_NAMED,
    failed,
    noted,
    passed,
)
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, commitment
from testament.errors import IntegrityError, InvalidInput, NotFound, TestamentError
from testament.ledger import log
from testament.ledger.keys import VerifierKey
from testament.storage.engine import read_transaction

# Named here as docs/verification.md names them: the findings, and the log's own steps.
Finding = verify_findings.Finding
STEPS = verify_findings.STEPS
step2_signatures = verify_log.step2_signatures
step3_entries = verify_log.step3_entries
step4_nodes = verify_log.step4_nodes
step5_roots = verify_log.step5_roots


def step1_key(instance: Instance, trusted: VerifierKey | None) -> Iterator[Finding]:
    """(1) Establish the verifier key: the given one, else the signing key file's; cross-check the database."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)  # the log is no case's: anyone signed in
    recorded = instance.record.verifier_key
    if trusted is None:
        try:
            trusted = instance.signer.verifier
        except TestamentError as exc:
            yield failed(1, exc.what, exc.where or "signing key")
            return
    if trusted != recorded:
        yield failed(
            1,
            f"the database names log key {recorded.encode()}, expected {trusted.encode()}",
            "instance record",
        )
        return
    yield passed(1, f"log key {trusted.encode()}")


def step6_records(conn: Connection, size: int) -> Iterator[Finding]:
    """(6) Every custody row re-derives its log entry byte for byte, and every entry has its row."""
    problems: list[Finding] = []
    with closing(queries.custody_rows(conn)) as rows, closing(queries.entries(conn)) as entries:
        row = next(rows, None)
        for idx, data in entries:
            while row is not None and row.log_index < idx:
                problems.append(
                    failed(
                        6,
                        "a custody record points at a log index that holds another record",
                        f"custody event {row.id}",
                    )
                )
                row = next(rows, None)
            if row is None or row.log_index != idx:
                problems.append(
                    failed(
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
                failed(6, "the custody record is not in the log", f"custody event {row.id}")
            )
            row = next(rows, None)
    yield from problems[:MAX_FINDINGS_PER_STEP]
    if len(problems) > MAX_FINDINGS_PER_STEP:
        yield failed(
            6, f"{len(problems) - MAX_FINDINGS_PER_STEP} more problems not listed", "custody log"
        )
    if not problems:
        yield passed(6, f"{size} custody records match the log entry for entry")


def _compare_record(row: dict[str, Any], entry: bytes, idx: int) -> Finding | None:
    where = f"log entry {idx} / custody event {row['id']}"
    try:
        expected = to_domain(row).entry_bytes()
    except (ValueError, KeyError, TypeError):
        return failed(6, "the custody record is malformed and cannot be rebuilt", where)
    if expected == entry:
        return None
    return failed(6, _differs(expected, entry), where)


def _differs(record: bytes, entry: bytes) -> str:
    try:
        a, b = json.loads(record), json.loads(entry)
        fields = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    except (ValueError, AttributeError):
        fields = []
    return "the database record differs from the log entry" + (
        f" in field(s): {', '.join(fields)}" if fields else ""
    )


# The events that bring an item into being: a file ingested, an archive's member unpacked, a web page
# captured; a derivative's is a ``creation`` event whose object is "derivative".
ITEM_EVENTS = frozenset(
    {CustodyEventType.INGESTION, CustodyEventType.UNPACKING, CustodyEventType.CAPTURE}
)


def _creation_events(conn: Connection) -> dict[str, dict[str, Any]]:
    """Creation events by "<kind> <id>", from the custody rows (already checked against the log)."""
    wanted = [t.value for t in (*ITEM_EVENTS, CustodyEventType.CREATION)]
    events: dict[str, dict[str, Any]] = {}
    with closing(queries.custody_rows_of_types(conn, wanted)) as rows:
        for row in rows:
            data = dict(row._mapping)
            try:
                detail = json.loads(data["detail"])
            except ValueError:
                continue
            if data["event_type"] in ITEM_EVENTS or (
                isinstance(detail, dict) and detail.get("object") == "derivative"
            ):
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
    with closing(queries.rows_of(conn, kind.table)) as rows:
        for row in rows:
            data = dict(row._mapping)
            key = f"{kind.name} {data['id']}"
            seen.add(key)
            event = events.get(key)
            if event is None:
                yield failed(7, f"the {kind.name} has no {kind.event_type.value} event", key)
                continue
            expected = commitment(bytes(data["record_salt"]), kind.record(data))
            digest_ok = kind.name != "item" or event["sha256"] == data["sha256"]
            if event["record"] != expected or not digest_ok:
                yield failed(7, f"the {kind.name}'s record was changed after it was created", key)
    for key in sorted(k for k in events if k.startswith(kind.name + " ") and k not in seen):
        yield failed(
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
        yield passed(7, f"{summary} match their creation events")


def step8_blobs(instance: Instance, conn: Connection, sample: int | None) -> Iterator[Finding]:
    """(8) Re-hash every blob (or a random sample) and compare with its address."""
    policy.require(conn, instance, Action.READ)
    recorded = queries.recorded_digests(conn)
    shredded = queries.shredded_digests(conn)
    digests = sorted(recorded - shredded)
    chosen = digests if sample is None else random.sample(digests, min(sample, len(digests)))
    problems = 0
    for digest in chosen:
        try:
            instance.blobs.verify(digest)
        except (IntegrityError, NotFound, InvalidInput) as exc:
            problems += 1
            yield failed(8, exc.what, f"blob sha256:{digest}")
    if not problems:
        scope = "all" if sample is None else f"a random sample of {len(chosen)} of"
        yield passed(8, f"{scope} {len(digests)} blob(s) re-hashed and match")
    if shredded:
        yield noted(8, f"{len(shredded)} blob(s) were shredded under policy (shred events)")
    orphans = sum(1 for d in instance.blobs.digests() if d not in recorded)
    if orphans:
        yield noted(
            8,
            f"{orphans} stored blob(s) have no ingestion event (left by an interrupted "
            "ingest; re-running it links them)",
            "vault",
        )
    stale = [t for t in instance.blobs.temporaries() if t.stale]  # asked above, in this snapshot
    if stale:
        names = ", ".join(t.name for t in stale[:MAX_NAMED])
        more = f" and {len(stale) - MAX_NAMED} more" if len(stale) > MAX_NAMED else ""
        yield noted(
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
        yield failed(9, detail, where)
    if len(problems) > MAX_FINDINGS_PER_STEP:
        yield failed(
            9, f"{len(problems) - MAX_FINDINGS_PER_STEP} more problems not listed", "records"
        )
    if not problems:
        yield passed(9, f"{count} documentation record(s) match their versions and custody events")


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
            emit(iter([failed(3, "the log state record is missing", "log state")]))
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
