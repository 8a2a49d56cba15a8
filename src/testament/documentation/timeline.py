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

import numpy as np

from testament.analysis import regions
from testament.custody import policy
from testament.custody.instance import Instance
from testament.documentation import repository
from testament.documentation.incidents import ListFilter
from testament.documentation.kept import Kept
from testament.domain.access import Action
from testament.domain.results import Result
from testament.ledger import log
from testament.storage.engine import read_transaction

EPOCH = date(1970, 1, 1).toordinal()
KEPT = 16  # answers kept in memory (each about 2 MB at 100k incidents)
_KEPT: Kept[TimelineSpans] = Kept(KEPT)


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
    """The case's dated incidents, narrowed as ``only`` says (its dates left out), oldest first.

    The answer is kept for the same case, filter and custody log size: every change to an incident is a
    custody event, so a longer log means a fresh answer, and choosing dates on the timeline (which
    reloads the page) does not read 100,000 incidents again.
    """
    wanted = (only or ListFilter()).check()
    region, narrowed = wanted.region(), wanted.narrowed(dates=False)
    polygon = region is not None and bool(region.corners)
    with read_transaction(instance.engine) as conn:
        cid = str(policy.require(conn, instance, Action.READ, case=case_name))
        key = (str(instance.engine.url), cid, narrowed, wanted.polygon, log.size(conn))
        kept = _KEPT.get(key)
        if kept is not None:
            return kept
        rows = repository.incident_spans(conn, cid, narrowed, points=polygon)
    return _KEPT.put(key, _columns(rows, region if polygon else None))


def _columns(rows: list[Any], polygon: regions.Region | None) -> TimelineSpans:
    """The rows inside the polygon (if any) as columns sorted by their first day."""
    if polygon is not None:  # the box found the candidates; the outline decides
        lon = [float("nan") if r[3] is None else r[3] for r in rows]
        lat = [float("nan") if r[4] is None else r[4] for r in rows]
        rows = [
            r for r, keep in zip(rows, polygon.contains(lon, lat).tolist(), strict=True) if keep
        ]
    dated = [r for r in rows if r[0] is not None]
    if not dated:
        return TimelineSpans([], [], [], len(rows))
    columns = np.array([r[:3] for r in dated], dtype=np.int64)
    columns = columns[np.argsort(columns[:, 0], kind="stable")]
    start, end, vague = (columns[:, n].tolist() for n in range(3))
    return TimelineSpans(start, end, vague, len(rows) - len(dated))
