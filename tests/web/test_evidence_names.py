"""Evidence by its name: pages, the download and search name an item by its file name, size and type,
never by its ID alone, and a name's bidirectional controls are shown, never obeyed (docs/web.md).

Everything goes over real HTTP through the whole site, on a real SQLite home with real files.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from testament.accounts import accounts
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents, search, sources
from testament.search.base import SearchQuery
from testament.storage.engine import read_transaction
from testament.storage.tables import evidence_item
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import open_with_purpose
from tests.web.test_pages import PASSWORD, _csrf, _signed_in

pytestmark = SQLITE_ONLY

TRICK = "photo\u202egpj.exe"  # reads as "photoexe.jpg" where the override is obeyed
SHOWN = "photo[U+202E]gpj.exe"


@pytest.fixture
def desk(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    """Case A with an incident, a field photo ingested from disk, and a documenter of the case."""
    cases.create_case(instance, "Case A")
    incident = incidents.create(
        instance, "Case A", incidents.IncidentInput(title="Strike on a grain silo", date="2022-07")
    )
    folder = tmp_path / "field"
    folder.mkdir()
    (folder / "silo-north-wall.jpg").write_bytes(os.urandom(1_500))
    item = ingest.ingest(instance, [folder], case_name="Case A", source_note="volunteer drive")
    accounts.create_user(instance, "dana", PASSWORD)
    accounts.grant_role(instance, "dana", "Case A", "documenter")
    return {"incident": incident, "photo": item.results[0].item_id}


def _upload(http: TestClient, name: str, data: bytes) -> dict[str, Any]:
    csrf = _csrf(http.get("/cases/Case A/upload").text)
    response = http.post(
        "/api/cases/Case A/evidence",
        params={"filename": name},
        content=data,
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status_code == 201, response.text
    item: dict[str, Any] = response.json()["item"]
    return item


def _link(http: TestClient, incident: str, item: str, relevance: str) -> None:
    csrf = _csrf(http.get("/dashboard").text)
    linked = http.post(
        f"/incidents/{incident}/evidence",
        data={"item_id": item, "relevance": relevance},
        headers={"X-CSRF-Token": csrf},
    )
    assert linked.status_code == 303, linked.text


def test_a_right_to_left_override_is_shown_everywhere_and_kept_byte_for_byte(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    http = _signed_in(site, "dana")
    item = _upload(http, TRICK, os.urandom(2_000))
    assert (item["name"], item["shown_name"]) == (TRICK, SHOWN)
    with read_transaction(instance.engine) as conn:
        kept = conn.execute(
            select(evidence_item.c.original_name).where(evidence_item.c.id == item["id"])
        ).scalar_one()
    assert kept.encode() == TRICK.encode()  # the metadata keeps the name as it came
    _link(http, desk["incident"], item["id"], "the silo's wall after the strike")
    pages = {
        "case evidence": http.get("/cases/Case A/evidence").text,
        "item": open_with_purpose(http, f"/evidence/{item['id']}", "check the name").text,
        "incident": http.get(f"/incidents/{desk['incident']}").text,
        "search": http.get("/search", params={"q": "photo"}).text,
    }
    for where, page in pages.items():
        assert "\u202e" not in page, where
        assert SHOWN in page, where
    # The API carries the name as kept and as it may be shown.
    api = http.get(f"/api/evidence/{item['id']}", params={"purpose": "check"}).json()["item"]
    assert (api["original_name"], api["shown_name"]) == (TRICK, SHOWN)
    download = http.get(f"/api/evidence/{item['id']}/content", params={"purpose": "check"})
    disposition = download.headers["content-disposition"]
    assert disposition == (f"attachment; filename=\"{SHOWN}\"; filename*=UTF-8''{quote(SHOWN)}")
    assert quote("\u202e") not in disposition


def test_an_item_is_named_by_its_file_name_size_and_type_on_every_page(
    site: Any, desk: dict[str, Any]
) -> None:
    http = _signed_in(site, "dana")
    photo = desk["photo"]
    _link(http, desk["incident"], photo, "the north wall after the strike")
    page = open_with_purpose(http, f"/evidence/{photo}", "check the item").text
    assert re.search(r"<title>silo-north-wall\.jpg", page)
    assert "<h1>silo-north-wall.jpg</h1>" in page
    assert "1.5 kB" in page and "1500" in page and "volunteer drive" in page
    listing = http.get("/cases/Case A/evidence").text
    assert f'<a href="/evidence/{photo}">silo-north-wall.jpg</a>' in listing
    assert "1.5 kB" in listing
    incident = http.get(f"/incidents/{desk['incident']}").text
    assert f'<a href="/evidence/{photo}">silo-north-wall.jpg</a> (' in incident
    assert f">{photo}</a>" not in incident  # never the ID as the item's name
    download = http.get(f"/api/evidence/{photo}/content", params={"purpose": "check"})
    assert 'filename="silo-north-wall.jpg"' in download.headers["content-disposition"]
    ukrainian = http.get("/lang/uk", params={"next": "/cases/Case A/evidence"})
    assert ukrainian.status_code == 303
    assert "1,5 кБ" in http.get("/cases/Case A/evidence").text


def test_an_upload_answers_with_the_name_the_pages_show(site: Any, desk: dict[str, Any]) -> None:
    http = _signed_in(site, "dana")
    upload_page = http.get("/cases/Case A/upload").text
    hidden = re.search(r'data-hidden="([^"]+)"', upload_page)
    assert hidden is not None and "\\u202e" in hidden.group(1)  # the script's list is the server's
    item = _upload(http, "свідчення 2.txt", b"recorded 2022-03-02")
    assert item["shown_name"] == "свідчення 2.txt" and item["status"] == "stored"
    refused = http.post(
        "/api/cases/Case A/evidence",
        params={"filename": "a\x00b.txt"},
        content=b"x",
        headers={"X-CSRF-Token": _csrf(upload_page)},
    )
    assert refused.status_code == 422 and "NUL" in refused.json()["error"]


def test_search_links_every_kind_to_its_page_and_tells_alike_titles_apart(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    title = "Two people killed in strike on grain silo"
    first = sources.create(instance, "Case A", kind="url", title=title,
                           url="https://example.org/report/1")  # fmt: skip
    second = sources.create(instance, "Case A", kind="url", title=title,
                            url="https://example.org/report/2")  # fmt: skip
    http = _signed_in(site, "dana")
    page = http.get("/search", params={"q": "silo"}).text
    hits = re.findall(r'<li><a href="([^"]+)">([^<]+)</a>', page)
    links = [href for href, _ in hits]
    assert "#" not in links
    assert len(links) == len(set(links))
    assert {f"/sources/{first}", f"/sources/{second}", f"/incidents/{desk['incident']}",
            f"/evidence/{desk['photo']}"} <= set(links)  # fmt: skip
    # Two sources of one title each say which they are.
    assert "https://example.org/report/1" in page and "https://example.org/report/2" in page
    source_page = http.get(f"/sources/{first}")
    assert source_page.status_code == 200
    assert title in source_page.text and "https://example.org/report/1" in source_page.text
    assert http.get("/sources/no-such-source").status_code == 404


def test_evidence_file_names_titles_and_notes_are_searchable(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    http = _signed_in(site, "dana")
    _link(http, desk["incident"], desk["photo"], "cracks along the conveyor")
    for words in ("silo north wall", "volunteer drive", "conveyor"):
        page = http.get("/search", params={"q": words}).text
        assert f'<a href="/evidence/{desk["photo"]}">silo-north-wall.jpg</a>' in page, words
    # The folder an ingested file came from is never in the index.
    assert "silo-north-wall.jpg" not in http.get("/search", params={"q": "field"}).text
    hits = search.search(instance, SearchQuery("silo wall", kinds=("item",))).hits
    assert [hit.title for hit in hits] == ["silo-north-wall.jpg"]
    assert evidence.show(instance, desk["photo"]).shown_name == "silo-north-wall.jpg"


def test_the_proof_chart_names_the_items_it_cites(
    site: Any, desk: dict[str, Any], instance: Instance
) -> None:
    from testament.documentation import legal

    evidence.link(instance, desk["photo"], desk["incident"], "the north wall after the strike")
    legal.qualify(instance, desk["incident"], "CAH-MURDER", "killed at the silo")
    legal.link_element(
        instance, desk["photo"], desk["incident"], "CAH-MURDER", "E1", stance="supports"
    )
    chart = _signed_in(site, "dana").get("/cases/Case A/proof-chart").text
    assert f'<a href="/evidence/{desk["photo"]}">silo-north-wall.jpg</a>' in chart
