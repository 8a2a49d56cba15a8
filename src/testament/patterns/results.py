"""What the patterns use cases answer: typed results (:class:`testament.domain.results.Result`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from testament.domain.results import Result


@dataclass(frozen=True)
class Checkpoint(Result):
    """The custody log's size and RFC 9162 root (base64) when a result was computed."""

    size: int
    root: str


@dataclass(frozen=True)
class Analysis(Result):
    """One analysis, reproducible: what was asked (``parameters``), over what (``scope``), at which
    log checkpoint, which incidents could not be used and why (``unplaced``, ``undated``), and the
    rows. ``extra`` holds an analysis's own keys (a repeat search's pairs and groups, say); they are
    merged into the JSON object."""

    analysis: str
    scope: dict[str, Any]
    parameters: dict[str, Any]
    checkpoint: Checkpoint
    incidents: int
    unplaced: list[str]
    undated: list[str]
    rows: list[dict[str, Any]]
    extra: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        # The rows are JSON values already: walking a million references again would double the time.
        found = {
            "analysis": self.analysis,
            "scope": self.scope,
            "parameters": self.parameters,
            "checkpoint": self.checkpoint.as_json(),
            "incidents": self.incidents,
            "unplaced": self.unplaced,
            "undated": self.undated,
            "rows": self.rows,
        }
        found.update(self.extra)
        return found
