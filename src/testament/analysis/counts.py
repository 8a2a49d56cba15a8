"""Counts of incidents by any combination of area, period, type, target and weapon.

An incident with several values of a key (targets, say) counts once under each; one with none counts
under ``None``, never dropped. An incident that lies in no area is *unplaced* for an area key (it is
never snapped to the nearest area), and one not dated at a period key is *undated* for it: both are
listed, never counted. Grouping is one sort of integer keys, so 1M incidents are counted without a
loop over rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from testament.analysis import periods
from testament.analysis.frame import IncidentFrame, Multi
from testament.analysis.outcome import Outcome, positions, references
from testament.errors import InvalidInput

# The keys of --by and --where, and the frame column each reads.
MULTI_KEYS = {"area": "areas", "type": "types", "target": "targets", "weapon": "weapons"}
BY_KEYS = ("area", *periods.PERIODS, "type", "target", "weapon")
NONE_CODE = -1  # the key of an incident with no value for a multi-valued key


def check_keys(by: Sequence[str], *, option: str = "--by") -> None:
    """Refuse an unknown or repeated key, listing the valid ones."""
    unknown = [key for key in by if key not in BY_KEYS]
    if unknown:
        raise InvalidInput(
            f"{unknown[0]!r} is not something incidents can be counted by",
            where=option,
            hint=f"use one of: {', '.join(BY_KEYS)}",
            errors={option.lstrip("-"): f"one of: {', '.join(BY_KEYS)}"},
        )
    if len(set(by)) != len(by):
        raise InvalidInput("a key is given twice", where=option, hint="give each key once")
    if sum(key in periods.PERIODS for key in by) > 1:
        raise InvalidInput(
            "incidents are counted by one period at a time", where=option,
            hint=f"give one of {', '.join(periods.PERIODS)}",
        )  # fmt: skip


@dataclass
class _Expansion:
    """(incident, key…) tuples: one per incident and value of each multi-valued key."""

    row: NDArray[np.int64]
    keys: list[NDArray[np.int64]]


def _expand_multi(current: _Expansion, column: Multi) -> _Expansion:
    lengths = np.diff(column.offsets)
    own = lengths[current.row]
    # An incident with no value keeps one entry, keyed NONE_CODE.
    repeats = np.maximum(own, 1)
    row = np.repeat(current.row, repeats)
    keys = [np.repeat(k, repeats) for k in current.keys]
    starts = np.repeat(column.offsets[:-1][current.row], repeats)
    first = np.repeat(np.cumsum(repeats) - repeats, repeats)
    within = np.arange(row.size, dtype=np.int64) - first
    has = np.repeat(own > 0, repeats)
    code = np.full(row.size, NONE_CODE, dtype=np.int64)
    code[has] = column.codes[(starts + within)[has]]
    return _Expansion(row, [*keys, code])


def _expand(
    frame: IncidentFrame, by: Sequence[str]
) -> tuple[_Expansion, NDArray[np.bool_], NDArray[np.bool_]]:
    """Every (incident, key…) tuple, and the unplaced and undated masks."""
    n = len(frame)
    usable = np.ones(n, dtype=bool)
    unplaced = np.zeros(n, dtype=bool)
    undated = np.zeros(n, dtype=bool)
    period_keys: dict[str, NDArray[np.int64]] = {}
    for key in by:
        if key == "area":
            unplaced = ~frame.in_an_area()
            usable &= ~unplaced
        elif key in periods.PERIODS:
            dated, period_keys[key] = periods.bucket(frame, key)
            undated = ~dated
            usable &= dated
    current = _Expansion(np.flatnonzero(usable).astype(np.int64), [])
    for key in by:
        if key in MULTI_KEYS:
            current = _expand_multi(current, frame.multi(MULTI_KEYS[key]))
        else:
            current.keys.append(period_keys[key][current.row])
    return current, unplaced, undated


def _value(frame: IncidentFrame, key: str, code: int) -> Any:
    if key in periods.PERIODS:
        return periods.label(key, code)
    if code == NONE_CODE:
        return None
    return frame.multi(MULTI_KEYS[key]).labels[code]


def _row(frame: IncidentFrame, by: Sequence[str], codes: Sequence[int]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for key, code in zip(by, codes, strict=True):
        value = _value(frame, key, code)
        if key == "area":
            row["area"] = frame.name(value)
            row["area_code"] = value
        else:
            row[key] = value
    return row


def count(frame: IncidentFrame, by: Sequence[str]) -> Outcome:
    """Rows ``{<each key>: value, "count": n, "incidents": [...]}``, largest first, then by key."""
    check_keys(by)
    expanded, unplaced, undated = _expand(frame, by)
    if expanded.row.size == 0:
        return Outcome([], positions(unplaced), positions(undated))
    # Sort by the keys, then the incident: each group is one run, its incidents in frame order.
    order = np.lexsort((expanded.row, *reversed(expanded.keys)))
    keys = [k[order] for k in expanded.keys]
    rows = expanded.row[order]
    del expanded, order  # the sorted copies replace them: less memory while rows are named
    change = np.zeros(rows.size, dtype=bool)
    change[0] = True
    for k in keys:
        change[1:] |= k[1:] != k[:-1]
    starts = np.flatnonzero(change)
    ends = np.append(starts[1:], rows.size)
    found = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        row = _row(frame, by, [int(k[start]) for k in keys])
        row["count"] = end - start
        row["incidents"] = references(frame, rows[start:end].tolist())
        found.append(row)
    # Largest first; equal counts by their keys' text (None last), whatever order IDs were read in.
    found.sort(key=lambda r: (-r["count"], *((r[k] is None, str(r[k])) for k in by)))
    return Outcome(found, positions(unplaced), positions(undated))


def parse_conditions(texts: Iterable[str], *, where: str = "--where") -> dict[str, str]:
    """``KEY=VALUE`` texts as conditions (as every edge takes them), naming the one that is not."""
    found: dict[str, str] = {}
    for text in texts:
        key, sep, value = text.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise InvalidInput(
                f"{text.strip()!r} is not KEY=VALUE",
                where=where,
                hint="for example target=school",
                errors={"where": "KEY=VALUE, for example target=school"},
            )
        found[key.strip()] = value.strip()
    return found


@dataclass(frozen=True)
class Selection:
    """Which incidents match ``--where``, and which could not be tested (no area, no such date)."""

    keep: NDArray[np.bool_]
    unplaced: NDArray[np.bool_]
    undated: NDArray[np.bool_]


def select(frame: IncidentFrame, conditions: Mapping[str, str]) -> Selection:
    """The incidents that match every ``key=value`` condition (an area by its code or its name)."""
    check_keys(list(conditions), option="--where")
    n = len(frame)
    keep, unplaced, undated = np.ones(n, bool), np.zeros(n, bool), np.zeros(n, bool)
    for key, value in conditions.items():
        if key in periods.PERIODS:
            dated, keys = periods.bucket(frame, key)
            undated |= ~dated
            keep &= dated & (keys == periods.key_of_label(key, value))
        elif key == "area":
            wanted = value.casefold()
            codes = [
                c for c in frame.areas.labels if wanted in (c.casefold(), frame.name(c).casefold())
            ]
            unplaced |= ~frame.in_an_area()
            inside = np.zeros(n, bool)
            for code in codes:
                inside |= frame.areas.has(code)
            keep &= inside
        else:
            keep &= frame.multi(MULTI_KEYS[key]).has(value)
    return Selection(keep, unplaced, undated)


def count_where(frame: IncidentFrame, by: Sequence[str], conditions: Mapping[str, str]) -> Outcome:
    """:func:`count` over the incidents that match ``conditions``; those that could not be tested
    against a condition are unplaced or undated too."""
    check_keys(by)
    chosen = select(frame, conditions)
    kept = np.flatnonzero(chosen.keep)
    found = count(frame.take(chosen.keep), by)
    unplaced = chosen.unplaced.copy()
    unplaced[kept[found.unplaced]] = True
    undated = chosen.undated.copy()
    undated[kept[found.undated]] = True
    return Outcome(found.rows, positions(unplaced), positions(undated))
