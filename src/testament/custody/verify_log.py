"""`testament verify`, steps 2 to 5: the signed log itself (docs/verification.md).

The checkpoints verify under the log key and are numbered with none missing (2), the entries are
numbered with none missing (3), every stored tree node matches the entries (4), and every checkpoint's
root matches the tree, consecutive checkpoints and any the user kept are consistent with it (5).
:mod:`testament.custody.verification` runs them in its snapshot, after the log key (1).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from contextlib import closing

from sqlalchemy import Connection

from testament.custody.queries import verify as queries
from testament.custody.verify_findings import MAX_FINDINGS_PER_STEP, Finding, failed, passed
from testament.errors import IntegrityError, InvalidInput
from testament.ledger import checkpoint as notes
from testament.ledger import log, merkle
from testament.ledger.keys import VerifierKey


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
            yield failed(2, exc.what, f"checkpoint {cp.size}")
            continue
        if head.size != cp.size or head.root_hash != cp.root_hash:
            bad += 1
            yield failed(
                2, "the signed text differs from the stored size or root", f"checkpoint {cp.size}"
            )
    for finding in _check_numbering(stored, sequences):
        bad += 1
        yield finding
    if not stored:
        yield failed(2, "no checkpoint has ever been signed", "checkpoint table")
    elif not bad:
        yield passed(
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
            yield failed(
                2,
                f"numbered {cp.number}, out of order (the one before it is {expected - 1})",
                where,
            )
        elif cp.number > expected:
            yield _missing(expected, cp, signed, previous)
        if signed is not None:
            numbered = True
            if signed.number != cp.number:
                yield failed(
                    2, f"signed as number {signed.number} but stored as number {cp.number}", where
                )
            elif cp.number == expected and signed.previous_size != (
                None if previous is None else previous.size
            ):
                yield failed(
                    2,
                    f"signed after a checkpoint over {signed.previous_size} entries, but the one "
                    f"stored before it covers {None if previous is None else previous.size}",
                    where,
                )
        elif numbered and cp.number in sequences:
            yield failed(
                2, "the checkpoint carries no signed number, unlike those before it", where
            )
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
    return failed(
        2,
        f"checkpoint {numbers} {verb} missing from the checkpoint table: a signed checkpoint "
        f"was deleted ({known})",
        f"checkpoint {numbers}" + (f", {size}" if last == expected else ""),
    )


def step3_entries(conn: Connection, size: int) -> Iterator[Finding]:
    """(3) Entries are numbered 0..size-1 with none missing and none extra."""
    count, low, high = queries.entry_count_and_bounds(conn)
    if count == size and (size == 0 or (low == 0 and high == size - 1)):
        yield passed(3, f"{size} entries, numbered 0 to {size - 1}")
        return
    with closing(queries.entry_indices(conn)) as ordered:
        for expected, (idx,) in enumerate(ordered):
            if idx != expected:
                yield failed(3, f"entry {expected} is missing", f"log entry {expected}")
                return
    yield failed(3, f"the log state says {size} entries but {count} are stored", "log state")


def _level_rows(conn: Connection, level: int) -> Generator[tuple[int, bytes], None, None]:
    low, high = log.node_key(level, 0), log.node_key(level + 1, 0)
    with closing(queries.nodes_between(conn, low, high)) as rows:
        for key, value in rows:
            yield int(key) - low, bytes(value)


def _check_leaves(conn: Connection) -> Iterator[Finding]:
    problems = 0
    with closing(queries.entries(conn)) as entries, closing(_level_rows(conn, 0)) as leaves:
        for (idx, data), stored in zip(entries, leaves, strict=False):
            if stored[0] != idx or stored[1] != merkle.leaf_hash(bytes(data)):
                problems += 1
                yield failed(
                    4, "the entry's leaf hash differs from the stored leaf", f"log entry {idx}"
                )
                if problems >= MAX_FINDINGS_PER_STEP:
                    return


def _check_level(conn: Connection, level: int) -> Iterator[Finding]:
    with closing(_level_rows(conn, level)) as below, closing(_level_rows(conn, level + 1)) as above:
        for index, (position, parent) in enumerate(above):
            pair = next(below, None), next(below, None)
            if position != index or None in pair:
                yield failed(
                    4, "a stored node is out of place", f"tree level {level + 1} index {index}"
                )
                return
            (_, left), (_, right) = pair  # type: ignore[misc]
            if merkle.node_hash(left, right) != parent:
                yield failed(
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
        stored_count = queries.node_count_between(
            conn, log.node_key(level, 0), log.node_key(level + 1, 0)
        )
        if stored_count != width:
            problems.append(
                failed(4, f"{stored_count} nodes stored, {width} expected", f"tree level {level}")
            )
            yield problems[-1]
            break
        if width >= 2:
            problems = list(_check_level(conn, level))
            yield from problems
        level, width = level + 1, width // 2
    if not problems:
        yield passed(4, "every stored node matches the entries")


def _check_anchor(
    conn: Connection, key: VerifierKey, text: str, size: int, stored: list[log.StoredCheckpoint]
) -> Iterator[Finding]:
    """A checkpoint the user kept from earlier: the log must still contain that exact tree."""
    try:
        head = notes.verify(text, key)
        sequence = notes.sequence_of(head)
    except (IntegrityError, InvalidInput) as exc:
        yield failed(5, f"the given checkpoint does not verify: {exc.what}", "--checkpoint")
        return
    where = f"given checkpoint {head.size}"
    same = [cp for cp in stored if sequence is not None and cp.number == sequence.number]
    if same and (same[0].size, same[0].root_hash) != (head.size, head.root_hash):
        yield failed(
            5,
            f"the stored checkpoint number {same[0].number} covers {same[0].size} entries, not "
            f"the given one's {head.size}: checkpoints were deleted and signed again",
            where,
        )
    elif head.size > size:
        yield failed(
            5,
            f"the log has {size} entries, fewer than the given checkpoint: it was rolled back",
            where,
        )
    elif log.root_at(conn, head.size) != head.root_hash:
        yield failed(5, "the log's tree at this size differs from the given checkpoint", where)
    else:
        yield passed(5, f"the log still contains the tree of the given checkpoint ({head.size})")


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
            yield failed(
                5, f"the checkpoint covers {cp.size} entries but the log holds {size}", where
            )
            continue
        if log.root_at(conn, cp.size) != cp.root_hash:
            failures += 1
            yield failed(5, "the recomputed root differs from the signed root", where)
        if previous is not None:
            proof = log.consistency_proof(conn, previous.size, cp.size)
            try:
                merkle.verify_consistency(
                    previous.size, cp.size, previous.root_hash, cp.root_hash, proof
                )
            except merkle.ProofError:
                failures += 1
                yield failed(
                    5,
                    "not consistent with the previous checkpoint",
                    f"checkpoints {previous.size} -> {cp.size}",
                )
        previous = cp
    if stored and stored[-1].size < size:
        failures += 1
        yield failed(
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
        yield passed(5, f"roots match and {len(stored)} checkpoint(s) are mutually consistent")
