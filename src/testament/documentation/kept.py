"""Answers derived from a case's records, kept in memory until the custody log grows.

Every change to an incident, its facets or a review assignment is a custody event in the same
transaction, so a key that holds the custody log's size (with the database and the case) names data
that cannot have changed: a longer log makes a new key and a fresh answer. The oldest answers are
dropped past a bound, so a process keeps a few cases, never all of them. Only derived data of one case
is kept under its key; reading it is still gated by the use case that asks (``policy.require``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Kept(Generic[T]):
    """A bounded, thread-safe map from keys to answers, least recently used dropped first."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self._kept: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> T | None:
        with self._lock:
            if key not in self._kept:
                return None
            self._kept.move_to_end(key)
            return self._kept[key]

    def put(self, key: Hashable, answer: T) -> T:
        with self._lock:
            self._kept[key] = answer
            self._kept.move_to_end(key)
            while len(self._kept) > self.bound:
                self._kept.popitem(last=False)
        return answer

    def __len__(self) -> int:
        with self._lock:
            return len(self._kept)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
