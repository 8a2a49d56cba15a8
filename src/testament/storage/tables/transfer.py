"""Transfer: approvals for disclosing identities in an export."""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
)

from testament.storage.tables.base import metadata

# De-redacting identities in an export needs two different people: one asks, another approves (MC-06).
disclosure_approval = Table(
    "disclosure_approval",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey("case.id"), nullable=False),
    Column("recipient_class", String(48), nullable=False),
    Column("purpose", String(48), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("requested_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("requested_at", String(32), nullable=False),
    Column("approved_by", Integer, ForeignKey("agent.id")),
    Column("approved_at", String(32)),
    Column("used_at", String(32)),
)
