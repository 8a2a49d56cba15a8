"""Periods (day, week, month, year) of incidents, as integer keys for grouping.

An incident is dated at a period when its earliest and latest possible days fall in the same period:
"March 2022" is dated at the month, never at a day, so it never counts on the 1st (HUR-02). Keys are
integers so that grouping is a sort, never a loop: a day is its day number, a week the day number of
its Monday, a month ``year * 12 + month - 1``, a year the year.
"""

from __future__ import annotations

from datetime import date

import numpy as np
from numpy.typing import NDArray

from testament.analysis.frame import NO_DAY, IncidentFrame, day_text
from testament.errors import InvalidInput

PERIODS = ("day", "week", "month", "year")
_MONDAY_SHIFT = 3  # 1970-01-01 was a Thursday: day + 3 counts from the Monday before it


def keys_of(days: NDArray[np.int32], period: str) -> NDArray[np.int64]:
    """The period key of each day number (unknown days give meaningless keys: mask them)."""
    day = days.astype(np.int64)
    if period == "day":
        return day
    if period == "week":
        return day - (day + _MONDAY_SHIFT) % 7
    months = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    if period == "month":
        return months + 1970 * 12
    if period == "year":
        return months // 12 + 1970
    raise InvalidInput(f"{period!r} is not a period", hint=f"use one of: {', '.join(PERIODS)}")


def bucket(frame: IncidentFrame, period: str) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """(dated, key): whether each incident is dated at ``period``, and its period key."""
    start = keys_of(frame.day_from, period)
    end = keys_of(frame.day_to, period)
    known = (frame.day_from != NO_DAY) & (frame.day_to != NO_DAY)
    return known & (start == end), start


def label(period: str, key: int) -> str:
    """How a period key reads: ``2022-03-05``, ``2022-W09``, ``2022-03``, ``2022``."""
    if period == "day":
        return day_text(key)
    if period == "week":
        year, week, _ = date.fromisoformat(day_text(key)).isocalendar()
        return f"{year}-W{week:02d}"
    if period == "month":
        return f"{key // 12:04d}-{key % 12 + 1:02d}"
    return f"{key:04d}"


def key_of_label(period: str, text: str) -> int:
    """The key of a period as it reads (the inverse of :func:`label`), naming what is wrong."""
    try:
        if period == "day":
            return (date.fromisoformat(text) - date(1970, 1, 1)).days
        if period == "week":
            year, _, week = text.partition("-W")
            monday = date.fromisocalendar(int(year), int(week), 1)
            return (monday - date(1970, 1, 1)).days
        if period == "month":
            year, _, month = text.partition("-")
            if not 1 <= int(month) <= 12:
                raise ValueError(text)
            return int(year) * 12 + int(month) - 1
        return int(text)
    except ValueError:
        examples = {"day": "2022-03-05", "week": "2022-W09", "month": "2022-03", "year": "2022"}
        raise InvalidInput(
            f"{text!r} is not a {period}", hint=f"write it as {examples.get(period, '2022')}"
        ) from None
