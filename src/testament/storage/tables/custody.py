"""The custody spine: the instance, agents, cases and their situations, evidence items, custody events,
the custody log, and every version of every documentation record.

Two families:

* the **record** tables (``agent``, ``case``, ``evidence_item``, ``custody_event``) that the application
  reads and writes;
* the **log** tables (``log_state``, ``log_entry``, ``log_node``, ``checkpoint``) that hold the custody log:
  entry bytes, the persisted hashes of every perfect subtree (so a proof is a handful of keyed reads), and
  every checkpoint ever signed.

``testament verify`` checks that the two families agree (docs/verification.md). ``record_version`` holds
the versions of the documentation records (:mod:`testament.storage.tables.base`).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from testament.storage.tables.base import metadata, versioned

instance = Table(
    "instance",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("instance_id", String(36), nullable=False),
    Column("log_origin", Text, nullable=False),
    Column("vault_key_id", String(64)),
    Column("signing_key_id", String(8), nullable=False),
    Column("verifier_key", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

agent = Table(
    "agent",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("record_salt", LargeBinary(16), nullable=False),
    UniqueConstraint("kind", "name", name="uq_agent_kind_name"),
)

case = Table(
    "case",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
    Column("created_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("record_salt", LargeBinary(16), nullable=False),
    # Set when a coordinator closes the case; refused while a survivor's urgent need is unaddressed.
    Column("closed_at", String(32)),
)

evidence_item = Table(
    "evidence_item",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey("case.id"), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("original_name", Text, nullable=False),
    Column("source_path", Text, nullable=False),
    Column("mtime", String(32), nullable=False),
    Column("media_type", Text, nullable=False),
    Column("source_note", Text),
    Column("ingested_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("ingested_at", String(32), nullable=False),
    Column("duplicate", Boolean, nullable=False),
    Column("record_salt", LargeBinary(16), nullable=False),
    UniqueConstraint("case_id", "sha256", "source_path", name="uq_evidence_item_acquisition"),
)
Index("ix_evidence_item_sha256", evidence_item.c.sha256)

custody_event = Table(
    "custody_event",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("log_index", BigInteger, nullable=False, unique=True),
    Column("event_type", String(64), nullable=False),
    Column("occurred_at", String(32), nullable=False),
    Column("agent_id", Integer, ForeignKey("agent.id"), nullable=False),
    Column("case_id", String(36), ForeignKey("case.id")),
    Column("item_id", String(36), ForeignKey("evidence_item.id")),
    Column("sha256", String(64)),
    Column("outcome", String(32), nullable=False),
    Column("detail", Text, nullable=False),
    Column("record", String(64)),
)
Index("ix_custody_event_item_id", custody_event.c.item_id)

log_state = Table(
    "log_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
)

log_entry = Table(
    "log_entry",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("data", LargeBinary, nullable=False),
)

log_node = Table(
    "log_node",
    metadata,
    # (level << 48) | index of a perfect subtree; level 0 holds the leaf hashes.
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

checkpoint = Table(
    "checkpoint",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("signed_at", String(32), nullable=False),
    # 1, 2, 3, … in signing order (migration 0008); signed into the note too (docs/verification.md).
    Column("number", BigInteger, nullable=False, unique=True),
)


record_version = Table(
    "record_version",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("change", String(8), nullable=False),
    Column("data", Text, nullable=False),
    Column("salt", LargeBinary(16), nullable=False),
    Column("digest", String(64), nullable=False),
    Column("agent_id", Integer, ForeignKey("agent.id"), nullable=False),
    Column("at", String(32), nullable=False),
    Column("log_index", BigInteger, nullable=False, unique=True),
    UniqueConstraint("kind", "record_id", "version", name="uq_record_version_kind_record"),
)

situation = versioned(
    "situation",
    Column("name", Text, nullable=False, unique=True),
    Column("description", Text, nullable=False),
    Column("starts_on", String(10)),
    Column("ends_on", String(10)),
    Column("conflict", String(32), nullable=False),
    Column("amendments", Text, nullable=False),
)

case_situation = Table(
    "case_situation",
    metadata,
    Column("case_id", String(36), ForeignKey("case.id"), primary_key=True),
    Column("situation_id", String(36), ForeignKey("situation.id"), nullable=False),
)
