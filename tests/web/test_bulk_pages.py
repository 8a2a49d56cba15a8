"""Bulk work on the pages, in English and Ukrainian: choose records with the lists' checkboxes, see a
confirmation with the count, then tag, link, assign, change the review state or ask for a package, all
or nothing; tags on a record's page; and a CSV update whose preview writes nothing (docs/bulk.md)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from testament.accounts import accounts
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.documentation import incidents, tags
from testament.review import reading
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import PASSWORD, open_with_purpose
from tests.web.conftest import csrf_token as _csrf
from tests.web.conftest import signed_in as _signed_in

pytestmark = SQLITE_ONLY

CASE = "Kharkiv"
BULK = f"/cases/{CASE}/bulk"


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    cases.create_case(instance, CASE)
    cases.create_case(instance, "Elsewhere")
    for username, role in (("dora", "coordinator"), ("rita", "documenter")):
        accounts.create_user(instance, username, PASSWORD)
        accounts.grant_role(instance, username, CASE, role)
    accounts.create_user(instance, "olek", PASSWORD)  # no role on the case
    items = []
    for number in range(3):
        photo = tmp_path / f"street-{number}.jpg"
        photo.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(600))
        items.append(str(ingest.ingest(instance, [photo], case_name=CASE).results[0].item_id))
    other = tmp_path / "other.jpg"
    other.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(600))
    foreign = str(ingest.ingest(instance, [other], case_name="Elsewhere").results[0].item_id)
    made = [
        incidents.create(instance, CASE, incidents.IncidentInput(title=title, date="2022-03-01"))
        for title in ("Strike on the market", "Shelling of the school")
    ]
    return {"items": items, "foreign": foreign, "incidents": made}


def _events(instance: Instance) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(custody_event)).scalar_one())


def _post(http: Any, path: str, data: dict[str, Any], files: Any = None) -> Any:
    page = http.get(f"/cases/{CASE}")
    return http.post(path, data=data, files=files, headers={"X-CSRF-Token": _csrf(page.text)})


def test_the_lists_offer_checkboxes_and_the_actions(site: Any, world: dict[str, Any]) -> None:
    dora = _signed_in(site, "dora")
    listed = dora.get(f"/cases/{CASE}/evidence").text
    assert listed.count('name="target"') == 3 and 'form="bulk-form"' in listed
    assert "Select all on this page" in listed and 'value="link"' in listed
    page = dora.get(f"/cases/{CASE}").text
    assert page.count('name="target"') == 2 and 'value="link"' not in page
    assert f"/cases/{CASE}/update" in page


def test_tagging_items_confirms_the_count_then_writes_all(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    dora, items = _signed_in(site, "dora"), world["items"]
    before = _events(instance)
    shown = _post(dora, BULK, {"kind": "item", "action": "tag", "target": items})
    assert shown.status_code == 200 and "3 evidence items" in shown.text
    assert _events(instance) == before  # the confirmation writes nothing
    done = _post(dora, BULK + "/apply", {"kind": "item", "action": "tag", "target": items,
                                         "tag": "Night strike"})  # fmt: skip
    assert done.status_code == 200 and "3 records changed." in done.text
    assert tags.tagged(instance, CASE, "item", "night strike") == sorted(items)
    filtered = dora.get(f"/cases/{CASE}/evidence", params={"tag": "NIGHT strike"}).text
    assert filtered.count('name="target"') == 3
    again = _post(dora, BULK + "/apply", {"kind": "item", "action": "untag", "target": items[:1],
                                          "tag": "NIGHT STRIKE"})  # fmt: skip
    assert "1 record changed." in again.text
    filtered = dora.get(f"/cases/{CASE}/evidence", params={"tag": "night strike"}).text
    assert filtered.count('name="target"') == 2 and f'value="{items[0]}"' not in filtered


def test_bad_bulk_choices_are_said_and_write_nothing(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    dora, items = _signed_in(site, "dora"), world["items"]
    none = _post(dora, BULK, {"kind": "item", "action": "tag"})
    assert none.status_code == 422 and "nothing is selected" in none.text
    before = _events(instance)
    empty = _post(
        dora, BULK + "/apply", {"kind": "item", "action": "tag", "target": items, "tag": " "}
    )
    assert empty.status_code == 422 and "must not be empty" in empty.text
    long = _post(
        dora, BULK + "/apply", {"kind": "item", "action": "tag", "target": items, "tag": "x" * 65}
    )
    assert long.status_code == 422 and "at most 64" in long.text
    nobody = _post(dora, BULK + "/apply", {"kind": "item", "action": "assign", "target": items,
                                           "assignee": "olek"})  # fmt: skip
    assert nobody.status_code == 422 and "no role on this case" in nobody.text
    across = _post(dora, BULK + "/apply", {
        "kind": "item", "action": "link", "target": [*items, world["foreign"]],
        "incident_id": world["incidents"][0], "relevance": "the same street",
    })  # fmt: skip
    assert across.status_code in (404, 422) and world["foreign"] in across.text
    assert _events(instance) == before


def test_assign_status_and_link_in_bulk(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    dora, items = _signed_in(site, "dora"), world["items"]
    assigned = _post(dora, BULK + "/apply", {"kind": "item", "action": "assign", "target": items,
                                             "assignee": "rita"})  # fmt: skip
    assert assigned.status_code == 200 and "3 records changed." in assigned.text
    assert reading.review(instance, "item", items[0]).assignee == "rita"
    confirm = _post(
        dora, BULK, {"kind": "incident", "action": "status", "target": world["incidents"]}
    )
    assert 'name="state"' in confirm.text and "2 incidents" in confirm.text
    state = confirm.text.split('name="state"', 1)[1].split('value="', 2)[2].split('"', 1)[0]
    moved = _post(dora, BULK + "/apply", {"kind": "incident", "action": "status",
                                          "target": world["incidents"], "state": state})  # fmt: skip
    assert moved.status_code == 200, moved.text
    linked = _post(dora, BULK + "/apply", {"kind": "item", "action": "link", "target": items,
                                           "incident_id": world["incidents"][0],
                                           "relevance": "the street after the strike"})  # fmt: skip
    assert "3 records changed." in linked.text
    assert len(incidents.show(instance, world["incidents"][0]).evidence) == 3


def test_tags_on_an_incident_page(site: Any, world: dict[str, Any], instance: Instance) -> None:
    dora, incident = _signed_in(site, "dora"), world["incidents"][0]
    page = dora.get(f"/incidents/{incident}").text
    assert "No tags yet." in page
    added = _post(
        dora, f"/tags/incident/{incident}", {"tag": "Market", "back": f"/incidents/{incident}"}
    )
    assert added.status_code == 303 and added.headers["location"] == f"/incidents/{incident}"
    assert '">Market</a>' in dora.get(f"/incidents/{incident}").text
    listed = dora.get(f"/cases/{CASE}/tags", params={"tag": "MARKET"}).text
    assert f'href="/incidents/{incident}">Strike on the market</a>' in listed
    assert 'Market</a> <span class="num">(1)</span>' in listed
    _post(dora, f"/tags/incident/{incident}", {"tag": "market", "remove": "1"})
    assert tags.of_record(instance, "incident", incident) == []


def test_a_csv_update_previews_then_applies(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    dora = _signed_in(site, "dora")
    first, second = world["incidents"]
    content = f"id,title,date\n{first},Strike on the central market,\n{second},,2022-02-30\n"
    before = _events(instance)
    shown = _post(
        dora, f"/cases/{CASE}/update", {}, files={"file": ("fix.csv", content.encode(), "text/csv")}
    )
    assert shown.status_code == 200, shown.text
    assert (
        "Strike on the central market" in shown.text
        and "<del>Strike on the market</del>" in shown.text
    )
    assert "Rows in error" in shown.text and "<code>date</code>" in shown.text
    assert _events(instance) == before
    assert incidents.show(instance, first).title == "Strike on the market"
    form = {name: shown.text.split(f'name="{name}" value="', 1)[1].split('"', 1)[0]
            for name in ("carried", "name", "digest")}  # fmt: skip
    blocked = _post(dora, f"/cases/{CASE}/update/apply", form)
    assert blocked.status_code == 422 and "nothing was written" in blocked.text
    assert _events(instance) == before
    incidents.edit(instance, first, {"description": "changed meanwhile"})
    stale = _post(dora, f"/cases/{CASE}/update/apply", form | {"only_valid": "1"})
    assert stale.status_code == 409 and "changed since the preview" in stale.text
    fresh = stale.text.split('name="digest" value="', 1)[1].split('"', 1)[0]
    done = _post(dora, f"/cases/{CASE}/update/apply", form | {"digest": fresh, "only_valid": "1"})
    assert done.status_code == 200 and "1 incident updated" in done.text
    assert incidents.show(instance, first).title == "Strike on the central market"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"", "the file is empty"),
        (b"id,colour\nx,red\n", "colour"),
        (b"id,title\nx,caf\xe9\n", "UTF-8"),
    ],
)
def test_a_bad_csv_file_is_said_beside_the_form(
    site: Any, world: dict[str, Any], content: bytes, why: str
) -> None:
    dora = _signed_in(site, "dora")
    shown = _post(
        dora, f"/cases/{CASE}/update", {}, files={"file": ("bad.csv", content, "text/csv")}
    )
    assert shown.status_code == 422 and why in shown.text and 'role="alert"' in shown.text


def test_the_bulk_pages_speak_ukrainian(site: Any, world: dict[str, Any]) -> None:
    dora = _signed_in(site, "dora", cookies={"testament_lang": "uk"})
    assert "Вибрати все на цій сторінці" in dora.get(f"/cases/{CASE}/evidence").text
    shown = _post(dora, BULK, {"kind": "item", "action": "tag", "target": world["items"]})
    assert "3 докази" in shown.text and "Підтвердити" in shown.text
    assert "Оновити події з CSV" in dora.get(f"/cases/{CASE}/update").text


def test_the_gallery_has_the_checkboxes_and_a_package_is_asked_for(
    site: Any, world: dict[str, Any]
) -> None:
    dora = _signed_in(site, "dora")
    gallery = dora.get(f"/cases/{CASE}/gallery").text
    assert gallery.count('name="target"') == 3 and "Select street-" in gallery
    confirm = _post(dora, BULK, {"kind": "incident", "action": "package",
                                 "target": world["incidents"]})  # fmt: skip
    assert 'name="recipient_class"' in confirm.text and "2 incidents" in confirm.text
    asked = _post(dora, BULK + "/apply", {
        "kind": "incident", "action": "package", "target": world["incidents"],
        "recipient_class": "icc-otp", "purpose": "criminal-investigation", "recipient": "ICC OTP",
    })  # fmt: skip
    assert asked.status_code == 200 and 'href="/sharing"' in asked.text
    assert "waiting for approval" in dora.get("/sharing").text


def test_tags_on_an_items_page_keep_its_view(site: Any, world: dict[str, Any]) -> None:
    dora, item = _signed_in(site, "dora"), world["items"][0]
    page = open_with_purpose(dora, f"/evidence/{item}", "tagging")
    assert 'id="tags-title"' in page.text
    back = page.text.split('name="back" value="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert back.startswith(f"/evidence/{item}?")
    added = _post(dora, f"/tags/item/{item}", {"tag": "Crater", "back": back})
    assert added.status_code == 303 and added.headers["location"] == back
    elsewhere = _post(dora, f"/tags/item/{item}", {"tag": "Other", "back": "https://example.org/"})
    assert elsewhere.headers["location"] == f"/evidence/{item}"
    assert '">Crater</a>' in dora.get(back).text


def test_a_record_of_another_case_is_refused_on_a_cases_page(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    accounts.grant_role(instance, "dora", "Elsewhere", "coordinator")
    dora = _signed_in(site, "dora")
    before = _events(instance)
    for action, extra in (("tag", {"tag": "x"}), ("assign", {"assignee": "dora"})):
        refused = _post(dora, BULK + "/apply", {"kind": "item", "action": action,
                        "target": [*world["items"], world["foreign"]]} | extra)  # fmt: skip
        assert refused.status_code == 422 and world["foreign"] in refused.text, refused.text
    assert _events(instance) == before
