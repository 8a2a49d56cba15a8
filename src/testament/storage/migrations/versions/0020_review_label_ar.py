"""An Arabic label for each review state an organisation defines, beside the English and Ukrainian.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("review_state") as batch:
        batch.add_column(sa.Column("label_ar", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("review_state") as batch:
        batch.drop_column("label_ar")
