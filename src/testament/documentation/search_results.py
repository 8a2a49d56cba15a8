"""What the facet, snippet, saved-search and relation use cases answer (docs/search.md).

Declared beside :mod:`results` in a module of their own so that the search pages' types read together.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from testament.documentation.record_views import IncidentListed
from testament.documentation.results import DescribedHit
from testament.domain.results import Result


@dataclass(frozen=True)
class FacetValue(Result):
    """One value of a facet: its code (or ID, or year), the name to show when it is not a vocabulary
    code (an area's name, an assignee's username), how many incidents have it, and whether it is
    chosen."""

    value: str
    name: str | None
    incidents: int
    chosen: bool


@dataclass(frozen=True)
class Facet(Result):
    """A facet (``type``, ``target``, ``weapon``, ``area``, ``status``, ``year``, ``assignee``) and its
    values, most incidents first (years in order); ``more``: values left out of a long list."""

    key: str
    values: list[FacetValue]
    more: int = 0


@dataclass(frozen=True)
class IncidentPage(Result):
    """A page of a case's incidents narrowed by facets, how many in all, and the facets' counts."""

    incidents: list[IncidentListed]
    total: int
    facets: list[Facet]


@dataclass(frozen=True)
class Snippet(Result):
    """Text of a hit around the words that matched: ``parts`` alternate plain text and a match,
    starting with plain text (so odd positions are matches). Nothing is escaped: the edge does."""

    parts: list[str]


@dataclass(frozen=True)
class SnippetHit(DescribedHit):
    """A described hit with a snippet of its text (None when no field of it holds a match)."""

    snippet: Snippet | None = None


@dataclass(frozen=True)
class SearchFacets(Result):
    """The facets of the incidents among a search's matches (the newest ``CANDIDATE_CAP`` of them:
    ``capped`` says more matched)."""

    facets: list[Facet]
    incidents: int
    capped: bool


@dataclass(frozen=True)
class SavedSearch(Result):
    """A user's named search: the words, the facets chosen (``key:value``), and the dates."""

    id: str
    name: str
    query: str
    facets: list[str] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    created_at: str = ""


@dataclass(frozen=True)
class RelatedIncident(Result):
    """A relation of an incident as its page shows it, from either side: ``outgoing`` when this
    incident names the other, else the other names this one."""

    relation_id: str
    relation: str
    other_id: str
    other_title: str
    outgoing: bool
    note: str
