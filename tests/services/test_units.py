"""Units: hierarchy without cycles, aliases in several scripts, commanders over time, involvement."""

from __future__ import annotations

import pytest

from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import people, units
from testament.domain.results import plain
from testament.errors import Conflict, InvalidInput, NotFound
from tests.services.test_people import new_incident, one_write

CYRILLIC = {"name": "93-тя окрема механізована бригада", "script": "Cyrl", "lang": "uk"}


@pytest.fixture
def case(instance: Instance) -> Instance:
    cases.create_case(instance, "Case A")
    return instance


def test_create_edit_delete_are_one_version_and_one_event_each(case: Instance) -> None:
    secrets = ("93rd Brigade", CYRILLIC["name"], "mechanised")
    with one_write(case, *secrets) as written:
        unit_id = units.create(
            case, "93rd Brigade", kind="brigade", country="UA", aliases=[CYRILLIC]
        )
    assert written[0]["detail"]["object"] == "unit"
    with one_write(case, *secrets) as written:
        assert units.edit(case, unit_id, {"description": "mechanised"}) == 2
    assert written[0]["detail"]["fields"] == ["description"]
    with one_write(case, *secrets):
        assert units.delete(case, unit_id) == 3
    assert [v.change for v in units.versions(case, unit_id)] == ["create", "update", "delete"]


def test_null_aliases_in_an_edit_remove_them_all(case: Instance) -> None:
    unit_id = units.create(case, "93rd Brigade", aliases=[CYRILLIC])
    assert units.edit(case, unit_id, {"aliases": None}) == 2
    assert units.show(case, unit_id).aliases == []


def test_a_unit_is_found_by_id_name_or_alias(case: Instance) -> None:
    unit_id = units.create(case, "93rd Brigade", aliases=[CYRILLIC])
    for ref in (unit_id, "93rd Brigade", "93RD brigade", CYRILLIC["name"]):
        assert units.show(case, ref).id == unit_id
        assert units.resolve(case, ref) == unit_id
    assert units.add_alias(case, unit_id, "Kholodnyi Yar", "Latn") == 2
    assert units.show(case, "kholodnyi yar").aliases == [
        CYRILLIC, {"name": "Kholodnyi Yar", "script": "Latn"},
    ]  # fmt: skip
    with pytest.raises(Conflict, match="already has this alias"):
        units.add_alias(case, unit_id, "Kholodnyi Yar", "Latn")
    with pytest.raises(Conflict, match="already has this alias"):
        units.add_alias(case, unit_id, "KHOLODNYI YAR", "Latn")
    with pytest.raises(NotFound, match="no unit"):
        units.show(case, "94th Brigade")


def test_an_ambiguous_name_asks_for_an_id(case: Instance) -> None:
    first = units.create(case, "1st Battalion", parent=None)
    second = units.create(case, "1st Battalion")
    with pytest.raises(InvalidInput, match="several units") as raised:
        units.show(case, "1st battalion")
    assert first in str(raised.value.hint) and second in str(raised.value.hint)


@pytest.mark.parametrize(
    ("alias", "message"),
    [
        ({"name": "X", "script": "cyrillic"}, "not an ISO 15924 script code"),
        ({"name": "X", "script": "Latn", "lang": "Ukrainian"}, "not a language tag"),
        ({"name": " ", "script": "Latn"}, "an alias must not be empty"),
        ({"name": "X", "script": "Latn", "alphabet": "x"}, "an alias has no field alphabet"),
    ],
)
def test_bad_aliases_are_refused(case: Instance, alias: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        units.create(case, "Unit", aliases=[alias])


def test_the_hierarchy_refuses_cycles(case: Instance) -> None:
    army = units.create(case, "Army")
    brigade = units.create(case, "Brigade", parent="Army")
    battalion = units.create(case, "Battalion", parent=brigade)
    shown = units.show(case, brigade)
    assert plain(shown.parent) == {"id": army, "name": "Army"}
    assert plain(shown.units) == [{"id": battalion, "name": "Battalion"}]
    with pytest.raises(InvalidInput, match="cannot be its own ancestor"):
        units.edit(case, army, {"parent": battalion})
    with pytest.raises(InvalidInput, match="cannot be its own ancestor"):
        units.edit(case, brigade, {"parent": brigade})
    with pytest.raises(Conflict, match="has sub-units"):
        units.delete(case, brigade)
    units.edit(case, battalion, {"parent": army})
    units.edit(case, battalion, {"parent": None})
    assert units.show(case, battalion).parent is None
    units.delete(case, brigade)


def test_commanders_over_time(case: Instance) -> None:
    unit_id = units.create(case, "Brigade")
    person_id = people.create(case, "Case A", "Commander K")
    with one_write(case, "Colonel"):
        later = units.add_commander(case, unit_id, name="K", rank="Colonel", from_date="2022-06")
    earlier = units.add_commander(
        case, "Brigade", name="L", person_id=person_id, from_date="2021", to_date="2022-05"
    )
    shown = units.show(case, unit_id).commanders
    assert [c.id for c in shown] == [earlier, later]
    assert (shown[0].from_date, shown[0].to_date) == ("2021-01-01", "2022-05-31")
    assert (shown[1].from_date, shown[1].to_date) == ("2022-06-01", None)
    assert shown[0].person_id == person_id


def test_a_command_that_ends_before_it_starts_is_refused(case: Instance) -> None:
    unit_id = units.create(case, "Brigade")
    with pytest.raises(InvalidInput, match="ends before it starts"):
        units.add_commander(case, unit_id, name="K", from_date="2022-03-05", to_date="2022-03-04")
    with pytest.raises(InvalidInput, match="is not a date"):
        units.add_commander(case, unit_id, name="K", from_date="2022-02-30")
    with pytest.raises(NotFound, match="no person"):
        units.add_commander(case, unit_id, name="K", person_id="nobody")


def test_involvement_in_incidents(case: Instance) -> None:
    unit_id = units.create(case, "Brigade")
    incident_id = new_incident(case)
    with one_write(case, "intercepted"):
        link = units.involve(case, "Brigade", incident_id, "gave-orders", "intercepted call")
    assert units.show(case, unit_id).incidents[0].id == link
    with pytest.raises(Conflict, match="already recorded"):
        units.involve(case, unit_id, incident_id, "gave-orders")
    units.involve(case, unit_id, incident_id, "present")
    with pytest.raises(
        InvalidInput, match="'ordered' is not in the degrees-of-involvement vocabulary"
    ):
        units.involve(case, unit_id, incident_id, "ordered")
    assert [v.change for v in units.versions(case, link, "unit-involvement")] == ["create"]


def test_units_are_listed_by_name(case: Instance) -> None:
    units.create(case, "B unit", aliases=[{"name": "Б", "script": "Cyrl"}])
    units.create(case, "A unit")
    listed = units.list_units(case)
    assert [u.name for u in listed] == ["A unit", "B unit"]
    assert listed[1].aliases == [{"name": "Б", "script": "Cyrl"}]
    assert len(units.list_units(case, limit=1, offset=1)) == 1
