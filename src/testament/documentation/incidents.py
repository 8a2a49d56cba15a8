"""Incidents: what happened, when, where, to what, with which weapons, and how many were harmed.

What a documenter states is declared in :data:`testament.documentation.kinds.INCIDENT`; the date,
point and area become stored fields here.

:func:`prepare` turns loosely typed input (CLI options, a TimeMap event, a CSV row) into validated fields,
raising :class:`InvalidInput` that names the field. Importers call it per row, then write all rows with
:func:`write_new` in one transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Connection

from testament.analysis import regions
from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import evidence, gazetteer, records, repository
from testament.documentation.kinds import INCIDENT
from testament.documentation.record_views import (
    Area,
    Casualty,
    EvidenceLink,
    IncidentListed,
    IncidentRole,
    IncidentSource,
    IncidentUnit,
    IncidentView,
    Qualification,
    Relation,
    made,
)
from testament.domain import dates, places
from testament.domain.access import Action
from testament.domain.results import Result
from testament.errors import InvalidInput, NotFound
from testament.search import indexing
from testament.storage.engine import read_transaction
from testament.taxonomy import vocabulary

LISTS = {f.name: f.vocabulary for f in INCIDENT.fields if f.shape == "texts" and f.vocabulary}
QUALIFIERS = ("exact", "at-least", "approximate")


@dataclass
class IncidentInput:
    """What a documenter states about an incident; every field optional but the title."""

    title: str
    description: str = ""
    date: str = ""
    date_from: str = ""
    date_to: str = ""
    us_dates: bool = False
    latitude: object = None
    longitude: object = None
    uncertainty_m: object = None
    area: str = ""
    area_id: int | None = None
    place_text: str = ""
    status: str = "reported"
    types: Sequence[str] = ()
    targets: Sequence[str] = ()
    weapons: Sequence[str] = ()
    sensitivity: Sequence[str] = ()
    unmapped: Mapping[str, Sequence[str]] = field(default_factory=dict)
    external_ns: str | None = None
    external_id: str | None = None


def _date(given: IncidentInput, where: str | None) -> dates.ReportedDate:
    if given.date_from or given.date_to:
        if given.date:
            raise InvalidInput("give a date or an estimated range (from/to), not both", where=where)
        return dates.estimate(given.date_from, given.date_to, where=where)
    return dates.parse(given.date, where=where, us_order=given.us_dates)


def prepare(
    connection: Connection, case_id: str, given: IncidentInput, *, where: str | None = None
) -> dict[str, Any]:
    """Validated fields of a new incident (``where`` names the input: an option, a row, a file)."""
    when = _date(given, where)
    point = None
    if given.latitude not in (None, "") or given.longitude not in (None, ""):
        point = places.point(given.latitude, given.longitude, given.uncertainty_m, where=where)
    area_id = given.area_id
    if given.area:
        area_id = gazetteer.find_area(connection, given.area, case_id=case_id)
        if area_id is None:
            raise InvalidInput(
                f"no administrative area is called {given.area!r}",
                where=where,
                hint="load areas with `testament gazetteer load`, or see `testament gazetteer list`",
            )
    values: dict[str, Any] = {
        "case_id": case_id,
        "occurred_from": when.start,
        "occurred_to": when.end,
        "date_precision": when.precision.value,
        "date_text": when.text,
        "latitude": point.latitude if point else None,
        "longitude": point.longitude if point else None,
        "uncertainty_m": point.uncertainty_m if point else None,
        "area_id": area_id,
        "unmapped": {k: list(v) for k, v in sorted(given.unmapped.items()) if v},
        "external_ns": given.external_ns,
        "external_id": given.external_id,
    }
    for declared in INCIDENT.fields:  # the plain fields, each checked as its declaration says
        if declared.check is not None and declared.stored:
            values[declared.stored] = declared.check(getattr(given, declared.name), where)
    return values


def after_write(connection: Connection, incident_ids: Sequence[str]) -> None:
    """Keep derived data in step with incidents written in this transaction: areas, then the search index."""
    gazetteer.assign(connection, list(incident_ids))
    indexing.refresh(connection, "incident", list(incident_ids))


def write_new(
    connection: Connection, rows: Sequence[Mapping[str, Any]], *, agent_id: int
) -> list[str]:
    """Insert prepared incidents as version 1, with their custody events and derived data.

    The derived data comes first, while other writers may still append to the custody log.
    """
    return history.create_many(
        connection,
        "incident",
        rows,
        agent_id=agent_id,
        derive=lambda ids: after_write(connection, ids),
    )


def create(instance: Instance, case_name: str, given: IncidentInput) -> str:
    with recording(instance) as conn:
        cid = str(policy.require(conn, instance, Action.DOCUMENT, case=case_name))
        row = prepare(conn, cid, given)
        return write_new(conn, [row], agent_id=acting_agent(conn))[0]


def edit(
    instance: Instance,
    incident_id: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> int:
    """Change fields of an incident (``changes`` as :class:`IncidentInput` field names); returns the version."""
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="incident", record_id=incident_id)
        row = history.current(conn, "incident", incident_id)
        before = history.snapshot("incident", row)
        merged = IncidentInput(**_as_input(before) | dict(changes))
        if "area" in changes:
            merged.area_id = None
        fresh = prepare(conn, row["case_id"], merged, where=incident_id)
        version = history.update(
            conn,
            "incident",
            incident_id,
            fresh,
            agent_id=acting_agent(conn),
            expected_version=expected_version,
        )
        after_write(conn, [incident_id])
        return version


def _as_input(data: Mapping[str, Any]) -> dict[str, Any]:
    """An incident's version data back in :class:`IncidentInput` terms (for partial edits)."""
    precise = data["date_precision"] in ("exact", "day", "month", "year")
    plain = {f.name: data[f.stored] for f in INCIDENT.fields if f.check is not None and f.stored}
    return plain | {
        "date": data["date_text"] if precise else "",
        "date_from": "" if precise else (data["occurred_from"] or ""),
        "date_to": "" if precise else (data["occurred_to"] or ""),
        "us_dates": True,
        "latitude": data["latitude"],
        "longitude": data["longitude"],
        "uncertainty_m": data["uncertainty_m"],
        "area_id": data["area_id"],
        "unmapped": data["unmapped"],
        "external_ns": data["external_ns"],
        "external_id": data["external_id"],
    }


