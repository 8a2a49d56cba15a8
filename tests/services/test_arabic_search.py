"""Arabic in search, through the real index on both databases (docs/search.md, "Arabic")."""

from __future__ import annotations

import pytest

from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents, search
from testament.search.base import SearchQuery


def _found(instance: Instance, text: str) -> set[str]:
    results = search.search(instance, SearchQuery(text, kinds=("incident",)))
    return {hit.doc_id for hit in results.hits}


@pytest.fixture
def written(instance: Instance) -> dict[str, str]:
    cases.create_case(instance, "Syria")

    def add(title: str, description: str = "") -> str:
        given = incidents.IncidentInput(title=title, description=description)
        return incidents.create(instance, "Syria", given)

    return {
        "aleppo": add("قصف سوق في حلب", "أصابت القذيفة السوق"),
        "daraa": add("اعتقال في درعا", "اعتُقل مُحَمَّد عبد الله الأحمد"),
        "mahmoud": add("شهادة محمود الحسن"),
        "latin": add("Shelling near Halab market"),
        "abdullah": add("Statement of Abdullah Haddad"),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Halab", {"aleppo", "latin"}),
        ("Dara'a", {"daraa"}),
        ("Deraa", {"daraa"}),
        ("اصابت", {"aleppo"}),
        ("Mohamed", {"daraa"}),
        ("Abdullah", {"daraa", "abdullah"}),
        ("عبدالله", {"daraa"}),
        ("al-Ahmad", {"daraa"}),
        ('"Abd Allah"', {"daraa", "abdullah"}),
        ("Abdallah", {"daraa", "abdullah"}),
    ],
)
def test_latin_and_arabic_spellings_find_arabic_records(
    instance: Instance, written: dict[str, str], query: str, expected: set[str]
) -> None:
    assert _found(instance, query) == {written[name] for name in expected}


def test_a_latin_spelling_does_not_find_another_name(
    instance: Instance, written: dict[str, str]
) -> None:
    assert written["mahmoud"] in _found(instance, "Mahmoud")
    assert written["mahmoud"] not in _found(instance, "Mohamed")
    assert written["mahmoud"] in _found(instance, "Hassan")  # الحسن is al-Hasan


def test_a_query_with_bidi_controls_finds_what_the_plain_one_finds(
    instance: Instance, written: dict[str, str]
) -> None:
    assert _found(instance, "\u202bحلب\u202c") == _found(instance, "حلب") == {written["aleppo"]}
