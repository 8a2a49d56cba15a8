"""A case's incidents on a timeline: each dated incident as its first and last day, in columns.

The case page's timeline (``static/timeline.js``) draws them on a canvas: an incident known to the day as
a point, one known only to the month or the year, or as a range between two days, as a range. The
columns are day numbers (days since 1970-01-01), so 100,000 incidents travel as a few hundred kilobytes
of JSON and the page draws them without parsing a single date. The incidents are narrowed as the list is
(status, label, an area drawn on the map) but never by dates: the timeline shows the whole case, and the
dates chosen on it are the brush.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from testament.custody import policy
from testament.custody.instance import Instance
from testament.documentation import repository
from testament.documentation.incidents import ListFilter
from testament.domain.access import Action
from testament.domain.results import Result
from testament.storage.engine import read_transaction

EPOCH = date(1970, 1, 1).toordinal()
POINT_PRECISIONS = frozenset({"exact", "day"})  # a date known to the day: drawn as a point


@dataclass(frozen=True)
class TimelineSpans(Result):
    """A case's dated incidents as columns: ``start`` and ``end`` are days since 1970-01-01 (the first
    and last possible day), ``vague`` is 1 where the date is a month, a year, a range or an estimate
    (drawn as a range) and 0 where it is a day. ``undated`` counts the incidents with no date."""

    start: list[int]
    end: list[int]
    vague: list[int]
    undated: int

    def as_json(self) -> dict[str, Any]:
        # Plain lists of integers already: walking 300k of them again would only cost time.
        return {"start": self.start, "end": self.end, "vague": self.vague, "undated": self.undated}


def day_number(text: str) -> int:
    """``YYYY-MM-DD`` as days since 1970-01-01."""
    return date.fromisoformat(text[:10]).toordinal() - EPOCH


def spans(instance: Instance, case_name: str, only: ListFilter | None = None) -> TimelineSpans:
    """The case's dated incidents, narrowed as ``only`` says (its dates left out), oldest first."""
    wanted = (only or ListFilter()).check()
    region, narrowed = wanted.region(), wanted.narrowed(dates=False)
    with read_transaction(instance.engine) as conn:
        cid = str(policy.require(conn, instance, Action.READ, case=case_name))
        rows = repository.incident_spans(conn, cid, narrowed)
    if region is not None and region.corners:  # the box found the candidates; the outline decides
        lon = [float("nan") if r[3] is None else r[3] for r in rows]
        lat = [float("nan") if r[4] is None else r[4] for r in rows]
        rows = [r for r, keep in zip(rows, region.contains(lon, lat).tolist(), strict=True) if keep]
    undated = sum(1 for r in rows if not r[0])
    rows = sorted((r for r in rows if r[0]), key=lambda r: str(r[0]))
    start = [day_number(r[0]) for r in rows]
    end = [day_number(r[1]) if r[1] else s for r, s in zip(rows, start, strict=True)]
    vague = [
        0 if r[2] in POINT_PRECISIONS and s == e else 1
        for r, s, e in zip(rows, start, end, strict=True)
    ]
    return TimelineSpans(start, end, vague, undated)
