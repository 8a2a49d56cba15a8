"""Exports on both databases: JSON Lines round trips into a fresh home; CSV, GeoJSON and TimeMap shapes."""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from testament.config import load_settings
from testament.custody import instance as instance_service
from testament.custody.instance import Instance
from testament.documentation import incidents, people, units
from testament.errors import InvalidInput
from testament.sharing.importers import timemap
from testament.transfer import exports
from testament.transfer.import_jsonl import import_jsonl
from testament.transfer.imports import import_csv, import_timemap
from testament.transfer.queries import exports as export_records
from tests.conftest import PG_ADMIN_URL
from tests.services.test_imports import SAMPLE, by_external_id, load_areas


@pytest.fixture
def fresh(instance: Instance, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Instance]:
    """A second, empty home on the same kind of database as ``instance``."""
    name = f"testament_test_{uuid.uuid4().hex[:12]}"
    admin: psycopg.Connection | None = None
    if instance.engine.dialect.name == "sqlite":
        url = f"sqlite:///{tmp_path / 'fresh' / 'testament.db'}"
    else:
        admin = request.getfixturevalue("pg_admin")
        admin.execute(f'CREATE DATABASE "{name}"')
        url = f"{PG_ADMIN_URL.rpartition('/')[0]}/{name}"
    settings = replace(load_settings({"TESTAMENT_HOME": str(tmp_path / "fresh")}), database_url=url)
    instance_service.init(settings)
    opened = instance_service.open_instance(settings)
    yield opened
    opened.close()
    if admin is not None:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def export(instance: Instance, fmt: str, case: str = "Bellingcat") -> str:
    out = io.StringIO()
    exports.export(instance, fmt, case, out)
    return out.getvalue()


def _documented(instance: Instance) -> None:
    """The sample, plus a casualty, a relation, a person with a role and units with a commander."""
    import_timemap(instance, SAMPLE, "Bellingcat")
    first, second = by_external_id(instance, "CIV0098"), by_external_id(instance, "CIV0003")
    source_id = first["sources"][0]["source_id"]
    incidents.add_casualty(instance, first["id"], category="injured", count=1, source_id=source_id)
    incidents.relate(instance, first["id"], second["id"], "follows")
    person = people.create(instance, "Bellingcat", "Witness W-1")
    people.add_role(instance, person, first["id"], "witness")
    brigade = units.create(instance, "Example brigade")
    battalion = units.create(instance, "Example battalion", parent=brigade)
    units.add_commander(instance, brigade, name="Commander C", person_id=person)
    units.involve(instance, battalion, first["id"], "suspected")


def test_jsonl_round_trips_through_a_fresh_home(instance: Instance, fresh: Instance) -> None:
    load_areas(instance)
    load_areas(fresh)
    _documented(instance)
    first = export(instance, "jsonl")
    lines = [json.loads(line) for line in first.splitlines()]
    assert lines[0] == {"format": "testament-jsonl", "kind": "header", "version": 1}
    kinds = [line["kind"] for line in lines[1:]]
    assert kinds == sorted(kinds, key=list(export_records.JSONL_KINDS).index)
    assert {k: kinds.count(k) for k in set(kinds)} == {
        "source": 49, "incident": 20, "incident-source": 54, "casualty": 1,
        "incident-relation": 1, "person": 1, "person-role": 1, "unit": 2,
        "unit-commander": 1, "unit-involvement": 1,
    }  # fmt: skip
    assert all(list(line) == sorted(line) for line in lines)

    path = Path(fresh.settings.home) / "export.jsonl"
    path.write_text(first, encoding="utf-8")
    report = import_jsonl(fresh, path, "Bellingcat")
    assert (report.incidents.created, report.sources.created, report.links) == (20, 49, 54)
    assert export(fresh, "jsonl") == first
    again = import_jsonl(fresh, path, "Bellingcat")
    assert again.nothing_new


def test_jsonl_import_refuses_bad_lines_naming_line_and_field(
    instance: Instance, tmp_path: Path
) -> None:
    import_timemap(instance, SAMPLE, "Bellingcat")
    lines = export(instance, "jsonl").splitlines()
    incident = json.loads(next(line for line in lines if '"kind": "incident"' in line))
    incident["data"]["weapons"] = ["catapult"]
    link = json.loads(next(line for line in lines if '"kind": "incident-source"' in line))
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([lines[0], json.dumps(incident), json.dumps(link)]) + "\n")
    with pytest.raises(InvalidInput) as caught:
        import_jsonl(instance, path, "Other")
    assert caught.value.where == f"{path}: line 2, field weapons"
    assert "weapons" in caught.value.errors


def test_jsonl_import_needs_the_header(instance: Instance, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"kind": "source", "data": {}}\n')
    with pytest.raises(InvalidInput, match="Testament JSON Lines header"):
        import_jsonl(instance, path, "Case")


