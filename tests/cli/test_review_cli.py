"""`testament review …` from a user's terminal: move incidents through the states, assign, comment,
see the queue, change the organisation's states; the owner who wrote an incident may not verify it."""

from __future__ import annotations

import json

from tests.conftest import SQLITE_ONLY, Cli

pytestmark = SQLITE_ONLY
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's


def _incident(cli: Cli, title: str) -> str:
    added = cli("incident", "add", "--case", "C", "--title", title, "--json", check=True)
    return str(json.loads(added.stdout)["id"])


def test_review_from_the_terminal(cli: Cli) -> None:
    cli("init", check=True)
    cli("case", "create", "C", check=True)
    cli("user", "create", "bohdan", input=f"{PASSWORD}\n{PASSWORD}\n", check=True)
    cli("user", "grant", "bohdan", "--case", "C", "--role", "analyst", check=True)
    first, second = _incident(cli, "Strike"), _incident(cli, "Fire")
    moved = cli("review", "state", "in-review", "--incident", first, "--incident", second,
                "--note", "Please check @bohdan", check=True)  # fmt: skip
    assert f"incident {first}: state in-review" in moved.stdout
    again = cli("review", "state", "in-review", "--incident", first, check=True)
    assert "already so, nothing recorded" in again.stdout
    assigned = cli("review", "assign", "--incident", first, "--to", "bohdan", "--json", check=True)
    assert json.loads(assigned.stdout)["value"] == "bohdan"
    refused = cli("review", "state", "verified", "--incident", first)
    assert refused.returncode != 0
    assert "second person" in refused.stderr and first in refused.stderr
    cli("review", "comment", "Looks right.", "--incident", first, check=True)
    shown = json.loads(cli("review", "show", "--incident", first, "--json", check=True).stdout)
    assert (shown["state"], shown["assignee"]) == ("in-review", "bohdan")
    assert [c["body"] for c in shown["comments"]] == ["Please check @bohdan", "Looks right."]
    queue = cli("review", "queue", "--json", check=True).stdout.splitlines()
    assert {json.loads(line)["target_id"] for line in queue} == {first, second}
    unknown = cli("review", "state", "done", "--incident", first)
    assert unknown.returncode != 0 and "no review state has this code" in unknown.stderr
    nobody = cli("review", "assign", "--incident", first, "--to", "ghost")
    assert nobody.returncode != 0 and "no account has this username" in nobody.stderr
    cli("case", "create", "D", check=True)
    other = cli("incident", "add", "--case", "D", "--title", "Elsewhere", "--json", check=True)
    elsewhere = str(json.loads(other.stdout)["id"])
    held = cli("review", "assign", "--incident", elsewhere, "--to", "bohdan", "--case", "C")
    assert held.returncode != 0 and elsewhere in held.stderr
    empty = cli("review", "comment", " ", "--incident", first)
    assert empty.returncode != 0 and "must not be empty" in empty.stderr


def test_the_organisations_states(cli: Cli) -> None:
    cli("init", check=True)
    listed = cli("review", "states", check=True).stdout
    assert "3. verified  Verified / Перевірено  second person" in listed
    cli("review", "states", "set", "corroborated", "--label-en", "Corroborated",
        "--label-uk", "Підтверджено", "--second-person", check=True)  # fmt: skip
    moved = cli("review", "states", "move", "corroborated", "2", "--json", check=True)
    assert [json.loads(line)["code"] for line in moved.stdout.splitlines()][:2] == [
        "new",
        "corroborated",
    ]
    removed = cli("review", "states", "remove", "corroborated", check=True).stdout
    assert "corroborated" not in removed
    bad = cli("review", "states", "set", "Bad Code", "--label-en", "X")
    assert bad.returncode != 0 and "code" in bad.stderr
