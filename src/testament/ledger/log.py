"""The custody log over the database: append, prove, and sign checkpoints.

Storage is tile-like: besides the entry bytes, the hash of every *perfect* subtree (level, index) is
persisted once, when its last leaf arrives, and never changes. A root, an inclusion proof or a
consistency proof therefore needs only the O(log n) perfect subtrees named by
:func:`testament.ledger.merkle.needed_nodes`, fetched in one keyed query; no subtree is ever recomputed
from leaves (performance goals G5 and G6).

Appends are batched by the caller: one call appends many entries in the caller's transaction, and the
caller signs one checkpoint over them in that same transaction, before it commits
(:func:`sign_checkpoint`), so entries and checkpoint become durable together.

Appending takes the log's lock (``BEGIN IMMEDIATE`` already made a SQLite writer the only one; on
PostgreSQL the ``log_state`` row ``FOR UPDATE``), held until the transaction ends. While it is held
nothing else can change the log, so the transaction keeps the size and every tree node it read or wrote
(:class:`_Held`): the checkpoint it then signs, and a second append, ask the database for nothing they
already know. Writers hold the lock from their first append to their commit, so the fewer statements
come after it, the more of their work overlaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Connection, func, insert, select

from testament.errors import IntegrityError, InvalidInput, NotFound
from testament.ledger import checkpoint as notes
from testament.ledger import merkle
from testament.ledger.keys import NoteSigner
from testament.storage.engine import locked_log_size, note_log_locked
from testament.storage.tables import checkpoint as checkpoint_table
from testament.storage.tables import log_entry, log_state

LEVEL_SHIFT = 48
_INDEX_MASK = (1 << LEVEL_SHIFT) - 1
# The hot paths (append, proofs) speak to the driver directly: SQLAlchemy's per-row parameter
# processing costs more than the database work itself. Node keys are integers computed here, never
# user input, so they are safe to inline.
_SIZE_SQL = "SELECT size FROM log_state WHERE id = 1"


def _placeholder(connection: Connection) -> str:
    return "?" if connection.dialect.paramstyle == "qmark" else "%s"


def _query(connection: Connection, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run a query on the DBAPI cursor of ``connection``'s current transaction."""
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, tuple(params))
        return list(cursor.fetchall())
    finally:
        cursor.close()


# Node fetches use a few fixed statement shapes (ids padded to a multiple of this), so the driver's
# statement cache prepares each shape once instead of parsing a new IN list for every proof.
_FETCH_WIDTH = 32


def node_key(level: int, index: int) -> int:
    """The ``log_node.id`` of a perfect subtree."""
    return (level << LEVEL_SHIFT) | index


@dataclass(frozen=True)
class StoredCheckpoint:
    size: int
    root_hash: bytes
    note: str
    signed_at: str
    number: int


def initialise(connection: Connection) -> None:
    """Create the log's state row (empty log). Idempotent."""
    exists = connection.execute(select(log_state.c.size).where(log_state.c.id == 1)).first()
    if exists is None:
        connection.execute(insert(log_state).values(id=1, size=0))


def _read_size(connection: Connection, sql: str) -> int:
    rows = _query(connection, sql)
    value = rows[0][0] if rows else None
    if value is None:
        raise NotFound("the custody log has not been initialised", hint="run `testament init`")
    return int(value)


@dataclass
class _Held:
    """The log as a transaction holding its lock knows it: the size, and tree nodes read or written.

    Kept in the connection's ``info`` with the transaction object itself, so it is never taken for a
    later transaction's. Nodes are perfect subtrees, which never change once written; those this
    transaction wrote would go with it on rollback, and so does this (no savepoints are used).
    """

    transaction: object
    size: int
    nodes: dict[merkle.NodeId, bytes] = field(default_factory=dict)


_HELD = "testament.log_held"


def _held(connection: Connection) -> _Held | None:
    held = connection.info.get(_HELD)
    if isinstance(held, _Held) and held.transaction is connection.get_transaction():
        return held
    return None


def size(connection: Connection) -> int:
    """Number of entries appended (committed in this transaction's view)."""
    held = _held(connection)
    return held.size if held is not None else _read_size(connection, _SIZE_SQL)


def _locked_size(connection: Connection) -> int:
    """The size, with the log's lock taken (once per transaction)."""
    held = _held(connection)
    if held is not None:
        return held.size
    # Only this module appends, and it makes _Held first: a size noted when the lock was taken still holds.
    current = locked_log_size(connection)
    if current is None:
        locked = connection.dialect.name == "postgresql"
        current = _read_size(connection, _SIZE_SQL + (" FOR UPDATE" if locked else ""))
        if locked:
            note_log_locked(connection, current)
    connection.info[_HELD] = _Held(connection.get_transaction(), current)
    return current


