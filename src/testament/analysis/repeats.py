"""Repeat strikes: every pair of incidents within R metres and H hours of each other, and the
connected groups of those pairs (docs/patterns.md, "Repeat strikes").

Pure: no database. Distance is great-circle, by the haversine formula on a sphere of the mean Earth
radius (IUGG, 6,371,008.8 m). Repeats use every incident with coordinates, inside any area or not;
one without is *unplaced*. Time has two rules, and each pair says which it met:

* ``hours``: both incidents have an exact time, and they are at most H hours apart;
* ``days``: otherwise, when both are dated to the day (one day known, or an exact time's UTC day),
  their dates are at most ⌈H/24⌉ calendar days apart.

An incident dated more coarsely than a day (a month, a range of days) is *undated* for repeats.

The search is never quadratic. Points are placed as unit vectors in 3-D space (in metres), in cubes
whose side is at least R (a chord is never longer than its arc), and days in buckets of ⌈H/24⌉ days:
two incidents within R and H lie in neighbouring cubes and buckets. The antimeridian and the poles
need no special case there, as longitude wraps nowhere in 3-D. Cubes and buckets are numbered so that
the three buckets of a cube are consecutive keys: one sort of the keys and two binary searches per
neighbouring cube give every candidate, taken a bounded chunk at a time.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from testament.analysis.frame import NO_DAY, IncidentFrame
from testament.analysis.outcome import Outcome, positions, references
from testament.errors import InvalidInput

EARTH_RADIUS_M = 6_371_008.8  # the mean Earth radius (IUGG), in metres
DAY_S = 86_400
_CHUNK = 1 << 18  # candidate pairs tested at once
_SPATIAL_CELLS = 1 << 40  # most cubes a key may number; beyond, cubes grow (never below R)
_TIME_BUCKETS = 1 << 21
# The 13 neighbouring cubes "after" a cube, and the cube itself: each pair of cubes is taken once.
_OFFSETS = [o for o in itertools.product((-1, 0, 1), repeat=3) if o >= (0, 0, 0)]


def check(*, radius_m: float, window_h: float) -> None:
    """Refuse a radius or window that cannot give a result, naming the option."""
    for option, value, unit in (
        ("--radius-m", radius_m, "metres"),
        ("--window-h", window_h, "hours"),
    ):
        if not (math.isfinite(value) and value > 0):
            raise InvalidInput(
                f"{value} is not a {option[2:].split('-')[0]} above 0",
                where=option, hint=f"a number of {unit} above 0",
                errors={option.lstrip("-").replace("-", "_"): f"a number of {unit} above 0"},
            )  # fmt: skip


def window_days(window_h: float) -> int:
    """The days rule's window: ⌈H/24⌉ calendar days."""
    return max(1, math.ceil(window_h / 24))


def haversine_m(
    lat1: NDArray[np.float64], lon1: NDArray[np.float64],
    lat2: NDArray[np.float64], lon2: NDArray[np.float64],
) -> NDArray[np.float64]:  # fmt: skip
    """Great-circle distance in metres between points given in radians."""
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    result: NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return result


class _Points:
    """The incidents a search uses, as radians, exact seconds (NaN when not exact) and days."""

    def __init__(self, frame: IncidentFrame) -> None:
        exact = ~np.isnan(frame.seconds)
        dayed = (frame.day_from == frame.day_to) & (frame.day_from != NO_DAY)
        self.placed = frame.placed
        self.timed = exact | dayed
        self.index = np.flatnonzero(self.placed & self.timed).astype(np.int64)
        self.lat = np.radians(frame.lat[self.index])
        self.lon = np.radians(frame.lon[self.index])
        self.seconds = frame.seconds[self.index]
        from_seconds = np.floor(np.nan_to_num(self.seconds) / DAY_S).astype(np.int64)
        self.day = np.where(exact[self.index], from_seconds, frame.day_from[self.index])

    def reorder(self, order: NDArray[np.int64]) -> None:
        """Put the points used in this order (the search's key order)."""
        self.index, self.lat, self.lon = self.index[order], self.lat[order], self.lon[order]
        self.seconds, self.day = self.seconds[order], self.day[order]


def _keys(
    points: _Points, radius_m: float, days: int
) -> tuple[NDArray[np.int64], tuple[int, int, int]]:
    """Each point's key, and the key strides of a cube's x, y and z: its cube (side >= R) and day
    bucket (>= the days rule's window), numbered so that a cube's buckets t-1, t, t+1 are consecutive
    keys and a neighbour never wraps into another row. Cubes and buckets grow (by doubling) where
    their numbers would not fit a 64-bit key, which makes more candidates, never fewer pairs."""
    cos_lat = np.cos(points.lat)
    xyz = np.stack([cos_lat * np.cos(points.lon), cos_lat * np.sin(points.lon),
                    np.sin(points.lat)]) * EARTH_RADIUS_M  # fmt: skip
    side = float(radius_m)
    while True:
        cells = np.floor(xyz / side).astype(np.int64)
        cells -= cells.min(axis=1, keepdims=True) - 1
        nx, ny, nz = (int(c.max()) + 2 for c in cells)
        if nx * ny * nz <= _SPATIAL_CELLS:
            break
        side *= 2
    bucket = days
    while True:
        time = points.day // bucket
        time -= time.min() - 1
        span = int(time.max()) + 2
        if span <= _TIME_BUCKETS:
            break
        bucket *= 2
    keys: NDArray[np.int64] = ((cells[0] * ny + cells[1]) * nz + cells[2]) * span + time
    return keys, (ny * nz * span, nz * span, span)


