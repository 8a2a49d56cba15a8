"""Imports refuse what would crash or bloat them, on both databases: truncated files, deep nesting, huge
numbers and text past its field's limit. Each refusal names where, and nothing is half-written, even
with ``skip_invalid``."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import gazetteer, incidents
from testament.domain.boundedjson import MAX_DEPTH
from testament.domain.text import LONG_CHARS, NAME_CHARS
from testament.errors import InvalidInput
from testament.storage import tables
from testament.storage.engine import read_transaction
from testament.transfer import exports
from testament.transfer.import_jsonl import import_jsonl
from testament.transfer.imports import ImportOptions, import_csv, import_timemap

DEEP = "[" * 100_000 + "]" * 100_000
MAPPING = {
    "testament-csv-mapping": 1,
    "id": "Ref",
    "fields": {"title": "Title", "date": "Date", "description": "Notes"},
}


def _count(instance: Instance, table: Any = tables.incident) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _event(event_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "date": "03/05/2022", "description": "Strike"} | fields


def _skipping(tmp_path: Path) -> ImportOptions:
    return ImportOptions(skip_invalid=True, rejects=tmp_path / "rejects.out")


def _refused(run: Any, *words: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        run()
    text = f"{caught.value.what} {caught.value.where} {caught.value.errors}"
    for word in words:
        assert word in text, text
    return caught.value


# --- Truncated files ----------------------------------------------------------------------------------


def test_a_truncated_timemap_file_is_reported_as_truncated_naming_line_and_byte(
    instance: Instance, tmp_path: Path
) -> None:
    whole = json.dumps([_event(f"E{n}") for n in range(5)], indent=1).encode()
    path = tmp_path / "events.json"
    start = whole.rindex(b"{")  # the last event
    path.write_bytes(whole[: start + 12])
    line = whole[:start].count(b"\n") + 1
    for options in (ImportOptions(), _skipping(tmp_path)):
        refused = _refused(
            lambda o=options: import_timemap(instance, path, "Case", o), "truncated", "event"
        )
        assert refused.where == f"{path}: line {line}, byte {start}"
        assert f"ends at byte {start + 12:,}" in refused.what
    assert _count(instance) == 0


def test_a_jsonl_file_cut_mid_line_is_refused_whole(instance: Instance, tmp_path: Path) -> None:
    cases.create_case(instance, "Source")
    for n in range(3):
        incidents.create(instance, "Source", incidents.IncidentInput(title=f"Strike {n}"))
    out = io.StringIO()
    exports.export(instance, "jsonl", "Source", out)
    whole = out.getvalue().encode()
    start = whole.rstrip(b"\n").rindex(b"\n") + 1  # the last line
    path = tmp_path / "cut.jsonl"
    path.write_bytes(whole[: start + 30])
    line = whole[:start].count(b"\n") + 1
    refused = _refused(
        lambda: import_jsonl(instance, path, "Copy", _skipping(tmp_path)), "truncated"
    )
    assert refused.where == f"{path}: line {line}, byte {start}"
    assert _count(instance) == 3  # the exported case's, and nothing of the copy
    assert not (tmp_path / "rejects.out").exists()


def test_a_csv_cut_mid_row_is_reported_as_truncated_not_as_a_repeated_id(
    instance: Instance, tmp_path: Path
) -> None:
    rows = "".join(f"{n},Strike {n},2022-03-01,Notes\n" for n in range(1, 13))
    whole = ("Ref,Title,Date,Notes\n" + rows).encode()
    start = whole.index(b"12,")
    data, spec = tmp_path / "in.csv", tmp_path / "map.yaml"
    spec.write_text(json.dumps(MAPPING), encoding="utf-8")
    data.write_bytes(whole[: start + 1])  # the last row reads "1", the ID of row 2
    for options in (ImportOptions(), _skipping(tmp_path)):
        refused = _refused(
            lambda o=options: import_csv(instance, data, "Case", spec, o), "truncated", "row 13"
        )
        assert refused.where == f"{data}: line 13, byte {start}"
        assert "appears twice" not in refused.what
    data.write_bytes(whole[: start + 3] + b'"Strike')  # inside a quoted cell
    refused = _refused(lambda: import_csv(instance, data, "Case", spec), "truncated")
    assert refused.where == f"{data}: line 13, byte {start}"
    data.write_bytes(whole.rstrip(b"\n"))  # whole, only without the last line break
    assert import_csv(instance, data, "Case", spec).incidents.created == 12


# --- Deep nesting and huge numbers --------------------------------------------------------------------


def test_json_nested_100000_deep_is_refused_by_every_reader(
    instance: Instance, tmp_path: Path
) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text(DEEP, encoding="utf-8")
    too_deep = f"more than {MAX_DEPTH} levels deep"
    _refused(lambda: import_timemap(instance, deep, "Case"), too_deep)
    _refused(lambda: import_jsonl(instance, deep, "Case"), too_deep)
    _refused(lambda: gazetteer.load(instance, deep, level=1, name_field="NAME_1"), too_deep)
    header = json.dumps({"format": "testament-jsonl", "version": 1})
    lines = tmp_path / "lines.jsonl"
    lines.write_text(f'{header}\n{{"kind": "source", "data": {DEEP}}}\n', encoding="utf-8")
    _refused(lambda: import_jsonl(instance, lines, "Case"), too_deep, "line 2")
    one_level_too_many = [_event("E1", sources=[json.loads("[" * MAX_DEPTH + "]" * MAX_DEPTH)])]
    deep.write_text(json.dumps(one_level_too_many), encoding="utf-8")
    _refused(lambda: import_timemap(instance, deep, "Case"), too_deep, "line 1")
    assert _count(instance) == _count(instance, tables.admin_area) == 0


def test_a_latitude_of_400_digits_is_refused_not_a_crash(
    instance: Instance, tmp_path: Path
) -> None:
    path = tmp_path / "events.json"
    path.write_text(f'[{{"id": "E1", "date": "03/05/2022", "latitude": {"9" * 400}}}]')
    _refused(lambda: import_timemap(instance, path, "Case"), "400 digits", "line 1")
    path.write_text(json.dumps([_event("E1", latitude="9" * 400, longitude="30")]))
    refused = _refused(lambda: import_timemap(instance, path, "Case"), "event 1", "latitude")
    assert "9" * 50 not in str(refused.errors)
    assert _count(instance) == 0


# --- Text past its field's limit ----------------------------------------------------------------------


def test_text_past_its_field_limit_is_refused_in_every_import(
    instance: Instance, tmp_path: Path
) -> None:
    path = tmp_path / "events.json"
    path.write_text(json.dumps([_event("E1"), _event("E2", description="x" * (LONG_CHARS + 1))]))
    _refused(lambda: import_timemap(instance, path, "Case"), "event 2", "100,000")
    long_source = {"id": "s1", "path": "", "description": "x" * (LONG_CHARS + 1)}
    path.write_text(json.dumps([_event("E1", sources=[long_source])]))
    _refused(lambda: import_timemap(instance, path, "Case"), "sources[0]", "100,000")
    data, spec = tmp_path / "in.csv", tmp_path / "map.yaml"
    spec.write_text(json.dumps(MAPPING), encoding="utf-8")
    data.write_text(f"Ref,Title,Date,Notes\n1,{'T' * (NAME_CHARS + 1)},2022-03-01,x\n")
    _refused(lambda: import_csv(instance, data, "Case", spec), "row 2", "500")
    assert _count(instance) == 0
