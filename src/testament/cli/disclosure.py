"""`testament disclosure …`: two people approve an export that names the people in it (MC-06)."""

from __future__ import annotations

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, json_line


@click.group("disclosure")
def disclosure_group() -> None:
    """Named exports: one person asks, a different person approves, the export uses it once."""


@disclosure_group.command("request")
@click.option("--case", "case_name", required=True, help="The case to export.")
@click.option(
    "--for", "recipient_class", required=True, help="Who receives it (recipient-classes)."
)
@click.option("--purpose", required=True, help="What it is for (consent-purposes).")
@click.option("--recipient", required=True, help="The receiving organisation.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def request(
    case_name: str, recipient_class: str, purpose: str, recipient: str, as_json: bool
) -> None:
    """Ask for an export of testimonies that names the people in them."""
    from testament.transfer import disclosure  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        approval_id = disclosure.request(inst, case_name, recipient_class, purpose, recipient)
    if as_json:
        json_line({"id": approval_id})
    else:
        click.echo(f"Requested {approval_id}; a second person must approve it")


@disclosure_group.command("approve")
@click.argument("approval_id")
def approve(approval_id: str) -> None:
    """Approve someone else's request for a named export."""
    from testament.transfer import disclosure  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        disclosure.approve(inst, approval_id)
    click.echo(f"Approved {approval_id}; it can be used for one export")


@disclosure_group.command("pending")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def pending(as_json: bool) -> None:
    """List requests waiting for approval."""
    from testament.transfer import disclosure  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        rows = disclosure.pending(inst)
    for row in rows:
        if as_json:
            json_line(row)
        else:
            click.echo(f"{row.id}  {row.recipient_class} for {row.purpose}: {row.recipient}")