def test_geojson_is_an_rfc7946_feature_collection(instance: Instance, tmp_path: Path) -> None:
    load_areas(instance)
    import_timemap(instance, SAMPLE, "Bellingcat")
    events = json.loads(SAMPLE.read_text())
    events[0] |= {"id": "NOPOINT", "latitude": "", "longitude": ""}
    unlocated = tmp_path / "unlocated.json"
    unlocated.write_text(json.dumps(events[:1]))
    import_timemap(instance, unlocated, "Bellingcat")
    collection = json.loads(export(instance, "geojson"))
    assert set(collection) == {"type", "features"} and collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 21
    for feature in collection["features"]:
        assert set(feature) == {"type", "id", "geometry", "properties"}
        assert feature["type"] == "Feature" and isinstance(feature["properties"], dict)
        geometry = feature["geometry"]
        if geometry is not None:
            assert geometry["type"] == "Point"
            lon, lat = geometry["coordinates"]
            assert -180 <= lon <= 180 and -90 <= lat <= 90
    by_id = {f["properties"]["external_id"]: f for f in collection["features"]}
    kyiv = by_id["CIV0022"]
    assert kyiv["geometry"]["coordinates"] == [30.4762, 50.447941]
    assert kyiv["properties"]["areas"] == ["Kiev City"]
    assert by_id["NOPOINT"]["geometry"] is None


def test_csv_has_one_row_per_incident_with_areas_and_defused_formulas(
    instance: Instance, tmp_path: Path
) -> None:
    load_areas(instance)
    import_timemap(instance, SAMPLE, "Bellingcat")
    events = [{"id": "F1", "date": "03/01/2022", "description": '=HYPERLINK("http://evil")'}]
    path = tmp_path / "formula.json"
    path.write_text(json.dumps(events))
    import_timemap(instance, path, "Bellingcat")
    rows = list(csv.DictReader(io.StringIO(export(instance, "csv"))))
    assert len(rows) == 21
    by_id = {row["external_id"]: row for row in rows}
    assert by_id["CIV0022"]["areas"] == "Kiev City"
    assert by_id["CIV0022"]["latitude"] == "50.447941"
    assert by_id["F1"]["description"].startswith("'=")
    assert by_id["CIV0041"]["sources"].count("|") == 8 - 1  # 9 citations of 8 sources


def test_timemap_export_reads_back_as_the_events_imported(instance: Instance) -> None:
    import_timemap(instance, SAMPLE, "Bellingcat")
    exported = export(instance, "timemap")
    events = [
        e for e in timemap.read(io.BytesIO(exported.encode()), "x") if isinstance(e, timemap.Event)
    ]
    original = {e["id"]: e for e in json.loads(SAMPLE.read_text())}
    assert sorted(e.id for e in events) == sorted(original)
    for event in events:
        given = original[event.id]
        assert event.date == given["date"]
        assert float(str(event.latitude)) == float(given["latitude"])
        assert sorted(event.filters) == sorted((f["key"], f["value"]) for f in given["filters"])
        assert {s.id for s in event.sources} == {s["id"] for s in given["sources"]}
        assert {s.path for s in event.sources if s.hidden} <= {"HIDDEN"}
        assert all(
            s.description == next(g["description"] for g in given["sources"] if g["id"] == s.id)
            for s in event.sources
        )


def test_an_unknown_format_or_case_is_refused(instance: Instance) -> None:
    with pytest.raises(InvalidInput, match="not an export format"):
        exports.export(instance, "xlsx", "Bellingcat", io.StringIO())


def test_paging_does_not_change_an_export(
    instance: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_areas(instance)
    import_timemap(instance, SAMPLE, "Bellingcat")
    whole = {fmt: export(instance, fmt) for fmt in exports.CASE_FORMATS}
    monkeypatch.setattr(export_records, "PAGE", 3)
    assert {fmt: export(instance, fmt) for fmt in exports.CASE_FORMATS} == whole


def test_the_csv_export_reads_back_through_the_example_mapping(
    instance: Instance, tmp_path: Path
) -> None:
    import_timemap(instance, SAMPLE, "Bellingcat")
    path = tmp_path / "export.csv"
    path.write_text(export(instance, "csv"), encoding="utf-8")
    mapping = Path(__file__).resolve().parents[2] / "examples" / "mappings" / "testament-csv.yaml"
    report = import_csv(instance, path, "Copy", mapping)
    assert (report.incidents.created, report.sources.created) == (20, 49)
    original = list(csv.DictReader(io.StringIO(export(instance, "csv"))))
    copy = list(csv.DictReader(io.StringIO(export(instance, "csv", "Copy"))))
    same = (
        "title",
        "occurred_from",
        "date_precision",
        "latitude",
        "longitude",
        "targets",
        "weapons",
    )
    assert sorted([r[k] for k in same] for r in copy) == sorted(
        [r[k] for k in same] for r in original
    )
