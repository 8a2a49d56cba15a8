"""The CSV mapping format: checking mappings, reading rows, and the example mappings we ship."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from testament.errors import InvalidInput
from testament.sharing.importers import Rejected, csv_mapping

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "mappings"
BASE = {"testament-csv-mapping": 1, "fields": {"title": "Title"}}


def _mapping(**changes: Any) -> csv_mapping.CsvMapping:
    return csv_mapping.load_mapping(yaml.safe_dump(BASE | changes), "m.yaml")


def _rows(text: str, mapping: csv_mapping.CsvMapping) -> list[csv_mapping.Row | Rejected]:
    return list(csv_mapping.CsvRows(io.BytesIO(text.encode()), mapping, "f.csv"))


@pytest.mark.parametrize("name", ["uwazi", "airtable", "testament-csv"])
def test_the_example_mappings_load(name: str) -> None:
    path = EXAMPLES / f"{name}.yaml"
    mapping = csv_mapping.load_mapping(path.read_text(), str(path))
    assert "title" in mapping.fields


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"testament-csv-mapping": 2}, "testament-csv-mapping"),
        ({"colums": {}}, "colums"),
        ({"fields": {"title": "T", "weather": "W"}}, "fields.weather"),
        ({"fields": {"description": "D"}}, "fields.title"),
        ({"lists": {"colours": {"column": "C"}}}, "lists.colours"),
        ({"lists": {"targets": {"column": "C", "unknown": "ignore"}}}, "lists.targets.unknown"),
        ({"lists": {"targets": {"separator": "|"}}}, "lists.targets.column"),
        ({"coordinates": {"column": "G", "order": "xy"}}, "coordinates.order"),
        ({"delimiter": ";;"}, "delimiter"),
        ({"defaults": {"colour": "red"}}, "defaults.colour"),
    ],
)
def test_a_bad_mapping_is_refused_naming_the_key(changes: dict[str, Any], key: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        _mapping(**changes)
    assert caught.value.where == f"m.yaml: {key}"


def test_not_yaml_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not YAML"):
        csv_mapping.load_mapping("a: [", "m.yaml")


def test_rows_map_columns_lists_coordinates_and_dates() -> None:
    mapping = _mapping(
        id="Ref",
        dates="%d.%m.%Y",
        fields={"title": "Title", "date": "Date"},
        coordinates={"column": "Geo", "separator": " ", "order": "lon-lat"},
        lists={"targets": {"column": "Hit", "separator": ";", "values": {"Shop": "commercial"}}},
        sources={"column": "Links", "separator": " "},
        defaults={"status": "corroborated", "types": ["attack-on-civilians"]},
    )
    text = "ref,title,Date,Geo,Hit,Links\r\n7,Market,05.03.2022,36.2 49.9,shop; School ;shop,https://a.org https://b.org\r\n"
    (row,) = _rows(text, mapping)
    assert isinstance(row, csv_mapping.Row)
    assert (row.row, row.line, row.id) == (2, 2, "7")
    assert row.fields == {
        "status": "corroborated",
        "title": "Market",
        "date": "2022-03-05",
        "latitude": "49.9",
        "longitude": "36.2",
    }
    assert row.lists == {"types": ["attack-on-civilians"], "targets": ["commercial", "School"]}
    assert row.sources == ["https://a.org", "https://b.org"]


def test_rows_are_numbered_as_a_spreadsheet_shows_them() -> None:
    text = 'Title,Notes\nA,"two\nlines"\n\n,\nB,x\n'
    rows = _rows(text, _mapping(fields={"title": "Title", "description": "Notes"}))
    assert [(r.row, r.line) for r in rows if isinstance(r, csv_mapping.Row)] == [(2, 2), (5, 6)]
    first = rows[0]
    assert isinstance(first, csv_mapping.Row) and first.fields["description"] == "two\nlines"


def test_a_row_without_an_id_column_gets_a_stable_content_id() -> None:
    mapping = _mapping()
    first, second, third = _rows("Title\nA\nB\nA\n", mapping)
    assert isinstance(first, csv_mapping.Row) and isinstance(third, csv_mapping.Row)
    assert isinstance(second, csv_mapping.Row)
    assert first.id == third.id != second.id
    assert first.id.startswith("sha256:")


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("Title,Date\nA,30.02.2022\n", "Date", "is not a date written as %d.%m.%Y"),
        ("Title,Geo\nA,49.9\n", "Geo", "is not two coordinates"),
        ("Title,Date\nA,1.1.2022,extra\n", "row", "has 3 cells but the header has 2"),
    ],
)
def test_a_bad_row_is_rejected_naming_row_and_column(text: str, column: str, message: str) -> None:
    mapping = _mapping(
        dates="%d.%m.%Y",
        fields={"title": "Title", "date": "Date"} if "Date" in text else {"title": "Title"},
        coordinates={"column": "Geo"} if "Geo" in text else None,
    )
    (rejected,) = _rows(text, mapping)
    assert isinstance(rejected, Rejected)
    assert rejected.row == 2
    assert message in rejected.error.errors[column]
    assert "row 2" in (rejected.error.where or "")


def test_a_missing_column_is_a_file_level_error_listing_the_columns() -> None:
    with pytest.raises(InvalidInput) as caught:
        _rows("Name,Date\nA,B\n", _mapping())
    assert "no column 'Title'" in caught.value.what
    assert "'Name', 'Date'" in (caught.value.hint or "")


def test_columns_match_ignoring_case_and_spaces() -> None:
    (row,) = _rows(" title ,x\nA,1\n", _mapping())
    assert isinstance(row, csv_mapping.Row) and row.fields["title"] == "A"


def test_broken_csv_is_a_file_level_error() -> None:
    with pytest.raises(InvalidInput, match="not valid CSV"):
        _rows('Title\n"unterminated\n', _mapping())
