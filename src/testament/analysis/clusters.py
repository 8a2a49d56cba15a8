"""Spatio-temporal clusters of incidents: DBSCAN or HDBSCAN (scikit-learn) over place and time
(docs/patterns.md, "Clusters").

Pure: no database. Distance joins space and time in metres: ``time_scale_days`` days count as
``eps_m`` metres, so two incidents ``s`` metres apart (great-circle) and ``t`` days apart are
``sqrt(s² + (t · eps_m / time_scale_days)²)`` apart. With DBSCAN, two incidents are neighbours when
that distance is at most ``eps_m``: the same place within ``time_scale_days`` days, or the same day
within ``eps_m`` metres, or anything between.

DBSCAN never sees a dense matrix: each incident becomes a point in four dimensions (its position on
the Earth's surface in metres, as a chord of the sphere, and its scaled time), a KD-tree finds the
pairs within ``eps_m`` (a chord is never longer than its arc, so no pair is missed), the pairs are
measured again with the haversine formula, and DBSCAN runs on that sparse graph
(``metric="precomputed"``). Memory grows with the number of neighbouring pairs, never with n².
HDBSCAN runs on the same four coordinates with the Euclidean metric (chord for arc: under 0.01%
apart below 100 km); it finds clusters of varying density, so ``eps_m`` only sets how time is
weighed, and its time grows faster than n (n² at worst; memory with n).

An incident's time is its exact time where known, else the middle of its date range. An incident
whose date range is longer than ``time_scale_days`` is *undated* here: where it falls in time is not
known to the scale asked (a date known to the month never sits on the 15th). Incidents without
coordinates are *unplaced*; areas play no part. Incidents in no cluster are listed as ``noise``.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.cluster import DBSCAN, HDBSCAN
from sklearn.neighbors import KDTree

from testament.analysis.frame import NO_DAY, IncidentFrame, day_text
from testament.analysis.outcome import Outcome, positions, references
from testament.analysis.units import EARTH_RADIUS_M
from testament.errors import InvalidInput

METHODS = ("dbscan", "hdbscan")
SECONDS_PER_DAY = 86_400.0
_CHUNK = 20_000  # incidents per radius query: bounds the memory of one batch of neighbour lists
HALF_EARTH_M = math.pi * EARTH_RADIUS_M  # no two places on Earth are further apart
MAX_SCALE_DAYS = 36_525.0  # a century
MIN_SCALE_DAYS = 1 / 1440  # a minute, so that time in metres stays finite
MAX_PAIRS = 20_000_000  # neighbouring pairs DBSCAN may hold (about 1 GB): beyond, a radius too wide


def check(*, eps_m: float, min_samples: int, time_scale_days: float, method: str) -> None:
    """Refuse parameters that cannot cluster, naming the option and why."""
    if method not in METHODS:
        raise InvalidInput(
            f"{method!r} is not a clustering method", where="--method",
            hint=f"use one of: {', '.join(METHODS)}", errors={"method": ", ".join(METHODS)},
        )  # fmt: skip
    bounds = (
        ("--eps-m", eps_m, 0.0, HALF_EARTH_M,
         "more than 0 metres and at most half the Earth's circumference (20,015,114)"),
        ("--time-scale-days", time_scale_days, MIN_SCALE_DAYS, MAX_SCALE_DAYS,
         "from a minute (1/1440 = 0.000694) to a century (36525)"),
    )  # fmt: skip
    for option, value, least, most, allowed in bounds:
        if not math.isfinite(value) or value <= 0 or not least <= value <= most:
            raise InvalidInput(
                f"{value} is not a distance that can join incidents", where=option,
                hint=f"give a number {allowed}", errors={option[2:]: allowed},
            )  # fmt: skip
    if min_samples < 1:
        raise InvalidInput(
            f"{min_samples} incidents cannot make a cluster", where="--min-samples",
            hint="give 1 or more", errors={"min-samples": "1 or more"},
        )  # fmt: skip


def _usable(frame: IncidentFrame, time_scale_days: float) -> tuple[NDArray[np.bool_], ...]:
    """(unplaced, undated, usable) masks."""
    unplaced = ~frame.placed
    known = (frame.day_from != NO_DAY) & (frame.day_to != NO_DAY)
    span = frame.day_to.astype(np.int64) - frame.day_from.astype(np.int64) + 1
    exact = ~np.isnan(frame.seconds)
    undated = ~unplaced & ~(exact | (known & (span <= time_scale_days)))
    return unplaced, undated, ~unplaced & ~undated


def _days(frame: IncidentFrame) -> NDArray[np.float64]:
    """Each incident's time in days since 1970-01-01: exact where known, else its range's middle."""
    middle = (frame.day_from.astype(np.float64) + frame.day_to.astype(np.float64) + 1.0) / 2.0
    exact = frame.seconds / SECONDS_PER_DAY
    return np.where(np.isnan(exact), middle, exact)


def _points(
    lat: NDArray[np.float64],
    lon: NDArray[np.float64],
    days: NDArray[np.float64],
    metres_per_day: float,
) -> NDArray[np.float64]:
    """(x, y, z, t) in metres: the point on the sphere, and the scaled time."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack((
        EARTH_RADIUS_M * np.cos(phi) * np.cos(lam),
        EARTH_RADIUS_M * np.cos(phi) * np.sin(lam),
        EARTH_RADIUS_M * np.sin(phi),
        days * metres_per_day,
    ))  # fmt: skip


