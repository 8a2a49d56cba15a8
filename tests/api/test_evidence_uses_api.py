"""`GET /api/evidence/{id}/uses`: where an item is used, the use case's answer as JSON; an item of a
case the caller may not read answered exactly as a missing one (docs/api.md)."""

from __future__ import annotations

from typing import Any

from tests.api.test_hidden_records import MISSING, world
from tests.conftest import SQLITE_ONLY

__all__ = ["world"]  # the fixture: Case B's records, anna of Case A, root the administrator
pytestmark = SQLITE_ONLY


def test_the_uses_of_an_item_and_a_hidden_one(world: dict[str, Any]) -> None:
    item = world["item_id"]
    answer = world["http root"].get(f"/evidence/{item}/uses")
    assert answer.status_code == 200, answer.text
    uses = answer.json()["uses"]
    assert uses["item_id"] == item and uses["case"] == "Case B"
    assert [(i["incident_id"], i["relevance"]) for i in uses["incidents"]] == [
        (world["incident_id"], "shows the crater")
    ]
    assert [(e["crime_code"], e["element_id"], e["stance"]) for e in uses["elements"]] == [
        ("CAH-MURDER", "E1", "supports")
    ]
    assert uses["elements"][0]["link_id"] == world["element-links"]
    assert uses["packages"] == []
    anna = world["http anna"]
    hidden, missing = anna.get(f"/evidence/{item}/uses"), anna.get(f"/evidence/{MISSING}/uses")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"] == missing.json()["error"]
    assert "Case B" not in hidden.text and "crater" not in hidden.text


def test_the_list_of_a_cases_items_filtered(world: dict[str, Any]) -> None:
    root, item = world["http root"], world["item_id"]
    listed = "/cases/Case B/evidence"

    def found(**query: str) -> list[str]:
        answer = root.get(listed, params=query)
        assert answer.status_code == 200, answer.text
        return [i["id"] for i in answer.json()["items"]]

    assert found() == [item] == found(linked="true")
    assert found(linked="false") == [] == found(media="video")
    unknown = root.get(listed, params={"media": "hologram"})
    assert unknown.status_code == 422 and unknown.json()["where"] == "media"
    assert world["http anna"].get(listed, params={"media": "hologram"}).status_code == 404
