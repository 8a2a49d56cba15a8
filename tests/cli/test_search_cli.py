"""`testament search` as a user runs it: real processes."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from testament.custody import instance as instance_service
from testament.search import indexing
from testament.storage.engine import write_transaction
from tests.conftest import SQLITE_ONLY
from tests.search import records

pytestmark = SQLITE_ONLY


def _seed(cli: Any, *, index: bool) -> None:
    cli("init", check=True)
    opened = instance_service.open_instance(cli.settings)
    try:
        with write_transaction(opened.engine) as connection:
            _records(connection, index=index)
    finally:
        opened.close()


def _records(connection: Connection, *, index: bool) -> None:
    case_id = records.case(connection, "Kharkiv strikes")
    other = records.case(connection, "Elsewhere")
    ids = [
        records.incident(
            connection,
            case_id,
            "Strike on school No. 5",
            place_text="Харків",
            occurred_from="2022-03-05",
            occurred_to="2022-03-05",
        ),
        records.incident(connection, other, "Strike in Kharkov suburbs", place_text="Kharkov"),
    ]
    if index:
        indexing.refresh(connection, "incident", ids)


def _lines(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_search_prints_hits_across_spellings_and_filters_by_case(cli: Any) -> None:
    _seed(cli, index=True)
    lines = _lines(cli("search", "Харьков", "--json", check=True).stdout)
    assert lines[-1] == {"summary": True, "count": 2, "capped": False}
    assert {line["title"] for line in lines[:-1]} == {
        "Strike on school No. 5",
        "Strike in Kharkov suburbs",
    }
    assert set(lines[0]) == {
        "id",
        "kind",
        "case_id",
        "title",
        "occurred_from",
        "occurred_to",
        "score",
    }
    one = _lines(cli("search", "Kharkiv", "--case", "Kharkiv strikes", "--json", check=True).stdout)
    assert [line["title"] for line in one[:-1]] == ["Strike on school No. 5"]
    excluded = _lines(cli("search", "kharkiv", "-school", "--json", check=True).stdout)
    assert [line["title"] for line in excluded[:-1]] == ["Strike in Kharkov suburbs"]
    text = cli("search", "query", "school", "--from", "2022-03", "--to", "2022-03", check=True)
    assert "Strike on school No. 5" in text.stdout
    assert text.stdout.startswith("incident  2022-03-05")


def test_reindex_makes_unindexed_records_findable(cli: Any) -> None:
    _seed(cli, index=False)
    empty = cli("search", "school", check=True)
    assert empty.stdout == ""
    assert "No records match" in empty.stderr
    report = _lines(cli("search", "reindex", "--json", check=True).stdout)
    assert report == [
        {"reindexed": {"incident": 2, "item": 0, "person": 0, "source": 0}, "total": 2}
    ]
    assert "Strike on school No. 5" in cli("search", "school", check=True).stdout


def test_bad_queries_get_a_diagnosis_and_a_non_zero_exit(cli: Any) -> None:
    _seed(cli, index=True)
    for args, code, words in [
        (['"unbalanced'], 2, "unbalanced quote"),
        (["school", "--from", "March"], 2, "not a date"),
        (["school", "--case", "No such case"], 3, "no case called"),
        (["school", "--limit", "0"], 2, "limit"),
        (["school", "--kind", "situation"], 2, "situation"),
    ]:
        result = cli("search", *args)
        assert result.returncode == code, (args, result.stderr)
        assert words in result.stderr
        assert result.stdout == ""


def test_facets_are_printed_and_narrow(cli: Any) -> None:
    _seed(cli, index=True)
    lines = _lines(cli("search", "kharkiv", "--facets", "--json", check=True).stdout)
    assert lines[-1]["incidents"] == 2
    assert {f["key"] for f in lines[-1]["facets"]} == {"status", "year"}
    text = cli("search", "kharkiv", "--facet", "year:2022", "--facets", check=True).stdout
    assert "Strike on school No. 5" in text and "Kharkov suburbs" not in text
    assert "year: 2022 (1) *" in text
    bad = cli("search", "kharkiv", "--facet", "colour:red")
    assert bad.returncode == 2 and "there is no facet 'colour'" in bad.stderr


def test_saved_searches_from_the_terminal(cli: Any) -> None:
    _seed(cli, index=True)
    cli(
        "user",
        "create",
        "vera",
        check=True,
        extra_env={"TESTAMENT_PASSWORD": "correct horse battery"},
    )
    made = _lines(
        cli(
            "--as",
            "vera",
            "search",
            "save",
            "Schools",
            "school",
            "--facet",
            "year:2022",
            "--json",
            check=True,
        ).stdout
    )[0]
    assert (made["name"], made["query"], made["facets"]) == ("Schools", "school", ["year:2022"])
    listed = cli("--as", "vera", "search", "saved", check=True).stdout
    assert "Schools: school --facet year:2022" in listed
    again = cli("--as", "vera", "search", "save", "Schools", "x")
    assert again.returncode != 0 and "already have a saved search" in again.stderr
    owner = cli("search", "save", "Mine", "school")
    assert owner.returncode == 2 and "belongs to an account" in owner.stderr
    cli("--as", "vera", "search", "delete-saved", made["id"], check=True)
    assert "No saved searches." in cli("--as", "vera", "search", "saved", check=True).stderr
