"""The one :class:`MetaData` every table is declared on, and what versioned records share.

The documentation model (migration 0002): every documentation record (a situation, incident, person, unit,
source or one of the links between them) is *versioned*: its row holds the current version,
``record_version`` holds every version ever written (canonical JSON, never deleted), and each create,
update and delete is a custody event whose ``record`` is a salted commitment to that version. Deleting
sets ``deleted_at``; nothing is hard-deleted.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)


def versioned(name: str, *columns: Column[object] | Index | UniqueConstraint) -> Table:
    return Table(
        name,
        metadata,
        Column("id", String(36), primary_key=True),
        *columns,
        Column("version", Integer, nullable=False),
        Column("created_at", String(32), nullable=False),
        Column("updated_at", String(32), nullable=False),
        Column("deleted_at", String(32)),
    )


def case_ref() -> Column[object]:
    return Column("case_id", String(36), ForeignKey("case.id"), nullable=False)
