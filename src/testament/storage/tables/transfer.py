"""Transfer: approvals for disclosing identities in an export, and requests to share a package."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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

# A request to share an evidence package, made in the browser: one person asks, a different person
# approves or refuses, and only then is the package built (docs/packages.md, "Sharing from the browser").
package_request = Table(
    "package_request",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey("case.id"), nullable=False),
    Column("recipient_class", String(48), nullable=False),
    Column("purpose", String(48), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("selection", Text, nullable=False),  # JSON: {"items": [...], "incidents": [...]}
    Column("state", String(16), nullable=False),  # requested approved refused building ready failed
    Column("requested_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("requested_at", String(32), nullable=False),
    Column("decided_by", Integer, ForeignKey("agent.id")),
    Column("decided_at", String(32)),
    Column("reason", Text, nullable=False, server_default=""),
    Column("package_id", String(36)),
    Column("total", BigInteger, nullable=False, server_default="0"),
    Column("done", BigInteger, nullable=False, server_default="0"),
    Column("downloads_left", Integer, nullable=False, server_default="0"),
    Column("built_at", String(32)),
    Column("people", Text, nullable=False, server_default="[]"),  # whose consent the package used
)
