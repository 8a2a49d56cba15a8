"""The incidents behind a figure (the patterns page's list and map): the counts' own filter, a date
range, a set of IDs, a limit, the matches per area and the map's points, or clusters past a few
thousand; bad ranges named; over both databases."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from testament.analysis import listing
from testament.analysis.frame import Row, frame_of
from testament.custody.instance import Instance
from testament.errors import InvalidInput
from testament.patterns import listing as use_case
from testament.patterns import service
from testament.patterns.load import Scope

CASE = Scope(case="Patterns")


def _ext(found: list[dict[str, object]]) -> list[object]:
    return sorted(row["external_id"] for row in found)


def test_a_selection_lists_what_its_count_counts(
    instance: Instance, sample: dict[str, str]
) -> None:
    counted = service.counts(instance, CASE, by=["month", "type"])
    for row in counted.rows:
        if row["type"] is None:
            continue
        where = {"month": row["month"], "type": row["type"]}
        listed = use_case.incidents(instance, CASE, where=where)
        assert sorted(r["id"] for r in listed.rows) == sorted(i["id"] for i in row["incidents"])
        assert listed.extra["matched"] == row["count"]


def test_the_list_names_dates_areas_and_places(instance: Instance, sample: dict[str, str]) -> None:
    listed = use_case.incidents(instance, CASE, where={"target": "school"})
    assert _ext(listed.rows) == ["K1", "K3"]
    k3 = next(r for r in listed.rows if r["external_id"] == "K3")
    assert (k3["date_from"], k3["date_to"], k3["precision"]) == (
        "2022-03-01",
        "2022-03-31",
        "month",
    )
    assert [a["area_code"] for a in k3["areas"]] and k3["types"] == ["air-strike"]
    assert sum(listed.extra["areas"].values()) == 2
    assert sorted(p[2] for p in listed.extra["points"]) == sorted([sample["K1"], sample["K3"]])


def test_a_date_range_keeps_what_may_lie_within_it(
    instance: Instance, sample: dict[str, str]
) -> None:
    listed = use_case.incidents(instance, CASE, date_from="2022-03-10", date_to="2022-04-10")
    assert _ext(listed.rows) == ["K3", "S1"]  # March as a whole overlaps; U1 has no date
    assert listed.undated == [sample["U1"]]


def test_ids_and_a_limit(instance: Instance, sample: dict[str, str]) -> None:
    listed = use_case.incidents(instance, CASE, only={sample["K1"], sample["Z1"]}, limit=1)
    assert listed.extra["matched"] == 2 and len(listed.rows) == 1


@pytest.mark.parametrize(
    "given",
    [{"date_from": "2022-02-30"}, {"date_to": "2022-3-1"}, {"date_from": "2022-05-01", "date_to": "2022-04-01"},
     {"limit": 0}, {"where": {"colour": "red"}}],
)  # fmt: skip
def test_bad_input_is_named(
    instance: Instance, sample: dict[str, str], given: dict[str, object]
) -> None:
    with pytest.raises(InvalidInput):
        use_case.incidents(instance, CASE, **given)  # type: ignore[arg-type]


def _rows(points: list[tuple[float, float]]) -> list[Row]:
    return [
        Row(f"id-{i:06d}", None, lat, lon, "2022-03-01", "2022-03-01", "day", "[]", "[]", "[]", ())
        for i, (lat, lon) in enumerate(points)
    ]


def test_past_the_limit_the_map_gets_clusters_that_add_up() -> None:
    rng = np.random.default_rng(7)
    points = list(
        zip(rng.uniform(45, 52, 6000).tolist(), rng.uniform(23, 40, 6000).tolist(), strict=True)
    )
    found = listing.listed(frame_of(_rows(points)), {}, limit=10)
    assert "points" not in found.extra
    assert sum(c[2] for c in found.extra["clusters"]) == 6000
    assert len(found.rows) == 10 and found.extra["matched"] == 6000


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.floats(-89, 89), st.floats(-179, 179)), max_size=40))
def test_points_are_every_placed_incident(points: list[tuple[float, float]]) -> None:
    found = listing.listed(frame_of(_rows(points)), {})
    assert len(found.extra["points"]) == len(points) == found.extra["matched"]
