"""`testament person …`: people in a case, by pseudonymous label, with their identity sealed in the vault;
the roles they hold in incidents; revealing, matching and erasing identities (docs/survivors.md)."""

from __future__ import annotations

import os
from dataclasses import asdict
from pathlib import Path

import click

from testament.cli.context import opened
from testament.cli.output import (
    JSON_HELP,
    echo_created,
    echo_written,
    json_line,
    read_bytes,
)
from testament.cli.record_commands import (
    delete_command,
    edit_command,
    field_options,
    history_command,
)
from testament.cli.registry import name_record
from testament.documentation import people
from testament.documentation.kinds import PERSON
from testament.errors import InvalidInput
from testament.survivors import erasure, identity, registry
from testament.survivors.results import HeldElsewhere


@click.group("person")
def person_group() -> None:
    """People in a case, by label (a pseudonym or public name), and their roles in incidents."""


@person_group.command("add")
@click.option("--case", "case_name", required=True, help="The case the person belongs to.")
@click.option(
    "--name",
    help="Their name, sealed in the identity vault (never logged or indexed). Without it, "
    "--label is required and nothing goes to the vault.",
)
@click.option("--other-name", "other_names", multiple=True, help="Another name or spelling.")
@click.option("--dob", help="Date of birth: YYYY-MM-DD, YYYY-MM or YYYY (sealed).")
@click.option("--place", help="Place of origin or residence (sealed).")
@click.option("--address", help="Exact address (sealed).")
@click.option("--contact", "contacts", multiple=True, help="A phone, e-mail or messenger (sealed).")
@click.option("--preferred-name", help="How they wish to be addressed (sealed).")
@click.option("--pronouns", help="Their pronouns (sealed).")
@click.option("--safe-contact", help="The safe way and times to reach them (sealed).")
@click.option(
    "--photo",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    help="A photo of their face (JPEG, PNG, WebP, HEIC or TIFF), sealed in the vault.",
)
@field_options(PERSON, adding=True, enforce=False)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def add(
    case_name: str,
    name: str | None,
    other_names: tuple[str, ...],
    dob: str | None,
    place: str | None,
    address: str | None,
    contacts: tuple[str, ...],
    preferred_name: str | None,
    pronouns: str | None,
    safe_contact: str | None,
    photo: Path | None,
    label: str | None,
    description: str,
    as_json: bool,
) -> None:
    """Record a person in a case; with --name their identity is sealed and a pseudonymous ID printed."""
    if name is None:
        if label is None:
            raise click.UsageError("give --name (sealed in the vault) or --label")
        if other_names or dob or place or address or contacts or photo:
            raise click.UsageError("identity details need --name")
        with opened() as inst:
            new_id = people.create(inst, case_name, label, description)
        echo_created("person", new_id, as_json)
        return
    who = identity.Identity(
        name=name,
        other_names=other_names,
        date_of_birth=dob,
        place=place,
        address=address,
        contacts=contacts,
        preferred_name=preferred_name,
        pronouns=pronouns,
        safe_contact=safe_contact,
    )
    picture = read_bytes(photo, "photo") if photo is not None else None
    if picture is not None:
        identity.check_photo(picture)
    with opened() as inst:
        new_id, shown = identity.add_person(
            inst, case_name, who, label=label, description=description
        )
        if picture is not None:
            identity.set_photo(inst, new_id, picture)
    if as_json:
        json_line({"id": new_id, "label": shown})
    else:
        click.echo(f"Recorded person {shown} ({new_id}); their identity is sealed in the vault")


edit = edit_command(person_group, PERSON, people.edit, argument="person_id",
                    doc="Change a person's label or description; the earlier version stays retrievable.")  # fmt: skip
delete = delete_command(person_group, PERSON, people.delete, argument="person_id",
                        doc="Mark a person deleted (refused while they hold roles); their history stays.")  # fmt: skip


@person_group.command("show")
@click.argument("person_id")
@click.option("--reveal", is_flag=True, help="Unseal their identity (recorded in the custody log).")
@click.option("--reason", help="Why you need to see it; required with --reveal and logged.")
@click.option(
    "--photo-out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="With --reveal: write their photo to this file (logged like the reveal).",
)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def show(
    person_id: str, reveal: bool, reason: str | None, photo_out: Path | None, as_json: bool
) -> None:
    """Show a person and the roles they hold; --reveal --reason also shows their identity."""
    if reveal and not reason:
        raise click.UsageError("--reveal needs --reason: the reason is recorded in the custody log")
    if photo_out is not None and not reveal:
        raise click.UsageError("--photo-out needs --reveal and --reason")
    with opened() as inst:
        data = people.show(inst, person_id).as_json()
        data["identity"] = identity.summary(inst, person_id).identity
        if reveal and reason:
            data["revealed"] = asdict(identity.reveal(inst, person_id, reason))
            if photo_out is not None:
                picture, media_type = identity.reveal_photo(inst, person_id, reason)
                write_private(photo_out, picture)
                data["photo"] = {"file": str(photo_out), "media_type": media_type}
    if as_json:
        json_line(data)
        return
    for key in ("id", "label", "description", "identity"):
        click.echo(f"{key:>12}: {data[key] or '-'}")
    for key, value in data.get("revealed", {}).items():
        if value:
            shown = ", ".join(value) if isinstance(value, (list, tuple)) else value
            click.echo(f"{key.replace('_', ' '):>12}: {shown}")
    for role in data["roles"]:
        click.echo(f"{'role':>12}: {role['role']} in incident {role['incident_id']} ({role['id']})")
    click.echo(f"{'version':>12}: {data['version']} (updated {data['updated_at']})")


