"""The re-interview registry across cases, on both databases (docs/survivors.md).

A documenter with no role on the case holding a matched person learns only that a possible earlier
account exists and whom to contact; their question is a request, logged by IDs only, that the holding
case's coordinators see (page, API, command line) and decide. Those with a role there see what they
always saw.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from testament.accounts import accounts, credentials
from testament.custody import cases
from testament.custody.instance import Instance, acting_as
from testament.domain.results import plain
from testament.search import names
from testament.storage import tables
from testament.storage.engine import read_transaction
from testament.survivors import consent, identity, registry, testimony
from tests.conftest import SQLITE_ONLY, Cli
from tests.web.test_pages import PASSWORD, _csrf, _signed_in

NAME = "Halyna Petrenko"
ASKED = {"name": "Galina Petrenko", "dob": "1984"}
COORDINATOR = "the coordinator of the case that holds it"
ROLES = (("dana", "Case A", "documenter"), ("cora", "Case A", "coordinator"),
         ("boris", "Case B", "documenter"), ("carl", "Case B", "coordinator"))  # fmt: skip


@pytest.fixture
def world(instance: Instance) -> dict[str, Any]:
    """Case B holds Halyna, interviewed by boris under a consent grant; dana and cora work on Case A."""
    for name in ("Case A", "Case B"):
        cases.create_case(instance, name)
    found: dict[str, Any] = {}
    for user, case_name, role in ROLES:
        accounts.create_user(instance, user, PASSWORD)
        accounts.grant_role(instance, user, case_name, role)
        _, found[user] = credentials.create_token(instance, user, "t", scope="write", days=1)
    person, label = identity.add_person(
        instance, "Case B", identity.Identity(name=NAME, date_of_birth="1984-02-03")
    )
    consent.grant(instance, person, consent.GrantInput(
        "criminal-investigation", "national-prosecutor", info_sheet_version="1",
        understanding_checked=True,
    ))  # fmt: skip
    assessment = testimony.assess_risk(
        instance, person, flags=[], decision="proceed",
        risks_person="none", risks_family="none", risks_staff="none",
    )  # fmt: skip
    testimony.record(
        instance, person, risk_assessment_id=assessment, interviewer="boris",
        started_at="2023-05-02T10:00+03:00", timezone="Europe/Kyiv", place="partner office",
        language="uk", contact_via="a hotline", account="my words", nothing_promised=True,
        intended_use="criminal-investigation", intended_recipient="national-prosecutor",
        why_needed="no other witness",
    )  # fmt: skip
    return found | {"person": person, "label": label}


def _api(site: Any, world: dict[str, Any], user: str) -> TestClient:
    return TestClient(site, headers={"Authorization": f"Bearer {world[user]}"})


def _events(instance: Instance) -> list[dict[str, Any]]:
    e = tables.custody_event
    with read_transaction(instance.engine) as conn:
        rows = conn.execute(select(e.c.event_type, e.c.case_id, e.c.detail)).all()
    return [
        {"type": r.event_type, "case": r.case_id, **json.loads(r.detail)}
        for r in rows
        if "registry-request" in r.detail
    ]


def test_a_documenter_without_a_role_learns_only_whom_to_ask(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    holder = _api(site, world, "boris").post("/api/registry/match", json=ASKED).json()["matches"]
    assert [(m["label"], m["case"]) for m in holder] == [(world["label"], "Case B")]
    assert holder[0]["interviews"][0]["interviewer"] == "boris"

    asked = _api(site, world, "dana").post("/api/registry/match", json=ASKED)
    assert asked.status_code == 200, asked.text
    (match,) = asked.json()["matches"]
    assert match == {"held_elsewhere": True, "request": match["request"], "contact": COORDINATOR}
    for secret in (world["label"], "Case B", "boris", "criminal-investigation", world["person"],
                   NAME, "2023-05-02"):  # fmt: skip
        assert secret not in asked.text
    again = _api(site, world, "dana").post("/api/registry/match", json=ASKED).json()
    assert again["matches"][0]["request"] == match["request"]  # one request while undecided

    (event,) = _events(instance)  # the request is logged once, on the holding case, by IDs only
    with read_transaction(instance.engine) as conn:
        case_b = conn.execute(
            select(tables.case.c.id).where(tables.case.c.name == "Case B")
        ).scalar_one()
    assert event["case"] == case_b and event["type"] == "access"
    assert event["request"] == match["request"] and event["action"] == "asked"
    assert NAME not in json.dumps(event) and "Galina" not in json.dumps(event)

    # The holding case's coordinator sees it and decides; the other case's coordinator does not.
    carl = _api(site, world, "carl").get("/api/registry/requests?open=true").json()["items"]
    assert [(r["id"], r["label"], r["asked_by"], r["state"]) for r in carl] == [
        (match["request"], world["label"], "dana", "open")
    ]
    assert _api(site, world, "cora").get("/api/registry/requests").json()["items"] == []
    decide = f"/api/registry/requests/{match['request']}/decision"
    assert _api(site, world, "cora").post(decide, json={"decision": "decline"}).status_code == 404
    assert _api(site, world, "dana").post(decide, json={"decision": "decline"}).status_code == 403
    (mine,) = _api(site, world, "dana").get("/api/registry/requests").json()["items"]
    assert (mine["state"], mine["contact"]) == ("open", COORDINATOR) and "label" not in mine

    shared = _api(site, world, "carl").post(decide, json={"decision": "share-contact"})
    assert shared.status_code == 200, shared.text
    twice = _api(site, world, "carl").post(decide, json={"decision": "decline"})
    assert twice.status_code == 422
    (mine,) = _api(site, world, "dana").get("/api/registry/requests").json()["items"]
    assert (mine["state"], mine["contact"]) == ("share-contact", "carl")
    assert [e["action"] for e in _events(instance)] == ["asked", "share-contact"]


def test_the_pages_show_the_request_to_the_coordinator_who_decides(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    dana = _signed_in(site, "dana")
    form = dana.get("/cases/Case A/intake")
    csrf = {"X-CSRF-Token": _csrf(form.text)}
    typed = {"name": ASKED["name"], "date_of_birth": ASKED["dob"]}
    shown = dana.post("/cases/Case A/intake", headers=csrf, data=typed)
    assert shown.status_code == 409, shown.text
    assert "A possible earlier account is held in a case you have no role on" in shown.text
    assert COORDINATOR in shown.text and 'href="/registry/requests"' in shown.text
    for secret in (world["label"], "Case B", "boris", "2023-05-02", NAME):
        assert secret not in shown.text

    carl = _signed_in(site, "carl")
    page = carl.get("/registry/requests")
    assert page.status_code == 200 and world["label"] in page.text and "dana" in page.text
    (request_id,) = [r["id"] for r in _requests(instance, "carl")]
    decided = carl.post(
        f"/registry/requests/{request_id}",
        headers={"X-CSRF-Token": _csrf(page.text), "HX-Request": "true"},
        data={"decision": "decline"},
    )
    assert decided.status_code == 200 and decided.headers["HX-Redirect"] == "/registry/requests"
    dana.cookies.set("testament_lang", "uk")
    mine = dana.get("/registry/requests")
    assert mine.status_code == 200 and "відхилено" in mine.text
    assert world["label"] not in mine.text and "Case B" not in mine.text


def _requests(instance: Instance, username: str) -> list[dict[str, Any]]:
    user_id = next(u.id for u in accounts.list_users(instance) if u.username == username)
    with acting_as(user_id):
        return list(plain(registry.requests(instance)))


def test_an_instance_may_name_whom_to_contact(world: dict[str, Any], instance: Instance) -> None:
    named = dataclasses.replace(
        instance,
        settings=dataclasses.replace(instance.settings, registry_contact="protection@example.org"),
    )
    dana = next(u.id for u in accounts.list_users(instance) if u.username == "dana")
    with acting_as(dana):
        (found,) = registry.match(named, names.NameRecord(ASKED["name"], ASKED["dob"]))
    assert found.as_json()["contact"] == "protection@example.org"


@SQLITE_ONLY
def test_the_command_line_lists_and_decides_requests(
    site: Any, world: dict[str, Any], instance: Instance, cli: Cli
) -> None:
    asked = _api(site, world, "dana").post("/api/registry/match", json=ASKED).json()
    request_id = asked["matches"][0]["request"]
    listed = cli("registry", "requests", "--open", "--json", check=True)
    (item,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (item["id"], item["label"], item["asked_by"]) == (request_id, world["label"], "dana")
    cli("registry", "decide", request_id, "--decision", "decline", check=True)
    assert (
        cli("registry", "requests", "--open", check=True).stdout.strip() == "No registry requests"
    )
