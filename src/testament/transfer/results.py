"""What transfer's use cases answer: typed results (:class:`testament.domain.results.Result`).

The field names are the JSON keys, in order, of the API's answers and the CLI's ``--json`` lines.
"""

from __future__ import annotations

from dataclasses import dataclass

from testament.domain.results import Result


@dataclass(frozen=True)
class NamedExportRequest(Result):
    """A request for a named export (a ``disclosure_approval``): who asked, for whom, and whether a
    second person approved it and an export used it."""

    id: str
    case_id: str
    recipient_class: str
    purpose: str
    recipient: str
    requested_by: int
    requested_at: str
    approved_by: int | None
    approved_at: str | None
    used_at: str | None


@dataclass(frozen=True)
class FieldChange(Result):
    """One field of a record, as it is and as the file would make it (as text)."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class RowChange(Result):
    """A row of an update file that changes a record: which record, from which version, and how."""

    row: int
    incident_id: str
    title: str
    version: int
    changes: tuple[FieldChange, ...]


@dataclass(frozen=True)
class RowError(Result):
    """A row of an update file that cannot be applied: its number (the header is row 1), the column
    at fault (``row`` for the row as a whole), the ID it gave, and why."""

    row: int
    column: str
    incident_id: str
    why: str


@dataclass(frozen=True)
class UpdatePlan(Result):
    """An update from a CSV file, previewed or applied: the changes row by row, the rows that change
    nothing, the rows in error, and the digest that binds a confirmation to this file and this diff."""

    case: str
    file: str
    digest: str
    rows: int
    changes: tuple[RowChange, ...]
    unchanged: int
    errors: tuple[RowError, ...]
    applied: bool
    written: int
