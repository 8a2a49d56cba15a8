"""`testament person|unit|source|evidence …` from a user's terminal.

Commands are written as a user types them (``shlex`` splits them); IDs are UUIDs and need no quoting.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import SQLITE_ONLY, Cli

pytestmark = SQLITE_ONLY


def _run(cli: Cli, command: str, *, check: bool = False) -> subprocess.CompletedProcess[str]:
    return cli(*shlex.split(command), check=check)


def _json(cli: Cli, command: str) -> Any:
    return json.loads(_run(cli, command + " --json", check=True).stdout)


def _lines(cli: Cli, command: str) -> list[Any]:
    output = _run(cli, command + " --json", check=True).stdout
    return [json.loads(line) for line in output.splitlines()]


def _refused(cli: Cli, command: str, exit_code: int, message: str) -> None:
    result = _run(cli, command)
    assert result.returncode == exit_code, result.stderr
    assert message in result.stderr


def _verified(cli: Cli) -> None:
    assert _run(cli, "verify").returncode == 0


def _case_with_incident(cli: Cli) -> str:
    _run(cli, "init", check=True)
    _run(cli, "case create C", check=True)
    _run(cli, "case create Other", check=True)
    return str(_json(cli, "incident add --case C --title Strike")["id"])


def test_people_and_their_roles(cli: Cli) -> None:
    incident = _case_with_incident(cli)
    person = _json(cli, "person add --case C --label 'Witness A'")["id"]
    edited = _json(cli, f"person edit {person} --description 'saw the strike'")
    assert edited == {"id": person, "version": 2}
    role = _json(cli, f"person role add {person} --incident {incident} --role witness")["id"]
    add_role = f"person role add {person} --incident {incident}"
    _refused(cli, f"{add_role} --role witness", 7, "already holds the role 'witness'")
    _refused(
        cli, f"{add_role} --role onlooker", 2, "'onlooker' is not in the person-roles vocabulary"
    )
    other = _json(cli, "incident add --case Other --title Elsewhere")["id"]
    _refused(
        cli, f"person role add {person} --incident {other} --role victim", 2, "different cases"
    )
    shown = _json(cli, f"person show {person}")
    assert (shown["label"], [r["role"] for r in shown["roles"]]) == ("Witness A", ["witness"])
    assert [p["id"] for p in _lines(cli, "person list --case C")] == [person]
    _run(cli, f"person role remove {role}", check=True)
    assert _json(cli, f"person delete {person}")["version"] == 3
    history = _lines(cli, f"person history {person}")
    assert [v["change"] for v in history] == ["create", "update", "delete"]
    roles = _lines(cli, f"person history {role} --kind person-role")
    assert [v["change"] for v in roles] == ["create", "delete"]
    assert _run(cli, f"person history {person}", check=True).stdout.startswith("v1  ")
    _verified(cli)


def test_units_hierarchy_commanders_and_involvement(cli: Cli) -> None:
    incident = _case_with_incident(cli)
    army = _json(cli, "unit add Army --kind army")["id"]
    brigade = _json(cli, "unit add '93rd Brigade' --parent Army")["id"]
    alias = _json(cli, "unit alias add '93rd Brigade' '93-тя бригада' --script Cyrl --lang uk")
    assert alias == {"id": brigade, "version": 2}
    shown = _json(cli, "unit show '93-тя бригада'")
    assert (shown["id"], shown["parent"]["id"]) == (brigade, army)
    _refused(cli, f"unit edit Army --parent {brigade}", 2, "cannot be its own ancestor")
    command = f"unit commander add {brigade} --name K"
    _refused(cli, f"{command} --from 2022-05 --to 2022-04", 2, "ends before it starts")
    _run(cli, f"{command} --rank Colonel --from 2022", check=True)
    involve = f"unit involve '93rd brigade' --incident {incident}"
    vocabulary = "'ordered' is not in the degrees-of-involvement vocabulary"
    _refused(cli, f"{involve} --degree ordered", 2, vocabulary)
    _run(cli, f"{involve} --degree gave-orders", check=True)
    shown = _json(cli, f"unit show {brigade}")
    assert [c["from_date"] for c in shown["commanders"]] == ["2022-01-01"]
    assert [i["degree"] for i in shown["incidents"]] == ["gave-orders"]
    assert "Colonel K" in _run(cli, f"unit show {brigade}", check=True).stdout
    assert [u["name"] for u in _lines(cli, "unit list")] == ["93rd Brigade", "Army"]
    assert [v["change"] for v in _lines(cli, f"unit history {brigade}")] == ["create", "update"]
    _verified(cli)


def test_sources_evidence_links_and_assessments(cli: Cli, tmp_path: Path) -> None:
    incident = _case_with_incident(cli)
    add = "source add --case C --kind url --title Post"
    _refused(cli, f"{add} --url ftp://x.org/a", 2, "is not an http or https URL")
    source = _json(cli, f"{add} --url https://example.org/post/1 --published 2022-03")["id"]
    _run(cli, f"source link {source} --incident {incident} --note 'first report'", check=True)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photograph")
    photo = shlex.quote(str(tmp_path / "photo.jpg"))
    ingested = _run(cli, f"ingest {photo} --case C --json", check=True)
    item = json.loads(ingested.stdout.splitlines()[0])["item_id"]
    link = f"evidence link {item} --incident {incident} --relevance 'shows the crater'"
    _run(cli, f"{link} --source {source}", check=True)
    assess = f"evidence assess {item} --axis content --method geolocation"
    vocabulary = "'true' is not in the verification-status vocabulary"
    _refused(cli, f"{assess} --status true", 2, vocabulary)
    _run(cli, f"{assess} --status verified --date 2024-01-02", check=True)
    shown = _json(cli, f"evidence show {item}")
    assert shown["latest"]["content"]["status"] == "verified"
    assert [i["relevance"] for i in shown["incidents"]] == ["shows the crater"]
    text = _run(cli, f"evidence show {item}", check=True).stdout
    assert "content: verified on 2024-01-02" in text
    shown = _json(cli, f"source show {source}")
    assert shown["published_at"] == "2022-03"
    assert [i["incident_id"] for i in shown["incidents"]] == [incident]
    assert [e["item_id"] for e in shown["evidence"]] == [item]
    assert [s["id"] for s in _lines(cli, "source list --case C")] == [source]
    assert [v["version"] for v in _lines(cli, f"source history {source}")] == [1]
    assert _json(cli, f"source edit {source} --title 'Post, archived'") == {
        "id": source,
        "version": 2,
    }
    _refused(cli, f"source edit {source} --title X --expect-version 1", 7, "version")
    link_id = shown["evidence"][0]["id"]
    assert _json(cli, f"evidence unlink {link_id}")["version"] == 2
    assert _json(cli, f"evidence show {item}")["incidents"] == []
    assert _json(cli, f"source delete {source}")["version"] == 3
    _refused(cli, f"source show {source}", 3, "no source has this ID")
    _verified(cli)
