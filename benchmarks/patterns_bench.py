"""Pattern analyses at 1M generated incidents, each against a straightforward pandas implementation of
the same result in the same run (docs/patterns.md, docs/benchmarks.md):

- counts by area and month (``analysis.counts.count``) against a pandas ``groupby``;
- spikes, the area-days with 5 or more incidents (``analysis.spikes.spikes``) against a ``groupby``;
- repeats within 1 km and 24 h (``analysis.repeats.repeats``) against a pandas self-merge of grid cells
  (latitude and longitude cells of at least 1 km, day buckets), neighbour by neighbour, then the
  haversine distance and the time rule, and scipy's connected components for the groups (a cross join
  of 1M incidents is impossible).

Both sides start from the same columns in memory and must give identical results (checked). Time is
the median of ``reps`` runs; peak memory is tracemalloc's peak over one run of each, measured apart
from the timings. The end-to-end use case (``patterns.service.counts`` reading the incidents from a
SQLite home in chunks) is timed at ``--end-to-end`` incidents.

The incidents are generated to look like Ukraine's: points clustered around 60 towns, dates over two
years (40% exact times, 8% known only to the month), 1 to 3 targets each, 2% at sea (in no area) and
1% without coordinates.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import median, report
from testament.analysis import counts, repeats, spikes
from testament.analysis.frame import IncidentFrame, Multi

START_DAY = 19_047  # 2022-02-24
SPAN_DAYS = 730
TYPES = ("shelling", "air-strike", "missile-strike", "drone-strike", "cluster-munition", "mine")
TARGETS = ("residential", "school", "hospital", "energy", "water", "food", "religious",
           "cultural", "humanitarian", "transport")  # fmt: skip
AREAS = 25


def _multi(rng: np.random.Generator, n: int, labels: tuple[str, ...], most: int) -> Multi:
    sizes = rng.integers(1, most + 1, n)
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(sizes, out=offsets[1:])
    codes = rng.integers(0, len(labels), int(offsets[-1])).astype(np.int32)
    return Multi(offsets, codes, labels)


def generate(n: int, seed: int = 2022) -> IncidentFrame:
    """``n`` incidents clustered around towns in Ukraine over two years (see the module)."""
    rng = np.random.default_rng(seed)
    towns = 60
    centre_lat, centre_lon = rng.uniform(45.5, 51.5, towns), rng.uniform(23.5, 39.5, towns)
    weight = 1 / np.arange(1, towns + 1)
    town = rng.choice(towns, n, p=weight / weight.sum())
    spread = rng.uniform(0.05, 0.35, towns)[town]
    lat = centre_lat[town] + rng.normal(0, 1, n) * spread
    lon = centre_lon[town] + rng.normal(0, 1, n) * spread * 1.5
    unplaced = rng.random(n) < 0.01
    lat[unplaced], lon[unplaced] = np.nan, np.nan
    day = START_DAY + rng.integers(0, SPAN_DAYS, n)
    kind = rng.random(n)
    exact, month_only = kind < 0.40, kind > 0.92
    seconds = np.where(exact, day * 86_400.0 + rng.uniform(0, 86_400, n), np.nan)
    months = day.astype("datetime64[D]").astype("datetime64[M]")
    day_from = np.where(month_only, months.astype("datetime64[D]").astype(np.int64), day)
    day_to = np.where(month_only, (months + 1).astype("datetime64[D]").astype(np.int64) - 1, day)
    in_area = ~unplaced & (rng.random(n) > 0.02)
    area_offsets = np.zeros(n + 1, np.int64)
    np.cumsum(in_area, out=area_offsets[1:])
    area_codes = (town[in_area] % AREAS).astype(np.int32)
    area_labels = tuple(f"UA{k:02d}" for k in range(AREAS))
    return IncidentFrame(
        ids=np.array([f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(n)], dtype=object),
        external=np.full(n, None, dtype=object), lat=lat, lon=lon,
        day_from=day_from.astype(np.int32), day_to=day_to.astype(np.int32), seconds=seconds,
        precision=np.where(exact, 0, np.where(month_only, 2, 1)).astype(np.int8),
        types=_multi(rng, n, TYPES, 1), targets=_multi(rng, n, TARGETS, 3),
        weapons=Multi(np.zeros(n + 1, np.int64), np.empty(0, np.int32), ()),
        areas=Multi(area_offsets, area_codes, area_labels),
        area_names={code: f"Oblast {code}" for code in area_labels},
    )  # fmt: skip


# ---- pandas: the same results, written as a pandas user would --------------------------------------


def tables(frame: IncidentFrame) -> dict[str, Any]:
    """The incidents as pandas tables, as they would come from the database: one row an incident,
    and one row an incident-area and an incident-type (built outside the timings)."""
    import pandas as pd

    incidents = pd.DataFrame({
        "id": frame.ids, "external": frame.external, "lat": frame.lat, "lon": frame.lon, "day_from": frame.day_from,
        "day_to": frame.day_to, "seconds": frame.seconds,
    })  # fmt: skip
    areas = pd.DataFrame({
        "pos": frame.areas.rows(), "area": np.asarray(frame.areas.labels)[frame.areas.codes],
    })  # fmt: skip
    types = pd.DataFrame({
        "pos": frame.types.rows(), "type": np.asarray(frame.types.labels)[frame.types.codes],
    })  # fmt: skip
    names = {code: frame.name(code) for code in frame.areas.labels}
    return {"incidents": incidents, "areas": areas, "types": types, "names": names}


def pandas_counts(t: dict[str, Any]) -> list[dict[str, Any]]:
    """Counts by area and month, as rows naming their incidents: incidents dated within one month,
    joined to their areas, grouped."""
    import pandas as pd

    inc = t["incidents"]
    month_from = pd.to_datetime(inc["day_from"], unit="D").dt.to_period("M")
    month_to = pd.to_datetime(inc["day_to"], unit="D").dt.to_period("M")
    dated = inc.assign(month=month_from)[month_from == month_to]
    joined = t["areas"].join(dated[["id", "external", "month"]], on="pos", how="inner")
    groups = joined.groupby(["area", "month"], sort=True)[["id", "external"]].agg(list)
    return [
        {"area": t["names"][area], "area_code": area, "month": str(month), "count": len(ids),
         "incidents": _named(ids, external)}
        for (area, month), ids, external in zip(groups.index, groups["id"], groups["external"], strict=True)
    ]  # fmt: skip


def _named(ids: list[str], external: list[str | None]) -> list[dict[str, str]]:
    return [
        {"id": i} if e is None else {"id": i, "external_id": e}
        for i, e in zip(ids, external, strict=True)
    ]


def pandas_spikes(t: dict[str, Any], min_count: int) -> list[dict[str, Any]]:
    """Area-days with at least ``min_count`` incidents dated to the day, as rows."""
    inc = t["incidents"]
    dated = inc[inc["day_from"] == inc["day_to"]]
    joined = t["areas"].join(dated[["id", "external", "day_from"]], on="pos", how="inner")
    groups = joined.groupby(["area", "day_from"], sort=True)[["id", "external"]].agg(list)
    groups = groups[groups["id"].str.len() >= min_count]
    return [
        {"area": t["names"][area], "area_code": area, "day": str(np.datetime64(day, "D")),
         "count": len(ids), "incidents": _named(ids, external)}
        for (area, day), ids, external in zip(groups.index, groups["id"], groups["external"], strict=True)
    ]  # fmt: skip


def pandas_repeats(t: dict[str, Any], radius_m: float, window_h: float) -> tuple[Any, Any]:
    """Pairs by a self-merge on grid cells of latitude, longitude (each at least R) and day buckets,
    over the 27 neighbouring cells; then distance, the time rule, and connected groups."""
    import pandas as pd
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    inc = t["incidents"]
    exact = inc["seconds"].notna()
    timed = exact | (inc["day_from"] == inc["day_to"])
    pts = inc[timed & inc["lat"].notna()].copy()
    pts["pos"] = pts.index
    pts["day"] = np.where(
        pts["seconds"].notna(), np.floor(pts["seconds"] / 86_400), pts["day_from"]
    )
    days = max(1, int(np.ceil(window_h / 24)))
    dlat = np.degrees(radius_m / repeats.EARTH_RADIUS_M)
    dlon = dlat / np.cos(np.radians(pts["lat"].abs().max()))
    pts["cy"] = np.floor(pts["lat"] / dlat).astype(np.int64)
    pts["cx"] = np.floor(pts["lon"] / dlon).astype(np.int64)
    pts["ct"] = (pts["day"] // days).astype(np.int64)
    pts = pts[["pos", "lat", "lon", "seconds", "day", "cy", "cx", "ct"]]
    found = []
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            for dt in (-1, 0, 1):
                other = pts.assign(cy=pts["cy"] + dy, cx=pts["cx"] + dx, ct=pts["ct"] + dt)
                m = pts.merge(other, on=["cy", "cx", "ct"], suffixes=("_a", "_b"))
                m = m[m["pos_a"] < m["pos_b"]]
                hours = m["seconds_a"].notna() & m["seconds_b"].notna()
                near_time = np.where(hours, (m["seconds_a"] - m["seconds_b"]).abs() <= window_h * 3600,
                                     (m["day_a"] - m["day_b"]).abs() <= days)  # fmt: skip
                m = m[near_time]
                lat1, lon1, lat2, lon2 = (
                    np.radians(m[c]) for c in ("lat_a", "lon_a", "lat_b", "lon_b")
                )
                a = (
                    np.sin((lat2 - lat1) / 2) ** 2
                    + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
                )
                distance = 2 * repeats.EARTH_RADIUS_M * np.arcsin(np.sqrt(a.clip(0, 1)))
                found.append(m.loc[distance <= radius_m, ["pos_a", "pos_b"]])
    pairs = pd.concat(found).sort_values(["pos_a", "pos_b"], ignore_index=True)
    nodes = np.unique(pairs.to_numpy())
    index = pd.Series(np.arange(nodes.size), index=nodes)
    graph = coo_matrix((np.ones(len(pairs)), (index[pairs["pos_a"]].to_numpy(),
                        index[pairs["pos_b"]].to_numpy())), shape=(nodes.size, nodes.size))  # fmt: skip
    _, label = connected_components(graph, directed=False)
    members = inc.loc[nodes, ["id", "lat", "lon"]].assign(group=label, pos=nodes)
    lat, lon = np.radians(members["lat"]), np.radians(members["lon"])
    members = members.assign(
        x=np.cos(lat) * np.cos(lon), y=np.cos(lat) * np.sin(lon), z=np.sin(lat)
    )
    groups = members.groupby("group").agg(x=("x", "sum"), y=("y", "sum"), z=("z", "sum"),
                                          ids=("id", list))  # fmt: skip
    typed = t["types"].merge(members[["pos", "group"]], on="pos")
    groups["types"] = typed.groupby("group")["type"].agg(lambda s: sorted(set(s)))
    return pairs, groups


# ---- the comparison ------------------------------------------------------------------------------


def _canonical(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True) for row in rows)


def _same(name: str, ours: Any, theirs: Any) -> None:
    if ours != theirs:
        raise AssertionError(f"{name}: our result and the pandas result differ")


def check_identical(frame: IncidentFrame, t: dict[str, Any]) -> None:
    """Both sides give the same rows, pairs and groups (raises if not)."""
    ours = counts.count(frame, ["area", "month"]).rows
    _same("counts", _canonical(ours), _canonical(pandas_counts(t)))
    ours = spikes.spikes(frame, min_count=5).rows
    _same("spikes", _canonical(ours), _canonical(pandas_spikes(t, 5)))
    found = repeats.repeats(frame, radius_m=1000, window_h=24)
    pairs, groups = pandas_repeats(t, 1000, 24)
    ids = frame.ids
    _same("repeat pairs", [tuple(i["id"] for i in p["incidents"]) for p in found.extra["pairs"]],
          [(ids[a], ids[b]) for a, b in pairs.itertuples(index=False)])  # fmt: skip
    _same("repeat groups", {(tuple(i["id"] for i in g["incidents"]), tuple(g["types"])) for g in found.rows},
          {(tuple(g.ids), tuple(g.types)) for g in groups.itertuples()})  # fmt: skip


def _timed(function: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        gc.collect()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return median(times)


def _peak(function: Callable[[], object]) -> int:
    """tracemalloc's peak over one run, in bytes (numpy and pandas report their buffers to it)."""
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def analyses(count: int, reps: int) -> None:
    frame = generate(count)
    t = tables(frame)
    check_identical(frame, t)
    cases: list[tuple[str, Callable[[], object], Callable[[], object]]] = [
        ("counts by area and month", lambda: counts.count(frame, ["area", "month"]),
         lambda: pandas_counts(t)),
        ("spikes, area-days >= 5", lambda: spikes.spikes(frame, min_count=5),
         lambda: pandas_spikes(t, 5)),
        ("repeats within 1 km and 24 h", lambda: repeats.repeats(frame, radius_m=1000, window_h=24),
         lambda: pandas_repeats(t, 1000, 24)),
    ]  # fmt: skip
    rows = []
    for name, ours, theirs in cases:
        ours_s, theirs_s = _timed(ours, reps), _timed(theirs, reps)
        ours_b, theirs_b = _peak(ours), _peak(theirs)
        rows.append((name, f"{ours_s:.2f} s / {theirs_s:.2f} s pandas = {ours_s / theirs_s:.2f}x time; "
                     f"peak {ours_b / 2**20:,.0f} / {theirs_b / 2**20:,.0f} MiB = {ours_b / theirs_b:.2f}x memory"))  # fmt: skip
    report(f"patterns: {count:,} generated incidents, identical results (median of {reps})", rows)


