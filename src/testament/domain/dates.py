"""When something happened, as precisely as it is known, and never more precisely.

A reported date becomes a :class:`ReportedDate`: the earliest and latest moments it can mean, the precision
(``exact``, ``day``, ``month``, ``year``, ``estimate``; the ``date-precision`` vocabulary) and the text as
reported. "March 2022" is the range 2022-03-01 to 2022-03-31 with precision ``month``: it is never stored
as the 1st of March (HURIDOCS date-type practice; HUR-02 in docs/requirements.md).

Bounds are ISO 8601 strings: ``YYYY-MM-DD`` for day-level and coarser precision, and an RFC 3339 UTC time
for ``exact``. Comparing two bounds as strings orders them correctly within one precision family.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum

from testament.errors import InvalidInput


class DatePrecision(StrEnum):
    EXACT = "exact"
    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    ESTIMATE = "estimate"


@dataclass(frozen=True)
class ReportedDate:
    start: str | None
    end: str | None
    precision: DatePrecision
    text: str

    def as_json(self) -> dict[str, str | None]:
        return {
            "from": self.start,
            "to": self.end,
            "precision": self.precision.value,
            "text": self.text,
        }


UNKNOWN = ReportedDate(None, None, DatePrecision.ESTIMATE, "")

_ISO = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}


def _day(year: int, month: int, day: int, text: str, where: str | None) -> date:
    if not 1 <= month <= 12:
        raise InvalidInput(f"{text!r} is not a date: there is no month {month}", where=where)
    last = calendar.monthrange(year, month)[1]
    if not 1 <= day <= last:
        raise InvalidInput(
            f"{text!r} is not a date: {calendar.month_name[month]} {year} has {last} days",
            where=where,
            hint="check the day and month order; US-style dates are MM/DD/YYYY",
        )
    return date(year, month, day)


def _span(
    year: int, month: int | None, day: int | None, text: str, where: str | None
) -> ReportedDate:
    if day is not None and month is not None:
        single = _day(year, month, day, text, where).isoformat()
        return ReportedDate(single, single, DatePrecision.DAY, text)
    if month is not None:
        first = _day(year, month, 1, text, where)
        last = _day(year, month, calendar.monthrange(year, month)[1], text, where)
        return ReportedDate(first.isoformat(), last.isoformat(), DatePrecision.MONTH, text)
    return ReportedDate(f"{year:04d}-01-01", f"{year:04d}-12-31", DatePrecision.YEAR, text)


def _exact(text: str, where: str | None) -> ReportedDate | None:
    if "T" not in text and " " not in text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        raise InvalidInput(
            f"{text!r} has a time but no time zone",
            where=where,
            hint="add Z for UTC or an offset such as +02:00, or give only the date",
        )
    stamp = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return ReportedDate(stamp, stamp, DatePrecision.EXACT, text)


def parse(text: str, *, where: str | None = None, us_order: bool = False) -> ReportedDate:
    """Parse a reported date: ``2022-03-05``, ``2022-03``, ``2022``, ``March 2022``, an ISO time with zone,
    or (with ``us_order``, as TimeMap files write them) ``MM/DD/YYYY``. Impossible dates are refused."""
    value = text.strip()
    if not value:
        return UNKNOWN
    exact = _exact(value, where)
    if exact is not None:
        return exact
    if match := _ISO.match(value):
        year, month, day = match.groups()
        return _span(
            int(year), int(month) if month else None, int(day) if day else None, value, where
        )
    if us_order and (match := _MDY.match(value)):
        month, day, year = (int(g) for g in match.groups())
        return _span(year, month, day, value, where)
    words = value.replace(",", " ").split()
    if len(words) == 2 and words[0].lower() in _MONTHS and words[1].isdigit():
        return _span(int(words[1]), _MONTHS[words[0].lower()], None, value, where)
    expected = "YYYY-MM-DD, YYYY-MM, YYYY or an ISO time with a zone"
    raise InvalidInput(
        f"{value!r} is not a date Testament can read",
        where=where,
        hint=f"write {expected}" + ("; or MM/DD/YYYY" if us_order else ""),
    )


def estimate(start: str, end: str, text: str = "", *, where: str | None = None) -> ReportedDate:
    """An estimated range: the earliest and latest dates it may be, each any :func:`parse` form."""
    low = parse(start, where=where)
    high = parse(end, where=where)
    if low.start is None or high.end is None:
        raise InvalidInput(
            "an estimated date needs both an earliest and a latest date", where=where
        )
    if low.start[:10] > high.end[:10]:
        raise InvalidInput(f"the range starts ({start}) after it ends ({end})", where=where)
    return ReportedDate(low.start, high.end, DatePrecision.ESTIMATE, text or f"{start} – {end}")
