"""JSON Lines: one JSON object per line, keys sorted, so the same data always gives the same bytes."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from testament.sharing.exporters import TextSink


def line(record: Mapping[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def write(records: Iterable[Mapping[str, Any]], out: TextSink) -> int:
    """Write each record as a line; returns the number of lines."""
    count = 0
    for record in records:
        out.write(line(record))
        count += 1
    return count
