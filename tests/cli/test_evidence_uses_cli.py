"""`testament evidence uses ITEM_ID` from a user's terminal: where an item is used, as lines and as
JSON, and an unknown item named."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SQLITE_ONLY, Cli

pytestmark = SQLITE_ONLY


def test_evidence_uses_lists_incidents_and_elements(cli: Cli, tmp_path: Path) -> None:
    cli("init", check=True)
    cli("case", "create", "C", check=True)
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0 a photograph")
    ingested = cli("ingest", str(tmp_path / "photo.jpg"), "--case", "C", "--json", check=True)
    item_id = json.loads(ingested.stdout.splitlines()[0])["item_id"]
    unused = cli("evidence", "uses", item_id, check=True)
    assert unused.stdout == "" and "not used yet" in unused.stderr
    added = cli("incident", "add", "--case", "C", "--title", "Strike", "--json", check=True)
    incident_id = json.loads(added.stdout)["id"]
    cli("evidence", "link", item_id, "--incident", incident_id, "--relevance", "the crater",
        check=True)  # fmt: skip
    cli("legal", "qualify", incident_id, "CAH-MURDER", check=True)
    cli("legal", "link", item_id, "--incident", incident_id, "--crime", "CAH-MURDER",
        "--element", "E1", "--supports", check=True)  # fmt: skip
    shown = cli("evidence", "uses", item_id, check=True).stdout
    assert f"incident: {incident_id}  Strike  (the crater)" in shown
    assert f"supports: CAH-MURDER E1  on {incident_id}" in shown
    found = json.loads(cli("evidence", "uses", item_id, "--json", check=True).stdout)
    assert found["case"] == "C" and found["packages"] == []
    assert [i["relevance"] for i in found["incidents"]] == ["the crater"]
    assert [(e["element_id"], e["stance"]) for e in found["elements"]] == [("E1", "supports")]
    missing = cli("evidence", "uses", "00000000-0000-7000-8000-000000000000")
    assert missing.returncode != 0 and "no evidence item has this ID" in missing.stderr
