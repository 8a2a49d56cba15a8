"""What showing and listing incidents, sources, units and people answers (``testament.domain.results``).

A view's fields are its JSON keys, in the order the API answers them: a record's stored fields (its
table's columns, as :func:`testament.custody.history.snapshot` reads them), its ``id``, ``version`` and
``updated_at``, then what is linked to it. Each record kind's declaration
(:mod:`testament.documentation.kinds`) names its view and its list row, and refuses, at import, a view
that lacks one of the kind's stored fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from testament.domain.results import Result

R = TypeVar("R", bound=Result)

# --- Links, as each record lists them -----------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceLink(Result):
    """An evidence item linked to an incident (optionally through a source), with the item's names."""

    id: str
    item_id: str
    incident_id: str
    source_id: str | None
    relevance: str
    version: int
    updated_at: str
    original_name: str | None
    shown_name: str | None
    media_type: str | None
    size: int | None


@dataclass(frozen=True)
class SourceIncident(Result):
    """An incident a source reports on, with the incident's title."""

    id: str
    incident_id: str
    source_id: str
    note: str
    version: int
    updated_at: str
    incident_title: str


@dataclass(frozen=True)
class IncidentSource(Result):
    id: str
    incident_id: str
    source_id: str
    note: str
    version: int
    updated_at: str


@dataclass(frozen=True)
class Area(Result):
    """An administrative area an incident lies in, and how that was found (``point`` or ``given``)."""

    id: int
    level: int
    name: str
    method: str


@dataclass(frozen=True)
class Casualty(Result):
    id: str
    incident_id: str
    category: str
    count: int
    qualifier: str
    source_id: str | None
    note: str
    version: int
    updated_at: str


@dataclass(frozen=True)
class Relation(Result):
    id: str
    incident_id: str
    related_id: str
    relation: str
    note: str
    version: int
    updated_at: str


@dataclass(frozen=True)
class IncidentRole(Result):
    """A role someone holds in an incident, as the incident lists it."""

    id: str
    person_id: str
    incident_id: str
    role: str
    note: str
    version: int
    updated_at: str


@dataclass(frozen=True)
class IncidentUnit(Result):
    """A unit's involvement, as the incident lists it."""

    id: str
    unit_id: str
    incident_id: str
    degree: str
    note: str
    version: int
    updated_at: str


@dataclass(frozen=True)
class Qualification(Result):
    id: str
    incident_id: str
    crime_code: str
    status: str
    analyst_id: int
    note: str
    version: int
    updated_at: str


@dataclass(frozen=True)
class PersonRole(Result):
    """A role a person holds, as the person lists it (a version's order: fields, then ``id``)."""

    person_id: str
    incident_id: str
    role: str
    note: str
    id: str
    version: int
    updated_at: str


@dataclass(frozen=True)
class UnitRef(Result):
    id: str
    name: str


@dataclass(frozen=True)
class Commander(Result):
    unit_id: str
    name: str
    rank: str
    person_id: str | None
    from_date: str | None
    to_date: str | None
    note: str
    id: str
    version: int
    updated_at: str


@dataclass(frozen=True)
class Placement(Result):
    """Where a unit was, and when: an area (code, name, level) or a radius around a point."""

    unit_id: str
    area_code: str | None
    area_name: str | None
    area_level: int | None
    latitude: float | None
    longitude: float | None
    radius_m: float | None
    from_date: str | None
    to_date: str | None
    note: str
    source_text: str
    id: str
    version: int
    updated_at: str


@dataclass(frozen=True)
class Involvement(Result):
    """A unit's involvement in an incident, as the unit lists it."""

    unit_id: str
    incident_id: str
    degree: str
    note: str
    id: str
    version: int
    updated_at: str


# --- The records --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceView(Result):
    """A source, the incidents it reports on, and the evidence links that cite it."""

    case_id: str
    kind: str
    title: str
    url: str | None
    reference: str
    published_at: str | None
    description: str
    external_ns: str | None
    external_id: str | None
    id: str
    version: int
    updated_at: str
    incidents: list[SourceIncident]
    evidence: list[EvidenceLink]


@dataclass(frozen=True)
class SourceListed(Result):
    id: str
    kind: str
    title: str
    url: str | None
    published_at: str | None
    version: int


@dataclass(frozen=True)
class PersonView(Result):
    """A person (by label) with the live roles they hold, oldest first."""

    case_id: str
    label: str
    description: str
    id: str
    version: int
    updated_at: str
    roles: list[PersonRole]


@dataclass(frozen=True)
class PersonListed(Result):
    id: str
    label: str
    version: int


@dataclass(frozen=True)
class UnitView(Result):
    """A unit with its parent, sub-units, commanders (by start date) and involvements."""

    name: str
    parent_id: str | None
    kind: str
    country: str
    aliases: list[dict[str, str]]
    description: str
    id: str
    version: int
    updated_at: str
    parent: UnitRef | None
    units: list[UnitRef]
    commanders: list[Commander]
    incidents: list[Involvement]


@dataclass(frozen=True)
class UnitListed(Result):
    id: str
    name: str
    parent_id: str | None
    kind: str
    country: str
    aliases: list[dict[str, str]]


@dataclass(frozen=True)
class IncidentView(Result):
    """An incident with everything linked to it (areas, casualties, people, units, sources, evidence)."""

    case_id: str
    title: str
    description: str
    occurred_from: str | None
    occurred_to: str | None
    date_precision: str
    date_text: str
    latitude: float | None
    longitude: float | None
    uncertainty_m: float | None
    place_text: str
    area_id: int | None
    status: str
    types: list[str]
    targets: list[str]
    weapons: list[str]
    sensitivity: list[str]
    unmapped: dict[str, list[str]]
    external_ns: str | None
    external_id: str | None
    id: str
    version: int
    updated_at: str
    areas: list[Area]
    warnings: list[str]
    casualties: list[Casualty]
    relations: list[Relation]
    roles: list[IncidentRole]
    units: list[IncidentUnit]
    sources: list[IncidentSource]
    evidence: list[EvidenceLink]
    qualifications: list[Qualification]


@dataclass(frozen=True)
class IncidentListed(Result):
    id: str
    title: str
    occurred_from: str | None
    occurred_to: str | None
    date_precision: str
    status: str
    place_text: str
    latitude: float | None
    longitude: float | None
    sensitivity: list[str]


def made(kind: type[R], data: Mapping[str, Any], **more: Any) -> R:
    """A view or link from a row's mapping and ``more``: its own fields (other keys left out)."""
    values = {**data, **more}
    return kind(**{name: values[name] for name in kind.__dataclass_fields__})
