"""The RFC 9162 (Certificate Transparency v2) Merkle tree core of the custody log (MTL-01…05).

The requirement IDs are explained in docs/requirements.md.

Pure functions over hashes: no database, no I/O. Hashing follows RFC 9162 §2.1.1 (MTL-01):
``leaf = SHA-256(0x00 || entry)``, ``node = SHA-256(0x01 || left || right)``,
``MTH({}) = SHA-256("")``.

The persisted tree keeps only hashes of *perfect* subtrees: ``(level, index)`` covers the leaves
``[index * 2**level, (index + 1) * 2**level)``. A proof is built in three steps: compute its leaf
ranges (:func:`inclusion_path`, :func:`consistency_path`), fetch the perfect subtrees they need in
one batch (:func:`needed_nodes`), and combine them (:func:`resolve`). Verification follows RFC 9162
§2.1.3.2 and §2.1.4.2 step by step (MTL-02, MTL-03) and raises :class:`ProofError`.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Mapping, Sequence

from testament.errors import IntegrityError

HASH_SIZE: int = 32
EMPTY_ROOT: bytes = hashlib.sha256(b"").digest()

NodeId = tuple[int, int]
"""``(level, index)`` of a perfect subtree: leaves ``[index << level, (index + 1) << level)``."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_CHUNK_LEVEL = 12  # root() hashes perfect chunks of 2**12 leaves level by level, then merges them
_PROOF_HINT = (
    "do not trust this item or checkpoint; fetch the proof and tree head again from the log, "
    "and report the mismatch if it persists"
)


class ProofError(IntegrityError):
    """A Merkle inclusion or consistency proof does not verify (RFC 9162 §2.1.3.2, §2.1.4.2).

    ``expected`` and ``actual`` hold the hashes that disagreed, where there are such hashes; the
    message names both in base64.
    """

    def __init__(
        self,
        what: str,
        *,
        where: str | None = None,
        hint: str | None = _PROOF_HINT,
        expected: bytes | None = None,
        actual: bytes | None = None,
        errors: Mapping[str, str] | None = None,
    ) -> None:
        if expected is not None or actual is not None:
            what = f"{what} (expected {_b64(expected)}, actual {_b64(actual)})"
        super().__init__(what, where=where, hint=hint, errors=errors)
        self.expected = expected
        self.actual = actual


def _b64(value: bytes | None) -> str:
    return "none" if value is None else base64.b64encode(value).decode("ascii")


# --- hashing (RFC 9162 §2.1.1, MTL-01) -----------------------------------------------------------


