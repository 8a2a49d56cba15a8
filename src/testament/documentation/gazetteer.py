"""The gazetteer: loading administrative areas, and keeping each incident's areas in step.

Areas are reference data, not evidence: loading them records no custody event. Each area row names the
file it came from and that file's digest (``dataset``). Reloading a file updates areas in place by
(level, code), so area IDs, and the incidents pointing at them, stay put; areas missing from a newer file
are kept (incidents may name them) and reported.

``incident_area`` is derived and recomputed: an incident with coordinates lies in every area whose outline
contains the point (method ``point``); an incident without coordinates, or whose point lies in no area,
keeps the area it was given (method ``given``). Callers that write incidents call :func:`assign` in the
same transaction; :func:`load` reassigns every incident.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import numpy as np
import shapely
from sqlalchemy import Connection

from testament.analysis.gazetteer import (
    Area,
    AreaFeature,
    AreaName,
    Gazetteer,
    NameIndex,
    parse_areas,
)
from testament.custody import policy
from testament.custody.instance import Instance
from testament.documentation import queries
from testament.documentation.results import AreaOutline, AreaOutlines
from testament.domain import places
from testament.domain.access import Action
from testament.domain.results import Result
from testament.errors import InvalidInput, NotFound
from testament.search import indexing
from testament.storage.engine import read_transaction, write_transaction

BATCH = 5000
MAX_LEVEL = 10
T = TypeVar("T")


@dataclass(frozen=True)
class AssignReport(Result):
    """What an assignment found. ``swapped`` lists incidents whose (lon, lat) would lie in an area."""

    incidents: int = 0
    point: int = 0
    given: int = 0
    unlocated: int = 0
    swapped: tuple[str, ...] = ()

    def __add__(self, other: AssignReport) -> AssignReport:
        return AssignReport(
            self.incidents + other.incidents,
            self.point + other.point,
            self.given + other.given,
            self.unlocated + other.unlocated,
            self.swapped + other.swapped,
        )


@dataclass(frozen=True)
class LoadReport(Result):
    """What a load did: area counts, repaired outlines, and the reassignment of every incident."""

    path: str
    dataset: str
    level: int
    added: int
    updated: int
    unchanged: int
    kept: int  # areas of this level already stored but not in this file
    repaired: tuple[str, ...]
    assignment: AssignReport


@dataclass(frozen=True)
class AreaRecord(Result):
    """A stored area, without its outline."""

    id: int
    level: int
    code: str
    name: str
    alt_names: tuple[str, ...]
    parent_code: str | None
    dataset: str
    bounds: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


@dataclass(frozen=True)
class Location:
    """The areas a point lies in; when none, the areas the swapped point (lon, lat) would lie in."""

    areas: tuple[AreaName, ...]
    swapped: tuple[AreaName, ...]


# --- Loading ------------------------------------------------------------------------------------------


def load(
    instance: Instance,
    path: Path,
    *,
    level: int,
    name_field: str,
    alt_names_field: str | None = None,
    code_field: str | None = None,
    dataset: str | None = None,
) -> LoadReport:
    """Load (or reload) a GeoJSON file's areas at ``level``, then reassign every incident; one transaction."""
    if not 0 <= level <= MAX_LEVEL:
        raise InvalidInput(f"the level must be 0 to {MAX_LEVEL}, not {level}", where="--level")
    data = _read(path)
    features = parse_areas(
        data,
        level=level,
        name_field=name_field,
        alt_names_field=alt_names_field,
        code_field=code_field,
        source=str(path),
    )
    label = f"{dataset or path.name} sha256:{hashlib.sha256(data).hexdigest()}"
    with write_transaction(instance.engine) as connection:
        policy.require_admin(connection, instance)
        added, updated, unchanged, kept = _store(connection, level, features, label)
        _CACHE.pop(connection.get_transaction(), None)
        assignment = assign_all(connection)
    repaired = tuple(
        f"features[{f.index}] ({f.name}): {f.repaired}; repaired with make_valid"
        for f in features
        if f.repaired
    )
    return LoadReport(
        str(path), label, level, added, updated, unchanged, kept, repaired, assignment
    )


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            f"cannot read the GeoJSON file: {exc.strerror}",
            where=str(path),
            hint="give the path of a GeoJSON FeatureCollection of administrative areas",
        ) from None


