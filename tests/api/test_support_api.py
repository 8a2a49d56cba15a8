"""Needs, referrals, the directory and closing a case through the JSON API (MC-05).

A viewer may read needs but not record them, nor read their notes; only a coordinator closes a case;
another case's need or referral answers as absent; every bad value comes back in the error envelope
naming its field.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts, credentials
from testament.api.app import create_app
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import people
from testament.survivors import identity
from tests.services.test_referrals import consent_to_referral

OPERATOR = "operator-token-0123456789"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
MISSING = "00000000-0000-0000-0000-000000000000"
NOTE = "Panic attacks at night since the shelling"


@pytest.fixture
def app(instance: Instance) -> Any:
    return create_app(instance, api_token=OPERATOR)


def _as(app: Any, token: str) -> TestClient:
    return TestClient(app, headers={"Authorization": f"Bearer {token}"})


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["ok"] is True
    return body


def refused(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["ok"] is False and NOTE not in response.text
    return body


@pytest.fixture
def world(instance: Instance, app: Any) -> Iterator[dict[str, Any]]:
    cases.create_case(instance, "Case A")
    cases.create_case(instance, "Case B")
    person, _ = identity.add_person(instance, "Case A", identity.Identity(name="Іван Петренко"))
    consent_to_referral(instance, person)
    ids: dict[str, Any] = {"person": person, "other": people.create(instance, "Case B", "W")}
    clients: dict[str, TestClient] = {"operator": _as(app, OPERATOR)}
    for username, case, role in (
        ("vera", "Case A", "viewer"),
        ("dmytro", "Case A", "documenter"),
        ("kateryna", "Case A", "coordinator"),
        ("boris", "Case B", "documenter"),
    ):
        accounts.create_user(instance, username, PASSWORD)
        accounts.grant_role(instance, username, case, role)
        _, secret = credentials.create_token(instance, username, "tests", scope="write")
        clients[username] = _as(app, secret)
    ids["clients"] = clients
    yield ids
    for client in clients.values():
        client.close()


def _service(http: TestClient, name: str, areas: list[str]) -> str:
    body = {
        "name": name,
        "areas": areas,
        "region": "Kyiv",
        "contact": "+380 44",
        "languages": ["uk"],
    }
    return str(ok(http.post("/services", json=body), 201)["id"])


def test_needs_referrals_and_closing(world: dict[str, Any]) -> None:
    c = world["clients"]
    person = world["person"]
    clinic = _service(c["dmytro"], "Clinic", ["medical", "psychosocial"])
    assert [
        s["id"] for s in ok(c["vera"].get("/services", params={"area": "medical"}))["items"]
    ] == [clinic]
    body = {"needs": [{"area": "psychosocial", "urgency": "urgent", "note": NOTE}]}
    (need,) = ok(c["dmytro"].post(f"/people/{person}/needs", json=body), 201)["ids"]
    listed = ok(c["vera"].get(f"/people/{person}/needs"))["items"]
    assert [(n["id"], n["area"], "note" in n) for n in listed] == [(need, "psychosocial", False)]
    refused(c["vera"].get(f"/people/{person}/needs", params={"purpose": "curious"}), 403)
    notes = ok(c["dmytro"].get(f"/people/{person}/needs", params={"purpose": "plan the referral"}))
    assert notes["items"][0]["note"] == NOTE

    blocked = refused(c["kateryna"].post("/cases/Case A/close"), 409)
    assert "1 urgent need" in blocked["error"] and "testament need urgent" in blocked["hint"]
    assert [n["id"] for n in ok(c["vera"].get("/cases/Case A/urgent-needs"))["items"]] == [need]
    due = ok(c["vera"].get("/cases/Case A/follow-ups"))["items"]
    assert [(d["kind"], d["need_id"]) for d in due] == [("urgent-need", need)]

    referral = ok(
        c["dmytro"].post(
            f"/needs/{need}/referrals", json={"service": clinic, "follow_up_due": "2020-05-01"}
        ),
        201,
    )["id"]
    due = ok(c["vera"].get("/cases/Case A/follow-ups", params={"on": "2020-05-01"}))["items"]
    assert [(d["kind"], d["referral_id"]) for d in due] == [("referral", referral)]
    assert ok(c["vera"].get("/follow-ups", params={"on": "2020-04-30"}))["items"] == []
    patched = ok(c["dmytro"].patch(f"/referrals/{referral}", json={"status": "accepted"}))
    assert patched["referral"]["status"] == "accepted"
    cleared = ok(c["dmytro"].patch(f"/referrals/{referral}", json={"follow_up_due": None}))
    assert cleared["referral"]["follow_up_due"] is None

    refused(c["dmytro"].post("/cases/Case A/close"), 403)
    refused(c["vera"].post("/cases/Case A/close"), 403)
    assert ok(c["kateryna"].post("/cases/Case A/close"))["closed_at"]
    refused(c["kateryna"].post("/cases/Case A/close"), 409)
    refused(c["dmytro"].post(f"/people/{person}/needs", json=body), 409)
    ok(c["kateryna"].post("/cases/Case A/reopen"))
    refused(c["boris"].post("/cases/Case A/close"), 404)


def test_a_viewer_cannot_record(world: dict[str, Any]) -> None:
    c = world["clients"]
    person = world["person"]
    body = {"needs": [{"area": "legal", "urgency": "soon", "note": NOTE}]}
    refused(c["vera"].post(f"/people/{person}/needs", json=body), 403)
    (need,) = ok(c["operator"].post(f"/people/{person}/needs", json=body), 201)["ids"]
    lawyers = _service(c["operator"], "Lawyers", ["legal"])
    refused(c["vera"].post(f"/needs/{need}/referrals", json={"service": lawyers}), 403)
    refused(c["vera"].post(f"/needs/{need}/addressed"), 403)
    referral = ok(c["dmytro"].post(f"/needs/{need}/referrals", json={"service": "Lawyers"}), 201)
    refused(c["vera"].patch(f"/referrals/{referral['id']}", json={"status": "completed"}), 403)
    body_service = {"name": "X", "areas": ["legal"], "region": "Kyiv", "contact": "x"}
    refused(c["vera"].post("/services", json=body_service), 403)
    # Another case's records answer as if they did not exist.
    missing = refused(c["boris"].get(f"/people/{person}/needs"), 404)
    assert person in (missing["where"] or "")
    hidden = refused(c["boris"].post(f"/needs/{need}/addressed"), 404)
    assert hidden["where"] == need and person not in str(hidden)
    refused(c["boris"].patch(f"/referrals/{referral['id']}", json={"status": "declined"}), 404)
    ok(c["dmytro"].post(f"/needs/{need}/addressed"))


def test_bad_values_are_named(world: dict[str, Any]) -> None:
    http = world["clients"]["dmytro"]
    person = world["person"]

    def need(area: str, urgency: str) -> Any:
        return http.post(
            f"/people/{person}/needs", json={"needs": [{"area": area, "urgency": urgency}]}
        )

    assert "area" in refused(need("dental", "urgent"), 422)["errors"]
    assert "urgency" in refused(need("medical", "asap"), 422)["errors"]
    (made,) = ok(need("medical", "urgent"), 201)["ids"]
    clinic = _service(http, "Clinic", ["medical"])
    lawyers = _service(http, "Lawyers", ["legal"])
    late = {"service": clinic, "follow_up_due": "tomorrow"}
    assert (
        "follow_up_due" in refused(http.post(f"/needs/{made}/referrals", json=late), 422)["errors"]
    )
    wrong = refused(http.post(f"/needs/{made}/referrals", json={"service": lawyers}), 422)
    assert "service" in wrong["errors"]
    refused(http.post(f"/needs/{made}/referrals", json={"service": MISSING}), 404)
    refused(http.post(f"/needs/{MISSING}/referrals", json={"service": clinic}), 404)
    referral = ok(http.post(f"/needs/{made}/referrals", json={"service": clinic}), 201)["id"]
    assert (
        "status"
        in refused(http.patch(f"/referrals/{referral}", json={"status": "x"}), 422)["errors"]
    )
    refused(http.patch(f"/referrals/{MISSING}", json={"status": "accepted"}), 404)
    refused(http.get("/cases/Case A/follow-ups", params={"on": "soon"}), 422)
    refused(http.get("/services", params={"area": "dental"}), 422)
    bad_service = {"name": "Y", "areas": ["dental"], "region": "Kyiv", "contact": "x"}
    assert "areas" in refused(http.post("/services", json=bad_service), 422)["errors"]


def test_a_directory_file_over_http(world: dict[str, Any]) -> None:
    http = world["clients"]["dmytro"]
    good = "name,areas,region,contact,languages\nA,legal,Kyiv,x,uk\nB,shelter;medical,Lviv,y,\n"
    assert len(ok(http.post("/services/import", content=good.encode()), 201)["ids"]) == 2
    bad = "name,areas,region,contact,languages\nC,legal,Kyiv,x,uk\nD,dental,Kyiv,x,uk\n"
    problems = refused(http.post("/services/import", content=bad.encode()), 422)["errors"]
    assert list(problems) == ["row 3, areas"]
    refused(world["clients"]["vera"].post("/services/import", content=good.encode()), 403)
    assert [s["name"] for s in ok(http.get("/services"))["items"]] == ["A", "B"]
