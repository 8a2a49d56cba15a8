"""`testament tag …` and `testament incident update-csv` from a user's terminal: tags on many records,
and an update from a CSV that writes nothing until applied with the digest its dry run printed."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SQLITE_ONLY, Cli

pytestmark = SQLITE_ONLY


def _incident(cli: Cli, title: str) -> str:
    added = cli("incident", "add", "--case", "C", "--title", title, "--json", check=True)
    return str(json.loads(added.stdout)["id"])


def test_tags_on_many_incidents(cli: Cli) -> None:
    cli("init", check=True)
    cli("case", "create", "C", check=True)
    first, second = _incident(cli, "Strike"), _incident(cli, "Fire")
    done = cli("tag", "add", " Night  attack ", first, second, "--kind", "incident", check=True)
    assert "Tagged 2; 0 already so" in done.stdout
    assert cli("tag", "list", "--record", first, "--kind", "incident", check=True).stdout == (
        "Night attack\n"
    )
    listed = cli("tag", "list", "--case", "C", "--tag", "NIGHT ATTACK", "--kind", "incident")
    assert sorted(listed.stdout.split()) == sorted([first, second])
    cli("tag", "remove", "night attack", first, "--kind", "incident", check=True)
    counted = cli("tag", "list", "--case", "C", "--kind", "incident", "--json", check=True)
    assert [json.loads(line)["records"] for line in counted.stdout.splitlines()] == [1]
    empty = cli("tag", "add", "  ", first, "--kind", "incident")
    assert empty.returncode != 0 and "must not be empty" in empty.stderr
    unknown = cli("tag", "add", "x", first, "no-such-id", "--kind", "incident")
    assert unknown.returncode != 0 and "no-such-id" in unknown.stderr


def test_update_csv_is_a_dry_run_until_applied_with_its_digest(cli: Cli, tmp_path: Path) -> None:
    cli("init", check=True)
    cli("case", "create", "C", check=True)
    first, second = _incident(cli, "Strike"), _incident(cli, "Fire")
    path = tmp_path / "update.csv"
    path.write_text(f"id,title,date\n{first},Strike on the market,\n{second},,2022-13-01\n")
    dry = cli("incident", "update-csv", str(path), "--case", "C")
    assert dry.returncode == 0, dry.stderr
    assert "title: 'Strike' -> 'Strike on the market'" in dry.stdout
    assert "row 3, column date" in dry.stderr and "Nothing written" in dry.stdout
    digest = dry.stdout.rsplit("--confirm ", 1)[1].strip()
    refused = cli(
        "incident", "update-csv", str(path), "--case", "C", "--apply", "--confirm", digest
    )
    assert refused.returncode != 0 and "nothing was written" in refused.stderr
    needs = cli("incident", "update-csv", str(path), "--case", "C", "--apply")
    assert needs.returncode != 0 and "--confirm" in needs.stderr
    shown = json.loads(cli("incident", "show", first, "--json", check=True).stdout)
    assert shown["title"] == "Strike"
    applied = cli("incident", "update-csv", str(path), "--case", "C", "--apply", "--confirm",
                  digest, "--only-valid", "--json", check=True)  # fmt: skip
    assert json.loads(applied.stdout)["written"] == 1
    shown = json.loads(cli("incident", "show", first, "--json", check=True).stdout)
    assert shown["title"] == "Strike on the market"
