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


@dataclass(frozen=True)
class PreviewItem(Result):
    id: str
    name: str
    size: int
    media_type: str


@dataclass(frozen=True)
class Preview(Result):
    """What a package would hold and withhold, before anyone asks for it."""

    items: tuple[PreviewItem, ...]
    testimonies: int
    withheld: tuple[Withheld, ...]
    total_bytes: int


@dataclass(frozen=True)
class SharingRequest(Result):
    """A request to share a package: for whom, what, its state and, once built, its package."""

    id: str
    case: str
    recipient: str
    recipient_class: str
    purpose: str
    items: tuple[str, ...]
    incidents: tuple[str, ...]
    state: str  # requested, approved, refused, building, ready or failed
    requested_by: str
    requested_at: str
    decided_by: str | None
    decided_at: str | None
    reason: str
    package_id: str | None
    done: int
    total: int
    downloads_left: int
    built_at: str | None
    mine: bool  # asked by the principal who reads it


@dataclass(frozen=True)
class RegisterEntry(Result):
    """A line of the disclosure register; ``withdrawals``: when consent it relied on was withdrawn."""

    package_id: str
    case: str
    recipient: str
    recipient_class: str
    purpose: str
    shared_at: str
    bytes: int
    withdrawals: tuple[str, ...]
