"""`testament consent …`: record, list, check and withdraw a person's consent grants (docs/survivors.md)."""

from __future__ import annotations

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, json_line
from testament.domain import consent as rules
from testament.errors import ConsentRequired
from testament.survivors import consent


@click.group("consent")
def consent_group() -> None:
    """A person's informed consent: one grant per purpose and recipient class; every use asks it."""


@consent_group.command("grant")
@click.argument("person_id")
@click.option("--purpose", required=True, help="A consent-purposes code.")
@click.option("--recipient-class", required=True, help="A recipient-classes code.")
@click.option("--scope", default="all", show_default=True, help="A data-scopes code.")
@click.option(
    "--identifiability",
    type=click.Choice(rules.IDENTIFIABILITY),
    default="pseudonymous",
    show_default=True,
    help="How identifiable they agreed to be to this recipient.",
)
@click.option(
    "--mode", type=click.Choice(rules.MODES), required=True, help="How consent was given."
)
@click.option("--language", required=True, help="The language it was given in (uk, ru, en …).")
@click.option("--info-sheet", required=True, help="The version of the information sheet shown.")
@click.option(
    "--understood", is_flag=True, help="They restated in their own words what they agreed to."
)
@click.option("--expires", help="The last day the grant holds (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def grant(
    person_id: str,
    purpose: str,
    recipient_class: str,
    scope: str,
    identifiability: str,
    mode: str,
    language: str,
    info_sheet: str,
    understood: bool,
    expires: str | None,
    as_json: bool,
) -> None:
    """Record a consent grant."""
    values = consent.GrantInput(
        purpose=purpose,
        recipient_class=recipient_class,
        data_scope=scope,
        identifiability=identifiability,
        mode=mode,
        language=language,
        info_sheet_version=info_sheet,
        understanding_checked=understood,
        expires_at=expires,
    )
    with opened() as inst:
        grant_id = consent.grant(inst, person_id, values)
    if as_json:
        json_line({"id": grant_id})
    else:
        click.echo(f"Recorded grant {grant_id}: {purpose} to {recipient_class}, scope {scope}")


@consent_group.command("list")
@click.argument("person_id")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_command(person_id: str, as_json: bool) -> None:
    """List a person's grants and their state (active, expired, withdrawn)."""
    with opened() as inst:
        rows = consent.grants(inst, person_id)
    for row in rows:
        if as_json:
            json_line(row)
        else:
            click.echo(
                f"{row.id}  {row.state:<9}  {row.purpose} to {row.recipient_class}, "
                f"scope {row.data_scope}, {row.identifiability}"
            )


@consent_group.command("check")
@click.argument("person_id")
@click.option("--use", "purpose", required=True, help="The purpose of the use (consent-purposes).")
@click.option("--recipient-class", required=True, help="Who would receive it (recipient-classes).")
@click.option(
    "--scope", help="A data-scopes code [default: all for --as refer, testimony otherwise]."
)
@click.option("--as", "kind", type=click.Choice(rules.USES), default="export", show_default=True)
def check(person_id: str, purpose: str, recipient_class: str, scope: str | None, kind: str) -> None:
    """Exit 0 if a live grant covers the use; otherwise exit 5 naming the missing grant.

    With --as refer --use referral-support --recipient-class partner-organisation it asks what a
    referral asks (scope all, named)."""
    default = consent.referral_use().data_scope if kind == "refer" else "testimony"
    use = consent.check_use(kind, purpose, recipient_class, scope or default)
    with opened() as inst:
        decision = consent.check(inst, person_id, use)
    if not decision.allowed:
        raise ConsentRequired(
            f"consent does not cover this {kind}: {decision.reason}", where=f"person {person_id}"
        )
    click.echo(f"Allowed by {decision.reason}")


@consent_group.command("withdraw")
@click.argument("person_id")
@click.option(
    "--via",
    type=click.Choice(consent.WITHDRAWAL_CHANNELS),
    required=True,
    help="How the person told us.",
)
@click.option("--grant", "grant_ids", multiple=True, help="Withdraw only this grant (repeatable).")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def withdraw(person_id: str, via: str, grant_ids: tuple[str, ...], as_json: bool) -> None:
    """Withdraw consent (all grants, or those named); lists the recipients who must be told."""
    with opened() as inst:
        result = consent.withdraw(inst, person_id, communicated_via=via, grant_ids=grant_ids)
    if as_json:
        json_line(result.as_json())
        return
    click.echo(f"Withdrew {len(result.revoked)} grants ({result.id})")
    if not result.to_tell:
        click.echo("No recipient had received their information under these grants")
    for recipient in result.to_tell:
        click.echo(
            f"  tell: {recipient.recipient} ({recipient.recipient_class}), "
            f"{recipient.uses} uses since {recipient.first_served}"
        )
