"""CSV: one row per incident, for spreadsheets.

Lists (areas, types, targets, weapons, sensitivity, sources) are joined with ``|``; unmapped values are a
JSON object. A text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) is written with a leading ``'``: the export may hold text copied from
anywhere, and opening it must not run anything (OWASP "CSV injection"). Numbers are written as numbers.
Use JSON Lines for a lossless export.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from typing import Any

from testament.sharing.exporters import TextSink

COLUMNS = (
    "id",
    "external_ns",
    "external_id",
    "title",
    "description",
    "date_text",
    "occurred_from",
    "occurred_to",
    "date_precision",
    "latitude",
    "longitude",
    "uncertainty_m",
    "place_text",
    "areas",
    "status",
    "types",
    "targets",
    "weapons",
    "sensitivity",
    "unmapped",
    "sources",
)
SEPARATOR = "|"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def defuse(text: str) -> str:
    """Text a spreadsheet shows as text, never evaluates."""
    return "'" + text if text.startswith(_FORMULA) else text


def _cell(value: Any) -> str | float | int:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return value
    if isinstance(value, dict):
        return defuse(json.dumps(value, sort_keys=True, ensure_ascii=False)) if value else ""
    if isinstance(value, list | tuple):
        return defuse(SEPARATOR.join(str(v) for v in value))
    return defuse(str(value))


def _source(source: Mapping[str, Any]) -> str:
    return str(source.get("url") or source.get("reference") or source.get("id"))


def row(record: Mapping[str, Any]) -> list[str | float | int]:
    values = dict(record)
    values["sources"] = [_source(s) for s in record.get("sources", ())]
    return [_cell(values.get(column)) for column in COLUMNS]


def write(records: Iterable[Mapping[str, Any]], out: TextSink) -> int:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for record in records:
        writer.writerow(row(record))
        count += 1
    return count
