"""Where an evidence item is used (documentation/item_uses.py), on SQLite and PostgreSQL: its incidents
with their relevance, the elements of crimes it supports or contradicts, and the packages it went into
(a package asked for in the browser, named by its request, and one made with `package create`); a link
taken back is no longer a use, and a reader of another case is answered as for a missing item."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents, item_uses, legal
from testament.errors import InvalidInput, NotFound
from testament.packages import sharing
from testament.packages.create import PackageRequest, create
from testament.transfer.disclosure import Audience

CASE = "Kherson"
ICC = Audience("icc-otp", "criminal-investigation", "ICC OTP")
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
MISSING = "00000000-0000-7000-8000-000000000000"


def as_user(instance: Instance, username: str) -> Instance:
    return instance.acting_for(accounts.principal_named(instance, username))


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    for name in (CASE, "Izium"):
        cases.create_case(instance, name)
    for username, case, role in (
        ("alla", CASE, "analyst"),
        ("cora", CASE, "coordinator"),
        ("vera", CASE, "viewer"),
        ("otto", "Izium", "viewer"),
    ):
        accounts.create_user(instance, username, PASSWORD)
        accounts.grant_role(instance, username, case, role)
    files = tmp_path / "files"
    files.mkdir()
    for name in ("bridge.jpg", "market.jpg"):
        (files / name).write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(2000))
    found = ingest.ingest(instance, sorted(files.iterdir()), case_name=CASE).results
    ids = {Path(r.path).name: str(r.item_id) for r in found}
    strike = incidents.create(instance, CASE, incidents.IncidentInput(title="Bridge strike"))
    later = incidents.create(instance, CASE, incidents.IncidentInput(title="Second strike"))
    evidence.link(instance, ids["bridge.jpg"], strike, "the bridge after the strike")
    taken_back = evidence.link(instance, ids["bridge.jpg"], later, "a mistake")
    evidence.unlink(instance, taken_back)
    legal.qualify(instance, strike, "CAH-MURDER")
    legal.link_element(instance, ids["bridge.jpg"], strike, "CAH-MURDER", "E1", stance="supports")
    legal.link_element(
        instance, ids["bridge.jpg"], strike, "CAH-MURDER", "CTX-CAH.C1", stance="contradicts"
    )
    return {"items": ids, "strike": strike, "out": tmp_path}


def test_an_items_incidents_and_legal_elements(instance: Instance, world: dict[str, Any]) -> None:
    bridge = world["items"]["bridge.jpg"]
    found = item_uses.uses(as_user(instance, "vera"), bridge)
    assert found.item_id == bridge and found.case == CASE
    assert [(u.incident_id, u.title, u.relevance) for u in found.incidents] == [
        (world["strike"], "Bridge strike", "the bridge after the strike")
    ]
    assert [(e.crime_code, e.element_id, e.stance) for e in found.elements] == [
        ("CAH-MURDER", "E1", "supports"),
        ("CAH-MURDER", "CTX-CAH.C1", "contradicts"),
    ]
    first = found.elements[0]
    assert first.incident_title == "Bridge strike" and first.element_text
    assert first.crime_label["en"] and first.crime_label["uk"]
    assert found.packages == ()
    market = item_uses.uses(instance, world["items"]["market.jpg"])
    assert (market.incidents, market.elements, market.packages) == ((), (), ())


def test_the_packages_an_item_went_into(instance: Instance, world: dict[str, Any]) -> None:
    bridge, market = world["items"]["bridge.jpg"], world["items"]["market.jpg"]
    alla, cora = as_user(instance, "alla"), as_user(instance, "cora")
    asked = sharing.ask(alla, CASE, ICC, sharing.Selection(incidents=(world["strike"],)))
    waiting = item_uses.uses(instance, bridge)
    assert waiting.packages == ()  # asked for, nothing sent yet
    sharing.decide(cora, asked, approve=True)
    built = sharing.build(cora, asked)
    by_hand = PackageRequest(
        CASE,
        ICC.recipient_class,
        ICC.purpose,
        ICC.recipient,
        world["out"] / "pkg",
        item_ids=(market,),
    )
    report = create(instance, by_hand)
    shared = item_uses.uses(as_user(instance, "vera"), bridge).packages
    assert [(p.package_id, p.request_id, p.recipient) for p in shared] == [
        (built.package_id, asked, "ICC OTP")
    ]
    assert shared[0].recipient_class == "icc-otp" and shared[0].log_index > 0
    made = item_uses.uses(instance, market).packages
    assert [(p.package_id, p.request_id) for p in made] == [(report.package_id, None)]


def test_another_cases_reader_and_a_missing_item_are_answered_alike(
    instance: Instance, world: dict[str, Any]
) -> None:
    otto = as_user(instance, "otto")
    with pytest.raises(NotFound) as hidden:
        item_uses.uses(otto, world["items"]["bridge.jpg"])
    with pytest.raises(NotFound) as missing:
        item_uses.uses(otto, MISSING)
    assert hidden.value.what == missing.value.what
    with pytest.raises(NotFound, match="no evidence item has this ID"):
        item_uses.uses(instance, MISSING)


def test_a_cases_items_filtered_by_kind_of_media_and_incident_link(
    instance: Instance, world: dict[str, Any]
) -> None:
    note = world["out"] / "note.txt"
    note.write_text("Shelling at 06:40.", encoding="utf-8")
    noted = str(ingest.ingest(instance, [note], case_name=CASE).results[0].item_id)
    bridge, market = world["items"]["bridge.jpg"], world["items"]["market.jpg"]

    def listed(**filters: Any) -> set[str]:
        return {i.id for i in evidence.list_for_case(as_user(instance, "vera"), CASE, **filters)}

    assert listed() == {bridge, market, noted}
    assert listed(media="image") == {bridge, market}
    assert listed(media="document") == {noted}
    assert listed(media="video") == set()
    assert listed(linked=True) == {bridge}  # the link taken back does not count
    assert listed(linked=False) == {market, noted}
    assert listed(media="image", linked=False) == {market}
    with pytest.raises(InvalidInput, match="'hologram' is not a kind of media"):
        evidence.list_for_case(instance, CASE, media="hologram")
    with pytest.raises(NotFound):  # a stranger is refused before the filter is looked at
        evidence.list_for_case(as_user(instance, "otto"), CASE, media="hologram")
