"""`testament report …`: reports as PDF or HTML (docs/patterns.md, "Reports").

Each command writes the report to ``-o FILE`` ('-' for standard output) and says on standard error
what it wrote and the custody log checkpoint it was computed at; ``--json`` prints that as one JSON
line instead. The report itself prints this command line, so anyone can compute it again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from testament.cli.context import opened
from testament.cli.output import json_line
from testament.errors import InvalidInput
from testament.locale import DEFAULT, LANGUAGES
from testament.patterns import reports
from testament.patterns.load import Scope
from testament.patterns.rendering import Report

F = TypeVar("F", bound=Callable[..., Any])


@click.group("report")
def report_group() -> None:
    """Reports as PDF or HTML: an incident's dossier, a case's proof chart, a pattern report."""


def written(command: F) -> F:
    """The options every report shares: its format, where it goes, and how the outcome is told."""
    options = (
        click.option("--format", "fmt", default="pdf", show_default=True, help="pdf or html."),
        click.option(
            "--lang",
            "language",
            default=DEFAULT,
            show_default=True,
            help="The report's language: " + " or ".join(LANGUAGES) + ".",
        ),
        click.option(
            "-o",
            "--output",
            "out",
            type=click.Path(path_type=Path, dir_okay=False),
            required=True,
            help="The file to write ('-' for standard output).",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print what was written as JSON."),
    )
    for option in reversed(options):
        command = option(command)
    return command


def _write(report: Report, out: Path, as_json: bool) -> None:
    if str(out) == "-":
        sys.stdout.buffer.write(report.content)
        sys.stdout.buffer.flush()
    else:
        try:
            out.write_bytes(report.content)
        except OSError as exc:
            raise InvalidInput(
                f"the report cannot be written: {exc.strerror}", where=str(out)
            ) from None
    if as_json:
        json_line(report)
        return
    head = report.checkpoint
    click.echo(
        f"wrote {report.filename} ({len(report.content):,} bytes) to {out}; "
        f"log size {head.size}, root {head.root}",
        err=True,
    )


@report_group.command("dossier")
@click.argument("incident_id")
@click.option(
    "--purpose",
    help="Why you open it: needed for an incident with sensitivity labels; recorded in the custody "
    "log (do not name anyone).",
)
@written
def dossier(
    incident_id: str, purpose: str | None, fmt: str, language: str, out: Path, as_json: bool
) -> None:
    """One incident with all its fields, sources, casualties, qualifications and evidence: every
    item's type, size, SHA-256 digest and custody in brief."""
    with opened() as inst:
        made = reports.incident_dossier(
            inst, incident_id, fmt=fmt, purpose=purpose, language=language
        )
    _write(made, out, as_json)


@report_group.command("proof-chart")
@click.option("--case", "case_name", required=True, help="The case.")
@written
def proof_chart(case_name: str, fmt: str, language: str, out: Path, as_json: bool) -> None:
    """The case's proof chart: crime × element, the items for and against each, and the gaps."""
    with opened() as inst:
        made = reports.proof_chart_report(inst, case_name, fmt=fmt, language=language)
    _write(made, out, as_json)


@report_group.command("patterns")
@click.option("--case", "case_name", help="The case.")
@click.option("--situation", help="The situation (its cases you may read).")
@click.option("--area", help="An area's name or code (all areas if left out).")
@click.option("--from", "period_from", required=True, help="The period's first day, YYYY-MM-DD.")
@click.option("--to", "period_to", required=True, help="The period's last day, YYYY-MM-DD.")
@click.option(
    "--level", type=int, default=1, show_default=True, help="The gazetteer level, 1 or 2."
)
@written
def patterns(
    case_name: str | None,
    situation: str | None,
    area: str | None,
    period_from: str,
    period_to: str,
    level: int,
    fmt: str,
    language: str,
    out: Path,
    as_json: bool,
) -> None:
    """Counts by month, type, target and area for an area and a period, with charts and a map."""
    scope = Scope(case=case_name, situation=situation)
    with opened() as inst:
        made = reports.pattern_report(
            inst, scope, area=area, period_from=period_from, period_to=period_to, fmt=fmt,
            level=level, language=language,
        )  # fmt: skip
    _write(made, out, as_json)
