"""A NUL character in text that only looks something up (a username at sign-in, a case named in a query
or an address) is bad input, refused as such on both databases, never a 500: PostgreSQL cannot hold
one, not even to compare it, and SQLite finds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.server import create_server
from tests.web.conftest import OPERATOR, SETUP

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password


@pytest.fixture
def http(instance: Instance) -> TestClient:
    site = create_server(instance, api_token=OPERATOR, setup_token=SETUP)
    cases.create_case(instance, "Case A")
    accounts.create_user(instance, "olena", PASSWORD)
    return TestClient(site, base_url="http://127.0.0.1", follow_redirects=False)


def _refused(response: Any, *allowed: int) -> None:
    assert response.status_code in allowed, response.text
    assert "internal error" not in response.text and "Traceback" not in response.text


def test_a_nul_in_a_username_at_sign_in_is_refused(http: TestClient) -> None:
    body = {"username": "olena\x00", "password": PASSWORD}
    _refused(http.post("/api/auth/login", json=body), 403, 422)
    _refused(http.post("/login", data=body), 403, 422)
    assert http.post("/api/auth/login", json=body | {"username": "olena"}).status_code == 200


@pytest.mark.parametrize(
    "path",
    ["/api/incidents?case=Case%20A%00", "/api/cases/Case%20A%00/evidence", "/api/units/a%00b"],
)
def test_a_nul_in_a_name_looked_up_is_refused(http: TestClient, path: str) -> None:
    found = http.get(path, headers={"Authorization": f"Bearer {OPERATOR}"})
    _refused(found, 404, 422)
    assert found.json()["ok"] is False
