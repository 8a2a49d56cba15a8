"""A sliding-window limit on sign-in attempts per client address.

It slows guessing from one address; the per-account lockout in the database (``accounts.LOCKOUT_AFTER``)
stops guessing spread over many. The window lives in this process's memory: with several workers each
keeps its own, which the account lockout still bounds.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class SlidingWindow:
    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = limit
        self.seconds = seconds
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> float:
        """Record an attempt; return 0 if it is allowed, else the seconds until the next one will be."""
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.seconds:
                hits.popleft()
            if len(hits) >= self.limit:
                return hits[0] + self.seconds - now
            hits.append(now)
            if len(self._hits) > 10_000:  # forget idle addresses rather than grow without bound
                for stale in [k for k, v in self._hits.items() if not v]:
                    del self._hits[stale]
            return 0.0
