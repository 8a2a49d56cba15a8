"""Properties of the RFC 9162 Merkle core over every tree size up to 300 (MTL-01..05).

The references here are the recursive definitions of RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and
§2.1.4.1 (SUBPROOF), written out independently of the iterative code under test.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from testament.ledger import merkle
from testament.ledger.merkle import ProofError

MAX_SIZE = 300
LEAVES = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(MAX_SIZE)]


def split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def reference_mth(hashes: Sequence[bytes]) -> bytes:
    if not hashes:
        return merkle.EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = split(len(hashes))
    return merkle.node_hash(reference_mth(hashes[:k]), reference_mth(hashes[k:]))


def reference_path(m: int, hashes: Sequence[bytes]) -> list[bytes]:
    if len(hashes) == 1:
        return []
    k = split(len(hashes))
    if m < k:
        return [*reference_path(m, hashes[:k]), reference_mth(hashes[k:])]
    return [*reference_path(m - k, hashes[k:]), reference_mth(hashes[:k])]


def reference_subproof(m: int, hashes: Sequence[bytes], whole: bool) -> list[bytes]:
    if m == len(hashes):
        return [] if whole else [reference_mth(hashes)]
    k = split(len(hashes))
    if m <= k:
        return [*reference_subproof(m, hashes[:k], whole), reference_mth(hashes[k:])]
    return [*reference_subproof(m - k, hashes[k:], False), reference_mth(hashes[:k])]


ROOTS = [merkle.root(LEAVES[:n]) for n in range(MAX_SIZE + 1)]


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Fail, rather than hang, if a verifier never terminates (MTL-05 pitfall 2); Unix only."""
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
    ):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"verification did not return within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes
) -> None:
    with time_limit(1.0):
        merkle.verify_inclusion(leaf, index, size, proof, root_hash)


def verify_consistency(
    old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    with time_limit(1.0):
        merkle.verify_consistency(old, new, old_root, new_root, proof)


sizes = st.integers(min_value=1, max_value=MAX_SIZE)


@st.composite
def leaf_in_tree(draw: st.DrawFn) -> tuple[int, int]:
    size = draw(sizes)
    return draw(st.integers(min_value=0, max_value=size - 1)), size


@st.composite
def tree_growth(draw: st.DrawFn) -> tuple[int, int]:
    """An old and a new tree size with 1 <= old < new."""
    new = draw(st.integers(min_value=2, max_value=MAX_SIZE))
    return draw(st.integers(min_value=1, max_value=new - 1)), new


@st.composite
def subtree_range(draw: st.DrawFn) -> tuple[int, int]:
    """A leaf range that occurs in RFC 9162 roots and proofs: [0, n) or an aligned one."""
    width = draw(st.integers(min_value=1, max_value=MAX_SIZE))
    if draw(st.booleans()):
        return 0, width
    alignment = 1 << (width - 1).bit_length()
    start = alignment * draw(st.integers(min_value=0, max_value=(MAX_SIZE - width) // alignment))
    return start, start + width


def flip(value: bytes, position: int, mask: int) -> bytes:
    changed = bytearray(value)
    changed[position % len(changed)] ^= mask
    return bytes(changed)


def stored_nodes(ids: Sequence[merkle.NodeId]) -> dict[merkle.NodeId, bytes]:
    """What the database would return: perfect-subtree hashes from the reference MTH."""
    return {(lv, i): reference_mth(LEAVES[i << lv : (i + 1) << lv]) for lv, i in ids}


def inclusion_verifies(index: int, size: int, proof: Sequence[bytes], root_hash: bytes) -> bool:
    try:
        verify_inclusion(LEAVES[index], index, size, proof, root_hash)
    except ProofError:
        return False
    return True


def consistency_verifies(old: int, new: int, proof: Sequence[bytes]) -> bool:
    try:
        verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)
    except ProofError:
        return False
    return True


# --- every size, exhaustively ------------------------------------------------------------------


def test_root_matches_the_definition_for_every_size() -> None:
    for size in range(MAX_SIZE + 1):
        assert ROOTS[size] == reference_mth(LEAVES[:size]), size


def test_edge_leaves_and_growth_verify_for_every_size() -> None:
    for size in range(1, MAX_SIZE + 1):
        check_edges(size)


def check_edges(size: int) -> None:
    for index in {0, size // 2, size - 1}:
        proof = merkle.inclusion_proof(index, LEAVES[:size])
        verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])
    for old in {1, split(size) if size > 1 else 1, size - 1 or 1, size}:
        proof = merkle.consistency_proof(old, LEAVES[:size])
        verify_consistency(old, size, ROOTS[old], ROOTS[size], proof)


# --- inclusion (MTL-02, MTL-04) ----------------------------------------------------------------


@settings(deadline=None, max_examples=150)
@given(leaf_in_tree())
def test_inclusion_proofs_match_the_rfc_definition_and_verify(case: tuple[int, int]) -> None:
    index, size = case
    proof = merkle.inclusion_proof(index, LEAVES[:size])
    assert proof == reference_path(index, LEAVES[:size])
    verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size])


