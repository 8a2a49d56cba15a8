"""Risk assessments, testimonies and training attestations through the JSON API, on both databases.

Each route asks the policy first: a viewer may read a testimony's record but not write one or read its
words, someone with no role on the case meets 404, a supervisor's override needs a coordinator, and the
words need ``reveal-identity`` and a reason (a refused attempt is logged too).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from testament.accounts import accounts, credentials
from testament.api.app import create_app
from testament.custody import cases
from testament.custody.instance import Instance
from testament.storage import tables
from testament.storage.engine import read_transaction
from testament.survivors import consent, identity

OPERATOR = "operator-token-0123456789"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
ACCOUNT = "Мене тримали в підвалі школи двадцять днів."
ROLES = {"vera": "viewer", "dmytro": "documenter", "cora": "coordinator", "ada": "admin"}
RISKS = {"risks_person": "seen with us", "risks_family": "none", "risks_staff": "none"}
Call = Callable[..., Any]


@pytest.fixture
def api(instance: Instance) -> dict[str, Any]:
    """Tokens for users with each role on Case A, one with a role on Case B only, and a survivor."""
    for name in ("Case A", "Case B"):
        cases.create_case(instance, name)
    person_id, _ = identity.add_person(instance, "Case A", identity.Identity(name="Mariia S."))
    consent.grant(
        instance,
        person_id,
        consent.GrantInput(
            "criminal-investigation", "icc-otp", info_sheet_version="1", understanding_checked=True
        ),
    )
    world: dict[str, Any] = {"person": person_id, "app": create_app(instance, api_token=OPERATOR)}
    for username, case, role in [*((u, "Case A", r) for u, r in ROLES.items()), ("bob", "Case B", "documenter")]:  # fmt: skip
        accounts.create_user(instance, username, PASSWORD)
        accounts.grant_role(instance, username, case, role)
        _, world[username] = credentials.create_token(
            instance, username, "t", scope="write", days=1
        )
    world["operator"] = OPERATOR
    return world


def as_user(api: dict[str, Any], who: str) -> TestClient:
    return TestClient(api["app"], headers={"Authorization": f"Bearer {api[who]}"})


def _interview(assessment: str, **changes: Any) -> dict[str, Any]:
    return {
        "risk_assessment_id": assessment,
        "interviewer": "dmytro",
        "started_at": "2024-03-01T10:00:00+02:00",
        "timezone": "Europe/Kyiv",
        "place": "partner office",
        "language": "uk",
        "contact_via": "legal aid NGO",
        "account": ACCOUNT,
        "facts": [{"statement": "held in the school basement", "knowledge": "saw"}],
        "nothing_promised": True,
        "intended_use": "criminal-investigation",
        "intended_recipient": "icc-otp",
        "why_needed": "no other account exists",
        "best_interests": "specialist judged it safe",
    } | changes


def _assessed(api: dict[str, Any], who: str = "dmytro", **body: Any) -> str:
    made = as_user(api, who).post(
        f"/people/{api['person']}/risk-assessments", json=RISKS | {"decision": "proceed"} | body
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def test_a_documenter_records_and_a_viewer_cannot(api: dict[str, Any]) -> None:
    person = api["person"]
    path = f"/people/{person}/risk-assessments"
    body = RISKS | {"decision": "proceed"}
    assert as_user(api, "vera").post(path, json=body).status_code == 403
    assert as_user(api, "bob").post(path, json=body).status_code == 404
    assessment = _assessed(api)
    interviews = f"/people/{person}/interviews"
    assert as_user(api, "vera").post(interviews, json=_interview(assessment)).status_code == 403
    assert as_user(api, "bob").post(interviews, json=_interview(assessment)).status_code == 404
    made = as_user(api, "dmytro").post(interviews, json=_interview(assessment))
    assert made.status_code == 201, made.text
    assert made.json()["warnings"] == []
    listed = as_user(api, "vera").get(interviews).json()["items"]
    assert [i["id"] for i in listed] == [made.json()["id"]]
    assert as_user(api, "bob").get(interviews).status_code == 404


def test_the_override_of_refer_needs_a_coordinator(api: dict[str, Any]) -> None:
    path = f"/people/{api['person']}/risk-assessments"
    body = RISKS | {
        "flags": ["trauma"],
        "decision": "proceed",
        "override_reason": "psychologist present",
    }
    assert as_user(api, "dmytro").post(path, json=body).status_code == 403
    missing = as_user(api, "cora").post(path, json=body | {"override_reason": None})
    assert missing.status_code == 422 and "override_reason" in missing.json()["errors"]
    assert as_user(api, "cora").post(path, json=body).status_code == 201
    referred = as_user(api, "dmytro").post(path, json=RISKS | {"flags": ["trauma"]})
    assert referred.status_code == 201


def test_the_words_need_reveal_identity_and_a_reason(
    api: dict[str, Any], instance: Instance
) -> None:
    made = as_user(api, "dmytro").post(
        f"/people/{api['person']}/interviews", json=_interview(_assessed(api))
    )
    path = f"/interviews/{made.json()['id']}"
    record = as_user(api, "vera").get(path)
    assert record.status_code == 200 and ACCOUNT not in record.text
    assert record.json()["interview"]["has_account"] is True
    assert as_user(api, "bob").get(path).status_code == 404
    assert as_user(api, "bob").get("/interviews/no-such-id").status_code == 404
    refused = as_user(api, "cora").get(path, params={"reveal": 1, "reason": "curious"})
    assert refused.status_code == 403 and ACCOUNT not in refused.text
    no_reason = as_user(api, "ada").get(path, params={"reveal": 1})
    assert no_reason.status_code == 422 and "purpose" in no_reason.json()["errors"]
    shown = as_user(api, "ada").get(path, params={"reveal": 1, "reason": "case file"})
    assert shown.status_code == 200 and shown.json()["interview"]["account"] == ACCOUNT
    e = tables.custody_event
    with read_transaction(instance.engine) as conn:
        found = conn.execute(
            select(e.c.outcome, e.c.detail)
            .where(e.c.event_type == "access")
            .order_by(e.c.log_index)
        ).all()
    assert [(outcome, json.loads(detail)["purpose"]) for outcome, detail in found] == [
        ("denied", "curious"),
        ("success", "case file"),
    ]


def test_refusals_name_the_request_fields_and_never_the_words(api: dict[str, Any]) -> None:
    path = f"/people/{api['person']}/interviews"
    child = _assessed(api, "cora", flags=["child"], override_reason="specialist")
    refused = as_user(api, "dmytro").post(path, json=_interview(child, child_assent=True))
    assert refused.status_code == 403
    errors = refused.json()["errors"]
    assert {"guardian_consent", "interviewer"} <= set(errors) and ACCOUNT not in refused.text
    bad = as_user(api, "dmytro").post(
        path, json=_interview(_assessed(api), timezone="Mars/Olympus", account=None)
    )
    assert bad.status_code == 422 and set(bad.json()["errors"]) == {"timezone"}
    empty = as_user(api, "dmytro").post(path, json=_interview(_assessed(api), account=None))
    assert empty.status_code == 422 and "account" in empty.json()["errors"]
    given = as_user(api, "dmytro").post(
        path, json=_interview(_assessed(api), nothing_promised=False, given="bus fare")
    )
    assert given.status_code == 201 and "CSO-06" in given.json()["warnings"][0]


def test_training_attestations_are_for_those_who_manage_users(api: dict[str, Any]) -> None:
    path = "/users/dmytro/training"
    body = {"topic": "sexual-violence", "attested_on": "2023-01-01"}
    assert as_user(api, "cora").post(path, json=body).status_code == 403
    assert as_user(api, "ada").post(path, json=body).status_code == 201
    assert (
        as_user(api, "operator").post(path, json=body | {"topic": "first-aid"}).status_code == 422
    )
    listed = as_user(api, "operator").get(path).json()["items"]
    assert [(a["topic"], a["active"]) for a in listed] == [("sexual-violence", True)]
    assert as_user(api, "operator").delete(f"{path}/sexual-violence").json()["revoked"] == 1
    assert as_user(api, "operator").delete(f"{path}/sexual-violence").status_code == 404
    assert as_user(api, "operator").post("/users/nobody/training", json=body).status_code == 404
