"""Record identifiers: UUID version 7 (RFC 9562 §5.7).

A version 7 UUID starts with the Unix time in milliseconds, so records created together have nearby keys
and land on the same B-tree pages. Random version 4 keys scatter every insert across the whole index,
which is what made a million-record import slow once the indexes outgrew the page cache. The remaining
74 bits are random, so IDs stay unguessable; the time they reveal is the record's ``created_at``, which is
stored beside it anyway.
"""

from __future__ import annotations

import os
import time
import uuid

_VERSION = 0x7
_VARIANT = 0b10


def new_id() -> str:
    """A new UUIDv7 as its canonical lowercase string."""
    return str(uuid_v7(time.time_ns() // 1_000_000, os.urandom(10)))


def uuid_v7(unix_ms: int, random_bytes: bytes) -> uuid.UUID:
    """The UUIDv7 for ``unix_ms`` and 10 random bytes (74 of their 80 bits are used)."""
    if not 0 <= unix_ms < 1 << 48:
        raise ValueError("unix_ms must fit in 48 bits")
    if len(random_bytes) != 10:
        raise ValueError("a UUIDv7 needs 10 random bytes")
    rand = int.from_bytes(random_bytes, "big")
    rand_a = rand >> 68  # 12 bits
    rand_b = rand & ((1 << 62) - 1)  # 62 bits
    value = (unix_ms << 80) | (_VERSION << 76) | (rand_a << 64) | (_VARIANT << 62) | rand_b
    return uuid.UUID(int=value)
