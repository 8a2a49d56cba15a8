"""Areas per situation, names in two scripts, and the offline fallback, on both databases.

Ukraine's oblasts and Syria's governorates live side by side; an area name or code that exists in two
situations stays apart (issue 19's bad input: "an area name that exists in two countries").
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from testament.analysis import fallback_geocoder
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import gazetteer as service
from testament.documentation import place_search
from testament.errors import InvalidInput, NotFound
from testament.storage.engine import read_transaction, write_transaction
from testament.storage.tables import admin_area, incident, incident_area

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "gazetteer"
UKRAINE = FIXTURES / "ukraine-adm1-sample.geojson"
SYRIA = FIXTURES / "syria-adm1-sample.geojson"
KHARKIV = (49.99, 36.23)
ALEPPO = (36.2, 37.15)


def _situation(instance: Instance, name: str) -> str:
    return cases.create_situation(instance, cases.situation_values(name, conflict="international"))


def _load_ukraine(instance: Instance, situation: str | None) -> service.LoadReport:
    return service.load(
        instance,
        UKRAINE,
        level=1,
        name_field="NAME_1",
        alt_names_field="VARNAME_1",
        situation=situation,
    )


def _load_syria(instance: Instance, situation: str | None = "Syria") -> service.LoadReport:
    return service.load(
        instance,
        SYRIA,
        level=1,
        name_field="ADM1_EN",
        alt_names_field=["ADM1_AR", "ADM1_ALT"],
        code_field="ADM1_PCODE",
        situation=situation,
    )


def _incident_in(instance: Instance, situation: str | None, point: tuple[float, float]) -> str:
    """A new case (in ``situation``, if any) with one incident at ``point``; its ID."""
    name = f"Case {uuid.uuid4()}"
    case_id = cases.create_case(instance, name, situation_name=situation)
    with write_transaction(instance.engine) as conn:
        incident_id = str(uuid.uuid4())
        conn.execute(
            insert(incident).values(
                id=incident_id, case_id=case_id, title="Shelling", description="",
                date_precision="unknown", date_text="", latitude=point[0], longitude=point[1],
                place_text="", status="reported", types="[]", targets="[]", weapons="[]",
                sensitivity="[]", unmapped="{}", version=1,
                created_at="2024-01-01T00:00:00.000000Z", updated_at="2024-01-01T00:00:00.000000Z",
            )
        )  # fmt: skip
        service.assign(conn, [incident_id])
    return incident_id


def _areas_of(instance: Instance, incident_id: str) -> list[tuple[str, str | None, str]]:
    """(code, situation ID, method) of the areas an incident lies in."""
    with read_transaction(instance.engine) as conn:
        rows = conn.execute(
            select(admin_area.c.code, admin_area.c.situation_id, incident_area.c.method)
            .join(incident_area, incident_area.c.area_id == admin_area.c.id)
            .where(incident_area.c.incident_id == incident_id)
            .order_by(admin_area.c.situation_id)
        ).all()
    return [tuple(row) for row in rows]


def test_oblasts_and_governorates_live_side_by_side(instance: Instance) -> None:
    ukraine, syria = _situation(instance, "Ukraine"), _situation(instance, "Syria")
    assert _load_ukraine(instance, "Ukraine").added == 4
    report = _load_syria(instance)
    assert (report.added, report.situation) == (4, "Syria")
    listed = service.areas(instance, level=1, situation="Syria")
    assert {a.code for a in listed} == {"SY01", "SY02", "SY07", "SY12"}
    assert {a.situation for a in listed} == {"Syria"}
    aleppo = next(a for a in listed if a.code == "SY02")
    assert aleppo.name == "Aleppo" and aleppo.alt_names[:2] == ("حلب", "Halab")
    assert len(service.areas(instance, level=1)) == 8
    in_syria = _incident_in(instance, "Syria", ALEPPO)
    in_ukraine = _incident_in(instance, "Ukraine", KHARKIV)
    assert _areas_of(instance, in_syria) == [("SY02", syria, "point")]
    assert _areas_of(instance, in_ukraine) == [("UA.KK", ukraine, "point")]


@pytest.mark.parametrize("name", ["حلب", "حَلَب", "حلـــب", "Halab", "aleppo", "SY02"])
def test_an_area_is_found_by_any_of_its_names_in_any_script(instance: Instance, name: str) -> None:
    _situation(instance, "Syria")
    _load_syria(instance)
    assert [a.code for a in service.areas_named(instance, name)] == ["SY02"]
    assert [a.code for a in service.areas_named(instance, "ادلب")] == ["SY07"]  # إدلب, bare alef


def test_place_search_finds_an_area_by_its_arabic_name(instance: Instance) -> None:
    _situation(instance, "Syria")
    _load_syria(instance)
    assert [p.code for p in place_search.search_places(instance, "درعا")] == ["SY12"]
    assert [p.code for p in place_search.search_places(instance, "حل")] == ["SY02"]
    assert [p.code for p in place_search.search_places(instance, "Deraa")] == ["SY12"]


def test_the_same_name_and_code_in_two_situations_stay_apart(instance: Instance) -> None:
    """Two situations each with a "Kharkiv" (same code UA.KK, same outline): both load, naming the
    situation picks one, naming none lists both with their situation, and each incident lies only in
    its own situation's area (an incident of a case in no situation, in both)."""
    first, second = _situation(instance, "Lebanon"), _situation(instance, "Libya")
    assert _load_ukraine(instance, "Lebanon").added == 4
    assert _load_ukraine(instance, "Libya").added == 4
    both = service.areas_named(instance, "Kharkov")
    assert [(a.code, a.situation) for a in both] == [("UA.KK", "Lebanon"), ("UA.KK", "Libya")]
    (one,) = service.areas_named(instance, "Kharkov", situation="Libya")
    assert one.situation == "Libya"
    with read_transaction(instance.engine) as conn, pytest.raises(InvalidInput) as caught:
        service.find_area(conn, "Kharkiv", where="--area")
    assert "Lebanon" in (caught.value.hint or "") and "Libya" in (caught.value.hint or "")
    assert "the same code is loaded in several situations" in (caught.value.hint or "")
    in_first = _incident_in(instance, "Lebanon", KHARKIV)
    nowhere = _incident_in(instance, None, KHARKIV)
    assert _areas_of(instance, in_first) == [("UA.KK", first, "point")]
    assert sorted(_areas_of(instance, nowhere)) == sorted(
        [("UA.KK", first, "point"), ("UA.KK", second, "point")]
    )
    located = service.locate(instance, *KHARKIV, situation="Libya")
    assert [(a.code, a.situation) for a in located.areas] == [("UA.KK", "Libya")]


