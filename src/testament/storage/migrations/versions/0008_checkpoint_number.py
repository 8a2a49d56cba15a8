"""Checkpoints are numbered 1, 2, 3, … in signing order, so that `testament verify` names one that was
removed from the middle of the history. Existing checkpoints are numbered by their tree size (every
checkpoint covers more entries than the one signed before it).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkpoint", schema=None) as batch_op:
        batch_op.add_column(sa.Column("number", sa.BigInteger(), nullable=True))
    op.execute(
        "UPDATE checkpoint SET number = "
        "(SELECT COUNT(*) FROM checkpoint AS earlier WHERE earlier.size <= checkpoint.size)"
    )
    with op.batch_alter_table("checkpoint", schema=None) as batch_op:
        batch_op.alter_column("number", existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_checkpoint_number"), ["number"])


def downgrade() -> None:
    with op.batch_alter_table("checkpoint", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_checkpoint_number"), type_="unique")
        batch_op.drop_column("number")
