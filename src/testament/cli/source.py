"""`testament source …`: where information comes from, and the incidents each source reports on."""

from __future__ import annotations

from typing import Any

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, echo_created, json_line
from testament.cli.record_commands import (
    delete_command,
    edit_command,
    field_options,
    history_command,
)
from testament.documentation import sources
from testament.documentation.kinds import SOURCE


@click.group("source")
def source_group() -> None:
    """Sources of information: web pages, documents, people, organisations …"""


@source_group.command("add")
@click.option("--case", "case_name", required=True, help="The case the source belongs to.")
@field_options(SOURCE, adding=True)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def add(case_name: str, as_json: bool, **options: Any) -> None:
    """Record a source in a case."""
    with opened() as inst:
        new_id = sources.create(inst, case_name, **options)
    echo_created("source", new_id, as_json)


edit = edit_command(source_group, SOURCE, sources.edit, argument="source_id",
                    doc="Change fields of a source; the earlier version stays retrievable.")  # fmt: skip
delete = delete_command(
    source_group, SOURCE, sources.delete, argument="source_id",
    doc="Mark a source deleted (it, its links and its history stay in the database and the log).",
)  # fmt: skip


@source_group.command("show")
@click.argument("source_id")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def show(source_id: str, as_json: bool) -> None:
    """Show a source, the incidents it reports on and the evidence links citing it."""
    with opened() as inst:
        data = sources.show(inst, source_id)
    if as_json:
        json_line(data)
        return
    for key in ("id", "kind", "title", "url", "reference", "published_at", "description"):
        click.echo(f"{key:>12}: {getattr(data, key) or '-'}")
    for link in data.incidents:
        click.echo(f"{'incident':>12}: {link.incident_id}  {link.note}".rstrip())
    for cited in data.evidence:
        click.echo(f"{'evidence':>12}: item {cited.item_id} for incident {cited.incident_id}")
    click.echo(f"{'version':>12}: {data.version} (updated {data.updated_at})")


@source_group.command("list")
@click.option("--case", "case_name", required=True, help="The case.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_command(case_name: str, limit: int, offset: int, as_json: bool) -> None:
    """List a case's sources by title."""
    with opened() as inst:
        rows = sources.list_for_case(inst, case_name, limit=limit, offset=offset)
    for row in rows:
        if as_json:
            json_line(row)
        else:
            click.echo(f"{row.id}  {row.kind:<18} {row.title}")


@source_group.command("link")
@click.argument("source_id")
@click.option("--incident", "incident_id", required=True, help="An incident of the source's case.")
@click.option("--note", default="", help="What the source says about the incident.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def link(source_id: str, incident_id: str, note: str, as_json: bool) -> None:
    """Record that a source reports on an incident (link evidence with `testament evidence link --source`)."""
    with opened() as inst:
        new_id = sources.link_incident(inst, source_id, incident_id, note)
    echo_created("link", new_id, as_json)


history_command(source_group, SOURCE, sources.versions,
                doc="Every version of a source or a source–incident link, with its custody log entry.")  # fmt: skip