def test_a_case_finds_its_own_situations_area_by_name(instance: Instance) -> None:
    _situation(instance, "Lebanon")
    libya = _situation(instance, "Libya")
    _load_ukraine(instance, "Lebanon")
    _load_ukraine(instance, "Libya")
    incident_id = _incident_in(instance, "Libya", KHARKIV)
    with read_transaction(instance.engine) as conn:
        case_id = conn.execute(select(incident.c.case_id).where(incident.c.id == incident_id))
        found = service.find_area(conn, "Kharkiv", case_id=str(case_id.scalar()))
        situation_id = conn.execute(
            select(admin_area.c.situation_id).where(admin_area.c.id == found)
        ).scalar()
    assert situation_id == libya


def test_an_unknown_situation_is_refused_and_nothing_is_loaded(instance: Instance) -> None:
    with pytest.raises(NotFound) as caught:
        _load_syria(instance, "Atlantis")
    assert caught.value.where == "--situation" and "Atlantis" in str(caught.value)
    assert service.areas(instance) == []
    with pytest.raises(NotFound):
        service.areas_named(instance, "Aleppo", situation="Atlantis")
    with pytest.raises(NotFound):
        service.locate(instance, *ALEPPO, situation="Atlantis")


def test_duplicate_codes_in_one_situation_are_refused(instance: Instance, tmp_path: Path) -> None:
    _situation(instance, "Syria")
    data = json.loads(SYRIA.read_text(encoding="utf-8"))
    data["features"][1]["properties"]["ADM1_PCODE"] = "SY02"
    twice = tmp_path / "twice.geojson"
    twice.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"features\[1\] has the same code 'SY02'"):
        service.load(
            instance, twice, level=1, name_field="ADM1_EN", code_field="ADM1_PCODE",
            situation="Syria",
        )  # fmt: skip
    assert service.areas(instance) == []


