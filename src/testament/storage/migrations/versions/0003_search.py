"""Search: the document table and the full-text table each database needs (docs/search.md).

Both are derived data; `testament search reindex` fills them from the documentation tables.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQLITE_TEXT = (
    "CREATE VIRTUAL TABLE search_text USING fts5("
    "names, title, body, facets, tokenize = 'unicode61 remove_diacritics 0')"
)
POSTGRES_TEXT = (
    "CREATE TABLE search_text ("
    "doc_id BIGINT PRIMARY KEY REFERENCES search_document (id) ON DELETE CASCADE, "
    "tsv TSVECTOR NOT NULL)",
    "CREATE INDEX ix_search_text_tsv ON search_text USING gin (tsv)",
)


def upgrade() -> None:
    op.create_table(
        "search_document",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("occurred_from", sa.String(length=32), nullable=True),
        sa.Column("occurred_to", sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_document")),
        sa.UniqueConstraint("kind", "record_id", name="uq_search_document_kind_record"),
    )
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRES_TEXT:
            op.execute(statement)
    else:
        op.execute(SQLITE_TEXT)


def downgrade() -> None:
    op.execute("DROP TABLE search_text")
    op.drop_table("search_document")
