"""Exporting a case: JSON Lines (lossless, re-importable), CSV, GeoJSON and TimeMap.

An export reads one consistent snapshot (a read transaction) and writes as it reads, a page of records
at a time, so a case of any size exports in bounded memory. Exported incidents carry the names of the
areas they were assigned to and their external IDs.

JSON Lines holds a header line and then one line per record, ``{"kind", "data"}`` with keys sorted:
sources, incidents, their links, casualties, relations, persons and roles, and the units involved (with
their ancestors and commanders). A record's ``data`` is its current version without ``case_id`` (the
importing case supplies it); an incident's given area is written as ``area_code`` and its assigned areas
as ``areas`` beside ``data``. `testament import jsonl` reads it back with every ID preserved.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlalchemy import Connection

from testament.errors import InvalidInput
from testament.services import cases, export_records, history, vocabulary
from testament.services.instance import Instance
from testament.sharing.exporters import csv_table, geojson, jsonl, timemap
from testament.sharing.importers.timemap import TARGETS_KEY, WEAPONS_KEY
from testament.storage.engine import read_transaction
from testament.taxonomy import loader

FORMATS = ("jsonl", "csv", "geojson", "timemap")
JSONL_FORMAT = "testament-jsonl"
JSONL_VERSION = 1


@dataclass
class ExportReport:
    format: str
    case: str
    incidents: int = 0
    records: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "case": self.case,
            "incidents": self.incidents,
            "records": dict(self.records),
        }


def export(instance: Instance, fmt: str, case_name: str, out: TextIO) -> ExportReport:
    """Write the case's records to ``out`` in ``fmt``; returns what was written."""
    if fmt not in FORMATS:
        raise InvalidInput(f"{fmt!r} is not an export format", hint=f"use {', '.join(FORMATS)}")
    report = ExportReport(fmt, case_name)
    with read_transaction(instance.engine) as connection:
        case_id = cases.case_id(connection, case_name)
        if fmt == "jsonl":
            _jsonl(connection, case_id, out, report)
        else:
            writer = {"csv": csv_table.write, "geojson": geojson.write, "timemap": timemap.write}[
                fmt
            ]
            records = _incidents(connection, case_id, with_filters=fmt == "timemap")
            report.incidents = writer(records, out)
            report.records = {"incident": report.incidents}
    return report


# --- Tabular formats: one record per incident ---------------------------------------------------------


_VOCAB = {"targets": "target-object-types", "weapons": "weapon-systems"}


def _filter_labels() -> dict[str, dict[str, str]]:
    """Term code → TimeMap label: the term's first ``timemap`` label, else (later) its English label."""
    labels: dict[str, dict[str, str]] = {}
    for name, vocab in _VOCAB.items():
        found = loader.shipped().vocabulary(vocab)
        terms = found.terms if found else ()
        labels[name] = {term.code: term.timemap[0] for term in terms if term.timemap}
    return labels


def _filters(
    record: Mapping[str, Any], labels: Mapping[str, Mapping[str, str]]
) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, key in (("targets", TARGETS_KEY), ("weapons", WEAPONS_KEY)):
        for code in record[name]:
            pairs.append((key, labels[name].get(code) or vocabulary.label(_VOCAB[name], code)))
    for key, values in sorted(record["unmapped"].items()):
        pairs.extend((key, value) for value in values)
    return pairs


def _incidents(
    connection: Connection, case_id: str, *, with_filters: bool
) -> Iterator[dict[str, Any]]:
    labels = _filter_labels() if with_filters else {}
    for page in export_records.pages(connection, export_records.incidents_by_date(case_id)):
        ids = [row["id"] for row in page]
        areas = export_records.area_names(connection, ids)
        linked = export_records.linked_sources(connection, ids)
        for row in page:
            record = history.snapshot("incident", row)
            record |= {"areas": areas[row["id"]], "sources": linked[row["id"]]}
            if with_filters:
                record["filters"] = _filters(record, labels)
            yield record


# --- JSON Lines: every record ---------------------------------------------------------------------------


def _jsonl(connection: Connection, case_id: str, out: TextIO, report: ExportReport) -> None:
    out.write(jsonl.line({"kind": "header", "format": JSONL_FORMAT, "version": JSONL_VERSION}))
    units = export_records.involved_units(connection, case_id)
    for kind in export_records.JSONL_KINDS:
        count = jsonl.write(_kind_lines(connection, kind, case_id, units), out)
        report.records[kind] = count
    report.incidents = report.records["incident"]


def _kind_lines(
    connection: Connection, kind: str, case_id: str, units: list[str]
) -> Iterator[dict[str, Any]]:
    statement = export_records.query(kind, case_id, units)
    if kind == "unit":
        order = {unit_id: n for n, unit_id in enumerate(units)}
        rows = [r for page in export_records.pages(connection, statement) for r in page]
        pages = iter([sorted(rows, key=lambda r: order[r["id"]])])
    else:
        pages = export_records.pages(connection, statement)
    for page in pages:
        extra = _incident_extras(connection, page) if kind == "incident" else {}
        for row in page:
            data = history.snapshot(kind, row)
            data.pop("case_id", None)
            line: dict[str, Any] = {"kind": kind, "data": data}
            if kind == "incident":
                area_id = data.pop("area_id")
                data["area_code"] = extra["codes"].get(area_id) if area_id is not None else None
                line["areas"] = extra["areas"][row["id"]]
            yield line


def _incident_extras(connection: Connection, page: list[dict[str, Any]]) -> dict[str, Any]:
    ids = [row["id"] for row in page]
    area_ids = sorted({row["area_id"] for row in page if row["area_id"] is not None})
    return {
        "areas": export_records.area_names(connection, ids),
        "codes": export_records.area_codes(connection, area_ids),
    }
