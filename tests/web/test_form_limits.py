"""The pages' forms hold text to the same limits as the API: past a field's limit 422, past the body
limit 413 before the form is parsed; nothing is written either way."""

from __future__ import annotations

from typing import Any

import pytest

from testament.api.limits import MAX_JSON_BODY_BYTES
from testament.domain.text import LONG_CHARS
from testament.services import accounts, cases, incidents
from testament.services.instance import Instance
from tests.conftest import SQLITE_ONLY
from tests.web.test_pages import PASSWORD, _csrf, _signed_in

pytestmark = SQLITE_ONLY


@pytest.fixture
def dana(site: Any, instance: Instance) -> Any:
    cases.create_case(instance, "Case A")
    accounts.create_user(instance, "dana", PASSWORD)
    accounts.grant_role(instance, "dana", "Case A", "documenter")
    return _signed_in(site, "dana")


def test_a_description_past_its_limit_is_refused_from_the_form(
    dana: Any, instance: Instance
) -> None:
    form = dana.get("/cases/Case A/incidents/new")
    csrf = {"X-CSRF-Token": _csrf(form.text)}
    long = dana.post(
        "/cases/Case A/incidents",
        headers=csrf,
        data={"title": "Strike", "description": "ж" * (LONG_CHARS + 1)},
    )
    assert long.status_code == 422 and "description" in long.text and "<html" in long.text
    fifty_mb = dana.post(
        "/cases/Case A/incidents",
        headers=csrf,
        data={"title": "Strike", "description": "x" * (50 * 1024 * 1024)},
    )
    assert fifty_mb.status_code == 413 and f"{MAX_JSON_BODY_BYTES:,}" in fifty_mb.text
    assert incidents.list_for_case(instance, "Case A") == []
    fits = dana.post(
        "/cases/Case A/incidents",
        headers=csrf,
        data={"title": "Strike", "description": "ж" * LONG_CHARS},
    )
    assert fits.status_code == 303, fits.text
