"""The map's data: points while few are in view, clusters of a globe-fixed grid past that.

Every incident in view is counted exactly once, in the cell its coordinates fall in, on both databases.
"""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.documentation.incidents import MapView
from testament.errors import InvalidInput

AT_MOST = 10


@pytest.fixture
def scattered(instance: Instance) -> list[tuple[float, float]]:
    """80 incidents over Ukraine at seeded random places, plus one without coordinates."""
    cases.create_case(instance, "Case A")
    pick = random.Random(7)
    places = [
        (round(pick.uniform(22.1, 40.2), 4), round(pick.uniform(44.4, 52.3), 4)) for _ in range(80)
    ]
    for n, (lon, lat) in enumerate(places):
        given = incidents.IncidentInput(title=f"Strike {n}", latitude=lat, longitude=lon)
        incidents.create(instance, "Case A", given)
    incidents.create(instance, "Case A", incidents.IncidentInput(title="Somewhere"))
    return places


def _expected(places: list[tuple[float, float]], view: MapView) -> Counter[tuple[int, int]]:
    cell = 360.0 / (1 << view.zoom) / incidents.MAP_CELLS_PER_TILE
    inside = [
        (lon, lat)
        for lon, lat in places
        if view.west <= lon <= view.east and view.south <= lat <= view.north
    ]
    return Counter(
        (math.floor((lon + 180) / cell), math.floor((lat + 90) / cell)) for lon, lat in inside
    )


def test_few_incidents_come_back_as_points(instance: Instance, scattered: list) -> None:
    shown = incidents.map_points(instance, "Case A")
    assert shown.clustered is False and shown.total == 80
    coordinates = sorted(tuple(f["geometry"]["coordinates"]) for f in shown.features)
    assert coordinates == sorted(scattered)
    assert all("title" in f["properties"] for f in shown.features)


def test_many_come_back_as_clusters_that_count_every_incident_once(
    instance: Instance, scattered: list
) -> None:
    whole = incidents.map_points(instance, "Case A", at_most=AT_MOST)
    assert whole.clustered is True and whole.total == 80
    assert sum(f["properties"]["count"] for f in whole.features) == 80
    assert 1 < len(whole.features) < 80


def test_a_view_narrows_to_what_is_on_screen(instance: Instance, scattered: list) -> None:
    kyiv = MapView.parse("29.0,49.0,32.0,51.5", 9)
    shown = incidents.map_points(instance, "Case A", kyiv, at_most=1000)
    inside = [p for p in scattered if 29 <= p[0] <= 32 and 49 <= p[1] <= 51.5]
    assert shown.total == len(inside) and not shown.clustered
    assert sorted(tuple(f["geometry"]["coordinates"]) for f in shown.features) == sorted(inside)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    west=st.floats(20, 41), south=st.floats(43, 53),
    width=st.floats(0.01, 25), height=st.floats(0.01, 12), zoom=st.integers(0, 14),
)  # fmt: skip
def test_clusters_match_the_grid_cell_by_cell(  # noqa: PLR0917 - Hypothesis fills them in
    instance: Instance,
    scattered: list,
    west: float,
    south: float,
    width: float,
    height: float,
    zoom: int,
) -> None:
    view = MapView(west, south, min(west + width, 180), min(south + height, 90), zoom)
    shown = incidents.map_points(instance, "Case A", view, at_most=0)
    expected = _expected(scattered, view)
    assert shown.total == sum(expected.values())
    assert sorted(f["properties"]["count"] for f in shown.features) == sorted(expected.values())
    cell = 360.0 / (1 << zoom) / incidents.MAP_CELLS_PER_TILE
    for feature in shown.features:  # each cluster sits at the mean of its own cell's incidents
        lon, lat = feature["geometry"]["coordinates"]
        key = (math.floor((lon + 180) / cell), math.floor((lat + 90) / cell))
        assert expected[key] == feature["properties"]["count"]


@pytest.mark.parametrize(
    ("bbox", "zoom", "field"),
    [
        ("30,50,31", 6, "bbox"),
        ("west,50,31,51", 6, "bbox"),
        ("31,50,30,51", 6, "bbox"),
        ("30,50,31,91", 6, "bbox"),
        ("30,50,31,51", 21, "zoom"),
        ("30,50,31,51", -1, "zoom"),
    ],
)
def test_a_bad_view_is_refused_naming_the_field(bbox: str, zoom: int, field: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        MapView.parse(bbox, zoom)
    assert field in refused.value.errors
