"""`testament user …` from a user's terminal."""

from __future__ import annotations

import json

from tests.conftest import SQLITE_ONLY, Cli

pytestmark = SQLITE_ONLY

PASSWORD = {"TESTAMENT_PASSWORD": "correct horse battery staple"}


def test_create_grant_list_revoke(cli: Cli) -> None:
    cli("init", check=True)
    cli("case", "create", "Case A", check=True)
    created = cli("user", "create", "wanda", "--organisation", "Truth Hounds", extra_env=PASSWORD)
    assert created.returncode == 0, created.stderr
    weak = cli("user", "create", "olena", extra_env={"TESTAMENT_PASSWORD": "short one"})
    assert weak.returncode == 2
    assert "password: must be at least 12 characters long" in weak.stderr
    assert "short one" not in weak.stderr
    cli("user", "grant", "wanda", "--case", "Case A", "--role", "documenter", check=True)
    [listed] = [
        json.loads(line) for line in cli("user", "list", "--json", check=True).stdout.splitlines()
    ]
    assert listed["roles"] == {"Case A": "documenter"}
    assert listed["organisation"] == "Truth Hounds"
