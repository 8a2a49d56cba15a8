"""Pattern analyses of a situation with no boundaries loaded: incidents are counted in the first-level
area of their nearest GeoNames place, and the result says the areas are approximate; once the
situation's boundaries are loaded, they are used instead, and a point outside them is unplaced."""

from __future__ import annotations

from pathlib import Path

from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import gazetteer
from testament.patterns import service
from testament.patterns.load import Scope
from tests.patterns.conftest import KHARKIV, add, load_areas

SYRIA = Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer" / "syria-adm1-sample.geojson"
ALEPPO = (36.2, 37.15)
HOMS = (34.73, 36.71)  # in no area of the Syrian sample
FAR_AT_SEA = (35.0, 18.0)  # more than 100 km from any GeoNames place


def _syria(instance: Instance) -> dict[str, str]:
    cases.create_situation(instance, cases.situation_values("Syria", conflict="non-international"))
    cases.create_case(instance, "Aleppo case", situation_name="Syria")
    places = {"A1": ALEPPO, "A2": ALEPPO, "H1": HOMS, "Z1": FAR_AT_SEA}
    return {key: add(instance, "Aleppo case", key, "2013-05-01", p) for key, p in places.items()}


def test_a_situation_without_boundaries_is_counted_by_nearest_place(instance: Instance) -> None:
    ids = _syria(instance)
    found = service.counts(instance, Scope(situation="Syria"), by=["area"])
    assert found.scope["area_method"] == "nearest-place"
    assert "GeoNames" in found.scope["area_source"]
    rows = {(r["area"], r["area_code"]): r["count"] for r in found.rows}
    assert rows == {("Aleppo", "nearest-place:SY:Aleppo"): 2, ("Homs", "nearest-place:SY:Homs"): 1}
    assert found.unplaced == [ids["Z1"]]


def test_loaded_boundaries_replace_the_fallback(instance: Instance) -> None:
    ids = _syria(instance)
    load_areas(instance)  # Ukraine's oblasts, shared: the Syrian situation now has areas
    shared = service.counts(instance, Scope(situation="Syria"), by=["area"])
    assert "area_method" not in shared.scope and shared.rows == []
    gazetteer.load(
        instance, SYRIA, level=1, name_field="ADM1_EN", alt_names_field=["ADM1_AR"],
        code_field="ADM1_PCODE", situation="Syria",
    )  # fmt: skip
    found = service.counts(instance, Scope(situation="Syria"), by=["area"])
    assert "area_method" not in found.scope
    assert [(r["area"], r["area_code"], r["count"]) for r in found.rows] == [("Aleppo", "SY02", 2)]
    assert sorted(found.unplaced) == sorted([ids["H1"], ids["Z1"]])


def test_a_case_in_no_situation_never_falls_back(instance: Instance) -> None:
    cases.create_case(instance, "Loose")
    only = add(instance, "Loose", "K1", "2022-03-05", KHARKIV)
    found = service.counts(instance, Scope(case="Loose"), by=["area"])
    assert found.rows == [] and found.unplaced == [only] and "area_method" not in found.scope
