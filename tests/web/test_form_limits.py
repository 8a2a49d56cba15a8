"""The pages' forms hold text to the same limits as the API: past a field's limit 422, past the body
limit 413 before the form is parsed; nothing is written either way."""

from __future__ import annotations

from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.domain.text import LONG_CHARS
from testament.http.limits import MAX_JSON_BODY_BYTES
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


@pytest.mark.parametrize("as_file", [False, True], ids=["text part", "file part"])
def test_a_form_sent_as_multipart_is_bounded_too(
    dana: Any, instance: Instance, as_file: bool
) -> None:
    """No page takes a file in a form: a multipart body is held to the same limit, so a 50 MB part is
    refused with 413 before it is parsed (not spooled to disk, not a bare 400)."""
    form = dana.get("/cases/Case A/incidents/new")
    csrf = {"X-CSRF-Token": _csrf(form.text)}
    big = b"x" * (50 * 1024 * 1024)
    part: Any = ("description.txt", big, "text/plain") if as_file else (None, big)
    sent = dana.post(
        "/cases/Case A/incidents",
        headers=csrf,
        files={"title": (None, b"Strike"), "description": part},
    )
    assert sent.status_code == 413 and "<html" in sent.text, sent.text[:300]
    assert incidents.list_for_case(instance, "Case A") == []
