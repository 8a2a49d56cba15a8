"""The patterns figures: pure (rows in, bytes out), deterministic, text kept as text (Cyrillic
included), every bar, segment and node a link to the selection it stands for, opening in the page
around the figure's frame."""

from __future__ import annotations

from typing import Any

import pytest
from defusedxml import ElementTree
from hypothesis import given, settings
from hypothesis import strategies as st

from testament.patterns import figures

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
ROWS = [
    {"month": "2022-03", "type": "shelling", "count": 3},
    {"month": "2022-04", "type": "shelling", "count": 1},
    {"month": "2022-03", "type": "air-strike", "count": 2},
    {"month": "2022-04", "type": None, "count": 1},
]
AREAS = [
    {"area": "Харківська", "area_code": "UA63", "month": "2022-03", "count": 2},
    {"area": "Херсонська", "area_code": "UA65", "month": "2022-04", "count": 1},
]
GRAPH = {
    "nodes": [
        {"id": "unit:u1", "kind": "unit", "label": "1-ша бригада"},
        {"id": "area:UA63", "kind": "area", "label": "Харківська", "area_code": "UA63"},
        {"id": "point:1,2,50", "kind": "point", "label": "1, 2 (50 m)"},
    ],
    "edges": [
        {"source": "area:UA63", "target": "unit:u1", "kind": "presence", "weight": 2},
        {"source": "point:1,2,50", "target": "unit:u1", "kind": "presence", "weight": 0},
    ],
}


def link(chosen: Any) -> str:
    return "/p?" + "&".join(f"{k}={v}" for k, v in sorted(chosen.items()))


def anchors(svg: bytes) -> list[dict[str, str]]:
    return [a.attrib for a in ElementTree.fromstring(svg).iter(f"{SVG}a")]


def test_timeline_segments_link_their_period_and_value() -> None:
    drawn = figures.timeline(ROWS, period="month", stack="type", title="t", link=link)
    found = anchors(drawn)
    assert {a[XLINK] for a in found} == {
        "/p?month=2022-03&type=shelling", "/p?month=2022-04&type=shelling",
        "/p?month=2022-03&type=air-strike",
    }  # fmt: skip
    assert all(a["target"] == "_top" for a in found)  # no link for "none": the list cannot name it


def test_small_multiples_link_an_area_and_a_period() -> None:
    drawn = figures.small_multiples(AREAS, period="month", title="Області", link=link)
    assert {a[XLINK] for a in anchors(drawn)} == {
        "/p?area=UA63&month=2022-03",
        "/p?area=UA65&month=2022-04",
    }
    assert "Харківська".encode() in drawn and "Області".encode() in drawn


def test_bars_link_their_value() -> None:
    drawn = figures.bars(AREAS, key="area", title="t", link=link)
    assert {a[XLINK] for a in anchors(drawn)} == {"/p?area=UA63", "/p?area=UA65"}


def test_network_nodes_link_units_and_areas() -> None:
    drawn = figures.network(GRAPH, title="t", link=link)
    assert {a[XLINK] for a in anchors(drawn)} == {"/p?unit=u1", "/p?area=UA63"}
    assert "1-ша бригада".encode() in drawn
    assert figures.network(GRAPH, title="t", link=link) == drawn


def test_png_and_empty_figures() -> None:
    assert figures.timeline([], period="week", stack="target", title="t", fmt="png").startswith(
        b"\x89PNG"
    )
    ElementTree.fromstring(figures.network({"nodes": [], "edges": []}, title="t"))
    with pytest.raises(ValueError, match="svg or png"):
        figures.bars(AREAS, key="area", title="t", fmt="gif")


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["2022-01", "2022-02", "2022-03"]),
                  st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", None]),
                  st.integers(1, 50)),
        max_size=30,
    )
)  # fmt: skip
def test_the_same_rows_give_the_same_bytes(cells: list[tuple[str, str | None, int]]) -> None:
    rows = [{"month": m, "type": t, "count": n} for m, t, n in cells]
    first = figures.timeline(rows, period="month", stack="type", title="t", link=link)
    assert figures.timeline(rows, period="month", stack="type", title="t", link=link) == first
    assert b"<dc:date>" not in first
    # Nine or more series: the smallest are drawn together as "other", which links nowhere.
    assert all("type=None" not in a[XLINK] for a in anchors(first))
