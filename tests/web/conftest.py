"""What the page tests share: the whole site over one test instance."""

from __future__ import annotations

import re
from typing import Any

import pytest

from testament.services.instance import Instance
from testament.web.site import create_site

OPERATOR = "operator-token-for-tests"
SETUP = "one-time-setup-token"


@pytest.fixture
def site(instance: Instance) -> Any:
    return create_site(instance, api_token=OPERATOR, setup_token=SETUP)


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