@person_group.command("photo")
@click.argument("person_id")
@click.argument("photo", type=click.Path(path_type=Path, dir_okay=False, exists=True))
def photo_command(person_id: str, photo: Path) -> None:
    """Seal a photo of a person's face in the vault (it replaces an earlier one)."""
    picture = read_bytes(photo, "photo")
    with opened() as inst:
        identity.set_photo(inst, person_id, picture)
    click.echo(f"Sealed the photo of {person_id} in the vault; you may now delete {photo}")


def write_private(path: Path, data: bytes) -> None:
    """Write a revealed file readable by its owner only."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise InvalidInput(f"cannot write the photo: {exc.strerror}", where=str(path)) from None


@person_group.command("erase")
@click.argument("person_id")
@click.option(
    "--reason",
    required=True,
    type=click.Choice(erasure.GROUNDS),
    help="Why: the survivor asked, a safety emergency, or a legal obligation.",
)
@click.option(
    "--keep-recordings",
    is_flag=True,
    help="Keep the files of their interview recordings (policy may require an original).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def erase(person_id: str, reason: str, keep_recordings: bool, yes: bool, as_json: bool) -> None:
    """Erase a person's identity, testimony texts and notes for good (crypto-shredding).

    Their custody history and every proof stay; exports show "erased under policy" instead.
    """
    if not yes:
        click.confirm(
            f"Erase person {person_id} for good? Nothing sealed with their key can be read again",
            abort=True,
        )
    with opened() as inst:
        report = erasure.erase(inst, person_id, grounds=reason, recordings=not keep_recordings)
    if as_json:
        json_line(report.as_json())
        return
    click.echo(
        f"Erased person {person_id}: key destroyed, {report.grants_revoked} consent grants "
        f"revoked, {len(report.recordings_shredded)} recordings shredded, shred event at "
        f"log index {report.log_index}"
    )
    if report.recordings_kept:
        click.echo(
            f"  kept {len(report.recordings_kept)} recordings (policy, or evidence elsewhere)"
        )
    for recipient in report.to_tell:
        click.echo(
            f"  tell: {recipient.recipient} ({recipient.recipient_class}), "
            f"served since {recipient.first_served}"
        )


@person_group.command("match")
@click.option("--name", required=True, help="The name as the person gives it, in any script.")
@click.option("--dob", help="Date of birth: YYYY-MM-DD, YYYY-MM or YYYY.")
@click.option("--place", help="Place of birth or residence.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def match(name: str, dob: str | None, place: str | None, as_json: bool) -> None:
    """Before an interview: has anyone here already taken this person's account? (MC-04)"""
    query = name_record(name, dob, place)
    with opened() as inst:
        found = registry.match(inst, query)
    if as_json:
        for item in found:
            json_line(item.as_json())
        return
    if not found:
        click.echo("No earlier record of this person")
        return
    for item in found:
        if isinstance(item, HeldElsewhere):
            click.echo(f"A possible earlier account is held elsewhere: contact {item.contact} "
                       f"(request {item.request})")  # fmt: skip
            continue
        click.echo(f"{item.label} ({item.person}) in case {item.case}, score {item.score:.2f}")
        for interview in item.interviews:
            click.echo(f"  interviewed {interview.started_at} by {interview.interviewer}")
        for grant in item.grants:
            click.echo(f"  consent: {grant.purpose} to {grant.recipient_class} ({grant.state})")
    click.echo("Ask the holder for a transfer before interviewing again; a new interview needs a "
               "written justification")  # fmt: skip


@person_group.command("scrub")
def scrub() -> None:
    """Checkpoint and compact the database so no old copy of erased rows remains."""
    with opened() as inst:
        erasure.scrub(inst.engine)
    click.echo("Scrubbed: old copies of erased rows are gone from the database files")


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
            click.echo(f"{row.id}  {row.label}")


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


history_command(person_group, PERSON, people.versions,
                doc="Every version of a person or a role: who changed what, when, and its custody log entry.")  # fmt: skip
