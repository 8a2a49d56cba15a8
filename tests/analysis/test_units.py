"""Unit linkage on a frame: presence timelines, incidents inside and possibly inside a presence, and
the co-occurrence graph of units and places."""

from __future__ import annotations

import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from testament.analysis.frame import Row, day_number, frame_of
from testament.analysis.units import Presence, distances_m, link_units

NAMES = {"UA.KK": "Kharkiv", "UA.KV": "Kiev"}


def row(
    ident: str,
    *,
    at: tuple[float, float] | None = None,
    dates: tuple[str | None, str | None] = (None, None),
    areas: tuple[str, ...] = (),
    external: str | None = None,
) -> Row:
    lat, lon = at if at else (None, None)
    precision = "day" if dates[0] == dates[1] else "estimate"
    return Row(ident, external, lat, lon, dates[0], dates[1], precision, "[]", "[]", "[]", areas)


FRAME = frame_of(
    [
        row("i1", at=(49.99, 36.23), dates=("2022-03-10", "2022-03-10"), areas=("UA.KK",)),
        row("i2", at=(49.90, 36.30), dates=("2022-03-01", "2022-03-31"), areas=("UA.KK",),
            external="BC-2"),
        row("i3", at=(50.45, 30.52), dates=("2022-03-05", "2022-03-05"), areas=("UA.KV",)),
        row("i4", at=(50.4501, 30.5201), dates=("2022-06-01", "2022-06-01"), areas=("UA.KV",)),
        row("i5", at=(49.95, 36.25), areas=("UA.KK",)),  # no date
        row("i6", dates=("2022-03-12", "2022-03-12")),  # neither a point nor an area
    ],
    NAMES,
)  # fmt: skip


def day(text: str) -> int:
    return day_number(text)


def ids(refs: list[dict[str, str]]) -> list[str]:
    return [r["id"] for r in refs]


def test_inside_possibly_timeline_undated_and_unplaced() -> None:
    presences = [
        Presence("p2", "u1", "1st Brigade", area="UA.KK", day_from=day("2022-03-08"),
                 day_to=day("2022-04-30")),
        Presence("p1", "u1", "1st Brigade", latitude=50.45, longitude=30.52, radius_m=100,
                 day_to=day("2022-03-31")),
    ]  # fmt: skip
    outcome = link_units(FRAME, presences)
    [found] = outcome.rows
    assert [entry["placement"] for entry in found["timeline"]] == ["p1", "p2"]  # open start first
    first, second = found["timeline"]
    assert first == {
        "placement": "p1", "latitude": 50.45, "longitude": 30.52, "radius_m": 100,
        "from": None, "to": "2022-03-31", "inside": 1, "possibly": 0,
    }  # fmt: skip
    assert (second["area"], second["area_code"], second["from"]) == (
        "Kharkiv",
        "UA.KK",
        "2022-03-08",
    )
    assert (second["inside"], second["possibly"]) == (1, 1)
    assert ids(found["incidents"]) == ["i1", "i3"]  # i4 is 14 m away but in June
    assert found["possibly"] == [{"id": "i2", "external_id": "BC-2"}]  # March, only from the 8th
    assert (found["count"], found["possibly_count"]) == (2, 1)
    assert [str(FRAME.ids[i]) for i in outcome.undated] == ["i5"]
    assert [str(FRAME.ids[i]) for i in outcome.unplaced] == ["i6"]


def test_the_graph_joins_units_to_places_and_units_present_together() -> None:
    presences = [
        Presence("a", "u1", "1st Brigade", area="UA.KK", day_from=day("2022-03-01"),
                 day_to=day("2022-03-31")),
        Presence("b", "u2", "2nd Brigade", area="UA.KK", day_from=day("2022-03-20")),
        Presence("c", "u2", "2nd Brigade", area="UA.KV", day_to=day("2022-02-01")),
        Presence("d", "u3", "3rd Brigade", area="UA.KV", day_from=day("2022-03-01")),
    ]  # fmt: skip
    graph = link_units(FRAME, presences).extra["graph"]
    assert [n["id"] for n in graph["nodes"]] == [
        "unit:u1", "unit:u2", "unit:u3", "area:UA.KK", "area:UA.KV",
    ]  # fmt: skip
    assert graph["nodes"][3] == {"id": "area:UA.KK", "kind": "area", "label": "Kharkiv",
                                 "area_code": "UA.KK"}  # fmt: skip
    edges = {(e["source"], e["target"]): (e["kind"], e["weight"]) for e in graph["edges"]}
    assert edges == {
        ("area:UA.KK", "unit:u1"): ("presence", 2),  # i1 and i2 lie within March
        ("area:UA.KK", "unit:u2"): ("presence", 0),  # i1 and i2 began before the 20th
        ("area:UA.KV", "unit:u2"): ("presence", 0),
        ("area:UA.KV", "unit:u3"): ("presence", 2),
        ("unit:u1", "unit:u2"): ("co-presence", 1),  # Kharkiv, from the 20th to the 31st
    }  # u2 left Kyiv before u3 came: no edge
    again = link_units(FRAME, list(reversed(presences))).extra["graph"]
    assert json.dumps(again) == json.dumps(graph)


