"""Protected objects: categories follow the target vocabulary's tree; counts and shares by area and
month, and the HRL-style summary, agree with a plain Python reference."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from testament.analysis import protected
from testament.analysis.frame import Row, day_number, frame_of
from testament.errors import InvalidInput

NAMES = {f"A{i}": f"Area {i}" for i in range(7)}


def row(name: str, area: str | None, targets: tuple[str, ...], day: str = "2022-10-10",
        until: str | None = None) -> Row:  # fmt: skip
    return Row(name, None, 50.0, 36.0, day or None, until or day or None, "day", "[]",
               json.dumps(list(targets)), "[]", (area,) if area else ())  # fmt: skip


def ids(refs: list[dict[str, str]]) -> list[str]:
    return [r["id"] for r in refs]


def test_a_category_covers_its_code_and_every_term_below_it() -> None:
    found = protected.expand(["healthcare", "education"])
    assert found["healthcare"] == {"healthcare", "hospital", "clinic", "ambulance"}
    assert {"school", "childcare", "education"} <= found["education"]
    assert list(protected.expand(())) == list(protected.CATEGORIES)
    assert "power-plant" in protected.expand(["energy"])["energy"]


def test_an_unknown_category_is_refused_naming_the_valid_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        protected.expand(["hospitals"])
    assert caught.value.where == "--category"
    assert "healthcare, education, cultural" in str(caught.value.hint)


def test_rows_by_area_and_month_with_shares_and_the_summary() -> None:
    rows = [
        row("h1", "A1", ("hospital",)), row("h2", "A1", ("clinic", "school")),
        row("r1", "A1", ("residential",)), row("r2", "A1", ()),
        row("s1", "A2", ("school",), "2022-11-02"), row("sea", None, ("hospital",)),
        row("month", "A2", ("power-plant",), "2022-11-01", "2022-11-30"),
        row("vague", "A2", ("hospital",), "2022-10-01", "2022-11-30"),
    ]  # fmt: skip
    found = protected.protected(frame_of(rows, NAMES), protected.expand(()))
    by_key = {(r["area"], r["month"]): r for r in found.rows}
    october = by_key[("Area 1", "2022-10")]
    assert (october["count"], october["all"], october["share"]) == (2, 4, 0.5)
    assert october["categories"] == {"healthcare": 2, "education": 1}
    assert ids(october["incidents"]) == ["h1", "h2"]
    assert by_key[("Area 2", "2022-11")]["count"] == 2
    assert set(by_key) == {("Area 1", "2022-10"), ("Area 2", "2022-11")}
    summary = found.extra["summary"]
    assert (summary["total"], summary["areas"], summary["all_incidents"]) == (5, 2, 7)
    assert summary["top_share"] == 1.0
    assert summary["sentence"].startswith("5 attack(s) on protected objects across 2 area(s)")
    area_two = next(a for a in found.extra["areas"] if a["area_code"] == "A2")
    assert (area_two["count"], area_two["share_of_protected"]) == (3, 0.6), "whatever the month"
    assert ids([{"id": rows[i].id} for i in found.unplaced.tolist()]) == ["sea"]
    assert [rows[i].id for i in found.undated.tolist()] == ["vague"]


def test_a_period_leaves_out_what_lies_outside_and_lists_what_straddles_it() -> None:
    rows = [row("in", "A1", ("hospital",)), row("before", "A1", ("hospital",), "2022-09-01"),
            row("edge", "A1", ("hospital",), "2022-09-25", "2022-10-05"),
            row("unknown", "A1", ("hospital",), "")]  # fmt: skip
    start, end = day_number("2022-10-01"), day_number("2022-10-31")
    found = protected.protected(
        frame_of(rows, NAMES), protected.expand(["healthcare"]), day_from=start, day_to=end
    )
    assert found.extra["summary"]["total"] == 1
    assert sorted(rows[i].id for i in found.undated.tolist()) == ["edge", "unknown"]


def test_no_incidents_make_an_empty_summary() -> None:
    found = protected.protected(frame_of([], NAMES), protected.expand(()))
    assert found.rows == [] and found.extra["summary"]["total"] == 0
    assert found.extra["summary"]["sentence"] == "no attacks on protected objects"


TARGETS = ("hospital", "school", "residential", "power-plant", "shop", "museum")


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([None, *NAMES]), st.sets(st.sampled_from(TARGETS))),
                max_size=60))  # fmt: skip
def test_summary_agrees_with_a_plain_reference(found: list[tuple[str | None, set[str]]]) -> None:
    rows = [row(f"i{k}", area, tuple(sorted(t))) for k, (area, t) in enumerate(found)]
    result = protected.protected(frame_of(rows, NAMES), protected.expand(()))
    covered = set().union(*protected.expand(()).values())
    hits = Counter(area for area, t in found if area and t & covered)
    every = Counter(area for area, _ in found if area)
    summary = result.extra["summary"]
    assert summary["total"] == sum(hits.values())
    assert summary["areas"] == len(hits)
    top = sorted(hits.items(), key=lambda kv: (-kv[1], NAMES[kv[0]]))[:5]
    assert [(a["area_code"], a["count"]) for a in summary["top"]] == top
    for area in result.extra["areas"]:
        assert area["all"] == every[area["area_code"]]
    assert sum(r["count"] for r in result.rows) == sum(hits.values())
