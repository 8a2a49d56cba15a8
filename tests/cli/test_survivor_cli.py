"""`testament person add|show|erase` with the identity vault and `testament consent …`, as a user types them."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import SQLITE_ONLY, Cli

pytestmark = SQLITE_ONLY

NAME = "Марія Шевченко"
GRANT = "--mode written --language uk --info-sheet 2026-1 --understood"


def _run(cli: Cli, command: str, *, check: bool = False) -> subprocess.CompletedProcess[str]:
    return cli(*shlex.split(command), check=check)


def _json(cli: Cli, command: str) -> Any:
    return json.loads(_run(cli, command + " --json", check=True).stdout)


def _survivor(cli: Cli) -> str:
    _run(cli, "init", check=True)
    _run(cli, "case create C", check=True)
    added = _json(cli, f"person add --case C --name '{NAME}' --dob 1975-06 --place Irpin")
    assert added["label"].startswith("P-")
    return str(added["id"])


def test_add_reveal_consent_and_erase(cli: Cli, tmp_path: Path) -> None:
    person = _survivor(cli)
    shown = _json(cli, f"person show {person}")
    assert shown["identity"] == "sealed" and NAME not in json.dumps(shown, ensure_ascii=False)
    refused = _run(cli, f"person show {person} --reveal")
    assert refused.returncode == 2 and "--reveal needs --reason" in refused.stderr
    revealed = _json(cli, f"person show {person} --reveal --reason 'arrange a referral'")
    assert revealed["revealed"]["name"] == NAME

    _run(cli, f"consent grant {person} --purpose internal-analysis --recipient-class internal {GRANT}",
         check=True)  # fmt: skip
    check = f"consent check {person} --use criminal-investigation --recipient-class icc-otp"
    missing = _run(cli, check)
    assert missing.returncode == 5
    assert "no grant for purpose criminal-investigation to icc-otp" in missing.stderr
    allowed = _run(
        cli, f"consent check {person} --use internal-analysis --recipient-class internal"
    )
    assert allowed.returncode == 0, allowed.stderr

    out = tmp_path / "export.jsonl"
    unnamed = _run(cli, f"export jsonl --case C --out {out}")
    assert unnamed.returncode == 5 and "--for RECIPIENT_CLASS" in unnamed.stderr
    icc = "--for icc-otp --purpose criminal-investigation --recipient 'ICC OTP'"
    assert _run(cli, f"export jsonl --case C --out {out} {icc}").returncode == 5
    assert not out.exists()  # nothing half-written
    ours = "--for internal --purpose internal-analysis --recipient 'Our analysts'"
    _run(cli, f"export jsonl --case C --out {out} {ours}", check=True)

    testimonies = tmp_path / "testimonies.jsonl"
    _run(cli, f"export testimonies --case C --out {testimonies} {ours}", check=True)
    request = _json(
        cli, "disclosure request --case C --for internal --purpose internal-analysis "
        "--recipient 'Our analysts'"
    )["id"]  # fmt: skip
    same = _run(cli, f"disclosure approve {request}")
    assert same.returncode == 4 and "cannot approve" in same.stderr  # the one who asked
    unapproved = _run(
        cli, f"export testimonies --case C --out {testimonies} {ours} --approval {request}"
    )
    assert unapproved.returncode == 4 and "not been approved" in unapproved.stderr
    assert request in _run(cli, "disclosure pending", check=True).stdout

    withdrawn = _json(cli, f"consent withdraw {person} --via phone")
    assert [(r["recipient"], r["uses"]) for r in withdrawn["to_tell"]] == [("Our analysts", 2)]
    states = [
        g["state"]
        for g in map(json.loads, _run(cli, f"consent list {person} --json").stdout.splitlines())
    ]
    assert states == ["withdrawn"]

    erased = _json(cli, f"person erase {person} --reason survivor-request --yes")
    assert erased["grounds"] == "survivor-request"
    gone = _run(cli, f"person show {person} --reveal --reason audit")
    assert gone.returncode == 3 and "erased under policy" in gone.stderr
    assert _run(cli, "verify").returncode == 0
    register = Path(cli.settings.erasure_register).read_text()
    assert person in register and NAME not in register


def test_bad_person_and_consent_input(cli: Cli) -> None:
    person = _survivor(cli)
    for command, code, message in (
        ("person add --case C", 2, "give --name"),
        ("person add --case C --name ''", 2, "the name"),
        ("person add --case C --name 'Ivan' --dob 31.12.1990", 2, "the date of birth is not a date"),
        ("person add --case C --label X --dob 1990", 2, "identity details need --name"),
        (f"consent grant {person} --purpose general-awareness --recipient-class internal {GRANT}",
         2, "consent-purposes"),
        (f"consent grant {person} --purpose internal-analysis --recipient-class internal "
         "--mode written --language uk --info-sheet v1 --expires yesterday", 2, "not a date"),
        (f"consent withdraw {person} --via pigeon", 2, "pigeon"),
        (f"consent check {person} --use internal-analysis --recipient-class nobody", 2,
         "recipient-classes"),
        (f"person erase {person} --reason because --yes", 2, "because"),
        ("person match --name I", 2, "where: --name"),
        ("person match --name ''", 2, "the name is empty"),
        ("person match --name Ivan --dob 1990-13", 2, "where: --dob"),
        ("person erase 01234567-0000-0000-0000-000000000000 --reason survivor-request --yes", 3,
         "no person"),
    ):  # fmt: skip
        result = _run(cli, command)
        assert result.returncode == code, (command, result.stderr)
        assert message in result.stderr, (command, result.stderr)
        assert "31.12.1990" not in result.stderr