@settings(deadline=None, max_examples=150)
@given(leaf_in_tree())
def test_inclusion_proofs_resolve_from_stored_subtrees(case: tuple[int, int]) -> None:
    index, size = case
    ranges = merkle.inclusion_path(index, size)
    ids = merkle.needed_nodes(ranges)
    assert all((i + 1) << level <= size for level, i in ids)
    assert merkle.resolve(ranges, stored_nodes(ids)) == merkle.inclusion_proof(index, LEAVES[:size])


@settings(deadline=None, max_examples=200)
@given(leaf_in_tree(), st.data())
def test_any_flipped_byte_breaks_an_inclusion_proof(
    case: tuple[int, int], data: st.DataObject
) -> None:
    index, size = case
    proof = merkle.inclusion_proof(index, LEAVES[:size])
    target = data.draw(st.integers(min_value=-2, max_value=len(proof) - 1), label="target")
    position = data.draw(st.integers(min_value=0, max_value=merkle.HASH_SIZE - 1))
    mask = data.draw(st.integers(min_value=1, max_value=255))
    leaf, root_hash = LEAVES[index], ROOTS[size]
    if target == -2:
        leaf = flip(leaf, position, mask)
    elif target == -1:
        root_hash = flip(root_hash, position, mask)
    else:
        proof[target] = flip(proof[target], position, mask)
    with pytest.raises(ProofError):
        verify_inclusion(leaf, index, size, proof, root_hash)


@settings(deadline=None, max_examples=200)
@given(leaf_in_tree(), st.data())
def test_an_inclusion_proof_does_not_verify_for_another_leaf(
    case: tuple[int, int], data: st.DataObject
) -> None:
    index, size = case
    proof = merkle.inclusion_proof(index, LEAVES[:size])
    other = data.draw(st.integers(min_value=-2, max_value=MAX_SIZE).filter(lambda i: i != index))
    with pytest.raises(ProofError):
        verify_inclusion(LEAVES[index], other, size, proof, ROOTS[size])


def sides(index: int, size: int) -> list[bool]:
    """For each proof hash, whether it lies right of the leaf: the shape the verifier walks."""
    return [start > index for start, _ in merkle.inclusion_path(index, size)]


@settings(deadline=None, max_examples=200)
@given(leaf_in_tree(), st.integers(min_value=0, max_value=2 * MAX_SIZE))
def test_another_tree_size_verifies_only_where_the_proof_has_the_same_shape(
    case: tuple[int, int], other: int
) -> None:
    """RFC 9162 proofs do not bind the tree size: the signed tree head does.

    A proof for (index, size) also verifies for another size exactly when both sizes put the same
    sequence of left and right siblings on the leaf's path (e.g. leaf 0 in trees of 3 and 4 leaves).
    Doubling or halving the size always changes the shape.
    """
    index, size = case
    proof = merkle.inclusion_proof(index, LEAVES[:size])
    same_shape = index < other and sides(index, other) == sides(index, size)
    assert inclusion_verifies(index, other, proof, ROOTS[size]) == same_shape
    for wrong in (size * 2, size // 2):
        assert not inclusion_verifies(index, wrong, proof, ROOTS[size])


# --- consistency (MTL-03, MTL-04) --------------------------------------------------------------


@settings(deadline=None, max_examples=150)
@given(tree_growth())
def test_consistency_proofs_match_the_rfc_definition_and_verify(case: tuple[int, int]) -> None:
    old, new = case
    proof = merkle.consistency_proof(old, LEAVES[:new])
    assert proof == reference_subproof(old, LEAVES[:new], True)
    verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)


