"""What documentation's use cases answer: typed results (:class:`testament.domain.results.Result`).

The field names are the JSON keys, in order, of the API's answers and the CLI's ``--json`` lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

from testament.domain.results import Result
from testament.search.base import SearchHit


@dataclass(frozen=True)
class EvidenceLinkView(Result):
    """A live link from an evidence item to an incident: its current version."""

    item_id: str
    incident_id: str
    source_id: str | None
    relevance: str
    id: str
    version: int
    created_at: str


@dataclass(frozen=True)
class AssessmentView(Result):
    """An assessment of an item on one Berkeley Protocol axis."""

    item_id: str
    axis: str
    status: str
    method: str
    analyst_id: int
    assessed_on: str
    note: str
    id: str
    version: int
    created_at: str


@dataclass(frozen=True)
class ProvenanceView(Result):
    """Where an item imported from a partner's package came from: the package, the partner's log,
    and whether it came in quarantine (its package failed verification at ``failed_step``)."""

    package_id: str
    partner_origin: str
    quarantined: bool
    failed_step: int | None
    imported_at: str


@dataclass(frozen=True)
class ExternalIdView(Result):
    """An identifier another body gave an item (``scheme`` names the numbering, such as ``ICC-ERN``)."""

    item_id: str
    scheme: str
    value: str
    assigned_by: str
    assigned_on: str | None
    id: str
    version: int
    created_at: str


@dataclass(frozen=True)
class EvidenceItem(Result):
    """An evidence item with its incident links, every assessment (oldest first), the latest per axis
    and its external identifiers by scheme. ``shown_name`` is the original name (kept byte for byte) as
    it may be displayed."""

    id: str
    case_id: str
    original_name: str
    sha256: str
    size: int
    media_type: str
    source_note: str | None
    ingested_at: str
    duplicate: bool
    shown_name: str
    incidents: tuple[EvidenceLinkView, ...]
    assessments: tuple[AssessmentView, ...]
    latest: dict[str, AssessmentView]
    external_ids: tuple[ExternalIdView, ...] = ()
    provenance: tuple[ProvenanceView, ...] = ()  # the partners' packages it was imported from


@dataclass(frozen=True)
class EvidenceListed(Result):
    """An evidence item as a case's list shows it, with how many incidents it is linked to."""

    id: str
    original_name: str
    media_type: str
    size: int
    sha256: str
    ingested_at: str
    duplicate: bool
    incidents: int
    shown_name: str


@dataclass(frozen=True)
class ItemName(Result):
    """An evidence item's name as shown."""

    id: str
    shown_name: str


@dataclass(frozen=True)
class FoundHit(Result):
    """A search hit: the record's ID, kind, case, title and dates, and its score (rounded)."""

    id: str
    kind: str
    case_id: str
    title: str
    occurred_from: str | None
    occurred_to: str | None
    score: float

    @classmethod
    def of(cls, hit: SearchHit, **details: Any) -> Self:
        """The hit as the search engine found it (:meth:`SearchHit.as_json`), with ``details``."""
        found = hit.as_json()
        return cls(
            id=hit.doc_id,
            kind=hit.kind,
            case_id=hit.case_id,
            title=hit.title,
            occurred_from=hit.occurred_from,
            occurred_to=hit.occurred_to,
            score=float(found["score"]),  # type: ignore[arg-type]
            **details,
        )


@dataclass(frozen=True)
class DescribedHit(FoundHit):
    """A search hit as a list shows it, with what tells it apart from another of the same title:
    an item's type and size, a source's address or reference and its date. Details of another kind
    are null."""

    media_type: str | None = None
    size: int | None = None
    url: str | None = None
    reference: str | None = None
    published_at: str | None = None


@dataclass(frozen=True)
class AreaOutline(Result):
    """One administrative area as a GeoJSON Feature: its code as ``id``, its simplified outline as
    ``geometry`` (a GeoJSON geometry object, nested coordinates), its code and name as properties."""

    type: str
    id: str
    geometry: dict[str, Any]
    properties: dict[str, str]


@dataclass(frozen=True)
class AreaOutlines(Result):
    """A GeoJSON FeatureCollection of areas, for drawing on a map.

    A type of its own rather than a dict: GeoJSON fixes the keys (``type``, ``features``), so the
    fields name them, and a geometry, whose shape varies with its type, stays the one plain value.
    """

    type: str
    features: tuple[AreaOutline, ...]


