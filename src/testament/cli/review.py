"""`testament review …`: move items and incidents through the review states, assign, comment, and see
what waits for you (docs/review.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, json_line
from testament.errors import InvalidInput

if TYPE_CHECKING:
    from collections.abc import Sequence

    from testament.review.results import ReviewChange, ReviewState


@click.group("review")
def review_group() -> None:
    """Review and verification: states, assignments, comments and your queue."""


def _targets(items: tuple[str, ...], incidents: tuple[str, ...]) -> list[tuple[str, str]]:
    found = [("item", i) for i in items] + [("incident", i) for i in incidents]
    if not found:
        raise InvalidInput("name at least one --item or --incident", where="targets")
    return found


def _one(item: str | None, incident: str | None) -> tuple[str, str]:
    if bool(item) == bool(incident):
        raise InvalidInput("name one --item or one --incident", where="target")
    return ("item", item) if item else ("incident", incident or "")


def _report(change: ReviewChange, as_json: bool) -> None:
    if as_json:
        json_line(change)
        return
    for target in change.changed:
        click.echo(f"{target.kind} {target.id}: {change.change} {change.value or '(none)'}")
    for target in change.unchanged:
        click.echo(f"{target.kind} {target.id}: already so, nothing recorded")


ITEMS = click.option("--item", "items", multiple=True, help="An evidence item's ID (repeatable).")
INCIDENTS = click.option(
    "--incident", "incidents", multiple=True, help="An incident's ID (repeatable)."
)


@review_group.command("state")
@click.argument("state")
@ITEMS
@INCIDENTS
@click.option("--note", default="", help="A note, kept as a comment on each target moved.")
@click.option("--case", "case_name", default=None, help="Refuse any target not of this case.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def state(
    state: str,
    items: tuple[str, ...],
    incidents: tuple[str, ...],
    note: str,
    case_name: str | None,
    as_json: bool,
) -> None:
    """Move items and incidents to the review state STATE (all or none)."""
    from testament.review import workflow  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        change = workflow.transition(inst, _targets(items, incidents), state, note, case=case_name)
    _report(change, as_json)


@review_group.command("assign")
@ITEMS
@INCIDENTS
@click.option("--to", "assignee", default=None, help="The username to assign them to.")
@click.option("--unassign", is_flag=True, help="Leave them assigned to nobody.")
@click.option("--case", "case_name", default=None, help="Refuse any target not of this case.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def assign(
    items: tuple[str, ...],
    incidents: tuple[str, ...],
    assignee: str | None,
    unassign: bool,
    case_name: str | None,
    as_json: bool,
) -> None:
    """Assign items and incidents to a user who may review them (all or none)."""
    from testament.review import workflow  # noqa: PLC0415 - imported on use: keeps --help fast

    if bool(assignee) == unassign:
        raise InvalidInput("give --to USERNAME or --unassign", where="--to")
    with opened() as inst:
        change = workflow.assign(
            inst, _targets(items, incidents), None if unassign else assignee, case=case_name
        )
    _report(change, as_json)


@review_group.command("comment")
@click.argument("text")
@click.option("--item", default=None, help="The evidence item's ID.")
@click.option("--incident", default=None, help="The incident's ID.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def comment(text: str, item: str | None, incident: str | None, as_json: bool) -> None:
    """Comment on an item or incident; @username mentions a user."""
    from testament.review import comments  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        made = comments.comment(inst, _one(item, incident), text)
    if as_json:
        json_line(made)
    else:
        click.echo(f"Commented {made.id} on {made.kind} {made.target_id}")


@review_group.command("show")
@click.option("--item", default=None, help="The evidence item's ID.")
@click.option("--incident", default=None, help="The incident's ID.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def show(item: str | None, incident: str | None, as_json: bool) -> None:
    """Show where an item or incident stands: state, assignee and comments."""
    from testament.review import reading  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        found = reading.review(inst, *_one(item, incident))
    if as_json:
        json_line(found)
        return
    click.echo(
        f"{found.kind} {found.target_id}: {found.state}, assigned to {found.assignee or 'nobody'}"
    )
    for note in found.comments:
        click.echo(f"  {note.created_at}  {note.author or '(owner)'}: {note.body}")


@review_group.command("queue")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def queue(as_json: bool) -> None:
    """What waits for you: assigned to you, mentioning you, or waiting in review."""
    from testament.review import reading  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        entries = reading.queue(inst)
    for entry in entries:
        if as_json:
            json_line(entry)
        else:
            click.echo(
                f"{entry.kind} {entry.target_id}  {entry.case_name}  {entry.state}  "
                f"{', '.join(entry.reasons)}"
            )


@review_group.group("states", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_context
def states_group(ctx: click.Context, as_json: bool) -> None:
    """The organisation's review states, in order; administrators change them."""
    if ctx.invoked_subcommand is not None:
        return
    from testament.review import states  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        listed = states.states(inst)
    _list_states(listed, as_json)


def _list_states(listed: Sequence[ReviewState], as_json: bool) -> None:
    for one in listed:
        if as_json:
            json_line(one)
            continue
        flags = [
            f for f, on in (("second person", one.second_person), ("queued", one.queued)) if on
        ]
        click.echo(
            f"{one.position}. {one.code}  "
            + " / ".join(label for label in (one.label_en, one.label_uk, one.label_ar) if label)
            + f"  {', '.join(flags)}"
        )


@states_group.command("set")
@click.argument("code")
@click.option("--label-en", required=True, help="The English label.")
@click.option("--label-uk", default="", help="The Ukrainian label.")
@click.option("--label-ar", default="", help="The Arabic label.")
@click.option(
    "--second-person", is_flag=True, help="Entering it needs someone who is not an author."
)
@click.option("--queued", is_flag=True, help="What is in it waits in reviewers' queues.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def set_state(
    code: str,
    label_en: str,
    label_uk: str,
    label_ar: str,
    second_person: bool,
    queued: bool,
    as_json: bool,
) -> None:
    """Add the state CODE, or change its labels and flags (administrators)."""
    from testament.review import states  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        listed = states.set_state(inst, code, label_en=label_en, label_uk=label_uk,
                                  second_person=second_person, queued=queued,
                                  label_ar=label_ar)  # fmt: skip
    _list_states(listed, as_json)


@states_group.command("move")
@click.argument("code")
@click.argument("position", type=int)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def move_state(code: str, position: int, as_json: bool) -> None:
    """Put the state CODE at POSITION (1 is where new items start; administrators)."""
    from testament.review import states  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        listed = states.move_state(inst, code, position)
    _list_states(listed, as_json)


@states_group.command("remove")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def remove_state(code: str, as_json: bool) -> None:
    """Remove the state CODE, which nothing may be in (administrators)."""
    from testament.review import states  # noqa: PLC0415 - imported on use: keeps --help fast

    with opened() as inst:
        listed = states.remove_state(inst, code)
    _list_states(listed, as_json)
