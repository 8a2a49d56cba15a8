"""`testament service|need|referral …`: the directory of support services, survivors' needs, referrals
and their follow-ups (Murad Code MC-05; docs/survivors.md)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, echo_created, json_line

if TYPE_CHECKING:
    from testament.survivors.results import FollowUp

DAY = click.DateTime(formats=["%Y-%m-%d"])


@click.group("service")
def service_group() -> None:
    """The directory of support services that people can be referred to (shared by every case)."""


@service_group.command("add")
@click.argument("name")
@click.option("--area", "areas", multiple=True, required=True,
              help="A support area it covers (repeatable): medical, psychosocial, legal, "
              "protection, shelter, livelihood.")  # fmt: skip
@click.option("--region", required=True, help="The region it serves.")
@click.option("--contact", required=True, help="How to reach the service (not a survivor).")
@click.option("--language", "languages", multiple=True,
              help="A language it works in (repeatable), e.g. uk.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def service_add(
    name: str,
    areas: tuple[str, ...],
    region: str,
    contact: str,
    languages: tuple[str, ...],
    as_json: bool,
) -> None:
    """Add the service NAME to the directory."""
    from testament.survivors import directory  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        new_id = directory.add_service(inst, name, areas, region, contact, languages=languages)
    echo_created("service", new_id, as_json)


@service_group.command("list")
@click.option("--area", help="Only services covering this support area.")
@click.option("--region", help="Only services in this region (any letter case).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def service_list(area: str | None, region: str | None, as_json: bool) -> None:
    """List the directory by name."""
    from testament.survivors import directory  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        found = directory.list_services(inst, area=area, region=region)
    for row in found:
        if as_json:
            json_line(row)
        else:
            click.echo(
                f"{row.id}  {row.name}  [{', '.join(row.areas)}]  {row.region}  "
                f"{row.contact}  {' '.join(row.languages) or '-'}"
            )


@service_group.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def service_import(path: Path, as_json: bool) -> None:
    """Add every service of a CSV file with the header name,areas,region,contact,languages.

    Areas and languages are separated by ";". All or nothing: a bad row refuses the whole file and
    each problem is named by row (the header is row 1) and column.
    """
    from testament.survivors import directory  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        ids = directory.import_services(inst, path)
    if as_json:
        json_line({"ids": ids})
    else:
        click.echo(f"Imported {len(ids)} service(s)")


@click.group("need")
def need_group() -> None:
    """A person's support needs: each area assessed with its urgency and a sealed note."""


