"""Repeat strikes: the spatial index finds exactly the pairs a brute-force search finds, anywhere on
the sphere (the antimeridian and the poles included), under the hours and the days rules."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from testament.analysis import repeats
from testament.analysis.frame import IncidentFrame, Row, frame_of
from testament.errors import InvalidInput

START = datetime(2022, 3, 1, tzinfo=UTC)


def row(
    name: str, lat: float | None, lon: float | None, when: str, precision: str = "day", *,
    types: str = '["shelling"]', until: str | None = None,
) -> Row:  # fmt: skip
    return Row(name, f"x-{name}", lat, lon, when or None, until or when or None, precision,
               types, "[]", "[]", ())  # fmt: skip


def exact(hours: float) -> str:
    return (START + timedelta(hours=hours)).isoformat().replace("+00:00", "Z")


def pairs_of(frame: IncidentFrame, radius_m: float, window_h: float) -> set[tuple[int, int]]:
    found, _ = repeats.find_pairs(frame, radius_m, window_h)
    return set(zip(found.a.tolist(), found.b.tolist(), strict=True))


def brute_force(frame: IncidentFrame, radius_m: float, window_h: float) -> set[tuple[int, int]]:
    """The O(n^2) search the index must agree with, written from the rules in the docs."""
    found = set()
    days = math.ceil(window_h / 24)
    for i in range(len(frame)):
        for j in range(i + 1, len(frame)):
            if np.isnan(frame.lat[i]) or np.isnan(frame.lat[j]):
                continue
            if not (_timed(frame, i) and _timed(frame, j)):
                continue
            lat1, lon1, lat2, lon2 = map(
                math.radians, (frame.lat[i], frame.lon[i], frame.lat[j], frame.lon[j])
            )
            a = (
                math.sin((lat2 - lat1) / 2) ** 2
                + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
            )
            distance = 2 * 6_371_008.8 * math.asin(math.sqrt(min(1.0, a)))
            if distance > radius_m:
                continue
            si, sj = frame.seconds[i], frame.seconds[j]
            if not (math.isnan(si) or math.isnan(sj)):
                near = abs(si - sj) <= window_h * 3600
            else:
                near = abs(_day(frame, i) - _day(frame, j)) <= days
            if near:
                found.add((i, j))
    return found


def _timed(frame: IncidentFrame, i: int) -> bool:
    return not math.isnan(frame.seconds[i]) or (
        frame.day_from[i] == frame.day_to[i] and frame.day_from[i] > -(10**6)
    )


def _day(frame: IncidentFrame, i: int) -> int:
    if not math.isnan(frame.seconds[i]):
        return math.floor(frame.seconds[i] / 86400)
    return int(frame.day_from[i])


# Places: anywhere, or crowded near the antimeridian or a pole, where a flat grid would go wrong.
NEAR = st.sampled_from([(0.0, 180.0), (89.995, 0.0), (-89.995, 45.0), (50.0, 36.0)])


@st.composite
def incidents(draw: st.DrawFn) -> list[Row]:
    centre_lat, centre_lon = draw(NEAR)
    count = draw(st.integers(2, 40))
    found = []
    for i in range(count):
        lat = max(-90.0, min(90.0, centre_lat + draw(st.floats(-0.02, 0.02))))
        lon = centre_lon + draw(st.floats(-0.03, 0.03))
        lon = (lon + 180) % 360 - 180 if draw(st.booleans()) else lon  # 180 and -180 alike
        hours = draw(st.floats(0, 96))
        kind = draw(st.sampled_from(["exact", "day", "month", "none"]))
        when, precision, until = {
            "exact": (exact(hours), "exact", None),
            "day": (exact(hours)[:10], "day", None),
            "month": ("2022-03-01", "month", "2022-03-31"),
            "none": ("", "estimate", None),
        }[kind]
        placed = draw(st.integers(0, 9)) > 0
        found.append(row(f"i{i:03d}", lat if placed else None, lon if placed else None,
                         when, precision, until=until))  # fmt: skip
    return found


@settings(max_examples=150, deadline=None)
@given(rows=incidents(), radius_m=st.floats(1, 5000), window_h=st.floats(0.5, 72))
def test_the_index_finds_exactly_the_pairs_a_brute_force_search_finds(
    rows: list[Row], radius_m: float, window_h: float
) -> None:
    frame = frame_of(rows)
    assert pairs_of(frame, radius_m, window_h) == brute_force(frame, radius_m, window_h)


@settings(max_examples=60, deadline=None)
@given(rows=incidents(), radius_m=st.floats(1, 5000), window_h=st.floats(0.5, 72))
def test_pairs_are_ordered_once_within_the_thresholds_and_the_same_whatever_the_order(
    rows: list[Row], radius_m: float, window_h: float
) -> None:
    frame = frame_of(rows)
    found = repeats.repeats(frame, radius_m=radius_m, window_h=window_h)
    days = math.ceil(window_h / 24)
    for pair in found.extra["pairs"]:
        first, second = (i["id"] for i in pair["incidents"])
        assert first < second and pair["distance_m"] <= radius_m + 0.05
        if pair["rule"] == "hours":
            assert pair["hours_apart"] <= window_h + 1e-3
        else:
            assert pair["days_apart"] <= days
    backwards = frame_of(list(reversed(rows)))
    named = {tuple(i["id"] for i in p["incidents"]) for p in found.extra["pairs"]}
    again = repeats.repeats(backwards, radius_m=radius_m, window_h=window_h).extra["pairs"]
    assert {tuple(sorted(i["id"] for i in p["incidents"])) for p in again} == named


def test_an_incident_on_the_antimeridian_pairs_with_one_across_it() -> None:
    frame = frame_of([row("a", 10.0, 180.0, exact(0), "exact"),
                      row("b", 10.0, -179.995, exact(2), "exact")])  # fmt: skip
    found = repeats.repeats(frame, radius_m=1000, window_h=3)
    (pair,) = found.extra["pairs"]
    assert pair["distance_m"] == pytest.approx(547.5, abs=1) and pair["rule"] == "hours"
    (group,) = found.rows
    assert abs(group["centre"]["longitude"]) > 179.99, "the centre is on the sphere, not at 0"


def test_incidents_at_a_pole_pair_whatever_their_longitude() -> None:
    frame = frame_of([row("a", 90.0, 0.0, "2022-03-01"), row("b", 90.0, 135.0, "2022-03-02"),
                      row("c", -90.0, 0.0, "2022-03-01"), row("d", 89.9999, -90.0, "2022-03-01")])  # fmt: skip
    found = repeats.repeats(frame, radius_m=50, window_h=24)
    assert [[i["id"] for i in p["incidents"]] for p in found.extra["pairs"]] == [
        ["a", "b"], ["a", "d"], ["b", "d"],
    ]  # fmt: skip
    assert found.rows[0]["centre"]["latitude"] == pytest.approx(90, abs=1e-3)


def test_the_days_rule_and_the_hours_rule_are_named_per_pair_and_overall() -> None:
    frame = frame_of([
        row("a", 50.0, 36.0, exact(1), "exact"), row("b", 50.0, 36.001, exact(20), "exact"),
        row("c", 50.0, 36.002, "2022-03-02"), row("d", 50.0, 36.003, "2022-03-04"),
        row("m", 50.0, 36.0, "2022-03-01", "month", until="2022-03-31"),
        row("n", None, None, "2022-03-01"),
    ])  # fmt: skip
    found = repeats.repeats(frame, radius_m=1000, window_h=24)
    pairs = {tuple(i["id"] for i in p["incidents"]): p for p in found.extra["pairs"]}
    assert set(pairs) == {("a", "b"), ("a", "c"), ("b", "c")}
    assert pairs["a", "b"]["rule"] == "hours" and pairs["a", "b"]["hours_apart"] == 19
    assert pairs["a", "c"] | {"incidents": None} == {
        "incidents": None, "distance_m": pytest.approx(142.9, abs=0.1), "days_apart": 1,
        "rule": "days",
    }  # fmt: skip
    assert found.extra["time_rule"]["applied"] == "days and hours"
    assert "at most 1 calendar day apart" in found.extra["time_rule"]["days"]
    assert [frame.ids[i] for i in found.undated] == ["m"]
    assert [frame.ids[i] for i in found.unplaced] == ["n"]
    (group,) = found.rows
    assert (group["first"], group["last"], group["count"]) == (
        "2022-03-01T01:00:00Z",
        "2022-03-02",
        3,
    )
    assert group["types"] == ["shelling"] and group["group"] == 1
    assert group["incidents"][0] == {"id": "a", "external_id": "x-a"}
    assert found.extra["groups"] is found.rows


def test_a_window_longer_than_the_data_gives_every_pair_within_the_radius() -> None:
    rng = np.random.default_rng(7)
    rows = [row(f"i{i:02d}", 48 + rng.uniform(0, 0.02), 37 + rng.uniform(0, 0.02),
                exact(float(rng.uniform(0, 24 * 700))), "exact") for i in range(30)]  # fmt: skip
    frame = frame_of(rows)
    everything = pairs_of(frame, 2000, 24 * 365 * 100)
    assert everything == brute_force(frame, 2000, 1e9)
    assert len(everything) > 100


def test_groups_join_chains_of_pairs() -> None:
    frame = frame_of([row(n, 50.0, 36.0 + k * 0.01, "2022-03-01", types=f'["{t}"]')
                      for n, k, t in (("a", 0, "shelling"), ("b", 1, "air-strike"),
                                      ("c", 2, "shelling"), ("far", 9, "shelling"))])  # fmt: skip
    found = repeats.repeats(frame, radius_m=800, window_h=1)
    (group,) = found.rows
    assert [i["id"] for i in group["incidents"]] == ["a", "b", "c"]
    assert group["types"] == ["air-strike", "shelling"]
    assert group["centre"] == {"latitude": pytest.approx(50.0, abs=1e-4), "longitude": 36.01}
    assert found.extra["time_rule"]["applied"] == "days"


def test_no_incidents_or_no_pairs_answer_empty() -> None:
    for rows in ([], [row("a", 50.0, 36.0, "2022-03-01")]):
        found = repeats.repeats(frame_of(rows), radius_m=100, window_h=1)
        assert found.rows == [] and found.extra["pairs"] == []
        assert found.extra["time_rule"]["applied"] == "none"


@pytest.mark.parametrize(("radius_m", "window_h", "option"), [
    (0, 24, "--radius-m"), (-5, 24, "--radius-m"), (float("nan"), 24, "--radius-m"),
    (100, 0, "--window-h"), (100, -1, "--window-h"), (100, float("inf"), "--window-h"),
])  # fmt: skip
def test_a_radius_or_window_of_zero_or_less_is_refused(
    radius_m: float, window_h: float, option: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        repeats.repeats(frame_of([]), radius_m=radius_m, window_h=window_h)
    assert caught.value.where == option
