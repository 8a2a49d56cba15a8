"""The incidents behind a figure, as the patterns page lists and maps them (docs/patterns.md, "The
patterns page"). Read through :func:`testament.patterns.load.load`, the one gate, like every analysis."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from testament.analysis import counts as counting
from testament.analysis import listing
from testament.analysis.frame import day_number
from testament.custody.instance import Instance
from testament.errors import InvalidInput
from testament.patterns import load as loading
from testament.patterns.load import Scope
from testament.patterns.results import Analysis
from testament.storage.engine import read_transaction

LIMIT_AT_MOST = 5000


def _day(text: str | None, name: str) -> int | None:
    if not text:
        return None
    try:
        if len(text) != len("YYYY-MM-DD"):
            raise ValueError(text)
        return day_number(text)
    except ValueError:
        raise InvalidInput(
            f"{text!r} is not a date", where=name, hint="a date as YYYY-MM-DD",
            errors={name: "a date as YYYY-MM-DD"},
        ) from None  # fmt: skip


def days(date_from: str | None, date_to: str | None) -> tuple[int | None, int | None]:
    """A date range as day numbers (None for an open end), naming a bad date or a reversed range."""
    first, last = _day(date_from, "date_from"), _day(date_to, "date_to")
    if first is not None and last is not None and first > last:
        raise InvalidInput(
            "the date range ends before it begins", where="date_to",
            errors={"date_to": "on or after the first date"},
        )  # fmt: skip
    return first, last


def check_limit(limit: int) -> None:
    if not 1 <= limit <= LIMIT_AT_MOST:
        raise InvalidInput(
            f"{limit} rows cannot be listed", errors={"limit": f"1 to {LIMIT_AT_MOST}"}
        )


def incidents(
    instance: Instance,
    scope: Scope,
    *,
    where: Mapping[str, str] | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
    only: Collection[str] | None = None,
    level: int = 1,
    limit: int = 500,
) -> Analysis:
    """The scope's incidents matching every ``where`` condition (the keys of counts), the date range
    and (if given) among the IDs ``only``: one row each (the first ``limit``), how many matched, how
    many per area, and their positions for a map."""
    conditions = dict(where or {})
    counting.check_keys(list(conditions), option="--where")
    first, last = days(date_from, date_to)
    check_limit(limit)
    with read_transaction(instance.engine) as connection:
        loaded = loading.load(connection, instance, scope, level=level)
    outcome = listing.listed(
        loaded.frame, conditions, day_from=first, day_to=last, only=only, limit=limit
    )
    parameters = {"where": conditions, "date_from": date_from or None, "date_to": date_to or None,
                  "level": level, "limit": limit}  # fmt: skip
    return loading.analysis("incidents", loaded, parameters, outcome)
