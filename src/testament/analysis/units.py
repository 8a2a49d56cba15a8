"""Unit linkage: where and when units were present, the incidents inside that presence, and which
units and places go together (docs/patterns.md, "Unit linkage").

Pure: no database. A :class:`Presence` is one placement of a unit: an area (by code, as the frame's
``areas`` name them) or a radius around a point, over a period whose ends may be unknown (open). An
incident is in a placement's place when the frame puts it in that area, or when its point lies within
the radius (great-circle distance). Its time is the range of days it may have happened on:

* *inside*: the whole range lies within the presence (the unit was there whenever it happened);
* *possibly*: the range only overlaps the presence (the unit may have been elsewhere at the time).

An incident inside any placement of a unit is inside for the unit, never also possibly. An incident
with no date at all is ``undated`` and linked to no unit; one with neither a point nor an area is
``unplaced``. An incident with one date bound known is open on the other side, as a placement is.

The co-occurrence graph (networkx) joins each unit to each place it was present in (weight: the
incidents inside that presence), and two units that were present in the same place at overlapping
times (weight: the number of such places). A point place is the point and radius as given: two
placements share it only when both are the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np
from numpy.typing import NDArray

from testament.analysis.frame import NO_DAY, IncidentFrame, day_text
from testament.analysis.outcome import Outcome, positions, references

EARTH_RADIUS_M = 6_371_008.8  # the mean Earth radius (IUGG), in metres
OPEN_START = np.iinfo(np.int64).min
OPEN_END = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Presence:
    """One placement: a unit in an area (``area``: its code) or within ``radius_m`` metres of a point,
    from ``day_from`` to ``day_to`` (day numbers since 1970-01-01, inclusive; None: unknown)."""

    id: str
    unit_id: str
    unit_name: str
    area: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    radius_m: float | None = None
    day_from: int | None = None
    day_to: int | None = None

    @property
    def place(self) -> str:
        """The place node's key: ``area:CODE`` or ``point:LAT,LON,RADIUS``."""
        if self.area is not None:
            return f"area:{self.area}"
        return f"point:{self.latitude:.6f},{self.longitude:.6f},{self.radius_m:g}"

    @property
    def span(self) -> tuple[int, int]:
        """The presence as closed day bounds, unknown ends open."""
        start = OPEN_START if self.day_from is None else int(self.day_from)
        end = OPEN_END if self.day_to is None else int(self.day_to)
        return start, end


def distances_m(
    lat: NDArray[np.float64], lon: NDArray[np.float64], latitude: float, longitude: float
) -> NDArray[np.float64]:
    """Great-circle (haversine) distances in metres from one point to many (NaN where a point lacks)."""
    phi1, phi2 = np.radians(latitude), np.radians(lat)
    dphi = phi2 - phi1
    dlambda = np.radians(lon - longitude)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlambda / 2) ** 2
    found: NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return found


class _Index:
    """What every placement reads from the frame, computed once."""

    def __init__(self, frame: IncidentFrame) -> None:
        self.frame = frame
        start = frame.day_from.astype(np.int64)
        end = frame.day_to.astype(np.int64)
        self.start = np.where(start == NO_DAY, OPEN_START, start)
        self.end = np.where(end == NO_DAY, OPEN_END, end)
        self.undated = (frame.day_from == NO_DAY) & (frame.day_to == NO_DAY)
        self.area_rows = frame.areas.rows()
        self.area_codes = frame.areas.codes
        self.area_index = {label: i for i, label in enumerate(frame.areas.labels)}

    def in_place(self, presence: Presence) -> NDArray[np.bool_]:
        """The incidents in the placement's area, or within its radius."""
        mask = np.zeros(len(self.frame), dtype=bool)
        if presence.area is not None:
            code = self.area_index.get(presence.area)
            if code is not None:
                mask[self.area_rows[self.area_codes == code]] = True
            return mask
        near = distances_m(
            self.frame.lat, self.frame.lon, float(presence.latitude or 0.0),
            float(presence.longitude or 0.0),
        )  # fmt: skip
        with np.errstate(invalid="ignore"):
            return near <= float(presence.radius_m or 0.0)

    def in_time(self, presence: Presence) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
        """The dated incidents whose range lies inside the presence, and those it overlaps."""
        first, last = presence.span
        overlap = (self.start <= last) & (self.end >= first) & ~self.undated
        inside = overlap & (self.start >= first) & (self.end <= last)
        return inside, overlap


@dataclass
class _Unit:
    """One unit's placements and what they link, as they are gathered."""

    unit_id: str
    name: str
    timeline: list[dict[str, Any]]
    inside: NDArray[np.bool_]
    overlap: NDArray[np.bool_]


def _when(day: int | None) -> str | None:
    return None if day is None else day_text(day)


def _entry(frame: IncidentFrame, presence: Presence, inside: int, possibly: int) -> dict[str, Any]:
    where: dict[str, Any] = (
        {"area": frame.name(presence.area), "area_code": presence.area}
        if presence.area is not None
        else {
            "latitude": presence.latitude,
            "longitude": presence.longitude,
            "radius_m": presence.radius_m,
        }
    )
    return {
        "placement": presence.id,
        **where,
        "from": _when(presence.day_from),
        "to": _when(presence.day_to),
        "inside": inside,
        "possibly": possibly,
    }


def _order(presences: Iterable[Presence]) -> list[Presence]:
    """By unit, then start (unknown first), end (unknown last) and ID: the timeline's order."""
    return sorted(presences, key=lambda p: (p.unit_name, p.unit_id, p.span, p.id))


