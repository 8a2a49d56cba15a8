"""The strike use cases: spikes of incidents by area and period, and repeat strikes on the same place
(docs/patterns.md, "Spikes" and "Repeat strikes"). Each reads through
:func:`testament.patterns.load.load`, the one gate, after refusing parameters that cannot give a
result."""

from __future__ import annotations

from testament.analysis import repeats as repeating
from testament.analysis import spikes as spiking
from testament.custody.instance import Instance
from testament.patterns import load as loading
from testament.patterns.load import Progress, Scope
from testament.patterns.results import Analysis
from testament.storage.engine import read_transaction


def spikes(
    instance: Instance,
    scope: Scope,
    *,
    by_area: bool = True,
    period: str = "day",
    min_count: int,
    baseline_days: int | None = None,
    factor: float | None = None,
    level: int = 1,
    progress: Progress | None = None,
) -> Analysis:
    """The area-days (or area-weeks, area-months; or whole-scope periods without ``by_area``) with at
    least ``min_count`` incidents; with ``baseline_days`` and ``factor``, each flagged when above
    ``factor`` times the area's median daily count over the ``baseline_days`` days before."""
    spiking.check(period=period, min_count=min_count, baseline_days=baseline_days, factor=factor)
    loading.check_level(level)
    with read_transaction(instance.engine) as connection:
        loaded = loading.load(connection, instance, scope, level=level, progress=progress)
    outcome = spiking.spikes(
        loaded.frame, by_area=by_area, period=period, min_count=min_count,
        baseline_days=baseline_days, factor=factor,
    )  # fmt: skip
    parameters = {
        "by": ["area", period] if by_area else [period], "period": period, "min_count": min_count,
        "baseline_days": baseline_days, "factor": factor, "level": level,
    }  # fmt: skip
    return loading.analysis("spikes", loaded, parameters, outcome)


def repeats(
    instance: Instance,
    scope: Scope,
    *,
    radius_m: float,
    window_h: float,
    progress: Progress | None = None,
) -> Analysis:
    """Every pair of the scope's incidents within ``radius_m`` metres (great-circle) and
    ``window_h`` hours of each other, and the connected groups of those pairs."""
    repeating.check(radius_m=radius_m, window_h=window_h)
    with read_transaction(instance.engine) as connection:
        loaded = loading.load(connection, instance, scope, progress=progress)
    outcome = repeating.repeats(loaded.frame, radius_m=radius_m, window_h=window_h)
    parameters = {
        "radius_m": radius_m, "window_h": window_h,
        "window_days": repeating.window_days(window_h),
        "earth_radius_m": repeating.EARTH_RADIUS_M,
    }  # fmt: skip
    return loading.analysis("repeats", loaded, parameters, outcome)
