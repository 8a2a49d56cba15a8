"""The bulk routes of the API: tags on many records, many items linked to one incident, and a CSV
update previewed then applied with its digest; a hidden record answered as a missing one, and a
refused record writing nothing (docs/bulk.md)."""

from __future__ import annotations

from typing import Any

from tests.api.test_hidden_records import MISSING, world
from tests.conftest import SQLITE_ONLY

__all__ = ["world"]  # the fixture: Case B's records, anna of Case A, root the administrator
pytestmark = SQLITE_ONLY


def test_tags_through_the_api(world: dict[str, Any]) -> None:
    root, incident = world["http root"], world["incident_id"]
    added = root.post("/tags", json={"kind": "incident", "targets": [incident], "tag": " Night "})
    assert added.status_code == 200, added.text
    assert added.json()["outcome"]["changed"] == [incident]
    listed = root.get(f"/incidents/{incident}/tags").json()["items"]
    assert [t["label"] for t in listed] == ["Night"]
    counted = root.get("/cases/Case B/tags", params={"kind": "incident"}).json()["items"]
    assert counted == [{"label": "Night", "folded": "night", "records": 1}]
    found = root.get("/cases/Case B/tagged", params={"kind": "incident", "tag": "NIGHT"})
    assert found.json()["items"] == [incident]
    both = root.post("/tags", json={"kind": "incident", "targets": [incident, MISSING], "tag": "x"})
    assert both.status_code == 404 and MISSING in both.text
    too_long = root.post(
        "/tags", json={"kind": "item", "targets": [world["item_id"]], "tag": "x" * 65}
    )
    assert too_long.status_code == 422 and "at most 64" in too_long.text
    none = root.post("/tags", json={"kind": "item", "targets": [], "tag": "x"})
    assert none.status_code == 422 and "nothing is selected" in none.text
    anna = world["http anna"]
    hidden = anna.get(f"/incidents/{incident}/tags")
    assert hidden.status_code == 404 and "Night" not in hidden.text
    item = world["item_id"]
    root.post("/tags", json={"kind": "item", "targets": [item], "tag": "Crater"})
    listed_items = root.get("/cases/Case B/evidence", params={"tag": "crater"}).json()["items"]
    assert [i["id"] for i in listed_items] == [item]
    assert root.get("/cases/Case B/evidence", params={"tag": "nothing"}).json()["items"] == []
    removed = root.post(
        "/tags/remove", json={"kind": "incident", "targets": [incident], "tag": "night"}
    )
    assert removed.json()["outcome"]["changed"] == [incident]


def test_a_csv_update_through_the_api(world: dict[str, Any]) -> None:
    root, incident = world["http root"], world["incident_id"]
    text = f"id,title\n{incident},Renamed\n"
    url = "/cases/Case B/incidents/update-csv"
    preview = root.post(url, json={"csv": text})
    assert preview.status_code == 200, preview.text
    plan = preview.json()["plan"]
    assert plan["applied"] is False and plan["changes"][0]["incident_id"] == incident
    assert root.get(f"/incidents/{incident}").json()["incident"]["title"] != "Renamed"
    wrong = root.post(url, json={"csv": text, "apply": True, "confirm": "0" * 64})
    assert wrong.status_code == 409
    applied = root.post(url, json={"csv": text, "apply": True, "confirm": plan["digest"]})
    assert applied.status_code == 200 and applied.json()["plan"]["written"] == 1
    assert root.get(f"/incidents/{incident}").json()["incident"]["title"] == "Renamed"
    assert world["http anna"].post(url, json={"csv": text}).status_code == 404
