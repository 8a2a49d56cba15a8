"""Near-duplicates over the whole vault: an in-memory index of 256-bit PDQ hashes.

Perceptual hashes are analysis aids, never integrity proofs. Two files within a few bits of each
other *look* alike (the same photo re-encoded, resized, or a frame of the same video); that is a lead
for an analyst, who decides whether they are the same thing. Whether a file is unaltered is proven by
its SHA-256 digest in the vault and the custody log, never by a perceptual hash, and nothing here
should be presented as such a proof.

:class:`HashIndex` answers "which hashes are within ``max_distance`` bits of this one" with recall 1.0:
every hash within the threshold is returned, and no other. It holds no database code; the caller keeps
the hashes in a table, feeds them here with its own row IDs as keys, and removes them when the rows go.

How it finds them quickly (multi-index hashing, Norouzi, Punjani and Fleet, CVPR 2012): each hash is cut
into 16 chunks of 16 bits, and for each chunk position a table lists the rows by the chunk's value. If
two hashes differ in at most ``r`` bits, then by the pigeonhole principle at least one of their 16 chunks
differs in at most ``r // 16`` bits. So for ``r`` up to 31 (the default threshold) a query looks up, in
each table, its own chunk value and the 16 values one bit away, then computes the exact distance to the
rows found, a few thousandths of the whole index for random hashes. Any other threshold, or a query whose
chunk values are so common that the lookup would touch more than a quarter of the rows, scans every row
instead, which is exact too. Rows added since the tables were built are scanned, and the tables are
rebuilt once those rows pass ``max(65536, rows / 64)``, or once removed rows outnumber the rows kept.

Memory: about 120 bytes a hash (the hash, its key, the 16 tables and the key lookup), so 1.2 GB for ten
million hashes. One lock serialises writers and readers, so one writer and many readers may share an
index; a rebuild holds it (about a second for ten million hashes).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

HASH_BYTES = 32
HASH_BITS = 256
# PDQ's usual threshold: hashes at most 31 bits apart (of 256) are possible near-duplicates.
DEFAULT_MAX_DISTANCE = 31

_CHUNKS = 16
_CHUNK_BITS = 16
_CHUNK_VALUES = 1 << _CHUNK_BITS
_MIN_DELTA = 65_536
_DELTA_SHARE = 64
_SCAN_BLOCK = 1 << 18
# The chunk values a query looks up: its own, and those one bit away.
_PROBES = (
    np.zeros(1, dtype=np.uint16),
    np.array([0] + [1 << bit for bit in range(_CHUNK_BITS)], dtype=np.uint16),
)

_T = TypeVar("_T", bound=np.generic)
Rows = npt.NDArray[np.int64]
Codes = npt.NDArray[np.uint64]
# The caller's row IDs: a sequence of ints, or a numpy array of integers.
Keys = Sequence[int] | npt.NDArray[np.integer[Any]]


def hamming(a: bytes, b: bytes) -> int:
    """The number of bits in which two 32-byte hashes differ (0..256)."""
    _check_value(a)
    _check_value(b)
    return (int.from_bytes(a, "big") ^ int.from_bytes(b, "big")).bit_count()


@dataclass(frozen=True)
class _Tables:
    """The chunk tables over rows ``0 .. rows - 1``: ``order[j]`` lists the rows by their chunk ``j``,
    and the rows whose chunk ``j`` is ``v`` are ``order[j, starts[j, v] : starts[j, v + 1]]``."""

    rows: int
    order: npt.NDArray[np.uint32]
    starts: npt.NDArray[np.int64]
    sorted_keys: Rows
    sorted_rows: Rows


class HashIndex:
    """Every hash within a threshold of a query, exactly; see the module's docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: Codes = np.empty((0, 4), dtype=np.uint64)
        self._keys: Rows = np.empty(0, dtype=np.int64)
        self._alive: npt.NDArray[np.bool_] = np.empty(0, dtype=np.bool_)
        self._size = 0
        self._live = 0
        self._tables = _empty_tables()
        self._recent: dict[int, int] = {}

    def __len__(self) -> int:
        return self._live

    def add(self, keys: Keys, values: Sequence[bytes]) -> None:
        """Add hashes under the caller's keys (int64 row IDs). A key already present, or given twice,
        is a ValueError, and then nothing is added."""
        if len(keys) != len(values):
            raise ValueError(f"{len(keys)} keys were given for {len(values)} hashes")
        codes = _as_codes(values)
        new_keys = _as_keys(keys)
        if _repeats(new_keys):
            raise ValueError("a key is given twice in one addition")
        with self._lock:
            present = self._find(new_keys)
            if (present >= 0).any():
                key = int(new_keys[np.flatnonzero(present >= 0)[0]])
                raise ValueError(f"key {key} is already in the index")
            start = self._size
            self._append(new_keys, codes)
            if self._size - self._tables.rows > max(_MIN_DELTA, self._live // _DELTA_SHARE):
                self._rebuild()
            else:
                self._recent.update(zip(new_keys.tolist(), range(start, self._size), strict=True))

    def remove(self, keys: Keys | Iterable[int]) -> int:
        """Remove the hashes under these keys; keys not in the index are ignored. Returns how many
        were removed."""
        wanted = np.sort(_as_keys(keys if isinstance(keys, np.ndarray | Sequence) else list(keys)))
        distinct = wanted[np.r_[True, wanted[1:] != wanted[:-1]]] if len(wanted) else wanted
        with self._lock:
            rows = self._find(distinct)
            rows = rows[rows >= 0]
            self._alive[rows] = False
            for key in self._keys[rows].tolist():
                self._recent.pop(key, None)
            self._live -= len(rows)
            if self._size - self._live > max(_MIN_DELTA, self._live):
                self._rebuild()
            return len(rows)

    def search(
        self, value: bytes, max_distance: int = DEFAULT_MAX_DISTANCE, limit: int = 100
    ) -> list[tuple[int, int]]:
        """The ``(key, distance)`` of every hash within ``max_distance`` bits of ``value``, nearest
        first then by key, at most ``limit`` of them."""
        return self.search_many([value], max_distance, limit)[0]

    def search_many(
        self, values: Sequence[bytes], max_distance: int = DEFAULT_MAX_DISTANCE, limit: int = 100
    ) -> list[list[tuple[int, int]]]:
        """:meth:`search` for each value (a video's frames), in the same order."""
        _check_distance(max_distance)
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError(f"limit must be a positive number of results, not {limit!r}")
        queries = _as_codes(values)
        results = []
        for query in queries:
            with self._lock:
                rows, distances = self._matches(query, max_distance)
                keys = self._keys[rows]
            best = np.lexsort((keys, distances))[:limit]
            results.append(list(zip(keys[best].tolist(), distances[best].tolist(), strict=True)))
        return results

    def _append(self, keys: Rows, codes: Codes) -> None:
        end = self._size + len(keys)
        if end > len(self._keys):
            capacity = max(end, 2 * len(self._keys), 1024)
            self._codes = _grow(self._codes, capacity)
            self._keys = _grow(self._keys, capacity)
            self._alive = _grow(self._alive, capacity)
        self._codes[self._size : end] = codes
        self._keys[self._size : end] = keys
        self._alive[self._size : end] = True
        self._size = end
        self._live += len(keys)

    def _find(self, keys: Rows) -> Rows:
        """The live row of each key, or -1."""
        rows = np.full(len(keys), -1, dtype=np.int64)
        tables = self._tables
        if tables.rows and len(keys):
            at = np.minimum(np.searchsorted(tables.sorted_keys, keys), tables.rows - 1)
            found = tables.sorted_rows[at]
            hit = (tables.sorted_keys[at] == keys) & self._alive[found]
            rows[hit] = found[hit]
        if self._recent:
            for i, key in enumerate(keys.tolist()):
                rows[i] = self._recent.get(key, rows[i])
        return rows

    def _rebuild(self) -> None:
        """Drop removed rows and build the chunk tables over every row."""
        kept = np.flatnonzero(self._alive[: self._size])
        self._codes = self._codes[kept]
        self._keys = self._keys[kept]
        self._alive = np.ones(len(kept), dtype=np.bool_)
        self._size = self._live = len(kept)
        self._recent = {}
        self._tables = _build_tables(self._codes, self._keys)

    def _matches(self, query: Codes, max_distance: int) -> tuple[Rows, Rows]:
        """The live rows within ``max_distance`` of ``query``, and their distances."""
        covered = self._tables.rows
        found = [self._scan(query, max_distance, covered, self._size)]
        if covered:
            candidates = self._candidates(query, max_distance)
            if candidates is None:
                found.append(self._scan(query, max_distance, 0, covered))
            else:
                found.append(self._check(query, max_distance, candidates))
        return np.concatenate([rows for rows, _ in found]), np.concatenate([d for _, d in found])

    def _candidates(self, query: Codes, max_distance: int) -> Rows | None:
        """The rows sharing a nearly equal chunk with ``query``; None when a scan is cheaper."""
        flips = max_distance // _CHUNKS
        if flips >= len(_PROBES):
            return None
        tables = self._tables
        probes = query.view(np.uint16)[:, None] ^ _PROBES[flips][None, :]
        chunk = np.arange(_CHUNKS)[:, None]
        low = tables.starts[chunk, probes].ravel()
        lengths = tables.starts[chunk, probes.astype(np.int64) + 1].ravel() - low
        total = int(lengths.sum())
        if total > tables.rows // 4:
            return None
        low += np.repeat(np.arange(_CHUNKS) * tables.rows, probes.shape[1])
        before = np.cumsum(lengths) - lengths
        positions = np.repeat(low - before, lengths) + np.arange(total)
        return tables.order.ravel()[positions].astype(np.int64)

    def _check(self, query: Codes, max_distance: int, rows: Rows) -> tuple[Rows, Rows]:
        distances = _distances(np.take(self._codes, rows, axis=0), query)
        keep = distances <= max_distance
        if self._live < self._size:
            keep &= self._alive[rows]
        unique, first = np.unique(rows[keep], return_index=True)
        return unique, distances[keep][first]

    def _scan(self, query: Codes, max_distance: int, start: int, stop: int) -> tuple[Rows, Rows]:
        rows, distances = [np.empty(0, dtype=np.int64)], [np.empty(0, dtype=np.int64)]
        for low in range(start, stop, _SCAN_BLOCK):
            high = min(stop, low + _SCAN_BLOCK)
            block = _distances(self._codes[low:high], query)
            hit = np.flatnonzero((block <= max_distance) & self._alive[low:high])
            rows.append(hit + low)
            distances.append(block[hit])
        return np.concatenate(rows), np.concatenate(distances)


def _distances(codes: Codes, query: Codes) -> Rows:
    bits = np.bitwise_count(codes ^ query)  # per 64-bit word, at most 64 each
    distances: Rows = np.add(bits[:, 0] + bits[:, 1], bits[:, 2] + bits[:, 3], dtype=np.int64)
    return distances


def _build_tables(codes: Codes, keys: Rows) -> _Tables:
    rows = len(codes)
    chunks = codes.view(np.uint16)
    order = np.empty((_CHUNKS, rows), dtype=np.uint32)
    starts = np.zeros((_CHUNKS, _CHUNK_VALUES + 1), dtype=np.int64)
    for j in range(_CHUNKS):
        column = chunks[:, j]
        order[j] = np.argsort(column, kind="stable")
        np.cumsum(np.bincount(column, minlength=_CHUNK_VALUES), out=starts[j, 1:])
    by_key = np.argsort(keys, kind="stable")
    return _Tables(rows, order, starts, keys[by_key], by_key.astype(np.int64))


def _empty_tables() -> _Tables:
    none = np.empty(0, dtype=np.int64)
    return _Tables(
        0, np.empty((_CHUNKS, 0), dtype=np.uint32), np.empty((0, 0), np.int64), none, none
    )


def _grow(array: npt.NDArray[_T], capacity: int) -> npt.NDArray[_T]:
    grown = np.empty((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[: len(array)] = array
    return grown


def _as_keys(keys: Keys) -> Rows:
    array = np.asarray(keys)
    if array.size == 0:
        return np.empty(0, dtype=np.int64)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise ValueError("keys must be a flat sequence of integers (the caller's row IDs)")
    if array.dtype.kind == "u" and array.max() > np.iinfo(np.int64).max:
        raise ValueError("keys must fit in 64 signed bits")
    return array.astype(np.int64)


def _repeats(keys: Rows) -> bool:
    """Whether a key occurs twice (rows are usually added in order, which needs no sort)."""
    if len(keys) < 2 or bool((keys[1:] > keys[:-1]).all()):
        return False
    ordered = np.sort(keys)
    return bool((ordered[1:] == ordered[:-1]).any())


def _as_codes(values: Sequence[bytes]) -> Codes:
    """32-byte hashes as rows of four 64-bit words (checked in bulk: an index loads millions)."""
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    wrong = np.flatnonzero(lengths != HASH_BYTES)
    if len(wrong):
        _check_value(values[int(wrong[0])])
    try:
        joined = b"".join(values)
    except TypeError:
        bad = next(v for v in values if not isinstance(v, bytes | bytearray | memoryview))
        _check_value(bad)
        raise
    return np.frombuffer(joined, dtype=np.uint64).reshape(-1, 4)


def _check_value(value: bytes) -> None:
    if not isinstance(value, bytes | bytearray):
        raise ValueError(f"a PDQ hash is {HASH_BYTES} bytes, not a {type(value).__name__}")
    if len(value) != HASH_BYTES:
        raise ValueError(f"a PDQ hash is {HASH_BYTES} bytes, not {len(value)}")


def _check_distance(max_distance: int) -> None:
    if isinstance(max_distance, bool) or not isinstance(max_distance, int):
        raise ValueError(f"max_distance must be a whole number of bits, not {max_distance!r}")
    if not 0 <= max_distance <= HASH_BITS:
        raise ValueError(f"max_distance must be between 0 and {HASH_BITS} bits, not {max_distance}")