def fetch_nodes(connection: Connection, ids: Iterable[merkle.NodeId]) -> dict[merkle.NodeId, bytes]:
    """Fetch persisted perfect-subtree hashes by (level, index), in one query (none if known)."""
    wanted = list(ids)
    if not wanted:
        return {}
    held = _held(connection)
    if held is None:
        return _fetch_nodes(connection, wanted)
    missing = [node for node in wanted if node not in held.nodes]
    if missing:
        held.nodes.update(_fetch_nodes(connection, missing))
    return {node: held.nodes[node] for node in wanted}


def _fetch_nodes(connection: Connection, wanted: list[merkle.NodeId]) -> dict[merkle.NodeId, bytes]:
    keys = [node_key(level, index) for level, index in wanted]
    keys += keys[:1] * (-len(keys) % _FETCH_WIDTH)
    marks = ",".join([_placeholder(connection)] * len(keys))
    rows = _query(connection, f"SELECT id, hash FROM log_node WHERE id IN ({marks})", keys)  # noqa: S608
    found = {(int(key) >> LEVEL_SHIFT, int(key) & _INDEX_MASK): bytes(value) for key, value in rows}
    missing = [node for node in wanted if node not in found]
    if missing:
        level, index = missing[0]
        raise IntegrityError(
            f"{len(missing)} persisted tree node(s) are missing",
            where=f"log node level {level} index {index}",
            hint="the log tables were altered; run `testament verify` for a full report",
        )
    return found


def append(connection: Connection, entries: Sequence[bytes]) -> int:
    """Append ``entries`` in the caller's transaction; returns the index of the first one.

    Persists each entry, its leaf hash and every perfect subtree it completes. The caller must be in a
    write transaction (BEGIN IMMEDIATE on SQLite; the state row is locked on PostgreSQL).
    """
    start = _locked_size(connection)
    if not entries:
        return start
    known = fetch_nodes(connection, merkle.perfect_subtrees(0, start)) if start else {}
    new_nodes: dict[merkle.NodeId, bytes] = {}
    for offset, entry in enumerate(entries):
        index = start + offset
        digest = merkle.leaf_hash(entry)
        level, position = 0, index
        new_nodes[(0, index)] = digest
        while position & 1:
            sibling = (level, position - 1)
            left = new_nodes.get(sibling) or known[sibling]
            digest = merkle.node_hash(left, digest)
            level, position = level + 1, position >> 1
            new_nodes[(level, position)] = digest
    mark = _placeholder(connection)
    connection.exec_driver_sql(
        f"INSERT INTO log_entry (idx, data) VALUES ({mark}, {mark})",  # noqa: S608 - placeholders
        [(start + i, e) for i, e in enumerate(entries)],
    )
    connection.exec_driver_sql(
        f"INSERT INTO log_node (id, hash) VALUES ({mark}, {mark})",  # noqa: S608 - placeholders
        [(node_key(lv, ix), h) for (lv, ix), h in new_nodes.items()],
    )
    connection.exec_driver_sql(
        f"UPDATE log_state SET size = {mark} WHERE id = 1",  # noqa: S608 - placeholder
        (start + len(entries),),
    )
    held = _held(connection)
    if held is not None:
        held.size = start + len(entries)
        held.nodes.update(new_nodes)
    return start


def _check_size(tree_size: int, current: int, what: str) -> None:
    if tree_size < 0 or tree_size > current:
        raise NotFound(
            f"{what} {tree_size} is beyond the log",
            where="custody log",
            hint=f"the log holds {current} entries",
        )


def root_at(connection: Connection, tree_size: int) -> bytes:
    """The root hash of the first ``tree_size`` entries, from persisted nodes."""
    _check_size(tree_size, size(connection), "tree size")
    if tree_size == 0:
        return merkle.EMPTY_ROOT
    nodes = fetch_nodes(connection, merkle.perfect_subtrees(0, tree_size))
    return merkle.fold([nodes[n] for n in merkle.perfect_subtrees(0, tree_size)])


def inclusion_proof(connection: Connection, index: int, tree_size: int) -> list[bytes]:
    """RFC 9162 inclusion proof for entry ``index`` in the tree of ``tree_size`` entries."""
    _check_size(tree_size, size(connection), "tree size")
    if not 0 <= index < tree_size:
        raise NotFound(f"entry {index} is not in a tree of {tree_size}", where="custody log")
    return _resolve(connection, merkle.inclusion_path(index, tree_size))


