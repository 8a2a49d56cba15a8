"""Evidence for the contextual element of crimes against humanity: a "widespread or systematic"
attack (CTX-CAH; docs/patterns.md, "Context evidence").

Pure: no database. *Widespread* speaks to scale: how many incidents, across how many areas (and what
part of every loaded area), over how long. *Systematic* speaks to organisation: the same pattern (type,
target and weapon) recurring across places and months. Each figure is a row naming the incidents
behind it, so that a reader can check every number; these are figures for an analyst or a court to
weigh, never a finding.

An incident counts once under each (type, target, weapon) combination it carries, with ``None`` for
a field it has no value in. Months and weeks active count the periods holding an incident dated to
that month or week; an incident with no date at all is undated, and one in no area unplaced (for the
areas figure only).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from testament.analysis import counts as counting
from testament.analysis import periods
from testament.analysis.frame import NO_DAY, IncidentFrame, day_text
from testament.analysis.outcome import Outcome, positions, references
from testament.errors import InvalidInput

PATTERN = ("type", "target", "weapon")


def _periods(frame: IncidentFrame, period: str) -> list[dict[str, Any]]:
    """The periods holding an incident dated to them, in order, each with its incidents."""
    dated, keys = periods.bucket(frame, period)
    where = np.flatnonzero(dated)
    order = where[np.lexsort((where, keys[where]))]
    if order.size == 0:
        return []
    sorted_keys = keys[order]
    starts = np.flatnonzero(np.diff(sorted_keys, prepend=sorted_keys[:1] - 1))
    return [
        {period: periods.label(period, int(sorted_keys[start])), "count": int(members.size),
         "incidents": references(frame, members.tolist())}
        for start, members in zip(starts.tolist(), np.split(order, starts[1:]), strict=True)
    ]  # fmt: skip


def _per_area(frame: IncidentFrame) -> list[dict[str, Any]]:
    return [
        {"area": r["area"], "area_code": r["area_code"], "count": r["count"],
         "incidents": r["incidents"]}
        for r in counting.count(frame, ["area"]).rows
    ]  # fmt: skip


def _span(frame: IncidentFrame) -> dict[str, Any]:
    known = np.flatnonzero((frame.day_from != NO_DAY) & (frame.day_to != NO_DAY))
    if known.size == 0:
        return {"figure": "span", "first": None, "last": None, "days": 0, "incidents": []}
    first = known[np.argmin(frame.day_from[known])]
    last = known[np.argmax(frame.day_to[known])]
    days = int(frame.day_to[last]) - int(frame.day_from[first]) + 1
    return {
        "figure": "span", "first": day_text(int(frame.day_from[first])),
        "last": day_text(int(frame.day_to[last])), "days": days,
        "incidents": references(frame, sorted({int(first), int(last)})),
    }  # fmt: skip


def _patterns(frame: IncidentFrame, top: int) -> list[dict[str, Any]]:
    """The (type, target, weapon) patterns carried by most incidents, with the areas and months
    they recur in."""
    rows = counting.count(frame, list(PATTERN)).rows[:top]
    index = {str(ident): i for i, ident in enumerate(frame.ids.tolist())}
    dated, month = periods.bucket(frame, "month")
    found = []
    for row in rows:
        members = np.array([index[r["id"]] for r in row["incidents"]], dtype=np.int64)
        areas = {frame.areas.labels[c] for i in members.tolist()
                 for c in frame.areas.codes[frame.areas.offsets[i]:frame.areas.offsets[i + 1]]}  # fmt: skip
        months = np.unique(month[members[dated[members]]])
        found.append({
            "figure": "pattern", **{key: row[key] for key in PATTERN}, "value": row["count"],
            "areas": len(areas), "months": int(months.size), "incidents": row["incidents"],
        })  # fmt: skip
    return found


def _all(mask: NDArray[np.bool_]) -> list[int]:
    return np.flatnonzero(mask).tolist()


def check_top(top: int) -> None:
    if top < 1:
        raise InvalidInput(
            f"{top} patterns cannot be shown", where="--top", hint="give 1 or more",
            errors={"top": "1 or more"},
        )  # fmt: skip


def context(frame: IncidentFrame, *, top: int = 10) -> Outcome:
    """The figures, each a row with its incidents; ``areas``, ``months`` and ``weeks`` break them down."""
    check_top(top)
    in_area = frame.in_an_area()
    loaded = len(frame.area_names)
    areas, months, weeks = _per_area(frame), _periods(frame, "month"), _periods(frame, "week")
    rows: list[dict[str, Any]] = [
        {"figure": "incidents", "value": len(frame), "incidents": references(frame, range(len(frame)))},
        {"figure": "areas", "value": len(areas), "of": loaded,
         "share": round(len(areas) / loaded, 4) if loaded else None,
         "incidents": references(frame, _all(in_area))},
        _span(frame),
        {"figure": "months", "value": len(months),
         "incidents": references(frame, _all(periods.bucket(frame, "month")[0]))},
        {"figure": "weeks", "value": len(weeks),
         "incidents": references(frame, _all(periods.bucket(frame, "week")[0]))},
        *_patterns(frame, top),
    ]  # fmt: skip
    undated = (frame.day_from == NO_DAY) | (frame.day_to == NO_DAY)
    extra = {"areas": areas, "months": months, "weeks": weeks}
    return Outcome(rows, positions(~in_area), positions(undated), extra)
