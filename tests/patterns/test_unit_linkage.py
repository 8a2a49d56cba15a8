"""Unit linkage over a case: placements recorded through their use cases, then each unit's timeline,
the incidents inside and possibly inside its presence, and the graph of units and places; the same
from the CLI and the API; bad input named."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.api.app import create_app
from testament.custody.instance import Instance
from testament.documentation import gazetteer, placements, units
from testament.errors import InvalidInput, NotFound
from testament.patterns import unit_linkage
from testament.patterns.load import Scope
from tests.conftest import Cli
from tests.patterns.conftest import AT_SEA, KHERSON

CASE = Scope(case="Patterns")
TOKEN = "test-token-0123456789"  # noqa: S105 - a throwaway token for the test app


@pytest.fixture
def placed(instance: Instance, sample: dict[str, str]) -> dict[str, str]:
    """Three brigades: the 1st in Kharkiv in early March, the 3rd there from mid-March, the 2nd
    around a point in Kherson from April and at sea until April's end."""
    for name in ("1st Brigade", "2nd Brigade", "3rd Brigade"):
        units.create(instance, name)
    ids = dict(sample)
    ids["first"] = placements.place(
        instance, "1st Brigade", area="Kharkiv", from_date="2022-03-01", to_date="2022-03-20"
    )
    ids["third"] = placements.place(instance, "3rd Brigade", area="Kharkiv", from_date="2022-03-15")
    ids["kherson"] = placements.place(
        instance, "2nd Brigade", latitude=KHERSON[0], longitude=KHERSON[1], radius_m=1000,
        from_date="2022-04",
    )  # fmt: skip
    ids["sea"] = placements.place(
        instance, "2nd Brigade", latitude=AT_SEA[0], longitude=AT_SEA[1], radius_m=5000,
        to_date="2022-04-30",
    )  # fmt: skip
    return ids


def _ext(refs: list[dict[str, str]]) -> list[str]:
    return [r["external_id"] for r in refs]


def test_each_unit_has_its_timeline_incidents_inside_and_possibly(
    instance: Instance, placed: dict[str, str]
) -> None:
    found = unit_linkage.unit_linkage(instance, CASE)
    rows = {r["unit"]: r for r in found.rows}
    assert list(rows) == ["1st Brigade", "2nd Brigade", "3rd Brigade"]
    first, second, third = rows.values()
    assert _ext(first["incidents"]) == ["K1", "K2"]  # on the 5th
    assert _ext(first["possibly"]) == ["K3"]  # "March 2022" runs past the 20th
    assert _ext(third["incidents"]) == [] and _ext(third["possibly"]) == ["K3"]
    assert sorted(_ext(second["incidents"])) == ["S1", "Z1"]  # a point reaches outside every area
    assert [e["placement"] for e in second["timeline"]] == [placed["sea"], placed["kherson"]]
    assert second["timeline"][1]["from"] == "2022-04-01" and second["timeline"][1]["to"] is None
    assert first["timeline"][0] | {"placement": "-"} == {
        "placement": "-", "area": "Kharkiv", "area_code": first["timeline"][0]["area_code"],
        "from": "2022-03-01", "to": "2022-03-20", "inside": 2, "possibly": 1,
    }  # fmt: skip
    assert found.undated == [placed["U1"]] and found.unplaced == []
    assert found.parameters == {"unit": None, "level": 1} and found.analysis == "units"
    edges = {(e["source"], e["target"]): e["weight"] for e in found.extra["graph"]["edges"]}
    ids = {r["unit"]: f"unit:{r['unit_id']}" for r in found.rows}
    pair = tuple(sorted((ids["1st Brigade"], ids["3rd Brigade"])))
    assert edges[pair] == 1  # both in Kharkiv from the 15th to the 20th
    assert found.extra["other_level"] == []


def test_one_unit_by_name_and_a_removed_placement(
    instance: Instance, placed: dict[str, str]
) -> None:
    placements.unplace(instance, placed["first"], "the report named another brigade")
    found = unit_linkage.unit_linkage(instance, CASE, unit="1st brigade")
    assert found.rows == [] and found.extra["graph"] == {"nodes": [], "edges": []}
    assert found.parameters["unit"] == units.resolve(instance, "1st Brigade")
    third = unit_linkage.unit_linkage(instance, CASE, unit="3rd Brigade")
    assert [r["unit"] for r in third.rows] == ["3rd Brigade"]


def test_a_placement_in_an_area_of_another_level_is_listed_not_dropped(
    instance: Instance, placed: dict[str, str], tmp_path: Path
) -> None:
    square = [[[36.0, 49.8], [36.5, 49.8], [36.5, 50.2], [36.0, 50.2], [36.0, 49.8]]]
    feature = {"type": "Feature", "properties": {"NAME_2": "Kharkivskyi raion", "CODE": "UA.KK.01"},
               "geometry": {"type": "Polygon", "coordinates": square}}  # fmt: skip
    path = tmp_path / "raion.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))
    gazetteer.load(instance, path, level=2, name_field="NAME_2", code_field="CODE")
    raion = placements.place(instance, "1st Brigade", area="UA.KK.01", from_date="2022-03")
    at_one = unit_linkage.unit_linkage(instance, CASE, unit="1st Brigade")
    assert [p["placement"] for p in at_one.extra["other_level"]] == [raion]
    assert at_one.extra["other_level"][0]["level"] == 2
    at_two = unit_linkage.unit_linkage(instance, CASE, unit="1st Brigade", level=2)
    [row] = at_two.rows
    assert _ext(row["incidents"]) == ["K1", "K2", "K3"]  # the whole of March, inside the raion
    assert [p["level"] for p in at_two.extra["other_level"]] == [1]


