"""The canonical JSON fast path writes exactly the bytes of ``rfc8785.dumps``, or refuses alike.

Values are drawn to hit every place the standard library and RFC 8785 could disagree: floats that
ECMAScript writes differently from Python's ``repr`` (1.0, -0.0, 1e21, 1e-7, subnormals), integers at
and beyond the I-JSON limit, keys above U+FFFF beside keys in U+E000–U+FFFF (UTF-16 and code-point order
differ there), lone surrogates, the C0 controls, U+007F and U+2028.
"""

from __future__ import annotations

import math
from typing import Any

import rfc8785
from hypothesis import example, given, settings
from hypothesis import strategies as st

from testament.domain.canonical import canonical_json

LIMIT = 2**53 - 1
AWKWARD_CHARS = st.sampled_from(
    ["a", "Z", "1", "é", "\x00", "\x1f", "\x7f", "\b", "\t", "\n", "\f", "\r", '"', "\\", "/",
     "\u2028", "\u2029", "\u20ac", "\ue000", "\ufb33", "\uffff", "\U00010000", "\U0001f600",
     "\U0010ffff", "\ud800", "\udfff"]
)  # fmt: skip
CHARS = st.one_of(AWKWARD_CHARS, st.characters(codec=None, categories=None))
TEXT = st.text(CHARS, max_size=8)
AWKWARD_FLOATS = st.sampled_from(
    [0.0, -0.0, 1.0, -1.0, 0.5, 1e21, 1e20, 1e16, 1e15, 1e-6, 1e-7, 1.5e-7, 123456789.0, 5e-324,
     1.7976931348623157e308, 9007199254740992.0, 333333333.3333333, 0.1, 48.123456, math.inf,
     -math.inf, math.nan]
)  # fmt: skip
FLOATS = st.one_of(AWKWARD_FLOATS, st.floats(allow_nan=True, allow_infinity=True))
INTEGERS = st.one_of(
    st.integers(min_value=-LIMIT - 2, max_value=LIMIT + 2),
    st.sampled_from([-(2**53), -LIMIT, 0, LIMIT, 2**53, 2**64]),
)
SCALARS = st.one_of(st.none(), st.booleans(), INTEGERS, FLOATS, TEXT)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(TEXT, inner, max_size=6),
    ),
    max_leaves=30,
)


def outcome(encode: Any, value: Any) -> bytes | type[BaseException]:
    try:
        encoded: bytes = encode(value)
    except (
        ValueError,
        TypeError,
    ) as exc:  # rfc8785 raises ValueError subclasses (and UnicodeError)
        return type(exc)
    return encoded


@settings(max_examples=1000, deadline=None)
@given(VALUES)
@example({"\ufb33": 1, "\U0001f600": 2})
@example({"\ue000": [1.0, -0.0, 1e21, 1e-7], "\U00010000": "\u2028\x00\x7f"})
@example({"\ud800": 1})
@example(["\udfff"])
@example([2**53, 1e16])
def test_fast_path_is_byte_identical_to_rfc8785(value: Any) -> None:
    assert outcome(canonical_json, value) == outcome(rfc8785.dumps, value)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(TEXT, st.dictionaries(TEXT, SCALARS, max_size=4), min_size=1, max_size=8))
def test_nested_objects_are_identical(value: dict[str, Any]) -> None:
    assert outcome(canonical_json, value) == outcome(rfc8785.dumps, value)
