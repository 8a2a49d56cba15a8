"""The gazetteer on both databases: loading areas, reloading, and placing incidents in them."""

from __future__ import annotations

import json
import secrets
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, func, insert, select, update

from testament.custody.instance import Instance, os_agent
from testament.documentation import gazetteer as service
from testament.errors import InvalidInput
from testament.storage.engine import read_transaction, write_transaction
from testament.storage.tables import admin_area, case, custody_event, incident, incident_area

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer"
SAMPLE = FIXTURES / "ukraine-adm1-sample.geojson"
REAL = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "ukraine-adm1.geojson"
KHARKIV = (49.99, 36.23)
KYIV = (50.45, 30.52)
NOWHERE = (48.5, 35.0)  # Dnipropetrovsk oblast, not in the sample


def _load(instance: Instance, path: Path = SAMPLE, **options: Any) -> service.LoadReport:
    return service.load(
        instance, path, level=1, name_field="NAME_1", alt_names_field="VARNAME_1", **options
    )


def _case(connection: Connection) -> str:
    case_id = str(uuid.uuid4())
    connection.execute(
        insert(case).values(
            id=case_id,
            name=f"Case {case_id}",
            created_at="2024-01-01T00:00:00.000000Z",
            created_by=os_agent(connection),
            record_salt=secrets.token_bytes(16),
        )
    )
    return case_id


def _incidents(
    connection: Connection, *places: tuple[float | None, float | None, int | None]
) -> list[str]:
    """Insert incidents at (latitude, longitude, given area ID); return their IDs in order."""
    case_id = _case(connection)
    rows = [
        {
            "id": str(uuid.uuid4()),
            "case_id": case_id,
            "title": f"Incident {n}",
            "description": "",
            "date_precision": "unknown",
            "date_text": "",
            "latitude": lat,
            "longitude": lon,
            "place_text": "",
            "area_id": area_id,
            "status": "reported",
            "types": "[]",
            "targets": "[]",
            "weapons": "[]",
            "sensitivity": "[]",
            "unmapped": "{}",
            "version": 1,
            "created_at": "2024-01-01T00:00:00.000000Z",
            "updated_at": "2024-01-01T00:00:00.000000Z",
        }
        for n, (lat, lon, area_id) in enumerate(places)
    ]
    connection.execute(insert(incident), rows)
    return [str(row["id"]) for row in rows]


def _links(instance: Instance) -> dict[str, set[tuple[str, str]]]:
    """incident ID → {(area code, method)}."""
    with read_transaction(instance.engine) as conn:
        rows = conn.execute(
            select(incident_area.c.incident_id, admin_area.c.code, incident_area.c.method).join(
                admin_area, admin_area.c.id == incident_area.c.area_id
            )
        ).all()
    links: dict[str, set[tuple[str, str]]] = {}
    for row in rows:
        links.setdefault(row.incident_id, set()).add((row.code, row.method))
    return links


def _area_ids(instance: Instance) -> dict[str, int]:
    return {area.code: area.id for area in service.areas(instance)}


def _events(instance: Instance) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(custody_event)).scalar_one())


def test_load_stores_areas_with_their_dataset(instance: Instance) -> None:
    events = _events(instance)
    report = _load(instance)
    assert (report.added, report.updated, report.unchanged, report.kept) == (4, 0, 0, 0)
    assert report.repaired == ()
    assert report.dataset.startswith("ukraine-adm1-sample.geojson sha256:")
    stored = {area.code: area for area in service.areas(instance)}
    assert set(stored) == {"UA.KK", "UA.KS", "UA.KV", "UA.KC"}
    kharkiv = stored["UA.KK"]
    assert kharkiv.name == "Kharkiv" and kharkiv.level == 1 and kharkiv.parent_code is None
    assert kharkiv.alt_names == ("Charkow", "Jarkov", "Karkov", "Khar'kov")
    assert kharkiv.dataset == report.dataset
    min_lon, min_lat, max_lon, max_lat = kharkiv.bounds
    assert min_lat < KHARKIV[0] < max_lat and min_lon < KHARKIV[1] < max_lon
    assert service.areas(instance, level=2) == []
    assert _events(instance) == events  # reference data, not evidence: no custody event


