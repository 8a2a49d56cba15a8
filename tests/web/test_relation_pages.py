"""The incident page's related incidents: the section on the page, the list and form with and without
htmx, a relation added and removed by a documenter, refusals beside the form, and no form for a
reader."""

from __future__ import annotations

from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import PASSWORD, csrf_token
from tests.web.conftest import signed_in as _signed_in

pytestmark = SQLITE_ONLY
HTMX = {"HX-Request": "true"}


@pytest.fixture
def world(instance: Instance) -> dict[str, str]:
    cases.create_case(instance, "Case A")
    ids = {
        title: incidents.create(instance, "Case A", incidents.IncidentInput(title=title))
        for title in ("Shelling of the market", "Fire at the depot <b>")
    }
    accounts.create_user(instance, "dora", PASSWORD)
    accounts.grant_role(instance, "dora", "Case A", "documenter")
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", "Case A", "viewer")
    return ids


def test_a_documenter_relates_and_unrelates_from_the_incident_page(
    site: Any, world: dict[str, str]
) -> None:
    market, depot = world["Shelling of the market"], world["Fire at the depot <b>"]
    http = _signed_in(site, "dora")
    page = http.get(f"/incidents/{market}").text
    assert f'hx-get="/incidents/{market}/relations"' in page
    headers = HTMX | {"X-CSRF-Token": csrf_token(page)}
    added = http.post(
        f"/incidents/{market}/relations",
        data={"other": "depot", "relation": "follows", "note": "later"},
        headers=headers,
    )
    assert added.status_code == 200
    assert f'<a href="/incidents/{depot}">Fire at the depot &lt;b&gt;</a>' in added.text
    back = http.get(f"/incidents/{depot}/relations", headers=HTMX).text
    assert f'<a href="/incidents/{market}">Shelling of the market</a>' in back
    refused = http.post(
        f"/incidents/{market}/relations",
        data={"other": market, "relation": "related"},
        headers=headers,
    )
    assert refused.status_code == 422 and "cannot be related to itself" in refused.text
    relation = added.text.split(f"/incidents/{market}/relations/")[1].split("/delete")[0]
    removed = http.post(f"/incidents/{market}/relations/{relation}/delete", headers=headers)
    assert removed.status_code == 200 and "No related incidents." in removed.text


def test_a_reader_sees_relations_without_the_form(site: Any, world: dict[str, str]) -> None:
    market = world["Shelling of the market"]
    page = _signed_in(site, "vera").get(f"/incidents/{market}/relations").text
    assert "No related incidents." in page and 'id="relation-form"' not in page


def test_the_relations_page_in_ukrainian(site: Any, world: dict[str, str]) -> None:
    market = world["Shelling of the market"]
    http = _signed_in(site, "dora")
    page = http.get(f"/incidents/{market}/relations", headers={"Accept-Language": "uk"}).text
    assert "Пов'язані інциденти" in page.replace("&#39;", "'") or "Пов’язані" in page
