"""The documentation model: situations, incidents, people, units, sources, links, legal qualification,
record versions and administrative areas (docs/model.md).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_area",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("alt_names", sa.Text(), nullable=False),
        sa.Column("parent_code", sa.Text(), nullable=True),
        sa.Column("dataset", sa.Text(), nullable=False),
        sa.Column("geometry", sa.LargeBinary(), nullable=False),
        sa.Column("min_x", sa.Float(), nullable=False),
        sa.Column("min_y", sa.Float(), nullable=False),
        sa.Column("max_x", sa.Float(), nullable=False),
        sa.Column("max_y", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_area")),
        sa.UniqueConstraint("level", "code", name="uq_admin_area_level_code"),
    )
    op.create_table(
        "situation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("starts_on", sa.String(length=10), nullable=True),
        sa.Column("ends_on", sa.String(length=10), nullable=True),
        sa.Column("conflict", sa.String(length=32), nullable=False),
        sa.Column("amendments", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_situation")),
        sa.UniqueConstraint("name", name=op.f("uq_situation_name")),
    )
    op.create_table(
        "unit",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("country", sa.Text(), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["unit.id"], name=op.f("fk_unit_parent_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
    )
    op.create_table(
        "record_version",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=8), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("salt", sa.LargeBinary(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"], ["agent.id"], name=op.f("fk_record_version_agent_id_agent")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_version")),
        sa.UniqueConstraint("kind", "record_id", "version", name="uq_record_version_kind_record"),
        sa.UniqueConstraint("log_index", name=op.f("uq_record_version_log_index")),
    )
    op.create_table(
        "case_situation",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("situation_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_case_situation_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["situation_id"],
            ["situation.id"],
            name=op.f("fk_case_situation_situation_id_situation"),
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_case_situation")),
    )
    op.create_table(
        "incident",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("occurred_from", sa.String(length=32), nullable=True),
        sa.Column("occurred_to", sa.String(length=32), nullable=True),
        sa.Column("date_precision", sa.String(length=16), nullable=False),
        sa.Column("date_text", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("uncertainty_m", sa.Float(), nullable=True),
        sa.Column("place_text", sa.Text(), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("types", sa.Text(), nullable=False),
        sa.Column("targets", sa.Text(), nullable=False),
        sa.Column("weapons", sa.Text(), nullable=False),
        sa.Column("sensitivity", sa.Text(), nullable=False),
        sa.Column("unmapped", sa.Text(), nullable=False),
        sa.Column("external_ns", sa.Text(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["admin_area.id"], name=op.f("fk_incident_area_id_admin_area")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_incident_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
        sa.UniqueConstraint("case_id", "external_ns", "external_id", name="uq_incident_external"),
    )
    op.create_index("ix_incident_case_id", "incident", ["case_id"], unique=False)
    op.create_table(
        "person",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_person_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
    )
    op.create_index("ix_person_case_id", "person", ["case_id"], unique=False)
    op.create_table(
        "source",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("published_at", sa.String(length=32), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("external_ns", sa.Text(), nullable=True),
        sa.Column("external_id", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_source_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source")),
        sa.UniqueConstraint("case_id", "external_ns", "external_id", name="uq_source_external"),
    )
    op.create_index("ix_source_case_id", "source", ["case_id"], unique=False)
    op.create_table(
        "assessment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("axis", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("analyst_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["analyst_id"], ["agent.id"], name=op.f("fk_assessment_analyst_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["evidence_item.id"], name=op.f("fk_assessment_item_id_evidence_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
    )
    op.create_index("ix_assessment_item_id", "assessment", ["item_id"], unique=False)
    op.create_table(
        "casualty",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("qualifier", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_casualty_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_casualty_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casualty")),
    )
    op.create_index("ix_casualty_incident_id", "casualty", ["incident_id"], unique=False)
    op.create_table(
        "element_link",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("crime_code", sa.String(length=32), nullable=False),
        sa.Column("element_id", sa.String(length=48), nullable=False),
        sa.Column("stance", sa.String(length=16), nullable=False),
        sa.Column("confidence", sa.String(length=16), nullable=False),
        sa.Column("analyst_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["analyst_id"], ["agent.id"], name=op.f("fk_element_link_analyst_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_element_link_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["evidence_item.id"], name=op.f("fk_element_link_item_id_evidence_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_element_link")),
    )
    op.create_index("ix_element_link_incident_id", "element_link", ["incident_id"], unique=False)
    op.create_table(
        "incident_area",
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["admin_area.id"], name=op.f("fk_incident_area_area_id_admin_area")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_area_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("incident_id", "area_id", name=op.f("pk_incident_area")),
    )
    op.create_index("ix_incident_area_area_id", "incident_area", ["area_id"], unique=False)
    op.create_table(
        "incident_relation",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("related_id", sa.String(length=36), nullable=False),
        sa.Column("relation", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_relation_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["related_id"], ["incident.id"], name=op.f("fk_incident_relation_related_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_relation")),
    )
    op.create_index(
        "ix_incident_relation_incident_id", "incident_relation", ["incident_id"], unique=False
    )
    op.create_table(
        "incident_source",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_source_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_incident_source_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_source")),
    )
    op.create_index(
        "ix_incident_source_incident_id", "incident_source", ["incident_id"], unique=False
    )
    op.create_index("ix_incident_source_source_id", "incident_source", ["source_id"], unique=False)
    op.create_table(
        "item_incident",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=True),
        sa.Column("relevance", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_item_incident_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["evidence_item.id"], name=op.f("fk_item_incident_item_id_evidence_item")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["source.id"], name=op.f("fk_item_incident_source_id_source")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_incident")),
    )
    op.create_index("ix_item_incident_incident_id", "item_incident", ["incident_id"], unique=False)
    op.create_index("ix_item_incident_item_id", "item_incident", ["item_id"], unique=False)
    op.create_table(
        "person_role",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_person_role_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_person_role_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person_role")),
    )
    op.create_index("ix_person_role_incident_id", "person_role", ["incident_id"], unique=False)
    op.create_index("ix_person_role_person_id", "person_role", ["person_id"], unique=False)
    op.create_table(
        "qualification",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("crime_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("analyst_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["analyst_id"], ["agent.id"], name=op.f("fk_qualification_analyst_id_agent")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_qualification_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualification")),
    )
    op.create_index("ix_qualification_incident_id", "qualification", ["incident_id"], unique=False)
    op.create_table(
        "unit_commander",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("rank", sa.Text(), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=True),
        sa.Column("from_date", sa.String(length=10), nullable=True),
        sa.Column("to_date", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_unit_commander_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_unit_commander_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_commander")),
    )
    op.create_index("ix_unit_commander_unit_id", "unit_commander", ["unit_id"], unique=False)
    op.create_table(
        "unit_involvement",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.String(length=36), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.Column("degree", sa.String(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_unit_involvement_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_unit_involvement_unit_id_unit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_involvement")),
    )
    op.create_index(
        "ix_unit_involvement_incident_id", "unit_involvement", ["incident_id"], unique=False
    )
    op.create_index("ix_unit_involvement_unit_id", "unit_involvement", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_unit_involvement_unit_id", table_name="unit_involvement")
    op.drop_index("ix_unit_involvement_incident_id", table_name="unit_involvement")
    op.drop_table("unit_involvement")
    op.drop_index("ix_unit_commander_unit_id", table_name="unit_commander")
    op.drop_table("unit_commander")
    op.drop_index("ix_qualification_incident_id", table_name="qualification")
    op.drop_table("qualification")
    op.drop_index("ix_person_role_person_id", table_name="person_role")
    op.drop_index("ix_person_role_incident_id", table_name="person_role")
    op.drop_table("person_role")
    op.drop_index("ix_item_incident_item_id", table_name="item_incident")
    op.drop_index("ix_item_incident_incident_id", table_name="item_incident")
    op.drop_table("item_incident")
    op.drop_index("ix_incident_source_source_id", table_name="incident_source")
    op.drop_index("ix_incident_source_incident_id", table_name="incident_source")
    op.drop_table("incident_source")
    op.drop_index("ix_incident_relation_incident_id", table_name="incident_relation")
    op.drop_table("incident_relation")
    op.drop_index("ix_incident_area_area_id", table_name="incident_area")
    op.drop_table("incident_area")
    op.drop_index("ix_element_link_incident_id", table_name="element_link")
    op.drop_table("element_link")
    op.drop_index("ix_casualty_incident_id", table_name="casualty")
    op.drop_table("casualty")
    op.drop_index("ix_assessment_item_id", table_name="assessment")
    op.drop_table("assessment")
    op.drop_index("ix_source_case_id", table_name="source")
    op.drop_table("source")
    op.drop_index("ix_person_case_id", table_name="person")
    op.drop_table("person")
    op.drop_index("ix_incident_case_id", table_name="incident")
    op.drop_table("incident")
    op.drop_table("case_situation")
    op.drop_table("record_version")
    op.drop_table("unit")
    op.drop_table("situation")
    op.drop_table("admin_area")
