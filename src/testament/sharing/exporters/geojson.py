"""GeoJSON (RFC 7946): a FeatureCollection with a Feature per incident, which QGIS opens as a layer.

An incident with coordinates is a Point ``[longitude, latitude]`` (WGS 84, the order RFC 7946 requires).
An incident without coordinates gets ``"geometry": null`` (an unlocated feature, which RFC 7946 allows
and QGIS lists in the attribute table) and keeps the names of the areas it was assigned to in its
properties: drawing it at an area's centre would claim a precision nobody reported.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from testament.sharing.exporters import TextSink

PROPERTIES = (
    "external_ns",
    "external_id",
    "title",
    "description",
    "date_text",
    "occurred_from",
    "occurred_to",
    "date_precision",
    "uncertainty_m",
    "place_text",
    "areas",
    "status",
    "types",
    "targets",
    "weapons",
    "sensitivity",
    "unmapped",
)


def feature(record: Mapping[str, Any]) -> dict[str, Any]:
    lat, lon = record.get("latitude"), record.get("longitude")
    geometry = None
    if lat is not None and lon is not None:
        geometry = {"type": "Point", "coordinates": [lon, lat]}
    properties = {name: record.get(name) for name in PROPERTIES}
    properties["sources"] = [
        s.get("url") or s.get("reference") or s.get("id") for s in record.get("sources", ())
    ]
    return {"type": "Feature", "id": record["id"], "geometry": geometry, "properties": properties}


def write(records: Iterable[Mapping[str, Any]], out: TextSink) -> int:
    out.write('{"type": "FeatureCollection", "features": [')
    count = 0
    for record in records:
        text = json.dumps(feature(record), sort_keys=True, ensure_ascii=False, allow_nan=False)
        out.write(("\n" if count == 0 else ",\n") + text)
        count += 1
    out.write("\n]}\n")
    return count
