"""What the patterns page is asked for, and what it shows: the parameters read from the query string
(each wrong one named, for the form), and the analyses behind each figure, from the use cases only.

The figures show the scope as the form sets it (period, stacking, area level, date range). A figure's
element, clicked, sets the *selection* (an area, a period, a type, a target, a weapon or a unit),
which narrows the map and the incident list under the figures; the figures themselves stay whole, so
the context of the choice is never lost (docs/patterns.md, "The patterns page").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from testament.custody.instance import Instance
from testament.errors import InvalidInput, NotFound
from testament.patterns import listing, service, unit_linkage, widespread
from testament.patterns.load import Scope
from testament.patterns.overview import overview as overview_of
from testament.patterns.reports import CLUSTERS
from testament.patterns.results import Analysis

PERIODS = ("month", "week", "day")
STACKS = ("type", "target")
LEVELS = ("1", "2")
CHOSEN = ("area", "year", "month", "week", "day", "type", "target", "weapon")
WHEN = ("year", "month", "week", "day")
LISTED_AT_MOST = 500
LONGEST = 200  # characters of one query value


@dataclass(frozen=True)
class Asked:
    """The page's parameters: the figures' (period, stack, level, range) and the selection."""

    period: str = "month"
    stack: str = "type"
    level: int = 1
    date_from: str = ""
    date_to: str = ""
    chosen: dict[str, str] = field(default_factory=dict)
    unit: str = ""

    def base(self) -> dict[str, str]:
        found = {"period": self.period, "stack": self.stack, "level": str(self.level)}
        found |= {k: v for k, v in (("date_from", self.date_from), ("date_to", self.date_to)) if v}
        return found

    def selection(self) -> dict[str, str]:
        return self.chosen | ({"unit": self.unit} if self.unit else {})

    def query(self, chosen: Mapping[str, str] | None = None) -> str:
        """The query string of these parameters, with ``chosen`` as the selection if given."""
        return urlencode(self.base() | (self.selection() if chosen is None else dict(chosen)))

    def link(self, page: str) -> Any:
        """A figure's :data:`~testament.patterns.figures.Link`: a selection -> the page with it."""
        return lambda chosen: f"{page}?{self.query(chosen)}#incidents"


def _value(params: Mapping[str, str], name: str, problems: dict[str, str]) -> str:
    text = params.get(name, "").strip()
    if len(text) > LONGEST:
        problems[name] = f"at most {LONGEST} characters"
        return ""
    return text


def _choice(
    params: Mapping[str, str], name: str, allowed: tuple[str, ...], problems: dict[str, str]
) -> str:
    text = _value(params, name, problems) or allowed[0]
    if text not in allowed:
        problems[name] = "one of: " + ", ".join(allowed)
        return allowed[0]
    return text


def _date(params: Mapping[str, str], name: str, problems: dict[str, str]) -> str:
    text = _value(params, name, problems)
    try:
        if text and date.fromisoformat(text).isoformat() != text:
            raise ValueError(text)
    except ValueError:
        problems[name] = "a date as YYYY-MM-DD"
        return ""
    return text


def parse(params: Mapping[str, str]) -> tuple[Asked, dict[str, str]]:
    """The parameters, and what is wrong with any of them (field -> why)."""
    problems: dict[str, str] = {}
    chosen = {k: v for k in CHOSEN if (v := _value(params, k, problems))}
    when = [k for k in WHEN if k in chosen]
    if len(when) > 1:
        problems[when[1]] = "one period at a time"
    asked = Asked(
        period=_choice(params, "period", PERIODS, problems),
        stack=_choice(params, "stack", STACKS, problems),
        level=int(_choice(params, "level", LEVELS, problems)),
        date_from=_date(params, "date_from", problems),
        date_to=_date(params, "date_to", problems),
        chosen=chosen,
        unit=_value(params, "unit", problems),
    )
    if asked.date_from and asked.date_to and asked.date_from > asked.date_to:
        problems["date_to"] = "on or after the first date"
    return asked, problems


def period_of(period: str, day: str) -> str:
    """How ``period`` labels the period holding the ISO date ``day`` (as counts rows read)."""
    if period == "day":
        return day
    if period == "week":
        year, week, _ = date.fromisoformat(day).isocalendar()
        return f"{year}-W{week:02d}"
    return day[:7] if period == "month" else day[:4]


def in_range(rows: list[dict[str, Any]], period: str, asked: Asked) -> list[dict[str, Any]]:
    """The rows whose period lies within the date range (labels of one period sort in time)."""
    first = period_of(period, asked.date_from) if asked.date_from else ""
    last = period_of(period, asked.date_to) if asked.date_to else ""
    return [
        r for r in rows if (not first or r[period] >= first) and (not last or r[period] <= last)
    ]


