"""Pattern analyses over the API (docs/api.md, "Patterns"), as the CLI's `testament analyze` and the
patterns page give them: each answers ``{"ok": true, "analysis": {...}}`` with the parameters, the
log checkpoint it was computed at, the incidents it could not use and its rows.

Every analysis has two routes: over one case (``/cases/{case_name}/analyses/…``) and over a
situation (``/situations/{situation}/analyses/…``, its cases the caller may read). The rules are the
use cases' (:mod:`testament.patterns`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from testament.analysis.counts import BY_KEYS, parse_conditions
from testament.analysis.spikes import SPIKE_PERIODS
from testament.api.deps import instance
from testament.custody.instance import Instance
from testament.patterns import service, strikes, unit_linkage, widespread
from testament.patterns.load import Scope

router = APIRouter(tags=["patterns"])
Inst = Annotated[Instance, Depends(instance)]
Level = Annotated[int, Query(ge=1, le=2, description="Gazetteer level of areas: 1 or 2.")]
By = Annotated[
    list[str],
    Query(max_length=len(BY_KEYS), description=f"Count by these keys: {', '.join(BY_KEYS)}."),
]
Where = Annotated[
    list[str] | None,
    Query(max_length=16, description="KEY=VALUE conditions, e.g. target=school (repeatable)."),
]


class CheckpointOut(BaseModel):
    size: int
    root: str = Field(description="The RFC 9162 root of the log at that size, base64.")


class AnalysisOut(BaseModel):
    """One analysis; an analysis's own keys (a repeat search's ``pairs``, say) come after ``rows``."""

    model_config = ConfigDict(extra="allow")
    analysis: str
    scope: dict[str, Any]
    parameters: dict[str, Any]
    checkpoint: CheckpointOut
    incidents: int
    unplaced: list[str]
    undated: list[str]
    rows: list[dict[str, Any]]


class AnalysisAnswer(BaseModel):
    ok: bool = True
    analysis: AnalysisOut


def answered(result: Any) -> dict[str, Any]:
    return {"ok": True, "analysis": result.as_json()}


def _counts(
    inst: Instance, scope: Scope, by: list[str], where: list[str] | None, level: int
) -> Any:
    return answered(
        service.counts(
            inst, scope, by=by, where=parse_conditions(where or [], where="where"), level=level
        )
    )


@router.get("/cases/{case_name}/analyses/counts", response_model=AnalysisAnswer)
def case_counts(
    case_name: str,
    inst: Inst,
    by: By,
    where: Where = None,
    level: Level = 1,
) -> Any:
    """Incidents counted by area, period, type, target or weapon (``by`` repeatable)."""
    return _counts(inst, Scope(case=case_name), by, where, level)


@router.get("/situations/{situation}/analyses/counts", response_model=AnalysisAnswer)
def situation_counts(
    situation: str,
    inst: Inst,
    by: By,
    where: Where = None,
    level: Level = 1,
) -> Any:
    """The same counts over a situation's cases (those you may read)."""
    return _counts(inst, Scope(situation=situation), by, where, level)


UnitRef = Annotated[
    str | None,
    Query(min_length=1, max_length=500, description="Only this unit: ID, name or alias."),
]


def _units(inst: Instance, scope: Scope, unit: str | None, level: int) -> Any:
    return answered(unit_linkage.unit_linkage(inst, scope, unit=unit, level=level))


@router.get("/cases/{case_name}/analyses/units", response_model=AnalysisAnswer)
def case_units(case_name: str, inst: Inst, unit: UnitRef = None, level: Level = 1) -> Any:
    """Each unit's presence timeline, the incidents inside and possibly inside it, and the graph of
    units and places (``graph``)."""
    return _units(inst, Scope(case=case_name), unit, level)


@router.get("/situations/{situation}/analyses/units", response_model=AnalysisAnswer)
def situation_units(situation: str, inst: Inst, unit: UnitRef = None, level: Level = 1) -> Any:
    """The same unit linkage over a situation's cases (those you may read)."""
    return _units(inst, Scope(situation=situation), unit, level)


