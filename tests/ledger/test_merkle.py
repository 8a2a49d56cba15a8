"""Known-answer and edge-case tests for the RFC 9162 Merkle core (MTL-01..05)."""

from __future__ import annotations

import base64
import json
import signal
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pymerkle import InmemoryTree  # type: ignore[import-untyped]

from testament.errors import IntegrityError
from testament.ledger import merkle
from testament.ledger.merkle import ProofError

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parent.parent / "vectors" / "rfc6962.json").read_text(encoding="utf-8")
)
LEAVES = [bytes.fromhex(entry) for entry in VECTORS["leaves"]]
LEAF_HASHES = [merkle.leaf_hash(entry) for entry in LEAVES]
ROOTS = [bytes.fromhex(value) for value in VECTORS["roots"]]
NODES = {
    (level, index): bytes.fromhex(value)
    for level, row in enumerate(VECTORS["perfect_subtrees"])
    for index, value in enumerate(row)
}
T = TypeVar("T")
OTHER = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


def unhex(values: Sequence[str]) -> list[bytes]:
    return [bytes.fromhex(value) for value in values]


def reference_mth(hashes: Sequence[bytes]) -> bytes:
    """MTH straight from the recursive definition of RFC 9162 §2.1.1."""
    if not hashes:
        return merkle.EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return merkle.node_hash(reference_mth(hashes[:k]), reference_mth(hashes[k:]))


def synthetic_leaves(count: int) -> list[bytes]:
    return [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(count)]


def run_within(seconds: float, work: Callable[[], T]) -> T:
    """Run ``work``; fail if it has not returned after ``seconds`` (MTL-05 pitfall 2).

    SIGALRM interrupts even a spinning pure-Python loop, so a verifier that never terminates makes
    the test fail instead of hanging the run. Without ``setitimer`` (Windows) it runs unbounded.
    """
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        return work()

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"verification did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return work()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# --- hashing and roots (MTL-01) ---------------------------------------------------------------


def test_empty_root_is_sha256_of_nothing() -> None:
    assert merkle.EMPTY_ROOT.hex() == VECTORS["empty_root"]
    assert merkle.root([]) == merkle.EMPTY_ROOT
    assert merkle.HASH_SIZE == len(merkle.EMPTY_ROOT) == 32


@pytest.mark.parametrize("vector", VECTORS["hasher"]["leaf"])
def test_leaf_hash_vectors(vector: dict[str, str]) -> None:
    assert merkle.leaf_hash(bytes.fromhex(vector["entry"])).hex() == vector["hash"]


def test_node_hash_vector() -> None:
    (vector,) = VECTORS["hasher"]["node"]
    left, right = bytes.fromhex(vector["left"]), bytes.fromhex(vector["right"])
    assert merkle.node_hash(left, right).hex() == vector["hash"]
    assert merkle.node_hash(right, left).hex() != vector["hash"]


@pytest.mark.parametrize("size", range(len(ROOTS)))
def test_root_of_every_prefix_of_the_ct_leaves(size: int) -> None:
    assert merkle.root(LEAF_HASHES[:size]) == ROOTS[size]


def test_root_of_all_eight_ct_leaves() -> None:
    assert merkle.root(LEAF_HASHES).hex() == (
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    )


@pytest.mark.parametrize(("level", "index"), sorted(NODES))
def test_perfect_subtree_hashes(level: int, index: int) -> None:
    leaves = LEAF_HASHES[index << level : (index + 1) << level]
    assert merkle.root(leaves) == NODES[level, index]


@pytest.mark.parametrize("size", range(1, len(ROOTS)))
def test_roots_resolve_from_stored_perfect_subtrees(size: int) -> None:
    (root_hash,) = merkle.resolve([(0, size)], NODES)
    assert root_hash == ROOTS[size]


@pytest.mark.parametrize("size", [*range(1, 70), 1000, 8192, 8192 + 4096 + 3, 20_000])
def test_root_agrees_with_pymerkle(size: int) -> None:
    tree = InmemoryTree(algorithm="sha256", disable_security=False)  # 0x00/0x01 prefixes on
    entries = [i.to_bytes(4, "big") for i in range(size)]
    for entry in entries:
        tree.append_entry(entry)
    leaves = [merkle.leaf_hash(entry) for entry in entries]
    assert tree.get_leaf(size) == leaves[-1]
    assert merkle.root(leaves) == tree.get_root(size)


