"""Unit placements: where a unit was (an administrative area, or a radius around a point) and when.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _fk(column: str, target: str) -> sa.ForeignKeyConstraint:
    other = target.partition(".")[0]
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_unit_placement_{column}_{other}")
    )


def upgrade() -> None:
    op.create_table(
        "unit_placement",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.String(length=36), nullable=False),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("radius_m", sa.Float(), nullable=True),
        sa.Column("from_date", sa.String(length=10), nullable=True),
        sa.Column("to_date", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        _fk("unit_id", "unit.id"),
        _fk("area_id", "admin_area.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_placement")),
    )
    op.create_index("ix_unit_placement_unit_id", "unit_placement", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_unit_placement_unit_id", table_name="unit_placement")
    op.drop_table("unit_placement")
