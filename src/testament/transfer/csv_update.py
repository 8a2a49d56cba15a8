"""Updating existing incidents from a CSV file keyed by ID, previewed as a diff before anything is written.

The file's first row names its columns: ``id`` (required: the incident's Testament ID), optionally
``version`` (the version the row was made from: a record changed since is refused as stale), and any of
the incident fields a mapped CSV import reads (:data:`~testament.sharing.importers.csv_mapping.FIELDS`
and the vocabulary lists, codes separated by ``|``). A column the format does not know refuses the whole
file. An empty cell leaves its field as it is.

:func:`preview` and :func:`apply` run the one computation, :func:`_plan`: each row is read by the mapped
CSV import's reader (:class:`~testament.sharing.importers.csv_mapping.CsvRows`), its incident found in
the case, the new values checked as :func:`~testament.documentation.incidents.prepare` checks every
incident, and compared field by field with the current version. A row that cannot be applied (an
unknown ID, an ID of another case, a date or a code that is not one, a stale version, an ID given in
two rows) is listed with its row number, column and why. The plan's digest covers the file's bytes and
the whole diff, errors included; :func:`apply` recomputes the plan in its write transaction and refuses
when the digest differs from the one confirmed (the file, or a record, changed since the preview).

Rows in error block the update unless the caller chooses to apply only the valid rows (``only_valid``):
then the valid rows are written and the others left for a corrected file. Every change is one new
version of its incident with its custody event, all in one transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import incidents
from testament.domain import dates, places
from testament.domain.access import Action
from testament.domain.canonical import canonical_json
from testament.errors import Conflict, InvalidInput, NotFound
from testament.sharing.importers import Rejected, csv_mapping
from testament.sharing.textio import Utf8Text
from testament.storage.engine import lock_log, read_transaction
from testament.taxonomy import vocabulary
from testament.transfer.results import FieldChange, RowChange, RowError, UpdatePlan

ID, VERSION = "id", "version"
COLUMNS = (ID, VERSION, *csv_mapping.FIELDS, *csv_mapping.LISTS)
SHOWN = ("case_id", "external_ns", "external_id", "unmapped")  # kept as they are by an update


@dataclass
class _Computed:
    """A plan and, for each change, the values to write."""

    changes: list[RowChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    writes: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)
    rows: int = 0
    unchanged: int = 0
    others: dict[str, bool] = field(default_factory=dict)  # another case: may the reader see it


# --- The file -----------------------------------------------------------------------------------------


def _header(content: bytes, name: str) -> list[str]:
    """The file's columns, checked: UTF-8, not empty, an ``id`` column, only known columns, none twice."""
    # the header row only: the rows are read (and the rest decoded) by the import's reader
    first = next(csv.reader(Utf8Text(io.BytesIO(content), name).lines()), None)
    if not first or not any(cell.strip() for cell in first):
        raise InvalidInput("the file is empty (no header row)", where=name)
    header = [cell.strip().casefold() for cell in first]
    for column in header:
        if column not in COLUMNS:
            raise InvalidInput(
                f"the file has a column {column!r} that an update does not know",
                where=f"{name}: row 1 (the header), column {column!r}",
                hint=f"columns may be: {', '.join(COLUMNS)}",
            )
        if header.count(column) > 1:
            raise InvalidInput(
                f"the column {column!r} is in the file twice", where=f"{name}: row 1 (the header)"
            )
    if ID not in header:
        raise InvalidInput(
            "the file has no id column",
            where=f"{name}: row 1 (the header)",
            hint="name the incidents to update by their Testament ID in a column called id",
        )
    return header


def _mapping(header: Sequence[str]) -> csv_mapping.CsvMapping:
    lists = {
        name: csv_mapping.ListColumn(name, "|") for name in csv_mapping.LISTS if name in header
    }
    fields = {name: name for name in csv_mapping.FIELDS if name in header}
    return csv_mapping.CsvMapping(fields=fields, lists=lists, id_column=ID)


# --- One row ------------------------------------------------------------------------------------------


class _RowError(Exception):
    def __init__(self, column: str, why: str) -> None:
        super().__init__(why)
        self.column = column
        self.why = why


