"""Spikes: the area-days with at least N incidents, and those above F times the rolling median of
the D days before, days with no incident counting as 0; against a plain Python reference."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from testament.analysis import spikes
from testament.analysis.frame import IncidentFrame, Row, frame_of
from testament.errors import InvalidInput

NAMES = {"UA63": "Kharkiv", "UA65": "Kherson", "UA80": "Kyiv"}
DAY0 = date(2022, 3, 1)


def row(name: str, day: str, areas: tuple[str, ...] = ("UA63",), until: str | None = None) -> Row:
    precision = "day" if until is None else "month"
    return Row(name, None, 50.0, 36.0, day or None, until or day or None,
               precision if day else "estimate", "[]", "[]", "[]", areas)  # fmt: skip


def on(offset: int) -> str:
    return (DAY0 + timedelta(days=offset)).isoformat()


def frame(rows: list[Row]) -> IncidentFrame:
    return frame_of(rows, NAMES)


def test_area_days_with_at_least_n_incidents_list_unplaced_and_undated() -> None:
    rows = [row(f"k{i}", on(0)) for i in range(3)] + [
        row("k3", on(1)), row("border", on(0), ("UA63", "UA65")), row("s1", on(0), ("UA65",)),
        row("sea", on(0), ()), row("march", "2022-03-01", until="2022-03-31"), row("none", ""),
    ]  # fmt: skip
    found = spikes.spikes(frame(rows), min_count=2)
    assert [(r["area"], r["area_code"], r["day"], r["count"]) for r in found.rows] == [
        ("Kharkiv", "UA63", "2022-03-01", 4), ("Kherson", "UA65", "2022-03-01", 2),
    ]  # fmt: skip
    assert [i["id"] for i in found.rows[0]["incidents"]] == ["k0", "k1", "k2", "border"]
    f = frame(rows)
    assert [f.ids[i] for i in found.unplaced] == ["sea"]
    assert [f.ids[i] for i in found.undated] == ["march", "none"], "never a spike on the 1st"
    assert "baseline_rule" not in found.extra


def test_without_areas_and_by_week_or_month() -> None:
    rows = [row("a", on(0)), row("b", on(1), ()), row("c", on(7)),
            row("march", "2022-03-01", until="2022-03-31")]  # fmt: skip
    whole = spikes.spikes(frame(rows), by_area=False, period="week", min_count=2)
    assert [(r["week"], r["count"], "area" in r) for r in whole.rows] == [("2022-W09", 2, False)]
    assert list(whole.unplaced) == []
    month = spikes.spikes(frame(rows), by_area=False, period="month", min_count=1)
    assert [(r["month"], r["count"]) for r in month.rows] == [("2022-03", 4)]


def test_a_baseline_flags_days_above_the_factor_times_the_median_of_the_days_before() -> None:
    rows = [row(f"a{d}", on(d)) for d in range(10)]  # one a day in Kharkiv
    rows += [row(f"spike{i}", on(10)) for i in range(4)] + [row("a10", on(10))]  # 5 on day 10
    rows += [row("quiet", on(0), ("UA65",)), row("late", on(9), ("UA65",))]  # Kherson: 0s between
    found = spikes.spikes(frame(rows), min_count=1, baseline_days=7, factor=2)
    table = {(r["area_code"], r["day"]): r for r in found.rows}
    first = table["UA63", on(0)]
    assert (first["baseline"], first["history_days"], first["flagged"]) == (None, 0, False)
    assert (table["UA63", on(3)]["baseline"], table["UA63", on(3)]["history_days"]) == (1.0, 3)
    assert (table["UA63", on(10)]["baseline"], table["UA63", on(10)]["flagged"]) == (1.0, True)
    assert not table["UA63", on(9)]["flagged"]
    late = table["UA65", on(9)]
    assert (late["baseline"], late["flagged"]) == (0.0, True), "days with no incident count as 0"
    assert "counting as 0" in found.extra["baseline_rule"]
    assert [(r["day"], r["area"]) for r in found.rows][:2] == [
        (on(0), "Kharkiv"),
        (on(0), "Kherson"),
    ]


def reference(
    rows: list[Row], min_count: int, days: int | None, factor: float | None
) -> list[tuple[str, str, int, float | None, bool | None]]:
    """Area-days and baselines computed directly from the rows, one day at a time."""
    counts: Counter[tuple[str, str]] = Counter()
    for r in rows:
        if r.occurred_from and r.occurred_from == r.occurred_to:
            for area in r.areas:
                counts[area, r.occurred_from] += 1
    dated = [r.occurred_from for r in rows if r.occurred_from and r.occurred_from == r.occurred_to]
    start = date.fromisoformat(min(dated)) if dated else DAY0
    found = []
    for (area, day), n in sorted(counts.items(), key=lambda kv: (kv[0][1], NAMES[kv[0][0]])):
        if n < min_count:
            continue
        if days is None or factor is None:
            found.append((area, day, n, None, None))
            continue
        today = date.fromisoformat(day)
        window = [counts[area, (today - timedelta(days=k)).isoformat()] for k in range(1, days + 1)
                  if today - timedelta(days=k) >= start]  # fmt: skip
        median = statistics.median(window) if window else None
        found.append((area, day, n, median, bool(window) and n > factor * median))  # type: ignore[operator]
    return found


@st.composite
def random_rows(draw: st.DrawFn) -> list[Row]:
    found = []
    for i in range(draw(st.integers(0, 60))):
        areas = draw(st.sampled_from([("UA63",), ("UA65",), ("UA80",), ("UA63", "UA65"), ()]))
        if draw(st.integers(0, 9)) == 0:
            found.append(row(f"m{i:03d}", "2022-03-01", areas, until="2022-03-31"))
        else:
            found.append(row(f"i{i:03d}", on(draw(st.integers(0, 20))), areas))
    return found


@settings(max_examples=150, deadline=None)
@given(
    rows=random_rows(), min_count=st.integers(1, 4),
    baseline=st.one_of(st.none(), st.tuples(st.integers(1, 9), st.sampled_from([0.5, 1, 2.5]))),
)  # fmt: skip
def test_spikes_agree_with_a_day_by_day_reference(
    rows: list[Row], min_count: int, baseline: tuple[int, float] | None
) -> None:
    days, factor = baseline if baseline else (None, None)
    found = spikes.spikes(frame(rows), min_count=min_count, baseline_days=days, factor=factor)
    got = [(r["area_code"], r["day"], r["count"], r.get("baseline"), r.get("flagged"))
           for r in found.rows]  # fmt: skip
    assert got == reference(rows, min_count, days, factor)


@pytest.mark.parametrize(("given", "option"), [
    ({"min_count": 0}, "--min-count"), ({"min_count": -3}, "--min-count"),
    ({"baseline_days": 0, "factor": 2.0}, "--baseline-days"),
    ({"baseline_days": 7, "factor": 0.0}, "--factor"),
    ({"baseline_days": 7, "factor": -1.0}, "--factor"),
    ({"baseline_days": 7}, "--factor"), ({"factor": 2.0}, "--baseline-days"),
    ({"period": "week", "baseline_days": 7, "factor": 2.0}, "--baseline-days"),
    ({"period": "year"}, "--period"),
])  # fmt: skip
def test_bad_parameters_are_refused_naming_the_option(given: dict, option: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InvalidInput) as caught:
        spikes.spikes(frame([row("a", on(0))]), **{"min_count": 1, **given})
    assert caught.value.where == option


def test_no_incidents_answer_empty() -> None:
    found = spikes.spikes(frame([]), min_count=1, baseline_days=3, factor=2)
    assert found.rows == [] and list(found.unplaced) == [] and list(found.undated) == []