@pytest.mark.parametrize("size", [8191, 8192, 8193, 3 * 4096 + 7])
def test_root_over_chunk_boundaries_matches_the_definition(size: int) -> None:
    leaves = synthetic_leaves(size)
    assert merkle.root(leaves) == reference_mth(leaves)


def test_root_rejects_hashes_of_the_wrong_length() -> None:
    leaves = synthetic_leaves(5)
    leaves[3] = leaves[3][:31]
    with pytest.raises(ValueError, match="leaf hash 3 is 31 bytes"):
        merkle.root(leaves)


# --- split, perfect subtrees, fold ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "k"), [(2, 1), (3, 2), (4, 2), (5, 4), (8, 4), (9, 8), (1000, 512), (2**40, 2**39)]
)
def test_split_point(n: int, k: int) -> None:
    assert merkle.split_point(n) == k


@pytest.mark.parametrize("n", [-1, 0, 1])
def test_split_point_needs_two_leaves(n: int) -> None:
    with pytest.raises(ValueError, match="at least 2"):
        merkle.split_point(n)


@pytest.mark.parametrize(
    ("start", "end", "nodes"),
    [
        (0, 0, []),
        (0, 1, [(0, 0)]),
        (0, 7, [(2, 0), (1, 2), (0, 6)]),
        (4, 7, [(1, 2), (0, 6)]),
        (8, 13, [(2, 2), (0, 12)]),
        (6, 7, [(0, 6)]),
        (0, 2**40 + 3, [(40, 0), (1, 2**39), (0, 2**40 + 2)]),
    ],
)
def test_perfect_subtrees(start: int, end: int, nodes: list[merkle.NodeId]) -> None:
    assert merkle.perfect_subtrees(start, end) == nodes


@pytest.mark.parametrize(("start", "end"), [(1, 3), (2, 5), (4, 9), (3, 2), (-1, 1), (6, 9)])
def test_perfect_subtrees_rejects_ranges_that_are_not_subtrees(start: int, end: int) -> None:
    with pytest.raises(ValueError, match=rf"\[{start}, {end}\)"):
        merkle.perfect_subtrees(start, end)


def test_fold_is_a_right_fold() -> None:
    a, b, c = LEAF_HASHES[:3]
    assert merkle.fold([a]) == a
    assert merkle.fold([a, b, c]) == merkle.node_hash(a, merkle.node_hash(b, c))
    assert merkle.fold([a, b, c]) != merkle.node_hash(merkle.node_hash(a, b), c)


def test_fold_rejects_nothing_and_short_hashes() -> None:
    with pytest.raises(ValueError, match="empty"):
        merkle.fold([])
    with pytest.raises(ValueError, match="subtree hash 1 is 4 bytes"):
        merkle.fold([OTHER, b"abcd"])


# --- proof paths and resolution (MTL-04) ------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "size", "path"),
    [
        (0, 1, []),
        (2, 3, [(0, 2)]),
        (1, 5, [(0, 1), (2, 4), (4, 5)]),
        (4, 5, [(0, 4)]),
        (5, 8, [(4, 5), (6, 8), (0, 4)]),
    ],
)
def test_inclusion_path(index: int, size: int, path: list[tuple[int, int]]) -> None:
    assert merkle.inclusion_path(index, size) == path


@pytest.mark.parametrize(("index", "size"), [(0, 0), (3, 3), (-1, 4)])
def test_inclusion_path_rejects_leaves_outside_the_tree(index: int, size: int) -> None:
    with pytest.raises(ValueError, match=f"leaf index {index}"):
        merkle.inclusion_path(index, size)


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        (0, 5, []),
        (5, 5, []),
        (4, 8, [(4, 8)]),
        (6, 8, [(4, 6), (6, 8), (0, 4)]),
        (2, 5, [(2, 4), (4, 5)]),
        (3, 7, [(2, 3), (3, 4), (0, 2), (4, 7)]),
    ],
)
def test_consistency_path(old: int, new: int, path: list[tuple[int, int]]) -> None:
    assert merkle.consistency_path(old, new) == path


