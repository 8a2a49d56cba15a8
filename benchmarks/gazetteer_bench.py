"""Gazetteer benchmarks: placing random points in Ukraine's first-level areas.

- points: the gazetteer's bulk lookup (STR-tree candidates, then a prepared, vectorised test) against
  two baselines on the same points (each timing includes making point geometries from the coordinates): a loop over the polygons calling shapely ``contains`` on all points,
  and the STR-tree's own predicate query (``STRtree.query(points, predicate="intersects")``);
- assign: :func:`testament.documentation.gazetteer.assign` for that many incidents in a SQLite home,
  database reads and ``incident_area`` writes included.

The areas come from ../shared/datasets/ukraine-adm1.geojson; without it the benchmark says so and skips.
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable

import numpy as np
import shapely

from benchmarks.common import ROOT, WORK, fresh_dir, median, report
from testament.analysis.gazetteer import Area, Gazetteer, parse_areas
from testament.config import load_settings
from testament.custody import instance as instance_service
from testament.custody.instance import os_agent
from testament.documentation import gazetteer as service
from testament.storage.engine import write_transaction
from testament.storage.tables import case, incident

REAL = ROOT.parent / "shared" / "datasets" / "ukraine-adm1.geojson"


def _areas() -> list[Area] | None:
    if not REAL.exists():
        print(f"\n== gazetteer: skipped ({REAL} not found)")
        return None
    features = parse_areas(REAL.read_bytes(), level=1, name_field="NAME_1")
    return [Area(f.index, 1, f.code, f.name, (), f.geometry) for f in features]


def _random_points(areas: list[Area], count: int) -> tuple[np.ndarray, np.ndarray]:
    min_x, min_y, max_x, max_y = shapely.total_bounds([a.geometry for a in areas])
    rng = np.random.default_rng(2022)
    return rng.uniform(min_y, max_y, count), rng.uniform(min_x, max_x, count)


def _timed(function: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return median(times)


def points(count: int, reps: int = 3) -> None:
    areas = _areas()
    if areas is None:
        return
    lat, lon = _random_points(areas, count)
    gaz = Gazetteer(areas)
    polygons = shapely.from_wkb([shapely.to_wkb(a.geometry) for a in areas])  # unprepared copies
    tree = shapely.STRtree(polygons)

    def loop() -> int:
        geoms = shapely.points(lon, lat)
        return sum(int(shapely.contains(p, geoms).sum()) for p in polygons)

    def predicate() -> int:
        return int(tree.query(shapely.points(lon, lat), predicate="intersects").shape[1])

    def gazetteer() -> int:
        return int(gaz.pairs(lat, lon)[0].size)

    assert loop() == predicate() == gazetteer()
    base, pred, cand = _timed(loop, reps), _timed(predicate, reps), _timed(gazetteer, reps)
    report(
        f"gazetteer: {count:,} random points, {len(areas)} areas (median of {reps})",
        [
            ("loop over polygons, shapely contains", f"{base:.3f} s"),
            ("STRtree.query(points, predicate)", f"{pred:.3f} s ({base / pred:.1f}x the loop)"),
            ("Gazetteer.pairs", f"{cand:.3f} s ({base / cand:.1f}x the loop)"),
        ],
    )


def assign(count: int) -> None:
    areas = _areas()
    if areas is None:
        return
    home = fresh_dir(WORK / "gazetteer")
    settings = load_settings({"TESTAMENT_HOME": str(home)})
    instance_service.init(settings)
    inst = instance_service.open_instance(settings)
    try:
        service.load(inst, REAL, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")
        ids = _insert_incidents(inst, *_random_points(areas, count))
        with write_transaction(inst.engine) as conn:
            start = time.perf_counter()
            done = service.assign(conn, ids)
            elapsed = time.perf_counter() - start
        with write_transaction(inst.engine) as conn:
            start = time.perf_counter()
            service.assign_all(conn)
            elapsed_all = time.perf_counter() - start
    finally:
        inst.close()
    report(
        f"gazetteer assign: {count:,} incidents at random points, SQLite",
        [
            ("assign(ids)", f"{elapsed:.2f} s ({count / elapsed:,.0f} incidents/s)"),
            ("assign_all", f"{elapsed_all:.2f} s ({count / elapsed_all:,.0f} incidents/s)"),
            ("placed by point", f"{done.point:,}"),
        ],
    )


def _insert_incidents(
    inst: instance_service.Instance, lat: np.ndarray, lon: np.ndarray
) -> list[str]:
    stamp = "2024-01-01T00:00:00.000000Z"
    ids = [str(uuid.uuid4()) for _ in range(lat.size)]
    with write_transaction(inst.engine) as conn:
        case_id = str(uuid.uuid4())
        conn.execute(
            case.insert().values(
                id=case_id,
                name="Gazetteer bench",
                created_at=stamp,
                created_by=os_agent(conn),
                record_salt=secrets.token_bytes(16),
            )
        )
        empty = {"description": "", "date_precision": "unknown", "date_text": "", "place_text": ""}
        lists = {"types": "[]", "targets": "[]", "weapons": "[]", "sensitivity": "[]"}
        times = {"created_at": stamp, "updated_at": stamp, "version": 1}
        common = {**empty, **lists, **times, "unmapped": "{}", "status": "reported"}
        rows = [
            {**common, "id": i, "case_id": case_id, "title": "x", "latitude": y, "longitude": x}
            for i, y, x in zip(ids, lat.tolist(), lon.tolist(), strict=True)
        ]
        conn.execute(incident.insert(), rows)
    return ids


if __name__ == "__main__":
    points(100_000)
    assign(100_000)
