"""Two situations side by side: how far apart their distributions of types, targets and weapons are
(docs/patterns.md, "Across situations").

Pure: no database. For each field, each side's distribution is the share of its values carried by
each label (an incident with two targets counts once under each), over the union of both sides'
labels, a label a side never uses counting zero there. Incidents with no value in a field are
counted (``without``) but not compared: a field left blank says how a situation was recorded, not
what happened in it.

The measure is the Jensen-Shannon distance, ``sqrt(JSD(P, Q))`` with base-2 logarithms
(:func:`scipy.spatial.distance.jensenshannon`): 0 when the two distributions are the same, 1 when
they share no label, symmetric, and a metric. It is null when either side has no value to compare.
The sample sizes are always given beside it: a distance between two handfuls of incidents says
little.

Two situations are often recorded at different depths of the same vocabulary: one says ``hospital``
where the other says ``healthcare``. With ``terms="broadest"`` each value is first replaced by the
top-level term above it in its vocabulary (``hospital`` and ``clinic`` by ``healthcare``,
``unguided-bomb`` by ``air-dropped-bomb``), and an incident still counts once under each label it then
carries: an incident with a hospital and a clinic counts once under ``healthcare``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import numpy as np
from scipy.spatial.distance import jensenshannon

from testament.analysis.frame import IncidentFrame
from testament.analysis.outcome import Outcome
from testament.errors import InvalidInput
from testament.taxonomy import loader

FIELDS = {"type": "types", "target": "targets", "weapon": "weapons"}
VOCABULARIES = {"types": "incident-types", "targets": "target-object-types",
                "weapons": "weapon-systems"}  # fmt: skip
TERMS = ("as-recorded", "broadest")
SIDES = ("first", "second")
MEASURE = (
    "Jensen-Shannon distance, base 2: sqrt of the Jensen-Shannon divergence between the two "
    "distributions of values over the union of their labels (0: the same, 1: no label in common)"
)


def check_terms(terms: str) -> str:
    if terms not in TERMS:
        raise InvalidInput(
            f"{terms!r} is not a way to compare terms", where="--terms",
            hint=f"use one of: {', '.join(TERMS)}", errors={"terms": ", ".join(TERMS)},
        )  # fmt: skip
    return terms


def broadest(vocabulary: str) -> dict[str, str]:
    """Each code of a vocabulary and the top-level term above it (itself when it has no parent)."""
    found = loader.shipped().vocabulary(vocabulary)
    parents = {term.code: term.parent for term in (found.terms if found is not None else ())}
    tops = {}
    for code in parents:
        top, seen = code, {code}
        while (parent := parents.get(top)) and parent not in seen:
            top = parent
            seen.add(parent)
        tops[code] = top
    return tops


def tally(
    frame: IncidentFrame, column: str, roll_up: Mapping[str, str] | None = None
) -> dict[str, int]:
    """How many incidents carry each label of a multi-valued column; with ``roll_up``, each label
    is first replaced by what it maps to (a label it does not map stays as it is)."""
    multi = frame.multi(column)
    if roll_up is None:
        counted = np.bincount(multi.codes, minlength=len(multi.labels))
        return {label: int(n) for label, n in zip(multi.labels, counted.tolist(), strict=True) if n}
    labels = [roll_up.get(label, label) for label in multi.labels]
    pairs = zip(multi.rows().tolist(), multi.codes.tolist(), strict=True)
    held = {(row, labels[code]) for row, code in pairs}
    return dict(Counter(label for _, label in held))


def distance(first: dict[str, int], second: dict[str, int]) -> float | None:
    """The Jensen-Shannon distance (base 2) between two label counts; None if either is empty."""
    if not first or not second:
        return None
    labels = sorted(set(first) | set(second))
    p = np.array([first.get(label, 0) for label in labels], np.float64)
    q = np.array([second.get(label, 0) for label in labels], np.float64)
    return round(float(jensenshannon(p, q, base=2)), 6)


def _share(n: int, total: int) -> float | None:
    return round(n / total, 4) if total else None


def _field(
    key: str, first: IncidentFrame, second: IncidentFrame, terms: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    column = FIELDS[key]
    roll_up = broadest(VOCABULARIES[column]) if terms == "broadest" else None
    counts = (tally(first, column, roll_up), tally(second, column, roll_up))
    totals = [sum(c.values()) for c in counts]
    without = [int((np.diff(f.multi(column).offsets) == 0).sum()) for f in (first, second)]
    row = {
        "field": key, "distance": distance(*counts), "labels": len(set(counts[0]) | set(counts[1])),
        **{f"{side}_incidents": len(f) for side, f in zip(SIDES, (first, second), strict=True)},
        **{f"{side}_values": n for side, n in zip(SIDES, totals, strict=True)},
        **{f"{side}_without": n for side, n in zip(SIDES, without, strict=True)},
    }  # fmt: skip
    labels = sorted(
        set(counts[0]) | set(counts[1]),
        key=lambda k: (-(counts[0].get(k, 0) + counts[1].get(k, 0)), k),
    )
    side_by_side = [
        {key: label, **{f"{side}": c.get(label, 0) for side, c in zip(SIDES, counts, strict=True)},
         **{f"{side}_share": _share(c.get(label, 0), t)
            for side, c, t in zip(SIDES, counts, totals, strict=True)}}
        for label in labels
    ]  # fmt: skip
    return row, side_by_side


def compare(first: IncidentFrame, second: IncidentFrame, *, terms: str = "as-recorded") -> Outcome:
    """One row per field (type, target, weapon) with its distance and sample sizes;
    ``distributions``: each field's labels side by side. ``terms``: ``as-recorded`` compares the
    codes as stored, ``broadest`` the top-level terms above them."""
    check_terms(terms)
    rows, distributions = [], {}
    for key in FIELDS:
        row, side_by_side = _field(key, first, second, terms)
        rows.append(row)
        distributions[key] = side_by_side
    return Outcome(rows, extra={"distributions": distributions, "measure": MEASURE})
