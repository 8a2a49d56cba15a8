"""What custody's use cases answer: typed results (:class:`testament.domain.results.Result`).

The field names are the JSON keys, in order, of the API's answers and the CLI's ``--json`` lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from testament.domain.results import Result


@dataclass(frozen=True)
class CaseSummary(Result):
    """A case as the case list shows it."""

    id: str
    name: str
    situation: str | None
    incidents: int
    closed_at: str | None = None


@dataclass(frozen=True)
class SituationView(Result):
    """A situation (the conflict cases belong to): its current version."""

    name: str
    description: str
    starts_on: str | None
    ends_on: str | None
    conflict: str
    amendments: tuple[str, ...]
    id: str
    version: int


@dataclass(frozen=True)
class TimelineEvent(Result):
    """One custody event of an evidence item, as its timeline shows it."""

    log_index: int
    event_type: str
    occurred_at: str
    agent: str
    outcome: str
    sha256: str | None
    detail: dict[str, Any]


@dataclass(frozen=True)
class AgentName(Result):
    """Who an agent of the log (``agent``, its reference ``agent:<n>``) is: kind ``user`` and a
    username, or ``os-user`` and a name."""

    agent: str
    kind: str
    name: str
