"""`testament import …` and `testament export …`: move incidents and sources in and out of a case."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from testament.cli.context import opened
from testament.cli.output import json_line
from testament.transfer import exports, import_jsonl, imports
from testament.transfer.import_batches import Counts

SHOWN_WARNINGS = 20
FILE = click.Path(path_type=Path, dir_okay=False)


def _import_options(command: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--json", "as_json", is_flag=True, help="Print the report as JSON."),
        click.option("--rejects", type=FILE,
                     help="Where --skip-invalid writes refused rows (default ./NAME.rejects.EXT)."),
        click.option("--skip-invalid", is_flag=True,
                     help="Write invalid rows to the rejects file and import the rest."),
        click.option("--case", "case_name", required=True,
                     help="The case to import into (created if it does not exist)."),
        click.argument("file", type=FILE),
    ]  # fmt: skip
    for option in options:
        command = option(command)
    return command


def _options(
    ns: str | None, skip: bool, rejects: Path | None, dup: bool = False
) -> imports.ImportOptions:
    return imports.ImportOptions(
        namespace=ns, skip_invalid=skip, rejects=rejects, suffix_duplicates=dup
    )


def _counts(name: str, counts: Counts) -> str:
    parts = [
        f"{counts.created:,} created",
        f"{counts.updated:,} updated",
        f"{counts.unchanged:,} unchanged",
    ]
    parts += [
        f"{n:,} {label}"
        for n, label in ((counts.kept, "kept as edited"), (counts.deleted, "left deleted"))
        if n
    ]
    return f"  {name}: {', '.join(parts)}"


def _show(report: imports.ImportReport, as_json: bool) -> None:
    if as_json:
        json_line(report.as_json())
        return
    created = " (a new case)" if report.case_created else ""
    click.echo(
        f"Imported {report.path} into case {report.case!r}{created}, namespace {report.namespace or '-'}:"
    )
    if report.nothing_new:
        click.echo(
            f"  nothing new: all {report.rows - report.rejected:,} rows were already imported"
        )
    click.echo(_counts("incidents", report.incidents))
    click.echo(_counts("sources", report.sources))
    for kind, counts in sorted(report.other.items()):
        if kind != "incident-source":  # shown as links below
            click.echo(_counts(kind, counts))
    click.echo(f"  links created: {report.links:,}")
    for key, values in sorted(report.unmapped.items()):
        shown = ", ".join(f"{v!r} ×{n}" for v, n in sorted(values.items()))
        click.echo(f"  unmapped {key} (kept verbatim, flagged): {shown}")
    if report.rejected:
        click.echo(f"  rejected rows: {report.rejected:,}, written to {report.rejects_path}")
    for text in report.warnings[:SHOWN_WARNINGS]:
        click.echo(f"warning: {text}", err=True)
    if report.warning_count > SHOWN_WARNINGS:
        click.echo(
            f"warning: … and {report.warning_count - SHOWN_WARNINGS:,} more (see --json)", err=True
        )


@click.group("import")
def import_group() -> None:
    """Import incidents and sources from TimeMap JSON, CSV (through a mapping) or Testament JSON Lines.

    An import is one transaction: a bad row aborts it, naming the row and the field, unless
    --skip-invalid sends the row to a rejects file. Importing the same file again creates nothing.
    """


@import_group.command("timemap")
@_import_options
@click.option("--namespace", help="External-ID namespace (default timemap:FILE-NAME-WITHOUT-DATE).")
@click.option("--suffix-duplicates", is_flag=True,
              help="Import a repeated event ID as ID#2, ID#3 … instead of refusing the file.")  # fmt: skip
def import_timemap(
    file: Path, case_name: str, skip_invalid: bool, rejects: Path | None, as_json: bool,
    namespace: str | None, suffix_duplicates: bool,
) -> None:  # fmt: skip
    """Import a TimeMap JSON file (Bellingcat, Forensic Architecture): events and their sources."""
    with opened() as inst:
        options = _options(namespace, skip_invalid, rejects, suffix_duplicates)
        report = imports.import_timemap(inst, file, case_name, options)
    _show(report, as_json)


@import_group.command("csv")
@_import_options
@click.option("--mapping", type=FILE, required=True, help="The YAML mapping of columns to fields.")
@click.option(
    "--namespace", help="External-ID namespace (default: the mapping's, else csv:FILE-NAME)."
)
def import_csv(
    file: Path, case_name: str, skip_invalid: bool, rejects: Path | None, as_json: bool,
    mapping: Path, namespace: str | None,
) -> None:  # fmt: skip
    """Import a CSV file through a mapping (docs/import-export.md; examples/mappings/)."""
    with opened() as inst:
        options = _options(namespace, skip_invalid, rejects)
        report = imports.import_csv(inst, file, case_name, mapping, options)
    _show(report, as_json)


@import_group.command("jsonl")
@_import_options
def import_jsonl_command(
    file: Path, case_name: str, skip_invalid: bool, rejects: Path | None, as_json: bool
) -> None:
    """Import a Testament JSON Lines export, keeping every record's ID."""
    with opened() as inst:
        report = import_jsonl.import_jsonl(
            inst, file, case_name, _options(None, skip_invalid, rejects)
        )
    _show(report, as_json)


@click.group("export")
def export_group() -> None:
    """Export a case's incidents: jsonl (lossless, re-importable), csv, geojson or timemap."""


def _export_command(fmt: str, summary: str) -> click.Command:
    @click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
    @click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True,
                  help="The file to write ('-' for standard output).")  # fmt: skip
    @click.option(
        "--approval", help="A named-export approval (`testament disclosure`); testimonies only."
    )
    @click.option(
        "--recipient", help="The organisation receiving it, to tell if consent is withdrawn."
    )
    @click.option("--purpose", help="What it is for (consent-purposes); with --for.")
    @click.option("--for", "recipient_class",
                  help="Who receives it (recipient-classes); needed when the case holds people "
                       "whose consent governs its use.")  # fmt: skip
    @click.option("--case", "case_name", required=True, help="The case to export.")
    def command(
        case_name: str,
        out: Path,
        as_json: bool,
        recipient_class: str | None,
        purpose: str | None,
        recipient: str | None,
        approval: str | None,
    ) -> None:
        audience = None
        if recipient_class or purpose or recipient:
            if not (recipient_class and purpose and recipient):
                raise click.UsageError("--for, --purpose and --recipient go together")
            audience = exports.Audience(recipient_class, purpose, recipient)
        with opened() as inst:
            if str(out) == "-":
                exports.export(
                    inst, fmt, case_name, sys.stdout, audience=audience, approval=approval
                )
                return
            report = exports.export_file(
                inst, fmt, case_name, out, audience=audience, approval=approval
            )
        if as_json:
            json_line(report)
        else:
            records = sum(report.records.values())
            click.echo(f"Exported {report.incidents:,} incidents ({records:,} records) to {out}")

    command.__doc__ = summary
    return click.command(fmt)(command)


for _fmt, _summary in (
    (
        "jsonl",
        "Every record of the case as JSON Lines, with IDs; `testament import jsonl` reads it back.",
    ),
    ("csv", "One row per incident, lists joined with |, for spreadsheets."),
    (
        "geojson",
        "A GeoJSON FeatureCollection of the incidents (Points; null geometry without coordinates).",
    ),
    ("timemap", "A TimeMap JSON array of events with their sources and filters."),
    (
        "testimonies",
        "The case's testimonies as JSON Lines, for a recipient every witness consented to.",
    ),
):
    export_group.add_command(_export_command(_fmt, _summary))
