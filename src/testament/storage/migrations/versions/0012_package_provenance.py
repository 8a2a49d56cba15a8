"""Where an imported evidence item came from: the partner's package, its checkpoint and key, and the
partner's custody entries about the item with their proofs, referenced and never merged into this log
(docs/packages.md, "Importing a partner's package").

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "package_provenance",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("package_id", sa.Text(), nullable=False),
        sa.Column("partner_origin", sa.Text(), nullable=False),
        sa.Column("partner_key", sa.Text(), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=False),
        sa.Column("entries", sa.Text(), nullable=False),
        sa.Column("proofs", sa.Text(), nullable=False),
        sa.Column("quarantined", sa.Boolean(), nullable=False),
        sa.Column("failed_step", sa.Integer(), nullable=True),
        sa.Column("imported_at", sa.String(length=32), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by"], ["agent.id"], name=op.f("fk_package_provenance_imported_by_agent")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["evidence_item.id"],
            name=op.f("fk_package_provenance_item_id_evidence_item"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_provenance")),
    )
    with op.batch_alter_table("package_provenance") as batch:
        batch.create_index("ix_package_provenance_item_id", ["item_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("package_provenance") as batch:
        batch.drop_index("ix_package_provenance_item_id")
    op.drop_table("package_provenance")
