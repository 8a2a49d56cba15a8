"""Requests to share an evidence package from the browser: asked by one person, approved or refused by
another, then built with its progress, downloadable a limited number of times (docs/packages.md).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "package_request",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("recipient_class", sa.String(length=48), nullable=False),
        sa.Column("purpose", sa.String(length=48), nullable=False),
        sa.Column("recipient", sa.Text(), nullable=False),
        sa.Column("selection", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.String(length=32), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), server_default="", nullable=False),
        sa.Column("package_id", sa.String(length=36), nullable=True),
        sa.Column("total", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("done", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("downloads_left", sa.Integer(), server_default="0", nullable=False),
        sa.Column("built_at", sa.String(length=32), nullable=True),
        sa.Column("people", sa.Text(), server_default="[]", nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_package_request_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["agent.id"], name=op.f("fk_package_request_requested_by_agent")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["agent.id"], name=op.f("fk_package_request_decided_by_agent")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_package_request")),
    )


def downgrade() -> None:
    op.drop_table("package_request")
