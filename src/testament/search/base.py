"""The search protocol: what every full-text backend indexes, accepts and returns (docs/search.md).

A backend keeps derived data only: everything it holds is rebuilt from the documentation tables by
``testament search reindex``. Every method takes the caller's connection, so indexing happens in the same
transaction as the write it reflects and a search reads one consistent snapshot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from sqlalchemy import Connection

Kind = Literal["incident", "source", "person", "item"]
KINDS: tuple[Kind, ...] = ("incident", "source", "person", "item")

# Ranking scores at most this many matches: the newest ones (docs/search.md, "Ranking").
CANDIDATE_CAP = 5_000
MAX_LIMIT = 1_000


@dataclass(frozen=True)
class SearchDocument:
    """One record as the index sees it. ``names`` are places, units and people to match across scripts."""

    doc_id: str
    kind: Kind
    case_id: str
    title: str
    body: str = ""
    names: tuple[str, ...] = ()
    occurred_from: str | None = None
    occurred_to: str | None = None
    area_ids: tuple[int, ...] = ()
    types: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    weapons: tuple[str, ...] = ()
    status: str | None = None
    unit_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchQuery:
    """What to look for. Several values of one filter match any of them; different filters all apply.

    ``date_from`` and ``date_to`` are ISO dates (inclusive); a record matches when its date range
    overlaps them. A filter on a field a record does not have (an item has no date) excludes it.
    """

    text: str
    case_ids: tuple[str, ...] = ()
    kinds: tuple[Kind, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    area_ids: tuple[int, ...] = ()
    types: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    weapons: tuple[str, ...] = ()
    status: str | None = None
    unit_ids: tuple[str, ...] = ()
    all_of: tuple[tuple[str, str], ...] = ()  # facet values that must each hold (see query_facets)
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class SearchHit:
    doc_id: str
    kind: Kind
    case_id: str
    title: str
    occurred_from: str | None
    occurred_to: str | None
    score: float

    def as_json(self) -> dict[str, object]:
        return {
            "id": self.doc_id,
            "kind": self.kind,
            "case_id": self.case_id,
            "title": self.title,
            "occurred_from": self.occurred_from,
            "occurred_to": self.occurred_to,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True)
class SearchResults:
    """A page of hits, best first. ``capped``: more records matched than ranking considered."""

    hits: list[SearchHit] = field(default_factory=list)
    capped: bool = False


class SearchIndex(Protocol):
    """A full-text index over :class:`SearchDocument`, living in the Testament database."""

    def upsert(self, connection: Connection, documents: Sequence[SearchDocument]) -> None:
        """Add documents, replacing any with the same kind and ID."""

    def delete(self, connection: Connection, kind: Kind, doc_ids: Sequence[str]) -> None:
        """Remove documents; IDs not in the index are ignored."""

    def clear(self, connection: Connection) -> None:
        """Remove every document."""

    def optimize(self, connection: Connection) -> None:
        """Compact the index after a bulk load (may do nothing)."""

    def search(self, connection: Connection, query: SearchQuery) -> SearchResults:
        """Ranked hits for a validated query; raises InvalidInput for a query it cannot run."""

    def matches(
        self, connection: Connection, query: SearchQuery, cap: int
    ) -> tuple[list[str], bool]:
        """The record IDs of the newest ``cap`` matches, unranked, and whether more matched."""
