"""What the commands of each record kind share: options made from the kind's declaration
(:mod:`testament.documentation.kinds`), and its `edit`, `delete` and `history` commands."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, echo_versions, echo_written

if TYPE_CHECKING:
    from testament.custody.history import Version
    from testament.custody.instance import Instance
    from testament.documentation.kinds import Field, RecordKind

F = TypeVar("F", bound=Callable[..., Any])


def _option(field: Field, *, adding: bool, enforce: bool) -> Callable[[F], F]:
    if field.shape == "texts":
        return click.option(field.flag, field.name, multiple=True, help=field.help)
    if not adding:
        return click.option(field.flag, field.name, help=field.help)
    shown = field.help.removesuffix(".") + field.add_note if field.add_note else field.help
    if field.required:
        return click.option(field.flag, field.name, required=enforce, help=shown)
    default = None if isinstance(field.default, tuple) else field.default
    return click.option(field.flag, field.name, default=default, help=shown)


def field_options(
    kind: RecordKind[Any, Any], *, adding: bool, enforce: bool = True
) -> Callable[[F], F]:
    """The options of ``kind``'s fields, in their declared order: for `add`, with each field's
    default and the required ones required (unless ``enforce`` is off: the command checks them);
    for `edit`, each optional and None when not given. A field `add` takes as an argument comes
    first."""

    def decorate(command: F) -> F:
        for field in reversed(kind.fields):
            if field.option is None or (adding and field.add_argument):
                continue
            command = _option(field, adding=adding, enforce=enforce)(command)
        for field in reversed(kind.fields):
            if adding and field.add_argument:
                command = click.argument(field.name)(command)
        return command

    return decorate


Resolve = Callable[["Instance", str], str]


def edit_command(
    group: click.Group,
    kind: RecordKind[Any, Any],
    edit: Callable[..., int],
    *,
    argument: str,
    doc: str,
    resolve: Resolve | None = None,
) -> click.Command:
    """`… edit ID --field value …`: change the fields given; prints the version."""

    @group.command("edit", help=doc)
    @click.argument(argument)
    @field_options(kind, adding=False)
    @click.option("--expect-version", type=int,
                  help=f"Refuse if the {kind.noun} is no longer at this version.")  # fmt: skip
    @click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
    def command(expect_version: int | None, as_json: bool, **options: Any) -> None:
        ref = options.pop(argument)
        changes = {k: v for k, v in options.items() if v is not None}
        if not changes:
            raise click.UsageError("name at least one field to change")
        with opened() as inst:
            record_id = resolve(inst, ref) if resolve is not None else ref
            version = edit(inst, record_id, changes, expected_version=expect_version)
        echo_written(kind.title, record_id, version, as_json)

    return command


def delete_command(
    group: click.Group,
    kind: RecordKind[Any, Any],
    delete: Callable[..., int],
    *,
    argument: str,
    doc: str,
    resolve: Resolve | None = None,
) -> click.Command:
    """`… delete ID`: mark the record deleted; prints the version."""

    @group.command("delete", help=doc)
    @click.argument(argument)
    @click.option("--expect-version", type=int,
                  help=f"Refuse if the {kind.noun} is no longer at this version.")  # fmt: skip
    @click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
    def command(expect_version: int | None, as_json: bool, **options: Any) -> None:
        ref = options.pop(argument)
        with opened() as inst:
            record_id = resolve(inst, ref) if resolve is not None else ref
            version = delete(inst, record_id, expected_version=expect_version)
        echo_written(kind.title, record_id, version, as_json, "marked deleted at")

    return command


def history_command(
    group: click.Group,
    kind: RecordKind[Any, Any],
    versions: Callable[[Instance, str, str], Sequence[Version]],
    *,
    doc: str,
) -> click.Command:
    """`… history ID [--kind K]`: every version of the record or of one of its links."""

    @group.command("history", help=doc)
    @click.argument("record_id")
    @click.option("--kind", type=click.Choice(kind.history), default=kind.name, show_default=True,
                  help="The kind of record.")  # fmt: skip
    @click.option("--json", "as_json", is_flag=True, help="One JSON object per version.")
    def command(record_id: str, kind: str, as_json: bool) -> None:
        with opened() as inst:
            found = versions(inst, record_id, kind)
        echo_versions(found, as_json)

    return command
