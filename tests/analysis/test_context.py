"""Context evidence: each figure (count, areas, span, months, weeks, recurring patterns) agrees with a
plain reading of the incidents and names the incidents behind it."""

from __future__ import annotations

import json

import pytest

from testament.analysis import context
from testament.analysis.frame import Row, frame_of
from testament.errors import InvalidInput

NAMES = {"A1": "Area 1", "A2": "Area 2", "A3": "Area 3", "A4": "Area 4"}


def row(name: str, area: str | None, day: str | None, *, types: tuple[str, ...] = ("shelling",),
        targets: tuple[str, ...] = ("residential",), until: str | None = None) -> Row:  # fmt: skip
    return Row(name, None, 50.0, 36.0, day, until or day, "day", json.dumps(list(types)),
               json.dumps(list(targets)), '["artillery"]', (area,) if area else ())  # fmt: skip


def ids(refs: list[dict[str, str]]) -> list[str]:
    return [r["id"] for r in refs]


def test_the_figures_of_a_widespread_or_systematic_attack() -> None:
    rows = [
        row("a", "A1", "2022-03-01"), row("b", "A2", "2022-03-20"), row("c", "A2", "2022-05-02"),
        row("d", "A1", "2022-04-01", types=("air-strike",), targets=("hospital",)),
        row("m", "A1", "2022-06-01", until="2022-06-30"), row("sea", None, "2022-03-01"),
        row("none", "A1", None),
    ]  # fmt: skip
    found = context.context(frame_of(rows, NAMES), top=2)
    figures = {r["figure"]: r for r in found.rows if r["figure"] != "pattern"}
    assert figures["incidents"]["value"] == 7
    assert (figures["areas"]["value"], figures["areas"]["of"], figures["areas"]["share"]) == (
        2,
        4,
        0.5,
    )
    assert "sea" not in ids(figures["areas"]["incidents"])
    span = figures["span"]
    assert (span["first"], span["last"], span["days"]) == ("2022-03-01", "2022-06-30", 122)
    assert ids(span["incidents"]) == ["a", "m"]
    assert figures["months"]["value"] == 4  # March, April, May, June
    assert "m" in ids(figures["months"]["incidents"])
    assert figures["weeks"]["value"] == 4 and "m" not in ids(figures["weeks"]["incidents"])
    patterns = [r for r in found.rows if r["figure"] == "pattern"]
    assert len(patterns) == 2
    first = patterns[0]
    assert (first["type"], first["target"], first["weapon"], first["value"]) == (
        "shelling", "residential", "artillery", 6,
    )  # fmt: skip
    assert (first["areas"], first["months"]) == (2, 3)
    assert [rows[i].id for i in found.unplaced.tolist()] == ["sea"]
    assert [rows[i].id for i in found.undated.tolist()] == ["none"]
    assert [m["month"] for m in found.extra["months"]] == [
        "2022-03",
        "2022-04",
        "2022-05",
        "2022-06",
    ]


def test_no_incidents_give_zero_figures() -> None:
    found = context.context(frame_of([], NAMES))
    assert [r["figure"] for r in found.rows] == ["incidents", "areas", "span", "months", "weeks"]
    assert all(r.get("value", 0) == 0 for r in found.rows)


def test_top_below_one_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        context.context(frame_of([], NAMES), top=0)
    assert caught.value.where == "--top"
