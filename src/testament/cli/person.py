"""`testament person …`: people in a case (by label only) and the roles they hold in incidents."""

from __future__ import annotations

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, echo_created, echo_versions, echo_written, json_line
from testament.services import people


@click.group("person")
def person_group() -> None:
    """People in a case, by label (a pseudonym or public name), and their roles in incidents."""


@person_group.command("add")
@click.option("--case", "case_name", required=True, help="The case the person belongs to.")
@click.option("--label", required=True, help="A pseudonym, or a public figure's public name.")
@click.option(
    "--description", default="", help="What matters about them, without identifying details."
)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def add(case_name: str, label: str, description: str, as_json: bool) -> None:
    """Record a person in a case."""
    with opened() as inst:
        new_id = people.create(inst, case_name, label, description)
    echo_created("person", new_id, as_json)


@person_group.command("edit")
@click.argument("person_id")
@click.option("--label", help="A new label.")
@click.option("--description", help="A new description.")
@click.option(
    "--expect-version", type=int, help="Refuse if the person is no longer at this version."
)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def edit(
    person_id: str,
    label: str | None,
    description: str | None,
    expect_version: int | None,
    as_json: bool,
) -> None:
    """Change a person's label or description; the earlier version stays retrievable."""
    changes = {k: v for k, v in (("label", label), ("description", description)) if v is not None}
    if not changes:
        raise click.UsageError("name at least one field to change")
    with opened() as inst:
        version = people.edit(inst, person_id, changes, expected_version=expect_version)
    echo_written("Person", person_id, version, as_json)


@person_group.command("delete")
@click.argument("person_id")
@click.option(
    "--expect-version", type=int, help="Refuse if the person is no longer at this version."
)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def delete(person_id: str, expect_version: int | None, as_json: bool) -> None:
    """Mark a person deleted (refused while they hold roles); their history stays."""
    with opened() as inst:
        version = people.delete(inst, person_id, expected_version=expect_version)
    echo_written("Person", person_id, version, as_json, "marked deleted at")


@person_group.command("show")
@click.argument("person_id")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def show(person_id: str, as_json: bool) -> None:
    """Show a person and the roles they hold."""
    with opened() as inst:
        data = people.show(inst, person_id)
    if as_json:
        json_line(data)
        return
    for key in ("id", "label", "description"):
        click.echo(f"{key:>12}: {data[key] or '-'}")
    for role in data["roles"]:
        click.echo(f"{'role':>12}: {role['role']} in incident {role['incident_id']} ({role['id']})")
    click.echo(f"{'version':>12}: {data['version']} (updated {data['updated_at']})")


@person_group.command("list")
@click.option("--case", "case_name", required=True, help="The case.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_command(case_name: str, limit: int, offset: int, as_json: bool) -> None:
    """List a case's people by label."""
    with opened() as inst:
        rows = people.list_for_case(inst, case_name, limit=limit, offset=offset)
    for row in rows:
        if as_json:
            json_line(row)
        else:
            click.echo(f"{row['id']}  {row['label']}")


@person_group.group("role")
def role_group() -> None:
    """The roles a person holds in incidents (victim, witness, alleged perpetrator …)."""


@role_group.command("add")
@click.argument("person_id")
@click.option("--incident", "incident_id", required=True, help="An incident of the person's case.")
@click.option(
    "--role", required=True, help="A person-roles code (`testament taxonomy terms person-roles`)."
)
@click.option("--note", default="", help="Free text.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def role_add(person_id: str, incident_id: str, role: str, note: str, as_json: bool) -> None:
    """Give a person a role in an incident."""
    with opened() as inst:
        new_id = people.add_role(inst, person_id, incident_id, role, note)
    echo_created("role", new_id, as_json)


@role_group.command("remove")
@click.argument("role_id")
@click.option("--expect-version", type=int, help="Refuse if the role is no longer at this version.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def role_remove(role_id: str, expect_version: int | None, as_json: bool) -> None:
    """Remove a role (it is marked deleted; its history stays)."""
    with opened() as inst:
        version = people.remove_role(inst, role_id, expected_version=expect_version)
    echo_written("Role", role_id, version, as_json, "marked deleted at")


@person_group.command("history")
@click.argument("record_id")
@click.option("--kind", type=click.Choice(people.KINDS), default="person", show_default=True,
              help="The kind of record.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="One JSON object per version.")
def history_command(record_id: str, kind: str, as_json: bool) -> None:
    """Every version of a person or a role: who changed what, when, and its custody log entry."""
    with opened() as inst:
        found = people.versions(inst, record_id, kind)
    echo_versions(found, as_json)
