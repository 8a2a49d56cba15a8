"""`testament analyze …`: pattern analyses over a case or a situation (docs/patterns.md).

Every command takes the scope (``--case`` or ``--situation``) and prints one result: with
``--format json`` one JSON object holding the parameters, the log checkpoint it was computed at, the
incidents it could not use (``unplaced``, ``undated``) and its rows; ``table`` for reading; ``csv``
for a spreadsheet. Reading a large scope shows its progress on standard error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from testament.analysis.counts import BY_KEYS, parse_conditions
from testament.analysis.spikes import SPIKE_PERIODS
from testament.cli.context import opened
from testament.cli.output import json_line
from testament.patterns import service, strikes, tables, unit_linkage, widespread
from testament.patterns.load import Progress, Scope
from testament.patterns.results import Analysis

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("table", "json", "csv")
PROGRESS_FROM = 50_000  # incidents: smaller scopes are read too fast for a progress line to help


@click.group("analyze")
def analyze_group() -> None:
    """Pattern analyses over a case or a situation: counts, spikes, repeats, clusters, units.

    Also protected objects, context evidence and comparisons across situations (docs/patterns.md)."""


def scoped(command: F) -> F:
    """The options every analysis shares: the scope, the gazetteer level and the output format."""
    options = (
        click.option("--case", "case_name", help="The case to analyse."),
        click.option("--situation", help="The situation to analyse (its cases you may read)."),
        click.option(
            "--level",
            type=int,
            default=1,
            show_default=True,
            help="The gazetteer level of areas: 1 (oblasts, governorates) or 2.",
        ),
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default="table",
            show_default=True,
            help="table to read, json (one object) or csv.",
        ),
    )
    for option in reversed(options):
        command = option(command)
    return command


def scope_of(case_name: str | None, situation: str | None) -> Scope:
    return Scope(case=case_name, situation=situation)


def progress() -> Progress:
    """A progress line on standard error for large scopes, rewritten in place."""

    def show(done: int, total: int) -> None:
        if total >= PROGRESS_FROM:
            end = "\n" if done >= total else ""
            click.echo(f"\rread {done:,} of {total:,} incidents", err=True, nl=False)
            click.echo(end, err=True, nl=False)

    return show


def emit(result: Analysis, fmt: str) -> None:
    """Print a result in the chosen format."""
    if fmt == "json":
        json_line(result)
        return
    if fmt == "csv":
        sys.stdout.write(tables.csv_bytes(result.rows).decode("utf-8"))
        return
    shown = [c for c in tables.columns(result.rows) if c != "incidents"]
    for row in result.rows:
        click.echo("  ".join(f"{c}={tables.cell(row.get(c))}" for c in shown))
    head = result.checkpoint
    click.echo(
        f"{result.incidents} incident(s); {len(result.unplaced)} unplaced, "
        f"{len(result.undated)} undated; log size {head.size}, root {head.root}",
        err=True,
    )


@analyze_group.command("counts")
@scoped
@click.option("--by", "by", multiple=True, required=True, type=click.Choice(BY_KEYS),
              help="Count by this key (repeatable: --by area --by month).")  # fmt: skip
@click.option("--where", "where", multiple=True, metavar="KEY=VALUE",
              help="Only incidents with this value (repeatable), e.g. target=school, area=Kharkiv.")  # fmt: skip
def counts(
    case_name: str | None,
    situation: str | None,
    level: int,
    fmt: str,
    by: tuple[str, ...],
    where: tuple[str, ...],
) -> None:
    """Count incidents by area, period (day, week, month, year), type, target or weapon."""
    with opened() as inst:
        result = service.counts(
            inst, scope_of(case_name, situation), by=by, where=parse_conditions(where),
            level=level, progress=progress(),
        )  # fmt: skip
    emit(result, fmt)


@analyze_group.command("units")
@scoped
@click.option(
    "--unit", help="Only this unit (its ID, name or alias); every placed unit if not given."
)
def units(
    case_name: str | None, situation: str | None, level: int, fmt: str, unit: str | None
) -> None:
    """Link units to incidents: each unit's presence timeline (its placements), the incidents inside
    its places and times, those possibly inside, and the graph of units and places."""
    with opened() as inst:
        result = unit_linkage.unit_linkage(
            inst, scope_of(case_name, situation), unit=unit, level=level, progress=progress()
        )
    emit(result, fmt)


@analyze_group.command("clusters")
@scoped
@click.option("--eps-m", type=float, default=1000.0, show_default=True,
              help="Neighbours at most this many metres apart (at the same time).")  # fmt: skip
@click.option("--min-samples", type=int, default=5, show_default=True,
              help="Incidents within reach, itself included, that make a core of a cluster.")  # fmt: skip
@click.option("--time-scale-days", type=float, default=1.0, show_default=True,
              help="Days that weigh as much as --eps-m metres.")  # fmt: skip
@click.option("--method", default="dbscan", show_default=True, help="dbscan or hdbscan.")
def clusters(
    case_name: str | None, situation: str | None, level: int, fmt: str,
    eps_m: float, min_samples: int, time_scale_days: float, method: str,
) -> None:  # fmt: skip
    """Clusters of incidents close in place and time (DBSCAN or HDBSCAN), noise listed."""
    with opened() as inst:
        result = widespread.clusters(
            inst, scope_of(case_name, situation), eps_m=eps_m, min_samples=min_samples,
            time_scale_days=time_scale_days, method=method, level=level, progress=progress(),
        )  # fmt: skip
    emit(result, fmt)


@analyze_group.command("protected")
@scoped
@click.option("--category", "categories", multiple=True,
              help="A protected category (repeatable; default all): healthcare, education, cultural, "
                   "religious, humanitarian, energy, water, food.")  # fmt: skip
@click.option(
    "--from", "day_from", metavar="YYYY-MM-DD", help="Only incidents on or after this day."
)
@click.option("--to", "day_to", metavar="YYYY-MM-DD", help="Only incidents on or before this day.")
def protected(
    case_name: str | None, situation: str | None, level: int, fmt: str,
    categories: tuple[str, ...], day_from: str | None, day_to: str | None,
) -> None:  # fmt: skip
    """Attacks on protected objects by area and month, with the five areas holding most."""
    with opened() as inst:
        result = widespread.protected(
            inst, scope_of(case_name, situation), categories=categories, day_from=day_from,
            day_to=day_to, level=level, progress=progress(),
        )  # fmt: skip
    emit(result, fmt)
    if fmt == "table":
        click.echo(result.extra["summary"]["sentence"], err=True)


@analyze_group.command("context")
@scoped
@click.option("--top", type=int, default=10, show_default=True,
              help="How many of the most recurrent type, target and weapon patterns to show.")  # fmt: skip
def context(case_name: str | None, situation: str | None, level: int, fmt: str, top: int) -> None:
    """Context evidence for a widespread or systematic attack: scale, spread, span, recurrence."""
    with opened() as inst:
        result = widespread.context(
            inst, scope_of(case_name, situation), top=top, level=level, progress=progress()
        )
    emit(result, fmt)


@analyze_group.command("compare")
@click.option("--situation", "situations", multiple=True, required=True,
              help="A situation to compare (give exactly two).")  # fmt: skip
@click.option("--include", "include", multiple=True,
              help="Also set side by side: protected, context (repeatable).")  # fmt: skip
@click.option("--level", type=int, default=1, show_default=True,
              help="The gazetteer level of areas: 1 (oblasts, governorates) or 2.")  # fmt: skip
@click.option("--terms", default="as-recorded", show_default=True,
              help="as-recorded compares the codes as stored; broadest, the top-level term above "
                   "each (hospital as healthcare), for situations recorded at different depths.")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
              help="table to read, json (one object) or csv.")  # fmt: skip
def compare(
    situations: tuple[str, ...], include: tuple[str, ...], level: int, terms: str, fmt: str
) -> None:
    """Two situations side by side: Jensen-Shannon distances between their types, targets and
    weapons, with the sample sizes."""
    with opened() as inst:
        result = widespread.compare(
            inst, [Scope(situation=name) for name in situations], include=include, level=level,
            terms=terms, progress=progress(),
        )  # fmt: skip
    emit(result, fmt)


@analyze_group.command("spikes")
@scoped
@click.option("--by", "by", type=click.Choice(["area"]), default=None,
              help="Spikes per area (--by area); without it, over the whole scope.")  # fmt: skip
@click.option("--period", type=click.Choice(SPIKE_PERIODS), default="day", show_default=True,
              help="Count incidents per day, week or month.")  # fmt: skip
@click.option("--min-count", type=int, default=1, show_default=True,
              help="Give the periods with at least this many incidents.")  # fmt: skip
@click.option("--baseline-days", type=int, default=None,
              help="Compare each day with the median of the area's daily counts over this many days "
              "before (days with no incident count as 0); needs --factor and --period day.")  # fmt: skip
@click.option("--factor", type=float, default=None,
              help="Flag a day whose count is above this many times its baseline median.")  # fmt: skip
def spikes(
    case_name: str | None,
    situation: str | None,
    level: int,
    fmt: str,
    by: str | None,
    period: str,
    min_count: int,
    baseline_days: int | None,
    factor: float | None,
) -> None:
    """The area-days (or weeks, months) with many incidents, flagged above a rolling baseline."""
    with opened() as inst:
        result = strikes.spikes(
            inst, scope_of(case_name, situation), by_area=by == "area", period=period,
            min_count=min_count, baseline_days=baseline_days, factor=factor, level=level,
            progress=progress(),
        )  # fmt: skip
    emit(result, fmt)


@analyze_group.command("repeats")
@scoped
@click.option("--radius-m", type=float, required=True,
              help="Pairs at most this many metres apart (great-circle).")  # fmt: skip
@click.option("--window-h", type=float, required=True,
              help="Pairs at most this many hours apart; dates known only to the day: at most "
              "ceil(H/24) calendar days apart.")  # fmt: skip
def repeats(
    case_name: str | None,
    situation: str | None,
    level: int,
    fmt: str,
    radius_m: float,
    window_h: float,
) -> None:
    """Repeat strikes: pairs of incidents close in place and time, and their connected groups.

    The rows are the groups; --format json also gives every pair and the time rule applied."""
    del level  # repeats use every incident with coordinates, inside any area or not
    with opened() as inst:
        result = strikes.repeats(
            inst, scope_of(case_name, situation), radius_m=radius_m, window_h=window_h,
            progress=progress(),
        )  # fmt: skip
    emit(result, fmt)
