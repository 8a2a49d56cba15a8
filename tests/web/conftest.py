"""What the page tests share: the whole site over one test instance."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from testament.custody.instance import Instance
from testament.server import create_server

OPERATOR = "operator-token-for-tests"
SETUP = "one-time-setup-token"
PASSWORD = "correct horse battery staple"  # noqa: S105 - the test accounts' password


@pytest.fixture
def site(instance: Instance) -> Any:
    return create_server(instance, api_token=OPERATOR, setup_token=SETUP)


def open_with_purpose(http: Any, path: str, purpose: str) -> Any:
    """Open ``path`` (an evidence item, a sensitive incident or its edit form) as a browser does: the
    page asks why, the purpose is posted (never put in the address), and the page then opens under the
    view's log entry. The final response."""
    gate = http.get(path)
    action = re.search(r'<form method="post" action="(/[^"]+/purpose)"', gate.text)
    csrf = re.search(r'data-csrf="([^"]+)"', gate.text)
    assert action is not None and csrf is not None, gate.text
    then = re.search(r'name="then" value="([a-z]+)"', gate.text)
    posted = http.post(
        action.group(1),
        data={"purpose": purpose} | ({"then": then.group(1)} if then else {}),
        headers={"X-CSRF-Token": csrf.group(1)},
    )
    assert posted.status_code == 303, posted.text
    return http.get(posted.headers["location"])


def signed_in(site: Any, username: str, **options: Any) -> TestClient:
    """A browser-like client signed in to ``site`` as ``username`` (whose password is PASSWORD)."""
    http = TestClient(site, base_url="http://127.0.0.1", follow_redirects=False, **options)
    response = http.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 303, response.text
    return http


def csrf_token(page: str) -> str:
    """The CSRF token a page carries for its forms."""
    found = re.search(r'data-csrf="([^"]+)"', page)
    assert found is not None
    return found.group(1)
