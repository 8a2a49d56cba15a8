"""Processing: the job queue's own record, what extractors found, derivatives, perceptual hashes and
web captures (docs/processing.md).

``processing_job`` is the record of every job, on both back ends: the embedded SQLite default runs its
queue in process from this table; on PostgreSQL procrastinate's queue carries the same jobs (its
``procrastinate_*`` tables, created by migration 0014) and this table keeps their state for the UI.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from testament.storage.tables.base import metadata

processing_job = Table(
    "processing_job",
    metadata,
    Column("id", String(36), primary_key=True),
    # "process" (run the extractors on an item) or "capture" (preserve a web page).
    Column("task", String(16), nullable=False),
    Column("case_id", String(36), ForeignKey("case.id"), nullable=False),
    Column("item_id", String(36), ForeignKey("evidence_item.id")),
    Column("capture_id", String(36)),
    # JSON list of extractor kinds, or null: every kind that applies.
    Column("kinds", Text),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("run_after", String(32), nullable=False),
    Column("enqueued_at", String(32), nullable=False),
    Column("enqueued_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("started_at", String(32)),
    Column("finished_at", String(32)),
    Column("last_error", Text),
    Column("reason", String(16), nullable=False),
)
Index("ix_processing_job_state_run_after", processing_job.c.state, processing_job.c.run_after)
Index("ix_processing_job_item_id", processing_job.c.item_id)
Index("ix_processing_job_case_id", processing_job.c.case_id)

item_extraction = Table(
    "item_extraction",
    metadata,
    Column("item_id", String(36), ForeignKey("evidence_item.id"), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("tool", Text, nullable=False),
    Column("tool_version", Text, nullable=False),
    # The extractor's own version string (all the tools it may use), which decides whether an item
    # already processed by it needs processing again.
    Column("extractor_version", Text, nullable=False),
    Column("parameters", Text, nullable=False),
    # JSON: metadata, suggested location, observations; "" while failed.
    Column("result", Text, nullable=False),
    Column("result_sha256", String(64)),
    Column("text_length", Integer, nullable=False),
    Column("error", Text),
    Column("extracted_at", String(32), nullable=False),
)

item_text = Table(
    "item_text",
    metadata,
    Column("item_id", String(36), ForeignKey("evidence_item.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("location", Text, nullable=False),
    Column("page", Integer),
    Column("body", Text, nullable=False),
)

item_derivative = Table(
    "item_derivative",
    metadata,
    Column("item_id", String(36), ForeignKey("evidence_item.id"), primary_key=True),
    Column("parent_id", String(36), ForeignKey("evidence_item.id"), nullable=False),
    Column("parent_sha256", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("tool", Text, nullable=False),
    Column("tool_version", Text, nullable=False),
    Column("parameters", Text, nullable=False),
    Column("depth", Integer, nullable=False),
)
Index("ix_item_derivative_parent_id", item_derivative.c.parent_id)

perceptual_hash = Table(
    "perceptual_hash",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("item_id", String(36), ForeignKey("evidence_item.id"), nullable=False),
    Column("algorithm", String(16), nullable=False),
    Column("position", Float, nullable=False),
    Column("value", LargeBinary(32), nullable=False),
    Column("quality", Integer, nullable=False),
)
Index("ix_perceptual_hash_item_id", perceptual_hash.c.item_id)

web_capture = Table(
    "web_capture",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey("case.id"), nullable=False),
    Column("requested_url", Text, nullable=False),
    Column("requested_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("requested_at", String(32), nullable=False),
    # Set once the capture is stored: the WACZ's item and what the capture recorded (BP-06).
    Column("item_id", String(36), ForeignKey("evidence_item.id")),
    Column("final_url", Text),
    Column("redirects", Text),
    Column("started_at", String(32)),
    Column("finished_at", String(32)),
    Column("complete", Boolean),
    Column("incomplete_reason", Text),
    Column("http_status", Integer),
    Column("tool", Text),
    Column("tool_version", Text),
    Column("user_agent", Text),
)
Index("ix_web_capture_case_id", web_capture.c.case_id)
