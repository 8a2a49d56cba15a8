"""The search page: snippets with the matched words marked (and nothing of a record's text run as
HTML), facets that narrow, saved searches made, run and deleted by their owner only, and an
operator-only query answered with a diagnosis."""

from __future__ import annotations

import re
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
HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def world(instance: Instance) -> dict[str, str]:
    cases.create_case(instance, "Case A")
    ids = {
        "school": incidents.create(
            instance, "Case A",
            incidents.IncidentInput(title="Strike", description=f"A school in Харків was shelled {HOSTILE}",
                                    types=["attack-on-civilians"]),
        ),
        "market": incidents.create(
            instance, "Case A",
            incidents.IncidentInput(title="Market", description="The Kharkiv market burned",
                                    types=["killing"]),
        ),
    }  # fmt: skip
    for name in ("vera", "olha"):
        accounts.create_user(instance, name, PASSWORD)
        accounts.grant_role(instance, name, "Case A", "viewer")
    return ids


def test_snippets_mark_matches_and_escape_the_rest(site: Any, world: dict[str, str]) -> None:
    page = _signed_in(site, "vera").get("/search", params={"q": "kharkov"}).text
    assert "<mark>Харків</mark>" in page and "<mark>Kharkiv</mark>" in page
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_facets_narrow_the_hits(site: Any, world: dict[str, str]) -> None:
    http = _signed_in(site, "vera")
    page = http.get("/search", params={"q": "kharkov"}).text
    assert "2 incidents match." in page
    link = re.search(r'<li><a href="([^"]+)"[^>]*>Killing</a> <span class="count">1</span>', page)
    assert link is not None, page
    narrowed = http.get(link.group(1).replace("&amp;", "&")).text
    assert (
        "1 incident matches." in narrowed and ">Market<" in narrowed and ">Strike<" not in narrowed
    )


def test_a_saved_search_is_run_again_and_deleted_by_its_owner(
    site: Any, world: dict[str, str]
) -> None:
    http = _signed_in(site, "vera")
    page = http.get("/search", params={"q": "kharkov", "f": "type:killing"}).text
    headers = {"X-CSRF-Token": csrf_token(page)}
    made = http.post(
        "/search/saved",
        data={"name": "Markets", "q": "kharkov", "f": ["type:killing"]},
        headers=headers,
    )
    assert made.status_code == 303
    again = http.get(made.headers["location"]).text
    assert "1 incident matches." in again and ">Markets<" in again
    twice = http.post("/search/saved", data={"name": "Markets", "q": "x"}, headers=headers)
    assert twice.status_code == 422 and "already have a saved search" in twice.text
    empty = http.post("/search/saved", data={"name": " ", "q": "x"}, headers=headers)
    assert empty.status_code == 422 and "needs a name" in empty.text
    saved_id = re.search(r'action="/search/saved/([^/]+)/delete"', again)
    assert saved_id is not None
    olha = _signed_in(site, "olha")
    assert ">Markets<" not in olha.get("/search").text
    refused = olha.post(
        f"/search/saved/{saved_id.group(1)}/delete",
        headers={"X-CSRF-Token": csrf_token(olha.get("/search").text)},
    )
    assert refused.status_code == 404
    assert ">Markets<" in http.get("/search").text
    gone = http.post(f"/search/saved/{saved_id.group(1)}/delete", headers=headers)
    assert gone.status_code == 303 and ">Markets<" not in http.get("/search").text


@pytest.mark.parametrize("q", ['""', "-", "* *", '"-"'])
def test_an_operator_only_query_is_a_diagnosis(site: Any, world: dict[str, str], q: str) -> None:
    answer = _signed_in(site, "vera").get("/search", params={"q": q})
    assert answer.status_code == 422 and "the search query" in answer.text


def test_an_unknown_facet_on_the_search_page_is_named(site: Any, world: dict[str, str]) -> None:
    answer = _signed_in(site, "vera").get("/search", params={"q": "kharkov", "f": "colour:red"})
    assert answer.status_code == 422 and "there is no facet" in answer.text.replace("&#39;", "'")


def test_the_search_page_keeps_a_reader_to_their_own_cases(
    site: Any, world: dict[str, str], instance: Instance
) -> None:
    cases.create_case(instance, "Case B")
    incidents.create(
        instance, "Case B", incidents.IncidentInput(title="Depot", description="Kharkiv")
    )
    accounts.create_user(instance, "piet", PASSWORD)
    accounts.grant_role(instance, "piet", "Case B", "viewer")
    page = _signed_in(site, "piet").get("/search?q=kharkiv").text
    assert ">Depot<" in page
    assert ">Market<" not in page and ">Strike<" not in page and "A school in" not in page
