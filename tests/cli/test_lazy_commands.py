"""`testament --help` imports no command module: the lazy map must agree with the commands it stands for."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

import testament.cli
from testament.cli.lazy import LazyGroup
from testament.cli.main import COMMANDS, cli

# What `testament --help` must not import: the database, web and cryptography stacks, and the services.
HEAVY = (
    "sqlalchemy",
    "fastapi",
    "alembic",
    "argon2",
    "cryptography",
    "numpy",
    "testament.startup",
    "testament.custody",
    "testament.documentation",
    "testament.survivors",
    "testament.transfer",
    "testament.accounts",
)


def _loaded(name: str) -> click.Command:
    assert isinstance(cli, LazyGroup)
    return cli.load(name)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_the_lazy_short_help_is_the_commands_own(name: str) -> None:
    command = _loaded(name)
    assert command.name == name
    assert COMMANDS[name].short_help == command.get_short_help_str(limit=10_000)


def test_every_top_level_command_is_in_the_lazy_map() -> None:
    found: dict[str, click.Command] = {}
    nested: set[int] = set()
    for module_info in pkgutil.iter_modules(testament.cli.__path__):
        module = importlib.import_module(f"testament.cli.{module_info.name}")
        for attribute, value in vars(module).items():
            if isinstance(value, click.Command) and value is not cli:
                found[f"{module.__name__}:{attribute}"] = value
                if isinstance(value, click.Group):
                    nested |= {id(sub) for sub in value.commands.values()}
    top = {target for target, command in found.items() if id(command) not in nested}
    assert top == {entry.target for entry in COMMANDS.values()}


@pytest.mark.parametrize("width", [60, 80, 100, 200])
def test_the_listing_is_what_the_commands_themselves_would_show(width: int) -> None:
    eager = click.Group(
        cli.name, help=cli.help, params=cli.params, context_settings=cli.context_settings
    )
    for name in COMMANDS:
        eager.add_command(_loaded(name), name)

    def shown(group: click.Group) -> str:
        # The group's own settings, as `testament --help` has them (click keeps the help option made).
        context = click.Context(
            group,
            info_name="testament",
            terminal_width=width,
            max_content_width=width,
            **group.context_settings,
        )
        return group.get_help(context)

    assert shown(cli) == shown(eager)


def test_help_imports_no_command_module() -> None:
    probe = (
        "import sys\n"
        "from testament.cli.main import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        f"heavy = {HEAVY!r}\n"
        "print(sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.') for h in heavy)),"
        " file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "Commands:" in done.stdout
    assert done.stderr.strip() == "[]"
    imported = {line.split()[0] for line in done.stdout.splitlines()[1:] if line.startswith("  ")}
    assert set(COMMANDS) <= imported


@pytest.mark.skipif(
    not hasattr(click.exceptions, "NoSuchCommand"), reason="click before 8.2 suggests no names"
)
def test_a_mistyped_command_is_answered_with_the_closest_name() -> None:
    result = CliRunner().invoke(cli, ["cas"])
    assert result.exit_code == 2
    assert "No such command 'cas'. Did you mean 'case'?" in result.output