def delete(instance: Instance, incident_id: str, *, expected_version: int | None = None) -> int:
    return records.delete(
        instance,
        INCIDENT,
        incident_id,
        expected_version=expected_version,
        then=lambda conn, record_id: after_write(conn, [record_id]),
    )


def add_casualty(
    instance: Instance,
    incident_id: str,
    *,
    category: str,
    count: object,
    qualifier: str = "exact",
    source_id: str | None = None,
    note: str = "",
) -> str:
    """Record one casualty figure of an incident, with the source that gives it."""
    number = count if isinstance(count, int) and not isinstance(count, bool) else None
    if isinstance(count, str) and count.strip().isdigit():
        number = int(count)
    if number is None or number < 0:
        raise InvalidInput(
            f"a casualty count must be a whole number of zero or more, not {count!r}",
            where="--count",
        )
    if qualifier not in QUALIFIERS:
        raise InvalidInput(
            f"{qualifier!r} is not a qualifier",
            where="--qualifier",
            hint=f"use {', '.join(QUALIFIERS)}",
        )
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="incident", record_id=incident_id)
        incident = history.current(conn, "incident", incident_id)
        if source_id is not None:
            _same_case_source(conn, source_id, incident["case_id"])
        values = {
            "incident_id": incident_id,
            "category": vocabulary.require_one("casualty-categories", category, where="--category"),
            "count": number,
            "qualifier": qualifier,
            "source_id": source_id,
            "note": note,
        }
        return history.create(conn, "casualty", values, agent_id=acting_agent(conn))


def _same_case_source(connection: Connection, source_id: str, case_id: str) -> None:
    """A casualty figure cites a source of its incident's case; another case's source is answered as
    absent, so the incident's readers learn nothing of the other case."""
    try:
        source = history.current(connection, "source", source_id)
    except NotFound:
        source = {"case_id": None}
    if source["case_id"] != case_id:
        raise NotFound("no source of the incident's case has this ID", where=source_id)