@pytest.mark.parametrize(("old", "new"), [(5, 3), (-1, 3)])
def test_consistency_path_rejects_shrinking_trees(old: int, new: int) -> None:
    with pytest.raises(ValueError, match=f"from tree size {old} to {new}"):
        merkle.consistency_path(old, new)


def test_needed_nodes_are_deduplicated_and_sorted() -> None:
    assert merkle.needed_nodes([(4, 7), (0, 4), (4, 6), (6, 7)]) == [(0, 6), (1, 2), (2, 0)]
    assert merkle.needed_nodes([]) == []


def test_resolve_names_the_missing_node() -> None:
    nodes = dict(NODES)
    del nodes[1, 2]
    with pytest.raises(KeyError, match=r"\(1, 2\)"):
        merkle.resolve([(0, 1), (4, 7)], nodes)


@pytest.mark.parametrize("vector", VECTORS["inclusion"])
def test_inclusion_vectors(vector: dict[str, Any]) -> None:
    index, size, proof = vector["index"], vector["size"], unhex(vector["proof"])
    assert merkle.inclusion_proof(index, LEAF_HASHES[:size]) == proof
    assert merkle.resolve(merkle.inclusion_path(index, size), NODES) == proof
    merkle.verify_inclusion(LEAF_HASHES[index], index, size, proof, ROOTS[size])


@pytest.mark.parametrize("vector", VECTORS["consistency"])
def test_consistency_vectors(vector: dict[str, Any]) -> None:
    old, new, proof = vector["old_size"], vector["new_size"], unhex(vector["proof"])
    assert merkle.consistency_proof(old, LEAF_HASHES[:new]) == proof
    assert merkle.resolve(merkle.consistency_path(old, new), NODES) == proof
    merkle.verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)


def test_reference_proofs_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="leaf index 8"):
        merkle.inclusion_proof(8, LEAF_HASHES)
    with pytest.raises(ValueError, match="from tree size 9 to 8"):
        merkle.consistency_proof(9, LEAF_HASHES)


# --- verification: corrupted known answers (MTL-02, MTL-03) -------------------------------------


