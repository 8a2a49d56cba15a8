"""Spikes: the area-days (or area-weeks, area-months) with many incidents, and the days far above an
area's usual (docs/patterns.md, "Spikes").

Pure: no database. An incident counts in every area it lies in (one on a border counts in both); one
in no area is *unplaced* when spikes are by area, and one not dated at the period is *undated* (a
date known only to the month is never a spike on the 1st). Both are listed, never dropped.

With a baseline (``baseline_days`` D and ``factor`` F, days only), each area-day is compared with the
median of that area's daily counts over the D days before it. Days with no incident count as 0. The
history starts at the first day on which any incident of the scope is dated: a day with fewer than D
days of history is compared over the days it has, and the first day, with none, has no baseline and
is never flagged. A day is flagged when its count is above F times the median. Grouping is one sort
of integer keys; medians are taken over fixed-size windows in chunks, so memory stays bounded.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from testament.analysis import periods
from testament.analysis.frame import IncidentFrame
from testament.analysis.outcome import Outcome, positions, references
from testament.errors import InvalidInput

SPIKE_PERIODS = ("day", "week", "month")
_CHUNK = 1 << 16  # area-days whose baseline is computed at once
BASELINE_RULE = (
    "the median of the area's daily counts over the {days} days before, days with no incident "
    "counting as 0; a day with fewer than {days} days since the first dated day of the scope is "
    "compared over the days it has, and that first day, with none, is never flagged"
)


def check(*, period: str, min_count: int, baseline_days: int | None, factor: float | None) -> None:
    """Refuse parameters that cannot give a result, naming the option."""
    if period not in SPIKE_PERIODS:
        _refuse("--period", f"{period!r} is not a period for spikes", ", ".join(SPIKE_PERIODS))
    if min_count < 1:
        _refuse("--min-count", f"{min_count} incidents is not a spike", "1 or more")
    if (baseline_days is None) != (factor is None):
        _refuse("--factor" if factor is None else "--baseline-days",
                "a baseline needs both the days and the factor", "give --baseline-days and --factor")  # fmt: skip
    if baseline_days is not None and baseline_days < 1:
        _refuse("--baseline-days", f"{baseline_days} days is no baseline", "1 or more days")
    if factor is not None and not (np.isfinite(factor) and factor > 0):
        _refuse("--factor", f"{factor} is not a factor above 0", "a number above 0, e.g. 2")
    if baseline_days is not None and period != "day":
        _refuse("--baseline-days", "a baseline compares days", "use --period day with a baseline")


def _refuse(option: str, message: str, valid: str) -> None:
    raise InvalidInput(
        message, where=option, hint=valid, errors={option.lstrip("-").replace("-", "_"): valid}
    )


def spikes(
    frame: IncidentFrame,
    *,
    by_area: bool = True,
    period: str = "day",
    min_count: int = 1,
    baseline_days: int | None = None,
    factor: float | None = None,
) -> Outcome:
    """Rows ``{"area", "area_code", <period>, "count", "incidents"}`` with at least ``min_count``
    incidents, by period then area name; with a baseline also ``baseline``, ``history_days`` and
    ``flagged``."""
    check(period=period, min_count=min_count, baseline_days=baseline_days, factor=factor)
    dated, keys = periods.bucket(frame, period)
    unplaced = ~frame.in_an_area() if by_area else np.zeros(len(frame), dtype=bool)
    usable = dated & ~unplaced
    if by_area:
        owner = frame.areas.rows()
        keep = usable[owner]
        incident, area = owner[keep], frame.areas.codes[keep].astype(np.int64)
    else:
        incident = np.flatnonzero(usable).astype(np.int64)
        area = np.zeros(incident.size, dtype=np.int64)
    extra: dict[str, Any] = {}
    if baseline_days is not None:
        extra["baseline_rule"] = BASELINE_RULE.format(days=baseline_days)
    if incident.size == 0:
        return Outcome([], positions(unplaced), positions(~dated), extra)
    first = int(keys[dated].min())  # the first dated period of the scope: history starts here
    span = int(keys[dated].max()) - first + 1
    group_key = area * span + (keys[incident] - first)
    order = np.argsort(group_key, kind="stable")  # incidents stay in frame order within a group
    sorted_keys = group_key[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    counts = np.diff(np.r_[starts, sorted_keys.size])
    unique = sorted_keys[starts]
    chosen = np.flatnonzero(counts >= min_count)
    found = _rows(frame, by_area, period, unique[chosen] // span, unique[chosen] % span + first)
    # One call names every incident of the chosen area-days; each row takes its run.
    taken = np.repeat(counts >= min_count, counts)
    named = references(frame, incident[order[taken]])
    at = 0
    for row, n in zip(found, counts[chosen].tolist(), strict=True):
        row["count"] = n
        row["incidents"] = named[at : at + n]
        at += n
    if baseline_days is not None and factor is not None:
        history = unique[chosen] % span
        _baseline(found, unique=unique, counts=counts, chosen=unique[chosen], history=history,
                  days=baseline_days, factor=factor)  # fmt: skip
    rank = _name_rank(frame) if by_area else np.zeros(1, dtype=np.int64)
    sequence = np.lexsort((rank[unique[chosen] // span], unique[chosen] % span))
    return Outcome(
        [found[i] for i in sequence.tolist()], positions(unplaced), positions(~dated), extra
    )


def _rows(
    frame: IncidentFrame,
    by_area: bool,
    period: str,
    areas: NDArray[np.int64],
    keys: NDArray[np.int64],
) -> list[dict[str, Any]]:
    labels = frame.areas.labels
    texts = {k: periods.label(period, k) for k in np.unique(keys).tolist()}
    found: list[dict[str, Any]] = []
    for code, key in zip(areas.tolist(), keys.tolist(), strict=True):
        row: dict[str, Any] = {}
        if by_area:
            row["area"] = frame.name(labels[code])
            row["area_code"] = labels[code]
        row[period] = texts[key]
        found.append(row)
    return found


def _name_rank(frame: IncidentFrame) -> NDArray[np.int64]:
    """Each area code's place when areas are sorted by name (then code)."""
    labels = frame.areas.labels
    order = sorted(range(len(labels)), key=lambda c: (frame.name(labels[c]), labels[c]))
    rank = np.zeros(max(len(labels), 1), dtype=np.int64)
    rank[np.asarray(order, dtype=np.int64)] = np.arange(len(order), dtype=np.int64)
    return rank