def leaf_hash(entry: bytes) -> bytes:
    """``SHA-256(0x00 || entry)`` (RFC 9162 §2.1.1, MTL-01)."""
    return hashlib.sha256(_LEAF_PREFIX + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)`` (RFC 9162 §2.1.1, MTL-01)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """The largest power of two strictly below ``n`` (the ``k`` of RFC 9162 §2.1.1), for n >= 2."""
    if n < 2:
        raise ValueError(f"split_point needs a tree size of at least 2, got {n}")
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over the given leaf hashes (RFC 9162 §2.1.1, MTL-01); :data:`EMPTY_ROOT` for none.

    O(n) and iterative: the tree is cut into its perfect subtrees, each is hashed chunk by chunk
    (level by level within a chunk, chunk roots merged on a stack), and the results are folded.
    """
    size = len(leaf_hashes)
    if size == 0:
        return EMPTY_ROOT
    _require_hash_sizes(leaf_hashes, "leaf hash")
    subtrees = perfect_subtrees(0, size)
    return fold([_perfect_root(leaf_hashes, level, index) for level, index in subtrees])


def _perfect_root(leaf_hashes: Sequence[bytes], level: int, index: int) -> bytes:
    start = index << level
    if level <= _CHUNK_LEVEL:
        return _pair_up(leaf_hashes[start : start + (1 << level)])
    chunk = 1 << _CHUNK_LEVEL
    stack: list[bytes] = []
    for number, chunk_start in enumerate(range(start, start + (1 << level), chunk)):
        merged = _pair_up(leaf_hashes[chunk_start : chunk_start + chunk])
        carry = number
        while carry & 1:  # binary counter: merge equal-sized chunk roots
            merged = node_hash(stack.pop(), merged)
            carry >>= 1
        stack.append(merged)
    return stack[0]


def _pair_up(hashes: Sequence[bytes]) -> bytes:
    """MTH of a perfect (power-of-two sized) run of hashes, one level at a time."""
    sha256, prefix = hashlib.sha256, _NODE_PREFIX
    level = hashes
    while len(level) > 1:
        level = [
            sha256(prefix + left + right).digest()
            for left, right in zip(level[::2], level[1::2], strict=True)
        ]
    return level[0]


def _require_hash_sizes(hashes: Sequence[bytes], name: str) -> None:
    if set(map(len, hashes)) <= {HASH_SIZE}:
        return
    position = next(i for i, value in enumerate(hashes) if len(value) != HASH_SIZE)
    raise ValueError(
        f"{name} {position} is {len(hashes[position])} bytes; SHA-256 hashes are {HASH_SIZE} bytes"
    )


# --- perfect subtrees -----------------------------------------------------------------------------


def perfect_subtrees(start: int, end: int) -> list[NodeId]:
    """The perfect subtrees, left to right, whose right fold is MTH(D[start:end]).

    Defined for the ranges that occur in RFC 9162 roots and proofs (§2.1.1, §2.1.3.1, §2.1.4.1):
    ``start == 0``, or ``start`` a multiple of a power of two ``>= end - start``. Such a range
    splits into one perfect subtree per set bit of its size, largest first. An empty range has none.
    """
    size = end - start
    if start < 0 or size < 0:
        raise ValueError(f"leaf range [{start}, {end}) is not a range of leaves")
    if start % (1 << max(size - 1, 0).bit_length()):
        raise ValueError(
            f"leaf range [{start}, {end}) is not a subtree of an RFC 9162 tree: its start must be "
            f"0 or a multiple of a power of two at least as large as its size ({size})"
        )
    if size and not size & (size - 1):  # already perfect: the common case on proof paths
        level = size.bit_length() - 1
        return [(level, start >> level)]
    nodes: list[NodeId] = []
    offset = start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, offset >> level))
            offset += 1 << level
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """Right fold with :func:`node_hash`: ``node(h1, node(h2, ... hk))``; ``fold([h]) == h``."""
    if not hashes:
        raise ValueError("cannot fold an empty list of hashes")
    _require_hash_sizes(hashes, "subtree hash")
    acc = hashes[-1]
    for left in reversed(hashes[:-1]):
        acc = node_hash(left, acc)
    return acc


def needed_nodes(ranges: Iterable[tuple[int, int]]) -> list[NodeId]:
    """The perfect subtrees that the given leaf ranges need, deduplicated and sorted."""
    return sorted({node for start, end in ranges for node in perfect_subtrees(start, end)})


def resolve(ranges: Sequence[tuple[int, int]], nodes: Mapping[NodeId, bytes]) -> list[bytes]:
    """The hash of each leaf range, combined from fetched perfect-subtree hashes.

    Raises ``KeyError`` naming the first perfect subtree missing from ``nodes``.
    """
    hashes: list[bytes] = []
    for start, end in ranges:
        parts: list[bytes] = []
        for node in perfect_subtrees(start, end):
            if node not in nodes:
                raise KeyError(f"perfect subtree {node} (level, index) for leaves [{start}, {end})")
            parts.append(nodes[node])
        hashes.append(fold(parts) if parts else EMPTY_ROOT)
    return hashes


# --- proof paths (RFC 9162 §2.1.3.1, §2.1.4.1, MTL-04) --------------------------------------------


def inclusion_path(index: int, size: int) -> list[tuple[int, int]]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1 as leaf ranges, leaf's sibling first (MTL-04)."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    path: list[tuple[int, int]] = []
    low, width, m = 0, size, index
    while width > 1:
        k = split_point(width)
        if m < k:
            path.append((low + k, low + width))
            width = k
        else:
            path.append((low, low + k))
            low, width, m = low + k, width - k, m - k
    path.reverse()
    return path


def consistency_path(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 9162 §2.1.4.1 as leaf ranges (MTL-04).

    Empty when ``old_size`` is 0 or equals ``new_size``.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from tree size {old_size} to {new_size}")
    if old_size == 0:
        return []
    path: list[tuple[int, int]] = []
    low, width, m, whole = 0, new_size, old_size, True
    while m != width:
        k = split_point(width)
        if m <= k:
            path.append((low + k, low + width))
            width = k
        else:
            path.append((low, low + k))
            low, width, m, whole = low + k, width - k, m - k, False
    if not whole:
        path.append((low, low + width))
    path.reverse()
    return path


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """In-memory reference: the RFC 9162 §2.1.3.1 inclusion proof of leaf ``index``."""
    ranges = inclusion_path(index, len(leaf_hashes))
    return resolve(ranges, _nodes_in_memory(leaf_hashes, needed_nodes(ranges)))


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """In-memory reference: the RFC 9162 §2.1.4.1 proof from ``old_size`` to all the leaves."""
    ranges = consistency_path(old_size, len(leaf_hashes))
    return resolve(ranges, _nodes_in_memory(leaf_hashes, needed_nodes(ranges)))


def _nodes_in_memory(leaf_hashes: Sequence[bytes], ids: Iterable[NodeId]) -> dict[NodeId, bytes]:
    return {(lv, i): root(leaf_hashes[i << lv : (i + 1) << lv]) for lv, i in ids}


# --- verification (RFC 9162 §2.1.3.2, §2.1.4.2, MTL-02, MTL-03, MTL-05) ---------------------------


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> None:
    """Check that ``leaf`` is leaf ``index`` of the tree of ``size`` with ``root_hash``.

    RFC 9162 §2.1.3.2 step by step (MTL-02). Raises :class:`ProofError` on any failure.
    """
    where = f"inclusion proof for leaf {index} in tree size {size}"
    _check_sizes(where, {"leaf hash": leaf, "root hash": root_hash}, proof)
    if index < 0 or size < 0:
        raise ProofError("leaf index and tree size must not be negative", where=where)
    if index >= size:  # step 1
        raise ProofError(f"leaf index {index} is not below tree size {size}", where=where)
    computed = _root_from_inclusion(leaf, index, size, proof, where)
    if computed != root_hash:  # step 6
        raise ProofError(
            "the inclusion proof does not lead to the root hash",
            where=where,
            expected=root_hash,
            actual=computed,
        )


def _root_from_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], where: str
) -> bytes:
    fn, sn, r = index, size - 1, leaf  # steps 2-3
    for p in proof:  # step 5
        if sn == 0:
            raise _wrong_length(where, len(proof), len(inclusion_path(index, size)))
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:  # MTL-05 pitfall 1: shift until LSB(fn) is set; stop at 0 (pitfall 2)
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:  # step 6
        raise _wrong_length(where, len(proof), len(inclusion_path(index, size)))
    return r


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``new_size`` with ``new_root`` extends the one of ``old_size``.

    RFC 9162 §2.1.4.2 step by step (MTL-03), with the trivial cases first: equal sizes need an empty
    proof and equal roots; an old size of 0 needs an empty proof and ``old_root == EMPTY_ROOT``.
    Raises :class:`ProofError` on any failure.
    """
    where = f"consistency proof from tree size {old_size} to {new_size}"
    _check_sizes(where, {"old root hash": old_root, "new root hash": new_root}, proof)
    if old_size < 0 or new_size < 0:
        raise ProofError("tree sizes must not be negative", where=where)
    if old_size > new_size:
        raise ProofError(f"tree size {new_size} is smaller than {old_size}", where=where)
    if old_size in (0, new_size):
        _verify_trivial(where, proof, sizes=(old_size, new_size), roots=(old_root, new_root))
        return
    if not proof:  # step 1
        raise ProofError("the consistency proof is empty", where=where)
    first, second = _roots_from_consistency(old_size, new_size, old_root, proof, where)
    if first != old_root:  # step 7
        raise ProofError(
            "the proof does not lead to the old root", where=where, expected=old_root, actual=first
        )
    if second != new_root:
        raise ProofError(
            "the proof does not lead to the new root", where=where, expected=new_root, actual=second
        )


