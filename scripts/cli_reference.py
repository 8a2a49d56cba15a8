"""Print docs/cli.md: the help of every `testament` command. `make docs` writes it; a test checks it."""

from __future__ import annotations

import click

from testament.cli.main import cli

HEADER = """# Command reference

Generated from the commands' own help by `make docs`; a test fails when this page is out of date.
Every command prints a diagnosis (what, where, what to do) to standard error and exits non-zero on failure.
"""


def _sections(command: click.Command, path: list[str]) -> list[str]:
    context = click.Context(
        command, info_name=" ".join(path), terminal_width=100, max_content_width=100
    )
    out = [f"## `{' '.join(path)}`\n\n```\n{command.get_help(context)}\n```\n"]
    if isinstance(command, click.Group):
        for name in sorted(command.commands):
            out += _sections(command.commands[name], [*path, name])
    return out


def render() -> str:
    return HEADER + "\n" + "\n".join(_sections(cli, ["testament"]))


if __name__ == "__main__":
    print(render(), end="")