def test_incidents_are_placed_by_point_or_keep_their_given_area(instance: Instance) -> None:
    _load(instance)
    ids = _area_ids(instance)
    with write_transaction(instance.engine) as conn:
        by_point, given, outside, swapped, both, nothing, deleted = _incidents(
            conn,
            (*KHARKIV, None),
            (None, None, ids["UA.KS"]),
            (*NOWHERE, None),
            (KHARKIV[1], KHARKIV[0], None),
            (*KYIV, ids["UA.KK"]),  # the point wins over the given area
            (None, None, None),
            (*KYIV, None),
        )
        conn.execute(update(incident).where(incident.c.id == deleted).values(deleted_at="2024"))
        report = service.assign(conn, [by_point, given, outside, swapped, both, nothing, deleted])
    assert report == service.AssignReport(
        incidents=6, point=2, given=1, unlocated=2, swapped=(swapped,)
    )
    assert _links(instance) == {
        by_point: {("UA.KK", "point")},
        given: {("UA.KS", "given")},
        both: {("UA.KC", "point")},
    }


def test_a_point_outside_every_area_falls_back_to_the_given_area(instance: Instance) -> None:
    _load(instance)
    with write_transaction(instance.engine) as conn:
        (outside,) = _incidents(conn, (*NOWHERE, _area_ids(instance)["UA.KV"]))
        service.assign(conn, [outside])
    assert _links(instance) == {outside: {("UA.KV", "given")}}


def test_assign_recomputes_after_an_incident_moves(instance: Instance) -> None:
    _load(instance)
    with write_transaction(instance.engine) as conn:
        (moved,) = _incidents(conn, (*KHARKIV, None))
        service.assign(conn, [moved])
    with write_transaction(instance.engine) as conn:
        conn.execute(
            update(incident)
            .where(incident.c.id == moved)
            .values(latitude=KYIV[0], longitude=KYIV[1])
        )
        service.assign(conn, [moved, moved])
    assert _links(instance) == {moved: {("UA.KC", "point")}}
    with write_transaction(instance.engine) as conn:
        assert service.assign(conn, []) == service.AssignReport()


def test_assign_works_in_batches(instance: Instance, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "BATCH", 3)
    _load(instance)
    with write_transaction(instance.engine) as conn:
        ids = _incidents(conn, *[(*KHARKIV, None)] * 4, *[(*KYIV, None)] * 4)
        report = service.assign(conn, ids)
    assert (report.incidents, report.point) == (8, 8)
    # A reload reassigns every incident, in batches too.
    assert _load(instance).assignment.point == 8
    assert len(_links(instance)) == 8


def test_reload_is_idempotent_and_keeps_area_ids(instance: Instance, tmp_path: Path) -> None:
    first = _load(instance)
    ids = _area_ids(instance)
    with write_transaction(instance.engine) as conn:
        (at_kharkiv,) = _incidents(conn, (*KHARKIV, None))
    # Incidents written without assign() are placed by the next load.
    again = _load(instance)
    assert (again.added, again.updated, again.unchanged, again.kept) == (0, 0, 4, 0)
    assert again.dataset == first.dataset
    assert _area_ids(instance) == ids
    assert _links(instance) == {at_kharkiv: {("UA.KK", "point")}}

    # A newer file: one area with a new alt name, one dropped (kept, since incidents may name it).
    data = json.loads(SAMPLE.read_text())
    data["features"] = [f for f in data["features"] if f["properties"]["HASC_1"] != "UA.KS"]
    data["features"][0]["properties"]["VARNAME_1"] += "|Харків"
    newer = tmp_path / "ukraine-adm1-sample.geojson"
    newer.write_text(json.dumps(data))
    report = _load(instance, newer, dataset="GADM 4.1 level 1")
    assert (report.added, report.updated, report.unchanged, report.kept) == (0, 1, 2, 1)
    assert report.dataset.startswith("GADM 4.1 level 1 sha256:")
    assert _area_ids(instance) == ids
    stored = {area.code: area for area in service.areas(instance)}
    assert stored["UA.KK"].alt_names[-1] == "Харків"
    assert stored["UA.KC"].dataset == report.dataset and stored["UA.KS"].dataset == first.dataset


