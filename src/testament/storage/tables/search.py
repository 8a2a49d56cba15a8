"""Search helpers that are not the full-text index (migration 0017, docs/search.md):

* ``incident_facet``: derived data, one row per live incident and facet value (its type, target,
  weapon, area, status, and each year it spans), kept in step with the search index by the same
  writers and rebuilt with it. Clustered by case, facet and value so that a value's incidents are one
  range of the index. Only vocabulary codes, area IDs and years: nothing personal.
* ``incident_facet_count``: how many live incidents of a case have each facet value, kept with
  ``incident_facet``, so that the unfiltered list reads its counts without counting.
* ``incident_facet_pair``: how many live incidents of a case have both of two facet values (each pair
  both ways round), so that a list narrowed by one value reads the other facets' counts the same way.
* ``saved_search``: a user's named search (the words and the facets chosen), seen only by its owner.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from testament.storage.tables.base import metadata
from testament.storage.tables.documentation import incident_relation

# An incident's relations are shown both ways: the incidents it names and those that name it.
Index("ix_incident_relation_related_id", incident_relation.c.related_id)

incident_facet = Table(
    "incident_facet",
    metadata,
    Column("case_id", String(36), nullable=False),
    Column("facet", String(16), nullable=False),
    Column("value", String(64), nullable=False),
    Column("incident_id", String(36), nullable=False),
    PrimaryKeyConstraint("case_id", "facet", "value", "incident_id"),
    sqlite_with_rowid=False,
)
Index(
    "ix_incident_facet_incident_id",
    incident_facet.c.incident_id,
    incident_facet.c.facet,
    incident_facet.c.value,
)

incident_facet_count = Table(
    "incident_facet_count",
    metadata,
    Column("case_id", String(36), nullable=False),
    Column("facet", String(16), nullable=False),
    Column("value", String(64), nullable=False),
    Column("incidents", Integer, nullable=False),
    PrimaryKeyConstraint("case_id", "facet", "value"),
)

incident_facet_pair = Table(
    "incident_facet_pair",
    metadata,
    Column("case_id", String(36), nullable=False),
    Column("facet", String(16), nullable=False),
    Column("value", String(64), nullable=False),
    Column("other_facet", String(16), nullable=False),
    Column("other_value", String(64), nullable=False),
    Column("incidents", Integer, nullable=False),
    PrimaryKeyConstraint("case_id", "facet", "value", "other_facet", "other_value"),
)

saved_search = Table(
    "saved_search",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("query", Text, nullable=False),
    Column("facets", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    UniqueConstraint("user_id", "name", name="uq_saved_search_user_id_name"),
)
