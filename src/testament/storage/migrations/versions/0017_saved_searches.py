"""Saved searches, and the incident facets the lists and search count (docs/search.md).

``incident_facet``, ``incident_facet_count`` and ``incident_facet_pair`` are derived data: ``testament init`` rebuilds the search
index (and them with it) after an upgrade. ``saved_search`` holds each user's named searches. The
relations of an incident are read both ways, so ``incident_relation.related_id`` gets an index.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incident_facet",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("facet", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("incident_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint(
            "case_id", "facet", "value", "incident_id", name=op.f("pk_incident_facet")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_incident_facet_incident_id", "incident_facet", ["incident_id", "facet", "value"]
    )
    op.create_table(
        "incident_facet_count",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("facet", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("case_id", "facet", "value", name=op.f("pk_incident_facet_count")),
    )
    op.create_table(
        "incident_facet_pair",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("facet", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=64), nullable=False),
        sa.Column("other_facet", sa.String(length=16), nullable=False),
        sa.Column("other_value", sa.String(length=64), nullable=False),
        sa.Column("incidents", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "case_id",
            "facet",
            "value",
            "other_facet",
            "other_value",
            name=op.f("pk_incident_facet_pair"),
        ),
    )
    op.create_table(
        "saved_search",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("facets", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_saved_search_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search")),
        sa.UniqueConstraint("user_id", "name", name="uq_saved_search_user_id_name"),
    )
    op.create_index("ix_incident_relation_related_id", "incident_relation", ["related_id"])


def downgrade() -> None:
    op.drop_index("ix_incident_relation_related_id", table_name="incident_relation")
    op.drop_table("saved_search")
    op.drop_table("incident_facet_pair")
    op.drop_table("incident_facet_count")
    op.drop_index("ix_incident_facet_incident_id", table_name="incident_facet")
    op.drop_table("incident_facet")