def consistency_proof(connection: Connection, old_size: int, new_size: int) -> list[bytes]:
    """RFC 9162 consistency proof between two tree sizes."""
    _check_size(new_size, size(connection), "tree size")
    if not 0 <= old_size <= new_size:
        raise InvalidInput(
            f"cannot prove consistency from size {old_size} to the smaller size {new_size}",
            where="--from/--to",
        )
    return _resolve(connection, merkle.consistency_path(old_size, new_size))


def _resolve(connection: Connection, ranges: list[tuple[int, int]]) -> list[bytes]:
    """Hashes of proof ranges, from one fetch of the perfect subtrees they decompose into."""
    plan = [merkle.perfect_subtrees(start, end) for start, end in ranges]
    nodes = fetch_nodes(connection, {node for parts in plan for node in parts})
    return [merkle.fold([nodes[node] for node in parts]) for parts in plan]


def entry(connection: Connection, index: int) -> bytes:
    """The exact bytes of entry ``index``."""
    value = connection.execute(select(log_entry.c.data).where(log_entry.c.idx == index)).scalar()
    if value is None:
        raise NotFound(
            f"entry {index} is not in the custody log",
            where="custody log",
            hint=f"entries are numbered 0 to {size(connection) - 1}",
        )
    return bytes(cast(bytes, value))


_CHECKPOINTS = select(
    checkpoint_table.c.size,
    checkpoint_table.c.root,
    checkpoint_table.c.note,
    checkpoint_table.c.signed_at,
    checkpoint_table.c.number,
)


def _row_checkpoint(row: object) -> StoredCheckpoint:
    size_, root_, note_, signed_at_, number_ = cast(tuple[int, bytes, str, str, int], row)
    return StoredCheckpoint(int(size_), bytes(root_), str(note_), str(signed_at_), int(number_))


_LATEST_SQL = (
    "SELECT size, root, note, signed_at, number FROM checkpoint ORDER BY size DESC LIMIT 1"
)


def latest_checkpoint(connection: Connection) -> StoredCheckpoint | None:
    rows = _query(connection, _LATEST_SQL)  # every signing asks: straight to the driver
    return _row_checkpoint(rows[0]) if rows else None


def checkpoint_for(connection: Connection, minimum_size: int) -> StoredCheckpoint:
    """The smallest stored checkpoint covering at least ``minimum_size`` entries."""
    row = connection.execute(
        _CHECKPOINTS.where(checkpoint_table.c.size >= minimum_size)
        .order_by(checkpoint_table.c.size)
        .limit(1)
    ).first()
    if row is None:
        raise NotFound(
            f"no signed checkpoint covers entry {minimum_size - 1} yet",
            where="custody log",
            hint="run `testament log checkpoint --sign` to sign one now",
        )
    return _row_checkpoint(row)


def all_checkpoints(connection: Connection) -> list[StoredCheckpoint]:
    rows = connection.execute(_CHECKPOINTS.order_by(checkpoint_table.c.size)).all()
    return [_row_checkpoint(row) for row in rows]


def checkpoint_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(checkpoint_table)).scalar_one())


def sign_checkpoint(
    connection: Connection, origin: str, signer: NoteSigner, signed_at: str
) -> StoredCheckpoint | None:
    """Sign a checkpoint at the current size, after proving it consistent with the last one.

    The checkpoint takes the next number and names the last one's size in its signed sequence line.
    Returns None when the latest checkpoint already covers the whole log.
    """
    current = _locked_size(connection)
    last = latest_checkpoint(connection)
    if last is not None and last.size >= current:
        return None
    new_root = root_at(connection, current)
    if last is not None:
        proof = consistency_proof(connection, last.size, current)
        try:
            merkle.verify_consistency(last.size, current, last.root_hash, new_root, proof)
        except merkle.ProofError as exc:
            raise IntegrityError(
                "refusing to sign: the log is not consistent with its last checkpoint",
                where=f"checkpoint {last.size} -> log size {current}",
                hint="the log was altered; run `testament verify` to find where",
            ) from exc
    sequence = notes.Sequence(
        1 if last is None else last.number + 1, None if last is None else last.size
    )
    note = notes.sign(notes.Checkpoint(origin, current, new_root, (sequence.line(),)), signer)
    marks = ", ".join([_placeholder(connection)] * 5)
    connection.exec_driver_sql(
        f"INSERT INTO checkpoint (size, root, note, signed_at, number) VALUES ({marks})",  # noqa: S608 - placeholders
        (current, new_root, note, signed_at, sequence.number),
    )
    return StoredCheckpoint(current, new_root, note, signed_at, sequence.number)
