"""The near-duplicate index returns exactly the hashes a brute-force scan finds, whatever it holds."""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from testament.pipeline import similarity
from testament.pipeline.similarity import DEFAULT_MAX_DISTANCE, HashIndex, hamming

hashes = st.binary(min_size=32, max_size=32)


@st.composite
def near(draw: st.DrawFn, base: bytes) -> bytes:
    """``base`` with up to 40 bits flipped, so queries land on both sides of the threshold."""
    value = int.from_bytes(base, "big")
    for bit in draw(st.lists(st.integers(0, 255), max_size=40)):
        value ^= 1 << bit
    return value.to_bytes(32, "big")


@st.composite
def collections(draw: st.DrawFn) -> tuple[dict[int, bytes], list[bytes]]:
    """Hashes under distinct keys, some of them near one another, and queries near some of them."""
    seeds = draw(st.lists(hashes, min_size=1, max_size=6))
    values = draw(st.lists(st.sampled_from(seeds).flatmap(near) | hashes, max_size=60))
    keys = draw(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=len(values),
                         max_size=len(values), unique=True))  # fmt: skip
    queries = draw(st.lists(st.sampled_from(seeds).flatmap(near) | hashes, min_size=1, max_size=5))
    return dict(zip(keys, values, strict=True)), queries


def _brute(stored: dict[int, bytes], query: bytes, max_distance: int) -> list[tuple[int, int]]:
    found = [(key, hamming(value, query)) for key, value in stored.items()]
    return sorted(((k, d) for k, d in found if d <= max_distance), key=lambda kd: (kd[1], kd[0]))


