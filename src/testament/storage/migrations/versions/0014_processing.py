"""Capture and processing: jobs, extractions, text, derivatives, perceptual hashes, web captures; on
PostgreSQL, procrastinate's queue (docs/processing.md).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    other = target.partition(".")[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f"fk_{table}_{column}_{other}"))


def _jobs() -> None:
    op.create_table(
        "processing_job",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("task", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=True),
        sa.Column("capture_id", sa.String(length=36), nullable=True),
        sa.Column("kinds", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.String(length=32), nullable=False),
        sa.Column("enqueued_at", sa.String(length=32), nullable=False),
        sa.Column("enqueued_by", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.String(length=32), nullable=True),
        sa.Column("finished_at", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("reason", sa.String(length=16), nullable=False),
        _fk("processing_job", "case_id", "case.id"),
        _fk("processing_job", "item_id", "evidence_item.id"),
        _fk("processing_job", "enqueued_by", "agent.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_processing_job")),
    )
    op.create_index("ix_processing_job_state_run_after", "processing_job", ["state", "run_after"])
    op.create_index("ix_processing_job_item_id", "processing_job", ["item_id"])
    op.create_index("ix_processing_job_case_id", "processing_job", ["case_id"])


def _results() -> None:
    op.create_table(
        "item_extraction",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("tool", sa.Text(), nullable=False),
        sa.Column("tool_version", sa.Text(), nullable=False),
        sa.Column("extractor_version", sa.Text(), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("result_sha256", sa.String(length=64), nullable=True),
        sa.Column("text_length", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("extracted_at", sa.String(length=32), nullable=False),
        _fk("item_extraction", "item_id", "evidence_item.id"),
        sa.PrimaryKeyConstraint("item_id", "kind", name=op.f("pk_item_extraction")),
    )
    op.create_table(
        "item_text",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("page", sa.Integer(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        _fk("item_text", "item_id", "evidence_item.id"),
        sa.PrimaryKeyConstraint("item_id", "seq", name=op.f("pk_item_text")),
    )
    op.create_table(
        "item_derivative",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("parent_id", sa.String(length=36), nullable=False),
        sa.Column("parent_sha256", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("tool", sa.Text(), nullable=False),
        sa.Column("tool_version", sa.Text(), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        _fk("item_derivative", "item_id", "evidence_item.id"),
        _fk("item_derivative", "parent_id", "evidence_item.id"),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_item_derivative")),
    )
    op.create_index("ix_item_derivative_parent_id", "item_derivative", ["parent_id"])
    op.create_table(
        "perceptual_hash",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("algorithm", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Float(), nullable=False),
        sa.Column("value", sa.LargeBinary(length=32), nullable=False),
        sa.Column("quality", sa.Integer(), nullable=False),
        _fk("perceptual_hash", "item_id", "evidence_item.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_perceptual_hash")),
    )
    op.create_index("ix_perceptual_hash_item_id", "perceptual_hash", ["item_id"])


def _captures() -> None:
    op.create_table(
        "web_capture",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("requested_url", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=False),
        sa.Column("requested_at", sa.String(length=32), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=True),
        sa.Column("final_url", sa.Text(), nullable=True),
        sa.Column("redirects", sa.Text(), nullable=True),
        sa.Column("started_at", sa.String(length=32), nullable=True),
        sa.Column("finished_at", sa.String(length=32), nullable=True),
        sa.Column("complete", sa.Boolean(), nullable=True),
        sa.Column("incomplete_reason", sa.Text(), nullable=True),
        sa.Column("http_status", sa.Integer(), nullable=True),
        sa.Column("tool", sa.Text(), nullable=True),
        sa.Column("tool_version", sa.Text(), nullable=True),
        sa.Column("user_agent", sa.Text(), nullable=True),
        _fk("web_capture", "case_id", "case.id"),
        _fk("web_capture", "requested_by", "agent.id"),
        _fk("web_capture", "item_id", "evidence_item.id"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_capture")),
    )
    op.create_index("ix_web_capture_case_id", "web_capture", ["case_id"])


def upgrade() -> None:
    _jobs()
    _results()
    _captures()
    if op.get_bind().dialect.name == "postgresql":
        from procrastinate.schema import SchemaManager  # noqa: PLC0415 - PostgreSQL only

        # procrastinate's queue, in the same database: a job is deferred in the same transaction as
        # the evidence it processes (testament.storage.jobs).
        # Sent as it is, unparsed: its functions hold '%' characters that are not placeholders.
        # A downgrade leaves the queue in place (jobs may be waiting in it), so it is made once.
        bind = op.get_bind()
        if bind.exec_driver_sql("SELECT to_regtype('procrastinate_job_status')").scalar():
            return
        raw = bind.connection.driver_connection
        if raw is None:  # pragma: no cover - an open connection always has its driver's
            raise RuntimeError("the database connection is closed")
        raw.execute(SchemaManager.get_schema())


def downgrade() -> None:
    for table in ("web_capture", "perceptual_hash", "item_derivative", "item_text"):
        op.drop_table(table)
    op.drop_table("item_extraction")
    op.drop_table("processing_job")
