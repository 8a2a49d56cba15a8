"""Saved searches and snippets on both databases: a user saves, lists, runs and deletes their own;
nobody else sees or deletes them; bad names and duplicates are refused; snippets mark the matched
words, across scripts, without the index holding the text."""

from __future__ import annotations

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents, saved_searches, snippets
from testament.documentation import search as service
from testament.errors import Conflict, InvalidInput, NotFound
from testament.search.base import SearchQuery
from tests.web.conftest import PASSWORD


def _as(instance: Instance, username: str) -> Instance:
    return instance.acting_for(accounts.principal_named(instance, username))


@pytest.fixture
def people(instance: Instance) -> Instance:
    cases.create_case(instance, "Case A")
    for name in ("vera", "olha"):
        accounts.create_user(instance, name, PASSWORD)
        accounts.grant_role(instance, name, "Case A", "viewer")
    return instance


def test_a_user_saves_lists_runs_and_deletes_their_searches(people: Instance) -> None:
    vera = _as(people, "vera")
    made = saved_searches.save(
        vera, "  Kharkiv   shelling ", "kharkiv", ["type:killing"], date_from="2022"
    )
    assert (made.name, made.query, made.facets, made.date_from) == (
        "Kharkiv shelling", "kharkiv", ["type:killing"], "2022",
    )  # fmt: skip
    saved_searches.save(vera, "Anything", "school")
    assert [s.name for s in saved_searches.saved(vera)] == ["Anything", "Kharkiv shelling"]
    assert saved_searches.one(vera, made.id) == made
    olha = _as(people, "olha")
    assert saved_searches.saved(olha) == []
    with pytest.raises(NotFound):
        saved_searches.one(olha, made.id)
    with pytest.raises(NotFound):
        saved_searches.delete(olha, made.id)  # another's: refused, and it stays
    assert len(saved_searches.saved(vera)) == 2
    assert saved_searches.delete(vera, made.id) == made.id
    assert [s.name for s in saved_searches.saved(vera)] == ["Anything"]


@pytest.mark.parametrize(
    ("name", "query", "chosen", "message"),
    [
        ("", "school", [], "needs a name"),
        ("x" * 101, "school", [], "at most 100 characters"),
        ("tab\x07", "school", [], "control character"),
        ("ok", '"" - ""', [], "no word to look for"),
        ("ok", "school", ["colour:red"], "there is no facet"),
        ("ok", "school", ["type:alien"], "incident-types"),
    ],
)
def test_bad_saved_searches_are_refused(
    people: Instance, name: str, query: str, chosen: list[str], message: str
) -> None:
    vera = _as(people, "vera")
    with pytest.raises(InvalidInput, match=message):
        saved_searches.save(vera, name, query, chosen)
    assert saved_searches.saved(vera) == []


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        ({"date_from": "2022-02-30"}, "is not a date"),
        ({"date_to": "22-1"}, "is not a date"),
        ({"date_from": "2023-01-01", "date_to": "2022-12"}, "ends before it starts"),
    ],
)
def test_bad_saved_search_dates_are_refused(
    people: Instance, dates: dict[str, str], message: str
) -> None:
    vera = _as(people, "vera")
    with pytest.raises(InvalidInput, match=message):
        saved_searches.save(vera, "Dated", "school", **dates)
    assert saved_searches.saved(vera) == []


def test_a_duplicate_name_is_refused_but_another_user_may_use_it(people: Instance) -> None:
    saved_searches.save(_as(people, "vera"), "Mine", "school")
    with pytest.raises(Conflict, match="already have a saved search called 'Mine'"):
        saved_searches.save(_as(people, "vera"), " Mine ", "market")
    assert saved_searches.save(_as(people, "olha"), "Mine", "market").name == "Mine"


def test_the_owner_has_no_account_to_save_under(people: Instance) -> None:
    with pytest.raises(InvalidInput, match="belongs to an account"):
        saved_searches.save(people, "Mine", "school")


def test_snippets_mark_the_words_found_in_any_script(people: Instance) -> None:
    incidents.create(
        people,
        "Case A",
        incidents.IncidentInput(
            title="Strike",
            description="At dawn a school in Харків was shelled. <script>alert(1)</script>",
        ),
    )
    found = service.search(people, SearchQuery(text="kharkov shell*"))
    (hit,) = snippets.with_snippets(people, found.hits, "kharkov shell*")
    assert hit.snippet is not None
    parts = hit.snippet.parts
    assert parts[1::2] == ["Харків", "shelled"]
    assert "<script>" in parts[-1]  # kept as text: the page escapes it


def test_an_operator_only_query_is_a_diagnosis_not_a_crash(people: Instance) -> None:
    for text in ('""', "-", "* * *", '"-"'):
        with pytest.raises(InvalidInput, match="the search query"):
            service.search(people, SearchQuery(text=text))
