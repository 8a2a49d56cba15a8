"""The search contract: every backend (SQLite FTS5, PostgreSQL full-text) passes this one suite.

The ``instance`` fixture runs each test on both databases; records are written straight into the
documentation tables and indexed with ``refresh``, as the documentation services do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import Connection, delete, update

from testament.custody.instance import Instance
from testament.documentation import search
from testament.errors import InvalidInput, NotFound
from testament.search import index_for, indexing, postgres_fts, queries, sqlite_fts
from testament.search.base import SearchQuery
from testament.storage import tables
from testament.storage.engine import write_transaction
from tests.search import records


def _write(instance: Instance, build: Callable[[Connection], Any]) -> Any:
    with write_transaction(instance.engine) as connection:
        return build(connection)


def _titles(instance: Instance, text: str, **given: Any) -> list[str]:
    results = search.search(instance, SearchQuery(text, **given))
    return [hit.title for hit in results.hits]


def _found(instance: Instance, text: str, **given: Any) -> set[str]:
    return set(_titles(instance, text, **given))


@dataclass
class Corpus:
    case_a: str = ""
    case_b: str = ""
    ids: dict[str, str] = field(default_factory=dict)
    area: int = 0
    unit: str = ""


def _corpus(connection: Connection) -> Corpus:
    corpus = Corpus(records.case(connection, "Kharkiv strikes"), records.case(connection, "Other"))
    a, b = corpus.case_a, corpus.case_b
    corpus.area = records.area(
        connection, "Kharkivska", ["Харківська область", "Kharkovskaya"], "UA63"
    )
    corpus.unit = records.unit(connection, "200th Motor Rifle Brigade", ["200 ОМСБр", "Pechenga"])
    ids = corpus.ids
    ids["school"] = records.incident(
        connection,
        a,
        "Strike on school No. 5",
        description="A missile hit the school building in the morning.",
        place_text="Харків",
        occurred_from="2022-03-01",
        occurred_to="2022-03-31",
        types=["missile-strike"],
        targets=["school"],
        weapons=["iskander"],
        status="verified",
    )
    ids["market"] = records.incident(
        connection,
        a,
        "Shelling of the central market",
        description="Artillery shelling of the market in Kyiv district.",
        place_text="Київ",
        occurred_from="2022-07-14T09:30:00Z",
        occurred_to="2022-07-14T09:30:00Z",
        types=["shelling"],
        targets=["market"],
        weapons=["mlrs"],
        status="reported",
    )
    ids["port"] = records.incident(
        connection,
        a,
        "Port warehouse fire",
        description="Fire after a strike near the port of Николаев.",
        occurred_from="2023-01-02",
        occurred_to="2023-01-02",
        types=["missile-strike"],
        status="reported",
    )
    ids["other-case"] = records.incident(
        connection, b, "Strike on school in another case", place_text="Kharkiv"
    )
    ids["source"] = records.source(
        connection,
        a,
        "Report on the Kharkov school strike",
        description="Witnesses describe the strike.",
        published_at="2022-04-02",
    )
    ids["person"] = records.person(connection, a, "Witness W-17", "Teacher at the school in Харків")
    records.place(connection, ids["school"], corpus.area)
    records.involve(connection, corpus.unit, ids["market"])
    for kind in ("incident", "source", "person"):
        ids_of_kind = [v for k, v in ids.items() if _kind_of(k) == kind]
        indexing.refresh(connection, kind, ids_of_kind)
    return corpus


def _kind_of(label: str) -> str:
    return label if label in {"source", "person"} else "incident"


@pytest.fixture
def corpus(instance: Instance) -> Corpus:
    built: Corpus = _write(instance, _corpus)
    return built


SCHOOL = "Strike on school No. 5"
MARKET = "Shelling of the central market"
PORT = "Port warehouse fire"
OTHER = "Strike on school in another case"
SOURCE = "Report on the Kharkov school strike"
WITNESS = "Witness W-17"


# -- transliteration ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "spelling", ["Харків", "Kharkiv", "Kharkov", "Харьков", "XARKIV", "харкiв"]
)
def test_every_spelling_of_kharkiv_finds_the_same_records(
    instance: Instance, corpus: Corpus, spelling: str
) -> None:
    assert _found(instance, spelling) == {SCHOOL, OTHER, SOURCE, WITNESS}


@pytest.mark.parametrize("spelling", ["Київ", "Kyiv", "Kiev", "Киев", "Kyjiv"])
def test_every_spelling_of_kyiv_finds_the_market(
    instance: Instance, corpus: Corpus, spelling: str
) -> None:
    assert _found(instance, spelling) == {MARKET}


@pytest.mark.parametrize("spelling", ["Миколаїв", "Mykolaiv", "Nikolaev", "Nikolayev", "Николаев"])
def test_russian_and_ukrainian_names_of_mykolaiv_match(
    instance: Instance, corpus: Corpus, spelling: str
) -> None:
    assert _found(instance, spelling) == {PORT}


def test_area_names_and_unit_aliases_make_an_incident_findable(
    instance: Instance, corpus: Corpus
) -> None:
    assert _found(instance, "Харківська") == {SCHOOL}
    assert _found(instance, "Kharkovskaya") == {SCHOOL}
    assert _found(instance, "Печенга") == {MARKET}
    assert _found(instance, '"motor rifle brigade"') == {MARKET}


def test_a_different_city_does_not_match(instance: Instance, corpus: Corpus) -> None:
    assert _found(instance, "Lviv") == set()
    assert _found(instance, "Odesa") == set()


@pytest.mark.parametrize("mark", ["ʼ", "'", "’"])
def test_ukrainian_apostrophes_of_every_kind_match_each_other(
    instance: Instance, corpus: Corpus, mark: str
) -> None:
    def add(connection: Connection) -> None:
        incident = records.incident(
            connection, corpus.case_a, "Обстріл у Слов’янську", description="сімʼя загинула"
        )
        indexing.refresh(connection, "incident", [incident])

    _write(instance, add)
    wanted = {"Обстріл у Слов’янську"}
    assert _found(instance, f"Слов{mark}янську") == wanted
    assert _found(instance, f"сім{mark}я") == wanted
    assert _found(instance, f"Slov{mark}iansku") == wanted


def test_an_english_possessive_still_matches_the_name(instance: Instance, corpus: Corpus) -> None:
    assert _found(instance, "Kyiv's") == {MARKET}


# -- query language -----------------------------------------------------------------------------


def test_all_words_must_match(instance: Instance, corpus: Corpus) -> None:
    assert _found(instance, "strike school") == {SCHOOL, OTHER, SOURCE}
    assert _found(instance, "strike school missile") == {SCHOOL}


def test_phrases_prefixes_and_exclusions(instance: Instance, corpus: Corpus) -> None:
    assert _found(instance, '"central market"') == {MARKET}
    assert _found(instance, '"market central"') == set()
    assert _found(instance, "warehou*") == {PORT}
    assert _found(instance, "strike -another -report") == {SCHOOL, PORT}
    assert _found(instance, 'school -"another case"') == {SCHOOL, SOURCE, WITNESS}


@pytest.mark.parametrize(
    ("text", "given"),
    [
        ('"unbalanced quote', {}),
        ("", {}),
        ("-only -excluded", {}),
        ("... ,,, !!!", {}),
        ("a*", {}),
        ("x" * 1001, {}),
        ("school", {"date_from": "2022-13-01"}),
        ("school", {"date_to": "yesterday"}),
        ("school", {"date_from": "2023-01-01", "date_to": "2022-12-31"}),
        ("school", {"limit": 0}),
        ("school", {"limit": 100_000}),
        ("school", {"offset": -1}),
    ],
)
def test_bad_queries_are_refused_with_a_diagnosis(
    instance: Instance, corpus: Corpus, text: str, given: dict[str, Any]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        search.search(instance, SearchQuery(text, **given))
    assert caught.value.what


def test_a_full_text_engine_syntax_error_becomes_invalid_input(
    instance: Instance, corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Queries are compiled from keys, so an engine never sees bad syntax from a user; if a compiler
    # ever produced some, the user must still get a diagnosis rather than an internal error.
    monkeypatch.setattr(sqlite_fts, "compile_match", lambda _parsed: 'AND "(')
    monkeypatch.setattr(postgres_fts, "compile_match", lambda _parsed: "'a' & & (")
    with pytest.raises(InvalidInput):
        search.search(instance, SearchQuery("school"))


# -- filters --------------------------------------------------------------------------------------


def test_case_isolation(instance: Instance, corpus: Corpus) -> None:
    assert _found(instance, "strike", case_ids=(corpus.case_b,)) == {OTHER}
    assert OTHER not in _found(instance, "strike", case_ids=(corpus.case_a,))
    both = (corpus.case_a, corpus.case_b)
    assert _found(instance, "school strike", case_ids=both) == {SCHOOL, OTHER, SOURCE}


def test_named_filters_resolve_cases_areas_and_units(instance: Instance, corpus: Corpus) -> None:
    by_name = search.Filters(cases=["Other"])
    assert {h.title for h in search.search(instance, SearchQuery("strike"), by_name).hits} == {
        OTHER
    }
    in_area = search.Filters(areas=["Харківська область"])
    assert {h.title for h in search.search(instance, SearchQuery("strike"), in_area).hits} == {
        SCHOOL
    }
    with_unit = search.Filters(units=["Pechenga"])
    assert {h.title for h in search.search(instance, SearchQuery("market"), with_unit).hits} == {
        MARKET
    }
    for filters in (
        search.Filters(cases=["No such case"]),
        search.Filters(areas=["Atlantis"]),
        search.Filters(units=["No such unit"]),
    ):
        with pytest.raises(NotFound):
            search.search(instance, SearchQuery("strike"), filters)


def test_kind_filter(instance: Instance, corpus: Corpus) -> None:
    assert _found(instance, "school", kinds=("source",)) == {SOURCE}
    assert _found(instance, "school", kinds=("person", "source")) == {SOURCE, WITNESS}


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        ("2022-03-31", None, {SCHOOL, SOURCE, MARKET, PORT}),
        ("2022-04-01", None, {SOURCE, MARKET, PORT}),
        (None, "2022-03-01", {SCHOOL}),
        (None, "2022-02-28", set()),
        ("2022-07-14", "2022-07-14", {MARKET}),
        ("2022-07", "2022-07", {MARKET}),
        ("2022", "2022", {SCHOOL, SOURCE, MARKET}),
        ("2023-01-03", None, set()),
    ],
)
def test_date_range_overlaps(
    instance: Instance,
    corpus: Corpus,
    date_from: str | None,
    date_to: str | None,
    expected: set[str],
) -> None:
    words = ("strike", "shelling", "fire")
    found = set().union(*(_found(instance, w, date_from=date_from, date_to=date_to) for w in words))
    assert found == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"types": ("missile-strike",)}, {SCHOOL, PORT}),
        ({"types": ("shelling", "missile-strike")}, {SCHOOL, PORT, MARKET}),
        ({"types": ("unknown-type",)}, set()),
        ({"targets": ("school",)}, {SCHOOL}),
        ({"weapons": ("mlrs",)}, {MARKET}),
        ({"status": "reported"}, {MARKET, PORT, OTHER}),
        ({"status": "verified", "types": ("missile-strike",)}, {SCHOOL}),
        ({"status": "verified", "types": ("shelling",)}, set()),
    ],
)
def test_term_filters(
    instance: Instance, corpus: Corpus, given: dict[str, Any], expected: set[str]
) -> None:
    words = ("strike", "shelling", "fire")
    found = set().union(*(_found(instance, word, **given) for word in words))
    assert found == expected


def test_area_and_unit_filters(instance: Instance, corpus: Corpus) -> None:
    assert _found(instance, "strike", area_ids=(corpus.area,)) == {SCHOOL}
    assert _found(instance, "strike", area_ids=(corpus.area + 1000,)) == set()
    assert _found(instance, "market", unit_ids=(corpus.unit,)) == {MARKET}
    assert _found(instance, "strike", unit_ids=(corpus.unit,)) == set()


# -- keeping the index in step ---------------------------------------------------------------------


def test_deleted_records_disappear(instance: Instance, corpus: Corpus) -> None:
    school = corpus.ids["school"]

    def remove(connection: Connection) -> None:
        connection.execute(
            update(tables.incident)
            .where(tables.incident.c.id == school)
            .values(deleted_at=records.STAMP)
        )
        indexing.refresh(connection, "incident", [school])

    _write(instance, remove)
    assert SCHOOL not in _found(instance, "school")
    assert _found(instance, "missile") == set()


def test_an_edit_replaces_the_old_words(instance: Instance, corpus: Corpus) -> None:
    market = corpus.ids["market"]

    def edit(connection: Connection) -> None:
        connection.execute(
            update(tables.incident)
            .where(tables.incident.c.id == market)
            .values(title="Strike on a bakery", description="Bread queue hit.")
        )
        indexing.refresh(connection, "incident", [market])

    _write(instance, edit)
    assert _found(instance, "market") == set()
    assert _found(instance, "bakery") == {"Strike on a bakery"}


def test_a_record_gone_from_its_table_leaves_the_index(instance: Instance, corpus: Corpus) -> None:
    witness = corpus.ids["person"]

    def remove(connection: Connection) -> None:
        connection.execute(delete(tables.person).where(tables.person.c.id == witness))
        indexing.refresh(connection, "person", [witness])

    _write(instance, remove)
    assert _found(instance, "witness") == set()


def test_reindex_rebuilds_from_the_tables(instance: Instance, corpus: Corpus) -> None:
    def wipe_and_add(connection: Connection) -> None:
        index_for(connection.dialect.name).clear(connection)
        records.incident(connection, corpus.case_a, "Unindexed until reindex")

    _write(instance, wipe_and_add)
    assert _found(instance, "school") == set()
    report = search.reindex(instance)
    assert report.counts["incident"] == 5
    assert _found(instance, "school") == {SCHOOL, OTHER, SOURCE, WITNESS}
    assert _found(instance, "unindexed") == {"Unindexed until reindex"}


def test_refresh_refuses_an_unknown_kind(instance: Instance) -> None:
    with write_transaction(instance.engine) as connection, pytest.raises(InvalidInput):
        indexing.refresh(connection, "situation", ["x"])


# -- privacy --------------------------------------------------------------------------------------


def test_items_are_found_by_file_name_and_notes_never_by_path(
    instance: Instance, corpus: Corpus
) -> None:
    def add(connection: Connection) -> str:
        item = records.item(
            connection,
            corpus.case_a,
            note="Drone footage from a volunteer",
            name="gym_crater_north.jpg",
            path="/home/ivanenko/maria/",
        )
        records.link_item(connection, item, corpus.ids["school"], "Shows the crater by the gym")
        indexing.refresh(connection, "item", [item])
        return item

    item_id = _write(instance, add)
    for words in ("drone crater", "gym crater north", "volunteer"):
        hits = search.search(instance, SearchQuery(words)).hits
        assert [hit.doc_id for hit in hits] == [item_id], words
    assert hits[0].kind == "item" and hits[0].title == "gym_crater_north.jpg"
    for private in ("ivanenko", "maria", "home"):
        assert _found(instance, private) == set()


# -- ranking and pages ----------------------------------------------------------------------------


def _many(instance: Instance, case_id: str, rows: list[tuple[str, str]]) -> list[str]:
    def add(connection: Connection) -> list[str]:
        ids = [records.incident(connection, case_id, t, description=d) for t, d in rows]
        indexing.refresh(connection, "incident", ids)
        return ids

    added: list[str] = _write(instance, add)
    return added


def test_ranking_prefers_title_matches_and_more_occurrences(
    instance: Instance, corpus: Corpus
) -> None:
    filler = " ".join(["routine patrol notes"] * 30)
    _many(
        instance,
        corpus.case_a,
        [
            ("Patrol log", f"{filler} a drone was seen {filler}"),
            ("Drone attack on the depot", "Impact reported."),
            ("Depot fire", "drone drone drone: three drones struck, drone debris found"),
        ],
    )
    titles = _titles(instance, "drone")
    assert titles[-1] == "Patrol log"
    assert set(titles[:2]) == {"Drone attack on the depot", "Depot fire"}
    scores = [hit.score for hit in search.search(instance, SearchQuery("drone")).hits]
    assert scores == sorted(scores, reverse=True)


def test_pages_are_disjoint_and_cover_every_hit(instance: Instance, corpus: Corpus) -> None:
    _many(instance, corpus.case_b, [(f"Checkpoint report {n}", "checkpoint") for n in range(25)])
    one_page = search.search(instance, SearchQuery("checkpoint", limit=25)).hits
    pages = [
        search.search(instance, SearchQuery("checkpoint", limit=10, offset=o)).hits
        for o in (0, 10, 20)
    ]
    assert [len(p) for p in pages] == [10, 10, 5]
    assert [h.doc_id for p in pages for h in p] == [h.doc_id for h in one_page]
    assert len({h.doc_id for h in one_page}) == 25
    assert search.search(instance, SearchQuery("checkpoint", offset=25)).hits == []


def test_ranking_considers_only_the_newest_matches_beyond_the_cap(
    instance: Instance, corpus: Corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    best = "Convoy convoy convoy"
    _many(instance, corpus.case_b, [(best, "convoy convoy convoy convoy")])
    _many(instance, corpus.case_b, [(f"Note {n}", "a convoy passed") for n in range(4)])
    full = search.search(instance, SearchQuery("convoy"))
    assert full.hits[0].title == best
    assert not full.capped
    monkeypatch.setattr(queries, "CANDIDATE_CAP", 3)
    capped = search.search(instance, SearchQuery("convoy", limit=3))
    assert capped.capped
    assert len(capped.hits) == 3
    assert best not in {hit.title for hit in capped.hits}
    # A page beyond the cap widens the candidate set rather than coming back empty.
    deep = search.search(instance, SearchQuery("convoy", limit=2, offset=3)).hits
    assert len(deep) == 2


def test_refreshing_many_records_twice_keeps_one_document_each(instance: Instance) -> None:
    def add(connection: Connection) -> list[str]:
        case_id = records.case(connection, "Bulk")
        ids = [records.incident(connection, case_id, f"Bulk record {n}") for n in range(1_200)]
        indexing.refresh(connection, "incident", ids)
        indexing.refresh(connection, "incident", ids)
        return ids

    ids: list[str] = _write(instance, add)
    first = search.search(instance, SearchQuery("bulk", limit=1_000)).hits
    rest = search.search(instance, SearchQuery("bulk", limit=1_000, offset=1_000)).hits
    assert sorted(h.doc_id for h in first + rest) == sorted(ids)
