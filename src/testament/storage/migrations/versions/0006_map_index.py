"""An index for the map: a case's incidents by position, so a zoomed-in view reads only its own band
of longitude, and the clusters of a whole case are counted from the index alone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_incident_case_position",
        "incident",
        ["case_id", "longitude", "latitude", "deleted_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_incident_case_position", table_name="incident")
