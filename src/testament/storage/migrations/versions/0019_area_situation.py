"""Areas per situation: an area may belong to one situation (Ukraine's oblasts beside Syria's
governorates); an area of no situation is shared by every case, as every area was before.

Areas are unique by (situation, level, code); shared areas by (level, code). SQLite rebuilds the table
to change its unique constraint; ``testament.storage.migrate`` runs migrations with SQLite's foreign keys
off and checks them all before committing, since incidents point at areas.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

SHARED = sa.text("situation_id IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("admin_area") as batch:
        batch.add_column(sa.Column("situation_id", sa.String(length=36), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_admin_area_situation_id_situation"), "situation", ["situation_id"], ["id"]
        )
        batch.drop_constraint("uq_admin_area_level_code", type_="unique")
        batch.create_index(
            "uq_admin_area_situation_level_code",
            ["situation_id", "level", "code"],
            unique=True,
        )
        batch.create_index(
            "uq_admin_area_shared_level_code",
            ["level", "code"],
            unique=True,
            sqlite_where=SHARED,
            postgresql_where=SHARED,
        )


def downgrade() -> None:
    with op.batch_alter_table("admin_area") as batch:
        batch.drop_index("uq_admin_area_shared_level_code")
        batch.drop_index("uq_admin_area_situation_level_code")
        batch.drop_constraint(batch.f("fk_admin_area_situation_id_situation"), type_="foreignkey")
        batch.drop_column("situation_id")
        batch.create_unique_constraint("uq_admin_area_level_code", ["level", "code"])
