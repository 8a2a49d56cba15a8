"""Validation on real data: Bellingcat's civilian-harm file (1,790 incidents in Ukraine), placed with
Ukraine's oblasts, analysed by Testament, must agree exactly with an independent computation written
directly on the JSON with pandas and shapely: the same incidents in every row, the same unplaced and
undated ones. The file is imported once per database (a few seconds each), by one test that then
runs every check, so that parallel workers never import it twice.

The shared datasets live beside the project (``../shared/datasets``); a fresh clone has none, so the
test skips there, naming the folder, and nowhere else (CI has it and fails on any skip).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import select

from testament.custody.instance import Instance
from testament.documentation import gazetteer
from testament.patterns import service, strikes, widespread
from testament.patterns.load import Scope
from testament.patterns.results import Analysis
from testament.storage import tables
from testament.storage.engine import read_transaction
from testament.transfer.imports import ImportOptions, ImportReport, import_timemap
from tests.conftest import Cli

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
EVENTS = SHARED / "bellingcat-civharm-2024-06-02.json"
AREAS = SHARED / "ukraine-adm1.geojson"
CASE = "Bellingcat"
SCOPE = Scope(case=CASE)
AFFECTED = "Type of area affected"  # the TimeMap filter key of what was hit
# The target codes the file's filter values map to (taxonomy/vocabularies/target-object-types.yaml).
TARGETS = {"education": "School or childcare", "healthcare": "Healthcare"}
SHARED_IDS = ("CIV1151", "CIV1553", "CIV2134")  # each used by two different incidents


def _require_datasets() -> None:
    if not SHARED.is_dir():
        pytest.skip(f"the shared datasets are absent ({SHARED.resolve()}); these tests need them")


# --- The independent computation: pandas and shapely on the JSON, nothing of Testament ----------------


@dataclass(frozen=True)
class Independent:
    """The file as pandas reads it: one row per event, and one row per (event, area it lies in)."""

    events: pd.DataFrame  # external, day, lat, lon, affected (the set of "Type of area affected")
    placed: pd.DataFrame  # external, area (HASC_1 code), day, month
    names: dict[str, str]  # area code -> NAME_1

    @property
    def unplaced(self) -> set[str]:
        return set(self.events["external"]) - set(self.placed["external"])


def _externals(ids: pd.Series) -> pd.Series:
    """The importer's external IDs: a repeated ID is ID#2, ID#3 … in order of appearance."""
    seen = ids.groupby(ids).cumcount()
    return ids.where(seen == 0, ids + "#" + (seen + 1).astype(str))


def _independent() -> Independent:
    raw = json.loads(EVENTS.read_text(encoding="utf-8"))
    events = pd.DataFrame({
        "id": [e["id"] for e in raw],
        "day": pd.to_datetime([e["date"] for e in raw], format="%m/%d/%Y"),
        "lat": [float(e["latitude"]) for e in raw],
        "lon": [float(e["longitude"]) for e in raw],
        "affected": [frozenset(f["value"] for f in e["filters"] if f["key"] == AFFECTED) for e in raw],
    })  # fmt: skip
    events["external"] = _externals(events["id"])
    points = shapely.points(events["lon"].to_numpy(), events["lat"].to_numpy())
    features = json.loads(AREAS.read_text(encoding="utf-8"))["features"]
    parts = []
    for feature in features:
        # covers: a point on the border between two areas lies in both.
        inside = shapely.covers(shape(feature["geometry"]), points)
        parts.append(
            events.loc[inside, ["external", "day"]].assign(area=feature["properties"]["HASC_1"])
        )
    placed = pd.concat(parts, ignore_index=True)
    placed["month"] = placed["day"].dt.strftime("%Y-%m")
    names = {f["properties"]["HASC_1"]: f["properties"]["NAME_1"] for f in features}
    return Independent(events, placed, names)


def _grouped(frame: pd.DataFrame, keys: list[str]) -> dict[tuple[str, ...], list[str]]:
    groups = frame.groupby(keys)["external"]
    return {key if isinstance(key, tuple) else (key,): sorted(members) for key, members in groups}


def _hitting(independent: Independent, targets: list[str]) -> set[str]:
    """The events with any of these targets' TimeMap values."""
    values = {TARGETS[t] for t in targets}
    events = independent.events
    return set(events.loc[events["affected"].map(lambda a: bool(values & a)), "external"])


# --- Testament: the file imported into one database ---------------------------------------------------


@dataclass(frozen=True)
class Imported:
    instance: Instance
    cli: Cli
    external: dict[str, str]  # incident ID -> external ID
    points: dict[str, tuple[float, float]]  # external ID -> (latitude, longitude)
    report: ImportReport


