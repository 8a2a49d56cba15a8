"""Attacks on protected objects by area and month, as counts and shares, with the five areas holding
the largest share (docs/patterns.md, "Protected objects").

Pure: no database. A protected category is a term of the target vocabulary
(``target-object-types``) and every term below it, as the taxonomy nests them (``healthcare`` takes
``hospital``, ``clinic`` and ``ambulance``), so a new term under ``energy`` counts as energy without
a change here. An incident is protected when any of its targets falls in a category asked for; it
counts once however many of its targets do.

Shares are of all incidents: a row's ``share`` is its protected incidents over every incident in the
same area and month, and the summary gives each area's part of the protected total, in the form of
the Yale HRL figure ("223 attacks across 17 oblasts, with 53% in five oblasts"). Incidents in no area
are unplaced, and those not dated to one month undated, for the rows; the summary counts an area's
incidents whatever their month. With a period (``--from``, ``--to``), an incident whose dates may lie
outside it is left out, and one whose dates are unknown or straddle its ends is undated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from testament.analysis import periods
from testament.analysis.frame import NO_DAY, IncidentFrame
from testament.analysis.outcome import Outcome, positions, references
from testament.errors import InvalidInput
from testament.taxonomy import loader

VOCABULARY = "target-object-types"
CATEGORIES = (
    "healthcare", "education", "cultural", "religious", "humanitarian", "energy", "water", "food",
)  # fmt: skip
TOP = 5


def expand(categories: Sequence[str]) -> dict[str, frozenset[str]]:
    """Each category and the codes it covers (itself and every term below it in the vocabulary)."""
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        raise InvalidInput(
            f"{unknown[0]!r} is not a protected category", where="--category",
            hint=f"use one of: {', '.join(CATEGORIES)}",
            errors={"category": f"one of: {', '.join(CATEGORIES)}"},
        )  # fmt: skip
    vocabulary = loader.shipped().vocabulary(VOCABULARY)
    terms = vocabulary.terms if vocabulary is not None else ()
    children: dict[str | None, list[str]] = {}
    for term in terms:
        children.setdefault(term.parent, []).append(term.code)
    found: dict[str, frozenset[str]] = {}
    for category in dict.fromkeys(categories or CATEGORIES):
        covered, pending = set(), [category]
        while pending:
            code = pending.pop()
            if code not in covered:
                covered.add(code)
                pending.extend(children.get(code, ()))
        found[category] = frozenset(covered)
    return found


def _matches(frame: IncidentFrame, codes: frozenset[str]) -> NDArray[np.bool_]:
    mask = np.zeros(len(frame), bool)
    for code in codes:
        mask |= frame.targets.has(code)
    return mask


def _period(
    frame: IncidentFrame, day_from: int | None, day_to: int | None
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """(inside, undated): incidents wholly inside the period, and those that cannot be told."""
    n = len(frame)
    if day_from is None and day_to is None:
        return np.ones(n, bool), np.zeros(n, bool)
    start = np.int64(day_from) if day_from is not None else np.iinfo(np.int64).min
    end = np.int64(day_to) if day_to is not None else np.iinfo(np.int64).max
    known = (frame.day_from != NO_DAY) & (frame.day_to != NO_DAY)
    first, last = frame.day_from.astype(np.int64), frame.day_to.astype(np.int64)
    inside = known & (first >= start) & (last <= end)
    outside = known & ((last < start) | (first > end))
    return inside, ~inside & ~outside


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _grouped(
    group: NDArray[np.int64], entry_rows: NDArray[np.int64], hit: NDArray[np.bool_], size: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], list[NDArray[np.int64]]]:
    """Per group of entries: all incidents, protected ones, and the protected incidents (in order)."""
    every = np.bincount(group, minlength=size)
    protected = hit[entry_rows]
    count = np.bincount(group[protected], minlength=size)
    order = np.lexsort((entry_rows[protected], group[protected]))
    rows = entry_rows[protected][order]
    ends = np.cumsum(count)
    members = [rows[end - n : end] for n, end in zip(count.tolist(), ends.tolist(), strict=True)]
    return every, count, members


def _area_rows(
    frame: IncidentFrame, chosen: NDArray[np.bool_], hit: NDArray[np.bool_]
) -> list[dict[str, Any]]:
    """Per area: protected incidents, all incidents, and the area's part of the protected total."""
    rows_of, codes = frame.areas.rows(), frame.areas.codes.astype(np.int64)
    keep = chosen[rows_of]
    labels = frame.areas.labels
    every, count, members = _grouped(codes[keep], rows_of[keep], hit, len(labels))
    total = int((hit & frame.in_an_area()).sum())
    found: list[dict[str, Any]] = [
        {
            "area": frame.name(labels[code]), "area_code": labels[code], "count": int(count[code]),
            "all": int(every[code]), "share": _share(int(count[code]), int(every[code])),
            "share_of_protected": _share(int(count[code]), total),
            "incidents": references(frame, members[code].tolist()),
        }
        for code in np.flatnonzero(count).tolist()
    ]  # fmt: skip
    found.sort(key=lambda r: (-r["count"], r["area"]))
    return found