def test_a_bad_file_changes_nothing(instance: Instance, tmp_path: Path) -> None:
    _load(instance)
    bad = tmp_path / "bad.geojson"
    data = json.loads(SAMPLE.read_text())
    data["features"][2]["geometry"] = {"type": "Point", "coordinates": [30.5, 50.4]}
    bad.write_text(json.dumps(data))
    with pytest.raises(InvalidInput, match=r"features\[2\] has a Point geometry") as caught:
        _load(instance, bad)
    assert caught.value.where == f"{bad}: features[2]"
    with pytest.raises(InvalidInput, match="cannot read the GeoJSON file") as missing:
        _load(instance, tmp_path / "missing.geojson")
    assert missing.value.where == str(tmp_path / "missing.geojson")
    with pytest.raises(InvalidInput, match="the level must be 0 to 10"):
        service.load(instance, SAMPLE, level=-1, name_field="NAME_1")
    assert len(service.areas(instance)) == 4


def test_find_area_by_code_name_or_alt_name(instance: Instance) -> None:
    _load(instance)
    ids = _area_ids(instance)
    with read_transaction(instance.engine) as conn:
        assert service.find_area(conn, "kharkiv") == ids["UA.KK"]
        assert service.find_area(conn, "Khar'kov") == ids["UA.KK"]
        assert service.find_area(conn, "ua.ks") == ids["UA.KS"]
        assert service.find_area(conn, "Kiev City") == ids["UA.KC"]
        assert service.find_area(conn, "Kiev", level=1) == ids["UA.KV"]
        assert service.find_area(conn, "Lviv") is None
        assert service.find_area(conn, "Kharkiv", level=2) is None
        with pytest.raises(InvalidInput, match="'Kyiv' names 2 administrative areas") as caught:
            service.find_area(conn, "Kyiv")
    assert "UA.KC" in (caught.value.hint or "") and "UA.KV" in (caught.value.hint or "")


def test_locate_a_point_with_the_swapped_hint(instance: Instance) -> None:
    nothing_loaded = service.locate(instance, *KYIV)
    assert nothing_loaded.areas == () and not nothing_loaded.loaded
    assert nothing_loaded.nearest is not None and nothing_loaded.nearest.admin1 == "Kyiv City"
    _load(instance)
    found = service.locate(instance, *KHARKIV)
    assert [a.code for a in found.areas] == ["UA.KK"] and found.swapped == ()
    swapped = service.locate(instance, KHARKIV[1], KHARKIV[0])
    assert swapped.areas == () and [a.code for a in swapped.swapped] == ["UA.KK"]
    with pytest.raises(InvalidInput, match=r"latitude 95\.0 is out of range"):
        service.locate(instance, 95.0, 30.0)


def test_the_real_ukraine_file(instance: Instance) -> None:
    if not REAL.exists():
        pytest.skip(f"the shared datasets are absent ({REAL.parent} not found)")
    report = _load(instance, REAL)
    assert report.added == 27 and report.repaired == ()
    assert [a.name for a in service.locate(instance, *KHARKIV).areas] == ["Kharkiv"]
    assert [a.name for a in service.locate(instance, *KYIV).areas] == ["Kiev City"]
    assert [a.code for a in service.locate(instance, 46.48, 30.73).areas] == ["UA.OD"]  # Odesa
    with read_transaction(instance.engine) as conn:
        assert service.find_area(conn, "Odesa") == service.find_area(conn, "Odessa")
        assert service.find_area(conn, "Zaporizhia") == service.find_area(conn, "UA.ZP")
