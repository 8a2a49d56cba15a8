"""An analysis's rows as a table: the columns of every row, and each cell as text, for the pages'
tables and their CSV downloads. A list of incidents reads as their IDs; other lists and objects as
JSON; a text cell that a spreadsheet would run as a formula is written as text (``defuse``)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from testament.sharing.exporters.csv_table import defuse


def columns(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Every key of the rows, in the order they first appear."""
    found: list[str] = []
    for row in rows:
        found += [key for key in row if key not in found]
    return found


def cell(value: Any) -> str:
    """A value as one cell's text."""
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, dict) and "id" in v for v in value):
        return " ".join(str(v["id"]) for v in value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def csv_bytes(rows: Sequence[dict[str, Any]], wanted: Sequence[str] | None = None) -> bytes:
    """The rows as UTF-8 CSV with a header (``wanted`` columns, or all of them)."""
    names = list(wanted) if wanted is not None else columns(rows)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for row in rows:
        writer.writerow([_safe(row.get(name)) for name in names])
    return out.getvalue().encode("utf-8")


def _safe(value: Any) -> str | int | float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return defuse(cell(value))
