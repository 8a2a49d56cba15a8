"""Importing TimeMap and mapped CSV files on both databases: counts, idempotency, atomicity, bad input."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from testament.custody.instance import Instance
from testament.documentation import gazetteer, incidents
from testament.errors import InvalidInput
from testament.storage import tables
from testament.storage.engine import read_transaction
from testament.transfer.imports import ImportOptions, ImportReport, import_csv, import_timemap

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE = FIXTURES / "timemap" / "bellingcat-sample.json"
AREAS = FIXTURES / "gazetteer" / "ukraine-adm1-sample.geojson"
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "mappings"


def load_areas(instance: Instance, path: Path = AREAS) -> None:
    gazetteer.load(instance, path, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")


def count(instance: Instance, table: Any) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def event(event_id: str = "E1", **fields: Any) -> dict[str, Any]:
    base = {
        "id": event_id,
        "date": "03/05/2022",
        "latitude": "49.99",
        "longitude": "36.23",
        "location": "Kharkiv",
        "description": "Strike on a residential block.",
        "sources": [{"id": f"src-{event_id}", "path": "https://t.me/x/1", "description": "Post"}],
        "filters": [{"key": "Type of area affected", "value": "Residential"}],
    }
    return base | fields


def write(tmp_path: Path, events: list[Any], name: str = "events.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(events), encoding="utf-8")
    return path


def by_external_id(instance: Instance, external_id: str) -> dict[str, Any]:
    t = tables.incident
    with read_transaction(instance.engine) as conn:
        row = conn.execute(select(t.c.id).where(t.c.external_id == external_id)).scalar_one()
    return incidents.show(instance, str(row)).as_json()


def test_the_sample_arrives_whole_with_external_ids_areas_and_sources(instance: Instance) -> None:
    load_areas(instance)
    report = import_timemap(instance, SAMPLE, "Bellingcat")
    assert report.namespace == "timemap:bellingcat-sample"
    assert (report.incidents.created, report.sources.created, report.links) == (20, 49, 54)
    assert report.unmapped == {} and report.rejected == 0
    assert count(instance, tables.incident) == 20
    assert any("(0, 0)" in w for w in report.warnings)

    kyiv = by_external_id(instance, "CIV0022")
    assert (kyiv["external_ns"], kyiv["date_precision"], kyiv["occurred_from"]) == (
        "timemap:bellingcat-sample", "day", "2022-02-25",
    )  # fmt: skip
    assert [a["name"] for a in kyiv["areas"]] == ["Kiev City"]
    first = by_external_id(instance, "CIV0098")
    assert first["targets"] == ["residential"] and first["weapons"] == ["unknown"]
    assert first["title"] == "Individual injured by shelling, ambulance responds."

    t = tables.source
    with read_transaction(instance.engine) as conn:
        hidden = conn.execute(select(t).where(t.c.external_id == "srcHidden")).mappings().one()
        bare = conn.execute(select(t).where(t.c.reference == "t.me/mariupol/3562")).mappings().one()
    assert hidden["url"] is None and "HIDDEN" in hidden["description"]
    assert (bare["url"], bare["kind"]) == ("https://t.me/mariupol/3562", "social-media-post")


def test_importing_the_same_file_again_creates_nothing(instance: Instance) -> None:
    import_timemap(instance, SAMPLE, "Bellingcat")
    with read_transaction(instance.engine) as conn:
        events = conn.execute(select(func.count()).select_from(tables.custody_event)).scalar_one()
    again = import_timemap(instance, SAMPLE, "Bellingcat")
    assert again.nothing_new
    assert (again.incidents.unchanged, again.sources.unchanged, again.links) == (20, 49, 0)
    assert again.incidents.created == again.sources.created == 0
    assert count(instance, tables.incident) == 20
    assert count(instance, tables.incident_source) == 54
    assert count(instance, tables.custody_event) == events


def test_a_changed_row_becomes_a_new_version_and_a_local_edit_is_kept(
    instance: Instance, tmp_path: Path
) -> None:
    first = write(tmp_path, [event("A"), event("B")])
    import_timemap(instance, first, "Case")
    incidents.edit(instance, by_external_id(instance, "B")["id"], {"weapons": ["artillery"]})
    changed = write(
        tmp_path, [event("A", description="Strike on two residential blocks."), event("B")]
    )
    report = import_timemap(instance, changed, "Case")
    assert (report.incidents.updated, report.incidents.kept, report.incidents.unchanged) == (
        1,
        1,
        0,
    )
    a, b = by_external_id(instance, "A"), by_external_id(instance, "B")
    assert a["version"] == 2 and a["description"] == "Strike on two residential blocks."
    assert b["version"] == 2 and b["weapons"] == ["artillery"]
    assert [v.change for v in incidents.versions(instance, "incident", a["id"])] == [
        "create",
        "update",
    ]


def test_unknown_filter_values_are_kept_verbatim_and_flagged(
    instance: Instance, tmp_path: Path
) -> None:
    filters = [
        {"key": "Type of area affected", "value": "Residential"},
        {"key": "Type of area affected", "value": "Zoo"},
        {"key": "Weapon System", "value": "Trebuchet"},
        {"key": "Perpetrator", "value": "Unknown"},
    ]
    report = import_timemap(instance, write(tmp_path, [event("A", filters=filters)]), "Case")
    shown = by_external_id(instance, "A")
    assert shown["targets"] == ["residential"]
    assert shown["unmapped"] == {
        "Perpetrator": ["Unknown"],
        "Type of area affected": ["Zoo"],
        "Weapon System": ["Trebuchet"],
    }
    assert report.unmapped["Weapon System"] == {"Trebuchet": 1}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"date": "02/30/2022"}, "date", "February 2022 has 28 days"),
        ({"latitude": "95.5"}, "latitude", "latitude 95.5 is out of range"),
        ({"longitude": "-190"}, "longitude", "longitude -190.0 is out of range"),
        ({"latitude": "fifty"}, "latitude", "latitude must be a number, not 'fifty'"),
        ({"longitude": "36,2,1"}, "longitude", "longitude must be a number"),
        ({"description": "a\x00b"}, "description", "NUL"),
    ],
)
def test_a_bad_row_aborts_the_import_naming_row_and_field(
    instance: Instance, tmp_path: Path, changes: dict[str, Any], field: str, message: str
) -> None:
    path = write(tmp_path, [event("A"), event("B"), event("C", **changes)])
    with pytest.raises(InvalidInput) as caught:
        import_timemap(instance, path, "Case")
    assert message in caught.value.errors[field]
    assert "event 3 (C)" in (caught.value.where or "")
    assert count(instance, tables.incident) == 0
    assert count(instance, tables.source) == 0


def test_nothing_is_half_written_when_a_late_row_fails(instance: Instance, tmp_path: Path) -> None:
    events = [event(f"E{n}") for n in range(1, 1201)]
    events[1150]["date"] = "13/01/2022"
    with pytest.raises(InvalidInput) as caught:
        import_timemap(instance, write(tmp_path, events), "Case")
    assert "event 1151 (E1151)" in (caught.value.where or "")
    assert count(instance, tables.incident) == 0
    assert count(instance, tables.record_version) == 0


def test_skip_invalid_writes_rejects_and_imports_the_rest(
    instance: Instance, tmp_path: Path
) -> None:
    events = [event("A"), event("B", date="02/30/2022"), "not an event", event("C", latitude="x")]
    rejects = tmp_path / "out" / "rejects.json"
    rejects.parent.mkdir()
    options = ImportOptions(skip_invalid=True, rejects=rejects)
    report = import_timemap(instance, write(tmp_path, events), "Case", options)
    assert (report.incidents.created, report.rejected, report.rejects_path) == (1, 3, str(rejects))
    refused = json.loads(rejects.read_text())
    assert [r.get("id") for r in refused] == ["B", None, "C"]
    assert refused[0]["testament_error"]["fields"]["date"].startswith("'02/30/2022' is not a date")
    assert refused[1]["testament_rejected"] == "not an event"
    assert not list(rejects.parent.glob("*.partial"))


def test_invalid_utf8_is_refused_naming_the_byte_and_line(
    instance: Instance, tmp_path: Path
) -> None:
    path = tmp_path / "latin1.json"
    text = json.dumps([event("A")], indent=1).replace("Kharkiv", "Kharkiv\u00e9")
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(InvalidInput) as caught:
        import_timemap(instance, path, "Case")
    offset = text.encode("latin-1").index(b"\xe9")
    line = text[: text.index("\u00e9")].count("\n") + 1
    assert caught.value.where == f"{path}: byte {offset}, line {line}"
    assert count(instance, tables.incident) == 0


def test_a_repeated_id_is_refused_naming_both_rows_unless_suffixed(
    instance: Instance, tmp_path: Path
) -> None:
    path = write(tmp_path, [event("A"), event("B"), event("A", latitude="50.0")])
    with pytest.raises(InvalidInput) as caught:
        import_timemap(instance, path, "Case")
    assert "the ID 'A' appears twice in the file: event 1 and event 3" in caught.value.what
    assert "--suffix-duplicates" in (caught.value.hint or "")
    assert count(instance, tables.incident) == 0
    report = import_timemap(instance, path, "Case", ImportOptions(suffix_duplicates=True))
    assert report.incidents.created == 3
    assert by_external_id(instance, "A#2")["latitude"] == 50.0


def test_swapped_coordinates_are_imported_with_a_warning(
    instance: Instance, tmp_path: Path
) -> None:
    load_areas(instance)
    path = write(tmp_path, [event("A", latitude="36.23", longitude="49.99"), event("B")])
    report = import_timemap(instance, path, "Case")
    assert report.incidents.created == 2
    (warning,) = [w for w in report.warnings if "swapped" in w]
    assert "event 1 (A)" in warning
    assert by_external_id(instance, "A")["latitude"] == 36.23


def test_without_areas_loaded_the_report_says_so(instance: Instance, tmp_path: Path) -> None:
    report = import_timemap(instance, write(tmp_path, [event("A")]), "Case")
    assert any("no administrative areas are loaded" in w for w in report.warnings)


# --- CSV ----------------------------------------------------------------------------------------------


def test_the_uwazi_and_airtable_examples_import(instance: Instance) -> None:
    load_areas(instance)
    uwazi = import_csv(instance, EXAMPLES / "uwazi-example.csv", "Case", EXAMPLES / "uwazi.yaml")
    assert (uwazi.incidents.created, uwazi.sources.created, uwazi.namespace) == (
        3, 3, "uwazi:example-collection",
    )  # fmt: skip
    assert uwazi.unmapped == {"Weapon": {"Thermobaric rocket": 1}}
    airtable = import_csv(
        instance, EXAMPLES / "airtable-example.csv", "Case", EXAMPLES / "airtable.yaml"
    )
    assert (airtable.incidents.created, airtable.sources.created) == (2, 3)
    plant = by_external_id(instance, "recA1b2C3d4E5f6G7")
    assert (plant["occurred_from"], plant["status"], plant["weapons"]) == (
        "2022-10-10", "corroborated", ["missile", "shahed"],
    )  # fmt: skip
    again = import_csv(instance, EXAMPLES / "uwazi-example.csv", "Case", EXAMPLES / "uwazi.yaml")
    assert again.nothing_new and again.incidents.unchanged == 3


def _csv(tmp_path: Path, body: str, mapping: dict[str, Any]) -> tuple[Path, Path]:
    data, spec = tmp_path / "in.csv", tmp_path / "map.yaml"
    data.write_text(body, encoding="utf-8")
    spec.write_text(json.dumps({"testament-csv-mapping": 1} | mapping), encoding="utf-8")
    return data, spec


MAPPING = {
    "id": "Ref",
    "fields": {"title": "Title", "date": "Date", "latitude": "Lat", "longitude": "Lon"},
    "lists": {"weapons": {"column": "Weapon", "values": {"Grad": "grad"}}},
}


@pytest.mark.parametrize(
    ("row", "column", "message"),
    [
        ("3,C,2022-02-30,50,30,Grad", "Date", "February 2022 has 28 days"),
        ("3,C,2022-03-01,91,30,Grad", "Lat", "latitude 91.0 is out of range"),
        ("3,C,2022-03-01,50,east,Grad", "Lon", "longitude must be a number, not 'east'"),
        ("3,C,2022-03-01,50,30,Laser", "Weapon", "'Laser' is not in the weapon-systems vocabulary"),
        ("3,,2022-03-01,50,30,Grad", "Title", "must not be empty"),
        ("1,C,2022-03-01,50,30,Grad", "Ref", "appears twice in the file: row 2 and row 4"),
    ],
)
def test_a_bad_csv_row_is_refused_naming_row_and_column(
    instance: Instance, tmp_path: Path, row: str, column: str, message: str
) -> None:
    body = (
        f"Ref,Title,Date,Lat,Lon,Weapon\n1,A,2022-03-01,50,30,Grad\n2,B,2022-03-01,50,30,\n{row}\n"
    )
    data, spec = _csv(tmp_path, body, MAPPING)
    with pytest.raises(InvalidInput) as caught:
        import_csv(instance, data, "Case", spec)
    assert message in str(caught.value.errors.get(column, caught.value.what))
    assert "row 4" in (caught.value.where or "")
    assert count(instance, tables.incident) == 0
    report = import_csv(
        instance, data, "Case", spec, ImportOptions(skip_invalid=True, rejects=tmp_path / "r.csv")
    )
    assert (report.incidents.created, report.rejected) == (2, 1)
    rejected = (tmp_path / "r.csv").read_text().splitlines()
    assert rejected[0] == "Ref,Title,Date,Lat,Lon,Weapon,testament_row,testament_error"
    assert rejected[1].startswith(row + ",4,")


def test_a_csv_mapping_may_keep_unknown_values(instance: Instance, tmp_path: Path) -> None:
    mapping = MAPPING | {"lists": {"weapons": {"column": "Weapon", "unknown": "keep"}}}
    data, spec = _csv(tmp_path, "Ref,Title,Date,Lat,Lon,Weapon\n1,A,,,,Laser|grad\n", mapping)
    report = import_csv(instance, data, "Case", spec)
    shown = by_external_id(instance, "1")
    assert shown["weapons"] == ["grad"] and shown["unmapped"] == {"Weapon": ["Laser"]}
    assert report.unmapped == {"Weapon": {"Laser": 1}}


@pytest.mark.slow
def test_a_50_mb_csv_streams_in_bounded_memory(instance: Instance, tmp_path: Path) -> None:
    """5,000 rows of 10 KB: the Notes column is not mapped, as in a wide export, so the test stays quick."""
    data, spec = _csv(tmp_path, "", MAPPING)
    notes = "Witnesses describe the strike in detail. " * 250
    with data.open("w", encoding="utf-8") as out:
        out.write("Ref,Title,Date,Lat,Lon,Weapon,Notes\n")
        rows = 0
        while out.tell() < 50 * 1024 * 1024:
            rows += 1
            out.write(f"{rows},Strike {rows},2022-03-01,50.{rows % 1000},30.5,Grad,{notes}{rows}\n")
    tracemalloc.start()
    try:
        report = import_csv(instance, data, "Case", spec)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert report.incidents.created == rows > 4000
    assert peak < 100 * 1024 * 1024, f"peak {peak / 2**20:.0f} MiB for a 50 MiB file"


# --- The real file ------------------------------------------------------------------------------------


def test_the_full_bellingcat_file_arrives_and_every_filter_value_maps(instance: Instance) -> None:
    path = SHARED / "bellingcat-civharm-2024-06-02.json"
    if not path.is_file():
        pytest.skip(
            f"the shared datasets are absent ({path.resolve()}); this test needs the real file"
        )
    load_areas(instance, SHARED / "ukraine-adm1.geojson")
    raw = json.loads(path.read_text())
    cited = {s["id"] for e in raw for s in e["sources"]}
    links = sum(len({s["id"] for s in e["sources"]}) for e in raw)
    assert (len(raw), sum(len(e["sources"]) for e in raw), len(cited), links) == (
        1790,
        5002,
        4764,
        4908,
    )

    options = ImportOptions(suffix_duplicates=True)  # three IDs appear twice, for different events
    report: ImportReport = import_timemap(instance, path, "Bellingcat", options)
    assert (report.incidents.created, report.sources.created, report.links) == (1790, 4764, 4908)
    assert report.unmapped == {}, "every TimeMap filter value maps to a term"
    with read_transaction(instance.engine) as conn:
        placed = conn.execute(
            select(func.count(tables.incident_area.c.incident_id.distinct()))
        ).scalar_one()
    assert placed >= 1720, "1,728 of them: the others lie in Russia, Moldova, at sea or at (0, 0)"
    again = import_timemap(instance, path, "Bellingcat", options)
    assert again.nothing_new and again.incidents.unchanged == 1790