@dataclass(frozen=True)
class CrimeView(Result):
    """A crime of the taxonomy: its labels, articles, amendments and element IDs (its own, then its
    contexts')."""

    code: str
    family: str
    label: dict[str, str]
    articles: dict[str, str]
    amendments: dict[str, str]
    elements: tuple[str, ...]


@dataclass(frozen=True)
class TermView(Result):
    """A term of a controlled vocabulary, labelled in one language, with the crimes it suggests."""

    code: str
    label: str
    parent: str | None
    suggests: tuple[str, ...]


@dataclass(frozen=True)
class ChartCase(Result):
    id: str
    name: str


@dataclass(frozen=True)
class ChartElement(Result):
    """One element of a crime in the proof chart: the evidence for and against it."""

    id: str
    type: str
    text: str
    status: str
    applies: bool
    supporting: tuple[str, ...]
    independent_sources: int
    contradicting: tuple[str, ...]
    confidence: dict[str, int]


@dataclass(frozen=True)
class ChartCitation(Result):
    """One item cited on an element of the proof chart: from which incident, for or against it."""

    item_id: str
    incident_id: str
    stance: str
    confidence: str


@dataclass(frozen=True)
class ChartCrime(Result):
    """One crime qualified on the case's incidents, element by element, with its gaps."""

    code: str
    label: dict[str, str]
    articles: dict[str, str]
    incidents: int
    warnings: tuple[str, ...]
    gaps: tuple[str, ...]
    elements: tuple[ChartElement, ...]


@dataclass(frozen=True)
class ProofChartView(Result):
    """The proof chart as data, in the stable shape ``testament.proof-chart/1`` (docs/legal.md)."""

    schema: str
    case: ChartCase
    status: str
    crimes: tuple[ChartCrime, ...]


@dataclass(frozen=True)
class ElementText(Result):
    """An element of a crime: its ID, its type and its text."""

    id: str
    type: str
    text: str


@dataclass(frozen=True)
class CrimeDetail(Result):
    """A crime of the taxonomy with its contexts and every element, its contexts' included."""

    code: str
    family: str
    label: dict[str, str]
    articles: dict[str, str]
    amendments: dict[str, str]
    context: tuple[str, ...]
    elements: tuple[ElementText, ...]


# --- Where an item is used (documentation/item_uses.py) -----------------------------------------------


@dataclass(frozen=True)
class IncidentUse(Result):
    """An incident the item is linked to, with why it is relevant (``link_id``: the link's ID)."""

    link_id: str
    incident_id: str
    title: str
    relevance: str


@dataclass(frozen=True)
class ElementUse(Result):
    """An element of a crime qualified on an incident that the item supports or contradicts."""

    link_id: str
    incident_id: str
    incident_title: str
    crime_code: str
    crime_label: dict[str, str]
    element_id: str
    element_text: str
    stance: str
    confidence: str
    note: str


@dataclass(frozen=True)
class PackageUse(Result):
    """A package the item went into: its disclosure (log entry ``log_index``), for whom and what for;
    ``request_id`` is the sharing request it was built for, if it was asked for in the browser."""

    package_id: str
    log_index: int
    shared_at: str
    recipient: str
    recipient_class: str
    purpose: str
    request_id: str | None


@dataclass(frozen=True)
class ItemUses(Result):
    """Where an evidence item is used: its incidents, the legal elements it bears on, its packages."""

    item_id: str
    case: str
    incidents: tuple[IncidentUse, ...]
    elements: tuple[ElementUse, ...]
    packages: tuple[PackageUse, ...]


@dataclass(frozen=True)
class TagView(Result):
    """A live tag on an item or an incident."""

    id: str
    case_id: str
    target_kind: str
    target_id: str
    label: str
    folded: str
    version: int
    created_at: str


@dataclass(frozen=True)
class TagCount(Result):
    """A tag of a case and how many records carry it."""

    label: str
    folded: str
    records: int


@dataclass(frozen=True)
class TaggedRecord(Result):
    """An item or an incident that carries a tag: its kind, ID and name as shown."""

    kind: str
    id: str
    name: str


@dataclass(frozen=True)
class BulkOutcome(Result):
    """What a bulk action did, all of it in one transaction: the records it changed, and those it left
    as they were (already so)."""

    action: str
    kind: str
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]