def relate(
    instance: Instance, incident_id: str, related_id: str, relation: str, note: str = ""
) -> str:
    """Relate two incidents (part of, follows, the same event reported twice …)."""
    if incident_id == related_id:
        raise InvalidInput("an incident cannot be related to itself", where=incident_id)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="incident", record_id=incident_id)
        policy.require(conn, instance, Action.READ, kind="incident", record_id=related_id)
        first = history.current(conn, "incident", incident_id)
        second = history.current(conn, "incident", related_id)
        if first["case_id"] != second["case_id"]:
            raise InvalidInput(
                "related incidents must be in the same case", where=f"{incident_id} {related_id}"
            )
        values = {
            "incident_id": incident_id,
            "related_id": related_id,
            "relation": vocabulary.require_one("incident-relations", relation, where="--relation"),
            "note": note,
        }
        return history.create(conn, "incident-relation", values, agent_id=acting_agent(conn))


# What an incident shows linked to it: each a kind of record, the column that names the incident, and
# its view.
LINKED: Mapping[str, tuple[str, type[Result]]] = {
    "casualties": ("casualty", Casualty),
    "relations": ("incident-relation", Relation),
    "roles": ("person-role", IncidentRole),
    "units": ("unit-involvement", IncidentUnit),
    "sources": ("incident-source", IncidentSource),
    "evidence": ("item-incident", EvidenceLink),
    "qualifications": ("qualification", Qualification),
}


def _links(conn: Connection, data: dict[str, Any]) -> dict[str, Any]:
    """An incident's areas, warnings about its place, and every live record linked to it."""
    areas = repository.incident_areas(conn, data["id"])
    found: dict[str, Any] = {
        "areas": [made(Area, area) for area in areas],
        "warnings": _place_warnings(conn, data, areas),
    }
    for name, (kind, _) in LINKED.items():
        rows = repository.live_rows(conn, kind, "incident_id", data["id"], oldest_first=False)
        found[name] = [
            {k: v for k, v in r.items() if k not in repository.BOOKKEEPING} for r in rows
        ]
    evidence.name_items(conn, found["evidence"])
    for name, (_, view) in LINKED.items():
        found[name] = [made(view, row) for row in found[name]]
    return found


def show(instance: Instance, incident_id: str) -> IncidentView:
    """An incident with everything linked to it (areas, casualties, people, units, sources, evidence)."""
    return records.show(instance, INCIDENT, incident_id, _links)


def _place_warnings(
    connection: Connection, data: Mapping[str, Any], areas: Sequence[Mapping[str, Any]]
) -> list[str]:
    """Say so when a point lies in no loaded area but would with latitude and longitude swapped.

    The point is kept as given: only the documenter can tell a swap from a place outside the areas.
    """
    latitude, longitude = data.get("latitude"), data.get("longitude")
    if latitude is None or longitude is None:
        return []
    if any(area["method"] == "point" for area in areas):
        return []
    index = gazetteer.gazetteer(connection)
    if not index.areas or not index.swapped_hint(float(latitude), float(longitude)):
        return []
    names = ", ".join(area.name for area in index.locate(float(longitude), float(latitude)))
    return [
        f"latitude and longitude look swapped: ({longitude}, {latitude}) lies in {names}; "
        "the point is kept as given"
    ]


@dataclass(frozen=True)
class ListFilter:
    """What a list of a case's incidents may be narrowed to (all optional)."""

    status: str | None = None
    date_from: str | None = None  # YYYY-MM-DD: incidents that end on or after it
    date_to: str | None = None  # YYYY-MM-DD: incidents that start on or before it
    label: str | None = None  # a sensitivity label
    bbox: str | None = None  # west,south,east,north: incidents whose point lies in the box
    polygon: str | None = None  # lon,lat;lon,lat;…: incidents whose point lies in the polygon

    def check(self) -> ListFilter:
        problems = {}
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and not _is_day(value):
                problems[name] = "a date as YYYY-MM-DD"
        if not problems and self.date_from and self.date_to and self.date_from > self.date_to:
            problems["date_to"] = f"the date range ends ({self.date_to}) before it starts"
        if self.status is not None and self.status not in vocabulary.codes("incident-status"):
            problems["status"] = "one of " + ", ".join(sorted(vocabulary.codes("incident-status")))
        if problems:
            raise InvalidInput("the list cannot be filtered this way", errors=problems)
        self.region()
        return self

    def region(self) -> regions.Region | None:
        """The area drawn on the map, if any (refused with the reason when it is not an area)."""
        return regions.parse(self.bbox, self.polygon)

    def narrowed(self, *, dates: bool = True) -> repository.IncidentFilter:
        """The filter as the queries take it: a drawn area as its bounding box (a polygon's own
        outline is tested on the points found, by :func:`inside`)."""
        area = self.region()
        box = None if area is None else repository.Box(*area.box)
        if not dates:
            return repository.IncidentFilter(self.status, None, None, self.label, box)
        return repository.IncidentFilter(self.status, self.date_from, self.date_to, self.label, box)