def end_to_end(count: int) -> None:
    """The use cases from a SQLite home: the incidents read in chunks, then the analysis."""
    from sqlalchemy import select

    from benchmarks.common import WORK, fresh_dir
    from testament.config import load_settings
    from testament.custody import cases
    from testament.custody import instance as instance_service
    from testament.patterns import service, strikes
    from testament.patterns.load import Scope
    from testament.storage.engine import read_transaction
    from testament.storage.tables import case

    home = fresh_dir(WORK / "patterns")
    settings = load_settings({"TESTAMENT_HOME": str(home)})
    instance_service.init(settings)
    inst = instance_service.open_instance(settings)
    try:
        cases.create_case(inst, "Patterns bench")
        with read_transaction(inst.engine) as conn:
            case_id = conn.execute(
                select(case.c.id).where(case.c.name == "Patterns bench")
            ).scalar_one()
        start = time.perf_counter()
        _insert(inst, case_id, generate(count))
        inserted = time.perf_counter() - start
        scope = Scope(case="Patterns bench")
        rows = [("insert (plain SQL, not measured against anything)", f"{inserted:.1f} s")]
        for name, run in (
            ("service.counts by month", lambda: service.counts(inst, scope, by=["month"])),
            ("strikes.spikes by day >= 5", lambda: strikes.spikes(inst, scope, by_area=False, min_count=5)),
            ("strikes.repeats 1 km, 24 h", lambda: strikes.repeats(inst, scope, radius_m=1000, window_h=24)),
        ):  # fmt: skip
            elapsed = _timed(run, 1)
            rows.append((name, f"{elapsed:.2f} s ({count / elapsed:,.0f} incidents/s)"))
    finally:
        inst.close()
    report(f"patterns end to end: {count:,} incidents in a SQLite home, read in chunks", rows)


