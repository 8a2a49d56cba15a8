"""What the packages' use cases answer: typed results (:class:`testament.domain.results.Result`)."""

from __future__ import annotations

from dataclasses import dataclass

from testament.domain.results import Result


@dataclass(frozen=True)
class Withheld(Result):
    """Something asked for and left out of a package, and why (a line of ``data/withheld.jsonl``)."""

    kind: str  # "item"
    id: str
    sha256: str | None
    reason: str  # consent, restriction or redaction
    detail: str


@dataclass(frozen=True)
class PackageReport(Result):
    """A package written: where, for whom, what it holds, and the log index of its disclosure."""

    package_id: str
    path: str
    case: str
    recipient: str
    recipient_class: str
    purpose: str
    items: int
    testimonies: int
    originals: int
    payload_bytes: int
    incidents: int
    sources: int
    entries: int
    checkpoint_size: int
    log_index: int
    trusted_timestamp: bool
    withheld: tuple[Withheld, ...]
    # Why the package has no trusted timestamp, when a TSA was configured; None otherwise.
    timestamp_note: str | None = None
