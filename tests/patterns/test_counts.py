"""Counts over a case: by area, period, type and target, with unplaced and undated incidents listed,
never dropped or snapped; the same result from the CLI and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest

from testament.custody import cases
from testament.custody.instance import Instance
from testament.errors import InvalidInput, NotFound
from testament.patterns import service
from testament.patterns.load import Scope
from tests.conftest import Cli

CASE = Scope(case="Patterns")


def _ext(row: dict[str, Any]) -> list[str]:
    return [i["external_id"] for i in row["incidents"]]


def test_counts_by_area_and_month_list_unplaced_and_undated(
    instance: Instance, sample: dict[str, str]
) -> None:
    found = service.counts(instance, CASE, by=["area", "month"])
    rows = [(r["area"], r["month"], r["count"], _ext(r)) for r in found.rows]
    assert rows == [
        ("Kharkiv", "2022-03", 3, ["K1", "K2", "K3"]),
        ("Kherson", "2022-04", 1, ["S1"]),
    ]
    assert found.unplaced == [sample["Z1"]], "at sea: never snapped to the nearest area"
    assert found.undated == [sample["U1"]]
    assert found.incidents == 6
    assert found.checkpoint.size > 0 and found.checkpoint.root
    assert found.parameters == {"by": ["area", "month"], "where": {}, "level": 1}


def test_a_month_date_counts_in_its_month_never_on_the_first(
    instance: Instance, sample: dict[str, str]
) -> None:
    by_day = service.counts(instance, CASE, by=["day"])
    assert [(r["day"], _ext(r)) for r in by_day.rows] == [
        ("2022-03-05", ["K1", "K2"]),
        ("2022-04-10", ["S1"]),
        ("2022-04-11", ["Z1"]),
    ]
    assert set(by_day.undated) == {sample["K3"], sample["U1"]}


def test_an_incident_with_several_targets_counts_once_under_each(
    instance: Instance, sample: dict[str, str]
) -> None:
    found = service.counts(instance, CASE, by=["target"], where={"area": "kharkiv"})
    assert {r["target"]: _ext(r) for r in found.rows} == {
        "school": ["K1", "K3"],
        "residential": ["K1"],
        "hospital": ["K2"],
    }
    assert found.unplaced == [sample["Z1"]]


def test_an_incident_with_no_target_counts_under_none(
    instance: Instance, sample: dict[str, str]
) -> None:
    found = service.counts(instance, CASE, by=["target"])
    assert {r["target"]: r["count"] for r in found.rows}[None] == 1


def test_a_case_with_no_incidents_answers_empty(instance: Instance) -> None:
    cases.create_case(instance, "Empty")
    found = service.counts(instance, Scope(case="Empty"), by=["area"])
    assert (found.rows, found.unplaced, found.undated, found.incidents) == ([], [], [], 0)


def test_a_case_with_none_placed_lists_every_incident_as_unplaced(instance: Instance) -> None:
    from tests.patterns.conftest import AT_SEA, add

    cases.create_case(instance, "Sea")
    ids = {add(instance, "Sea", f"Z{i}", "2022-05-01", AT_SEA) for i in range(3)}
    found = service.counts(instance, Scope(case="Sea"), by=["area"])
    assert found.rows == [] and set(found.unplaced) == ids


@pytest.mark.parametrize(
    ("by", "where", "named"),
    [(["county"], {}, "--by"), (["day", "month"], {}, "--by"), ([], {}, "--by"),
     (["area"], {"colour": "red"}, "--where"), (["area"], {"month": "2022-13"}, "")],
)  # fmt: skip
def test_bad_keys_are_refused_naming_the_valid_ones(
    instance: Instance, sample: dict[str, str], by: list[str], where: dict[str, str], named: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        service.counts(instance, CASE, by=by, where=where)
    if named:
        assert caught.value.where == named
    if by == ["county"]:
        assert "area, day, week, month, year, type, target, weapon" in str(caught.value.hint)


def test_an_unknown_case_or_situation_is_not_found(instance: Instance) -> None:
    with pytest.raises(NotFound):
        service.counts(instance, Scope(case="Nowhere"), by=["area"])
    with pytest.raises(NotFound):
        service.counts(instance, Scope(situation="Nowhere"), by=["area"])


def test_a_scope_is_one_case_or_one_situation() -> None:
    for bad in (Scope, lambda: Scope(case="A", situation="B")):
        with pytest.raises(InvalidInput):
            bad()


def test_the_cli_prints_one_json_object_with_parameters_and_checkpoint(
    cli: Cli, instance: Instance, sample: dict[str, str]
) -> None:
    done = cli("analyze", "counts", "--case", "Patterns", "--by", "area", "--by", "type",
               "--where", "target=school", "--format", "json", check=True)  # fmt: skip
    result = json.loads(done.stdout)
    assert set(result) >= {"parameters", "checkpoint", "unplaced", "undated", "rows"}
    assert result["parameters"]["where"] == {"target": "school"}
    assert [(r["area"], r["type"], r["count"]) for r in result["rows"]] == [
        ("Kharkiv", "air-strike", 1),
        ("Kharkiv", "shelling", 1),
    ]
    csv_out = cli("analyze", "counts", "--case", "Patterns", "--by", "month", "--format", "csv")
    assert csv_out.stdout.splitlines()[0] == "month,count,incidents"
    table = cli("analyze", "counts", "--case", "Patterns", "--by", "month", check=True)
    assert "month=2022-03  count=3" in table.stdout and "unplaced" in table.stderr
    bad = cli("analyze", "counts", "--case", "Patterns", "--by", "area", "--where", "target")
    assert bad.returncode != 0 and "KEY=VALUE" in bad.stderr
