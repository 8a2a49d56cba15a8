"""What a testimony is held for names its recipient class too, so consent is asked for both; requests
from documenters with no role on the case holding a matched person (docs/survivors.md).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("testimony") as batch:
        batch.add_column(
            sa.Column("intended_recipient", sa.String(length=48), server_default="", nullable=False)
        )
    op.create_table(
        "registry_request",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("person_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("asked_by", sa.Integer(), nullable=False),
        sa.Column("asked_at", sa.String(length=32), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["asked_by"],
            ["user_account.id"],
            name=op.f("fk_registry_request_asked_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case.id"], name=op.f("fk_registry_request_case_id_case")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["user_account.id"],
            name=op.f("fk_registry_request_decided_by_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_registry_request_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registry_request")),
    )
    with op.batch_alter_table("registry_request") as batch:
        batch.create_index("ix_registry_request_case_id", ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("registry_request") as batch:
        batch.drop_index("ix_registry_request_case_id")
    op.drop_table("registry_request")
    with op.batch_alter_table("testimony") as batch:
        batch.drop_column("intended_recipient")
