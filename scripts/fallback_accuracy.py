"""How often the offline fallback names the right first-level area (docs/gazetteer.md, "When no
boundaries are loaded").

Usage: .venv/bin/python scripts/fallback_accuracy.py AREAS.geojson [--points N] [--seed S]
       [--name-field NAME_1] [--alt-names-field VARNAME_1] [--incidents TIMEMAP.json] [--json]

Draws N points uniformly at random (by area: latitude and longitude drawn in the file's bounding box,
points outside every area thrown away) inside the areas of a first-level boundary file, asks the
fallback (testament.analysis.fallback_geocoder) for each point's first-level area, and counts how
often that names the area whose outline holds the point. With --incidents, does the same for the
points of a TimeMap export (where incidents were actually recorded, so weighted towards towns).

GeoNames and the boundary file spell areas differently (GeoNames "Vinnyts'ka", GADM "Vinnytsya"), so
names are compared by the search index's transliteration-blind keys (testament.search.translit),
generic words such as "oblast" and "misto" dropped, the area's own name before its alternative names.
A GeoNames name that matches no area of the file is counted as a disagreement and listed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from testament.analysis.fallback_geocoder import MAX_DISTANCE_KM, nearest_places
from testament.analysis.gazetteer import Area, Gazetteer, parse_areas
from testament.search import translit

GENERIC = {"oblast", "misto", "region", "governorate", "muhafazat", "province"}


def name_key(name: str) -> str:
    words = [w for w in translit.tokens(translit.fold(name)) if w not in GENERIC]
    return " ".join(translit.key(w) for w in words)


def _names(area: Area, tier: str) -> list[str]:
    return [area.name] if tier == "name" else list(area.alt_names)


def area_for(admin1: str, areas: list[Area]) -> Area | None:
    """The area GeoNames' first-level name denotes: by the area's name first, then its other names."""
    wanted = name_key(admin1)
    for tier in ("name", "alt_names"):
        found = [a for a in areas if wanted in {name_key(n) for n in _names(a, tier)}]
        if len(found) == 1:
            return found[0]
    return None


def random_points(index: Gazetteer, n: int, seed: int) -> list[tuple[float, float]]:
    rng = np.random.default_rng(seed)
    bounds = np.array([a.geometry.bounds for a in index.areas if a.geometry is not None])
    west, south = bounds[:, 0].min(), bounds[:, 1].min()
    east, north = bounds[:, 2].max(), bounds[:, 3].max()
    points: list[tuple[float, float]] = []
    while len(points) < n:
        lat = rng.uniform(south, north, 4 * n)
        lon = rng.uniform(west, east, 4 * n)
        inside = set(index.pairs(lat, lon)[0].tolist())
        points += [(lat[i], lon[i]) for i in sorted(inside)]
    return points[:n]


def agreement(index: Gazetteer, points: list[tuple[float, float]]) -> dict[str, object]:
    """The share of points whose fallback area is (one of) the areas whose outline holds them."""
    held = index.locate_many(points)
    answers = nearest_places(points)
    agree, far, unmatched = 0, 0, Counter[str]()
    for inside, answer in zip(held, answers, strict=True):
        if answer.distance_km > MAX_DISTANCE_KM:
            far += 1
            continue
        named = area_for(answer.admin1, list(index.areas))
        if named is None:
            unmatched[answer.admin1] += 1
        elif named.id in {a.id for a in inside}:
            agree += 1
    distances = np.array([a.distance_km for a in answers])
    return {
        "points": len(points),
        "agree": agree,
        "agreement": round(agree / len(points), 4) if points else None,
        "beyond_limit": far,
        "unmatched_names": dict(unmatched),
        "median_km_to_place": round(float(np.median(distances)), 1) if points else None,
    }


def timemap_points(path: Path, index: Gazetteer) -> list[tuple[float, float]]:
    events = json.loads(path.read_text(encoding="utf-8"))
    points = []
    for event in events:
        try:
            point = (float(event["latitude"]), float(event["longitude"]))
        except (KeyError, TypeError, ValueError):
            continue
        points.append(point)
    held = index.locate_many(points)
    return [p for p, inside in zip(points, held, strict=True) if inside]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("areas", type=Path)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--name-field", default="NAME_1")
    parser.add_argument("--alt-names-field", default="VARNAME_1")
    parser.add_argument("--incidents", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    features = parse_areas(
        args.areas.read_bytes(),
        level=1,
        name_field=args.name_field,
        alt_names_field=args.alt_names_field,
    )
    index = Gazetteer(
        Area(f.index + 1, 1, f.code, f.name, f.alt_names, geometry=f.geometry) for f in features
    )
    report = {"uniform": agreement(index, random_points(index, args.points, args.seed))}
    if args.incidents:
        report["incidents"] = agreement(index, timemap_points(args.incidents, index))
    if args.json:
        print(json.dumps(report, sort_keys=True))
        return 0
    for label, found in report.items():
        print(
            f"{label}: {found['agree']} of {found['points']} points agree ({found['agreement']:.1%});"
        )
        print(f"  median distance to the nearest place {found['median_km_to_place']} km;")
        print(
            f"  beyond {MAX_DISTANCE_KM:g} km: {found['beyond_limit']}; unmatched: {found['unmatched_names']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