def ranged(found: Analysis, period: str, asked: Asked) -> Analysis:
    return (
        replace(found, rows=in_range(found.rows, period, asked))
        if asked.date_from or asked.date_to
        else found
    )


# --- The analyses behind each figure and table ----------------------------------------------------


def timeline(inst: Instance, scope: Scope, asked: Asked) -> Analysis:
    """Incidents per period, by type or target: the stacked timeline."""
    found = service.counts(inst, scope, by=[asked.period, asked.stack], level=asked.level)
    return ranged(found, asked.period, asked)


def areas(inst: Instance, scope: Scope, asked: Asked) -> Analysis:
    """Incidents per area and period: the small multiples."""
    found = service.counts(inst, scope, by=["area", asked.period], level=asked.level)
    return ranged(found, asked.period, asked)


def kinds(inst: Instance, scope: Scope, asked: Asked) -> Analysis:
    """Incidents per type or target, in the date range: the bars."""
    if not (asked.date_from or asked.date_to):
        return service.counts(inst, scope, by=[asked.stack], level=asked.level)
    return kinds_in_range(
        service.counts(inst, scope, by=["day", asked.stack], level=asked.level), asked
    )


def kinds_in_range(found: Analysis, asked: Asked) -> Analysis:
    """Counts by day and type (or target) summed over the days within the range, per type."""
    totals: dict[Any, dict[str, Any]] = {}
    for row in in_range(found.rows, "day", asked):
        kept = totals.setdefault(
            row[asked.stack], {asked.stack: row[asked.stack], "count": 0, "incidents": []}
        )
        kept["count"] += row["count"]
        kept["incidents"] += row["incidents"]
    rows = sorted(
        totals.values(), key=lambda r: (-r["count"], r[asked.stack] is None, str(r[asked.stack]))
    )
    return replace(found, rows=rows)


def units(inst: Instance, scope: Scope, asked: Asked) -> Analysis:
    """Each unit's presence and the units-and-places graph: the network view."""
    return unit_linkage.unit_linkage(inst, scope, level=asked.level)


def _unit_incidents(inst: Instance, scope: Scope, asked: Asked) -> set[str]:
    try:
        found = unit_linkage.unit_linkage(inst, scope, unit=asked.unit, level=asked.level)
    except NotFound as exc:  # the scope was read already: what is not found is the unit
        raise InvalidInput(
            exc.what, errors={"unit": "no unit has this ID, name or alias"}
        ) from None
    return {ref["id"] for row in found.rows for ref in row["incidents"]}


def incidents(inst: Instance, scope: Scope, asked: Asked, limit: int = LISTED_AT_MOST) -> Analysis:
    """The incidents of the selection, in the date range: the list and the map."""
    only = _unit_incidents(inst, scope, asked) if asked.unit else None
    return listing.incidents(
        inst, scope, where=asked.chosen, date_from=asked.date_from or None,
        date_to=asked.date_to or None, only=only, level=asked.level, limit=limit,
    )  # fmt: skip


def clusters(inst: Instance, scope: Scope, asked: Asked) -> Analysis:
    """The clusters in place and time as ``testament analyze clusters`` finds them by default, of the
    incidents in the date range: the map's clusters layer."""
    return widespread.clusters(
        inst, scope, **CLUSTERS, level=asked.level, date_from=asked.date_from or None,
        date_to=asked.date_to or None,
    )  # fmt: skip


def map_clusters(found: Analysis) -> list[dict[str, Any]]:
    """Each cluster as the map draws it: its centre, size and first and last days."""
    return [
        {"latitude": row["centre"]["latitude"], "longitude": row["centre"]["longitude"],
         "count": row["count"], "first": row["first"], "last": row["last"]}
        for row in found.rows
    ]  # fmt: skip


TABLES = {
    "timeline": timeline,
    "areas": areas,
    "kinds": kinds,
    "units": units,
    "incidents": incidents,
}


def overview(inst: Instance, scope: Scope, asked: Asked) -> dict[str, Analysis]:
    """Every analysis the page shows, from one reading of the scope, narrowed to the date range."""
    found = overview_of(
        inst, scope, period=asked.period, stack=asked.stack, level=asked.level, where=asked.chosen,
        date_from=asked.date_from or None, date_to=asked.date_to or None, unit=asked.unit or None,
    )  # fmt: skip
    ranged_kinds = (
        kinds_in_range(found.kinds, asked) if asked.date_from or asked.date_to else found.kinds
    )
    return {
        "timeline": ranged(found.timeline, asked.period, asked),
        "areas": ranged(found.areas, asked.period, asked),
        "kinds": ranged_kinds,
        "units": found.units,
        "incidents": found.incidents,
    }
