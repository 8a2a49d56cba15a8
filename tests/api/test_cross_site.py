"""Requests from another site's page are refused: signing in, and every request that changes anything.

A browser names the page a request comes from in ``Origin`` and says how it relates to Testament in
``Sec-Fetch-Site``. The API and the sign-in and setup forms ask one function (``auth.same_origin``);
clients that send neither header, such as scripts with an API token, go on working (docs/api.md).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.accounts import accounts, credentials
from testament.api.app import create_app
from testament.custody import cases
from testament.custody.instance import Instance
from testament.server import create_server
from tests.conftest import SQLITE_ONLY

pytestmark = SQLITE_ONLY  # the order of checks in a request; no storage question
OPERATOR = "operator-token-0123456789"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
BASE = "http://127.0.0.1:8000"
OWN = {"Origin": BASE}
FOREIGN = [
    {"Origin": "https://evil.example"},
    {"Origin": "http://127.0.0.1:9999"},  # another port is another origin
    {"Origin": "null"},  # a sandboxed frame or a page opened from a file
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site", "Origin": "https://other.example"},
]
LOGIN = {"username": "dmytro", "password": PASSWORD}
INCIDENT = {"case": "Case A", "title": "Strike on a school", "date": "2022-04-02"}


@pytest.fixture
def app(instance: Instance) -> Any:
    cases.create_case(instance, "Case A")
    accounts.create_user(instance, "dmytro", PASSWORD)
    accounts.grant_role(instance, "dmytro", "Case A", "documenter")
    return create_app(instance, api_token=OPERATOR)


def _client(app: Any) -> TestClient:
    return TestClient(app, base_url=BASE)


@pytest.mark.parametrize("headers", FOREIGN)
def test_a_sign_in_from_another_site_is_refused(app: Any, headers: dict[str, str]) -> None:
    response = _client(app).post("/auth/login", json=LOGIN, headers=headers)
    assert response.status_code == 403 and "set-cookie" not in response.headers
    body = response.json()
    assert body["ok"] is False and "another site" in body["error"] and body["hint"]


def test_a_sign_in_from_testaments_own_page_or_without_origin_works(app: Any) -> None:
    own = _client(app).post(
        "/auth/login", json=LOGIN, headers=OWN | {"Sec-Fetch-Site": "same-origin"}
    )
    assert own.status_code == 200 and "testament_session=" in own.headers["set-cookie"]
    assert _client(app).post("/auth/login", json=LOGIN).status_code == 200  # curl, a script


@pytest.mark.parametrize("headers", FOREIGN)
def test_a_change_from_another_site_is_refused_even_with_the_session(
    app: Any, headers: dict[str, str]
) -> None:
    http = _client(app)
    csrf = http.post("/auth/login", json=LOGIN, headers=OWN).json()["csrf_token"]
    refused = http.post("/incidents", json=INCIDENT, headers=headers | {"X-CSRF-Token": csrf})
    assert refused.status_code == 403 and "another site" in refused.json()["error"]
    signed_out = http.post("/auth/logout", headers=headers | {"X-CSRF-Token": csrf})
    assert signed_out.status_code == 403
    assert http.get("/auth/me", headers=headers).status_code == 200  # reading changes nothing
    made = http.post("/incidents", json=INCIDENT, headers=OWN | {"X-CSRF-Token": csrf})
    assert made.status_code == 201


def test_an_api_token_without_origin_goes_on_working(app: Any, instance: Instance) -> None:
    _, secret = credentials.create_token(instance, "dmytro", "sync script", scope="write")
    http = TestClient(app, base_url=BASE, headers={"Authorization": f"Bearer {secret}"})
    assert http.post("/incidents", json=INCIDENT).status_code == 201
    assert http.post("/incidents", json=INCIDENT, headers=FOREIGN[0]).status_code == 403
    operator = TestClient(app, base_url=BASE, headers={"Authorization": f"Bearer {OPERATOR}"})
    assert operator.post("/incidents", json=INCIDENT).status_code == 201


def test_the_pages_sign_in_and_change_things_from_their_own_origin(instance: Instance) -> None:
    cases.create_case(instance, "Case A")
    accounts.create_user(instance, "dmytro", PASSWORD)
    accounts.grant_role(instance, "dmytro", "Case A", "documenter")
    site = create_server(instance, api_token=OPERATOR)
    http = TestClient(site, base_url=BASE, follow_redirects=False)
    browser = OWN | {"Sec-Fetch-Site": "same-origin"}
    for headers in FOREIGN:
        refused = http.post("/login", data=LOGIN, headers=headers)
        assert refused.status_code == 403 and "set-cookie" not in refused.headers
    assert http.post("/login", data=LOGIN, headers=browser).status_code == 303
    page = http.get("/dashboard", headers={"Sec-Fetch-Site": "none"})
    found = re.search(r'data-csrf="([^"]+)"', page.text)
    assert found is not None
    made = http.post(
        "/api/incidents", json=INCIDENT, headers=browser | {"X-CSRF-Token": found.group(1)}
    )
    assert made.status_code == 201, made.text
    refused = http.post(
        "/api/incidents", json=INCIDENT, headers=FOREIGN[3] | {"X-CSRF-Token": found.group(1)}
    )
    assert refused.status_code == 403