@settings(deadline=None, max_examples=150)
@given(tree_growth())
def test_consistency_proofs_resolve_from_stored_subtrees(case: tuple[int, int]) -> None:
    old, new = case
    ranges = merkle.consistency_path(old, new)
    ids = merkle.needed_nodes(ranges)
    assert all((i + 1) << level <= new for level, i in ids)
    assert merkle.resolve(ranges, stored_nodes(ids)) == merkle.consistency_proof(old, LEAVES[:new])


@settings(deadline=None, max_examples=200)
@given(tree_growth(), st.data())
def test_any_flipped_byte_breaks_a_consistency_proof(
    case: tuple[int, int], data: st.DataObject
) -> None:
    old, new = case
    proof = merkle.consistency_proof(old, LEAVES[:new])
    target = data.draw(st.integers(min_value=-2, max_value=len(proof) - 1), label="target")
    position = data.draw(st.integers(min_value=0, max_value=merkle.HASH_SIZE - 1))
    mask = data.draw(st.integers(min_value=1, max_value=255))
    old_root, new_root = ROOTS[old], ROOTS[new]
    if target == -2:
        old_root = flip(old_root, position, mask)
    elif target == -1:
        new_root = flip(new_root, position, mask)
    else:
        proof[target] = flip(proof[target], position, mask)
    with pytest.raises(ProofError):
        verify_consistency(old, new, old_root, new_root, proof)


@settings(deadline=None, max_examples=200)
@given(tree_growth(), st.integers(min_value=-1, max_value=MAX_SIZE))
def test_a_consistency_proof_does_not_verify_for_another_old_size(
    case: tuple[int, int], other: int
) -> None:
    old, new = case
    proof = merkle.consistency_proof(old, LEAVES[:new])
    if other != old:
        with pytest.raises(ProofError):
            verify_consistency(other, new, ROOTS[old], ROOTS[new], proof)
    for wrong in (new * 2, new // 2):
        with pytest.raises(ProofError):
            verify_consistency(old, wrong, ROOTS[old], ROOTS[new], proof)


@settings(deadline=None, max_examples=100)
@given(tree_growth(), st.integers(min_value=1, max_value=3))
def test_truncated_or_padded_consistency_proofs_fail(case: tuple[int, int], extra: int) -> None:
    old, new = case
    proof = merkle.consistency_proof(old, LEAVES[:new])
    with pytest.raises(ProofError):
        verify_consistency(old, new, ROOTS[old], ROOTS[new], proof[:-1])
    padded = [*proof, *LEAVES[:extra]]  # drives sn, then fn, to 0 (MTL-05 pitfall 2)
    with pytest.raises(ProofError):
        verify_consistency(old, new, ROOTS[old], ROOTS[new], padded)


# --- perfect subtrees ----------------------------------------------------------------------------


@settings(deadline=None, max_examples=200)
@given(subtree_range())
def test_perfect_subtrees_fold_to_the_mth_of_the_range(bounds: tuple[int, int]) -> None:
    start, end = bounds
    ids = merkle.perfect_subtrees(start, end)
    assert sum(1 << level for level, _ in ids) == end - start
    assert [level for level, _ in ids] == sorted({level for level, _ in ids}, reverse=True)
    hashes = [stored_nodes([node])[node] for node in ids]
    assert merkle.fold(hashes) == reference_mth(LEAVES[start:end])
    assert merkle.resolve([bounds], stored_nodes(ids)) == [reference_mth(LEAVES[start:end])]