def _checked(column: str, run: Any) -> Any:
    try:
        return run()
    except InvalidInput as exc:
        raise _RowError(column, exc.what) from None


def _record(
    conn: Connection, instance: Instance, case_id: str, incident_id: str, others: dict[str, bool]
) -> dict[str, Any]:
    """The incident's current row, if it is one of the case's live incidents. The case itself was
    asked of the policy; a row of another case asks it once per such case (``others``: readable or
    not), so an incident of a case the reader may not see is answered as absent."""
    try:
        row = history.current(conn, "incident", incident_id, deleted=True)
    except NotFound:
        raise _RowError(ID, "no incident has this ID") from None
    if row["case_id"] != case_id:
        other = str(row["case_id"])
        if other not in others:
            try:
                policy.require(conn, instance, Action.READ, case=other)
                others[other] = True
            except NotFound:
                others[other] = False
        if not others[other]:
            raise _RowError(ID, "no incident has this ID")
        raise _RowError(ID, "this incident belongs to another case")
    if row["deleted_at"] is not None:
        raise _RowError(ID, "this incident was deleted")
    return row


def _stale(row: Mapping[str, Any], given: str) -> None:
    if not given.strip():
        return
    if not given.strip().isdigit():
        raise _RowError(VERSION, f"{given!r} is not a version number")
    if int(given) != int(row["version"]):
        raise _RowError(
            VERSION,
            f"the incident changed since version {int(given)} (it is at version {row['version']}): "
            "export it again and redo the change",
        )


_POINT = {
    "latitude": lambda value: places.point(value, 0),
    "longitude": lambda value: places.point(0, value),
    "uncertainty_m": lambda value: places.point(0, 0, value),
}


def _given(row: csv_mapping.Row, us_dates: bool) -> dict[str, Any]:
    """What the row changes, checked column by column: non-empty cells only."""
    changes: dict[str, Any] = {k: v for k, v in row.fields.items() if v.strip()}
    for name in csv_mapping.DATE_FIELDS:
        if name in changes:
            _checked(name, lambda n=name: dates.parse(changes[n], us_order=us_dates))
    for name, point in _POINT.items():
        if name in changes:
            _checked(name, lambda p=point, n=name: p(changes[n]))
    if "status" in changes:
        _checked("status", lambda: vocabulary.require_one("incident-status", changes["status"]))
    for name, values in row.lists.items():
        if values:
            changes[name] = _checked(
                name, lambda n=name, v=values: vocabulary.require(incidents.LISTS[n], v)
            )
    if "date" in changes:
        changes |= {"date_from": "", "date_to": ""}
    elif "date_from" in changes or "date_to" in changes:
        changes["date"] = ""
    return changes


