"""`testament source …`: where information comes from, and the incidents each source reports on."""

from __future__ import annotations

from typing import Any

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, echo_created, echo_versions, echo_written, json_line
from testament.documentation import sources


@click.group("source")
def source_group() -> None:
    """Sources of information: web pages, documents, people, organisations …"""


@source_group.command("add")
@click.option("--case", "case_name", required=True, help="The case the source belongs to.")
@click.option(
    "--kind", required=True, help="A source-types code (`testament taxonomy terms source-types`)."
)
@click.option("--title", required=True, help="A short title.")
@click.option("--url", help="Its http(s) address; required for kind url.")
@click.option("--reference", default="", help="A citation, file number or other reference.")
@click.option("--published", "published_at", default="",
              help="When it was published: YYYY-MM-DD, YYYY-MM, YYYY or an ISO time with a zone.")  # fmt: skip
@click.option("--description", default="", help="Free text.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def add(case_name: str, as_json: bool, **options: Any) -> None:
    """Record a source in a case."""
    with opened() as inst:
        new_id = sources.create(inst, case_name, **options)
    echo_created("source", new_id, as_json)


@source_group.command("edit")
@click.argument("source_id")
@click.option("--kind", help="A new source-types code.")
@click.option("--title", help="A new title.")
@click.option("--url", help="A new http(s) address.")
@click.option("--reference", help="A new reference.")
@click.option("--published", "published_at", help="A new publication date.")
@click.option("--description", help="A new description.")
@click.option(
    "--expect-version", type=int, help="Refuse if the source is no longer at this version."
)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def edit(source_id: str, expect_version: int | None, as_json: bool, **options: Any) -> None:
    """Change fields of a source; the earlier version stays retrievable."""
    changes = {k: v for k, v in options.items() if v is not None}
    if not changes:
        raise click.UsageError("name at least one field to change")
    with opened() as inst:
        version = sources.edit(inst, source_id, changes, expected_version=expect_version)
    echo_written("Source", source_id, version, as_json)


@source_group.command("delete")
@click.argument("source_id")
@click.option(
    "--expect-version", type=int, help="Refuse if the source is no longer at this version."
)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def delete(source_id: str, expect_version: int | None, as_json: bool) -> None:
    """Mark a source deleted (it, its links and its history stay in the database and the log)."""
    with opened() as inst:
        version = sources.delete(inst, source_id, expected_version=expect_version)
    echo_written("Source", source_id, version, as_json, "marked deleted at")


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
        click.echo(f"{key:>12}: {data[key] or '-'}")
    for link in data["incidents"]:
        click.echo(f"{'incident':>12}: {link['incident_id']}  {link['note']}".rstrip())
    for link in data["evidence"]:
        click.echo(f"{'evidence':>12}: item {link['item_id']} for incident {link['incident_id']}")
    click.echo(f"{'version':>12}: {data['version']} (updated {data['updated_at']})")


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
            click.echo(f"{row['id']}  {row['kind']:<18} {row['title']}")


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


@source_group.command("history")
@click.argument("record_id")
@click.option("--kind", type=click.Choice(sources.KINDS), default="source", show_default=True,
              help="The kind of record.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON object per version.")
def history_command(record_id: str, kind: str, as_json: bool) -> None:
    """Every version of a source or a source–incident link, with its custody log entry."""
    with opened() as inst:
        found = sources.versions(inst, record_id, kind)
    echo_versions(found, as_json)
