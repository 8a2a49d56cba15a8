"""Import throughput: `testament import timemap` in process, against a minimal importer in the same run.

- real: Bellingcat's TimeMap file (1,790 incidents, 4,764 sources) into a fresh SQLite home with
  Ukraine's first-level areas loaded;
- generated: N incidents drawn from that file's distributions (dates, points with a little jitter,
  filter values, sources per incident, a share of sources cited by several incidents), written as one
  TimeMap file under benchmarks/scratch/. N defaults to 1,000,000; TESTAMENT_BENCH_IMPORT_SIZE shrinks it.

Both are timed against a baseline on the same file: ``json.load`` and plain ``sqlite3`` ``executemany``
inserts of the same incidents, sources and links into three tables, in one transaction. The baseline
checks nothing and records no versions, custody events, areas or search index: the ratio is the price of
all that. The real file lives in ../shared/datasets; without it the benchmark says so and skips.
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, WORK, fresh_dir, report

DATASETS = ROOT.parent / "shared" / "datasets"
REAL = DATASETS / "bellingcat-civharm-2024-06-02.json"
AREAS = DATASETS / "ukraine-adm1.geojson"
SIZE_ENV = "TESTAMENT_BENCH_IMPORT_SIZE"


def _baseline(path: Path, database: Path) -> float:
    """json.load, then plain executemany inserts of incidents, sources and links; one commit."""
    database.unlink(missing_ok=True)
    start = time.perf_counter()
    with path.open("rb") as stream:
        events = json.load(stream)
    connection = sqlite3.connect(database)
    connection.executescript(
        "CREATE TABLE incident (id TEXT PRIMARY KEY, date TEXT, latitude REAL, longitude REAL,"
        " location TEXT, description TEXT, filters TEXT);"
        "CREATE TABLE source (id TEXT PRIMARY KEY, path TEXT, description TEXT);"
        "CREATE TABLE link (incident TEXT, source TEXT, PRIMARY KEY (incident, source));"
    )
    with connection:
        connection.executemany(
            "INSERT OR REPLACE INTO incident VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                (e["id"], e["date"], float(e["latitude"]), float(e["longitude"]), e["location"],
                 e["description"], json.dumps(e["filters"]))
                for e in events
            ),
        )  # fmt: skip
        connection.executemany(
            "INSERT OR IGNORE INTO source VALUES (?, ?, ?)",
            ((s["id"], s["path"], s["description"]) for e in events for s in e["sources"]),
        )
        connection.executemany(
            "INSERT OR IGNORE INTO link VALUES (?, ?)",
            ((e["id"], s["id"]) for e in events for s in e["sources"]),
        )
    connection.close()
    return time.perf_counter() - start


def _testament(path: Path, home: Path) -> tuple[float, Any]:
    from testament.config import load_settings
    from testament.custody import instance as instance_service
    from testament.documentation import gazetteer
    from testament.transfer import imports

    fresh_dir(home)
    settings = load_settings({"TESTAMENT_HOME": str(home)})
    instance_service.init(settings)
    opened = instance_service.open_instance(settings)
    try:
        gazetteer.load(opened, AREAS, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")
        options = imports.ImportOptions(suffix_duplicates=True, namespace="timemap:bench")
        start = time.perf_counter()
        result = imports.import_timemap(opened, path, "bench", options)
        return time.perf_counter() - start, result
    finally:
        opened.close()


def _compare(title: str, path: Path, count: int) -> dict[str, float]:
    base = _baseline(path, WORK / "import-baseline.db")
    took, result = _testament(path, WORK / "import-home")
    base_rate, rate = count / base, count / took
    report(
        title,
        [
            ("json.load + sqlite3 executemany (baseline)", f"{base_rate:10.0f} incidents/s  ({base:.1f} s)"),
            ("testament import timemap (in process)", f"{rate:10.0f} incidents/s  ({took:.1f} s)"),
            ("  records written", f"{result.incidents.created:,} incidents, {result.sources.created:,} sources, {result.links:,} links"),
            ("  ratio", f"{rate / base_rate:10.3f}x"),
        ],
    )  # fmt: skip
    return {"incidents_s": rate, "baseline_incidents_s": base_rate, "ratio": rate / base_rate}


def real_file() -> dict[str, float] | None:
    if not REAL.exists() or not AREAS.exists():
        print(f"\n== import: skipped ({REAL} or {AREAS} not found)")
        return None
    count = len(json.loads(REAL.read_bytes()))
    return _compare(f"Import, Bellingcat TimeMap file ({count:,} incidents)", REAL, count)


def _profile(events: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The distributions a generated corpus draws from."""
    return {
        "dates": [e["date"] for e in events],
        "points": [(float(e["latitude"]), float(e["longitude"])) for e in events],
        "filters": [e["filters"] for e in events],
        "sources": [len(e["sources"]) for e in events],
        "locations": [e["location"] for e in events],
        "descriptions": [e["description"] for e in events],
        "paths": [s["path"] for e in events for s in e["sources"] if s["path"] != "HIDDEN"],
    }


def _event(
    n: int, rng: random.Random, profile: dict[str, list[Any]], cited: list[dict[str, str]]
) -> dict[str, Any]:
    lat, lon = rng.choice(profile["points"])
    sources = []
    for k in range(rng.choice(profile["sources"])):
        if cited and rng.random() < 0.05:  # about one citation in twenty reuses an earlier source
            sources.append(rng.choice(cited))
            continue
        source_id = f"gen{n}-{k}"
        path = rng.choice(profile["paths"]) + f"?n={source_id}"
        source = {"id": source_id, "path": path, "description": rng.choice(profile["descriptions"])}
        sources.append(source)
        cited.append(source)
        if len(cited) > 10_000:
            cited.pop(rng.randrange(len(cited)))
    return {
        "id": f"GEN{n:07d}",
        "date": rng.choice(profile["dates"]),
        "latitude": f"{lat + rng.uniform(-0.01, 0.01):.6f}",
        "longitude": f"{lon + rng.uniform(-0.01, 0.01):.6f}",
        "location": rng.choice(profile["locations"]),
        "description": rng.choice(profile["descriptions"]),
        "sources": sources,
        "filters": rng.choice(profile["filters"]),
    }


def generate_file(count: int) -> Path:
    path = WORK / f"timemap-generated-{count}.json"
    if path.exists():
        return path
    WORK.mkdir(parents=True, exist_ok=True)
    profile = _profile(json.loads(REAL.read_bytes()))
    rng = random.Random(2024)
    cited: list[dict[str, str]] = []
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="utf-8") as out:
        out.write("[")
        for n in range(count):
            out.write(("\n" if n == 0 else ",\n") + json.dumps(_event(n, rng, profile, cited)))
        out.write("\n]\n")
    partial.replace(path)
    return path


def generated(count: int | None = None) -> dict[str, float] | None:
    if not REAL.exists() or not AREAS.exists():
        print(f"\n== import (generated): skipped ({REAL} or {AREAS} not found)")
        return None
    size = count or int(os.environ.get(SIZE_ENV, "1000000"))
    path = generate_file(size)
    return _compare(f"Import, generated TimeMap file ({size:,} incidents)", path, size)