def _month_rows(
    frame: IncidentFrame, chosen: NDArray[np.bool_], hit: NDArray[np.bool_],
    categories: Mapping[str, NDArray[np.bool_]],
) -> list[dict[str, Any]]:  # fmt: skip
    """Per area and month: protected incidents, all incidents, shares and categories."""
    dated, month = periods.bucket(frame, "month")
    rows_of, codes = frame.areas.rows(), frame.areas.codes.astype(np.int64)
    keep = (dated & chosen)[rows_of]
    entry_rows, entry_codes = rows_of[keep], codes[keep]
    pairs, group = np.unique(
        np.column_stack((entry_codes, month[entry_rows])), axis=0, return_inverse=True
    )
    every, count, members = _grouped(group.ravel(), entry_rows, hit, len(pairs))
    total = int((hit & dated & frame.in_an_area()).sum())
    found = []
    for index in np.flatnonzero(count).tolist():
        code, key = pairs[index].tolist()
        label, hits = frame.areas.labels[code], members[index]
        found.append({
            "area": frame.name(label), "area_code": label, "month": periods.label("month", key),
            "count": int(hits.size), "all": int(every[index]),
            "share": _share(int(hits.size), int(every[index])),
            "share_of_protected": _share(int(hits.size), total),
            "categories": {c: int(m[hits].sum()) for c, m in categories.items() if m[hits].any()},
            "incidents": references(frame, hits.tolist()),
        })  # fmt: skip
    found.sort(key=lambda r: (r["area"], r["month"]))
    return found


def summary(areas: Sequence[Mapping[str, Any]], total: int, every: int) -> dict[str, Any]:
    """The HRL figure: the protected total, the areas it touched, and the five areas holding most."""
    top = list(areas[:TOP])
    held = sum(int(a["count"]) for a in top)
    share = _share(held, total)
    sentence = (
        f"{total} attack(s) on protected objects across {len(areas)} area(s), with "
        f"{round(100 * (share or 0))}% in {len(top)} area(s): {', '.join(a['area'] for a in top)}"
        if total
        else "no attacks on protected objects"
    )
    return {
        "total": total, "all_incidents": every, "share_of_all": _share(total, every),
        "areas": len(areas), "top": [{k: a[k] for k in ("area", "area_code", "count",
                                                         "share_of_protected")} for a in top],
        "top_share": share, "sentence": sentence,
    }  # fmt: skip


def protected(
    frame: IncidentFrame, categories: Mapping[str, frozenset[str]],
    *, day_from: int | None = None, day_to: int | None = None,
) -> Outcome:  # fmt: skip
    """Rows by area and month; ``areas``: by area over the period; ``summary``: the HRL figure."""
    chosen, undated_period = _period(frame, day_from, day_to)
    masks = {name: _matches(frame, codes) & chosen for name, codes in categories.items()}
    hit = np.zeros(len(frame), bool)
    for mask in masks.values():
        hit |= mask
    in_area = frame.in_an_area()
    areas = _area_rows(frame, chosen, hit)
    rows = _month_rows(frame, chosen, hit, masks)
    dated, _ = periods.bucket(frame, "month")
    total = int((hit & in_area).sum())
    extra = {
        "summary": summary(areas, total, int((chosen & in_area).sum())),
        "areas": areas,
        "categories": {name: sorted(codes) for name, codes in categories.items()},
    }
    unplaced = ~in_area & (chosen | undated_period)
    undated = (chosen & ~dated) | undated_period
    return Outcome(rows, positions(unplaced), positions(undated), extra)