def _gather(
    index: _Index, presences: Sequence[Presence]
) -> tuple[dict[str, _Unit], dict[tuple[str, str], NDArray[np.bool_]]]:
    """Each unit's timeline and masks, and the incidents inside each (unit, place) presence."""
    units: dict[str, _Unit] = {}
    linked: dict[tuple[str, str], NDArray[np.bool_]] = {}
    size = len(index.frame)
    for presence in _order(presences):
        unit = units.get(presence.unit_id)
        if unit is None:
            empty = np.zeros(size, dtype=bool)
            unit = _Unit(presence.unit_id, presence.unit_name, [], empty, empty.copy())
            units[presence.unit_id] = unit
        here = index.in_place(presence)
        inside, overlap = index.in_time(presence)
        inside &= here
        overlap &= here
        unit.inside |= inside
        unit.overlap |= overlap
        key = (presence.unit_id, presence.place)
        linked[key] = linked.get(key, np.zeros(size, dtype=bool)) | inside
        count = int(inside.sum())
        unit.timeline.append(_entry(index.frame, presence, count, int(overlap.sum()) - count))
    return units, linked


def _row(frame: IncidentFrame, unit: _Unit) -> dict[str, Any]:
    possibly = unit.overlap & ~unit.inside
    return {
        "unit": unit.name,
        "unit_id": unit.unit_id,
        "timeline": unit.timeline,
        "count": int(unit.inside.sum()),
        "incidents": references(frame, np.flatnonzero(unit.inside).tolist()),
        "possibly_count": int(possibly.sum()),
        "possibly": references(frame, np.flatnonzero(possibly).tolist()),
    }


def link_units(frame: IncidentFrame, presences: Sequence[Presence]) -> Outcome:
    """Per unit (by name): its presence timeline, the incidents inside it and those possibly in it;
    ``extra["graph"]``: the co-occurrence graph of units and places."""
    index = _Index(frame)
    units, linked = _gather(index, presences)
    rows = [_row(frame, unit) for unit in units.values()]
    graph = cooccurrence(frame, presences, {key: int(mask.sum()) for key, mask in linked.items()})
    return Outcome(
        rows=rows,
        unplaced=positions(~frame.placed & ~frame.in_an_area()),
        undated=positions(index.undated),
        extra={"graph": graph},
    )


def _overlaps(a: Presence, b: Presence) -> bool:
    (a_first, a_last), (b_first, b_last) = a.span, b.span
    return a_first <= b_last and b_first <= a_last


def _place_node(frame: IncidentFrame, presence: Presence) -> dict[str, Any]:
    if presence.area is not None:
        return {"kind": "area", "label": frame.name(presence.area), "area_code": presence.area}
    label = f"{presence.latitude:.5f}, {presence.longitude:.5f} ({presence.radius_m:g} m)"
    return {
        "kind": "point",
        "label": label,
        "latitude": presence.latitude,
        "longitude": presence.longitude,
        "radius_m": presence.radius_m,
    }


def _co_present(presences: Sequence[Presence]) -> dict[tuple[str, str], set[str]]:
    """For each pair of units, the places where both were present at overlapping times."""
    by_place: dict[str, list[Presence]] = {}
    for presence in presences:
        by_place.setdefault(presence.place, []).append(presence)
    shared: dict[tuple[str, str], set[str]] = {}
    for place, here in by_place.items():
        for i, a in enumerate(here):
            for b in here[i + 1 :]:
                if a.unit_id != b.unit_id and _overlaps(a, b):
                    pair = (min(a.unit_id, b.unit_id), max(a.unit_id, b.unit_id))
                    shared.setdefault(pair, set()).add(place)
    return shared


def cooccurrence(
    frame: IncidentFrame, presences: Sequence[Presence], linked: dict[tuple[str, str], int]
) -> dict[str, Any]:
    """The bipartite graph of units and places, with unit–unit edges, as ``{"nodes", "edges"}``
    in a stable order (nodes by kind then ID, edges by their ends)."""
    graph = nx.Graph()
    for presence in presences:
        unit = f"unit:{presence.unit_id}"
        graph.add_node(unit, kind="unit", label=presence.unit_name, bipartite=0)
        graph.add_node(presence.place, bipartite=1, **_place_node(frame, presence))
        weight = linked.get((presence.unit_id, presence.place), 0)
        graph.add_edge(unit, presence.place, kind="presence", weight=weight)
    for (a, b), places in _co_present(presences).items():
        graph.add_edge(f"unit:{a}", f"unit:{b}", kind="co-presence", weight=len(places))
    return serialised(graph)


_KIND_ORDER = {"unit": 0, "area": 1, "point": 2}


def serialised(graph: nx.Graph) -> dict[str, Any]:
    """A graph as JSON: nodes (``id`` and their attributes, less networkx's ``bipartite``) and edges
    (``source`` before ``target`` by ID), each in a stable order."""
    nodes = [
        {"id": node, **{k: v for k, v in data.items() if k != "bipartite"}}
        for node, data in graph.nodes(data=True)
    ]
    nodes.sort(key=lambda n: (_KIND_ORDER.get(n["kind"], 9), n["id"]))
    edges = [
        {"source": min(a, b), "target": max(a, b), **data} for a, b, data in graph.edges(data=True)
    ]
    edges.sort(key=lambda e: (e["source"], e["target"]))
    return {"nodes": nodes, "edges": edges}
