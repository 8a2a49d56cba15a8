"""The spine: instance, agents, cases, evidence items, custody events and the custody log.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instance",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("instance_id", sa.String(36), nullable=False),
        sa.Column("log_origin", sa.Text(), nullable=False),
        sa.Column("vault_key_id", sa.String(64)),
        sa.Column("signing_key_id", sa.String(8), nullable=False),
        sa.Column("verifier_key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_instance"),
    )
    op.create_table(
        "agent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("record_salt", sa.LargeBinary(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agent"),
        sa.UniqueConstraint("kind", "name", name="uq_agent_kind_name"),
    )
    op.create_table(
        "case",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=False),
        sa.Column("record_salt", sa.LargeBinary(16), nullable=False),
        sa.ForeignKeyConstraint(["created_by"], ["agent.id"], name="fk_case_created_by_agent"),
        sa.PrimaryKeyConstraint("id", name="pk_case"),
        sa.UniqueConstraint("name", name="uq_case_name"),
    )
    op.create_table(
        "evidence_item",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("original_name", sa.Text(), nullable=False),
        sa.Column("source_path", sa.Text(), nullable=False),
        sa.Column("mtime", sa.String(32), nullable=False),
        sa.Column("media_type", sa.Text(), nullable=False),
        sa.Column("source_note", sa.Text()),
        sa.Column("ingested_by", sa.Integer(), nullable=False),
        sa.Column("ingested_at", sa.String(32), nullable=False),
        sa.Column("duplicate", sa.Boolean(), nullable=False),
        sa.Column("record_salt", sa.LargeBinary(16), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name="fk_evidence_item_case_id_case"),
        sa.ForeignKeyConstraint(
            ["ingested_by"], ["agent.id"], name="fk_evidence_item_ingested_by_agent"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_item"),
        sa.UniqueConstraint(
            "case_id", "sha256", "source_path", name="uq_evidence_item_acquisition"
        ),
    )
    op.create_index("ix_evidence_item_sha256", "evidence_item", ["sha256"])
    op.create_table(
        "custody_event",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("log_index", sa.BigInteger(), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("occurred_at", sa.String(32), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(36)),
        sa.Column("item_id", sa.String(36)),
        sa.Column("sha256", sa.String(64)),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("record", sa.String(64)),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"], name="fk_custody_event_agent_id_agent"),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"], name="fk_custody_event_case_id_case"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["evidence_item.id"], name="fk_custody_event_item_id_evidence_item"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_custody_event"),
        sa.UniqueConstraint("log_index", name="uq_custody_event_log_index"),
    )
    op.create_index("ix_custody_event_item_id", "custody_event", ["item_id"])
    op.create_table(
        "log_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_log_state"),
    )
    op.create_table(
        "log_entry",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("idx", name="pk_log_entry"),
    )
    op.create_table(
        "log_node",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(32), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_log_node"),
    )
    op.create_table(
        "checkpoint",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.String(32), nullable=False),
        sa.PrimaryKeyConstraint("size", name="pk_checkpoint"),
    )


def downgrade() -> None:
    for table in (
        "checkpoint",
        "log_node",
        "log_entry",
        "log_state",
        "custody_event",
        "evidence_item",
        "case",
        "agent",
        "instance",
    ):
        op.drop_table(table)
