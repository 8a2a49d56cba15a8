"""Packages: where an imported evidence item came from (a partner's evidence package).

The partner's custody log is referenced, never merged: each row keeps the package's signed checkpoint,
the partner's verifier key, and the partner's own custody entries about the item with their inclusion
proofs, exactly as the package held them (docs/packages.md, "Importing a partner's package").
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text

from testament.storage.tables.base import metadata

package_provenance = Table(
    "package_provenance",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("item_id", String(36), ForeignKey("evidence_item.id"), nullable=False),
    Column("package_id", Text, nullable=False),  # the package's External-Identifier
    Column("partner_origin", Text, nullable=False),  # the origin line of its checkpoint
    Column("partner_key", Text, nullable=False),  # the verifier key it was checked with
    Column("checkpoint", Text, nullable=False),  # the signed note, as the package held it
    Column("entries", Text, nullable=False),  # the partner's entries about the item (JSON Lines)
    Column("proofs", Text, nullable=False),  # JSON: log index -> tlog-proof text
    Column("quarantined", Boolean, nullable=False),
    Column("failed_step", Integer),  # the first verification step that failed, when quarantined
    Column("imported_at", String(32), nullable=False),
    Column("imported_by", Integer, ForeignKey("agent.id"), nullable=False),
)
Index("ix_package_provenance_item_id", package_provenance.c.item_id)
