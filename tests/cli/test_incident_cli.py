"""`testament case|situation|incident …` from a user's terminal."""

from __future__ import annotations

import json

from tests.conftest import SQLITE_ONLY, Cli

pytestmark = SQLITE_ONLY


def test_document_an_incident_and_read_its_history(cli: Cli) -> None:
    cli("init", check=True)
    cli(
        "situation",
        "create",
        "Russia-Ukraine 2022",
        "--conflict",
        "international",
        "--from",
        "2022-02-24",
        check=True,
    )
    cli("case", "create", "Kharkiv strikes", "--situation", "Russia-Ukraine 2022", check=True)
    added = cli(
        "incident", "add", "--case", "Kharkiv strikes", "--title", "Strike on a school",
        "--date", "2022-03", "--latitude", "49.99", "--longitude", "36.23", "--target", "school", "--json",
        check=True,
    )  # fmt: skip
    shown = json.loads(added.stdout)
    assert (shown["occurred_from"], shown["occurred_to"]) == ("2022-03-01", "2022-03-31")
    cli("incident", "edit", shown["id"], "--status", "corroborated", check=True)
    history = [
        json.loads(line)
        for line in cli("incident", "history", shown["id"], "--json").stdout.splitlines()
    ]
    assert [(v["version"], v["change"]) for v in history] == [(1, "create"), (2, "update")]
    assert history[1]["data"]["status"] == "corroborated"
    listed = cli("case", "list", "--json").stdout
    assert json.loads(listed)["incidents"] == 1
    assert cli("verify").returncode == 0


def test_a_bad_date_is_a_diagnosis_not_a_traceback(cli: Cli) -> None:
    cli("init", check=True)
    cli("case", "create", "C", check=True)
    result = cli(
        "incident", "add", "--case", "C", "--title", "x", "--date", "2022-02-30", check=False
    )
    assert result.returncode == 2
    assert "February 2022 has 28 days" in result.stderr
    assert "Traceback" not in result.stderr
