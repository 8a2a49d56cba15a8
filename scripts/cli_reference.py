"""Print docs/cli.md: the help of every `testament` command. `make docs` writes it; a test checks it."""

from __future__ import annotations

import click

from testament.cli.main import cli

HEADER = """# Command reference

Generated from the commands' own help by `make docs`; a test fails when this page is out of date.
Every command prints a diagnosis (what, where, what to do) to standard error and exits non-zero on failure.
"""


def _sections(
    command: click.Command, path: list[str], parent: click.Context | None = None
) -> list[str]:
    """Each command's help as `testament ... --help` prints it: in a context made from its parent's,
    with the command's own settings (help option names, say), so nothing depends on what ran before."""
    context = click.Context(
        command,
        parent=parent,
        info_name=path[-1],
        terminal_width=100,
        max_content_width=100,
        **command.context_settings,
    )
    out = [f"## `{' '.join(path)}`\n\n```\n{command.get_help(context)}\n```\n"]
    if isinstance(command, click.Group):
        # list_commands and get_command, not .commands: the top group imports its subcommands lazily.
        for name in sorted(command.list_commands(context)):
            subcommand = command.get_command(context, name)
            if subcommand is None:
                raise LookupError(f"{' '.join(path)} lists {name} but has no such command")
            out += _sections(subcommand, [*path, name], context)
    return out


def render() -> str:
    return HEADER + "\n" + "\n".join(_sections(cli, ["testament"]))


if __name__ == "__main__":
    print(render(), end="")
