"""`testament service|need|referral …` and `testament case close|reopen` from a user's terminal."""

from __future__ import annotations

import json
import shlex
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import SQLITE_ONLY, Cli

pytestmark = SQLITE_ONLY

NOTE = "Lost her insulin when the house burned"
MISSING = "00000000-0000-0000-0000-000000000000"


def _run(cli: Cli, command: str, *, check: bool = False) -> subprocess.CompletedProcess[str]:
    return cli(*shlex.split(command), check=check)


def _json(cli: Cli, command: str) -> Any:
    return json.loads(_run(cli, command + " --json", check=True).stdout)


def _lines(cli: Cli, command: str) -> list[Any]:
    output = _run(cli, command + " --json", check=True).stdout
    return [json.loads(line) for line in output.splitlines()]


def _refused(cli: Cli, command: str, exit_code: int, message: str) -> str:
    result = _run(cli, command)
    assert result.returncode == exit_code, result.stderr
    assert message in result.stderr, result.stderr
    assert NOTE not in result.stderr
    return result.stderr


def test_the_directory_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    _run(cli, "init", check=True)
    clinic = _json(
        cli, "service add 'Irpin Clinic' --area medical --area psychosocial --region Kyiv "
        "--contact '+380 44 000' --language uk"
    )["id"]  # fmt: skip
    _refused(cli, "service add Dentist --area dental --region Kyiv --contact x", 2, "support-areas")
    _refused(cli, "service add 'Irpin Clinic' --area legal --region K --contact x", 7, "already")
    listed = _lines(cli, "service list --area medical")
    assert [(s["id"], s["languages"]) for s in listed] == [(clinic, ["uk"])]
    assert "Irpin Clinic  [medical, psychosocial]" in _run(cli, "service list", check=True).stdout
    good = tmp_path / "services.csv"
    good.write_text("name,areas,region,contact,languages\nLawyers,legal,Kyiv,x,uk;en\n")
    assert _run(cli, f"service import {good}", check=True).stdout == "Imported 1 service(s)\n"
    bad = tmp_path / "bad.csv"
    bad.write_text("name,areas,region,contact,languages\nA,legal,,x,uk\nB,legal,Kyiv,x,english\n")
    stderr = _refused(cli, f"service import {bad}", 2, "nothing was imported")
    assert "row 2, region:" in stderr and "row 3, languages:" in stderr
    assert len(_lines(cli, "service list")) == 2


def test_needs_referrals_and_closing_a_case(cli: Cli) -> None:
    _run(cli, "init", check=True)
    _run(cli, "case create C", check=True)
    person = _json(cli, "person add --case C --name 'Марія Коваль'")["id"]
    _json(cli, "service add Clinic --area medical --region Kyiv --contact x")
    lawyers = _json(cli, "service add Lawyers --area legal --region Kyiv --contact y")["id"]
    added = cli(
        "need", "add", person, "--area", "medical", "--urgency", "urgent", "--note", "-", "--json",
        input=NOTE, check=True,
    )  # fmt: skip
    need = json.loads(added.stdout)["id"]
    _refused(cli, f"need add {person} --area dental --urgency soon", 2, "support-areas")
    _refused(cli, f"need add {person} --area legal --urgency asap", 2, "need-urgency")
    _refused(cli, f"need add {MISSING} --area legal --urgency soon", 3, "no person")
    listed = _lines(cli, f"need list {person}")
    assert [(n["id"], "note" in n) for n in listed] == [(need, False)]
    shown = _run(cli, f"need list {person} --purpose 'plan the referral'", check=True).stdout
    assert f"note: {NOTE}" in shown
    assert [n["id"] for n in _lines(cli, "need urgent --case C")] == [need]

    stderr = _refused(cli, "case close C", 7, "1 urgent need(s)")
    assert "testament need urgent --case" in stderr and "Марія" not in stderr
    _refused(cli, f"referral add {need} --service {lawyers}", 2, "does not cover")
    _refused(cli, f"referral add {need} --service Nowhere", 3, "no service")
    _refused(cli, f"referral add {MISSING} --service Clinic", 3, "no support need")
    _refused(cli, f"referral add {need} --service Clinic --follow-up 31/12/2026", 2, "not a date")
    _run(cli, f"consent grant {person} --purpose referral-support --recipient-class "
         "partner-organisation --identifiability named --mode oral --language uk "
         "--info-sheet 1 --understood", check=True)  # fmt: skip
    referral = _json(cli, f"referral add {need} --service Clinic --follow-up 2026-01-10")["id"]
    due = _lines(cli, "referral due --case C --on 2026-01-10")
    assert [(d["kind"], d["referral_id"]) for d in due] == [("referral", referral)]
    assert _lines(cli, "referral due --on 2026-01-09") == []
    line = _run(cli, "referral due --on 2026-01-10", check=True).stdout
    assert line.startswith("follow up  2026-01-10  C  P-") and "medical" in line
    _refused(cli, f"referral update {referral} --status lost", 2, "referral-status")
    _refused(cli, f"referral update {MISSING} --status accepted", 3, "no referral")
    _refused(cli, f"referral update {referral} --follow-up never", 2, "not a date")
    updated = _json(cli, f"referral update {referral} --status completed --no-follow-up")
    assert (updated["status"], updated["follow_up_due"]) == ("completed", None)

    second = _json(cli, f"need add {person} --area legal --urgency urgent")["id"]
    _refused(cli, "case close C", 7, "1 urgent need(s)")
    assert _run(cli, f"need addressed {second}", check=True).stdout.startswith("Need ")
    _refused(cli, f"need addressed {second}", 7, "already addressed")
    assert _run(cli, "case close C", check=True).stdout.startswith("Case closed at ")
    assert _lines(cli, "case list")[0]["closed_at"]
    assert _run(cli, "case list", check=True).stdout.rstrip().endswith("closed")
    _refused(cli, f"need add {person} --area shelter --urgency soon", 7, "closed")
    assert _run(cli, "case reopen C", check=True).stdout == "Case reopened\n"
    _refused(cli, "case reopen C", 7, "not closed")
    assert _run(cli, "verify").returncode == 0
