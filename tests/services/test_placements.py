"""Unit placements: an area or a radius around a point, over a period; placing and removing are versions
and custody events, and bad input is refused naming what and where."""

from __future__ import annotations

from pathlib import Path

import pytest

from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import gazetteer, placements, units
from testament.errors import InvalidInput, NotFound
from tests.services.test_people import one_write

AREAS = (
    Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer" / "ukraine-adm1-sample.geojson"
)


@pytest.fixture
def placed(instance: Instance) -> Instance:
    cases.create_case(instance, "Case A")
    gazetteer.load(instance, AREAS, level=1, name_field="NAME_1", code_field="HASC_1")
    units.create(instance, "93rd Brigade")
    return instance


def test_place_list_and_unplace_are_versions_and_events(placed: Instance) -> None:
    with one_write(placed, "seen on the road", "Report 12") as written:
        in_area = placements.place(
            placed, "93rd Brigade", area="Kharkiv", from_date="2022-03", to_date="2022-05-10",
            note="seen on the road", source_text="Report 12",
        )  # fmt: skip
    assert written[0]["detail"]["object"] == "unit-placement"
    around = placements.place(
        placed, "93rd brigade", latitude=50.45, longitude=30.52, radius_m=2500, to_date="2022-02"
    )
    timeline = placements.placements(placed, "93rd Brigade")
    assert [p.id for p in timeline] == [around, in_area]  # an unknown start comes first
    first, second = timeline
    assert (first.latitude, first.longitude, first.radius_m) == (50.45, 30.52, 2500.0)
    assert (first.from_date, first.to_date, first.area_code) == (None, "2022-02-28", None)
    assert (second.area_code, second.area_name, second.area_level) == ("UA.KK", "Kharkiv", 1)
    assert (second.from_date, second.to_date) == ("2022-03-01", "2022-05-10")
    assert (second.note, second.source_text) == ("seen on the road", "Report 12")
    assert placements.unplace(placed, in_area, "wrong brigade, see report 14") == 3
    assert [p.id for p in placements.placements(placed, "93rd Brigade")] == [around]
    versions = units.versions(placed, in_area, "unit-placement")
    assert [v.change for v in versions] == ["create", "update", "delete"]
    assert versions[-1].data["removal_reason"] == "wrong brigade, see report 14"


@pytest.mark.parametrize(
    ("given", "where"),
    [
        ({"area": "Kharkiv", "latitude": 50.0, "longitude": 36.2, "radius_m": 100}, "--area, --at"),
        ({}, "--area, --at"),
        ({"latitude": 50.0, "longitude": 36.2, "radius_m": 0}, "--radius-m"),
        ({"latitude": 50.0, "longitude": 36.2, "radius_m": -5}, "--radius-m"),
        ({"latitude": 50.0, "longitude": 36.2, "radius_m": float("nan")}, "--radius-m"),
        ({"latitude": 50.0, "longitude": 36.2}, "--radius-m"),
        ({"latitude": 95.0, "longitude": 36.2, "radius_m": 10}, "--at"),
        ({"latitude": 50.0, "longitude": 190.0, "radius_m": 10}, "--at"),
        (
            {"area": "Kharkiv", "from_date": "2022-05", "to_date": "2022-04-30"},
            "2022-05 – 2022-04-30",
        ),
        ({"area": "Kharkiv", "from_date": "spring"}, "--from"),
    ],
)
def test_bad_placements_are_refused_naming_where(
    placed: Instance, given: dict[str, object], where: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        placements.place(placed, "93rd Brigade", **given)  # type: ignore[arg-type]
    assert refused.value.where == where
    assert placements.placements(placed, "93rd Brigade") == []


def test_unknown_area_unit_and_placement_are_not_found(placed: Instance) -> None:
    with pytest.raises(NotFound) as area:
        placements.place(placed, "93rd Brigade", area="Atlantis")
    assert area.value.where == "Atlantis"
    with pytest.raises(NotFound) as unit:
        placements.place(placed, "No such brigade", area="Kharkiv")
    assert unit.value.where == "No such brigade"
    with pytest.raises(NotFound):
        placements.placements(placed, "No such brigade")
    with pytest.raises(NotFound) as missing:
        placements.unplace(placed, "no-such-placement", "typo")
    assert missing.value.where == "no-such-placement"
    with pytest.raises(InvalidInput) as no_reason:
        placements.unplace(placed, placements.place(placed, "93rd Brigade", area="Kharkiv"), " ")
    assert no_reason.value.where == "--reason"