EpsM = Annotated[float, Query(description="Neighbours at most this many metres apart.")]
MinSamples = Annotated[int, Query(description="Incidents within reach that make a cluster's core.")]
TimeScale = Annotated[float, Query(description="Days that weigh as much as eps_m metres.")]
Method = Annotated[str, Query(max_length=20, description="dbscan or hdbscan.")]


@dataclass(frozen=True)
class ClusterQuery:
    """The query of a clusters route."""

    eps_m: EpsM = 1000.0
    min_samples: MinSamples = 5
    time_scale_days: TimeScale = 1.0
    method: Method = "dbscan"
    level: Level = 1


def _clusters(inst: Instance, scope: Scope, query: ClusterQuery) -> Any:
    return answered(widespread.clusters(
        inst, scope, eps_m=query.eps_m, min_samples=query.min_samples,
        time_scale_days=query.time_scale_days, method=query.method, level=query.level,
    ))  # fmt: skip


@router.get("/cases/{case_name}/analyses/clusters", response_model=AnalysisAnswer)
def case_clusters(case_name: str, inst: Inst, query: Annotated[ClusterQuery, Depends()]) -> Any:
    """Clusters of incidents close in place and time (DBSCAN or HDBSCAN); ``noise`` lists the
    incidents in none."""
    return _clusters(inst, Scope(case=case_name), query)


@router.get("/situations/{situation}/analyses/clusters", response_model=AnalysisAnswer)
def situation_clusters(
    situation: str, inst: Inst, query: Annotated[ClusterQuery, Depends()]
) -> Any:
    """The same clusters over a situation's cases (those you may read)."""
    return _clusters(inst, Scope(situation=situation), query)


Category = Annotated[
    list[str] | None,
    Query(max_length=16, description="Protected categories (repeatable; default all)."),
]
From = Annotated[
    str | None, Query(alias="from", max_length=10, description="First day, YYYY-MM-DD.")
]
To = Annotated[str | None, Query(alias="to", max_length=10, description="Last day, YYYY-MM-DD.")]


@dataclass(frozen=True)
class ProtectedQuery:
    """The query of a protected-objects route."""

    category: Category = None
    day_from: From = None
    day_to: To = None
    level: Level = 1


def _protected(inst: Instance, scope: Scope, query: ProtectedQuery) -> Any:
    return answered(widespread.protected(
        inst, scope, categories=query.category or (), day_from=query.day_from,
        day_to=query.day_to, level=query.level,
    ))  # fmt: skip


@router.get("/cases/{case_name}/analyses/protected", response_model=AnalysisAnswer)
def case_protected(case_name: str, inst: Inst, query: Annotated[ProtectedQuery, Depends()]) -> Any:
    """Attacks on protected objects by area and month, with ``summary`` (the five areas holding the
    largest share) and ``areas``."""
    return _protected(inst, Scope(case=case_name), query)


@router.get("/situations/{situation}/analyses/protected", response_model=AnalysisAnswer)
def situation_protected(
    situation: str, inst: Inst, query: Annotated[ProtectedQuery, Depends()]
) -> Any:
    """The same protected-object figures over a situation's cases (those you may read)."""
    return _protected(inst, Scope(situation=situation), query)


Top = Annotated[int, Query(description="How many recurrent patterns to show.")]


@router.get("/cases/{case_name}/analyses/context", response_model=AnalysisAnswer)
def case_context(case_name: str, inst: Inst, top: Top = 10, level: Level = 1) -> Any:
    """Context evidence for a widespread or systematic attack, each figure with its incidents."""
    return answered(widespread.context(inst, Scope(case=case_name), top=top, level=level))


@router.get("/situations/{situation}/analyses/context", response_model=AnalysisAnswer)
def situation_context(situation: str, inst: Inst, top: Top = 10, level: Level = 1) -> Any:
    """The same context evidence over a situation's cases (those you may read)."""
    return answered(widespread.context(inst, Scope(situation=situation), top=top, level=level))


