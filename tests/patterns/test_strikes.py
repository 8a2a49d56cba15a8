"""Spikes and repeat strikes over a case and a situation, on SQLite and PostgreSQL: parameters,
checkpoint, unplaced and undated incidents listed; bad parameters refused naming the option; the same
results from the CLI and the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.api.app import create_app
from testament.custody import cases
from testament.custody.instance import Instance
from testament.errors import InvalidInput, NotFound
from testament.patterns import strikes
from testament.patterns.load import Scope
from tests.conftest import Cli
from tests.patterns.conftest import KHARKIV, add, load_areas

TOKEN = "test-token-0123456789"  # noqa: S105 - a throwaway token for the test app
CASE = Scope(case="Strikes")
NEAR_KHARKIV = (49.995, 36.23)  # 556 m north of KHARKIV


@pytest.fixture
def strikes_case(instance: Instance) -> dict[str, str]:
    """Case "Strikes" in situation "War": a double strike in Kharkiv, a third strike two days
    later, a strike at the antimeridian, one at the North Pole, one known only to the month."""
    load_areas(instance)
    cases.create_situation(instance, cases.situation_values("War", conflict="international"))
    cases.create_case(instance, "Strikes", situation_name="War")
    made = {
        "T1": ("2022-03-05T08:00:00Z", KHARKIV, "exact"),
        "T2": ("2022-03-05T09:30:00Z", NEAR_KHARKIV, "exact"),
        "T3": ("2022-03-05", KHARKIV, "day"),
        "T4": ("2022-03-07", KHARKIV, "day"),
        "A1": ("2022-04-01", (0.0, 180.0), "day"),
        "A2": ("2022-04-01", (0.0, -179.996), "day"),
        "P1": ("2022-04-02", (90.0, 0.0), "day"),
        "M1": ("2022-03", KHARKIV, "month"),
    }
    return {
        external: add(instance, "Strikes", external, when, place, types=("shelling",))
        for external, (when, place, _) in made.items()
    }


def _ext(refs: list[dict[str, str]]) -> list[str]:
    return [r["external_id"] for r in refs]


def test_repeat_strikes_pair_and_group_incidents_across_the_antimeridian(
    instance: Instance, strikes_case: dict[str, str]
) -> None:
    found = strikes.repeats(instance, CASE, radius_m=1000, window_h=24)
    pairs = {tuple(_ext(p["incidents"])): p for p in found.extra["pairs"]}
    assert sorted(tuple(sorted(k)) for k in pairs) == [("A1", "A2"), ("T1", "T2"), ("T1", "T3"),
                                                       ("T2", "T3")]  # fmt: skip
    hours = next(p for k, p in pairs.items() if set(k) == {"T1", "T2"})
    assert (hours["rule"], hours["hours_apart"]) == ("hours", 1.5)
    assert {p["rule"] for k, p in pairs.items() if "T3" in k} == {"days"}
    assert found.extra["time_rule"]["applied"] == "days and hours"
    assert [sorted(_ext(g["incidents"])) for g in found.rows] == [["T1", "T2", "T3"], ["A1", "A2"]]
    assert abs(found.rows[1]["centre"]["longitude"]) > 179.99
    assert found.undated == [strikes_case["M1"]] and found.unplaced == []
    assert found.parameters == {"radius_m": 1000, "window_h": 24, "window_days": 1,
                                "earth_radius_m": 6_371_008.8}  # fmt: skip
    assert found.checkpoint.size > 0


def test_a_window_longer_than_the_data_gives_every_pair_within_the_radius(
    instance: Instance, strikes_case: dict[str, str]
) -> None:
    found = strikes.repeats(instance, CASE, radius_m=1000, window_h=24 * 365 * 50)
    kharkiv = {frozenset(_ext(p["incidents"])) for p in found.extra["pairs"]} - {
        frozenset({"A1", "A2"})
    }
    assert len(kharkiv) == 6, "T1..T4 are all within 1 km of each other"


def test_spikes_by_area_and_day_with_a_baseline(
    instance: Instance, strikes_case: dict[str, str]
) -> None:
    found = strikes.spikes(instance, CASE, min_count=2, baseline_days=3, factor=1.5)
    assert [(r["area"], r["day"], r["count"], r["flagged"]) for r in found.rows] == [
        ("Kharkiv", "2022-03-05", 3, False),
    ], "the first day of the case has no history: never flagged"
    assert found.rows[0]["history_days"] == 0 and "counting as 0" in found.extra["baseline_rule"]
    outside = {strikes_case[k] for k in ("A1", "A2", "P1")}
    assert set(found.unplaced) == outside and found.undated == [strikes_case["M1"]]
    later = strikes.spikes(instance, CASE, min_count=1, baseline_days=3, factor=1.5)
    day7 = next(r for r in later.rows if r["day"] == "2022-03-07")
    assert (day7["baseline"], day7["history_days"], day7["flagged"]) == (1.5, 2, False)
    assert later.parameters["baseline_days"] == 3 and later.parameters["factor"] == 1.5


def test_spikes_over_a_situation_without_areas_by_month(
    instance: Instance, strikes_case: dict[str, str]
) -> None:
    found = strikes.spikes(instance, Scope(situation="War"), by_area=False, period="month",
                           min_count=3)  # fmt: skip
    assert [(r["month"], r["count"]) for r in found.rows] == [("2022-03", 5), ("2022-04", 3)]
    assert found.scope == {"situation": "War", "cases": ["Strikes"]} and found.unplaced == []


def test_a_case_with_no_incidents_or_none_placed_answers_empty(instance: Instance) -> None:
    cases.create_case(instance, "Empty")
    for result in (strikes.spikes(instance, Scope(case="Empty"), min_count=1),
                   strikes.repeats(instance, Scope(case="Empty"), radius_m=10, window_h=1)):  # fmt: skip
        assert (result.rows, result.unplaced, result.undated, result.incidents) == ([], [], [], 0)
    cases.create_case(instance, "Nowhere placed")
    ids = {add(instance, "Nowhere placed", f"N{i}", "2022-05-01", (0.0, 0.0)) for i in range(2)}
    found = strikes.spikes(instance, Scope(case="Nowhere placed"), min_count=1)
    assert found.rows == [] and set(found.unplaced) == ids


BAD: list[tuple[dict[str, Any], str]] = [
    ({"radius_m": 0, "window_h": 24}, "--radius-m"),
    ({"radius_m": -1, "window_h": 24}, "--radius-m"),
    ({"radius_m": 100, "window_h": 0}, "--window-h"),
    ({"radius_m": 100, "window_h": -2}, "--window-h"),
    ({"min_count": 0}, "--min-count"),
    ({"min_count": 1, "baseline_days": 7, "factor": 0}, "--factor"),
    ({"min_count": 1, "baseline_days": 7, "factor": -1}, "--factor"),
    ({"min_count": 1, "baseline_days": 0, "factor": 2}, "--baseline-days"),
    ({"min_count": 1, "baseline_days": 7}, "--factor"),
    ({"min_count": 1, "level": 3}, "--level"),
]


@pytest.mark.parametrize(("given", "option"), BAD)
def test_bad_parameters_are_refused_naming_the_option(
    instance: Instance, strikes_case: dict[str, str], given: dict[str, Any], option: str
) -> None:
    use_case: Any = strikes.repeats if "radius_m" in given else strikes.spikes
    with pytest.raises(InvalidInput) as caught:
        use_case(instance, CASE, **given)
    assert caught.value.where == option


def test_an_unknown_case_or_situation_is_not_found(instance: Instance) -> None:
    with pytest.raises(NotFound):
        strikes.repeats(instance, Scope(case="Nowhere"), radius_m=10, window_h=1)
    with pytest.raises(NotFound):
        strikes.spikes(instance, Scope(situation="Nowhere"), min_count=1)


def test_the_cli_prints_pairs_groups_and_the_time_rule(
    cli: Cli, instance: Instance, strikes_case: dict[str, str]
) -> None:
    done = cli("analyze", "repeats", "--case", "Strikes", "--radius-m", "1000", "--window-h",
               "24", "--format", "json", check=True)  # fmt: skip
    result = json.loads(done.stdout)
    assert set(result) >= {"parameters", "checkpoint", "unplaced", "undated", "rows", "pairs",
                           "groups", "time_rule"}  # fmt: skip
    assert len(result["pairs"]) == 4 and result["groups"] == result["rows"]
    table = cli("analyze", "repeats", "--case", "Strikes", "--radius-m", "1000", "--window-h", "24")
    assert "count=3" in table.stdout and "undated" in table.stderr
    spikes = cli("analyze", "spikes", "--case", "Strikes", "--by", "area", "--period", "day",
                 "--min-count", "2", "--format", "csv", check=True)  # fmt: skip
    assert spikes.stdout.splitlines() == ["area,area_code,day,count,incidents",
                                          spikes.stdout.splitlines()[1]]  # fmt: skip
    assert spikes.stdout.splitlines()[1].startswith("Kharkiv,")
    for args, option in ((["repeats", "--radius-m", "0", "--window-h", "1"], "--radius-m"),
                         (["spikes", "--min-count", "0"], "--min-count"),
                         (["spikes", "--baseline-days", "7", "--factor", "-2"], "--factor")):  # fmt: skip
        bad = cli("analyze", *args, "--case", "Strikes")
        assert bad.returncode != 0 and option in bad.stderr and "Traceback" not in bad.stderr


@pytest.fixture
def client(instance: Instance) -> Iterator[TestClient]:
    with TestClient(create_app(instance, api_token=TOKEN),
                    headers={"Authorization": f"Bearer {TOKEN}"}) as http:  # fmt: skip
        yield http


def test_the_api_gives_the_same_results_for_a_case_and_a_situation(
    client: TestClient, instance: Instance, strikes_case: dict[str, str]
) -> None:
    found = client.get("/cases/Strikes/analyses/repeats", params={"radius_m": 1000, "window_h": 24})
    assert found.status_code == 200, found.text
    analysis = found.json()["analysis"]
    direct = strikes.repeats(instance, CASE, radius_m=1000, window_h=24).as_json()
    assert analysis["pairs"] == direct["pairs"] and analysis["groups"] == direct["groups"]
    spikes = client.get("/situations/War/analyses/spikes",
                        params={"min_count": 2, "baseline_days": 3, "factor": 1.5}).json()  # fmt: skip
    assert [(r["area"], r["count"]) for r in spikes["analysis"]["rows"]] == [("Kharkiv", 3)]
    whole = client.get("/cases/Strikes/analyses/spikes",
                       params={"by_area": "false", "period": "month", "min_count": 1}).json()  # fmt: skip
    assert [r["count"] for r in whole["analysis"]["rows"]] == [5, 3]
    for path, params in (("repeats", {"radius_m": -1, "window_h": 24}),
                         ("repeats", {"radius_m": 10, "window_h": 0}),
                         ("spikes", {"min_count": 0}),
                         ("spikes", {"min_count": 1, "baseline_days": 2, "factor": 0})):  # fmt: skip
        bad = client.get(f"/cases/Strikes/analyses/{path}", params=params)
        assert bad.status_code == 422, bad.text
        assert bad.json()["ok"] is False