def _candidates(
    keys: NDArray[np.int64], strides: tuple[int, int, int]
) -> Iterator[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """Chunks of (p, q) positions in ``keys`` (sorted): every pair of points in neighbouring cubes
    and buckets, each once (p < q within a cube)."""
    unique, inverse = np.unique(keys, return_inverse=True)
    position = np.arange(keys.size, dtype=np.int64)
    for dx, dy, dz in _OFFSETS:
        delta = dx * strides[0] + dy * strides[1] + dz * strides[2]
        lo = np.searchsorted(keys, unique + (delta - 1), side="left")[inverse]
        hi = np.searchsorted(keys, unique + (delta + 1), side="right")[inverse]
        if (dx, dy, dz) == (0, 0, 0):
            lo = np.maximum(lo, position + 1)
        counts = np.maximum(hi - lo, 0)
        ends = np.cumsum(counts)
        begin = 0
        while begin < keys.size:
            done = int(ends[begin - 1]) if begin else 0
            stop = max(int(np.searchsorted(ends, done + _CHUNK, side="right")), begin + 1)
            n = counts[begin:stop]
            p = np.repeat(position[begin:stop], n)
            within = np.arange(p.size, dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
            yield p, np.repeat(lo[begin:stop], n) + within
            begin = stop


@dataclass
class _Pairs:
    """Pairs found, as frame positions (a < b), with distance, time apart and rule (hours?)."""

    a: NDArray[np.int64]
    b: NDArray[np.int64]
    distance: NDArray[np.float64]
    apart: NDArray[np.float64]  # hours for the hours rule, days for the days rule
    hours: NDArray[np.bool_]


def _near(
    chunk: tuple[NDArray[np.int64], NDArray[np.int64]],
    points: _Points,
    radius_m: float,
    window_h: float,
) -> tuple[NDArray[Any], ...]:
    """The candidates of one chunk that are within the window (by their rule), then within R."""
    lat, lon, seconds, day = points.lat, points.lon, points.seconds, points.day
    p, q = chunk
    hours = ~(np.isnan(seconds[p]) | np.isnan(seconds[q]))
    near_time = np.where(
        hours, np.abs(seconds[p] - seconds[q]) <= window_h * 3600,
        np.abs(day[p] - day[q]) <= window_days(window_h),
    )  # fmt: skip
    p, q, hours = p[near_time], q[near_time], hours[near_time]
    distance = haversine_m(lat[p], lon[p], lat[q], lon[q])
    near = distance <= radius_m
    p, q, hours, distance = p[near], q[near], hours[near], distance[near]
    apart = np.where(hours, np.abs(seconds[p] - seconds[q]) / 3600, np.abs(day[p] - day[q]))
    return p, q, distance, apart, hours


def find_pairs(frame: IncidentFrame, radius_m: float, window_h: float) -> tuple[_Pairs, _Points]:
    """Every pair within ``radius_m`` and ``window_h`` (the module's rules), in frame order."""
    check(radius_m=radius_m, window_h=window_h)
    points = _Points(frame)
    empty = np.empty(0, np.int64)
    if points.index.size < 2:
        return _Pairs(empty, empty, np.empty(0), np.empty(0), np.empty(0, bool)), points
    keys, strides = _keys(points, radius_m, window_days(window_h))
    order = np.argsort(keys, kind="stable")
    points.reorder(order)
    parts = [
        _near(chunk, points, radius_m, window_h) for chunk in _candidates(keys[order], strides)
    ]
    p, q, distance, apart, hours = (np.concatenate(c) for c in zip(*parts, strict=True))
    first, second = points.index[p], points.index[q]
    a, b = np.minimum(first, second), np.maximum(first, second)
    sequence = np.lexsort((b, a))
    return _Pairs(a[sequence], b[sequence], distance[sequence], apart[sequence],
                  hours[sequence]), points  # fmt: skip


def repeats(frame: IncidentFrame, *, radius_m: float, window_h: float) -> Outcome:
    """Rows: the connected groups of pairs (also under ``groups``), with ``pairs`` and
    ``time_rule``."""
    pairs, points = find_pairs(frame, radius_m, window_h)
    # Each incident paired is named once; its pairs and its group share that name.
    nodes, inverse = np.unique(np.concatenate([pairs.a, pairs.b]), return_inverse=True)
    named = references(frame, nodes)
    ends = inverse.reshape(2, -1).tolist()
    found = [
        {"incidents": [named[a], named[b]], "distance_m": round(distance, 1),
         ("hours_apart" if hours else "days_apart"): round(apart, 3) if hours else int(apart),
         "rule": "hours" if hours else "days"}
        for a, b, distance, apart, hours in zip(
            ends[0], ends[1], pairs.distance.tolist(), pairs.apart.tolist(), pairs.hours.tolist(),
            strict=True)
    ]  # fmt: skip
    groups = _groups(frame, nodes, inverse.reshape(2, -1), named)
    applied = sorted({p["rule"] for p in found})
    days = window_days(window_h)
    time_rule = {
        "applied": " and ".join(applied) if applied else "none",
        "hours": f"two incidents with exact times are within {window_h:g} hours of each other",
        "days": f"otherwise, two incidents dated to the day are within {window_h:g} hours when "
        f"their dates are at most {days} calendar day{'s' if days > 1 else ''} apart",
    }
    return Outcome(
        groups, positions(~points.placed), positions(~points.timed),
        {"pairs": found, "groups": groups, "time_rule": time_rule},
    )  # fmt: skip


def _groups(
    frame: IncidentFrame,
    nodes: NDArray[np.int64],
    edges: NDArray[np.int64],
    named: list[dict[str, str]],
) -> list[dict[str, Any]]:
    """The connected groups of the pairs (``edges``: positions in ``nodes``, the incidents paired,
    named by ``named``): centre (the mean of unit vectors), first and last time, types and
    incidents (in frame order), by first time."""
    if nodes.size == 0:
        return []
    graph = coo_matrix((np.ones(edges.shape[1]), (edges[0], edges[1])), shape=(nodes.size,) * 2)
    _, label = connected_components(graph, directed=False)
    lat, lon = np.radians(frame.lat[nodes]), np.radians(frame.lon[nodes])
    x, y, z = (np.bincount(label, weights=w) for w in
               (np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))  # fmt: skip
    centre_lat = np.round(np.degrees(np.arctan2(z, np.hypot(x, y))), 6).tolist()
    centre_lon = np.round(np.degrees(np.arctan2(y, x)), 6).tolist()
    exact = ~np.isnan(frame.seconds[nodes])
    day = frame.day_from[nodes].astype(np.int64)
    start = np.where(exact, frame.seconds[nodes], day * DAY_S)
    end = np.where(exact, frame.seconds[nodes], day * DAY_S + DAY_S - 1)
    # Each ordering puts every group in one run, groups by label: the runs share their bounds.
    members = np.lexsort((nodes, label))
    bounds = np.flatnonzero(np.r_[True, label[members][1:] != label[members][:-1]])
    sizes = np.diff(np.r_[bounds, members.size]).tolist()
    first = np.lexsort((nodes, start, label))[bounds]
    last = np.lexsort((nodes, -end, label))[bounds]
    firsts, lasts = _time_texts(frame, nodes[first]), _time_texts(frame, nodes[last])
    in_groups = [named[i] for i in members.tolist()]
    types = _types(frame, nodes, label)
    found: list[dict[str, Any]] = []
    at = 0
    for g, n, begin, finish in zip(label[first].tolist(), sizes, firsts, lasts, strict=True):
        found.append({
            "count": n, "centre": {"latitude": centre_lat[g], "longitude": centre_lon[g]},
            "first": begin, "last": finish, "types": types[g], "incidents": in_groups[at : at + n],
        })  # fmt: skip
        at += n
    sequence = np.lexsort((nodes[members[bounds]], start[first]))
    ordered = [found[i] for i in sequence.tolist()]
    for number, group in enumerate(ordered, start=1):
        group["group"] = number
    return ordered


def _types(
    frame: IncidentFrame, nodes: NDArray[np.int64], label: NDArray[np.int64]
) -> list[list[str]]:
    """The types of each group's incidents, sorted."""
    groups = int(label.max()) + 1
    of_node = np.full(len(frame), -1, dtype=np.int64)
    of_node[nodes] = label
    column = frame.types
    group_of_value = of_node[column.rows()]
    kept = group_of_value >= 0
    pairs = np.unique(group_of_value[kept] * (len(column.labels) + 1) + column.codes[kept])
    found: list[list[str]] = [[] for _ in range(groups)]
    for value in pairs.tolist():
        found[value // (len(column.labels) + 1)].append(
            column.labels[value % (len(column.labels) + 1)]
        )
    return [sorted(t) for t in found]


def _time_texts(frame: IncidentFrame, indexes: NDArray[np.int64]) -> list[str]:
    """Exact times as RFC 3339 (UTC, to the second), days as their dates."""
    seconds = frame.seconds[indexes]
    exact = ~np.isnan(seconds)
    days = frame.day_from[indexes].astype("datetime64[D]")
    moments = np.floor(np.nan_to_num(seconds)).astype(np.int64).astype("datetime64[s]")
    texts = np.where(
        exact, np.char.add(np.datetime_as_string(moments, unit="s"), "Z"),
        np.datetime_as_string(days, unit="D"),
    )  # fmt: skip
    return [str(t) for t in texts.tolist()]