Situations = Annotated[
    list[str], Query(max_length=4, description="The two situations to compare (give it twice).")
]
Include = Annotated[
    list[str] | None,
    Query(max_length=2, description="Also set side by side: protected, context."),
]


Terms = Annotated[
    str,
    Query(description="as-recorded compares the codes as stored; broadest, the top-level term "
                      "above each (hospital as healthcare)."),
]  # fmt: skip


@router.get("/situations/compare", response_model=AnalysisAnswer)
def compare_situations(
    inst: Inst,
    situation: Situations,
    include: Include = None,
    level: Level = 1,
    terms: Terms = "as-recorded",
) -> Any:
    """Two situations side by side: the Jensen-Shannon distance between their types, targets and
    weapons, with the sample sizes (each over the cases you may read)."""
    scopes = [Scope(situation=name) for name in situation]
    found = widespread.compare(inst, scopes, include=include or (), level=level, terms=terms)
    return answered(found)


MinCount = Annotated[int, Query(description="The least number of incidents a period must hold.")]
Period = Annotated[
    str, Query(description=f"Count per {', '.join(SPIKE_PERIODS[:-1])} or {SPIKE_PERIODS[-1]}.")
]
ByArea = Annotated[bool, Query(description="Spikes per area (true) or over the whole scope.")]
BaselineDays = Annotated[
    int | None, Query(description="Days before each day whose median daily count is its baseline.")
]
Factor = Annotated[
    float | None, Query(description="Flag a day above this many times its baseline.")
]
RadiusM = Annotated[float, Query(description="Pairs at most this many metres apart.")]
WindowH = Annotated[float, Query(description="Pairs at most this many hours apart.")]


@dataclass(frozen=True)
class SpikeQuery:
    """The query of a spikes route."""

    min_count: MinCount = 1
    period: Period = "day"
    by_area: ByArea = True
    baseline_days: BaselineDays = None
    factor: Factor = None
    level: Level = 1


def _spikes(inst: Instance, scope: Scope, query: SpikeQuery) -> Any:
    return answered(strikes.spikes(
        inst, scope, by_area=query.by_area, period=query.period, min_count=query.min_count,
        baseline_days=query.baseline_days, factor=query.factor, level=query.level,
    ))  # fmt: skip


@router.get("/cases/{case_name}/analyses/spikes", response_model=AnalysisAnswer)
def case_spikes(case_name: str, inst: Inst, query: Annotated[SpikeQuery, Depends()]) -> Any:
    """The area-days (or weeks, months) with at least ``min_count`` incidents; with
    ``baseline_days`` and ``factor``, each flagged above the area's rolling median."""
    return _spikes(inst, Scope(case=case_name), query)


@router.get("/situations/{situation}/analyses/spikes", response_model=AnalysisAnswer)
def situation_spikes(situation: str, inst: Inst, query: Annotated[SpikeQuery, Depends()]) -> Any:
    """The same spikes over a situation's cases (those you may read)."""
    return _spikes(inst, Scope(situation=situation), query)


@router.get("/cases/{case_name}/analyses/repeats", response_model=AnalysisAnswer)
def case_repeats(case_name: str, inst: Inst, radius_m: RadiusM, window_h: WindowH) -> Any:
    """Every pair of incidents within ``radius_m`` metres and ``window_h`` hours (``pairs``), and
    their connected groups (the rows, and ``groups``), with the time rule applied."""
    found = strikes.repeats(inst, Scope(case=case_name), radius_m=radius_m, window_h=window_h)
    return answered(found)


@router.get("/situations/{situation}/analyses/repeats", response_model=AnalysisAnswer)
def situation_repeats(situation: str, inst: Inst, radius_m: RadiusM, window_h: WindowH) -> Any:
    """The same repeat strikes over a situation's cases (those you may read)."""
    found = strikes.repeats(inst, Scope(situation=situation), radius_m=radius_m, window_h=window_h)
    return answered(found)
