"""Review and verification: states, assignments and comments on items and incidents.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    other = target.partition(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{other}"))


def upgrade() -> None:
    op.create_table(
        "review_state",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label_en", sa.Text(), nullable=False),
        sa.Column("label_uk", sa.Text(), nullable=False),
        sa.Column("second_person", sa.Boolean(), nullable=False),
        sa.Column("queued", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_review_state")),
    )
    op.create_table(
        "review_status",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("state_by", sa.Integer(), nullable=True),
        sa.Column("state_at", sa.String(length=32), nullable=True),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.String(length=32), nullable=True),
        _fk("review_status", "case_id", "case.id"),
        _fk("review_status", "state_by", "agent.id"),
        _fk("review_status", "assignee_id", "user_account.id"),
        sa.PrimaryKeyConstraint("kind", "target_id", name=op.f("pk_review_status")),
    )
    op.create_index("ix_review_status_assignee_id", "review_status", ["assignee_id"])
    op.create_index("ix_review_status_case_id_state", "review_status", ["case_id", "state"])
    op.create_table(
        "review_comment",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("target_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("salt", sa.LargeBinary(length=16), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        _fk("review_comment", "case_id", "case.id"),
        _fk("review_comment", "agent_id", "agent.id"),
        _fk("review_comment", "author_id", "user_account.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_comment")),
    )
    op.create_index("ix_review_comment_kind_target_id", "review_comment", ["kind", "target_id"])
    op.create_table(
        "review_mention",
        sa.Column("comment_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        _fk("review_mention", "comment_id", "review_comment.id"),
        _fk("review_mention", "user_id", "user_account.id"),
        sa.PrimaryKeyConstraint("comment_id", "user_id", name=op.f("pk_review_mention")),
    )
    op.create_index("ix_review_mention_user_id", "review_mention", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_review_mention_user_id", table_name="review_mention")
    op.drop_table("review_mention")
    op.drop_index("ix_review_comment_kind_target_id", table_name="review_comment")
    op.drop_table("review_comment")
    op.drop_index("ix_review_status_case_id_state", table_name="review_status")
    op.drop_index("ix_review_status_assignee_id", table_name="review_status")
    op.drop_table("review_status")
    op.drop_table("review_state")
