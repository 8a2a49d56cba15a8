"""TimeMap: the JSON array of events that TimeMap front ends (and `testament import timemap`) read.

Records carry ``filters`` (key, value pairs) already translated from term codes to TimeMap labels. The
event ID is the external ID the event was imported with, or the incident's ID; a source's ID likewise.
Dates are MM/DD/YYYY (the first day of the incident's date range); coordinates are strings.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from testament.sharing.exporters import TextSink
from testament.sharing.importers.timemap import HIDDEN_NOTE


def us_date(iso: str | None) -> str:
    if not iso:
        return ""
    year, month, day = iso[:10].split("-")
    return f"{month}/{day}/{year}"


def _number(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def _source(source: Mapping[str, Any]) -> dict[str, str]:
    description = str(source.get("description") or "")
    return {
        "id": str(source.get("external_id") or source["id"]),
        "path": str(source.get("url") or source.get("reference") or ""),
        "description": description.removesuffix(HIDDEN_NOTE),
    }


def event(record: Mapping[str, Any]) -> dict[str, Any]:
    ns = str(record.get("external_ns") or "")
    return {
        "id": record["external_id"] if ns.startswith("timemap:") else record["id"],
        "date": us_date(record.get("occurred_from")),
        "latitude": _number(record.get("latitude")),
        "longitude": _number(record.get("longitude")),
        "location": record.get("place_text") or "",
        "description": record.get("description") or "",
        "sources": [_source(s) for s in record.get("sources", ())],
        "filters": [{"key": k, "value": v} for k, v in record.get("filters", ())],
    }


def write(records: Iterable[Mapping[str, Any]], out: TextSink) -> int:
    out.write("[")
    count = 0
    for record in records:
        text = json.dumps(event(record), sort_keys=True, ensure_ascii=False, allow_nan=False)
        out.write(("\n" if count == 0 else ",\n") + text)
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
