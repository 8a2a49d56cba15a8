"""The incidents behind a figure: those matching its filter, listed one row each, with their places.

The patterns page shows, under every figure, the incidents the chosen bar, area or node stands for.
The filter is the counts' own (:func:`testament.analysis.counts.select`), so a bar's count and the
list under it agree. A date range keeps the incidents that may have happened within it (their earliest
and latest possible days overlap it); with a range, an incident with no known day is undated. The map
gets every matching incident's position: as points up to :data:`POINTS_AT_MOST`, past that as the
count and mean position of the incidents in each cell of a fixed grid, so the page stays small.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

from testament.analysis import counts
from testament.analysis.frame import NO_DAY, PRECISIONS, IncidentFrame, day_text
from testament.analysis.outcome import Outcome, positions

POINTS_AT_MOST = 5000
CELL_DEGREES = 0.1  # a cluster cell's side past POINTS_AT_MOST points (about 11 km of latitude)


def within(
    frame: IncidentFrame, day_from: int | None, day_to: int | None
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(keep, undated): the incidents that may lie within the range, and those with no known day."""
    n = len(frame)
    if day_from is None and day_to is None:
        return np.ones(n, bool), np.zeros(n, bool)
    known = (frame.day_from != NO_DAY) & (frame.day_to != NO_DAY)
    keep = known.copy()
    if day_from is not None:
        keep &= frame.day_to >= day_from
    if day_to is not None:
        keep &= frame.day_from <= day_to
    return keep, ~known


def _day(day: int) -> str | None:
    return None if day == NO_DAY else day_text(day)


def _row(frame: IncidentFrame, i: int) -> dict[str, Any]:
    found: dict[str, Any] = frame.reference(i)
    found |= {
        "date_from": _day(int(frame.day_from[i])),
        "date_to": _day(int(frame.day_to[i])),
        "precision": PRECISIONS[int(frame.precision[i])],
        "areas": [{"area": frame.name(c), "area_code": c} for c in frame.areas.of(i)],
        "types": list(frame.types.of(i)),
        "targets": list(frame.targets.of(i)),
        "weapons": list(frame.weapons.of(i)),
    }
    if frame.placed[i]:
        found |= {"latitude": float(frame.lat[i]), "longitude": float(frame.lon[i])}
    return found


def per_area(frame: IncidentFrame, chosen: NDArray[np.bool_]) -> dict[str, int]:
    """How many chosen incidents lie in each area, by code (one on a border counts in both)."""
    column = frame.areas
    hits = chosen[column.rows()]
    found = np.bincount(column.codes[hits], minlength=len(column.labels))
    return {code: int(n) for code, n in zip(column.labels, found.tolist(), strict=True) if n}


def points(frame: IncidentFrame, chosen: NDArray[np.bool_]) -> dict[str, Any]:
    """The chosen incidents' positions for a map: ``{"points": [[lat, lon, id], …]}``, or past
    :data:`POINTS_AT_MOST`, ``{"clusters": [[lat, lon, count], …]}``."""
    placed = np.flatnonzero(chosen & frame.placed)
    lat, lon = frame.lat[placed], frame.lon[placed]
    if placed.size <= POINTS_AT_MOST:
        ids = frame.ids[placed]
        return {
            "points": [[float(a), float(o), str(i)] for a, o, i in zip(lat, lon, ids, strict=True)]
        }
    cell = np.floor(lat / CELL_DEGREES).astype(np.int64) * 10_000 + np.floor(
        lon / CELL_DEGREES
    ).astype(np.int64)
    _, which, sizes = np.unique(cell, return_inverse=True, return_counts=True)
    mean_lat = np.bincount(which, weights=lat) / sizes
    mean_lon = np.bincount(which, weights=lon) / sizes
    return {
        "clusters": [
            [round(float(a), 5), round(float(o), 5), int(s)]
            for a, o, s in zip(mean_lat, mean_lon, sizes, strict=True)
        ]
    }


def listed(
    frame: IncidentFrame,
    conditions: Mapping[str, str],
    *,
    day_from: int | None = None,
    day_to: int | None = None,
    only: Collection[str] | None = None,
    limit: int = 500,
) -> Outcome:
    """One row per incident matching ``conditions``, the range and (if given) among the IDs ``only``
    (the first ``limit``, by ID), with ``matched`` (how many in all), the matches per area
    (``areas``: code -> count) and the map's positions in ``extra``."""
    chosen = counts.select(frame, conditions)
    inside, undated = within(frame, day_from, day_to)
    keep = chosen.keep & inside
    if only is not None:
        keep &= np.isin(frame.ids, np.array(sorted(only), dtype=object))
    matched = np.flatnonzero(keep)
    rows = [_row(frame, int(i)) for i in matched[:limit].tolist()]
    extra = {"matched": int(matched.size), "areas": per_area(frame, keep)} | points(frame, keep)
    return Outcome(rows, positions(chosen.unplaced), positions(chosen.undated | undated), extra)
