"""The gazetteer: loading administrative areas, and keeping each incident's areas in step.

Areas are reference data, not evidence: loading them records no custody event. Each area row names the
file it came from and that file's digest (``dataset``). An area belongs to one situation (Ukraine's
oblasts, Syria's governorates) or to none (shared by every case). Reloading a file updates areas in
place by (situation, level, code), so area IDs, and the incidents pointing at them, stay put; areas
missing from a newer file are kept (incidents may name them) and reported.

``incident_area`` is derived and recomputed: an incident with coordinates lies in every area whose outline
contains the point (method ``point``), among the areas of its case's situation and the shared ones (all
areas when its case is in no situation); an incident without coordinates, or whose point lies in no
area, keeps the area it was given (method ``given``). Callers that write incidents call :func:`assign`
in the same transaction; :func:`load` reassigns every incident.

When no loaded area contains a point, :func:`locate` answers with the nearest GeoNames place
(:mod:`testament.analysis.fallback_geocoder`), marked approximate.
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
from numpy.typing import NDArray
from sqlalchemy import Connection

from testament.analysis import fallback_geocoder
from testament.analysis.fallback_geocoder import NearestPlace
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
    situation: str | None
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
    situation: str | None = None  # None: shared by every case


@dataclass(frozen=True)
class Location:
    """The areas a point lies in; when none, the areas the swapped point (lon, lat) would lie in, and
    the nearest GeoNames place (approximate; None when it is farther than the fallback's limit)."""

    areas: tuple[AreaName, ...]
    swapped: tuple[AreaName, ...]
    nearest: NearestPlace | None = None
    loaded: bool = True  # whether any area was loaded to look in


# --- Loading ------------------------------------------------------------------------------------------


def load(
    instance: Instance,
    path: Path,
    *,
    level: int,
    name_field: str,
    alt_names_field: str | Sequence[str] | None = None,
    code_field: str | None = None,
    dataset: str | None = None,
    situation: str | None = None,
) -> LoadReport:
    """Load (or reload) a GeoJSON file's areas at ``level``, into ``situation`` (None: shared by every
    case), then reassign every incident; one transaction. ``alt_names_field`` names one property or
    several (one per language or script) holding alternative names."""
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
        situation_id = None if situation is None else _situation_id(connection, situation)
        added, updated, unchanged, kept = _store(connection, level, features, label, situation_id)
        _CACHE.pop(connection.get_transaction(), None)
        assignment = assign_all(connection)
    repaired = tuple(
        f"features[{f.index}] ({f.name}): {f.repaired}; repaired with make_valid"
        for f in features
        if f.repaired
    )
    return LoadReport(
        str(path), label, level, situation, added, updated, unchanged, kept, repaired, assignment
    )


def _situation_id(connection: Connection, name: str) -> str:
    found = queries.situation_named(connection, name)
    if found is None:
        raise NotFound(
            f"no situation is called {name!r}",
            where="--situation",
            hint="`testament situation list` shows them; create one with `testament situation create`",
        )
    return found


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidInput(
            f"cannot read the GeoJSON file: {exc.strerror}",
            where=str(path),
            hint="give the path of a GeoJSON FeatureCollection of administrative areas",
        ) from None


def _row(area: AreaFeature, level: int, dataset: str, situation_id: str | None) -> dict[str, Any]:
    min_x, min_y, max_x, max_y = area.geometry.bounds
    return {
        "situation_id": situation_id,
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
    connection: Connection,
    level: int,
    features: Sequence[AreaFeature],
    dataset: str,
    situation_id: str | None,
) -> tuple[int, int, int, int]:
    """Insert or update by (situation, level, code); return added, updated, unchanged and kept counts."""
    stored = {r["code"]: r for r in queries.areas_of_level(connection, level, situation_id)}
    new, updated, unchanged = [], 0, 0
    for area in features:
        row = _row(area, level, dataset, situation_id)
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
            situation=row["situation"],
            geometry=outline,
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
    point_index, area_index = _within_situations(index, rows, *index.pairs(lat, lon))
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
    swapped_index, swapped_area = index.pairs(lon[unlocated], lat[unlocated])
    swapped_index, _ = _within_situations(index, rows, unlocated[swapped_index], swapped_area)
    swapped = tuple(rows[i]["id"] for i in np.unique(swapped_index).tolist())
    return AssignReport(len(rows), len(links), len(given), int(unlocated.size), swapped)


def _within_situations(
    index: Gazetteer,
    rows: Sequence[Mapping[Any, Any]],
    point_index: NDArray[np.intp],
    area_index: NDArray[np.intp],
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Keep the (incident, area) pairs where the area is shared, the incident's case is in no
    situation, or both belong to the same situation."""
    numbers: dict[str | None, int] = {None: -1}
    for name in [a.situation for a in index.areas] + [r["situation"] for r in rows]:
        numbers.setdefault(name, len(numbers))
    area_situation = np.array([numbers[a.situation] for a in index.areas], np.intp)
    row_situation = np.array([numbers[r["situation"]] for r in rows], np.intp)
    if not area_index.size:
        return point_index, area_index
    of_area, of_row = area_situation[area_index], row_situation[point_index]
    keep = (of_area == -1) | (of_row == -1) | (of_area == of_row)
    return point_index[keep], area_index[keep]


# --- Reading areas ------------------------------------------------------------------------------------


def areas(
    instance: Instance, level: int | None = None, situation: str | None = None
) -> list[AreaRecord]:
    """The stored areas (all levels, or one), by level and code; with ``situation``, only that
    situation's areas and the shared ones."""
    with read_transaction(instance.engine) as connection:
        policy.require(connection, instance, Action.READ)
        if situation is not None:
            _situation_id(connection, situation)
        rows = queries.stored_areas(connection, level, situation)
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
            row["situation"],
        )
        for row in rows
    ]