def _import(instance: Instance, cli: Cli) -> Imported:
    gazetteer.load(instance, AREAS, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")
    report = import_timemap(instance, EVENTS, CASE, ImportOptions(suffix_duplicates=True))
    t = tables.incident
    with read_transaction(instance.engine) as conn:
        rows = conn.execute(select(t.c.id, t.c.external_id, t.c.latitude, t.c.longitude)).all()
    return Imported(
        instance, cli, {str(r.id): str(r.external_id) for r in rows},
        {str(r.external_id): (float(r.latitude), float(r.longitude)) for r in rows}, report,
    )  # fmt: skip


def _rows(result: Analysis, keys: list[str]) -> dict[tuple[str, ...], list[str]]:
    """Each row's keys (an area by its code) and the external IDs of its incidents, sorted."""
    found: dict[tuple[str, ...], list[str]] = {}
    for row in result.rows:
        assert row["count"] == len(row["incidents"])
        key = tuple(row["area_code"] if k == "area" else row[k] for k in keys)
        found[key] = sorted(i["external_id"] for i in row["incidents"])
    return found


def _external(imported: Imported, ids: list[str]) -> set[str]:
    return {imported.external[i] for i in ids}


# --- The checks, one per analysis ---------------------------------------------------------------------


def _the_three_shared_ids_are_six_incidents_never_three(
    imported: Imported, independent: Independent
) -> None:
    assert imported.report.incidents.created == 1790 and imported.report.unmapped == {}
    externals = sorted(imported.external.values())
    assert len(externals) == len(set(externals)) == len(independent.events) == 1790
    assert set(externals) == set(independent.events["external"])
    events = independent.events.set_index("external")
    for shared in SHARED_IDS:
        first, second = shared, f"{shared}#2"  # in the file's order, as the importer numbers them
        assert events.loc[[first, second], "id"].tolist() == [shared, shared]
        for external in (first, second):
            assert imported.points[external] == tuple(events.loc[external, ["lat", "lon"]])
        assert imported.points[first] != imported.points[second], "two places: two incidents"
        assert any(f"imported as {second!r}" in w for w in imported.report.warnings)


def _monthly_counts_per_area_agree(imported: Imported, independent: Independent) -> None:
    found = service.counts(imported.instance, SCOPE, by=["area", "month"])
    assert _rows(found, ["area", "month"]) == _grouped(independent.placed, ["area", "month"])
    assert {r["area_code"]: r["area"] for r in found.rows}.items() <= independent.names.items()
    assert _external(imported, found.unplaced) == independent.unplaced
    assert found.undated == [] and found.incidents == 1790


def _schools_childcare_and_healthcare_per_area_agree(
    imported: Imported, independent: Independent
) -> None:
    for target in TARGETS:
        found = service.counts(imported.instance, SCOPE, by=["area"], where={"target": target})
        hit = _hitting(independent, [target])
        placed = independent.placed[independent.placed["external"].isin(hit)]
        assert _rows(found, ["area"]) == _grouped(placed, ["area"]), target
        assert _external(imported, found.unplaced) == hit & independent.unplaced, target
        assert found.undated == []


def _the_worked_example_commands_answer_the_same_as_the_use_cases(
    imported: Imported, independent: Independent
) -> None:
    """docs/patterns.md runs these commands; their JSON is the use case's, checkpoint included."""
    done = imported.cli(
        "analyze", "counts", "--case", CASE, "--by", "area", "--by", "month", "--format", "json",
        check=True,
    )  # fmt: skip
    printed = json.loads(done.stdout)
    assert printed == service.counts(imported.instance, SCOPE, by=["area", "month"]).as_json()
    assert len(printed["unplaced"]) == len(independent.unplaced) == 62
    assert printed["rows"][0]["count"] == 113, "Kharkiv in March 2022, the largest"


# --- Spikes and repeat strikes ----------------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_008.8  # the mean Earth radius (IUGG); no pair lies within 1.8 m of 1 km


def _pairs_within(events: pd.DataFrame, metres: float, days: int) -> pd.DataFrame:
    """Every pair of events within ``metres`` (haversine) and ``days`` calendar days, by brute force."""
    lat, lon = np.radians(events["lat"].to_numpy()), np.radians(events["lon"].to_numpy())
    a = (
        np.sin((lat[:, None] - lat[None, :]) / 2) ** 2
        + np.cos(lat)[:, None]
        * np.cos(lat)[None, :]
        * np.sin((lon[:, None] - lon[None, :]) / 2) ** 2
    )
    distance = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
    day = events["day"].to_numpy().astype("datetime64[D]").astype(np.int64)
    apart = np.abs(day[:, None] - day[None, :])
    first, second = np.nonzero(np.triu((distance <= metres) & (apart <= days), k=1))
    external = events["external"].to_numpy()
    return pd.DataFrame({
        "a": external[first], "b": external[second],
        "distance": distance[first, second], "days": apart[first, second],
    })  # fmt: skip


def _area_days_with_five_or_more_incidents_agree(
    imported: Imported, independent: Independent
) -> None:
    found = strikes.spikes(imported.instance, SCOPE, by_area=True, period="day", min_count=5)
    placed = independent.placed.assign(day=independent.placed["day"].dt.strftime("%Y-%m-%d"))
    expected = {k: v for k, v in _grouped(placed, ["area", "day"]).items() if len(v) >= 5}
    assert _rows(found, ["area", "day"]) == expected
    assert [(r["day"], r["area"]) for r in found.rows] == sorted(
        (r["day"], r["area"]) for r in found.rows
    )
    assert _external(imported, found.unplaced) == independent.unplaced
    assert found.undated == []


def _repeat_strikes_within_one_km_and_one_day_agree(
    imported: Imported, independent: Independent
) -> None:
    found = strikes.repeats(imported.instance, SCOPE, radius_m=1000, window_h=24)
    expected = _pairs_within(independent.events, 1000, 1)
    pairs = found.extra["pairs"]
    assert {frozenset(i["external_id"] for i in p["incidents"]): (p["distance_m"], p["days_apart"])
            for p in pairs} == {
        frozenset((r.a, r.b)): (round(r.distance, 1), r.days) for r in expected.itertuples()
    }  # fmt: skip
    assert len(pairs) == len(expected) and {p["rule"] for p in pairs} == {"days"}
    assert found.extra["time_rule"]["applied"] == "days"
    graph = nx.Graph(list(zip(expected["a"], expected["b"], strict=True)))
    days = dict(zip(independent.events["external"], independent.events["day"], strict=True))
    groups = {
        frozenset(members): (
            min(days[m] for m in members).strftime("%Y-%m-%d"),
            max(days[m] for m in members).strftime("%Y-%m-%d"),
        )
        for members in nx.connected_components(graph)
    }
    assert {
        frozenset(i["external_id"] for i in g["incidents"]): (g["first"], g["last"])
        for g in found.rows
    } == groups
    assert found.rows == found.extra["groups"] and len(found.rows) == len(groups)
    where = independent.events.set_index("external")
    for group in found.rows:  # the centre lies among its incidents
        members = where.loc[[i["external_id"] for i in group["incidents"]]]
        centre = group["centre"]
        assert members["lat"].min() - 1e-6 <= centre["latitude"] <= members["lat"].max() + 1e-6
        assert members["lon"].min() - 1e-6 <= centre["longitude"] <= members["lon"].max() + 1e-6
    assert found.unplaced == [] and found.undated == [], "every event has a point and a day"


def _protected_objects_per_area_and_month_agree(
    imported: Imported, independent: Independent
) -> None:
    for categories in (["education"], ["healthcare"], ["education", "healthcare"]):
        _protected_agree(imported, independent, categories)


def _protected_agree(imported: Imported, independent: Independent, categories: list[str]) -> None:
    found = widespread.protected(imported.instance, SCOPE, categories=categories)
    hit = _hitting(independent, categories)
    placed = independent.placed[independent.placed["external"].isin(hit)]
    assert _rows(found, ["area", "month"]) == _grouped(placed, ["area", "month"])
    by_area = {
        a["area_code"]: sorted(i["external_id"] for i in a["incidents"])
        for a in found.extra["areas"]
    }
    assert by_area == {k[0]: v for k, v in _grouped(placed, ["area"]).items()}
    every = independent.placed.groupby("area").size()
    for area in found.extra["areas"]:
        assert area["all"] == every[area["area_code"]]
    monthly = independent.placed.groupby(["area", "month"]).size()
    each = {c: _hitting(independent, [c]) for c in categories}
    for row in found.rows:
        members = {i["external_id"] for i in row["incidents"]}
        assert row["all"] == monthly[row["area_code"], row["month"]]
        assert row["categories"] == {
            c: len(members & each[c]) for c in categories if members & each[c]
        }
    summary = found.extra["summary"]
    assert summary["total"] == len(set(placed["external"]))
    largest = sorted(by_area.items(), key=lambda a: (-len(a[1]), independent.names[a[0]]))[:5]
    assert [a["area_code"] for a in summary["top"]] == [code for code, _ in largest]
    held = sum(len(members) for _, members in largest)
    assert summary["top_share"] == round(held / summary["total"], 4)
    assert summary["all_incidents"] == len(independent.events) - len(independent.unplaced)
    assert _external(imported, found.unplaced) == independent.unplaced


CHECKS = (
    _the_three_shared_ids_are_six_incidents_never_three,
    _monthly_counts_per_area_agree,
    _schools_childcare_and_healthcare_per_area_agree,
    _protected_objects_per_area_and_month_agree,
    _area_days_with_five_or_more_incidents_agree,
    _repeat_strikes_within_one_km_and_one_day_agree,
    _the_worked_example_commands_answer_the_same_as_the_use_cases,
)


def test_every_analysis_of_the_bellingcat_file_agrees_with_pandas_and_shapely(
    instance: Instance, cli: Cli
) -> None:
    """One import per database (a few seconds), then every check; a failing check does not hide the
    others: each failure is reported, by check."""
    _require_datasets()
    independent = _independent()
    imported = _import(instance, cli)
    failures = []
    for check in CHECKS:
        try:
            check(imported, independent)
        except AssertionError as failure:
            failures.append(f"{check.__name__.strip('_')}: {failure}")
    assert not failures, "\n\n".join(failures)
