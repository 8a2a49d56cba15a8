"""Known-answer vectors for canonical JSON (RFC 8785 §3.2.2, §3.2.3 and Appendix B) and a log entry."""

from __future__ import annotations

import struct
from typing import Any

import pytest

from testament.domain import canonical
from testament.domain.canonical import canonical_json
from testament.domain.custody import CustodyEvent, CustodyEventType

# RFC 8785 Appendix B: IEEE 754 bit patterns and their canonical text.
NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "expected"), NUMBERS)
def test_numbers_appendix_b(bits: str, expected: str) -> None:
    (value,) = struct.unpack(">d", bytes.fromhex(bits))
    assert canonical_json(value) == expected.encode()
    assert canonical_json([value]) == f"[{expected}]".encode()


def test_section_3_2_2_example() -> None:
    value = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    assert (
        canonical_json(value)
        == (
            '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
            '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
        ).encode()
    )


def test_section_3_2_3_keys_sort_by_utf16_code_units() -> None:
    """U+1F600 sorts before U+FB33 in UTF-16 (as D83D DE00) though it is the larger code point."""
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = ["\\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    encoded = canonical_json(value).decode()
    assert [encoded.index(f'"{key}":') for key in keys] == sorted(
        encoded.index(f'"{key}":') for key in keys
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("\u2028\u2029\x7f\x00\x1f", '"\u2028\u2029\x7f\\u0000\\u001f"'),
        ({"b": 1, "a": [True, None, "x"]}, '{"a":[true,null,"x"],"b":1}'),
        ({"lat": 48.123456, "n": -3, "t": ()}, '{"lat":48.123456,"n":-3,"t":[]}'),
        ([1.0, -0.0, 1e21, 1e-7, 1e-6], "[1,0,1e+21,1e-7,0.000001]"),
    ],
)
def test_small_vectors(value: Any, expected: str) -> None:
    assert canonical_json(value) == expected.encode()


@pytest.mark.parametrize("value", [2**53, float("nan"), float("inf"), {1: "x"}, "\ud800", b"x"])
def test_refuses_what_json_cannot_carry(value: Any) -> None:
    with pytest.raises((ValueError, TypeError)):
        canonical_json(value)


def test_records_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """A record-shaped value never reaches the reference encoder."""

    def refuse(value: Any) -> bytes:
        raise AssertionError("took the slow path")

    monkeypatch.setattr(canonical.rfc8785, "dumps", refuse)
    record = {
        "id": "0b5c3f1e-0000-4000-8000-000000000001",
        "title": "Strike on a school — Харків",
        "latitude": 49.98,
        "longitude": 36.25,
        "targets": ["school"],
        "unmapped": {},
        "uncertainty_m": None,
        "us_dates": True,
    }
    assert canonical_json(record).startswith(b'{"id":')


def test_log_entry_bytes_are_unchanged() -> None:
    """The exact leaf input of a creation event (computed with rfc8785 before the fast path existed)."""
    event = CustodyEvent(
        "0b5c3f1e-0000-4000-8000-000000000001",
        CustodyEventType.CREATION,
        "2024-06-02T10:00:00.000000Z",
        "agent:1",
        case="c-1",
        record="ab" * 32,
        detail={"object": "incident", "id": "x", "version": 1, "change": "create"},
    )
    assert event.entry_bytes() == (
        b'{"agent":"agent:1","case":"c-1","detail":{"change":"create","id":"x",'
        b'"object":"incident","version":1},"id":"0b5c3f1e-0000-4000-8000-000000000001",'
        b'"outcome":"success","record":"' + b"ab" * 32 + b'","time":"2024-06-02T10:00:00.000000Z",'
        b'"type":"creation","v":1}'
    )
