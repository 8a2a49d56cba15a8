"""Tags on items and incidents, set one by one or in bulk.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "record_tag",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("target_kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("label", sa.Text(), nullable=False),
        sa.Column("folded", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.Column("deleted_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name=op.f("fk_record_tag_case_id_case")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_tag")),
    )
    op.create_index("ix_record_tag_target_id", "record_tag", ["target_id"], unique=False)
    op.create_index(
        "ix_record_tag_case_id_folded", "record_tag", ["case_id", "folded"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_record_tag_case_id_folded", table_name="record_tag")
    op.drop_index("ix_record_tag_target_id", table_name="record_tag")
    op.drop_table("record_tag")