@need_group.command("add")
@click.argument("person_id")
@click.option("--area", required=True, help="The support area (support-areas).")
@click.option("--urgency", required=True, help="urgent, soon, routine or none.")
@click.option("--note", default="",
              help="What is needed (sealed with the person's key; never logged). '-' reads it "
              "from standard input, which keeps it out of the shell's history.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def need_add(person_id: str, area: str, urgency: str, note: str, as_json: bool) -> None:
    """Record a need of PERSON_ID."""
    from testament.survivors import referrals  # noqa: PLC0415 - imported on use: keeps --help fast

    text = sys.stdin.read() if note == "-" else note
    with opened() as inst:
        (new_id,) = referrals.assess_needs(inst, person_id, [(area, urgency, text)])
    echo_created("need", new_id, as_json)


@need_group.command("list")
@click.argument("person_id")
@click.option("--purpose", help="Show the notes too; why you read them is recorded in the log.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def need_list(person_id: str, purpose: str | None, as_json: bool) -> None:
    """List PERSON_ID's needs, oldest first, with their referrals."""
    from testament.survivors import referrals  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.survivors.results import NeedWithNote  # noqa: PLC0415 - as above

    with opened() as inst:
        found = referrals.needs_for_person(inst, person_id, purpose=purpose)
    for need in found:
        if as_json:
            json_line(need)
            continue
        state = f"addressed {need.addressed_at[:10]}" if need.addressed_at else "open"
        click.echo(
            f"{need.id}  {need.area:<12} {need.urgency:<8} "
            f"assessed {need.assessed_at[:10]}  {state}"
        )
        if isinstance(need, NeedWithNote):
            click.echo(f"    note: {need.note or '-'}")
        for ref in need.referrals:
            due = f", follow up {ref.follow_up_due}" if ref.follow_up_due else ""
            click.echo(f"    referral {ref.id}: {ref.service}, {ref.status}{due}")


@need_group.command("addressed")
@click.argument("need_id")
def need_addressed(need_id: str) -> None:
    """Mark NEED_ID addressed without a referral."""
    from testament.survivors import referrals  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        referrals.mark_addressed(inst, need_id)
    click.echo(f"Need {need_id} is addressed")


@need_group.command("urgent")
@click.option("--case", "case_name", required=True, help="The case.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def need_urgent(case_name: str, as_json: bool) -> None:
    """List the case's urgent needs not yet addressed (they keep it from closing)."""
    from testament.survivors import referrals  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        found = referrals.urgent_needs(inst, case_name)
    for need in found:
        if as_json:
            json_line(need)
        else:
            pending = "  referral pending" if need.referral_pending else ""
            click.echo(
                f"{need.id}  {need.label}  {need.area}  since {need.assessed_at[:10]}{pending}"
            )


@click.group("referral")
def referral_group() -> None:
    """Referrals of needs to services of the directory, and their follow-ups."""


@referral_group.command("add")
@click.argument("need_id")
@click.option("--service", required=True, help="The service's ID or name; it must cover the area.")
@click.option("--follow-up", "follow_up", help="When to follow up (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def referral_add(need_id: str, service: str, follow_up: str | None, as_json: bool) -> None:
    """Refer NEED_ID to a service (status: proposed)."""
    from testament.survivors import referrals  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        new_id = referrals.refer(inst, need_id, service, follow_up_due=follow_up)
    echo_created("referral", new_id, as_json)


@referral_group.command("update")
@click.argument("referral_id")
@click.option("--status", help="proposed, accepted, declined, completed or no-response.")
@click.option("--follow-up", "follow_up", help="A new follow-up date (YYYY-MM-DD).")
@click.option("--no-follow-up", is_flag=True, help="Remove the follow-up date.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def referral_update(
    referral_id: str,
    status: str | None,
    follow_up: str | None,
    no_follow_up: bool,
    as_json: bool,
) -> None:
    """Change a referral's status or follow-up; accepted or completed addresses its need."""
    from testament.survivors import referrals  # noqa: PLC0415 - imported on use: keeps --help fast

    if follow_up is not None and no_follow_up:
        raise click.UsageError("give --follow-up or --no-follow-up, not both")
    with opened() as inst:
        updated = referrals.update_referral(
            inst, referral_id, status, follow_up, clear_follow_up=no_follow_up
        )
    if as_json:
        json_line(updated)
    else:
        click.echo(f"Referral {referral_id} is {updated.status}")


@referral_group.command("due")
@click.option("--case", "case_name", help="Only this case (default: every case).")
@click.option("--on", "on_day", type=DAY, help="As of this day (default: today, UTC).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def referral_due(case_name: str | None, on_day: datetime | None, as_json: bool) -> None:
    """List follow-ups due: referrals whose follow-up date has come and that are not completed, and
    urgent needs that no pending referral covers."""
    from testament.survivors import referrals  # noqa: PLC0415 - imported on use: keeps --help fast

    today = (on_day or datetime.now(UTC)).date()
    with opened() as inst:
        found = referrals.due_for_case(inst, case_name, today)
    for item in found:
        if as_json:
            json_line(item)
        else:
            click.echo(_due_line(item))


def _due_line(item: FollowUp) -> str:
    who = f"{item.case}  {item.label}  {item.area}"
    if item.kind == "referral":
        return (
            f"follow up  {item.follow_up_due}  {who}  referral {item.referral_id} ({item.status})"
        )
    return f"urgent     {item.assessed_at[:10]}  {who}  need {item.need_id} (no referral)"
