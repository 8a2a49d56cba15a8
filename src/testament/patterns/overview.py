"""The patterns page's analyses from one reading of the scope (docs/patterns.md, "The patterns page").

The page shows a timeline, small multiples by area, counts by type or target, the unit linkage and
the incidents of the reader's selection. Each is the same analysis its own use case gives, but read
once, in one transaction, through :func:`testament.patterns.load.load` (the one gate), so a situation
of a million incidents is read once per page, not five times, and every part of the page describes
the same checkpoint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Connection

from testament.analysis import counts as counting
from testament.analysis import listing as listed
from testament.analysis.units import link_units
from testament.custody.instance import Instance
from testament.documentation import repository
from testament.documentation.units import unit_id
from testament.domain.results import Result
from testament.errors import InvalidInput, NotFound
from testament.patterns import listing
from testament.patterns import load as loading
from testament.patterns.load import Loaded, Scope
from testament.patterns.results import Analysis
from testament.patterns.unit_linkage import presences
from testament.storage.engine import read_transaction

PERIODS = ("day", "week", "month")
STACKS = ("type", "target")


@dataclass(frozen=True)
class Overview(Result):
    """The page's analyses: ``timeline`` (counts by period and type or target), ``areas`` (by area
    and period), ``kinds`` (by type or target; by day too when a date range is given, for the page
    to keep the days within it), ``units`` (unit linkage) and ``incidents`` (the selection's)."""

    timeline: Analysis
    areas: Analysis
    kinds: Analysis
    units: Analysis
    incidents: Analysis


def _check(period: str, stack: str) -> None:
    if period not in PERIODS:
        raise InvalidInput(
            f"{period!r} is not a period of the page", errors={"period": ", ".join(PERIODS)}
        )
    if stack not in STACKS:
        raise InvalidInput(
            f"{stack!r} cannot stack the timeline", errors={"stack": ", ".join(STACKS)}
        )


def _unit(connection: Connection, unit: str | None) -> str | None:
    if not unit:
        return None
    try:
        return unit_id(connection, unit)
    except NotFound as exc:  # the scope was read already: what is not found is the unit
        raise InvalidInput(
            exc.what, errors={"unit": "no unit has this ID, name or alias"}
        ) from None


def _counted(loaded: Loaded, by: list[str], level: int) -> Analysis:
    parameters = {"by": by, "where": {}, "level": level}
    return loading.analysis("counts", loaded, parameters, counting.count(loaded.frame, by))


def overview(
    instance: Instance,
    scope: Scope,
    *,
    period: str = "month",
    stack: str = "type",
    level: int = 1,
    where: Mapping[str, str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    unit: str | None = None,
    limit: int = 500,
) -> Overview:
    """Every analysis of the patterns page, from one reading of the scope; the selection (``where``,
    the date range and ``unit``: the incidents inside its presence) narrows ``incidents`` only."""
    _check(period, stack)
    conditions = dict(where or {})
    counting.check_keys(list(conditions), option="--where")
    first, last = listing.days(date_from, date_to)
    listing.check_limit(limit)
    with read_transaction(instance.engine) as connection:
        loaded = loading.load(connection, instance, scope, level=level)
        chosen = _unit(connection, unit)
        placed = repository.placement_rows(connection, None)
    found, elsewhere = presences(placed, level)
    linked = link_units(loaded.frame, found)
    linked.extra["other_level"] = elsewhere
    only = None
    if chosen is not None:
        only = {
            ref["id"] for row in linked.rows if row["unit_id"] == chosen for ref in row["incidents"]
        }
    outcome = listed.listed(
        loaded.frame, conditions, day_from=first, day_to=last, only=only, limit=limit
    )
    parameters = {"where": conditions, "date_from": date_from or None, "date_to": date_to or None,
                  "unit": chosen, "level": level, "limit": limit}  # fmt: skip
    return Overview(
        timeline=_counted(loaded, [period, stack], level),
        areas=_counted(loaded, ["area", period], level),
        kinds=_counted(loaded, ["day", stack] if (date_from or date_to) else [stack], level),
        units=loading.analysis("units", loaded, {"unit": None, "level": level}, linked),
        incidents=loading.analysis("incidents", loaded, parameters, outcome),
    )