def corrupted_inclusions(
    index: int, size: int, proof: list[bytes], root_hash: bytes, leaf: bytes
) -> list[tuple[str, tuple[Any, ...]]]:
    """The probes of transparency-dev/merkle's verifier tests, adapted to 32-byte hashes."""
    probes: list[tuple[str, tuple[Any, ...]]] = [
        ("index - 1", (leaf, index - 1, size, proof, root_hash)),
        ("index + 1", (leaf, index + 1, size, proof, root_hash)),
        ("index ^ 2", (leaf, index ^ 2, size, proof, root_hash)),
        ("size * 2", (leaf, index, size * 2, proof, root_hash)),
        ("size // 2", (leaf, index, size // 2, proof, root_hash)),
        ("wrong leaf", (OTHER, index, size, proof, root_hash)),
        ("empty root", (leaf, index, size, proof, merkle.EMPTY_ROOT)),
        ("other root", (leaf, index, size, proof, OTHER)),
        ("trailing root", (leaf, index, size, [*proof, root_hash], root_hash)),
        ("preceding root", (leaf, index, size, [root_hash, *proof], root_hash)),
        ("removed last", (leaf, index, size, proof[:-1], root_hash)),
        ("inserted", (leaf, index, size, [proof[0], OTHER, *proof[1:]], root_hash)),
    ]
    for i in range(len(proof)):
        flipped = [*proof]
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((f"flipped proof[{i}]", (leaf, index, size, flipped, root_hash)))
    return probes


@pytest.mark.parametrize("vector", VECTORS["inclusion"])
def test_corrupted_inclusion_vectors_fail(vector: dict[str, Any]) -> None:
    index, size, proof = vector["index"], vector["size"], unhex(vector["proof"])
    probes = corrupted_inclusions(index, size, proof, ROOTS[size], LEAF_HASHES[index])

    def accepted() -> list[str]:
        names = []
        for name, args in probes:
            try:
                merkle.verify_inclusion(*args)
            except ProofError:
                continue
            names.append(name)
        return names

    assert run_within(10, accepted) == []


@pytest.mark.parametrize("vector", VECTORS["consistency"])
def test_corrupted_consistency_vectors_fail(vector: dict[str, Any]) -> None:
    old, new, proof = vector["old_size"], vector["new_size"], unhex(vector["proof"])
    r1, r2 = ROOTS[old], ROOTS[new]
    probes: list[tuple[Any, ...]] = [
        (old - 1, new, r1, r2, proof),
        (old + 1, new, r1, r2, proof),
        (old ^ 2, new, r1, r2, proof),
        (old, new * 2, r1, r2, proof),
        (old, new // 2, r1, r2, proof),
        (old, new, OTHER, r2, proof),
        (old, new, r1, OTHER, proof),
        (old, new, r2, r1, proof),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*proof, r1]),
        (old, new, r1, r2, [*proof, r2]),
        (old, new, r1, r2, [r1, *proof]),
        (old, new, r1, r2, [r2, *proof]),
        (old, new, r1, r2, [proof[0], *proof]),
        (old, new, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = [*proof]
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes.append((old, new, r1, r2, flipped))

    def accepted() -> list[int]:
        positions = []
        for position, probe in enumerate(probes):
            try:
                merkle.verify_consistency(*probe)
            except ProofError:
                continue
            positions.append(position)
        return positions

    assert run_within(10, accepted) == []


E, X = merkle.EMPTY_ROOT, OTHER


@pytest.mark.parametrize(
    ("sizes", "roots", "proof", "ok"),
    [
        ((0, 0), (E, E), [], True),
        ((0, 0), (E, X), [], False),
        ((0, 1), (E, X), [], True),
        ((0, 1), (X, X), [], False),
        ((0, 1), (E, X), [E], False),
        ((1, 1), (X, X), [], True),
        ((1, 1), (X, E), [], False),
        ((1, 1), (X, X), [X], False),
        ((1, 0), (X, E), [], False),
        ((2, 1), (X, X), [], False),
        ((1, 2), (X, E), [], False),
        ((-1, 2), (X, X), [], False),
    ],
)
def test_trivial_consistency_cases(
    sizes: tuple[int, int], roots: tuple[bytes, bytes], proof: list[bytes], ok: bool
) -> None:
    if ok:
        merkle.verify_consistency(*sizes, *roots, proof)
    else:
        with pytest.raises(ProofError):
            merkle.verify_consistency(*sizes, *roots, proof)


@pytest.mark.parametrize(("index", "size"), [(0, 0), (1, 0), (2, 1), (-1, 4), (0, -1)])
def test_inclusion_outside_the_tree_fails(index: int, size: int) -> None:
    with pytest.raises(ProofError):
        merkle.verify_inclusion(LEAF_HASHES[0], index, size, [], ROOTS[1])


def test_single_leaf_tree_needs_an_empty_proof() -> None:
    merkle.verify_inclusion(LEAF_HASHES[0], 0, 1, [], LEAF_HASHES[0])
    with pytest.raises(ProofError, match="has 1 hashes; this proof needs 0"):
        merkle.verify_inclusion(LEAF_HASHES[0], 0, 1, [LEAF_HASHES[0]], LEAF_HASHES[0])


@pytest.mark.parametrize(
    ("first", "proof", "second", "inclusion_message", "consistency_message"),
    [
        (b"", [], LEAF_HASHES[0], "leaf hash is 0 bytes", "old root hash is 0 bytes"),
        (LEAF_HASHES[0], [], b"\x00" * 33, "root hash is 33 bytes", "new root hash is 33 bytes"),
        (LEAF_HASHES[0], [b"short"], LEAF_HASHES[0], "proof hash 0 is 5", "proof hash 0 is 5"),
    ],
)
def test_hashes_of_the_wrong_length_fail(
    first: bytes,
    proof: list[bytes],
    second: bytes,
    inclusion_message: str,
    consistency_message: str,
) -> None:
    with pytest.raises(ProofError, match=inclusion_message):
        merkle.verify_inclusion(first, 0, 1, proof, second)
    with pytest.raises(ProofError, match=consistency_message):
        merkle.verify_consistency(1, 1, first, second, proof)


def test_proof_error_names_expected_and_actual_roots() -> None:
    proof = merkle.inclusion_proof(5, LEAF_HASHES)
    with pytest.raises(ProofError) as caught:
        merkle.verify_inclusion(LEAF_HASHES[4], 5, 8, proof, ROOTS[8])
    error = caught.value
    assert isinstance(error, IntegrityError)
    assert error.expected == ROOTS[8]
    assert error.actual is not None
    assert error.actual != ROOTS[8]
    assert base64.b64encode(ROOTS[8]).decode() in error.what
    assert base64.b64encode(error.actual).decode() in error.what
    assert error.where == "inclusion proof for leaf 5 in tree size 8"
    assert "what to do:" in error.diagnostics()
    assert error.exit_code == IntegrityError.exit_code


# --- MTL-05: the three verifier pitfalls, for every 1 <= m <= n <= 64 ----------------------------

BOUND = 64
TREE = synthetic_leaves(BOUND)
TREE_ROOTS = [reference_mth(TREE[:n]) for n in range(BOUND + 1)]
PAIRS = [(m, n) for n in range(1, BOUND + 1) for m in range(1, n + 1)]
INCLUSIONS = {
    (i, n): merkle.inclusion_proof(i, TREE[:n]) for i, n in ((m - 1, n) for m, n in PAIRS)
}
CONSISTENCIES = {(m, n): merkle.consistency_proof(m, TREE[:n]) for m, n in PAIRS}


class NoTermination(Exception):
    """A local verifier copy ran past its step budget."""


def is_power_of_two(n: int) -> bool:
    return n & (n - 1) == 0


def local_inclusion(index: int, size: int, proof: Sequence[bytes], *, inner_loop: bool) -> bool:
    """A local copy of RFC 9162 §2.1.3.2; ``inner_loop=False`` drops the shift loop (pitfall 1)."""
    fn, sn, r = index, size - 1, TREE[index]
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = merkle.node_hash(p, r)
            while inner_loop and not (fn & 1 or fn == 0):
                fn, sn = fn >> 1, sn >> 1
        else:
            r = merkle.node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == TREE_ROOTS[size]


def local_consistency(
    m: int,
    n: int,
    proof: Sequence[bytes],
    *,
    inner_loop: bool = True,
    prepend: bool = True,
    rust_loop: bool = False,
    budget: int = 256,
) -> bool:
    """A local copy of RFC 9162 §2.1.4.2 with each pitfall as a switch.

    ``inner_loop=False`` drops the shift loop (pitfall 1); ``rust_loop=True`` writes it as
    ``while !lsb(fn) || fn == 0`` and drops the ``sn == 0`` guard (pitfall 2); ``prepend=False``
    drops "prepend first_hash" for power-of-two old sizes (pitfall 3).
    """
    path = [TREE_ROOTS[m], *proof] if prepend and is_power_of_two(m) else list(proof)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0 and not rust_loop:
            return False
        if fn & 1 or fn == sn:
            fr, sr = merkle.node_hash(c, fr), merkle.node_hash(c, sr)
            while inner_loop and (
                (not fn & 1 or fn == 0) if rust_loop else not (fn & 1 or fn == 0)
            ):
                fn, sn, budget = fn >> 1, sn >> 1, budget - 1
                if budget < 0:
                    raise NoTermination
        else:
            sr = merkle.node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == TREE_ROOTS[m] and sr == TREE_ROOTS[n]


def ours_accepts_inclusion(index: int, size: int, proof: Sequence[bytes]) -> bool:
    try:
        merkle.verify_inclusion(TREE[index], index, size, proof, TREE_ROOTS[size])
    except ProofError:
        return False
    return True


def ours_accepts_consistency(m: int, n: int, proof: Sequence[bytes]) -> bool:
    try:
        merkle.verify_consistency(m, n, TREE_ROOTS[m], TREE_ROOTS[n], proof)
    except ProofError:
        return False
    return True


def over_long(proof: list[bytes]) -> list[list[bytes]]:
    """The proof with one to three extra hashes: enough to drive sn, and fn, to zero."""
    return [[*proof, *TREE[:extra]] for extra in (1, 2, 3)]


def test_local_copies_agree_with_ours() -> None:
    """The local copies are faithful, so where a broken copy differs, the dropped line is why."""

    def compare() -> int:
        compared = 0
        for (index, size), proof in INCLUSIONS.items():
            for candidate in (proof, proof[:-1], *over_long(proof)):
                expected = ours_accepts_inclusion(index, size, candidate)
                assert local_inclusion(index, size, candidate, inner_loop=True) == expected
                compared += 1
        for (m, n), proof in CONSISTENCIES.items():
            for candidate in (proof, proof[:-1], *over_long(proof)):
                if m < n and candidate:
                    expected = ours_accepts_consistency(m, n, candidate)
                    assert local_consistency(m, n, candidate) == expected
                    compared += 1
        return compared

    assert run_within(10, compare) > 9 * len(PAIRS)


def test_pitfall_1_unbalanced_trees_need_the_inner_shift_loop() -> None:
    broken_inclusion = [
        key
        for key, proof in INCLUSIONS.items()
        if not local_inclusion(*key, proof, inner_loop=False)
    ]
    broken_consistency = [
        (m, n)
        for (m, n), proof in CONSISTENCIES.items()
        if m < n and not local_consistency(m, n, proof, inner_loop=False)
    ]
    assert broken_inclusion
    assert broken_consistency
    assert all(not is_power_of_two(size) for _, size in broken_inclusion)
    assert all(not is_power_of_two(n) for _, n in broken_consistency)
    for index, size in broken_inclusion:
        merkle.verify_inclusion(TREE[index], index, size, INCLUSIONS[index, size], TREE_ROOTS[size])
    for m, n in broken_consistency:
        merkle.verify_consistency(m, n, TREE_ROOTS[m], TREE_ROOTS[n], CONSISTENCIES[m, n])


def test_pitfall_2_verification_terminates_when_fn_reaches_zero() -> None:
    def verify_everything() -> tuple[int, int]:
        passed = failed = 0
        for (m, n), proof in CONSISTENCIES.items():
            merkle.verify_consistency(m, n, TREE_ROOTS[m], TREE_ROOTS[n], proof)
            passed += 1
            for candidate in over_long(proof):
                failed += not ours_accepts_consistency(m, n, candidate)
        for (index, size), proof in INCLUSIONS.items():
            merkle.verify_inclusion(TREE[index], index, size, proof, TREE_ROOTS[size])
            passed += 1
            for candidate in over_long(proof):
                failed += not ours_accepts_inclusion(index, size, candidate)
        return passed, failed

    assert run_within(10, verify_everything) == (2 * len(PAIRS), 2 * 3 * len(PAIRS))

    hangs = []
    for (m, n), proof in CONSISTENCIES.items():
        for candidate in over_long(proof):
            try:
                local_consistency(m, n, candidate, rust_loop=True)
            except NoTermination:
                hangs.append((m, n))
    assert hangs, "the Rust-style loop should spin forever once fn reaches 0"
    assert any(is_power_of_two(m) for m, n in hangs if m < n)


def test_pitfall_3_power_of_two_old_sizes_need_the_prepended_root() -> None:
    power_of_two = [(m, n) for m, n in CONSISTENCIES if m < n and is_power_of_two(m)]
    other = [(m, n) for m, n in CONSISTENCIES if m < n and not is_power_of_two(m)]
    assert len(power_of_two) > 100
    for m, n in power_of_two:
        proof = CONSISTENCIES[m, n]
        merkle.verify_consistency(m, n, TREE_ROOTS[m], TREE_ROOTS[n], proof)
        assert local_consistency(m, n, proof)
        assert not local_consistency(m, n, proof, prepend=False), (m, n)
    for m, n in other:
        assert local_consistency(m, n, CONSISTENCIES[m, n], prepend=False), (m, n)
