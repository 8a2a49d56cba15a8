"""The case's incident list with facets: counts beside each value, links that narrow without
JavaScript, chosen values that can be left out again, and bad facets answered with a diagnosis."""

from __future__ import annotations

import re
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import PASSWORD
from tests.web.conftest import signed_in as _signed_in

pytestmark = SQLITE_ONLY


@pytest.fixture
def world(instance: Instance) -> dict[str, str]:
    cases.create_case(instance, "Case A")
    ids = {}
    for title, types, status in (
        ("Shelling of a school", ["attack-on-civilians"], "reported"),
        ("Strike on a market", ["attack-on-civilians", "killing"], "verified"),
        ("Killing at a checkpoint", ["killing"], "reported"),
    ):
        ids[title] = incidents.create(
            instance,
            "Case A",
            incidents.IncidentInput(title=title, date="2022-03-01", types=types, status=status),
        )
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", "Case A", "viewer")
    return ids


def _links(page: str) -> dict[str, str]:
    """Each facet value's link text and count: {"Killing 2": href}."""
    found = re.findall(
        r'<li><a href="([^"]+)"[^>]*>([^<]+)</a> <span class="count">(\d+)</span>', page
    )
    return {f"{text} {count}": href.replace("&amp;", "&") for href, text, count in found}


def test_counts_show_and_a_click_narrows(site: Any, world: dict[str, str]) -> None:
    http = _signed_in(site, "vera")
    page = http.get("/cases/Case A").text
    assert "3 incidents match." in page
    links = _links(page)
    assert {"Killing 2", "Attack on civilians 2", "Verified 1", "Reported 2", "2022 3"} <= set(
        links
    ), links
    narrowed = http.get(links["Killing 2"]).text
    assert "2 incidents match." in narrowed
    assert "Strike on a market" in narrowed and "Shelling of a school" not in narrowed
    again = _links(narrowed)
    assert "Attack on civilians 1" in again
    both = http.get(again["Attack on civilians 1"]).text
    assert "1 incident matches." in both and "Strike on a market" in both
    left_out = re.search(
        r'<a class="label" href="([^"]+)" aria-label="Leave out Type: Killing"', both
    )
    assert left_out is not None, both
    back = http.get(left_out.group(1).replace("&amp;", "&")).text
    assert "2 incidents match." in back


def test_the_list_in_ukrainian_names_the_facets(site: Any, world: dict[str, str]) -> None:
    http = _signed_in(site, "vera")
    page = http.get("/cases/Case A", headers={"Accept-Language": "uk"}).text
    assert "Тип" in page and "3 інциденти відповідають." in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("f=colour:red", "there is no facet"),
        ("f=type:alien", "not in the incident-types vocabulary"),
        ("date_from=2022-05-01&date_to=2022-01-01", "before it starts"),
    ],
)
def test_bad_facets_answer_with_a_diagnosis(
    site: Any, world: dict[str, str], query: str, message: str
) -> None:
    answer = _signed_in(site, "vera").get(f"/cases/Case A?{query}")
    assert answer.status_code == 422
    assert message in answer.text.replace("&#39;", "'")