def _row(area: AreaFeature, level: int, dataset: str) -> dict[str, Any]:
    min_x, min_y, max_x, max_y = area.geometry.bounds
    return {
        "level": level,
        "code": area.code,
        "name": area.name,
        "alt_names": json.dumps(list(area.alt_names), ensure_ascii=False),
        "parent_code": None,
        "dataset": dataset,
        "geometry": shapely.to_wkb(area.geometry),
        "min_x": min_x,
        "min_y": min_y,
        "max_x": max_x,
        "max_y": max_y,
    }


CONTENT = ("name", "alt_names", "parent_code", "geometry")


def _store(
    connection: Connection, level: int, features: Sequence[AreaFeature], dataset: str
) -> tuple[int, int, int, int]:
    """Insert or update by (level, code); return added, updated, unchanged and kept counts."""
    stored = {row["code"]: row for row in queries.areas_of_level(connection, level)}
    new, updated, unchanged = [], 0, 0
    for area in features:
        row = _row(area, level, dataset)
        old = stored.get(area.code)
        if old is None:
            new.append(row)
            continue
        same = all(_plain(old[column]) == row[column] for column in CONTENT)
        if not same or old["dataset"] != dataset:
            queries.update_area(connection, old["id"], row)
        if same:
            unchanged += 1
        else:
            updated += 1
    if new:
        queries.insert_areas(connection, new)
    kept = len(stored.keys() - {area.code for area in features})
    return len(new), updated, unchanged, kept


def _plain(value: object) -> object:
    return bytes(value) if isinstance(value, memoryview) else value


# --- Assigning incidents to areas ---------------------------------------------------------------------

# Built once per transaction (areas change under a transaction only through its own load), and dropped
# with the transaction.
_CACHE: WeakKeyDictionary[object, dict[str, Any]] = WeakKeyDictionary()


def _cached(connection: Connection, key: str, build: Callable[[], T]) -> T:
    transaction = connection.get_transaction()
    if transaction is None:
        return build()
    cache = _CACHE.setdefault(transaction, {})
    if key not in cache:
        cache[key] = build()
    return cache[key]  # type: ignore[no-any-return]


def _read_gazetteer(connection: Connection) -> Gazetteer:
    rows = queries.area_outlines(connection)
    outlines = shapely.from_wkb(np.array([bytes(row["geometry"]) for row in rows], dtype=object))
    return Gazetteer(
        Area(
            row["id"],
            row["level"],
            row["code"],
            row["name"],
            tuple(json.loads(row["alt_names"])),
            outline,
        )
        for row, outline in zip(rows, outlines, strict=True)
    )


def gazetteer(connection: Connection) -> Gazetteer:
    """Every stored area, indexed for point lookups (built once per transaction)."""
    return _cached(connection, "gazetteer", lambda: _read_gazetteer(connection))


def assign(connection: Connection, incident_ids: Iterable[str]) -> AssignReport:
    """Recompute the areas of these incidents, in the caller's write transaction, in batches."""
    ids = sorted(set(incident_ids))
    if not ids:
        return AssignReport()
    index = gazetteer(connection)
    report = AssignReport()
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        queries.clear_incident_areas(connection, chunk)
        rows = queries.incident_points(connection, chunk)
        report += _assign_rows(connection, index, rows)
    return report


def assign_all(connection: Connection) -> AssignReport:
    """Recompute the areas of every incident (after a load), in batches by incident ID."""
    index = gazetteer(connection)
    queries.clear_incident_areas(connection)
    report, last = AssignReport(), None
    while True:
        rows = queries.incident_points_after(connection, last, BATCH)
        if not rows:
            return report
        report += _assign_rows(connection, index, rows)
        # Incidents are found by the names of their areas, so new areas reach their index.
        indexing.refresh(connection, "incident", [row["id"] for row in rows])
        last = rows[-1]["id"]


