"""Facets on a case's incidents: counts computed in SQL, narrowing by every value chosen, kept in
step with edits and deletions, and bad facets refused with a diagnosis (both databases)."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testament.accounts import accounts
from testament.custody import cases, policy
from testament.custody.instance import Instance
from testament.documentation import facet_columns, facets, gazetteer, incidents, search
from testament.documentation.facet_queries import Narrowing
from testament.documentation.facets import Answer
from testament.documentation.search_results import IncidentPage
from testament.domain.access import Action
from testament.errors import InvalidInput
from testament.review import workflow
from testament.storage.engine import read_transaction
from tests.api.test_hidden_records import PASSWORD

SAMPLE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer" / "ukraine-adm1-sample.geojson"
)


@pytest.fixture
def case(instance: Instance) -> Instance:
    cases.create_case(instance, "Case A")
    cases.create_case(instance, "Case B")
    return instance


def _new(instance: Instance, case: str = "Case A", **fields: object) -> str:
    given = incidents.IncidentInput(**({"title": "Strike"} | fields))  # type: ignore[arg-type]
    return incidents.create(instance, case, given)


def _counts(page: IncidentPage) -> dict[str, dict[str, int]]:
    return {f.key: {v.value: v.incidents for v in f.values} for f in page.facets}


def _world(instance: Instance) -> dict[str, str]:
    return {
        "school": _new(
            instance,
            date="2022-03-05",
            types=["attack-on-civilians"],
            targets=["school"],
            weapons=["grad"],
        ),
        "both": _new(
            instance,
            date_from="2021-12-20",
            date_to="2022-01-10",
            types=["attack-on-civilians", "killing"],
            targets=["residential"],
            status="verified",
        ),
        "plain": _new(instance, date="2023", types=["killing"]),
        "other case": _new(instance, "Case B", types=["killing"]),
    }


def test_counts_cover_the_case_and_a_choice_narrows(case: Instance) -> None:
    made = _world(case)
    page = facets.incident_page(case, "Case A")
    assert page.total == 3
    counts = _counts(page)
    assert counts["type"] == {"attack-on-civilians": 2, "killing": 2}
    assert counts["status"] == {"reported": 2, "verified": 1}
    assert counts["year"] == {"2021": 1, "2022": 2, "2023": 1}  # a range counts in each year
    assert counts["weapon"] == {"grad": 1}
    narrowed = facets.incident_page(case, "Case A", facets.parse(["type:killing"]))
    assert {i.id for i in narrowed.incidents} == {made["both"], made["plain"]}
    assert narrowed.total == 2
    assert _counts(narrowed)["type"] == {"attack-on-civilians": 1, "killing": 2}
    assert [v.chosen for v in narrowed.facets[0].values] == [True, False]
    both = facets.incident_page(
        case, "Case A", facets.parse(["type:killing", "type:attack-on-civilians"])
    )
    assert [i.id for i in both.incidents] == [made["both"]]  # every value chosen must hold
    year = facets.incident_page(case, "Case A", facets.parse(["year:2022"]))
    assert {i.id for i in year.incidents} == {made["school"], made["both"]}


def test_dates_and_facets_narrow_together(case: Instance) -> None:
    made = _world(case)
    page = facets.incident_page(
        case, "Case A", facets.parse(["type:attack-on-civilians"]), date_from="2022-02-01"
    )
    assert [i.id for i in page.incidents] == [made["school"]]
    assert page.total == 1
    assert _counts(page)["target"] == {"school": 1}


def test_counts_follow_edits_and_deletions(case: Instance) -> None:
    made = _world(case)
    incidents.edit(case, made["plain"], {"types": ["attack-on-civilians"], "status": "disputed"})
    incidents.delete(case, made["school"])
    counts = _counts(facets.incident_page(case, "Case A"))
    assert counts["type"] == {"attack-on-civilians": 2, "killing": 1}
    assert counts["status"] == {"verified": 1, "disputed": 1}
    assert "weapon" not in counts
    search.reindex(case)  # a rebuild makes the same counts
    assert _counts(facets.incident_page(case, "Case A")) == counts


def test_areas_are_counted_by_id_with_their_names(case: Instance) -> None:
    gazetteer.load(case, SAMPLE, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")
    _new(case, latitude=49.99, longitude=36.23)
    page = facets.incident_page(case, "Case A")
    (area,) = [f for f in page.facets if f.key == "area"]
    assert [(v.name, v.incidents) for v in area.values] == [("Kharkiv", 1)]
    narrowed = facets.incident_page(case, "Case A", facets.parse([f"area:{area.values[0].value}"]))
    assert narrowed.total == 1


@pytest.mark.parametrize(
    ("texts", "message"),
    [
        (["colour:red"], "there is no facet 'colour'"),
        (["type:alien-abduction"], "not in the incident-types vocabulary"),
        (["year:22"], "'22' is not a value of the facet 'year'"),
        (["area:north"], "is not a value of the facet 'area'"),
        (["type"], "is not a facet"),
    ],
)
def test_bad_facets_are_named(texts: list[str], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        facets.parse(texts)


def test_an_area_or_assignee_nobody_has_is_refused(case: Instance) -> None:
    with pytest.raises(InvalidInput, match="there is no area with the ID 999"):
        facets.incident_page(case, "Case A", facets.parse(["area:999"]))
    with pytest.raises(InvalidInput, match="there is no assignee with the ID 999"):
        facets.incident_page(case, "Case A", facets.parse(["assignee:999"]))


def test_a_reversed_date_range_is_refused(case: Instance) -> None:
    with pytest.raises(InvalidInput, match="ends \\(2022-01-01\\) before it starts"):
        facets.incident_page(case, "Case A", date_from="2022-03-01", date_to="2022-01-01")
    with pytest.raises(InvalidInput, match="is not a date"):
        facets.incident_page(case, "Case A", date_from="2022-13-01")


def test_counts_and_totals_agree_with_counting_by_hand(case: Instance) -> None:
    """For generated incidents, every count beside a value (not narrowed, narrowed by one value and by
    two) is the number of incidents the narrowing by it leaves, and the total is the list's length."""
    rng = random.Random(18)
    types, statuses = ["killing", "attack-on-civilians", "looting"], ["reported", "verified"]
    made: dict[str, set[tuple[str, str]]] = {}
    for n in range(14):
        chosen_types = rng.sample(types, rng.randint(0, 2))
        status = rng.choice(statuses)
        year = rng.choice(["2021", "2022"])
        made[_new(case, title=f"Strike {n}", types=chosen_types, status=status, date=year)] = {
            *(("type", t) for t in chosen_types),
            ("status", status),
            ("year", year),
        }
    first = sorted({v for values in made.values() for v in values})
    for chosen in [(), *[(v,) for v in first], *itertools.combinations(first[:4], 2)]:
        page = facets.incident_page(case, "Case A", chosen)
        kept = {i for i, values in made.items() if set(chosen) <= values}
        assert {i.id for i in page.incidents} == kept and page.total == len(kept), chosen
        for key, counted in _counts(page).items():
            for value, number in counted.items():
                wanted = sum(1 for i in kept if (key, value) in made[i])
                assert number == wanted, (chosen, key, value)