def test_locate_falls_back_to_the_nearest_place(instance: Instance) -> None:
    _situation(instance, "Syria")
    nothing = service.locate(instance, *ALEPPO)
    assert nothing.areas == () and not nothing.loaded
    assert nothing.nearest is not None
    assert (nothing.nearest.country_code, nothing.nearest.admin1) == ("SY", "Aleppo")
    _load_syria(instance)
    inside = service.locate(instance, *ALEPPO)
    assert [a.code for a in inside.areas] == ["SY02"] and inside.nearest is None
    homs = service.locate(instance, 34.73, 36.71)  # in no area of the sample
    assert homs.loaded and homs.nearest is not None and homs.nearest.admin1 == "Homs"


def test_the_fallback_names_country_and_area_approximately() -> None:
    found = fallback_geocoder.country_and_area(*ALEPPO)
    assert found is not None
    assert (found.country_code, found.country_name, found.admin1) == ("SY", "Syria", "Aleppo")
    assert found.approximate and found.method == "nearest-place" and found.distance_km < 5
    lebanon = fallback_geocoder.country_and_area(34.437, 35.85)
    libya = fallback_geocoder.country_and_area(32.88, 13.19)
    assert lebanon is not None and libya is not None
    assert (lebanon.place, lebanon.country_code) == ("Tripoli", "LB")
    assert (libya.place, libya.country_code) == ("Tripoli", "LY")


def test_the_fallback_gives_no_area_far_out_at_sea() -> None:
    middle_of_the_mediterranean = (35.0, 18.0)
    assert fallback_geocoder.country_and_area(*middle_of_the_mediterranean) is None
    nearest = fallback_geocoder.nearest_place(*middle_of_the_mediterranean)
    assert nearest.distance_km > fallback_geocoder.MAX_DISTANCE_KM


@pytest.mark.parametrize(
    ("latitude", "longitude"), [(91.0, 30.0), (50.0, -181.0), (float("nan"), 30.0)]
)
def test_the_fallback_refuses_coordinates_out_of_range(latitude: float, longitude: float) -> None:
    with pytest.raises(InvalidInput) as caught:
        fallback_geocoder.country_and_area(latitude, longitude)
    assert caught.value.where == "the coordinates"


def test_the_fallbacks_measured_agreement_with_boundaries() -> None:
    """The accuracy script on the committed sample (coarse outlines): most points agree."""
    script = ROOT / "scripts" / "fallback_accuracy.py"
    done = subprocess.run(
        [sys.executable, str(script), str(UKRAINE), "--points", "300", "--json"],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    found = json.loads(done.stdout)["uniform"]
    assert found["points"] == 300 and found["agreement"] >= 0.85


def test_place_search_keeps_two_situations_areas_apart(instance: Instance) -> None:
    _situation(instance, "Lebanon"), _situation(instance, "Libya")
    _load_ukraine(instance, "Lebanon")
    _load_ukraine(instance, "Libya")
    both = place_search.search_places(instance, "Kharkov")
    assert [(p.code, p.situation) for p in both] == [("UA.KK", "Lebanon"), ("UA.KK", "Libya")]
    (one,) = place_search.search_places(instance, "Kharkov", situation="Libya")
    assert one.situation == "Libya"