def _verify_trivial(
    where: str, proof: Sequence[bytes], *, sizes: tuple[int, int], roots: tuple[bytes, bytes]
) -> None:
    (old_size, new_size), (old_root, new_root) = sizes, roots
    if proof:
        raise _wrong_length(where, len(proof), 0)
    if old_size == 0 and old_root != EMPTY_ROOT:
        raise ProofError(
            "the old root is not the root of the empty tree",
            where=where,
            expected=EMPTY_ROOT,
            actual=old_root,
        )
    if old_size == new_size and old_root != new_root:
        raise ProofError(
            "trees of the same size have different roots",
            where=where,
            expected=old_root,
            actual=new_root,
        )


def _roots_from_consistency(
    old_size: int, new_size: int, old_root: bytes, proof: Sequence[bytes], where: str
) -> tuple[bytes, bytes]:
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # step 2; MTL-05 pitfall 3
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            raise _wrong_length(where, len(proof), len(consistency_path(old_size, new_size)))
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:  # MTL-05 pitfall 1: shift until LSB(fn) is set; stop at 0 (pitfall 2)
                while not (fn & 1 or fn == 0):
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:  # step 7
        raise _wrong_length(where, len(proof), len(consistency_path(old_size, new_size)))
    return fr, sr


def _wrong_length(where: str, got: int, want: int) -> ProofError:
    return ProofError(f"the proof has {got} hashes; this proof needs {want}", where=where)


def _check_sizes(where: str, named: Mapping[str, bytes], proof: Sequence[bytes]) -> None:
    hashes = [*named.items(), *((f"proof hash {i}", value) for i, value in enumerate(proof))]
    for name, value in hashes:
        if len(value) != HASH_SIZE:
            raise ProofError(
                f"the {name} is {len(value)} bytes; SHA-256 hashes are {HASH_SIZE} bytes",
                where=where,
            )