def _baseline(
    rows: list[dict[str, Any]],
    *,
    unique: NDArray[np.int64],
    counts: NDArray[np.int64],
    chosen: NDArray[np.int64],
    history: NDArray[np.int64],
    days: int,
    factor: float,
) -> None:
    """Add each chosen area-day's baseline median and flag, a chunk of area-days at a time.

    ``unique`` holds every area-day key with its count in ``counts``; ``history`` is each chosen
    day's number of days since the first dated day (its days before, capped at ``days``)."""
    back = np.arange(1, days + 1, dtype=np.int64)
    for start in range(0, chosen.size, _CHUNK):
        keys = chosen[start : start + _CHUNK]
        have = np.minimum(history[start : start + _CHUNK], days)
        wanted = keys[:, None] - back[None, :]  # the same area: history never crosses its start
        at = np.searchsorted(unique, wanted).clip(max=unique.size - 1)
        window = np.where(unique[at] == wanted, counts[at], 0).astype(np.float64)
        window[back[None, :] > have[:, None]] = np.nan  # before the first dated day
        medians = np.full(keys.size, np.nan)
        full = have == days
        medians[full] = np.median(window[full], axis=1) if full.any() else medians[full]
        partial = (have > 0) & ~full
        if partial.any():
            medians[partial] = np.nanmedian(window[partial], axis=1)
        for offset, (median, n) in enumerate(zip(medians.tolist(), have.tolist(), strict=True)):
            row = rows[start + offset]
            row["history_days"] = n
            row["baseline"] = None if n == 0 else median
            row["flagged"] = n > 0 and row["count"] > factor * median
