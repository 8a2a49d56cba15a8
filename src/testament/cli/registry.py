"""`testament registry …`: the cross-organisation re-interview check, with no names leaving either side."""

from __future__ import annotations

from pathlib import Path

import click

from testament.cli.context import opened
from testament.cli.output import json_line
from testament.errors import InvalidInput, NotFound
from testament.search import names
from testament.survivors import registry

SECRET = click.option(
    "--secret-file",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The consortium's shared secret (mode 0600, at least 16 bytes).",
)


def name_record(name: str, dob: str | None, place: str | None) -> names.NameRecord:
    """The name to match, its refusals naming the command-line option."""
    try:
        return names.NameRecord(name, dob, place)
    except InvalidInput as exc:
        if exc.where in ("name", "dob", "place"):
            exc.where = f"--{exc.where}"
        raise


@click.group("registry")
def registry_group() -> None:
    """Privacy-preserving encodings of names, to ask partners whether they interviewed someone."""


@registry_group.command("encodings")
@SECRET
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True)
def encodings(secret_file: Path, out: Path) -> None:
    """Write this instance's encodings (opaque references, no names) for the consortium."""
    secret = registry.load_secret(secret_file)
    with opened() as inst:
        people = registry.encodings(inst, secret, out)
    click.echo(f"Wrote the encodings of {people} people to {out}")


@registry_group.command("check")
@SECRET
@click.option(
    "--against",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    required=True,
    help="A partner's encodings file.",
)
@click.option("--name", required=True, help="The name as the person gives it, in any script.")
@click.option("--dob", help="Date of birth: YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option("--place", help="Place of birth or residence.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def check(
    secret_file: Path, against: Path, name: str, dob: str | None, place: str | None, as_json: bool
) -> None:
    """Does a partner hold an earlier record of this person? Prints their opaque references."""
    query = name_record(name, dob, place)
    secret = registry.load_secret(secret_file)
    found = registry.check_encodings(query, secret, registry.read_encodings(against))
    for item in found:
        if as_json:
            json_line(item)
        else:
            click.echo(f"{item.ref}  similarity {item.similarity:.2f}")
    if not found and not as_json:
        click.echo("No match in the partner's encodings")


@registry_group.command("whose")
@SECRET
@click.argument("ref")
def whose(secret_file: Path, ref: str) -> None:
    """Which of this instance's people a partner's question refers to (prints the person's ID)."""
    secret = registry.load_secret(secret_file)
    with opened() as inst:
        person_id = registry.whose(inst, secret, ref)
    if person_id is None:
        raise NotFound("no person of this instance has this reference", where=ref)
    click.echo(person_id)


@registry_group.command("requests")
@click.option("--open", "open_only", is_flag=True, help="Only those not yet decided.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def requests(open_only: bool, as_json: bool) -> None:
    """Registry requests about people of the cases you coordinate, and those you asked."""
    with opened() as inst:
        found = registry.requests(inst, open_only=open_only)
    for item in found:
        if as_json:
            json_line(item)
        else:
            click.echo(
                f"{item.id}  {item.state:<13}  {getattr(item, 'label', '-')} in "
                f"{getattr(item, 'case', '-')}, asked {item.asked_at[:10]} by {getattr(item, 'asked_by', '-')}"
            )
    if not found and not as_json:
        click.echo("No registry requests")


@registry_group.command("decide")
@click.argument("request_id")
@click.option("--decision", type=click.Choice(registry.DECISIONS), required=True,
              help="share-contact: the asker is shown whom to contact; decline: nothing more.")  # fmt: skip
def decide(request_id: str, decision: str) -> None:
    """Decide a registry request about a person of a case you coordinate."""
    with opened() as inst:
        registry.decide(inst, request_id, decision)
    click.echo(f"Request {request_id}: {decision}")
