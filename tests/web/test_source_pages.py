"""A case's sources in the browser: recorded, edited from the version read, linked to an incident,
with their history. Each refusal comes back on its form with the reason by the field, and nothing is
written; a reader sees no form and their posts are refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents, sources
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import PASSWORD
from tests.web.conftest import signed_in as client_for
from tests.web.test_labels import _english_words
from tests.web.test_people_pages import beside, main, post

CASE = "Case A"


@pytest.fixture
def world(instance: Instance) -> dict[str, Any]:
    cases.create_case(instance, CASE)
    incident = incidents.create(instance, CASE, incidents.IncidentInput(title="Strike on a market"))
    source = sources.create(instance, CASE, kind="document", title="Police report")
    accounts.create_user(instance, "dana", PASSWORD)
    accounts.grant_role(instance, "dana", CASE, "documenter")
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", CASE, "viewer")
    return {"incident": incident, "source": source}


@SQLITE_ONLY
def test_a_documenter_records_edits_and_links_a_source(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "dana")
    listed = http.get("/cases/Case%20A/sources").text
    assert 'id="source-form"' in listed and f'href="/sources/{world["source"]}"' in listed
    made = post(http, "/cases/Case%20A/sources",
                {"kind": "url", "title": "News item", "url": "https://example.org/a",
                 "published_at": "2022-03"})  # fmt: skip
    assert made.status_code == 200, made.text
    new_id = made.headers["HX-Redirect"].rsplit("/", 1)[-1]
    assert sources.show(instance, new_id).published_at == "2022-03"
    form = http.get(f"/sources/{new_id}/edit").text
    assert 'name="expected_version" value="1"' in form and 'value="https://example.org/a"' in form
    saved = post(http, f"/sources/{new_id}/edit",
                 {"kind": "media-report", "title": "News item", "url": "",
                  "expected_version": "1"})  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert sources.show(instance, new_id).url is None
    linked = post(http, f"/sources/{new_id}/incidents",
                  {"incident_id": world["incident"], "note": "gives the time"})  # fmt: skip
    assert linked.status_code == 200, linked.text
    page = http.get(f"/sources/{new_id}").text
    assert (
        f'<a href="/incidents/{world["incident"]}">Strike on a market</a> — gives the time' in page
    )
    history = page[page.index('<table class="history">') :]
    assert history.count("<tr>") == 3


BAD = [
    ("/cases/Case%20A/sources", {"kind": "document", "title": " "}, "title", "Write a title."),
    ("/cases/Case%20A/sources", {"kind": "url", "title": "A page"}, "url",
     "A source of this kind needs its address."),
    ("/cases/Case%20A/sources", {"kind": "document", "title": "A", "url": "ftp://x"}, "url",
     "The address must start with http:// or https://."),
    ("/cases/Case%20A/sources", {"kind": "rumour", "title": "A"}, "kind",
     "Choose a kind of source from the list."),
    ("/cases/Case%20A/sources", {"kind": "document", "title": "A", "published_at": "2022-13"},
     "published_at", ""),
    ("/sources/S/edit", {"kind": "url", "title": "Police report", "expected_version": "1"}, "url",
     "A source of this kind needs its address."),
    ("/sources/S/edit", {"kind": "document", "title": "", "expected_version": "1"}, "title",
     "Write a title."),
]  # fmt: skip


@SQLITE_ONLY
@pytest.mark.parametrize(("path", "typed", "field", "reason"), BAD)
def test_bad_input_is_named_and_writes_nothing(  # noqa: PLR0917 - fixtures and cases
    site: Any,
    instance: Instance,
    world: dict[str, Any],
    path: str,
    typed: dict[str, str],
    field: str,
    reason: str,
) -> None:
    http = client_for(site, "dana")
    before = (sources.list_for_case(instance, CASE), sources.versions(instance, world["source"]))
    refused = post(http, path.replace("/S/", f"/{world['source']}/"), typed)
    assert refused.status_code == 422, refused.text
    assert reason in beside(refused.text, "source-form", field)
    after = (sources.list_for_case(instance, CASE), sources.versions(instance, world["source"]))
    assert after == before


@SQLITE_ONLY
def test_a_stale_edit_and_a_second_link_are_refused(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "dana")
    source, incident = world["source"], world["incident"]
    sources.edit(instance, source, {"description": "someone else's"})
    stale = post(http, f"/sources/{source}/edit",
                 {"kind": "document", "title": "Police report (2)", "expected_version": "1"})  # fmt: skip
    assert stale.status_code == 409 and "Someone else saved a change first" in stale.text
    assert sources.show(instance, source).title == "Police report"
    sources.link_incident(instance, source, incident)
    again = post(http, f"/sources/{source}/incidents", {"incident_id": incident})
    assert again.status_code == 409
    assert "This source is already linked to this incident." in again.text
    missing = post(http, f"/sources/{source}/incidents", {"incident_id": "nope"})
    assert missing.status_code == 422
    form = missing.text[missing.text.index('id="source-incident-form"') :]
    assert "Not saved: No incident has this ID." in form
    assert len(sources.show(instance, source).incidents) == 1


@SQLITE_ONLY
def test_a_reader_sees_no_form_and_may_not_write(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "vera")
    source = world["source"]
    for path in ("/cases/Case%20A/sources", f"/sources/{source}"):
        page = http.get(path).text
        assert 'id="source-form"' not in page and 'id="source-incident-form"' not in page
    assert http.get(f"/sources/{source}/edit").status_code == 403
    for path, data in (
        ("/cases/Case%20A/sources", {"kind": "document", "title": "Mine"}),
        (f"/sources/{source}/edit", {"kind": "document", "title": "Mine"}),
        (f"/sources/{source}/incidents", {"incident_id": world["incident"]}),
    ):
        assert post(http, path, data).status_code == 403, path
    assert [s.title for s in sources.list_for_case(instance, CASE)] == ["Police report"]
    assert sources.show(instance, source).incidents == []


@SQLITE_ONLY
def test_the_source_pages_are_in_ukrainian(
    site: Any, instance: Instance, world: dict[str, Any]
) -> None:
    http = client_for(site, "dana")
    http.cookies.set("testament_lang", "uk")
    data = {"Police report", "Strike on a market", "Case A", "dana"}
    source = world["source"]
    for path in ("/cases/Case%20A/sources", f"/sources/{source}", f"/sources/{source}/edit"):
        page = http.get(path)
        assert page.status_code == 200, path
        assert _english_words(main(page.text), data) == [], path
    refused = post(http, "/cases/Case%20A/sources", {"kind": "document", "title": ""})
    assert "Напишіть назву." in refused.text
