"""`testament incident …`: record, edit and inspect incidents, with their full history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from testament.cli.bulk import update_csv
from testament.cli.context import opened
from testament.cli.output import echo_versions, json_line
from testament.cli.record_commands import field_options
from testament.documentation.kinds import INCIDENT

if TYPE_CHECKING:
    from testament.documentation.record_views import IncidentView


def _given(options: dict[str, Any]) -> dict[str, Any]:
    """The options the user actually gave, as IncidentInput fields."""
    given = {k: v for k, v in options.items() if not isinstance(v, tuple) and v is not None}
    given |= {k: list(v) for k, v in options.items() if isinstance(v, tuple) and v}
    return given


@click.group("incident")
def incident_group() -> None:
    """Incidents: what happened, when, where, to what and with which weapons."""


@incident_group.command("add")
@click.option("--case", "case_name", required=True, help="The case the incident belongs to.")
@field_options(INCIDENT, adding=True, enforce=False)
@click.option("--json", "as_json", is_flag=True, help="Print the new incident as JSON.")
def add(case_name: str, as_json: bool, **options: Any) -> None:
    """Record a new incident."""
    from testament.documentation import incidents  # noqa: PLC0415 - imported on use: keeps --help fast

    fields = _given(options)
    if "title" not in fields:
        raise click.UsageError("--title is required")
    with opened() as inst:
        new_id = incidents.create(inst, case_name, incidents.IncidentInput(**fields))
        shown = incidents.show(inst, new_id)
    _warn(shown)
    if as_json:
        json_line(shown)
    else:
        click.echo(f"Recorded incident {new_id}")


def _warn(shown: IncidentView) -> None:
    for warning in shown.warnings:
        click.echo(f"warning: {warning}", err=True)


@incident_group.command("edit")
@click.argument("incident_id")
@field_options(INCIDENT, adding=False)
@click.option("--expect-version", type=int,
              help="Refuse the edit if the incident is no longer at this version.")  # fmt: skip
def edit(incident_id: str, expect_version: int | None, **options: Any) -> None:
    """Change fields of an incident; the earlier version stays retrievable."""
    from testament.documentation import incidents  # noqa: PLC0415 - imported on use: keeps --help fast

    changes = _given(options)
    if not changes:
        raise click.UsageError("name at least one field to change")
    with opened() as inst:
        version = incidents.edit(inst, incident_id, changes, expected_version=expect_version)
        shown = incidents.show(inst, incident_id)
    _warn(shown)
    click.echo(f"Incident {incident_id} is at version {version}")


@incident_group.command("delete")
@click.argument("incident_id")
@click.option(
    "--expect-version", type=int, help="Refuse if the incident is no longer at this version."
)
def delete(incident_id: str, expect_version: int | None) -> None:
    """Mark an incident deleted (it and its history stay in the database and the log)."""
    from testament.documentation import incidents  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        version = incidents.delete(inst, incident_id, expected_version=expect_version)
    click.echo(f"Incident {incident_id} marked deleted (version {version})")


@incident_group.command("show")
@click.argument("incident_id")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def show(incident_id: str, as_json: bool) -> None:
    """Show an incident and everything linked to it."""
    from testament.documentation import incidents  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        data = incidents.show(inst, incident_id)
    if as_json:
        json_line(data)
        return
    for key in ("id", "title", "status", "date_text", "occurred_from", "occurred_to", "place_text"):
        click.echo(f"{key:>14}: {getattr(data, key)}")
    if data.latitude is not None:
        click.echo(
            f"{'point':>14}: {data.latitude}, {data.longitude} ± {data.uncertainty_m or '?'} m"
        )
    click.echo(f"{'areas':>14}: {', '.join(a.name for a in data.areas) or '-'}")
    for name in ("types", "targets", "weapons", "sensitivity"):
        click.echo(f"{name:>14}: {', '.join(getattr(data, name)) or '-'}")
    for name, values in data.unmapped.items():
        click.echo(
            f"{'unmapped':>14}: {name}: {', '.join(values)} (kept verbatim, not in a vocabulary)"
        )
    for figure in data.casualties:
        click.echo(f"{'casualties':>14}: {figure.category} {figure.qualifier} {figure.count}")
    click.echo(f"{'version':>14}: {data.version} (updated {data.updated_at})")


@incident_group.command("list")
@click.option("--case", "case_name", required=True, help="The case.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_command(case_name: str, limit: int, offset: int, as_json: bool) -> None:
    """List a case's incidents, oldest first."""
    from testament.documentation import incidents  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        rows = incidents.list_for_case(inst, case_name, limit=limit, offset=offset)
    for row in rows:
        if as_json:
            json_line(row)
        else:
            when = row.occurred_from or "undated"
            click.echo(f"{row.id}  {when[:10]}  {row.status:<12} {row.title}")


@incident_group.command("history")
@click.argument("incident_id")
@click.option("--kind", default="incident", show_default=True,
              help="The kind of record (incident, casualty, incident-relation …).")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON object per version.")
def history_command(incident_id: str, kind: str, as_json: bool) -> None:
    """Every version of a record: who changed what, when, and its custody log entry."""
    from testament.documentation import incidents  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        found = incidents.versions(inst, kind, incident_id)
    echo_versions(found, as_json)


@incident_group.command("casualty")
@click.argument("incident_id")
@click.option(
    "--category", required=True, help="killed, killed-children, injured or injured-children."
)
@click.option("--count", required=True, help="How many.")
@click.option(
    "--qualifier", default="exact", show_default=True, help="exact, at-least or approximate."
)
@click.option("--source", "source_id", help="The ID of the source giving this figure.")
@click.option("--note", default="", help="Free text.")
def casualty(
    incident_id: str, category: str, count: str, qualifier: str, source_id: str | None, note: str
) -> None:
    """Add a casualty figure to an incident, with its source."""
    from testament.documentation import incidents  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        new_id = incidents.add_casualty(
            inst,
            incident_id,
            category=category,
            count=count,
            qualifier=qualifier,
            source_id=source_id,
            note=note,
        )
    click.echo(f"Recorded casualty figure {new_id}")


@incident_group.command("relate")
@click.argument("incident_id")
@click.argument("related_id")
@click.option("--relation", required=True, help="part-of, follows, same-event-reported-twice …")
@click.option("--note", default="", help="Free text.")
def relate(incident_id: str, related_id: str, relation: str, note: str) -> None:
    """Relate INCIDENT_ID to RELATED_ID."""
    from testament.documentation import incidents  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        new_id = incidents.relate(inst, incident_id, related_id, relation, note)
    click.echo(f"Recorded relation {new_id}")


# Updating incidents from a CSV keyed by ID lives with the other bulk commands.
incident_group.add_command(update_csv)
