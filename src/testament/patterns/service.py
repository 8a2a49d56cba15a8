"""The counting use cases: counts and spikes of incidents by area, period, type, target and weapon
(docs/patterns.md). Each reads through :func:`testament.patterns.load.load`, the one gate."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from testament.analysis import counts as counting
from testament.custody.instance import Instance
from testament.errors import InvalidInput
from testament.patterns import load as loading
from testament.patterns.load import Progress, Scope
from testament.patterns.results import Analysis
from testament.storage.engine import read_transaction


def counts(
    instance: Instance,
    scope: Scope,
    *,
    by: Sequence[str],
    where: Mapping[str, str] | None = None,
    level: int = 1,
    progress: Progress | None = None,
) -> Analysis:
    """How many incidents fall under each combination of the ``by`` keys (area, day, week, month,
    year, type, target, weapon), among those matching every ``where`` condition."""
    if not by:
        raise InvalidInput(
            "say what to count incidents by",
            where="--by",
            hint=f"give one or more of: {', '.join(counting.BY_KEYS)}",
            errors={"by": f"one or more of: {', '.join(counting.BY_KEYS)}"},
        )
    counting.check_keys(by)
    conditions = dict(where or {})
    counting.check_keys(list(conditions), option="--where")
    with read_transaction(instance.engine) as connection:
        loaded = loading.load(connection, instance, scope, level=level, progress=progress)
    outcome = counting.count_where(loaded.frame, by, conditions)
    parameters = {"by": list(by), "where": conditions, "level": level}
    return loading.analysis("counts", loaded, parameters, outcome)
