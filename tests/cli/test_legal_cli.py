"""`testament legal …` and `testament taxonomy terms` from a user's terminal."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from tests.conftest import SQLITE_ONLY, Cli

pytestmark = SQLITE_ONLY


def _setup(cli: Cli, tmp_path: Path) -> tuple[str, str]:
    cli("init", check=True)
    cli("situation", "create", "S", "--conflict", "non-international", check=True)
    cli("case", "create", "C", "--situation", "S", check=True)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photograph")
    ingested = cli("ingest", str(tmp_path / "photo.jpg"), "--case", "C", "--json", check=True)
    item_id = json.loads(ingested.stdout.splitlines()[0])["item_id"]
    added = cli("incident", "add", "--case", "C", "--title", "Strike", "--type", "attack-on-civilians",
                "--json", check=True)  # fmt: skip
    return item_id, json.loads(added.stdout)["id"]


def test_qualify_link_and_chart(cli: Cli, tmp_path: Path) -> None:
    item_id, incident_id = _setup(cli, tmp_path)
    mismatch = cli("legal", "qualify", incident_id, "WC-ATT-CIVOBJ", check=True)
    assert "warning: WC-ATT-CIVOBJ" in mismatch.stderr and "preliminary" in mismatch.stdout
    cli("legal", "qualify", incident_id, "CAH-MURDER", "--note", "reported killed", check=True)
    cli("legal", "link", item_id, "--incident", incident_id, "--crime", "CAH-MURDER",
        "--element", "CTX-CAH.C1", "--supports", "--confidence", "high", check=True)  # fmt: skip

    wrong = cli("legal", "link", item_id, "--incident", incident_id, "--crime", "CAH-MURDER",
                "--element", "CTX-WC-IAC.C1", "--supports")  # fmt: skip
    assert wrong.returncode == 2 and "is not an element of CAH-MURDER" in wrong.stderr
    no_stance = cli("legal", "link", item_id, "--incident", incident_id, "--crime", "CAH-MURDER",
                    "--element", "E1")  # fmt: skip
    assert no_stance.returncode == 2 and "--supports or --contradicts" in no_stance.stderr

    table = cli("legal", "chart", "--case", "C", "--format", "csv", check=True).stdout
    rows = {(r["crime_code"], r["element_id"]): r for r in csv.DictReader(io.StringIO(table))}
    assert rows[("CAH-MURDER", "CTX-CAH.C1")]["status"] == "supported"
    assert rows[("CAH-MURDER", "E1")]["status"] == "gap"
    out = tmp_path / "chart.json"
    cli("legal", "chart", "--case", "C", "--format", "json", "--out", str(out), check=True)
    assert json.loads(out.read_text("utf-8"))["status"] == "preliminary"
    assert "| Element |" in cli("legal", "chart", "--case", "C", check=True).stdout

    suggested = cli("legal", "suggest", incident_id, "--json", check=True).stdout.splitlines()
    assert "WC-ATT-CIV" in {json.loads(line)["code"] for line in suggested}
    cli("log", "checkpoint", "--sign", check=True)
    assert cli("verify").returncode == 0


def test_listings(cli: Cli) -> None:
    crimes = [
        json.loads(line)
        for line in cli("legal", "crimes", "--json", check=True).stdout.splitlines()
    ]
    assert {"code", "family", "label", "articles", "amendments", "elements"} <= set(crimes[0])
    listed = cli("legal", "crimes", check=True).stdout
    assert "Вбивство" in listed and "Murder / Вбивство / القتل" in listed
    terms = cli("taxonomy", "terms", "conflict-characterisation", "--lang", "uk", check=True).stdout
    assert "international  Міжнародний збройний конфлікт" in terms
    missing = cli("taxonomy", "terms", "nope")
    assert missing.returncode == 3 and "no vocabulary" in missing.stderr
    cli("init", check=True)
    unknown = cli("legal", "qualify", "x", "CAH-MURDR")
    assert unknown.returncode == 2 and "CAH-MURDER" in unknown.stderr


def test_reject_a_suggestion_and_withdraw_with_a_reason(cli: Cli, tmp_path: Path) -> None:
    _, incident_id = _setup(cli, tmp_path)
    rejected = cli("legal", "reject", incident_id, "WC-ATT-CIV", "--note", "no nexus", check=True)
    assert "Rejected the suggestion of WC-ATT-CIV" in rejected.stdout
    suggested = cli("legal", "suggest", incident_id, "--json", check=True).stdout.splitlines()
    assert {json.loads(line)["code"]: json.loads(line)["rejected"] for line in suggested}[
        "WC-ATT-CIV"
    ]
    made = cli("legal", "qualify", incident_id, "CAH-MURDER", check=True).stdout.split()[-1]
    no_reason = cli("legal", "withdraw", made)
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    empty = cli("legal", "withdraw", made, "--reason", "  ")
    assert empty.returncode == 2 and "needs a reason" in empty.stderr
    done = cli("legal", "withdraw", made, "--reason", "no killing reported", check=True)
    assert f"Withdrew qualification {made}" in done.stdout
    assert cli("verify").returncode == 0
