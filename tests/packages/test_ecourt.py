"""The court e-filing sheet (packages/ecourt.py): rows from items.jsonl lines under the default and a
custom column mapping, mapping files refused naming the entry, and cells a spreadsheet cannot run."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from testament.errors import InvalidInput
from testament.packages import ecourt

SHA = "a" * 64


def _item(**changes: Any) -> dict[str, Any]:
    """An item as items.jsonl holds it, with an ERN."""
    return {
        "id": "item-1",
        "sha256": SHA,
        "size": 1234,
        "media_type": "image/jpeg",
        "original_name": "photo.jpg",
        "path": f"data/originals/{SHA[:2]}/{SHA}/photo.jpg",
        "modified_at": "2024-01-10T08:00:00Z",
        "source_note": "handed over at the school",
        "ingested_at": "2024-02-01T10:00:00Z",
        "ingested_by": {"agent": "agent:3", "kind": "user", "name": "dmytro"},
        "duplicate": False,
        "testimony_recording": False,
        "incidents": [
            {"id": "l1", "incident_id": "inc-1", "relevance": "", "source_id": None},
            {"id": "l2", "incident_id": "inc-2", "relevance": "", "source_id": None},
        ],
        "assessments": [{"id": "a1", "axis": "source", "status": "verified"}],
        "legal_elements": [
            {"id": "e1", "crime_code": "WC-ATT-CIV", "element_id": "E1", "stance": "supports"}
        ],
        "external_ids": {"ICC-ERN": "UKR-OTP-0001-0001"},
    } | changes


def _mapping_file(tmp_path: Path, entries: object) -> Path:
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return path


def _xlsx_rows(data: bytes) -> list[list[str | None]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    book.close()
    return rows


def test_the_default_mapping_puts_the_ern_first_and_the_hash_in() -> None:
    second = _item(id="item-2", external_ids={}, source_note=None, ingested_by=None, incidents=[])
    rows = ecourt.sheet_rows([_item(), second], ecourt.load_mapping(None))
    assert rows[0] == [header for header, _ in ecourt.DEFAULT_MAPPING]
    assert rows[0][:1] == ["ERN"] and "SHA-256" in rows[0]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first == {
        "ERN": "UKR-OTP-0001-0001",
        "Document title": "photo.jpg",
        "Date": "2024-01-10T08:00:00Z",
        "Format": "image/jpeg",
        "Size (bytes)": "1234",
        "SHA-256": SHA,
        "File": f"data/originals/{SHA[:2]}/{SHA}/photo.jpg",
        "Source": "handed over at the school",
        "Collected": "2024-02-01T10:00:00Z",
        "Collected by": "dmytro",
        "Incidents": "inc-1; inc-2",
        "Item ID": "item-1",
    }
    blank = dict(zip(rows[0], rows[2], strict=True))
    assert (blank["ERN"], blank["Source"], blank["Collected by"], blank["Incidents"]) == ("",) * 4


def test_a_custom_mapping_file_names_the_columns(tmp_path: Path) -> None:
    path = _mapping_file(tmp_path, [
        ["Номер ERN", "external_ids.icc-ern"], ["Hash", "sha256"], ["Assessed", "assessments"],
        ["Elements", "legal_elements"], ["Duplicate", "duplicate"], ["By", "ingested_by.agent"],
    ])  # fmt: skip
    mapping = ecourt.load_mapping(path)
    assert mapping[0] == ("Номер ERN", "external_ids.ICC-ERN")
    assert ecourt.sheet_rows([_item()], mapping) == [
        ["Номер ERN", "Hash", "Assessed", "Elements", "Duplicate", "By"],
        ["UKR-OTP-0001-0001", SHA, "source: verified", "WC-ATT-CIV E1 (supports)", "no", "agent:3"],
    ]


@pytest.mark.parametrize(
    ("entries", "entry", "message"),
    [
        ([["ERN", "external_ids.ICC-ERN"], ["Title", "title"]], 2, "unknown field 'title'"),
        ([["ERN"]], 1, "not a \\[header, field\\] pair"),
        ([["ERN", "sha256"], {"header": "x"}], 2, "not a \\[header, field\\] pair"),
        ([["Hash", 3]], 1, "two strings"),
        ([[" ", "sha256"]], 1, "empty header"),
        ([["Hash", "sha256"], ["Hash", "size"]], 2, "repeats the header 'Hash'"),
        ([["ERN", "external_ids.ICC ERN"]], 1, "unknown field"),
    ],
)
def test_a_bad_mapping_file_is_refused_naming_the_entry(
    tmp_path: Path, entries: object, entry: int, message: str
) -> None:
    path = _mapping_file(tmp_path, entries)
    with pytest.raises(
        InvalidInput, match=f"entry {entry} of the e-Court mapping .*{message}"
    ) as e:
        ecourt.load_mapping(path)
    assert e.value.where == f"{path}, entry {entry}"


def test_a_mapping_file_that_is_not_a_list_or_not_json_or_missing_is_refused(
    tmp_path: Path,
) -> None:
    not_lists: list[object] = [{"ERN": "external_ids.ICC-ERN"}, []]
    for entries in not_lists:
        with pytest.raises(InvalidInput, match="not a non-empty list") as caught:
            ecourt.load_mapping(_mapping_file(tmp_path, entries))
        assert caught.value.where == str(tmp_path / "mapping.json")
    broken = tmp_path / "broken.json"
    broken.write_text('[["ERN", ', encoding="utf-8")
    with pytest.raises(InvalidInput, match="cannot be read as JSON"):
        ecourt.load_mapping(broken)
    with pytest.raises(InvalidInput, match="does not exist") as missing:
        ecourt.load_mapping(tmp_path / "absent.json")
    assert "TESTAMENT_ECOURT_MAPPING" in (missing.value.hint or "")


def test_a_mapping_given_in_code_is_checked_too() -> None:
    with pytest.raises(InvalidInput, match="unknown field 'nonsense'"):
        ecourt.sheet_rows([_item()], [("X", "nonsense")])


DANGEROUS = {
    "original_name": '=HYPERLINK("http://example.org","open").jpg',
    "source_note": "+1+cmd|' /C calc'!A0",
    "media_type": "-2+3",
    "modified_at": "@SUM(1,2)",
}


def _dangerous_rows(data: list[list[Any]]) -> dict[str, Any]:
    return dict(zip(data[0], data[1], strict=True))


def test_formulas_are_neutralised_in_csv_and_xlsx() -> None:
    mapping = [("Name", "original_name"), ("Note", "source_note"), ("Type", "media_type"),
               ("Date", "modified_at"), ("=Header", "sha256")]  # fmt: skip
    items = [_item(**DANGEROUS)]
    expected = {
        "Name": "'" + DANGEROUS["original_name"],
        "Note": "'" + DANGEROUS["source_note"],
        "Type": "'-2+3",
        "Date": "'@SUM(1,2)",
        "'=Header": SHA,
    }
    text = ecourt.write_csv(items, mapping).decode("utf-8")
    assert _dangerous_rows(list(csv.reader(io.StringIO(text, newline="")))) == expected
    assert _dangerous_rows(_xlsx_rows(ecourt.write_xlsx(items, mapping))) == expected
    with zipfile.ZipFile(io.BytesIO(ecourt.write_xlsx(items, mapping))) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet  # no cell holds a formula


def test_ukrainian_names_controls_and_line_breaks() -> None:
    name = "Фото з подвір'я, школа №5.jpg"
    items = [_item(original_name=name, source_note='перший рядок\nдругий, "лапки"')]
    items.append(_item(id="item-2", original_name="photo\u202egpj.exe", source_note="a\x07b"))
    mapping = [("Назва", "original_name"), ("Джерело", "source_note")]
    data = ecourt.write_csv(items, mapping)
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.split(b"\r\n")[0] == "Назва,Джерело".encode()
    expected = [
        ["Назва", "Джерело"],
        [name, "перший рядок\nдругий, \"лапки\""],
        ["photo[U+202E]gpj.exe", "a[U+0007]b"],
    ]  # fmt: skip
    assert list(csv.reader(io.StringIO(data.decode("utf-8"), newline=""))) == expected
    assert _xlsx_rows(ecourt.write_xlsx(items, mapping)) == expected


def test_the_xlsx_is_reproducible_and_caps_long_cells() -> None:
    items = [_item(source_note="x" * 40_000)]
    mapping = [("Source", "source_note"), ("Size", "size")]
    made = datetime(2025, 3, 4, 12, 0, tzinfo=UTC)
    first = ecourt.write_xlsx(items, mapping, made_at=made)
    assert first == ecourt.write_xlsx(items, mapping, made_at=made)
    rows = _xlsx_rows(first)
    assert rows[1][1] == "1234"
    assert len(str(rows[1][0])) == ecourt.XLSX_CELL_CHARS and str(rows[1][0]).endswith("…")
    book = load_workbook(io.BytesIO(first))
    assert book.properties.created == made.replace(tzinfo=None)
    assert ecourt.write_csv(items, mapping).count(b"x") == 40_000
