"""The unit linkage use case: which incidents lie inside each unit's documented presence, and which
units and places go together (docs/patterns.md, "Unit linkage").

Incidents are read through :func:`testament.patterns.load.load`, the one gate; placements are shared
reference data, like their units. Areas are compared at the gazetteer level asked for, as every area
analysis does: a placement in an area of another level links nothing at this level, and the result
lists it under ``other_level`` rather than dropping it silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from testament.analysis.frame import day_number
from testament.analysis.units import Presence, link_units
from testament.custody.instance import Instance
from testament.documentation import repository
from testament.documentation.units import unit_id
from testament.patterns import load as loading
from testament.patterns.load import Progress, Scope
from testament.patterns.results import Analysis
from testament.storage.engine import read_transaction


def _day(text: str | None) -> int | None:
    return None if text is None else day_number(text)


def presences(
    rows: Sequence[dict[str, Any]], level: int
) -> tuple[list[Presence], list[dict[str, Any]]]:
    """Placements as the analysis reads them, and those in areas of another level (as listed)."""
    found: list[Presence] = []
    elsewhere: list[dict[str, Any]] = []
    for row in rows:
        if row["area_id"] is not None and row["area_level"] != level:
            elsewhere.append({
                "placement": row["id"], "unit": row["unit_name"], "unit_id": row["unit_id"],
                "area": row["area_name"], "area_code": row["area_code"],
                "level": row["area_level"],
            })  # fmt: skip
            continue
        found.append(
            Presence(
                id=row["id"], unit_id=row["unit_id"], unit_name=row["unit_name"],
                area=row["area_code"], latitude=row["latitude"], longitude=row["longitude"],
                radius_m=row["radius_m"], day_from=_day(row["from_date"]),
                day_to=_day(row["to_date"]),
            )
        )  # fmt: skip
    return found, elsewhere


def unit_linkage(
    instance: Instance,
    scope: Scope,
    *,
    unit: str | None = None,
    level: int = 1,
    progress: Progress | None = None,
) -> Analysis:
    """For each unit with placements (or the one ``unit``: an ID, name or alias): its presence
    timeline, the scope's incidents inside its places and times, those possibly inside, and the
    co-occurrence graph of units and places."""
    with read_transaction(instance.engine) as connection:
        loaded = loading.load(connection, instance, scope, level=level, progress=progress)
        chosen = unit_id(connection, unit) if unit else None
        rows = repository.placement_rows(connection, chosen)
    found, elsewhere = presences(rows, level)
    outcome = link_units(loaded.frame, found)
    outcome.extra["other_level"] = elsewhere
    parameters = {"unit": chosen, "level": level}
    return loading.analysis("units", loaded, parameters, outcome)