LABELS = ["graphic", "child", "sexual-violence"]
DAYS = ["2021-06-01", "2021-12-31", "2022-01-05", "2022-03-05", "2022-06-01", "2023-02-01"]


@pytest.fixture
def crowd(case: Instance) -> tuple[Instance, list[tuple[str, str]]]:
    """Generated incidents of every kind of date (a day, a month, a year, a range, none), labels, an
    assignee, a deleted one and another case's: the values they hold, for choosing among."""
    rng = random.Random(7)
    accounts.create_user(case, "anna", PASSWORD)
    accounts.grant_role(case, "anna", "Case A", "documenter")
    dates: list[dict[str, object]] = [
        {"date": "2022-03-05"},
        {"date": "2022-01"},
        {"date": "2021"},
        {"date_from": "2021-12-20", "date_to": "2022-01-10"},
        {},
    ]
    made = []
    for n in range(24):
        fields = rng.choice(dates) | {
            "title": f"Strike {n}",
            "types": rng.sample(["killing", "attack-on-civilians", "looting"], rng.randint(0, 2)),
            "targets": rng.sample(["school", "residential"], rng.randint(0, 1)),
            "status": rng.choice(["reported", "verified"]),
            "sensitivity": rng.sample(LABELS, rng.randint(0, 2)),
        }
        given = incidents.IncidentInput(**fields)  # type: ignore[arg-type]
        made.append(incidents.create(case, "Case A", given))
    workflow.assign(case, [("incident", x) for x in made[::3]], "anna")
    incidents.delete(case, made[1])
    _new(case, "Case B", types=["killing"], date="2022")
    held = facets.incident_page(case, "Case A").facets
    return case, [(f.key, v.value) for f in held for v in f.values]


def _both(instance: Instance, only: Narrowing, offset: int) -> tuple[Answer, Answer]:
    with read_transaction(instance.engine) as conn:
        cid = str(policy.require(conn, instance, Action.READ, case="Case A"))
        columns = facet_columns.build(conn, cid)
        fast = facets.by_columns(conn, columns, only, limit=5, offset=offset)
        slow = facets.in_sql(conn, cid, only, limit=5, offset=offset)
    return fast, slow


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_columns_answer_as_sql_does(
    crowd: tuple[Instance, list[tuple[str, str]]], data: st.DataObject
) -> None:
    """For random choices of values, date ranges and labels, the columns give the same total, the same
    page (rows, in order) and the same counts as grouping in SQL."""
    instance, held = crowd
    chosen = data.draw(st.lists(st.sampled_from(held), max_size=3, unique=True))
    date_from = data.draw(st.none() | st.sampled_from(DAYS))
    date_to = data.draw(st.none() | st.sampled_from(DAYS))
    if date_from and date_to and date_from > date_to:
        date_from, date_to = date_to, date_from
    label = data.draw(st.sampled_from([None, *LABELS]))
    only = Narrowing(tuple(chosen), date_from, date_to, label)
    fast, slow = _both(instance, only, data.draw(st.sampled_from([0, 5])))
    assert fast[:2] == slow[:2], only
    assert sorted(fast[2]) == sorted(slow[2]), only


def test_the_columns_follow_writes(crowd: tuple[Instance, list[tuple[str, str]]]) -> None:
    """The kept columns are read again after an edit or an assignment (the custody log grew)."""
    instance, _ = crowd
    two = facets.parse(["type:killing", "status:verified"])
    before = facets.incident_page(instance, "Case A", two, date_from="2021-01-01")
    made = _new(instance, types=["killing"], status="verified", date="2022-02-02")
    after = facets.incident_page(instance, "Case A", two, date_from="2021-01-01")
    assert after.total == before.total + 1 and made in {i.id for i in after.incidents}
    workflow.assign(instance, [("incident", made)], "anna")
    assigned = facets.incident_page(instance, "Case A", two, date_from="2021-01-01")
    (assignee,) = [f for f in assigned.facets if f.key == "assignee"]
    was = [f for f in after.facets if f.key == "assignee"]
    assert sum(v.incidents for v in assignee.values) == 1 + sum(
        v.incidents for f in was for v in f.values
    )
