"""Free tags on evidence items and incidents (migration 0018).

A tag is a versioned record (:mod:`testament.storage.tables.base`): adding one creates it, removing one
marks it deleted, and each is a custody event. ``label`` is the tag as first written (trimmed, NFC);
``folded`` is its case-folded form, what matching and filtering compare. ``target_kind`` is ``item``
or ``incident``; ``target_id`` names the evidence item or incident, of the tag's case.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Text

from testament.storage.tables.base import case_ref, versioned

record_tag = versioned(
    "record_tag",
    case_ref(),
    Column("target_kind", String(16), nullable=False),
    Column("target_id", String(36), nullable=False),
    Column("label", Text, nullable=False),
    Column("folded", Text, nullable=False),
)
Index("ix_record_tag_target_id", record_tag.c.target_id)
Index("ix_record_tag_case_id_folded", record_tag.c.case_id, record_tag.c.folded)
