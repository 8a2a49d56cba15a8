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


def test_tokens_and_totp_from_the_terminal(cli: Cli) -> None:
    cli("init", check=True)
    cli("user", "create", "wanda", extra_env=PASSWORD, check=True)
    made = cli("user", "token", "create", "wanda", "--name", "sync", "--scope", "write", check=True)
    secret = made.stdout.splitlines()[-1]
    assert secret.startswith("tst_")
    [listed] = [
        json.loads(line)
        for line in cli("user", "token", "list", "--json", check=True).stdout.splitlines()
    ]
    assert (listed["name"], listed["scope"], listed["revoked_at"]) == ("sync", "write", None)
    assert secret not in json.dumps(listed)
    cli("user", "token", "revoke", str(listed["id"]), check=True)
    [revoked] = [json.loads(x) for x in cli("user", "token", "list", "--json").stdout.splitlines()]
    assert revoked["revoked_at"] is not None
    missing = cli("user", "token", "revoke", "999")
    assert missing.returncode == 3 and "no API token" in missing.stderr
    bad = cli("user", "token", "create", "wanda", "--name", "x", "--days", "0")
    assert bad.returncode == 2 and "days" in bad.stderr
    totp = cli("user", "totp", "wanda", "--require", check=True)
    assert "required" in totp.stdout and "otpauth://totp/" in totp.stdout
    nobody = cli("user", "totp", "nobody")
    assert nobody.returncode == 3 and "Traceback" not in nobody.stderr