def _insert(inst: Any, case_id: str, frame: IncidentFrame) -> None:
    """The generated incidents as rows of the incident table (no areas: a fresh home has none)."""
    from testament.analysis.frame import day_text
    from testament.storage.engine import write_transaction
    from testament.storage.tables import incident

    stamp = "2024-01-01T00:00:00.000000Z"
    empty = {"description": "", "date_text": "", "place_text": "", "weapons": "[]",
             "sensitivity": "[]", "unmapped": "{}", "status": "reported", "created_at": stamp,
             "updated_at": stamp, "version": 1, "case_id": case_id, "title": "x"}  # fmt: skip
    precision = ("exact", "day", "month")
    with write_transaction(inst.engine) as conn:
        for begin in range(0, len(frame), 50_000):
            rows = []
            for i in range(begin, min(begin + 50_000, len(frame))):
                exact = not np.isnan(frame.seconds[i])
                when = (np.datetime_as_string(np.datetime64(int(frame.seconds[i]), "s")) + "Z"
                        if exact else day_text(int(frame.day_from[i])))  # fmt: skip
                rows.append({
                    **empty, "id": frame.ids[i], "occurred_from": when,
                    "occurred_to": when if exact else day_text(int(frame.day_to[i])),
                    "date_precision": precision[int(frame.precision[i])],
                    "latitude": None if np.isnan(frame.lat[i]) else float(frame.lat[i]),
                    "longitude": None if np.isnan(frame.lon[i]) else float(frame.lon[i]),
                    "types": json.dumps(frame.types.of(i)), "targets": json.dumps(frame.targets.of(i)),
                })  # fmt: skip
            conn.execute(incident.insert(), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--end-to-end", type=int, default=100_000)
    args = parser.parse_args()
    analyses(args.count, args.reps)
    end_to_end(args.end_to_end)


if __name__ == "__main__":
    main()
