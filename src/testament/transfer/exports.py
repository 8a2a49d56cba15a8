"""Exporting a case: JSON Lines (lossless, re-importable), CSV, GeoJSON and TimeMap.

An export reads one consistent snapshot (a transaction) and writes as it reads, a page of records
at a time, so a case of any size exports in bounded memory. Exported incidents carry the names of the
areas they were assigned to and their external IDs.

An export is a disclosure, so it is recorded: in the transaction that read the data, a ``dissemination``
custody event names the case, the format, the count of each kind of record and the SHA-256 and size of
the UTF-8 bytes written (never a path, a file name or any record content), and the checkpoint signed on
commit covers it. :func:`export_file` writes to a temporary file beside the target and moves it into place
only after that transaction commits, so a failed export leaves neither a half-written file nor an event.

JSON Lines holds a header line and then one line per record, ``{"kind", "data"}`` with keys sorted:
sources, incidents, their links, casualties, relations, persons and roles, and the units involved (with
their ancestors and commanders). A record's ``data`` is its current version without ``case_id`` (the
importing case supplies it); an incident's given area is written as ``area_code`` and its assigned areas
as ``areas`` beside ``data``. `testament import jsonl` reads it back with every ID preserved.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TextIO

from sqlalchemy import Connection

from testament.custody import custody, history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType
from testament.domain.results import Result
from testament.errors import ConsentRequired, InvalidInput
from testament.sharing.exporters import TextSink, csv_table, geojson, jsonl, timemap
from testament.sharing.importers.timemap import TARGETS_KEY, WEAPONS_KEY
from testament.storage.engine import lock_log
from testament.survivors import consent, identity, testimony
from testament.taxonomy import loader, vocabulary
from testament.transfer import disclosure
from testament.transfer.queries import exports as export_records

Audience = disclosure.Audience  # who an export is for; defined beside the approval it needs

CASE_FORMATS = ("jsonl", "csv", "geojson", "timemap")  # the case's incidents and records
FORMATS = (*CASE_FORMATS, "testimonies")  # testimonies: the words of witnesses, under consent
JSONL_FORMAT = "testament-jsonl"
JSONL_VERSION = 1


@dataclass(frozen=True)
class ExportReport(Result):
    """What an export wrote: its format and case, how many incidents and records of each kind, the
    SHA-256 and size of its UTF-8 bytes, and the log index of its dissemination event."""

    format: str
    case: str
    incidents: int
    records: dict[str, int]
    sha256: str
    size: int
    log_index: int | None


@dataclass
class _Written:
    """What an export has written so far (the report, while it is being written)."""

    format: str
    case: str
    incidents: int = 0
    records: dict[str, int] = field(default_factory=dict)
    sha256: str = ""  # of the UTF-8 bytes written
    size: int = 0


class _Digesting:
    """Passes text through to ``out`` and keeps the SHA-256 and size of its UTF-8 bytes."""

    def __init__(self, out: TextSink) -> None:
        self.out = out
        self.hash = hashlib.sha256()
        self.size = 0

    def write(self, text: str, /) -> int:
        data = text.encode("utf-8")
        self.hash.update(data)
        self.size += len(data)
        return self.out.write(text)


def export(
    instance: Instance,
    fmt: str,
    case_name: str,
    out: TextIO,
    *,
    audience: Audience | None = None,
    approval: str | None = None,
) -> ExportReport:
    """Write the case's records to ``out`` in ``fmt`` and record the export; returns what was written.

    ``out`` should encode as UTF-8 without newline translation, so the recorded SHA-256 is that of its bytes.
    A case that holds survivors' or witnesses' information exports only for an ``audience`` every one of
    them has consented to (MC-01, CSO-15). Testimonies name the people in them only with an ``approval``
    given by a second person (:mod:`testament.transfer.disclosure`, MC-06). An export is an analyst's;
    one that names people needs identity access (``reveal-identity``) too.
    """
    return _recorded(instance, fmt, case_name, out, out.flush, audience=audience, approval=approval)


def export_file(
    instance: Instance,
    fmt: str,
    case_name: str,
    path: Path,
    *,
    audience: Audience | None = None,
    approval: str | None = None,
) -> ExportReport:
    """:func:`export` to a file: written beside ``path`` and moved into place once recorded."""
    _known_format(fmt)
    if path.is_dir():
        raise InvalidInput("cannot write the export: it is a directory", where=str(path))
    try:
        descriptor, name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".partial", dir=path.parent
        )
    except OSError as exc:
        raise _unwritable(path, exc) from None
    partial = Path(name)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
            report = _recorded(
                instance,
                fmt,
                case_name,
                handle,
                lambda: _synced(handle),
                audience=audience,
                approval=approval,
            )
        try:
            partial.replace(path)
        except OSError as exc:
            raise _unwritable(path, exc) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return report


def _known_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InvalidInput(f"{fmt!r} is not an export format", hint=f"use {', '.join(FORMATS)}")


def _unwritable(path: Path, exc: OSError) -> InvalidInput:
    return InvalidInput(
        f"cannot write the export: {exc.strerror}",
        where=str(path),
        hint="choose a directory you can write to",
    )


def _synced(handle: IO[str]) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _recorded(
    instance: Instance,
    fmt: str,
    case_name: str,
    out: TextSink,
    done: Callable[[], None],
    *,
    audience: Audience | None,
    approval: str | None = None,
) -> ExportReport:
    """Write the export and record its dissemination event, in one transaction."""
    audience = _checked_request(fmt, audience, approval)
    report = _Written(fmt, case_name)
    digesting = _Digesting(out)
    # A write transaction, so the event commits with the read. It still reads one consistent state: on
    # SQLite BEGIN IMMEDIATE, on PostgreSQL the log's lock, taken first, keeps every recorded change out
    # until it ends. Consent is asked inside it too: a withdrawal waits for the export to end, or the
    # export for it.
    with recording(instance) as connection:
        lock_log(connection)
        case_id = str(policy.require(connection, instance, Action.ANALYSE, case=case_name))
        if approval is not None:
            policy.require(connection, instance, Action.REVEAL_IDENTITY, case=case_name)
        if approval is not None and audience is not None:
            disclosure.use(connection, approval, case_id, audience)
        checked = consent_checked(connection, fmt, case_id, audience, named=approval is not None)
        _write(
            connection,
            fmt,
            case_id,
            digesting,
            report,
            instance=instance,
            named=approval is not None,
        )
        done()  # the bytes are out (and, for a file, on disk) before the event that names them
        report.sha256, report.size = digesting.hash.hexdigest(), digesting.size
        event = _dissemination(
            connection, case_id, report, audience=audience, checked=checked, approval=approval
        )
        log_index = custody.record(connection, [event])[0]
    return ExportReport(
        report.format,
        report.case,
        report.incidents,
        dict(report.records),
        report.sha256,
        report.size,
        log_index,
    )


def _checked_request(fmt: str, audience: Audience | None, approval: str | None) -> Audience | None:
    """The format known, the audience checked; an approval only for testimonies to a named audience."""
    _known_format(fmt)
    audience = audience.checked() if audience is not None else None
    if approval is not None and (fmt != "testimonies" or audience is None):
        raise InvalidInput(
            "only a testimonies export for a named audience can name people",
            where="--approval",
            hint="add --for, --purpose and --recipient, and export testimonies",
        )
    return audience


def _dissemination(
    connection: Connection,
    case_id: str,
    report: _Written,
    *,
    audience: Audience | None,
    checked: int,
    approval: str | None,
) -> custody.NewEvent:
    """The export's ``dissemination`` event: format, counts, digest and size, and for an audience
    who it is for, how many consents were checked and whether it names people."""
    return custody.NewEvent(
        CustodyEventType.DISSEMINATION,
        acting_agent(connection),
        case_id=case_id,
        sha256=report.sha256,
        detail={
            "format": report.format,
            "records": dict(report.records),
            "size": report.size,
            "digest_algorithm": "SHA-256",
        }
        | (
            {}
            if audience is None
            else {
                "recipient_class": audience.recipient_class,
                "purpose": audience.purpose,
                "consent_checked": checked,
                "identities": "named" if approval else "withheld",
            }
            | ({"approval": approval} if approval else {})
        ),
    )


def consent_checked(
    connection: Connection, fmt: str, case_id: str, audience: Audience | None, *, named: bool
) -> int:
    """Refuse unless every consent-bearing person of the case consented to this export; how many."""
    people = consent.consent_bearing(connection, case_id)
    if not people:
        return 0
    if audience is None:
        raise ConsentRequired(
            f"this case holds information on {len(people)} people whose consent governs its use",
            where=f"case {case_id}",
            hint="say who the export is for: --for RECIPIENT_CLASS --purpose PURPOSE "
            "--recipient ORGANISATION",
        )
    scope = "testimony" if fmt == "testimonies" else "incident-facts"
    agent_id = acting_agent(connection)
    return consent.require(
        connection,
        people,
        audience.use(scope, named=named),
        recipient=audience.recipient,
        agent_id=agent_id,
    )


def _write(
    connection: Connection,
    fmt: str,
    case_id: str,
    out: TextSink,
    report: _Written,
    *,
    instance: Instance,
    named: bool = False,
) -> None:
    if fmt == "jsonl":
        _jsonl(connection, case_id, out, report)
        return
    if fmt == "testimonies":
        rows = testimony.export_rows(connection, instance, case_id)
        if named:
            for row in rows:
                row["identity"] = identity.exported(connection, instance, row["person_id"])
        report.records = {"testimony": jsonl.write(iter(rows), out)}
        return
    writer = {"csv": csv_table.write, "geojson": geojson.write, "timemap": timemap.write}[fmt]
    records = _incidents(connection, case_id, with_filters=fmt == "timemap")
    report.incidents = writer(records, out)
    report.records = {"incident": report.incidents}


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


def _jsonl(connection: Connection, case_id: str, out: TextSink, report: _Written) -> None:
    out.write(jsonl.line({"kind": "header", "format": JSONL_FORMAT, "version": JSONL_VERSION}))
    units = export_records.involved_units(connection, case_id)
    for kind in export_records.JSONL_KINDS:
        count = jsonl.write(_kind_lines(connection, kind, case_id, units), out)
        report.records[kind] = count
    report.incidents = report.records["incident"]


def case_lines(connection: Connection, kind: str, case_id: str) -> Iterator[dict[str, Any]]:
    """The JSON Lines export's lines (``{"kind", "data"}``) of one kind of the case's records that
    involve no unit: incidents, sources and their links (evidence packages carry them)."""
    return _kind_lines(connection, kind, case_id, [])


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
    erased = export_records.erased_people(connection, case_id) if kind == "person" else set()
    for page in pages:
        extra = _incident_extras(connection, page) if kind == "incident" else {}
        for row in page:
            data = history.snapshot(kind, row)
            data.pop("case_id", None)
            if row["id"] in erased:
                data["description"] = identity.ERASED
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
