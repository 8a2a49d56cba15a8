"""The documentation: incidents and the areas they lie in, sources, casualties, people and their roles,
units, the links between them and to evidence items, assessments, the identifiers others gave items
(migration 0011) and legal qualifications (migration 0002 and later; each a versioned record,
:mod:`testament.storage.tables.base`), the gazetteer's administrative areas, and the search index's
documents.

Search (migration 0003) is derived data: `testament search reindex` rebuilds it from the tables above
(docs/search.md). The full-text table itself, ``search_text``, differs between the databases (an FTS5
virtual table on SQLite, a tsvector table with a GIN index on PostgreSQL), so migration 0003 creates it
and it is not declared here.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from testament.storage.tables.base import case_ref, metadata, versioned

admin_area = Table(
    "admin_area",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("level", Integer, nullable=False),
    Column("code", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("alt_names", Text, nullable=False),
    Column("parent_code", Text),
    Column("dataset", Text, nullable=False),
    Column("geometry", LargeBinary, nullable=False),
    Column("min_x", Float, nullable=False),
    Column("min_y", Float, nullable=False),
    Column("max_x", Float, nullable=False),
    Column("max_y", Float, nullable=False),
    # Migration 0019: the situation an area belongs to; none for an area every case shares.
    Column("situation_id", String(36), ForeignKey("situation.id")),
)
# Unique by (situation, level, code); a shared area (no situation) by (level, code).
Index(
    "uq_admin_area_situation_level_code",
    admin_area.c.situation_id,
    admin_area.c.level,
    admin_area.c.code,
    unique=True,
)
Index(
    "uq_admin_area_shared_level_code",
    admin_area.c.level,
    admin_area.c.code,
    unique=True,
    sqlite_where=admin_area.c.situation_id.is_(None),
    postgresql_where=admin_area.c.situation_id.is_(None),
)

incident = versioned(
    "incident",
    case_ref(),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("occurred_from", String(32)),
    Column("occurred_to", String(32)),
    Column("date_precision", String(16), nullable=False),
    Column("date_text", Text, nullable=False),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("uncertainty_m", Float),
    Column("place_text", Text, nullable=False),
    Column("area_id", Integer, ForeignKey("admin_area.id")),
    Column("status", String(32), nullable=False),
    Column("types", Text, nullable=False),
    Column("targets", Text, nullable=False),
    Column("weapons", Text, nullable=False),
    Column("sensitivity", Text, nullable=False),
    Column("unmapped", Text, nullable=False),
    Column("external_ns", Text),
    Column("external_id", Text),
    UniqueConstraint("case_id", "external_ns", "external_id", name="uq_incident_external"),
)
Index("ix_incident_case_id", incident.c.case_id)
# A case's incidents in date order: the list pages and the API's list read them this way.
Index("ix_incident_case_occurred", incident.c.case_id, incident.c.occurred_from, incident.c.id)
# A case's incidents by position: the map's view of a box, and its clusters, read only this index.
Index(
    "ix_incident_case_position",
    incident.c.case_id,
    incident.c.longitude,
    incident.c.latitude,
    incident.c.deleted_at,
)

# Areas an incident lies in: derived (point-in-polygon, or the area given), recomputed, not versioned.
incident_area = Table(
    "incident_area",
    metadata,
    Column("incident_id", String(36), ForeignKey("incident.id"), primary_key=True),
    Column("area_id", Integer, ForeignKey("admin_area.id"), primary_key=True),
    Column("method", String(16), nullable=False),
)
Index("ix_incident_area_area_id", incident_area.c.area_id)

source = versioned(
    "source",
    case_ref(),
    Column("kind", String(32), nullable=False),
    Column("title", Text, nullable=False),
    Column("url", Text),
    Column("reference", Text, nullable=False),
    Column("published_at", String(32)),
    Column("description", Text, nullable=False),
    Column("external_ns", Text),
    Column("external_id", Text),
    UniqueConstraint("case_id", "external_ns", "external_id", name="uq_source_external"),
)
Index("ix_source_case_id", source.c.case_id)

casualty = versioned(
    "casualty",
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("category", String(32), nullable=False),
    Column("count", Integer, nullable=False),
    Column("qualifier", String(16), nullable=False),
    Column("source_id", String(36), ForeignKey("source.id")),
    Column("note", Text, nullable=False),
)
Index("ix_casualty_incident_id", casualty.c.incident_id)

incident_relation = versioned(
    "incident_relation",
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("related_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("relation", String(32), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_incident_relation_incident_id", incident_relation.c.incident_id)

person = versioned(
    "person",
    case_ref(),
    Column("label", Text, nullable=False),
    Column("description", Text, nullable=False),
)
Index("ix_person_case_id", person.c.case_id)

person_role = versioned(
    "person_role",
    Column("person_id", String(36), ForeignKey("person.id"), nullable=False),
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("role", String(32), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_person_role_incident_id", person_role.c.incident_id)
Index("ix_person_role_person_id", person_role.c.person_id)

unit = versioned(
    "unit",
    Column("name", Text, nullable=False),
    Column("parent_id", String(36), ForeignKey("unit.id")),
    Column("kind", Text, nullable=False),
    Column("country", Text, nullable=False),
    Column("aliases", Text, nullable=False),
    Column("description", Text, nullable=False),
)

unit_commander = versioned(
    "unit_commander",
    Column("unit_id", String(36), ForeignKey("unit.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("rank", Text, nullable=False),
    Column("person_id", String(36), ForeignKey("person.id")),
    Column("from_date", String(10)),
    Column("to_date", String(10)),
    Column("note", Text, nullable=False),
)
Index("ix_unit_commander_unit_id", unit_commander.c.unit_id)

# Where a unit was, and when (migration 0015): in an administrative area, or within ``radius_m``
# metres of a point; either end of the period may be unknown. A removal keeps its reason.
unit_placement = versioned(
    "unit_placement",
    Column("unit_id", String(36), ForeignKey("unit.id"), nullable=False),
    Column("area_id", Integer, ForeignKey("admin_area.id")),
    Column("latitude", Float),
    Column("longitude", Float),
    Column("radius_m", Float),
    Column("from_date", String(10)),
    Column("to_date", String(10)),
    Column("note", Text, nullable=False),
    Column("source_text", Text, nullable=False),
    Column("removal_reason", Text),
)
Index("ix_unit_placement_unit_id", unit_placement.c.unit_id)

unit_involvement = versioned(
    "unit_involvement",
    Column("unit_id", String(36), ForeignKey("unit.id"), nullable=False),
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("degree", String(32), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_unit_involvement_incident_id", unit_involvement.c.incident_id)
Index("ix_unit_involvement_unit_id", unit_involvement.c.unit_id)

incident_source = versioned(
    "incident_source",
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("source_id", String(36), ForeignKey("source.id"), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_incident_source_incident_id", incident_source.c.incident_id)
Index("ix_incident_source_source_id", incident_source.c.source_id)

item_incident = versioned(
    "item_incident",
    Column("item_id", String(36), ForeignKey("evidence_item.id"), nullable=False),
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("source_id", String(36), ForeignKey("source.id")),
    Column("relevance", Text, nullable=False),
)
Index("ix_item_incident_incident_id", item_incident.c.incident_id)
Index("ix_item_incident_item_id", item_incident.c.item_id)

assessment = versioned(
    "assessment",
    Column("item_id", String(36), ForeignKey("evidence_item.id"), nullable=False),
    Column("axis", String(16), nullable=False),
    Column("status", String(32), nullable=False),
    Column("method", Text, nullable=False),
    Column("analyst_id", Integer, ForeignKey("agent.id"), nullable=False),
    Column("assessed_on", String(10), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_assessment_item_id", assessment.c.item_id)

# Identifiers others gave an item (an ICC Evidence Registration Number, ECP-01, ECP-04): at most one
# live identifier per scheme and item, which a partial unique index holds on both databases.
item_external_id = versioned(
    "item_external_id",
    Column("item_id", String(36), ForeignKey("evidence_item.id"), nullable=False),
    Column("scheme", String(32), nullable=False),
    Column("value", Text, nullable=False),
    Column("assigned_by", Text, nullable=False),
    Column("assigned_on", String(10)),
)
Index(
    "uq_item_external_id_item_scheme",
    item_external_id.c.item_id,
    item_external_id.c.scheme,
    unique=True,
    sqlite_where=item_external_id.c.deleted_at.is_(None),
    postgresql_where=item_external_id.c.deleted_at.is_(None),
)

qualification = versioned(
    "qualification",
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("crime_code", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("analyst_id", Integer, ForeignKey("agent.id"), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_qualification_incident_id", qualification.c.incident_id)

element_link = versioned(
    "element_link",
    Column("item_id", String(36), ForeignKey("evidence_item.id"), nullable=False),
    Column("incident_id", String(36), ForeignKey("incident.id"), nullable=False),
    Column("crime_code", String(32), nullable=False),
    Column("element_id", String(48), nullable=False),
    Column("stance", String(16), nullable=False),
    Column("confidence", String(16), nullable=False),
    Column("analyst_id", Integer, ForeignKey("agent.id"), nullable=False),
    Column("note", Text, nullable=False),
)
Index("ix_element_link_incident_id", element_link.c.incident_id)


search_document = Table(
    "search_document",
    metadata,
    # Assigned in insertion order: the full-text table's row ID, and the "newest" that ranking caps on.
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    ),
    Column("kind", String(16), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("title", Text, nullable=False),
    Column("occurred_from", String(32)),
    Column("occurred_to", String(32)),
    UniqueConstraint("kind", "record_id", name="uq_search_document_kind_record"),
)
