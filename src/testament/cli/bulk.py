"""`testament tag …` (tags on items and incidents, one or many at once) and `testament incident
update-csv` (updating incidents from a CSV keyed by ID: a dry run shows the diff, applying needs the
digest it printed)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, json_line, read_bytes
from testament.domain.tags import TARGET_KINDS

if TYPE_CHECKING:
    from testament.transfer.results import UpdatePlan

KIND = click.option(
    "--kind",
    type=click.Choice(TARGET_KINDS),
    default="item",
    show_default=True,
    help="What the IDs name: evidence items or incidents.",
)


@click.group("tag")
def tag_group() -> None:
    """Free tags on evidence items and incidents: add, remove, list."""


def _outcome(done: object, as_json: bool, verb: str) -> None:
    if as_json:
        json_line(done)
        return
    changed = getattr(done, "changed", ())
    unchanged = getattr(done, "unchanged", ())
    click.echo(f"{verb} {len(changed)}; {len(unchanged)} already so")


@tag_group.command("add")
@click.argument("tag")
@click.argument("ids", nargs=-1, required=True)
@KIND
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def add(tag: str, ids: tuple[str, ...], kind: str, as_json: bool) -> None:
    """Tag the items (or incidents) IDS with TAG, all or none."""
    from testament.documentation import tags  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        done = tags.add(inst, kind, list(ids), tag)
    _outcome(done, as_json, "Tagged")


@tag_group.command("remove")
@click.argument("tag")
@click.argument("ids", nargs=-1, required=True)
@KIND
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def remove(tag: str, ids: tuple[str, ...], kind: str, as_json: bool) -> None:
    """Take TAG off the items (or incidents) IDS, all or none."""
    from testament.documentation import tags  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        done = tags.remove(inst, kind, list(ids), tag)
    _outcome(done, as_json, "Untagged")


@tag_group.command("list")
@click.option("--case", "case_name", help="The tags of a case, with how many records carry each.")
@click.option("--record", "record_id", help="The tags of one item or incident.")
@click.option("--tag", "text", help="With --case: the IDs of the records that carry this tag.")
@KIND
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_command(
    case_name: str | None, record_id: str | None, text: str | None, kind: str, as_json: bool
) -> None:
    """The tags of a case or of one record, or the records of a case that carry a tag."""
    if (case_name is None) == (record_id is None):
        raise click.UsageError("give --case or --record")
    from testament.documentation import tags  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        if record_id is not None:
            for view in tags.of_record(inst, kind, record_id):
                json_line(view) if as_json else click.echo(view.label)
        elif text is not None:
            for found in tags.tagged(inst, str(case_name), kind, text):
                json_line({"id": found}) if as_json else click.echo(found)
        else:
            for count in tags.of_case(inst, str(case_name), kind):
                json_line(count) if as_json else click.echo(f"{count.label}\t{count.records}")


def _print_plan(plan: UpdatePlan) -> None:
    for change in plan.changes:
        click.echo(f"row {change.row}: incident {change.incident_id} (version {change.version})")
        for one in change.changes:
            click.echo(f"  {one.field}: {one.old!r} -> {one.new!r}")
    for error in plan.errors:
        shown = f" ({error.incident_id})" if error.incident_id else ""
        click.echo(f"row {error.row}, column {error.column}{shown}: {error.why}", err=True)
    click.echo(
        f"{plan.rows} rows: {len(plan.changes)} change, {plan.unchanged} change nothing, "
        f"{len(plan.errors)} in error"
    )


@click.command("update-csv")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--case", "case_name", required=True, help="The case whose incidents the file updates."
)
@click.option("--dry-run/--apply", "dry_run", default=True,
              help="Show the diff and write nothing (the default), or write it.")  # fmt: skip
@click.option("--confirm", "digest", help="With --apply: the digest the dry run printed.")
@click.option("--only-valid", is_flag=True, help="With --apply: write the valid rows even if others are in error.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def update_csv(
    file: Path, case_name: str, dry_run: bool, digest: str | None, only_valid: bool, as_json: bool
) -> None:
    """Update incidents from a CSV keyed by their ID: a dry run first, then --apply --confirm DIGEST."""
    from testament.transfer import csv_update  # noqa: PLC0415 - imported on use: keeps --help fast

    content = read_bytes(file, "file")
    with opened() as inst:
        if dry_run:
            plan = csv_update.preview(inst, case_name, content, file.name)
        elif not digest:
            raise click.UsageError(
                "--apply needs --confirm DIGEST, printed by a dry run of this file"
            )
        else:
            plan = csv_update.apply(inst, case_name, content, file.name, digest=digest,
                                    only_valid=only_valid)  # fmt: skip
    if as_json:
        json_line(plan)
        return
    _print_plan(plan)
    if plan.applied:
        click.echo(f"Wrote {plan.written} incidents, each as a new version")
    else:
        click.echo(f"Nothing written. To apply: --apply --confirm {plan.digest}")
