"""`testament user …`: accounts and their role on each case (docs/accounts.md)."""

from __future__ import annotations

import os

import click

from testament.accounts import accounts, credentials
from testament.cli.context import opened
from testament.cli.output import json_line
from testament.domain.access import Role
from testament.domain.interview import TOPICS
from testament.survivors import training

PASSWORD_ENV = "TESTAMENT_PASSWORD"  # noqa: S105 - the variable's name, not a password


@click.group("user")
def user_group() -> None:
    """User accounts and their roles on cases."""


def _new_password() -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env is not None:
        return from_env
    password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@user_group.command("create")
@click.argument("username")
@click.option("--admin", is_flag=True, help="An instance administrator: may do everything.")
@click.option("--organisation", help="The organisation the user belongs to (created if new).")
def user_create(username: str, admin: bool, organisation: str | None) -> None:
    """Create the account USERNAME; the password is prompted for twice (or read from TESTAMENT_PASSWORD)."""
    with opened() as inst:
        user_id = accounts.create_user(
            inst, username, _new_password(), admin=admin, organisation_name=organisation
        )
    click.echo(f"Created user {user_id}")


@user_group.command("grant")
@click.argument("username")
@click.option("--case", "case_name", required=True, help="The case (name or ID).")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
def user_grant(username: str, case_name: str, role: str) -> None:
    """Give USERNAME a role on a case (replacing the role they had there)."""
    with opened() as inst:
        accounts.grant_role(inst, username, case_name, role)
    click.echo(f"Granted {role}")


@user_group.command("revoke")
@click.argument("username")
@click.option("--case", "case_name", required=True, help="The case (name or ID).")
def user_revoke(username: str, case_name: str) -> None:
    """Take away USERNAME's role on a case."""
    with opened() as inst:
        accounts.revoke_role(inst, username, case_name)
    click.echo("Revoked")


@user_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def user_list(as_json: bool) -> None:
    """List accounts with their organisation and their role on each case."""
    with opened() as inst:
        found = accounts.list_users(inst)
    for user in found:
        if as_json:
            json_line(user)
            continue
        flags = "".join(
            [" [admin]" if user.is_admin else "", " [disabled]" if user.disabled else ""]
        )
        org = f" ({user.organisation})" if user.organisation else ""
        roles = ", ".join(f"{case}: {role}" for case, role in sorted(user.roles.items()))
        click.echo(f"{user.id}  {user.username}{org}{flags}  {roles or 'no roles'}")


@user_group.command("totp")
@click.argument("username")
@click.option(
    "--require/--optional",
    default=None,
    help="Make a second factor compulsory for USERNAME (or not).",
)
@click.option(
    "--enrol/--no-enrol", default=True, help="Make a new secret (default) or only change --require."
)
def user_totp(username: str, require: bool | None, enrol: bool) -> None:
    """Give USERNAME a TOTP second factor; prints the secret and the otpauth:// link once.

    The user scans the link (or types the secret) into an authenticator app. Any earlier secret stops
    working. Keep the output off shared screens and out of shell history files.
    """
    with opened() as inst:
        if require is not None:
            credentials.require_totp(inst, username, require)
            click.echo(f"Second factor {'required' if require else 'optional'} for {username}")
        if enrol:
            enrolment = credentials.enrol_totp(inst, username)
            click.echo(f"Secret: {enrolment.secret}")
            click.echo(f"Link:   {enrolment.uri}")


@user_group.command("train")
@click.argument("username")
@click.option("--topic", required=True, type=click.Choice(TOPICS), help="The training completed.")
@click.option("--attested", help="The day it was completed, YYYY-MM-DD (default today).")
@click.option("--expires", help="The last day it holds, YYYY-MM-DD.")
def user_train(username: str, topic: str, attested: str | None, expires: str | None) -> None:
    """Attest that USERNAME completed training, so they may interview vulnerable persons (MC-08)."""
    with opened() as inst:
        number = training.record(inst, username, topic, attested_on=attested, expires_on=expires)
    click.echo(f"Recorded training attestation {number}")


@user_group.command("untrain")
@click.argument("username")
@click.option("--topic", required=True, type=click.Choice(TOPICS), help="The training to revoke.")
def user_untrain(username: str, topic: str) -> None:
    """Revoke USERNAME's training attestations in a topic."""
    with opened() as inst:
        count = training.revoke(inst, username, topic)
    click.echo(f"Revoked {count} training attestation{'s' if count != 1 else ''}")


@user_group.command("training")
@click.argument("username")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def user_training(username: str, as_json: bool) -> None:
    """List USERNAME's training attestations."""
    with opened() as inst:
        found = training.list_for_user(inst, username)
    for row in found:
        if as_json:
            json_line(row)
            continue
        state = "active" if row.active else ("revoked" if row.revoked_at else "not in force")
        until = f" until {row.expires_at}" if row.expires_at else ""
        click.echo(f"{row.id:>5}  {row.topic:<30} {row.attested_at[:10]}{until}  {state}")


@user_group.group("token")
def token_group() -> None:
    """API tokens: scoped, expiring and revocable."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for (shown in lists).")
@click.option(
    "--scope", type=click.Choice(list(credentials.SCOPES)), default="read", show_default=True
)
@click.option("--days", type=int, default=90, show_default=True, help="Days until it expires.")
def token_create(username: str, name: str, scope: str, days: int) -> None:
    """Make an API token for USERNAME. The token is printed once and never stored: keep it safe."""
    with opened() as inst:
        token_id, secret = credentials.create_token(inst, username, name, scope=scope, days=days)
    click.echo(f"Token {token_id} ({scope}, {days} days):")
    click.echo(secret)


@token_group.command("list")
@click.option("--user", "username", help="Only this user's tokens.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def token_list(username: str | None, as_json: bool) -> None:
    """API tokens, newest first (never the secrets)."""
    with opened() as inst:
        tokens = credentials.list_tokens(inst, username)
    for token in tokens:
        if as_json:
            json_line(token)
            continue
        state = "revoked" if token.revoked_at else f"expires {token.expires_at[:10]}"
        click.echo(
            f"{token.id:>5}  {token.username:<20} {token.scope:<5}  {state:<18} {token.name}"
        )


@token_group.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int) -> None:
    """Revoke token TOKEN_ID at once."""
    with opened() as inst:
        credentials.revoke_token(inst, token_id)
    click.echo(f"Revoked token {token_id}")
