"""What the page tests share: the whole site over one test instance."""

from __future__ import annotations

from typing import Any

import pytest

from testament.services.instance import Instance
from testament.web.site import create_site

OPERATOR = "operator-token-for-tests"
SETUP = "one-time-setup-token"


@pytest.fixture
def site(instance: Instance) -> Any:
    return create_site(instance, api_token=OPERATOR, setup_token=SETUP)
