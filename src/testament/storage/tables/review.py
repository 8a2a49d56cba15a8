"""Review: the organisation's review states, where each item and incident stands, and the comments on them.

* ``review_state``: the states an instance (one organisation) uses, in order, with their English and
  Ukrainian labels, whether entering them needs a second person and whether what is in them waits in
  reviewers' queues (docs/review.md). Empty means the
  defaults (new, in review, verified, disputed); an administrator's first change writes them out.
* ``review_status``: one row per reviewed item or incident (``kind`` is ``item`` or ``incident``): its
  state, who set it and when, and who it is assigned to. No row means the first state, unassigned.
* ``review_comment`` and ``review_mention``: comments, each with the users it mentions. The comment's
  text stays here; the custody log holds only a salted commitment to it (``salt``, ``digest``).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from testament.storage.tables.base import metadata

review_state = Table(
    "review_state",
    metadata,
    Column("code", String(32), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("label_en", Text, nullable=False),
    Column("label_uk", Text, nullable=False),
    Column("second_person", Boolean, nullable=False),
    Column("queued", Boolean, nullable=False),
    Column("label_ar", Text, nullable=False, server_default=""),
)

review_status = Table(
    "review_status",
    metadata,
    Column("kind", String(16), nullable=False),
    Column("target_id", String(36), nullable=False),
    Column("case_id", String(36), ForeignKey("case.id"), nullable=False),
    Column("state", String(32), nullable=False),
    Column("state_by", Integer, ForeignKey("agent.id")),
    Column("state_at", String(32)),
    Column("assignee_id", Integer, ForeignKey("user_account.id")),
    Column("assigned_at", String(32)),
    PrimaryKeyConstraint("kind", "target_id"),
)
Index("ix_review_status_assignee_id", review_status.c.assignee_id)
Index("ix_review_status_case_id_state", review_status.c.case_id, review_status.c.state)

review_comment = Table(
    "review_comment",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("target_id", String(36), nullable=False),
    Column("case_id", String(36), ForeignKey("case.id"), nullable=False),
    Column("agent_id", Integer, ForeignKey("agent.id"), nullable=False),
    Column("author_id", Integer, ForeignKey("user_account.id")),
    Column("body", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("salt", LargeBinary(16), nullable=False),
    Column("digest", String(64), nullable=False),
)
Index("ix_review_comment_kind_target_id", review_comment.c.kind, review_comment.c.target_id)

review_mention = Table(
    "review_mention",
    metadata,
    Column("comment_id", String(36), ForeignKey("review_comment.id"), nullable=False),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False),
    PrimaryKeyConstraint("comment_id", "user_id"),
)
Index("ix_review_mention_user_id", review_mention.c.user_id)