def haversine_m(
    lat1: NDArray[np.float64], lon1: NDArray[np.float64],
    lat2: NDArray[np.float64], lon2: NDArray[np.float64],
) -> NDArray[np.float64]:  # fmt: skip
    """Great-circle distances in metres."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    )
    result: NDArray[np.float64] = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    return result


def graph(
    lat: NDArray[np.float64], lon: NDArray[np.float64], days: NDArray[np.float64],
    *, eps_m: float, time_scale_days: float, max_pairs: int = MAX_PAIRS,
) -> sparse.csr_matrix:  # fmt: skip
    """The sparse matrix of space-time distances (metres) between incidents at most ``eps_m`` apart."""
    n = lat.size
    per_day = eps_m / time_scale_days
    points = _points(lat, lon, days, per_day)
    tree = KDTree(points)
    _refuse_too_many(tree, points, eps_m, max_pairs)
    rows: list[NDArray[np.int64]] = []
    cols: list[NDArray[np.int64]] = []
    for start in range(0, n, _CHUNK):
        found = tree.query_radius(points[start : start + _CHUNK], r=eps_m)
        counts = np.fromiter((f.size for f in found), np.int64, len(found))
        rows.append(np.repeat(np.arange(start, start + len(found), dtype=np.int64), counts))
        cols.append(np.concatenate(found).astype(np.int64) if len(found) else np.empty(0, np.int64))
    i = np.concatenate(rows) if rows else np.empty(0, np.int64)
    j = np.concatenate(cols) if cols else np.empty(0, np.int64)
    space = haversine_m(lat[i], lon[i], lat[j], lon[j])
    distance = np.hypot(space, (days[i] - days[j]) * per_day)
    near = distance <= eps_m
    return sparse.csr_matrix((distance[near], (i[near], j[near])), shape=(n, n))


def _refuse_too_many(
    tree: KDTree, points: NDArray[np.float64], eps_m: float, max_pairs: int
) -> None:
    """Refuse a radius that makes nearly every incident a neighbour of every other, before the pairs
    are gathered: the graph would grow with n²."""
    pairs = 0
    for start in range(0, len(points), _CHUNK):
        pairs += int(
            tree.query_radius(points[start : start + _CHUNK], r=eps_m, count_only=True).sum()
        )
        if pairs > max_pairs:
            raise InvalidInput(
                f"--eps-m {eps_m:g} makes more than {max_pairs:,} neighbouring pairs of incidents",
                where="--eps-m", hint="give a smaller --eps-m or --time-scale-days, or use hdbscan",
                errors={"eps-m": "too wide for this many incidents"},
            )  # fmt: skip


def labels_of(
    frame: IncidentFrame, *, eps_m: float, min_samples: int, time_scale_days: float, method: str
) -> NDArray[np.int64]:
    """A cluster label per incident of ``frame`` (all placed and dated); -1 for noise."""
    lat, lon, days = frame.lat, frame.lon, _days(frame)
    if len(frame) == 0:
        return np.empty(0, np.int64)
    if method == "dbscan":
        distances = graph(lat, lon, days, eps_m=eps_m, time_scale_days=time_scale_days)
        model = DBSCAN(eps=eps_m, min_samples=min_samples, metric="precomputed")
        found: NDArray[np.int64] = np.asarray(model.fit_predict(distances), np.int64)
        return found
    # HDBSCAN's clusters hold two incidents or more; with fewer incidents than that, all are noise.
    size = max(min_samples, 2)
    if len(frame) < size:
        return np.full(len(frame), -1, np.int64)
    points = _points(lat, lon, days, eps_m / time_scale_days)
    model_h = HDBSCAN(min_cluster_size=size, min_samples=min_samples, copy=True)
    labels: NDArray[np.int64] = np.asarray(model_h.fit_predict(points), np.int64)
    return labels


def _box(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> dict[str, float]:
    """South, west, north, east; across the antimeridian west is greater than east (RFC 7946 §5.2)."""
    west, east = float(lon.min()), float(lon.max())
    if east - west > 180:
        shifted = np.mod(lon, 360.0)
        west, east = float(shifted.min()), float(shifted.max())
        west, east = (w - 360.0 if w > 180 else w for w in (west, east))
    return {"south": float(lat.min()), "west": west, "north": float(lat.max()), "east": east}


def _centre(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> dict[str, float]:
    """The mean of the points on the sphere, so a cluster across the antimeridian centres on it."""
    x, y, z = _points(lat, lon, np.zeros(lat.size), 0.0)[:, :3].mean(axis=0)
    return {
        "latitude": round(math.degrees(math.atan2(z, math.hypot(x, y))), 6),
        "longitude": round(math.degrees(math.atan2(y, x)), 6),
    }


def _row(frame: IncidentFrame, members: NDArray[np.int64]) -> dict[str, Any]:
    types: Counter[str | None] = Counter()
    for i in members.tolist():
        types.update(frame.types.of(i) or (None,))
    return {
        "count": int(members.size),
        "first": day_text(int(frame.day_from[members].min())),
        "last": day_text(int(frame.day_to[members].max())),
        "centre": _centre(frame.lat[members], frame.lon[members]),
        "box": _box(frame.lat[members], frame.lon[members]),
        "types": [
            {"type": t, "count": n}
            for t, n in sorted(types.items(), key=lambda kv: (-kv[1], kv[0] is None, str(kv[0])))
        ],
        "incidents": references(frame, members.tolist()),
    }


def clusters(
    frame: IncidentFrame, *, eps_m: float, min_samples: int, time_scale_days: float,
    method: str = "dbscan",
) -> Outcome:  # fmt: skip
    """One row per cluster, largest first (then earliest); ``noise``: the incidents in none."""
    check(eps_m=eps_m, min_samples=min_samples, time_scale_days=time_scale_days, method=method)
    unplaced, undated, usable = _usable(frame, time_scale_days)
    kept = np.flatnonzero(usable).astype(np.int64)
    labels = labels_of(
        frame.take(usable), eps_m=eps_m, min_samples=min_samples,
        time_scale_days=time_scale_days, method=method,
    )  # fmt: skip
    rows = [_row(frame, kept[labels == label]) for label in np.unique(labels[labels >= 0])]
    rows.sort(key=lambda r: (-r["count"], r["first"], r["incidents"][0]["id"]))
    rows = [{"cluster": number, **row} for number, row in enumerate(rows, start=1)]
    noise = references(frame, kept[labels < 0].tolist())
    return Outcome(rows, positions(unplaced), positions(undated), {"noise": noise})