@contextlib.contextmanager
def small_tables() -> Iterator[None]:
    """Build the chunk tables after a few rows, so both the tables and the scan are exercised."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(similarity, "_MIN_DELTA", 8)
        patch.setattr(similarity, "_DELTA_SHARE", 2)
        yield


@given(collections(), st.sampled_from([0, 1, 8, 15, 16, 31, 32, 47, 64, 256]))
def test_search_returns_exactly_what_a_brute_force_scan_finds(
    case: tuple[dict[int, bytes], list[bytes]], max_distance: int
) -> None:
    stored, queries = case
    index = HashIndex()
    with small_tables():
        index.add(list(stored), list(stored.values()))
        assert len(index) == len(stored)
        for query in queries:
            found = index.search(query, max_distance, limit=1000)
            assert found == _brute(stored, query, max_distance)
        expected = [_brute(stored, query, max_distance) for query in queries]
        assert index.search_many(queries, max_distance, limit=1000) == expected


@given(collections(), st.data())
def test_additions_and_removals_in_any_order_stay_consistent(
    case: tuple[dict[int, bytes], list[bytes]], data: st.DataObject
) -> None:
    stored, queries = case
    with small_tables():
        _add_and_remove(stored, queries, data)


def _add_and_remove(stored: dict[int, bytes], queries: list[bytes], data: st.DataObject) -> None:
    index = HashIndex()
    model: dict[int, bytes] = {}
    pending = list(stored.items())
    while pending:
        batch = data.draw(st.integers(1, len(pending)))
        added, pending = pending[:batch], pending[batch:]
        index.add([k for k, _ in added], [v for _, v in added])
        model.update(added)
        gone = data.draw(st.lists(st.sampled_from([*model, 12345]), max_size=len(model)))
        removed = index.remove(gone)
        assert removed == len(set(gone) & set(model))
        for key in gone:
            model.pop(key, None)
        assert len(index) == len(model)
        for query in queries:
            found = index.search(query, DEFAULT_MAX_DISTANCE, limit=1000)
            assert found == _brute(model, query, DEFAULT_MAX_DISTANCE)
    if model:
        key, value = next(iter(model.items()))
        with pytest.raises(ValueError, match=f"key {key} is already in the index"):
            index.add([key], [value])
        index.remove([key])
        index.add([key], [value])  # a removed key may come back
        assert (key, 0) in index.search(value, 0)


@settings(max_examples=50)
@given(st.binary(max_size=64).filter(lambda b: len(b) != 32))
def test_a_hash_that_is_not_32_bytes_is_refused(value: bytes) -> None:
    index = HashIndex()
    with pytest.raises(ValueError, match="a PDQ hash is 32 bytes"):
        index.search(value, 10)
    with pytest.raises(ValueError, match="a PDQ hash is 32 bytes"):
        index.add([1], [value])
    with pytest.raises(ValueError, match="a PDQ hash is 32 bytes"):
        hamming(value, bytes(32))
    assert len(index) == 0


@pytest.mark.parametrize("bad", [-1, 257, 1.5, True, None])
def test_a_distance_outside_0_to_256_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="max_distance"):
        HashIndex().search(bytes(32), bad)  # type: ignore[arg-type]


def test_other_bad_arguments_are_refused() -> None:
    index = HashIndex()
    with pytest.raises(ValueError, match="2 keys were given for 1 hashes"):
        index.add([1, 2], [bytes(32)])
    with pytest.raises(ValueError, match="a key is given twice"):
        index.add([1, 1], [bytes(32), bytes(32)])
    with pytest.raises(ValueError, match="integers"):
        index.add(["a"], [bytes(32)])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="64 signed bits"):
        index.add([2**63], [bytes(32)])
    with pytest.raises(ValueError, match="limit"):
        index.search(bytes(32), 10, limit=0)
    with pytest.raises(ValueError, match="a PDQ hash is 32 bytes, not a str"):
        index.search("00" * 32, 10)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="a PDQ hash is 32 bytes, not a str"):
        index.add([1, 2], [bytes(32), "0" * 32])  # type: ignore[list-item]
    assert len(index) == 0


def test_results_are_nearest_first_then_by_key_and_limited() -> None:
    base = bytes(32)
    one_bit = (1).to_bytes(32, "big")
    two_bits = (3).to_bytes(32, "big")
    index = HashIndex()
    index.add([30, 10, 20, 40], [two_bits, one_bit, one_bit, base])
    assert index.search(base, 1) == [(40, 0), (10, 1), (20, 1)]
    assert index.search(base, 2, limit=2) == [(40, 0), (10, 1)]
    assert index.search(base, 0) == [(40, 0)]
    assert HashIndex().search(base, 256) == []


def test_a_large_index_uses_its_tables_and_stays_exact() -> None:
    rng = random.Random(7)
    values = [rng.randbytes(32) for _ in range(70_000)]
    index = HashIndex()
    index.add(range(len(values)), values)
    index.add([-1, -2], [values[5][:-1] + bytes([values[5][-1] ^ 0xFF]), bytes(32)])
    assert index.search(values[5], DEFAULT_MAX_DISTANCE) == [(5, 0), (-1, 8)]
    assert index.search(bytes(32), 0) == [(-2, 0)]
    assert index.remove(range(0, 70_000, 2)) == 35_000
    assert index.search(values[5], DEFAULT_MAX_DISTANCE) == [(5, 0), (-1, 8)]
    assert index.search(values[4], 0) == []
    assert len(index) == 35_002


def test_readers_and_a_writer_share_an_index() -> None:
    rng = random.Random(3)
    target = rng.randbytes(32)
    index = HashIndex()
    index.add([0], [target])
    errors: list[BaseException] = []

    def read() -> None:
        try:
            for _ in range(200):
                assert index.search(target, 0)[0] == (0, 0)
        except BaseException as error:  # reported to the main thread below
            errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for start in range(1, 20_001, 1000):
        index.add(range(start, start + 1000), [rng.randbytes(32) for _ in range(1000)])
    for reader in readers:
        reader.join()
    assert errors == []
    assert len(index) == 20_001


def test_removing_most_rows_compacts_the_index_and_keeps_the_rest() -> None:
    rng = random.Random(11)
    stored = {key: rng.randbytes(32) for key in range(40)}
    with small_tables():
        index = HashIndex()
        index.add(list(stored), list(stored.values()))
        assert index.remove(range(30)) == 30
        assert len(index) == 10
        for key in range(30, 40):
            assert index.search(stored[key], 0) == [(key, 0)]
        assert index.search(stored[0], DEFAULT_MAX_DISTANCE) == []
        index.add([0], [stored[0]])
        assert index.search(stored[0], 0) == [(0, 0)]
