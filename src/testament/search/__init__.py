"""Full-text search over incidents, sources, people and evidence, blind to transliteration.

:mod:`base` is the protocol, :mod:`translit` the keys both sides of a search share, :mod:`query` the
query language, and :mod:`sqlite_fts` and :mod:`postgres_fts` the two backends (docs/search.md).
"""

from __future__ import annotations

from testament.search.base import SearchIndex
from testament.search.postgres_fts import PostgresSearchIndex
from testament.search.sqlite_fts import SqliteSearchIndex


def index_for(dialect: str) -> SearchIndex:
    """The backend for a database dialect (``sqlite`` or ``postgresql``)."""
    if dialect == "postgresql":
        return PostgresSearchIndex()
    return SqliteSearchIndex()
