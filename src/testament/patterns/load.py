"""Reading a scope's incidents for an analysis: the permission gate, the frame and the checkpoint.

A scope is one case, or one situation. A case is read through the one permission gate
(``policy.require``): a case the principal may not read is answered as absent. A situation is read as
the situation's cases that the principal may read, and the result names them, so a partial view is
never mistaken for the whole. Incidents are read in chunks into compact columns
(:class:`~testament.analysis.frame.FrameBuilder`), reporting progress, so a situation with a million
incidents is read in bounded memory; the custody log's size and root are read in the same
transaction, so the result says exactly which state of the records it describes.

When a scope's cases are all in situations and no first-level areas are loaded for them (neither their
situations' nor shared ones), incidents with coordinates are given the first-level area of their
nearest GeoNames place instead, and the result's scope says so (``area_method``: ``nearest-place``):
approximate areas, not boundaries. A scope with boundaries loaded never falls back (a point outside
them stays unplaced), nor does a case in no situation.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from testament.analysis import fallback_geocoder
from testament.analysis.frame import FrameBuilder, IncidentFrame, Row
from testament.analysis.outcome import Outcome
from testament.custody import policy
from testament.custody.instance import Instance
from testament.domain.access import Action
from testament.errors import InvalidInput, NotFound
from testament.ledger import log
from testament.patterns import queries
from testament.patterns.results import Analysis, Checkpoint

Progress = Callable[[int, int], None]  # (incidents read, incidents in all)
LEVELS = (1, 2)
NEAREST = fallback_geocoder.METHOD  # "nearest-place": an area named by the nearest populated place


@dataclass(frozen=True)
class Scope:
    """What an analysis covers: one case, or one situation (its cases the reader may read)."""

    case: str | None = None
    situation: str | None = None

    def __post_init__(self) -> None:
        if (self.case is None) == (self.situation is None):
            raise InvalidInput(
                "an analysis covers one case or one situation",
                hint="give a case (--case) or a situation (--situation), not both",
                errors={"scope": "a case or a situation"},
            )


@dataclass(frozen=True)
class Loaded:
    frame: IncidentFrame
    scope: dict[str, Any]
    checkpoint: Checkpoint


def check_level(level: int) -> None:
    if level not in LEVELS:
        raise InvalidInput(
            f"{level} is not a gazetteer level",
            where="--level",
            hint="1 for first-level areas (oblasts, governorates), 2 for the next",
            errors={"level": "1 or 2"},
        )


def cases(
    connection: Connection, instance: Instance, scope: Scope
) -> tuple[list[str], dict[str, Any]]:
    """The IDs of the cases in scope, through the permission gate, and how the result names them."""
    if scope.case is not None:
        cid = policy.require(connection, instance, Action.READ, case=scope.case)
        return [str(cid)], {"case": scope.case}
    name = str(scope.situation)
    policy.require(connection, instance, Action.READ)
    if not queries.situation_exists(connection, name):
        raise NotFound(
            "no situation has this name",
            where=name,
            hint="`testament situation list` shows them",
            errors={"situation": "no situation has this name"},
        )
    readable = policy.readable_cases(connection, instance)
    found = [
        (cid, case_name)
        for cid, case_name in queries.situation_cases(connection, name)
        if readable is None or cid in readable
    ]
    return [cid for cid, _ in found], {"situation": name, "cases": [n for _, n in found]}


def checkpoint(connection: Connection) -> Checkpoint:
    """The custody log's size and root now, in this transaction's view."""
    size = log.size(connection)
    return Checkpoint(size, base64.b64encode(log.root_at(connection, size)).decode("ascii"))


def load(
    connection: Connection,
    instance: Instance,
    scope: Scope,
    *,
    level: int = 1,
    progress: Progress | None = None,
) -> Loaded:
    """The scope's incidents as a frame (areas of ``level``), after the permission gate."""
    check_level(level)
    case_ids, described = cases(connection, instance, scope)
    head = checkpoint(connection)
    builder = FrameBuilder(queries.area_names(connection, level, case_ids))
    nearest = level == 1 and queries.without_areas(connection, case_ids, level)
    if nearest:
        described = described | {"area_method": NEAREST, "area_source": fallback_geocoder.SOURCE}
    total = queries.count_incidents(connection, case_ids) if progress is not None else 0
    done = 0
    for chunk in queries.incident_rows(connection, case_ids, level):
        builder.add(_nearest_areas(chunk, builder.area_names) if nearest else chunk)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return Loaded(builder.build(), described, head)


def _nearest_areas(rows: list[Row], names: dict[str, str]) -> list[Row]:
    """Rows whose incidents have coordinates and no area, given the first-level area of the nearest
    GeoNames place (:mod:`testament.analysis.fallback_geocoder`): the code ``nearest-place:CC:name``,
    named after the area. A point farther than the fallback's limit from any place keeps none."""
    wanting: list[int] = []
    points: list[tuple[float, float]] = []
    for i, row in enumerate(rows):
        lat, lon = row.latitude, row.longitude
        if not row.areas and lat is not None and lon is not None and _in_range(lat, lon):
            wanting.append(i)
            points.append((lat, lon))
    found = list(rows)
    for i, place in zip(wanting, fallback_geocoder.countries_and_areas(points), strict=True):
        if place is not None and place.admin1:
            code = f"{NEAREST}:{place.country_code}:{place.admin1}"
            names[code] = place.admin1
            found[i] = rows[i]._replace(areas=(code,))
    return found


def _in_range(lat: float, lon: float) -> bool:
    return -90 <= lat <= 90 and -180 <= lon <= 180


def analysis(
    name: str, loaded: Loaded, parameters: Mapping[str, Any], outcome: Outcome
) -> Analysis:
    """The typed result: the outcome's positions become incident IDs."""
    ids = loaded.frame.ids
    return Analysis(
        analysis=name,
        scope=loaded.scope,
        parameters=dict(parameters),
        checkpoint=loaded.checkpoint,
        incidents=len(loaded.frame),
        unplaced=[str(ids[i]) for i in outcome.unplaced.tolist()],
        undated=[str(ids[i]) for i in outcome.undated.tolist()],
        rows=outcome.rows,
        extra=outcome.extra,
    )
