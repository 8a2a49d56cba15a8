"""The use cases that show an attack's extent and system: spatio-temporal clusters, attacks on
protected objects, context evidence for "widespread or systematic", and two situations compared
(docs/patterns.md). Each reads through :func:`testament.patterns.load.load`, the one gate: a case the
reader may not read is absent, and a situation is its cases the reader may read, named in the result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from testament.analysis import clusters as clustering
from testament.analysis import compare as comparing
from testament.analysis import context as contextual
from testament.analysis import listing as listed
from testament.analysis import protected as protection
from testament.analysis.frame import EPOCH
from testament.custody.instance import Instance
from testament.errors import InvalidInput
from testament.patterns import listing
from testament.patterns import load as loading
from testament.patterns.load import Progress, Scope
from testament.patterns.results import Analysis
from testament.storage.engine import read_transaction

INCLUDES = ("protected", "context")


def clusters(
    instance: Instance,
    scope: Scope,
    *,
    eps_m: float,
    min_samples: int,
    time_scale_days: float,
    method: str = "dbscan",
    level: int = 1,
    date_from: str | None = None,
    date_to: str | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Groups of incidents close in place and time (DBSCAN or HDBSCAN), with the noise listed.
    Areas play no part (``level`` only says which are read). A date range keeps the incidents that
    may lie within it, as the patterns page's map does."""
    clustering.check(
        eps_m=eps_m, min_samples=min_samples, time_scale_days=time_scale_days, method=method
    )
    first, last = listing.days(date_from, date_to)
    with read_transaction(instance.engine) as connection:
        loaded = loading.load(connection, instance, scope, level=level, progress=progress)
    if first is not None or last is not None:
        inside, _ = listed.within(loaded.frame, first, last)
        loaded = replace(loaded, frame=loaded.frame.take(inside))
    outcome = clustering.clusters(
        loaded.frame, eps_m=eps_m, min_samples=min_samples,
        time_scale_days=time_scale_days, method=method,
    )  # fmt: skip
    parameters: dict[str, Any] = {
        "method": method, "eps_m": eps_m, "min_samples": min_samples,
        "time_scale_days": time_scale_days,
    }  # fmt: skip
    if first is not None or last is not None:
        parameters |= {"date_from": date_from or None, "date_to": date_to or None}
    return loading.analysis("clusters", loaded, parameters, outcome)


def _day(text: str | None, option: str) -> int | None:
    if text is None:
        return None
    try:
        return (date.fromisoformat(text) - EPOCH).days
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not a date", where=option, hint="write it as 2022-10-10",
            errors={option.lstrip("-"): "a date, YYYY-MM-DD"},
        ) from None  # fmt: skip


def period(day_from: str | None, day_to: str | None) -> tuple[int | None, int | None]:
    """The day numbers of ``--from`` and ``--to`` (either may be open), refusing an empty period."""
    start, end = _day(day_from, "--from"), _day(day_to, "--to")
    if start is not None and end is not None and start > end:
        raise InvalidInput(
            f"the period ends ({day_to}) before it starts ({day_from})", where="--to",
            hint="give --from on or before --to", errors={"to": "on or after --from"},
        )  # fmt: skip
    return start, end


def protected(
    instance: Instance,
    scope: Scope,
    *,
    categories: Sequence[str] = (),
    day_from: str | None = None,
    day_to: str | None = None,
    level: int = 1,
    progress: Progress | None = None,
) -> Analysis:
    """Attacks on protected objects by area and month, with the HRL-style summary."""
    expanded = protection.expand(categories)
    start, end = period(day_from, day_to)
    with read_transaction(instance.engine) as connection:
        loaded = loading.load(connection, instance, scope, level=level, progress=progress)
    outcome = protection.protected(loaded.frame, expanded, day_from=start, day_to=end)
    parameters = {
        "categories": list(expanded), "from": day_from, "to": day_to, "level": level,
    }  # fmt: skip
    return loading.analysis("protected", loaded, parameters, outcome)


def context(
    instance: Instance,
    scope: Scope,
    *,
    top: int = 10,
    level: int = 1,
    progress: Progress | None = None,
) -> Analysis:
    """The figures for "widespread or systematic", each with the incidents behind it."""
    contextual.check_top(top)
    with read_transaction(instance.engine) as connection:
        loaded = loading.load(connection, instance, scope, level=level, progress=progress)
    outcome = contextual.context(loaded.frame, top=top)
    return loading.analysis("context", loaded, {"top": top, "level": level}, outcome)


def check_pair(scopes: Sequence[Scope], includes: Sequence[str]) -> None:
    """Exactly two different situations (or cases), and only summaries that exist."""
    if len(scopes) != 2:
        raise InvalidInput(
            f"a comparison takes two situations, not {len(scopes)}", where="--situation",
            hint="give --situation twice: --situation A --situation B",
            errors={"situation": "exactly two"},
        )  # fmt: skip
    if scopes[0] == scopes[1]:
        raise InvalidInput(
            "a situation is compared with itself", where="--situation",
            hint="give two different situations", errors={"situation": "two different"},
        )  # fmt: skip
    unknown = [name for name in includes if name not in INCLUDES]
    if unknown:
        raise InvalidInput(
            f"{unknown[0]!r} is not a summary that can be set side by side", where="--include",
            hint=f"use one of: {', '.join(INCLUDES)}", errors={"include": ", ".join(INCLUDES)},
        )  # fmt: skip


def _side_by_side(loaded: Sequence[loading.Loaded], includes: Sequence[str]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    sides = comparing.SIDES
    if "protected" in includes:
        every = protection.expand(())
        found["protected"] = {
            side: protection.protected(one.frame, every).extra["summary"]
            for side, one in zip(sides, loaded, strict=True)
        }
    if "context" in includes:
        found["context"] = {
            side: contextual.context(one.frame).rows
            for side, one in zip(sides, loaded, strict=True)
        }
    return found


def compare(
    instance: Instance,
    scopes: Sequence[Scope],
    *,
    include: Sequence[str] = (),
    level: int = 1,
    terms: str = "as-recorded",
    progress: Progress | None = None,
) -> Analysis:
    """Two situations side by side: the distance between their types, targets and weapons, with the
    sample sizes, and optionally their protected-object and context summaries. ``terms``:
    ``as-recorded`` compares the codes as stored, ``broadest`` the top-level terms above them."""
    check_pair(scopes, include)
    comparing.check_terms(terms)
    with read_transaction(instance.engine) as connection:
        loaded = [
            loading.load(connection, instance, one, level=level, progress=progress)
            for one in scopes
        ]
    outcome = comparing.compare(loaded[0].frame, loaded[1].frame, terms=terms)
    # Both sides were read in one transaction: one checkpoint describes both.
    return Analysis(
        analysis="compare",
        scope={"compared": [one.scope for one in loaded]},
        parameters={"include": list(include), "level": level, "terms": terms},
        checkpoint=loaded[0].checkpoint,
        incidents=sum(len(one.frame) for one in loaded),
        unplaced=[],
        undated=[],
        rows=outcome.rows,
        extra={**outcome.extra, **_side_by_side(loaded, include)},
    )
