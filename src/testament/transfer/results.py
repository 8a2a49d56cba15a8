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
