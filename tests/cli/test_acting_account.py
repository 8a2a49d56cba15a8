"""`testament --as USER`: the CLI acts as a named account, authorized like every other edge.

Without ``--as`` the CLI acts as the instance owner, the operating-system user who holds the home's
keys (docs/configuration.md, `act_as`). With it, the account's roles are checked by the use case and the
account is the agent of the command's custody events.
"""

from __future__ import annotations

import json

from tests.conftest import SQLITE_ONLY, Cli

pytestmark = SQLITE_ONLY

PASSWORD = {"TESTAMENT_PASSWORD": "correct horse battery staple"}


def _log_size(cli: Cli) -> int:
    note = cli("log", "checkpoint", "--sign", check=True).stdout.splitlines()
    return int(note[1])


def _agent_of_entry(cli: Cli, index: int) -> str:
    return str(json.loads(cli("log", "entry", str(index), check=True).stdout)["agent"])


def test_the_cli_acts_as_the_owner_or_as_the_account_it_names(cli: Cli) -> None:
    cli("init", check=True)
    cli("case", "create", "Case B", check=True)
    for username, role in (("vera", "viewer"), ("dmytro", "documenter"), ("anna", None)):
        cli("user", "create", username, extra_env=PASSWORD, check=True)
        if role is not None:
            cli("user", "grant", username, "--case", "Case B", "--role", role, check=True)
    owner_agent = _agent_of_entry(cli, 0)  # the instance's initialisation, by the owner

    before = _log_size(cli)
    refused = cli("--as", "vera", "incident", "add", "--case", "Case B", "--title", "Strike")
    assert refused.returncode == 4, refused.stderr
    assert "documenter" in refused.stderr and "Traceback" not in refused.stderr
    assert _log_size(cli) == before  # nothing written

    hidden = cli("--as", "anna", "incident", "list", "--case", "Case B")
    assert hidden.returncode == 3 and "no case has this name" in hidden.stderr

    unknown = cli("--as", "nobody", "case", "list")
    assert unknown.returncode == 3 and "--as" in unknown.stderr

    made = cli(
        "--as", "dmytro", "incident", "add", "--case", "Case B", "--title", "Strike", "--json"
    )
    assert made.returncode == 0, made.stderr
    by_dmytro = _agent_of_entry(cli, _log_size(cli) - 1)
    cli("incident", "add", "--case", "Case B", "--title", "Second strike", check=True)
    by_owner = _agent_of_entry(cli, _log_size(cli) - 1)
    assert by_owner == owner_agent
    assert by_dmytro != owner_agent


def test_the_setting_names_the_account_too(cli: Cli) -> None:
    cli("init", check=True)
    cli("case", "create", "Case B", check=True)
    cli("user", "create", "vera", extra_env=PASSWORD, check=True)
    cli("user", "grant", "vera", "--case", "Case B", "--role", "viewer", check=True)
    as_vera = {"TESTAMENT_ACT_AS": "vera"}
    listed = cli("incident", "list", "--case", "Case B", extra_env=as_vera)
    assert listed.returncode == 0, listed.stderr
    refused = cli("case", "close", "Case B", extra_env=as_vera)
    assert refused.returncode == 4, refused.stderr
