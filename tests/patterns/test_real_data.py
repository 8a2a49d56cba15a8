"""Validation on real data: Bellingcat's civilian-harm file (1,790 incidents in Ukraine), placed with
Ukraine's oblasts, analysed by Testament, must agree exactly with an independent computation written
directly on the JSON with pandas and shapely: the same incidents in every row, the same unplaced and
undated ones. The file is imported once per database (a few seconds each); every test reads it.

The shared datasets live beside the project (``../shared/datasets``); a fresh clone has none, so the
tests skip there, naming the folder, and nowhere else (CI has it and fails on any skip).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd
import psycopg
import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import select

from testament.config import load_settings
from testament.custody import instance as instance_service
from testament.custody.instance import Instance
from testament.documentation import gazetteer
from testament.patterns import service
from testament.patterns.load import Scope
from testament.patterns.results import Analysis
from testament.storage import tables
from testament.storage.engine import read_transaction
from testament.transfer.imports import ImportOptions, import_timemap
from tests.conftest import BACKENDS, PG_ADMIN_URL, TEST_ENVIRONMENT, Cli

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


# --- Testament: the file imported once per database ------------------------------------------------------


@dataclass(frozen=True)
class Imported:
    instance: Instance
    cli: Cli
    external: dict[str, str]  # incident ID -> external ID


@pytest.fixture(scope="module")
def independent() -> Independent:
    _require_datasets()
    return _independent()


@contextlib.contextmanager
def _database(request: pytest.FixtureRequest, home: Path) -> Iterator[str]:
    """A migrated database of this module's own, so the import is shared by its tests alone."""
    if request.param == "sqlite":
        home.mkdir(mode=0o700)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), home / "testament.db")
        yield f"sqlite:///{home / 'testament.db'}"
        return
    admin: psycopg.Connection = request.getfixturevalue("pg_admin")
    template: str = request.getfixturevalue("pg_template")
    name = f"testament_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield f"{PG_ADMIN_URL.rpartition('/')[0]}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module", params=BACKENDS)
def imported(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Imported]:
    _require_datasets()
    home = tmp_path_factory.mktemp("bellingcat") / "home"
    with _database(request, home) as url:
        settings = replace(
            load_settings({"TESTAMENT_HOME": str(home)} | TEST_ENVIRONMENT), database_url=url
        )
        instance_service.init(settings)
        instance = instance_service.open_instance(settings)
        try:
            gazetteer.load(
                instance, AREAS, level=1, name_field="NAME_1", alt_names_field="VARNAME_1"
            )
            import_timemap(instance, EVENTS, CASE, ImportOptions(suffix_duplicates=True))
            t = tables.incident
            with read_transaction(instance.engine) as conn:
                rows = conn.execute(select(t.c.id, t.c.external_id)).all()
            yield Imported(instance, Cli(settings), {str(i): str(e) for i, e in rows})
        finally:
            instance.close()


def _rows(result: Analysis, keys: list[str]) -> dict[tuple[str, ...], list[str]]:
    """Each row's keys and the external IDs of its incidents, checking its count and area name."""
    found: dict[tuple[str, ...], list[str]] = {}
    for row in result.rows:
        assert row["count"] == len(row["incidents"])
        key = tuple(row["area_code"] if k == "area" else row[k] for k in keys)
        found[key] = sorted(i["external_id"] for i in row["incidents"])
    return found


def _external(imported: Imported, ids: list[str]) -> set[str]:
    return {imported.external[i] for i in ids}


# --- The tests ------------------------------------------------------------------------------------------


def test_the_three_shared_ids_are_six_incidents_never_three(
    imported: Imported, independent: Independent
) -> None:
    externals = sorted(imported.external.values())
    assert len(externals) == len(set(externals)) == len(independent.events) == 1790
    assert set(externals) == set(independent.events["external"])
    for shared in SHARED_IDS:
        assert {shared, f"{shared}#2"} <= set(externals)
        twins = independent.events[independent.events["id"] == shared]
        assert len(twins) == 2 and twins.iloc[0].to_dict() != twins.iloc[1].to_dict()


def test_monthly_counts_per_area_agree(imported: Imported, independent: Independent) -> None:
    found = service.counts(imported.instance, SCOPE, by=["area", "month"])
    assert _rows(found, ["area", "month"]) == _grouped(independent.placed, ["area", "month"])
    assert {r["area_code"]: r["area"] for r in found.rows}.items() <= independent.names.items()
    assert _external(imported, found.unplaced) == independent.unplaced
    assert found.undated == [] and found.incidents == 1790


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_schools_childcare_and_healthcare_per_area_agree(
    imported: Imported, independent: Independent, target: str
) -> None:
    found = service.counts(imported.instance, SCOPE, by=["area"], where={"target": target})
    events = independent.events
    hit = set(events.loc[events["affected"].map(lambda a: TARGETS[target] in a), "external"])
    placed = independent.placed[independent.placed["external"].isin(hit)]
    assert _rows(found, ["area"]) == _grouped(placed, ["area"])
    assert _external(imported, found.unplaced) == hit & independent.unplaced
    assert found.undated == []


def test_the_worked_example_commands_answer_the_same_as_the_use_cases(imported: Imported) -> None:
    """docs/patterns.md runs these commands; their JSON is the use case's, checkpoint included."""
    done = imported.cli(
        "analyze", "counts", "--case", CASE, "--by", "area", "--by", "month", "--format", "json",
        check=True,
    )  # fmt: skip
    printed = json.loads(done.stdout)
    assert printed == service.counts(imported.instance, SCOPE, by=["area", "month"]).as_json()
    assert len(printed["unplaced"]) == 62 and printed["rows"][0]["count"] == 113