def _fresh(conn: Connection, row: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The incident's values once the row's changes are made, checked as every incident is."""
    before = history.snapshot("incident", row)
    # incidents' own reading of a version back as its input, as incidents.edit merges a change
    merged = incidents.IncidentInput(**incidents._as_input(before) | dict(changes))
    if "area" in changes:
        merged.area_id = None
    try:
        return incidents.prepare(conn, row["case_id"], merged)
    except InvalidInput as exc:
        raise _RowError(next(iter(exc.errors), "row"), exc.what) from None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "|".join(str(v) for v in value)
    return str(value)


def _diff(row: Mapping[str, Any], fresh: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    before = history.snapshot("incident", row)
    return tuple(
        FieldChange(name, _text(before[name]), _text(value))
        for name, value in fresh.items()
        if name not in SHOWN and name in before and before[name] != value
    )


def _one(
    conn: Connection,
    instance: Instance,
    case_id: str,
    row: csv_mapping.Row,
    version: str,
    *,
    others: dict[str, bool],
) -> tuple[RowChange, dict[str, Any]] | None:
    """The row's change (None: it changes nothing); raises :class:`_RowError`."""
    if not row.id or row.id.startswith("sha256:"):
        raise _RowError(ID, "the id is empty")
    record = _record(conn, instance, case_id, row.id, others)
    _stale(record, version)
    fresh = _fresh(conn, record, _given(row, us_dates=False))
    changes = _diff(record, fresh)
    if not changes:
        return None
    title = str(fresh.get("title") or record["title"])
    return RowChange(row.row, row.id, title, int(record["version"]), changes), fresh


def _plan(
    conn: Connection, instance: Instance, case_id: str, content: bytes, name: str
) -> _Computed:
    """The one computation behind a preview and an apply."""
    header = _header(content, name)
    at_version = header.index(VERSION) if VERSION in header else None
    found = _Computed()
    seen: dict[str, int] = {}
    for item in csv_mapping.CsvRows(io.BytesIO(content), _mapping(header), name):
        found.rows += 1
        if isinstance(item, Rejected):
            column = next(iter(item.error.errors), "row")
            found.errors.append(RowError(item.row, column, "", item.error.what))
            continue
        if item.id in seen:
            found.errors.append(
                RowError(item.row, ID, item.id, f"the ID is also in row {seen[item.id]}")
            )
            continue
        seen[item.id] = item.row
        version = "" if at_version is None or at_version >= len(item.raw) else item.raw[at_version]
        try:
            made = _one(conn, instance, case_id, item, version, others=found.others)
        except _RowError as exc:
            shown_id = "" if item.id.startswith("sha256:") else item.id
            found.errors.append(RowError(item.row, exc.column, shown_id, exc.why))
            continue
        if made is None:
            found.unchanged += 1
            continue
        change, fresh = made
        found.changes.append(change)
        found.writes.append((change.incident_id, change.version, fresh))
    return found


def _digest(content: bytes, case_id: str, found: _Computed) -> str:
    diff = {
        "file": hashlib.sha256(content).hexdigest(),
        "case": case_id,
        "changes": [change.as_json() for change in found.changes],
        "errors": [error.as_json() for error in found.errors],
    }
    return hashlib.sha256(canonical_json(diff)).hexdigest()


def _answer(
    case_name: str, name: str, digest: str, found: _Computed, *, written: int | None = None
) -> UpdatePlan:
    return UpdatePlan(
        case=case_name,
        file=name,
        digest=digest,
        rows=found.rows,
        changes=tuple(found.changes),
        unchanged=found.unchanged,
        errors=tuple(found.errors),
        applied=written is not None,
        written=written or 0,
    )


def preview(instance: Instance, case_name: str, content: bytes, name: str) -> UpdatePlan:
    """What updating the case's incidents from this file would change, and which rows are in error;
    writes nothing. Confirm with :func:`apply` and the plan's digest."""
    with read_transaction(instance.engine) as conn:
        case_id = str(policy.require(conn, instance, Action.DOCUMENT, case=case_name))
        found = _plan(conn, instance, case_id, content, name)
        return _answer(case_name, name, _digest(content, case_id, found), found)


def apply(
    instance: Instance,
    case_name: str,
    content: bytes,
    name: str,
    *,
    digest: str,
    only_valid: bool = False,
) -> UpdatePlan:
    """Write the previewed update: refused when the file or a record changed since the preview (the
    digest differs), and while rows are in error unless ``only_valid``. One transaction."""
    with recording(instance) as conn:
        case_id = str(policy.require(conn, instance, Action.DOCUMENT, case=case_name))
        lock_log(conn)  # the records compared below stay as read until commit
        found = _plan(conn, instance, case_id, content, name)
        current = _digest(content, case_id, found)
        if current != digest.strip().lower():
            raise Conflict(
                "the file or the incidents changed since the preview; nothing was written",
                where=name,
                hint="preview the file again and confirm what it shows now",
            )
        if found.errors and not only_valid:
            first = found.errors[0]
            raise InvalidInput(
                f"{len(found.errors)} row(s) cannot be applied; nothing was written",
                where=f"{name}: row {first.row}, column {first.column!r}",
                hint="correct them and preview again, or choose to apply only the valid rows",
                errors={f"row {e.row}": f"{e.column}: {e.why}" for e in found.errors},
            )
        agent = acting_agent(conn)
        for incident_id, version, fresh in found.writes:
            history.update(conn, "incident", incident_id, fresh, agent_id=agent,
                           expected_version=version)  # fmt: skip
        if found.writes:
            incidents.after_write(conn, [w[0] for w in found.writes])
        return _answer(case_name, name, current, found, written=len(found.writes))
