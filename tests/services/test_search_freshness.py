"""Every writer keeps the search index current: ingest, unit changes and gazetteer loads."""

from __future__ import annotations

from pathlib import Path

from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.documentation import gazetteer, incidents, search, units
from testament.search.base import SearchQuery

SAMPLE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer" / "ukraine-adm1-sample.geojson"
)


def _found(instance: Instance, text: str, kind: str) -> set[str]:
    results = search.search(instance, SearchQuery(text, kinds=(kind,)))  # type: ignore[arg-type]
    return {hit.doc_id for hit in results.hits}


def test_ingested_items_are_searchable_by_their_file_name_and_source_note(
    instance: Instance, tmp_path: Path
) -> None:
    folder = tmp_path / "volunteers"
    folder.mkdir()
    photo = folder / "photo.txt"
    photo.write_text("a frame from a drone video")
    report = ingest.ingest(
        instance, [photo], case_name="Case A", source_note="Telegram channel Irpinsky"
    )
    item_id = report.results[0].item_id
    assert _found(instance, "Irpinsky", "item") == {item_id}
    assert _found(instance, "photo", "item") == {item_id}
    # The folders it came from can name people, so they are not searchable (docs/search.md).
    assert _found(instance, "volunteers", "item") == set()


def test_a_unit_rename_or_new_alias_reaches_its_incidents(instance: Instance) -> None:
    cases.create_case(instance, "Case A")
    incident_id = incidents.create(instance, "Case A", incidents.IncidentInput(title="Shelling"))
    unit_id = units.create(instance, "93rd Brigade")
    units.involve(instance, unit_id, incident_id, "present")
    assert _found(instance, "93rd", "incident") == {incident_id}
    units.edit(instance, unit_id, {"name": "Kholodnyi Yar Brigade"})
    assert _found(instance, "Kholodnyi", "incident") == {incident_id}
    assert _found(instance, "93rd", "incident") == set()
    units.add_alias(instance, unit_id, "Холодний Яр", "Cyrl", "uk")
    assert _found(instance, "Холодний", "incident") == {incident_id}


def test_a_gazetteer_load_makes_incidents_findable_by_their_area(instance: Instance) -> None:
    cases.create_case(instance, "Case A")
    kharkiv = incidents.IncidentInput(title="Strike on a school", latitude=49.99, longitude=36.23)
    incident_id = incidents.create(instance, "Case A", kharkiv)
    assert _found(instance, "Kharkov", "incident") == set()
    gazetteer.load(instance, SAMPLE, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")
    assert _found(instance, "Kharkov", "incident") == {incident_id}
    assert _found(instance, "Харків", "incident") == {incident_id}
