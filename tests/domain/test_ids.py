"""UUIDv7 record identifiers (RFC 9562 §5.7)."""

from __future__ import annotations

import time
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from testament.domain.ids import new_id, uuid_v7


def test_rfc_9562_appendix_a6_example() -> None:
    # RFC 9562 Appendix A.6: 2022-02-22 19:22:22 UTC, rand_a 0xCC3, rand_b 0x18C4DC0C0C07398F.
    random_bytes = ((0xCC3 << 68) | 0x18C4DC0C0C07398F).to_bytes(10, "big")
    assert str(uuid_v7(0x017F22E279B0, random_bytes)) == "017f22e2-79b0-7cc3-98c4-dc0c0c07398f"


@given(st.integers(0, (1 << 48) - 1), st.binary(min_size=10, max_size=10))
def test_version_variant_and_time_are_where_readers_look(unix_ms: int, rand: bytes) -> None:
    value = uuid_v7(unix_ms, rand)
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert value.int >> 80 == unix_ms


@given(
    st.integers(0, (1 << 48) - 2),
    st.binary(min_size=10, max_size=10),
    st.binary(min_size=10, max_size=10),
)
def test_a_later_millisecond_always_sorts_after(unix_ms: int, a: bytes, b: bytes) -> None:
    earlier, later = str(uuid_v7(unix_ms, a)), str(uuid_v7(unix_ms + 1, b))
    assert earlier < later  # as strings too, which is how the tables store them


def test_new_ids_carry_the_current_time_and_differ() -> None:
    before = time.time_ns() // 1_000_000
    ids = [new_id() for _ in range(1000)]
    after = time.time_ns() // 1_000_000
    assert len(set(ids)) == 1000
    stamps = [uuid.UUID(i).int >> 80 for i in ids]
    assert all(before <= s <= after for s in stamps)
    assert stamps == sorted(stamps)


@pytest.mark.parametrize(("unix_ms", "size"), [(-1, 10), (1 << 48, 10), (0, 9)])
def test_out_of_range_inputs_are_refused(unix_ms: int, size: int) -> None:
    with pytest.raises(ValueError):
        uuid_v7(unix_ms, bytes(size))
