"""What the pipeline's use cases return (docs/processing.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from testament.domain.results import Result


@dataclass(frozen=True)
class JobView(Result):
    """One job: what it does, to what, and how it went."""

    id: str
    task: str
    case_id: str
    item_id: str | None
    capture_id: str | None
    kinds: list[str] | None
    state: str
    attempts: int
    run_after: str
    enqueued_at: str
    started_at: str | None
    finished_at: str | None
    error: str | None
    reason: str


@dataclass(frozen=True)
class Progress(Result):
    """How many jobs of a case (or of every case one may read) are in each state."""

    queued: int
    running: int
    done: int
    failed: int

    @property
    def total(self) -> int:
        return self.queued + self.running + self.done + self.failed


@dataclass(frozen=True)
class ExtractionView(Result):
    """What one kind of extractor found in an item, or why it failed."""

    kind: str
    status: str
    tool: str
    tool_version: str
    parameters: dict[str, Any]
    result: dict[str, Any]
    result_sha256: str | None
    text_length: int
    error: str | None
    extracted_at: str


@dataclass(frozen=True)
class DerivativeView(Result):
    """An item derived from another: its role and the tool, version and parameters that made it."""

    item_id: str
    parent_id: str
    parent_sha256: str
    role: str
    name: str
    sha256: str
    media_type: str
    size: int
    tool: str
    tool_version: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class TextSpanView(Result):
    where: str
    page: int | None
    text: str


@dataclass(frozen=True)
class CaptureView(Result):
    """A web capture: asked for, then stored as a WACZ item with what it recorded (BP-06)."""

    id: str
    case_id: str
    requested_url: str
    requested_at: str
    state: str
    item_id: str | None = None
    sha256: str | None = None
    complete: bool | None = None
    incomplete_reason: str | None = None
    final_url: str | None = None
    redirects: list[str] = field(default_factory=list)
    started_at: str | None = None
    finished_at: str | None = None
    http_status: int | None = None
    tool: str | None = None
    tool_version: str | None = None
    user_agent: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class ProcessingView(Result):
    """Everything processing knows about one item: metadata, a suggested location, text, derivatives,
    content credentials, where it came from, and its jobs."""

    item_id: str
    extractions: list[ExtractionView]
    suggested_location: dict[str, Any] | None
    text_length: int
    derivatives: list[DerivativeView]
    derived_from: DerivativeView | None
    observations: list[dict[str, Any]]
    jobs: list[JobView]
    capture: CaptureView | None
    preview_item_id: str | None


@dataclass(frozen=True)
class Duplicate(Result):
    """A possible near-duplicate: an analysis aid, never an integrity proof."""

    item_id: str
    case_id: str
    name: str
    media_type: str
    sha256: str
    distance: int
    position: float
    matched_position: float


@dataclass(frozen=True)
class ReprocessReport(Result):
    case_id: str
    items: int
    jobs: int
    kinds: list[str] | None


@dataclass(frozen=True)
class Previews(Result):
    """Each item's preview item (a thumbnail, the first keyframe, a PDF's first page), where it has one;
    read like a mapping from item ID to preview item ID."""

    by_item: dict[str, str]

    def get(self, item_id: str, default: str | None = None) -> str | None:
        return self.by_item.get(item_id, default)

    def __getitem__(self, item_id: str) -> str:
        return self.by_item[item_id]

    def __contains__(self, item_id: object) -> bool:
        return item_id in self.by_item

    def items(self) -> list[tuple[str, str]]:
        return list(self.by_item.items())
