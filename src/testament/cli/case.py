"""`testament case …` and `testament situation …`: investigation workspaces and the conflicts they sit in."""

from __future__ import annotations

import click

from testament.cli.context import opened
from testament.cli.output import json_line


@click.group("case")
def case_group() -> None:
    """Cases: investigation workspaces grouping incidents, evidence and people."""


@case_group.command("create")
@click.argument("name")
@click.option("--situation", help="The situation (conflict) the case belongs to.")
@click.option("--json", "as_json", is_flag=True, help="Print the new case as JSON.")
def case_create(name: str, situation: str | None, as_json: bool) -> None:
    """Create a case called NAME."""
    from testament.custody import cases  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        case_id = cases.create_case(inst, name, situation_name=situation)
    if as_json:
        json_line({"id": case_id, "name": name.strip(), "situation": situation})
    else:
        click.echo(f"Created case {case_id}")


@case_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def case_list(as_json: bool) -> None:
    """List cases with their situation and number of incidents."""
    from testament.custody import cases  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        found = cases.list_cases(inst)
    for summary in found:
        if as_json:
            json_line(summary)
        else:
            situation = f" [{summary.situation}]" if summary.situation else ""
            closed = "  closed" if summary.closed_at else ""
            click.echo(
                f"{summary.id}  {summary.name}{situation}  {summary.incidents} incident(s){closed}"
            )


@case_group.command("set-situation")
@click.argument("case_name")
@click.argument("situation")
def case_set_situation(case_name: str, situation: str) -> None:
    """Place CASE_NAME in SITUATION (its conflict type decides which war-crime codes apply)."""
    from testament.custody import cases  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        cases.assign_situation(inst, case_name, situation)
    click.echo("Situation set")


@case_group.command("close")
@click.argument("case_name")
def case_close(case_name: str) -> None:
    """Close CASE_NAME; refused while an urgent need of one of its people is unaddressed."""
    from testament.custody import cases  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        when = cases.close_case(inst, case_name)
    click.echo(f"Case closed at {when}")


@case_group.command("reopen")
@click.argument("case_name")
def case_reopen(case_name: str) -> None:
    """Reopen a closed case."""
    from testament.custody import cases  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        cases.reopen_case(inst, case_name)
    click.echo("Case reopened")


@click.group("situation")
def situation_group() -> None:
    """Situations: the conflict context, its characterisation and the Statute amendments in force."""


@situation_group.command("create")
@click.argument("name")
@click.option("--conflict", required=True,
              help="international, non-international, both or unknown.")  # fmt: skip
@click.option("--from", "starts_on", help="When the situation starts (YYYY-MM-DD).")
@click.option("--to", "ends_on", help="When it ends, if it has.")
@click.option("--amendment", "amendments", multiple=True,
              help="A Statute amendment in force for it (repeatable), e.g. amendment-2019.")  # fmt: skip
@click.option("--description", default="", help="Free text.")
@click.option("--json", "as_json", is_flag=True, help="Print the new situation as JSON.")
def situation_create(
    name: str,
    conflict: str,
    starts_on: str | None,
    ends_on: str | None,
    amendments: tuple[str, ...],
    description: str,
    as_json: bool,
) -> None:
    """Create a situation called NAME."""
    from testament.custody import cases  # noqa: PLC0415 - imported on use: keeps --help fast

    values = cases.situation_values(
        name,
        conflict=conflict,
        starts_on=starts_on,
        ends_on=ends_on,
        amendments=list(amendments),
        description=description,
    )
    with opened() as inst:
        situation_id = cases.create_situation(inst, values)
    if as_json:
        json_line(values | {"id": situation_id})
    else:
        click.echo(f"Created situation {situation_id}")


@situation_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def situation_list(as_json: bool) -> None:
    """List situations."""
    from testament.custody import cases  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        found = cases.list_situations(inst)
    for item in found:
        if as_json:
            json_line(item)
        else:
            span = f"{item.starts_on or '?'} – {item.ends_on or ''}"
            click.echo(f"{item.id}  {item.name}  {item.conflict}  {span}")