def _assign_rows(
    connection: Connection, index: Gazetteer, rows: Sequence[Mapping[Any, Any]]
) -> AssignReport:
    # None (no coordinates) becomes NaN, which lies in no area.
    points = [(r["latitude"], r["longitude"]) for r in rows]
    lat, lon = np.array(points, np.float64).reshape(-1, 2).T
    point_index, area_index = index.pairs(lat, lon)
    links = [
        {"incident_id": rows[p]["id"], "area_id": index.areas[a].id, "method": "point"}
        for p, a in zip(point_index.tolist(), area_index.tolist(), strict=True)
    ]
    located = np.zeros(len(rows), dtype=bool)
    located[point_index] = True
    given = [
        {"incident_id": row["id"], "area_id": row["area_id"], "method": "given"}
        for row, found in zip(rows, located.tolist(), strict=True)
        if not found and row["area_id"] is not None
    ]
    if links or given:
        queries.insert_incident_areas(connection, links + given)
    unlocated = np.flatnonzero(~located & ~np.isnan(lat) & ~np.isnan(lon))
    swapped_index, _ = index.pairs(lon[unlocated], lat[unlocated])
    swapped = tuple(rows[i]["id"] for i in unlocated[np.unique(swapped_index)].tolist())
    return AssignReport(len(rows), len(links), len(given), int(unlocated.size), swapped)


# --- Reading areas ------------------------------------------------------------------------------------


def areas(instance: Instance, level: int | None = None) -> list[AreaRecord]:
    """The stored areas (all levels, or one), by level and code."""
    with read_transaction(instance.engine) as connection:
        policy.require(connection, instance, Action.READ)
        rows = queries.stored_areas(connection, level)
    return [
        AreaRecord(
            row["id"],
            row["level"],
            row["code"],
            row["name"],
            tuple(json.loads(row["alt_names"])),
            row["parent_code"],
            row["dataset"],
            (row["min_x"], row["min_y"], row["max_x"], row["max_y"]),
        )
        for row in rows
    ]


def _read_names(connection: Connection) -> NameIndex:
    return NameIndex(
        AreaName(
            row["id"], row["level"], row["code"], row["name"], tuple(json.loads(row["alt_names"]))
        )
        for row in queries.area_name_rows(connection)
    )


def name_index(connection: Connection) -> NameIndex:
    """Every stored area by code, name and alternative name (built once per transaction)."""
    return _cached(connection, "names", lambda: _read_names(connection))


def find_area(
    connection: Connection, name: str, *, level: int | None = None, where: str | None = None
) -> int | None:
    """The ID of the area a code, name or alternative name denotes (case-insensitive), or None.

    Codes win over names and names over alternative names. A name that denotes several areas (GADM gives
    "Kyiv" as an alternative name of both Kyiv City and Kyiv oblast) is refused with the candidates.
    """
    found = name_index(connection).match(name, level=level)
    if len(found) > 1:
        candidates = ", ".join(f"{a.name} ({a.code}, level {a.level})" for a in found)
        raise InvalidInput(
            f"{name!r} names {len(found)} administrative areas",
            where=where,
            hint=f"give one of their codes instead: {candidates}",
        )
    return found[0].id if found else None


def locate(instance: Instance, latitude: object, longitude: object) -> Location:
    """The areas a point lies in, with the swapped-coordinates hint when it lies in none."""
    point = places.point(latitude, longitude, where="the coordinates")
    with read_transaction(instance.engine) as connection:
        policy.require(connection, instance, Action.READ)
        index = gazetteer(connection)
    if not index.areas:
        raise NotFound(
            "no administrative areas are loaded",
            hint="load some with `testament gazetteer load FILE --level N --name-field FIELD`",
        )
    found = tuple(index.locate(point.latitude, point.longitude))
    swapped: tuple[AreaName, ...] = ()
    if index.swapped_hint(point.latitude, point.longitude):
        swapped = tuple(index.locate(point.longitude, point.latitude))
    return Location(found, swapped)


def areas_geojson(instance: Instance, level: int = 1, tolerance: float = 0.01) -> AreaOutlines:
    """The areas of ``level`` as a GeoJSON FeatureCollection, simplified for drawing on a map.

    ``tolerance`` is in degrees (0.01° is about a kilometre); topology is kept so borders still meet.
    """
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        rows = queries.level_outlines(conn, level)
    features = []
    for row in rows:
        code, name = row["code"], row["name"]
        shape = shapely.from_wkb(row["geometry"]).simplify(tolerance, preserve_topology=True)
        geometry = shapely.geometry.mapping(shape)
        properties = {"code": code, "name": name}
        features.append(AreaOutline("Feature", code, geometry, properties))
    return AreaOutlines("FeatureCollection", tuple(features))


def areas_named(instance: Instance, name: str, level: int | None = None) -> list[AreaName]:
    """The areas a code, a name or an alternative name denotes (several when it is ambiguous)."""
    with read_transaction(instance.engine) as connection:
        policy.require(connection, instance, Action.READ)
        return list(name_index(connection).match(name, level=level))