def test_no_placements_and_an_empty_frame() -> None:
    outcome = link_units(FRAME, [])
    assert outcome.rows == [] and outcome.extra["graph"] == {"nodes": [], "edges": []}
    empty = link_units(frame_of([]), [Presence("p", "u", "U", area="UA.KK")])
    assert empty.rows[0]["incidents"] == [] and empty.rows[0]["timeline"][0]["inside"] == 0


def test_a_radius_reaches_across_the_antimeridian_and_at_a_pole() -> None:
    frame = frame_of([
        row("east", at=(65.0, 179.999), dates=("2023-01-01", "2023-01-01")),
        row("pole", at=(90.0, 45.0), dates=("2023-01-01", "2023-01-01")),
    ])  # fmt: skip
    across = Presence("p", "u", "U", latitude=65.0, longitude=-179.999, radius_m=200)
    polar = Presence("q", "v", "V", latitude=89.9999, longitude=-120.0, radius_m=50)
    rows = {r["unit_id"]: ids(r["incidents"]) for r in link_units(frame, [across, polar]).rows}
    assert rows == {"u": ["east"], "v": ["pole"]}


def test_distances_are_great_circle_metres() -> None:
    import numpy as np

    found = distances_m(np.array([50.45, np.nan]), np.array([31.52, 0.0]), 50.45, 30.52)
    assert math.isclose(found[0], 70_900, rel_tol=0.01) and math.isnan(found[1])


BOUND = st.one_of(st.none(), st.integers(0, 60))


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Row], list[Presence]]:
    rows = []
    for i in range(draw(st.integers(0, 12))):
        start = draw(st.one_of(st.none(), st.integers(0, 50)))
        length = draw(st.integers(0, 10))
        text = None if start is None else f"2022-01-{1 + start % 28:02d}"
        end = (
            None
            if start is None
            else f"2022-{1 + (start + length) // 28:02d}-{1 + (start + length) % 28:02d}"
        )
        area = draw(st.sampled_from([(), ("UA.KK",), ("UA.KV",)]))
        rows.append(row(f"i{i}", at=(49.9, 36.2) if area else None, dates=(text, end), areas=area))
    presences = []
    for j in range(draw(st.integers(0, 5))):
        first, last = draw(BOUND), draw(BOUND)
        if first is not None and last is not None and last < first:
            first, last = last, first
        base = day("2022-01-01")
        presences.append(Presence(
            f"p{j}", f"u{draw(st.integers(0, 2))}", "Unit",
            area=draw(st.sampled_from(["UA.KK", "UA.KV"])),
            day_from=None if first is None else base + first,
            day_to=None if last is None else base + last,
        ))  # fmt: skip
    return rows, presences


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_never_both_inside_and_possibly_and_inside_lies_within_a_presence(
    scenario: tuple[list[Row], list[Presence]],
) -> None:
    rows, presences = scenario
    frame = frame_of(rows, NAMES)
    outcome = link_units(frame, presences)
    position = {str(frame.ids[i]): i for i in range(len(frame))}
    undated = {str(frame.ids[i]) for i in outcome.undated}
    for found in outcome.rows:
        inside, possibly = set(ids(found["incidents"])), set(ids(found["possibly"]))
        assert not inside & possibly and not (inside | possibly) & undated
        mine = [p for p in presences if p.unit_id == found["unit_id"]]
        for ident in inside | possibly:
            i = position[ident]
            start, end = int(frame.day_from[i]), int(frame.day_to[i])
            here = [p for p in mine if p.area in frame.areas.of(i)]
            overlapping = [p for p in here if p.span[0] <= end and start <= p.span[1]]
            assert overlapping, "a linked incident overlaps a presence in its place"
            within = any(p.span[0] <= start and end <= p.span[1] for p in here)
            assert within == (ident in inside)