def test_bad_input_is_named(instance: Instance, placed: dict[str, str]) -> None:
    with pytest.raises(NotFound) as unknown_unit:
        unit_linkage.unit_linkage(instance, CASE, unit="No such brigade")
    assert unknown_unit.value.where == "No such brigade"
    with pytest.raises(NotFound):
        unit_linkage.unit_linkage(instance, Scope(case="Nowhere"))
    with pytest.raises(InvalidInput) as level:
        unit_linkage.unit_linkage(instance, CASE, level=7)
    assert level.value.where == "--level"


def test_the_cli_places_lists_unplaces_and_analyses(
    cli: Cli, instance: Instance, placed: dict[str, str]
) -> None:
    done = cli("unit", "place", "3rd Brigade", "--at", "49.99,36.23", "--radius-m", "300",
               "--from", "2022-03-05", "--to", "2022-03-05", "--note", "column seen",
               "--source", "Report 7", "--json", check=True)  # fmt: skip
    new_id = json.loads(done.stdout)["id"]
    listed = cli("unit", "placements", "3rd Brigade", "--json", check=True)
    shown = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [p["id"] for p in shown] == [new_id, placed["third"]]  # by start: the 5th, the 15th
    assert shown[0]["radius_m"] == 300 and shown[0]["source_text"] == "Report 7"
    table = cli("unit", "placements", "3rd Brigade", check=True).stdout
    assert "2022-03-15 – ?  Kharkiv" in table and "within 300 m of 49.99, 36.23" in table
    result = json.loads(cli("analyze", "units", "--case", "Patterns", "--unit", "3rd Brigade",
                            "--format", "json", check=True).stdout)  # fmt: skip
    assert set(result) >= {"parameters", "checkpoint", "unplaced", "undated", "rows", "graph"}
    assert _ext(result["rows"][0]["incidents"]) == ["K1", "K2"]
    removed = cli("unit", "unplace", new_id, "--reason", "duplicate report", check=True)
    assert f"Placement {new_id} removed at version 3" in removed.stdout
    assert "unit=3rd Brigade" in cli("analyze", "units", "--case", "Patterns", check=True).stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "Kharkiv", "--at", "50,36", "--radius-m", "5"], "either in an area or"),
        (["--at", "50,36", "--radius-m", "0"], "more than 0 metres"),
        (["--at", "50,36", "--radius-m", "-10"], "more than 0 metres"),
        (["--at", "50;36", "--radius-m", "10"], "is not LAT,LON"),
        (["--area", "Kharkiv", "--from", "2022-05", "--to", "2022-04"], "ends before it starts"),
        (["--area", "Atlantis"], "no administrative area"),
    ],
)
def test_the_cli_refuses_bad_placements(
    cli: Cli, instance: Instance, placed: dict[str, str], args: list[str], message: str
) -> None:
    done = cli("unit", "place", "1st Brigade", *args)
    assert done.returncode != 0 and message in done.stderr
    assert "Traceback" not in done.stderr
    unknown = cli("unit", "place", "No such brigade", "--area", "Kharkiv")
    assert unknown.returncode != 0 and "no unit has this ID, name or alias" in unknown.stderr


@pytest.fixture
def client(instance: Instance, placed: dict[str, str]) -> Iterator[TestClient]:
    app = create_app(instance, api_token=TOKEN)
    with TestClient(app, headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        yield http


def test_the_api_places_lists_removes_and_analyses(
    client: TestClient, instance: Instance, placed: dict[str, str]
) -> None:
    made = client.post("/units/3rd Brigade/placements",
                       json={"area": "Kherson", "from_date": "2022-04-01", "note": "n"})  # fmt: skip
    assert made.status_code == 201, made.text
    listed = client.get("/units/3rd Brigade/placements").json()["items"]
    assert [p["area_name"] for p in listed] == ["Kharkiv", "Kherson"]
    got = client.get("/cases/Patterns/analyses/units", params={"unit": "3rd Brigade"})
    assert got.status_code == 200, got.text
    direct = unit_linkage.unit_linkage(instance, CASE, unit="3rd Brigade")
    assert got.json()["analysis"] == direct.as_json()
    gone = client.delete(f"/unit-placements/{made.json()['id']}", params={"reason": "typo"})
    assert gone.status_code == 200 and gone.json()["version"] == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"area": "Kharkiv", "latitude": 50.0, "longitude": 36.0, "radius_m": 5}, "area"),
        ({"latitude": 50.0, "longitude": 36.0, "radius_m": 0}, "radius_m"),
        ({"latitude": 50.0, "longitude": 36.0, "radius_m": -1}, "radius_m"),
        ({"area": "Kharkiv", "from_date": "2022-05", "to_date": "2022-04"}, None),
        ({"area": "Kharkiv", "colour": "red"}, None),
    ],
)
def test_the_api_refuses_bad_placements(
    client: TestClient, body: dict[str, Any], field: str | None
) -> None:
    got = client.post("/units/1st Brigade/placements", json=body)
    assert got.status_code in (400, 422), got.text
    assert got.json()["ok"] is False
    if field is not None:
        assert field in got.json()["errors"], got.json()


def test_the_api_answers_unknown_things_as_missing(client: TestClient) -> None:
    assert client.get("/units/No such brigade/placements").status_code == 404
    assert (
        client.post("/units/1st Brigade/placements", json={"area": "Atlantis"}).status_code == 404
    )
    assert client.delete("/unit-placements/nothing", params={"reason": "x"}).status_code == 404
    assert client.delete("/unit-placements/nothing").status_code in (400, 422)
    got = client.get("/cases/Patterns/analyses/units", params={"unit": "No such brigade"})
    assert got.status_code == 404 and got.json()["ok"] is False
