"""Accounts (migration 0004): people who sign in, and their role on each case (docs/accounts.md).

A role is never deleted: revoking it sets ``revoked_at``, and both changes are custody events naming only
IDs.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    false,
    true,
)

from testament.storage.tables.base import metadata

organisation = Table(
    "organisation",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
)

user_account = Table(
    "user_account",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("organisation_id", Integer, ForeignKey("organisation.id")),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("disabled_at", String(32)),
    Column("is_admin", Boolean, nullable=False),
    Column("totp_secret", Text),
    Column("failed_logins", Integer, nullable=False),
    Column("locked_until", String(32)),
    Column("totp_required", Boolean, nullable=False, server_default=false()),
    Column("totp_last_step", BigInteger),
    # A secret its owner has been shown but not yet confirmed with a code (docs/accounts.md).
    Column("totp_pending", Text),
    # Media previews start blurred and grey until clicked; a user may turn that off for themselves.
    Column("blur_graphic", Boolean, nullable=False, server_default=true()),
)

case_role = Table(
    "case_role",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("case_id", String(36), ForeignKey("case.id"), nullable=False),
    Column("role", String(16), nullable=False),
    Column("granted_by", Integer, ForeignKey("agent.id"), nullable=False),
    Column("granted_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
)
Index("ix_case_role_user_id", case_role.c.user_id)
Index("ix_case_role_case_id", case_role.c.case_id)

# Sign-in credentials: a browser session (cookie) or an API token. Only SHA-256 hashes of the secrets
# are stored, so a copy of the database lets nobody in.
web_session = Table(
    "web_session",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("last_seen_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("ended_at", String(32)),
)

# One-time codes for signing in without the authenticator; only their SHA-256 is kept.
recovery_code = Table(
    "recovery_code",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("created_at", String(32), nullable=False),
    Column("used_at", String(32)),
)
Index("ix_recovery_code_user_id", recovery_code.c.user_id)

api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("user_id", Integer, ForeignKey("user_account.id"), nullable=False),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scope", String(16), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
    Column("last_used_at", String(32)),
)