def _read_names(connection: Connection) -> NameIndex:
    return NameIndex(
        AreaName(
            row["id"],
            row["level"],
            row["code"],
            row["name"],
            tuple(json.loads(row["alt_names"])),
            row["situation"],
        )
        for row in queries.area_name_rows(connection)
    )


def name_index(connection: Connection) -> NameIndex:
    """Every stored area by code, name and alternative name (built once per transaction)."""
    return _cached(connection, "names", lambda: _read_names(connection))


def _describe(area: AreaName) -> str:
    """An area as a person picks it from several: name, code, level and situation."""
    where = f", {area.situation}" if area.situation else ""
    return f"{area.name} ({area.code}, level {area.level}{where})"


def find_area(
    connection: Connection,
    name: str,
    *,
    level: int | None = None,
    where: str | None = None,
    case_id: str | None = None,
) -> int | None:
    """The ID of the area a code, name or alternative name denotes (case-insensitive), or None.

    With ``case_id``, among the areas of the case's situation and the shared ones (all areas when the
    case is in no situation). Codes win over names and names over alternative names. A name that
    denotes several areas (GADM gives "Kyiv" as an alternative name of both Kyiv City and Kyiv oblast;
    two situations may each have a "Tripoli") is refused with the candidates.
    """
    situation = None if case_id is None else queries.case_situation_name(connection, case_id)
    situations = None if situation is None else {situation}
    found = name_index(connection).match(name, level=level, situations=situations)
    if len(found) > 1:
        candidates = ", ".join(_describe(a) for a in found)
        advice = "give one of their codes instead"
        if len({a.code for a in found}) < len(found):
            advice = (
                "the same code is loaded in several situations; name the area from a case in one"
            )
        raise InvalidInput(
            f"{name!r} names {len(found)} administrative areas",
            where=where,
            hint=f"{advice}: {candidates}",
        )
    return found[0].id if found else None


def locate(
    instance: Instance, latitude: object, longitude: object, situation: str | None = None
) -> Location:
    """The areas a point lies in (with ``situation``: that situation's and the shared ones), with the
    swapped-coordinates hint, and the nearest GeoNames place when it lies in none."""
    point = places.point(latitude, longitude, where="the coordinates")
    with read_transaction(instance.engine) as connection:
        policy.require(connection, instance, Action.READ)
        if situation is not None:
            _situation_id(connection, situation)
        index = gazetteer(connection)
    wanted = [a.situation is None or situation in (None, a.situation) for a in index.areas]
    if not all(wanted):
        index = Gazetteer(a for a, keep in zip(index.areas, wanted, strict=True) if keep)
    found = tuple(index.locate(point.latitude, point.longitude))
    swapped: tuple[AreaName, ...] = ()
    if index.areas and index.swapped_hint(point.latitude, point.longitude):
        swapped = tuple(index.locate(point.longitude, point.latitude))
    nearest = None
    if not found:
        nearest = fallback_geocoder.country_and_area(point.latitude, point.longitude)
    return Location(found, swapped, nearest, bool(index.areas))


def areas_geojson(
    instance: Instance, level: int = 1, tolerance: float = 0.01, situation: str | None = None
) -> AreaOutlines:
    """The areas of ``level`` as a GeoJSON FeatureCollection, simplified for drawing on a map; with
    ``situation``, only that situation's areas and the shared ones.

    ``tolerance`` is in degrees (0.01° is about a kilometre); topology is kept so borders still meet.
    """
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        if situation is not None:
            _situation_id(conn, situation)
        rows = queries.level_outlines(conn, level, situation)
    features = []
    for row in rows:
        code, name = row["code"], row["name"]
        shape = shapely.from_wkb(row["geometry"]).simplify(tolerance, preserve_topology=True)
        geometry = shapely.geometry.mapping(shape)
        properties = {"code": code, "name": name}
        features.append(AreaOutline("Feature", code, geometry, properties))
    return AreaOutlines("FeatureCollection", tuple(features))


def areas_named(
    instance: Instance, name: str, level: int | None = None, situation: str | None = None
) -> list[AreaName]:
    """The areas a code, a name or an alternative name (in any script) denotes: several when it is
    ambiguous, each with its situation. With ``situation``, only that situation's areas and the
    shared ones: the same name in two situations ("Tripoli" in Lebanon and in Libya) is told apart
    by naming the situation."""
    with read_transaction(instance.engine) as connection:
        policy.require(connection, instance, Action.READ)
        if situation is not None:
            _situation_id(connection, situation)
        situations = None if situation is None else {situation}
        return list(name_index(connection).match(name, level=level, situations=situations))


def situation_of(
    instance: Instance, *, case: str | None = None, incident_id: str | None = None
) -> str | None:
    """The situation of a case (named or numbered) or of an incident's case; None when it is in
    none. The incident form's place search offers that situation's areas and the shared ones."""
    kind = None if incident_id is None else "incident"
    with read_transaction(instance.engine) as connection:
        case_id = policy.require(
            connection, instance, Action.READ, case=case, kind=kind, record_id=incident_id
        )
        return None if case_id is None else queries.case_situation_name(connection, case_id)
