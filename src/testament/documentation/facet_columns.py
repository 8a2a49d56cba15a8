"""A case's incidents narrowed by facets and dates in memory, from compact columns (docs/search.md,
"Facets").

The stored counts answer the list not narrowed and narrowed by one value. Any other narrowing (two
values, a date range, a label, an assignee) would group every narrowed incident's facet rows in SQL,
about 10 µs an incident: 1.7 s for 64,000. Here the case's facet rows are read once into numpy columns:
each live incident is a position in the list's date order, each (facet, value) a run of positions. A
narrowing is then a boolean mask over the positions, its total a ``count_nonzero``, its page the
positions at the page's offset, and every value's count one ``bincount`` of the masked facet rows.

The columns are kept (:mod:`testament.documentation.kept`) for the database, the case and the custody
log's size: every write to an incident, its facets or a review assignment is a custody event, so a
longer log builds them afresh. Only derived data of one case is kept under its key, for a few cases.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection

from testament.documentation import facet_queries
from testament.documentation.facet_queries import Narrowing
from testament.documentation.kept import Kept
from testament.ledger import log
from testament.search.query import date_upper_bound

KEPT = 4  # cases kept (about 26 MB each at 100k incidents)
Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Columns:
    """A case's live incidents as columns. ``ids``, ``start``, ``end`` (ISO text, ``""`` where none) and
    ``labels`` (an index into ``sensitivities``, the distinct stored texts) are in the list's order;
    ``positions`` holds each facet row's incident position, grouped by value: value ``n``'s rows are
    ``positions[bounds[n]:bounds[n + 1]]``, and ``codes`` is each row's value number."""

    ids: list[str]
    start: npt.NDArray[Any]
    end: npt.NDArray[Any]
    dated: Mask
    sensitivities: list[str]
    labels: npt.NDArray[np.intp]
    values: list[tuple[str, str]]
    numbers: dict[tuple[str, str], int]
    positions: npt.NDArray[np.intp]
    codes: npt.NDArray[np.intp]
    bounds: npt.NDArray[np.intp]


_KEPT: Kept[Columns] = Kept(KEPT)


def of_case(conn: Connection, engine_url: str, case_id: str) -> Columns:
    """The case's columns, read again only when the custody log has grown (the caller has checked
    that the reader may read the case)."""
    key = (engine_url, case_id, log.size(conn))
    kept = _KEPT.get(key)
    return kept if kept is not None else _KEPT.put(key, build(conn, case_id))


def build(conn: Connection, case_id: str) -> Columns:
    """The case's columns, read from its incidents, facet rows and assignments."""
    live = facet_queries.live_in_date_order(conn, case_id)
    ids = [r[0] for r in live]
    where = {incident: n for n, incident in enumerate(ids)}
    sensitivities = sorted({r[3] for r in live})
    label_of = {text: n for n, text in enumerate(sensitivities)}
    values: list[tuple[str, str]] = []
    runs: list[list[int]] = []
    for facet, value, incidents in facet_queries.facet_rows(conn, case_id):
        run = [at for at in map(where.get, incidents) if at is not None]
        if run:
            values.append((facet, value))
            runs.append(run)
    sizes = np.array([len(run) for run in runs], dtype=np.intp)
    bounds = np.zeros(len(runs) + 1, dtype=np.intp)
    np.cumsum(sizes, out=bounds[1:])
    return Columns(
        ids=ids,
        start=np.array([r[1] or "" for r in live], dtype=str),
        end=np.array([r[2] or "" for r in live], dtype=str),
        dated=np.array([r[1] is not None for r in live], dtype=np.bool_),
        sensitivities=sensitivities,
        labels=np.array([label_of[r[3]] for r in live], dtype=np.intp),
        values=values,
        numbers={pair: n for n, pair in enumerate(values)},
        positions=np.fromiter(itertools.chain.from_iterable(runs), np.intp, int(bounds[-1])),
        codes=np.repeat(np.arange(len(runs), dtype=np.intp), sizes),
        bounds=bounds,
    )


def kept_by(columns: Columns, only: Narrowing) -> Mask:
    """Which positions ``only`` keeps: every value chosen held, the date range overlapped (as the SQL
    compares the stored texts), the label among the incident's."""
    keep = np.ones(len(columns.ids), dtype=np.bool_)
    if only.date_from:
        keep &= columns.end >= only.date_from  # no last day: "" is before every date
    if only.date_to:
        keep &= columns.dated & (columns.start < date_upper_bound(only.date_to))
    if only.label:
        needle = json.dumps(only.label)
        labelled = np.array([needle in text for text in columns.sensitivities], dtype=np.bool_)
        keep &= labelled[columns.labels]
    for pair in only.chosen:
        number = columns.numbers.get(pair)
        if number is None:
            return np.zeros(len(columns.ids), dtype=np.bool_)
        having = np.zeros(len(columns.ids), dtype=np.bool_)
        having[columns.positions[columns.bounds[number] : columns.bounds[number + 1]]] = True
        keep &= having
    return keep


def counted(columns: Columns, keep: Mask) -> list[tuple[str, str, int]]:
    """(facet, value, incidents) for every value held by the kept incidents."""
    held = keep[columns.positions]
    found = np.bincount(columns.codes[held], minlength=len(columns.values)).tolist()
    return [(f, v, n) for (f, v), n in zip(columns.values, found, strict=True) if n]


def page(columns: Columns, keep: Mask, *, limit: int, offset: int) -> tuple[int, list[str]]:
    """How many incidents are kept, and the IDs of the page at ``offset``, in the list's order."""
    kept = np.flatnonzero(keep)
    return int(kept.size), [columns.ids[n] for n in kept[offset : offset + limit].tolist()]


def forget() -> None:
    """Drop every kept case's columns (the benchmark's cold reads)."""
    _KEPT.clear()
