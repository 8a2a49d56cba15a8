"""RFC 8785 (JCS) canonical JSON, with a standard-library fast path for values that encode identically.

Every custody log entry and every record version is canonical JSON, so its bytes must never change.
The reference encoder is :func:`rfc8785.dumps`. For most values the standard library's C encoder
(sorted keys, no spaces, UTF-8 output) writes exactly the same bytes many times faster; it differs only on

* keys outside the Basic Multilingual Plane: JCS orders keys by UTF-16 code units, Python by code
  points, and the two orders disagree only when a key holds a code point above U+FFFF;
* floats: JCS writes ECMAScript's form (``1`` for ``1.0``, ``0`` for ``-0.0``, no exponent between
  1e-7 and 1e21), Python its ``repr``. The two agree when ``repr`` has neither an exponent nor a
  trailing ``.0`` (and the value is finite and not zero);
* integers beyond ±(2**53 − 1), which JCS refuses, and types JCS does not know (subclasses included).

:func:`canonical_json` takes the fast path only when :func:`_plain` proves the value has none of these,
and otherwise calls :func:`rfc8785.dumps`, which also raises for values JCS cannot encode. Strings are
escaped alike by both (``"``, ``\\`` and the C0 controls, lowercase hex); a lone surrogate fails the
UTF-8 encoding and falls back too. ``tests/property/test_canonical_properties.py`` checks byte identity.
"""

from __future__ import annotations

import json
import math
from typing import Any

import rfc8785

__all__ = ["canonical_json"]

_SAFE_INT = 2**53 - 1
_ASTRAL = "\U00010000"
_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _plain_float(value: float) -> bool:
    text = repr(value)
    return math.isfinite(value) and value != 0 and "e" not in text and not text.endswith(".0")


def _plain_dict(value: dict[Any, Any]) -> bool:
    for key, item in value.items():
        if type(key) is not str or not (key.isascii() or max(key) < _ASTRAL):
            return False
        if type(item) is not str and item is not None and not _plain(item):
            return False
    return True


def _plain(value: Any) -> bool:
    """True if the standard library encodes ``value`` exactly as RFC 8785 does (see the module doc)."""
    kind = type(value)
    if kind is dict:
        return _plain_dict(value)
    if kind is list or kind is tuple:
        return all(type(item) is str or _plain(item) for item in value)
    if kind is int:
        return bool(-_SAFE_INT <= value <= _SAFE_INT)
    if kind is float:
        return _plain_float(value)
    return kind is str or kind is bool or value is None


def canonical_json(value: Any) -> bytes:
    """RFC 8785 (JCS) canonical JSON bytes."""
    if _plain(value):
        try:
            return _ENCODER.encode(value).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: let the reference encoder refuse it
            pass
    encoded: bytes = rfc8785.dumps(value)
    return encoded
