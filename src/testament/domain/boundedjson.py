"""JSON from outside, read within limits: every JSON entry point decodes through here.

The standard library's decoder recurses once per level of nesting and turns any run of digits into an
integer, so a body nested 100,000 deep ends in ``RecursionError`` and a 400-digit latitude in
``OverflowError``. Here the nesting is measured before the text is decoded (:func:`check_depth`), a
whole number must fit in 64 bits and a decimal must be finite, and each failure is an
:class:`~testament.errors.InvalidInput` naming where, never a crash (docs/api.md, "Limits").
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from testament.errors import InvalidInput

MAX_DEPTH = 64  # levels of arrays and objects; GeoJSON needs 8, a TimeMap event 4
MAX_INT_DIGITS = 19  # a whole number must fit in 64 bits
_INT_RANGE = range(-(2**63), 2**63)
# A string, its closing quote optional (a truncated file may end inside one).
_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS = bytes(code for code in range(256) if code not in b"[]{}")


def _whole(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise ValueError(f"a whole number of {digits} digits is out of range (at most 64 bits)")
    value = int(text)
    if value not in _INT_RANGE:
        raise ValueError("a whole number is out of range (at most 64 bits)")
    return value


def _decimal(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"a number of {len(text)} characters is out of range")
    return value


def _constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


DECODER = json.JSONDecoder(parse_int=_whole, parse_float=_decimal, parse_constant=_constant)


def too_deep(text: str) -> bool:
    """Whether ``text``'s arrays and objects nest deeper than :data:`MAX_DEPTH` (brackets inside
    strings do not count), found without decoding it: each pass removes the innermost empty pairs, so
    well-formed JSON is gone after as many passes as it is deep."""
    brackets = (
        _STRINGS.sub("", text).encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS)
    )
    for _ in range(MAX_DEPTH + 1):
        paired = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if len(paired) == len(brackets):
            break
        brackets = paired
    else:
        return True  # every pass found pairs to remove: deeper than the limit
    level = 0  # what is left does not pair up (malformed or cut short): count how deep it opens
    for bracket in brackets:
        level += 1 if bracket in b"[{" else -1
        if level > MAX_DEPTH:
            return True
    return False


def check_depth(text: str, where: str, *, what: str = "the JSON") -> None:
    """Refuse ``text`` when it nests deeper than :data:`MAX_DEPTH`, before anything decodes it."""
    if too_deep(text):
        raise nested_too_deep(where, what)


def nested_too_deep(where: str, what: str = "the JSON") -> InvalidInput:
    return InvalidInput(
        f"{what} nests arrays and objects more than {MAX_DEPTH} levels deep",
        where=where,
        hint=f"give JSON nested at most {MAX_DEPTH} levels deep",
    )


def ran_out(text: str, exc: json.JSONDecodeError) -> bool:
    """Whether decoding ``text`` failed because the text ends too soon, not at a wrong character."""
    return exc.msg.startswith("Unterminated string") or exc.pos >= len(text.rstrip())


def cut_short(text: str) -> bool:
    """Whether ``text`` is the beginning of JSON that stops before its end (as a truncated file does)."""
    if too_deep(text):
        return False
    try:
        DECODER.decode(text)
    except json.JSONDecodeError as exc:
        return ran_out(text, exc)
    except (ValueError, RecursionError):
        return False
    return False


def loads(text: str, where: str, *, what: str = "the JSON") -> Any:
    """Decode ``text`` within the limits; ``where`` and ``what`` name it in a diagnosis."""
    check_depth(text, where, what=what)
    try:
        return DECODER.decode(text)
    except json.JSONDecodeError as exc:
        one_line = "\n" not in text.rstrip()
        at = f"column {exc.colno}" if one_line else f"line {exc.lineno}, column {exc.colno}"
        raise InvalidInput(f"{what} is not JSON: {exc.msg} at {at}", where=where) from None
    except ValueError as exc:  # a number out of range, NaN or Infinity
        raise InvalidInput(f"{what} is not valid JSON: {exc}", where=where) from None
    except RecursionError:  # not reached after check_depth; kept so no input can crash a caller
        raise nested_too_deep(where, what) from None
