"""A command group that imports a subcommand's module only when that subcommand is used.

Click's "Lazily Loading Subcommands" pattern: each subcommand is named by ``"module:attribute"``, so
``testament --help`` and ``testament --version`` import none of the command modules (nor the database,
web and cryptography libraries behind them). The listing in ``--help`` shows each subcommand's short
help, so it is kept beside the import path; tests/cli/test_lazy_commands.py checks that it matches the
command's own.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from gettext import gettext as _
from typing import Any, NamedTuple

import click


class LazyCommand(NamedTuple):
    """Where a subcommand lives (``"module:attribute"``) and its short help for the listing."""

    target: str
    short_help: str


class LazyGroup(click.Group):
    """A group whose ``lazy_commands`` are imported on first use, and listed without importing."""

    def __init__(
        self, *args: Any, lazy_commands: Mapping[str, LazyCommand] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_commands: dict[str, LazyCommand] = dict(lazy_commands or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            return self.load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            # Click 8.2 and later suggest close names ("Did you mean 'case'?") from the commands it
            # holds, which here are none: suggest from every name instead.
            no_such: Any = getattr(click.exceptions, "NoSuchCommand", ())
            if not isinstance(exc, no_such):
                raise
            raise no_such(
                exc.command_name, possibilities=self.list_commands(ctx), ctx=ctx
            ) from None

    def load(self, cmd_name: str) -> click.Command:
        """Import the subcommand ``cmd_name`` (Python keeps the module once imported)."""
        module_name, _sep, attribute = self.lazy_commands[cmd_name].target.partition(":")
        command = getattr(importlib.import_module(module_name), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module_name}:{attribute} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's listing, with the lazy subcommands' short help taken from the map."""
        commands: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            if name in self.lazy_commands and name not in self.commands:
                # A stand-in that shortens the help to the width exactly as the real command would.
                command: click.Command | None = click.Command(
                    name, help=self.lazy_commands[name].short_help
                )
            else:
                command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                commands.append((name, command))
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _command in commands)
            rows = [(name, command.get_short_help_str(limit)) for name, command in commands]
            with formatter.section(_("Commands")):
                formatter.write_dl(rows)