def inside(region: regions.Region | None, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows whose point lies in a drawn polygon (all of them for no region or a box: the query
    narrowed those already)."""
    if region is None or not region.corners or not rows:
        return rows
    lon = [np.nan if r["longitude"] is None else r["longitude"] for r in rows]
    lat = [np.nan if r["latitude"] is None else r["latitude"] for r in rows]
    return [r for r, keep in zip(rows, region.contains(lon, lat).tolist(), strict=True) if keep]


def _is_day(text: str) -> bool:
    try:
        return date.fromisoformat(text).isoformat() == text
    except ValueError:
        return False


def list_for_case(
    instance: Instance,
    case_name: str,
    *,
    limit: int = 100,
    offset: int = 0,
    only: ListFilter | None = None,
) -> list[IncidentListed]:
    """A page of the case's live incidents in date order, narrowed as ``only`` says."""
    wanted = (only or ListFilter()).check()
    narrowed, region = wanted.narrowed(), wanted.region()
    polygon = region is not None and bool(region.corners)

    def rows(conn: Connection, case_id: str | None) -> list[dict[str, Any]]:
        found = repository.incidents_of_case(
            conn,
            str(case_id),
            narrowed,
            limit=None if polygon else limit,
            offset=0 if polygon else offset,
        )
        if polygon:  # the box found the candidates; the polygon's outline decides, then the page
            found = inside(region, found)[offset : offset + limit]
        # the labels are listed everywhere an incident is (the web-application issue)
        return [r | {"sensitivity": json.loads(r["sensitivity"] or "[]")} for r in found]

    return records.listed(instance, INCIDENT, case_name, rows)


@dataclass(frozen=True)
class TimelineMonth(Result):
    """How many of a case's incidents began in a month (``YYYY-MM``)."""

    month: str
    incidents: int


def timeline(instance: Instance, case_name: str) -> list[TimelineMonth]:
    """How many of the case's incidents began in each month, oldest first (undated ones left out)."""
    with read_transaction(instance.engine) as conn:
        cid = policy.require(conn, instance, Action.READ, case=case_name)
        months = repository.incidents_by_month(conn, str(cid))
    return [TimelineMonth(month, count) for month, count in months]


MAP_POINTS_AT_MOST = 2000  # more than this in view and the map gets clusters instead of points
MAP_CELLS_PER_TILE = 4  # a cluster cell is a quarter of a 256-pixel tile: 64 pixels at any zoom
MAP_MAX_ZOOM = 20


@dataclass(frozen=True)
class MapView:
    """The part of the map on screen: a box in degrees (west, south, east, north) and Leaflet's zoom."""

    west: float
    south: float
    east: float
    north: float
    zoom: int

    @classmethod
    def parse(cls, bbox: str, zoom: int) -> MapView:
        """From ``west,south,east,north`` and a zoom level, naming what is wrong."""
        parts = bbox.split(",")
        problems: dict[str, str] = {}
        try:
            west, south, east, north = (float(p) for p in parts)
        except ValueError:
            west = south = east = north = 0.0
            problems["bbox"] = "four numbers: west,south,east,north in degrees"
        else:
            if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
                problems["bbox"] = "west < east within -180..180 and south < north within -90..90"
        if not 0 <= zoom <= MAP_MAX_ZOOM:
            problems["zoom"] = f"a zoom level from 0 to {MAP_MAX_ZOOM}"
        if problems:
            raise InvalidInput("the map cannot show this view", errors=problems)
        return cls(west, south, east, north, zoom)


@dataclass(frozen=True)
class MapFeatures(Result):
    """A GeoJSON FeatureCollection of a case's incidents, with how many are in view and whether the
    features are clusters."""

    type: str
    features: list[dict[str, Any]]
    total: int
    clustered: bool

    def as_json(self) -> dict[str, Any]:
        # The features are JSON values already: walking 100k of them again would double the map's time.
        return {
            "type": self.type,
            "features": self.features,
            "total": self.total,
            "clustered": self.clustered,
        }


def map_points(
    instance: Instance,
    case_name: str,
    view: MapView | None = None,
    *,
    at_most: int = MAP_POINTS_AT_MOST,
    only: ListFilter | None = None,
) -> MapFeatures:
    """The case's incidents that have coordinates (within ``view``, if given), as a GeoJSON
    FeatureCollection for the map.

    Up to ``at_most`` come back as points. Past that they come back as clusters: the
    count and mean position of the incidents in each cell of a grid fixed to the globe (so clusters stay
    put while the map pans), sized for ``view``'s zoom, or for the incidents' extent without a view.
    ``total`` is the number of incidents in view either way; ``clustered`` says which came back.
    ``only`` narrows them as the list is narrowed (dates, status, label, an area drawn on the map).
    """
    box = None if view is None else repository.Box(view.west, view.south, view.east, view.north)
    wanted = (only or ListFilter()).check()
    narrowed, region = wanted.narrowed(), wanted.region()
    with read_transaction(instance.engine) as conn:
        cid = str(policy.require(conn, instance, Action.READ, case=case_name))
        if region is not None and region.corners:  # the polygon's outline is tested point by point
            features = _in_polygon(region, repository.placed_points(conn, cid, box, narrowed))
            total = len(features)
            if total > at_most:
                extent = [region.west, region.east, region.south, region.north]
                features = _clustered(features, _cell_size(view, extent))
            return MapFeatures("FeatureCollection", features, total, total > at_most)
        total, extent = repository.placed_extent(conn, cid, box, narrowed)
        if total > at_most:
            cell = _cell_size(view, extent)
            features = repository.placed_clusters(conn, cid, box, cell, narrowed)
        else:
            features = repository.placed_points(conn, cid, box, narrowed)
    return MapFeatures("FeatureCollection", features, total, total > at_most)


def _in_polygon(region: regions.Region, features: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not features:
        return features
    lon, lat = np.array([f["geometry"]["coordinates"] for f in features], dtype=np.float64).T
    return [f for f, keep in zip(features, region.contains(lon, lat).tolist(), strict=True) if keep]


def _clustered(features: list[dict[str, Any]], cell: float) -> list[dict[str, Any]]:
    """Points as clusters on the same globe-fixed grid as the database's (:func:`map_points`)."""
    lon, lat = np.array([f["geometry"]["coordinates"] for f in features], dtype=np.float64).T
    cells = np.stack([np.floor((lon + 180) / cell), np.floor((lat + 90) / cell)], axis=1)
    _, which, counts = np.unique(cells, axis=0, return_inverse=True, return_counts=True)
    which = which.ravel()
    mean_lon = np.bincount(which, lon) / counts
    mean_lat = np.bincount(which, lat) / counts
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(x), float(y)]},
            "properties": {"cluster": True, "count": int(n)},
        }
        for x, y, n in zip(mean_lon.tolist(), mean_lat.tolist(), counts.tolist(), strict=True)
    ]


def _cell_size(view: MapView | None, extent: Sequence[float]) -> float:
    """A cluster cell's side in degrees: 64 pixels at the view's zoom, or a 16th of the data's extent."""
    if view is not None:
        return 360.0 / (1 << view.zoom) / MAP_CELLS_PER_TILE
    west, east, south, north = extent
    return float(max(east - west, north - south, 1e-6)) / 16


def versions(instance: Instance, kind: str, record_id: str) -> list[history.Version]:
    """Every version of a documentation record of any kind, oldest first."""
    return records.versions_of_any(instance, kind, record_id)
