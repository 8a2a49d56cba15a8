"""Recording incidents: dates keep their precision, places and vocabularies are checked, links show up."""

from __future__ import annotations

from pathlib import Path

import pytest

from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import gazetteer, incidents
from testament.errors import InvalidInput, NotFound


@pytest.fixture
def case(instance: Instance) -> Instance:
    cases.create_case(instance, "Case A")
    return instance


def _new(instance: Instance, **fields: object) -> str:
    return incidents.create(
        instance, "Case A", incidents.IncidentInput(**({"title": "Strike"} | fields))
    )  # type: ignore[arg-type]


def test_an_incident_keeps_what_was_stated(case: Instance) -> None:
    incident_id = _new(
        case,
        date="2022-03",
        latitude="49.99",
        longitude=36.23,
        uncertainty_m=500,
        place_text="Kharkiv, Saltivka",
        types=["attack-on-civilians"],
        targets=["residential"],
        sensitivity=["graphic"],
    )
    shown = incidents.show(case, incident_id)
    assert (shown.occurred_from, shown.occurred_to, shown.date_precision) == (
        "2022-03-01", "2022-03-31", "month",
    )  # fmt: skip
    assert (shown.latitude, shown.longitude, shown.uncertainty_m) == (49.99, 36.23, 500.0)
    assert shown.types == ["attack-on-civilians"]
    assert shown.targets == ["residential"]
    assert shown.status == "reported"
    assert shown.version == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"date": "02/30/2022", "us_dates": True}, "is not a date"),
        ({"latitude": 95, "longitude": 30}, "latitude 95.0 is out of range"),
        ({"latitude": 50, "longitude": "east"}, "longitude must be a number"),
        (
            {"types": ["alien-abduction"]},
            "'alien-abduction' is not in the incident-types vocabulary",
        ),
        ({"status": "proven"}, "not in the incident-status vocabulary"),
        ({"title": "   "}, "the title must not be empty"),
        ({"date": "2022-03", "date_from": "2022-01"}, "not both"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(
    case: Instance, fields: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidInput, match=message):
        _new(case, **fields)
    assert incidents.list_for_case(case, "Case A") == []


def test_a_close_vocabulary_miss_suggests_the_code(case: Instance) -> None:
    with pytest.raises(InvalidInput) as caught:
        _new(case, targets=["residental"])
    assert caught.value.hint is not None and "residential" in caught.value.hint


def test_an_unknown_case_is_named(instance: Instance) -> None:
    with pytest.raises(NotFound, match="no case has this name"):
        _new(instance)


def test_edit_keeps_unchanged_fields_and_validates_changes(case: Instance) -> None:
    incident_id = _new(case, date="2022-03-05", weapons=["artillery"])
    incidents.edit(case, incident_id, {"status": "corroborated"})
    shown = incidents.show(case, incident_id)
    assert (shown.status, shown.occurred_from, shown.weapons) == (
        "corroborated",
        "2022-03-05",
        ["artillery"],
    )
    with pytest.raises(InvalidInput, match="out of range"):
        incidents.edit(case, incident_id, {"latitude": 200, "longitude": 30})
    assert incidents.show(case, incident_id).version == 2


def test_casualties_and_relations(case: Instance) -> None:
    first, second = _new(case), _new(case, title="Second strike")
    incidents.add_casualty(case, first, category="killed-children", count="3", qualifier="at-least")
    incidents.relate(case, second, first, "follows")
    shown = incidents.show(case, first)
    assert [(c.category, c.count, c.qualifier) for c in shown.casualties] == [
        ("killed-children", 3, "at-least")
    ]
    assert [r.related_id for r in incidents.show(case, second).relations] == [first]
    with pytest.raises(InvalidInput, match="whole number"):
        incidents.add_casualty(case, first, category="killed", count="three")
    with pytest.raises(InvalidInput, match="casualty-categories"):
        incidents.add_casualty(case, first, category="missing", count=1)
    with pytest.raises(InvalidInput, match="itself"):
        incidents.relate(case, first, first, "follows")


def test_incidents_are_listed_in_date_order_and_deleted_ones_hidden(case: Instance) -> None:
    late, early = _new(case, date="2023-01-02"), _new(case, date="2022-05")
    assert [r.id for r in incidents.list_for_case(case, "Case A")] == [early, late]
    incidents.delete(case, late)
    assert [r.id for r in incidents.list_for_case(case, "Case A")] == [early]


def test_a_plausibly_swapped_point_is_kept_with_a_warning(case: Instance) -> None:
    sample = Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer"
    gazetteer.load(
        case,
        sample / "ukraine-adm1-sample.geojson",
        level=1,
        name_field="NAME_1",
        alt_names_field="VARNAME_1",
    )
    swapped = incidents.show(case, _new(case, latitude=36.23, longitude=49.99))
    assert (swapped.latitude, swapped.longitude) == (36.23, 49.99)
    assert swapped.areas == []
    assert len(swapped.warnings) == 1
    assert "look swapped" in swapped.warnings[0] and "Kharkiv" in swapped.warnings[0]
    # A point inside an area, and a point far from every area either way, raise no warning.
    assert incidents.show(case, _new(case, latitude=49.99, longitude=36.23)).warnings == []
    assert incidents.show(case, _new(case, latitude=-33.9, longitude=18.4)).warnings == []
