"""The accounts capability's SQL: SQLAlchemy Core statements against ``testament.storage.tables``, each
a function that takes the caller's connection first.

The use cases (``accounts.py``, ``credentials.py``, ``second_factor.py``, ``scope.py``) keep the
transactions, the policy, the log's lock and the order in which things happen; these functions only say
what is read or written. Secrets never reach them: only their digests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from testament.custody import policy
from testament.domain.access import Actor
from testament.storage.tables import (
    api_token,
    case,
    case_role,
    organisation,
    recovery_code,
    user_account,
    web_session,
)

# --- Accounts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredAccount:
    """What signing in reads of an account before it hashes anything."""

    id: int
    username: str
    password_hash: str
    disabled: bool


@dataclass(frozen=True)
class SignInState:
    """What signing in reads again under the write lock: the lockout and the second factor."""

    locked_until: str | None
    totp_secret: str | None
    totp_last_step: int | None
    totp_required: bool


def _stored(row: Any) -> StoredAccount | None:
    if row is None:
        return None
    return StoredAccount(int(row.id), row.username, row.password_hash, row.disabled_at is not None)


def account_named(conn: Connection, username: str) -> StoredAccount | None:
    """The account called exactly ``username``."""
    return _stored(
        conn.execute(select(user_account).where(user_account.c.username == username)).first()
    )


def account_with_id(conn: Connection, user_id: int) -> StoredAccount | None:
    return _stored(conn.execute(select(user_account).where(user_account.c.id == user_id)).first())


def user_id_named(conn: Connection, username: str) -> int | None:
    """The ID of the account called exactly ``username``."""
    found = conn.execute(
        select(user_account.c.id).where(user_account.c.username == username)
    ).scalar()
    return None if found is None else int(found)


def sign_in_state(conn: Connection, user_id: int) -> SignInState:
    row = conn.execute(
        select(
            user_account.c.locked_until,
            user_account.c.totp_secret,
            user_account.c.totp_last_step,
            user_account.c.totp_required,
        ).where(user_account.c.id == user_id)
    ).one()
    return SignInState(
        row.locked_until, row.totp_secret, row.totp_last_step, bool(row.totp_required)
    )


def insert_user(conn: Connection, values: dict[str, Any]) -> int:
    """A new account; its ID."""
    return int(
        conn.execute(insert(user_account).values(values).returning(user_account.c.id)).scalar_one()
    )


def update_account(conn: Connection, user_id: int, values: dict[str, Any]) -> bool:
    """Set columns of an account; whether an account has this ID."""
    changed = conn.execute(
        update(user_account).where(user_account.c.id == user_id).values(values)
    ).rowcount
    return bool(changed)


def add_failed_login(conn: Connection, user_id: int) -> int:
    """Count one more failure in a row; the count now."""
    return int(
        conn.execute(
            update(user_account)
            .where(user_account.c.id == user_id)
            .values(failed_logins=user_account.c.failed_logins + 1)
            .returning(user_account.c.failed_logins)
        ).scalar_one()
    )


def any_admin(conn: Connection) -> bool:
    """Whether any account is an instance administrator."""
    found = conn.execute(
        select(user_account.c.id).where(user_account.c.is_admin.is_(True)).limit(1)
    ).first()
    return found is not None


def accounts_listed(conn: Connection, user_id: int | None = None) -> list[dict[str, Any]]:
    """Every account (or one), by username: ID, username, organisation's name (``organisation``),
    flags, and whether it has a second factor (``has_totp``)."""
    query = (
        select(
            user_account.c.id,
            user_account.c.username,
            organisation.c.name.label("organisation"),
            user_account.c.is_admin,
            user_account.c.disabled_at,
            user_account.c.blur_graphic,
            user_account.c.totp_secret.is_not(None).label("has_totp"),
        )
        .select_from(user_account.outerjoin(organisation))
        .order_by(user_account.c.username)
    )
    if user_id is not None:
        query = query.where(user_account.c.id == user_id)
    return [dict(row) for row in conn.execute(query).mappings()]


def active_roles_by_case_name(
    conn: Connection, user_id: int | None = None
) -> list[tuple[int, str, str]]:
    """(user ID, case name, role) for every active role (or one account's)."""
    query = (
        select(case_role.c.user_id, case.c.name, case_role.c.role)
        .select_from(case_role.join(case))
        .where(case_role.c.revoked_at.is_(None))
    )
    if user_id is not None:
        query = query.where(case_role.c.user_id == user_id)
    return [(int(uid), str(name), str(role)) for uid, name, role in conn.execute(query)]


# --- Organisations --------------------------------------------------------------------------------


def organisation_named(conn: Connection, name: str) -> int | None:
    found = conn.execute(select(organisation.c.id).where(organisation.c.name == name)).scalar()
    return None if found is None else int(found)


def insert_organisation(conn: Connection, name: str, created_at: str) -> int:
    return int(
        conn.execute(
            insert(organisation)
            .values(name=name, created_at=created_at)
            .returning(organisation.c.id)
        ).scalar_one()
    )


# --- Roles on cases -------------------------------------------------------------------------------


def active_grant(conn: Connection, user_id: int, case_id: str) -> tuple[int, str] | None:
    """The account's active role on the case: the grant's ID and the role."""
    row = conn.execute(
        select(case_role.c.id, case_role.c.role).where(
            case_role.c.user_id == user_id,
            case_role.c.case_id == case_id,
            case_role.c.revoked_at.is_(None),
        )
    ).first()
    return None if row is None else (int(row.id), str(row.role))


def insert_grant(conn: Connection, values: dict[str, Any]) -> int:
    """A new role on a case; the grant's ID."""
    return int(
        conn.execute(insert(case_role).values(values).returning(case_role.c.id)).scalar_one()
    )


def end_grant(conn: Connection, grant_id: int, at: str) -> None:
    conn.execute(update(case_role).where(case_role.c.id == grant_id).values(revoked_at=at))


# --- Cases (for scope) ----------------------------------------------------------------------------


def case_ids(conn: Connection) -> set[str]:
    """The ID of every case."""
    return {str(c) for c in conn.execute(select(case.c.id)).scalars()}


def case_named_or_with_id(conn: Connection, name: str) -> bool:
    """Whether a case has this name or ID."""
    found = conn.execute(
        select(case.c.id).where((case.c.name == name) | (case.c.id == name))
    ).first()
    return found is not None


# --- Second factor --------------------------------------------------------------------------------


def second_factor_of(conn: Connection, user_id: int) -> tuple[bool, bool] | None:
    """Whether the account has a second factor, and whether one is required of it."""
    row = conn.execute(
        select(user_account.c.totp_secret, user_account.c.totp_required).where(
            user_account.c.id == user_id
        )
    ).first()
    return None if row is None else (row.totp_secret is not None, bool(row.totp_required))


def set_pending_secret(conn: Connection, user_id: int, secret: str) -> str:
    """Keep ``secret`` aside for the account until its code confirms it; the account's username."""
    return str(
        conn.execute(
            update(user_account)
            .where(user_account.c.id == user_id)
            .values(totp_pending=secret)
            .returning(user_account.c.username)
        ).scalar_one()
    )


def pending_secret(conn: Connection, user_id: int) -> tuple[str | None, str] | None:
    """The secret kept aside for the account (None if none waits), and its username."""
    row = conn.execute(
        select(user_account.c.totp_pending, user_account.c.username).where(
            user_account.c.id == user_id
        )
    ).first()
    return None if row is None else (row.totp_pending, row.username)


def delete_recovery_codes(conn: Connection, user_id: int) -> None:
    conn.execute(delete(recovery_code).where(recovery_code.c.user_id == user_id))


def insert_recovery_codes(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    conn.execute(insert(recovery_code), list(rows))


def spend_recovery_code(conn: Connection, user_id: int, code_hash: str, at: str) -> bool:
    """Mark the account's unused code with this digest as used; whether there was one."""
    spent = conn.execute(
        update(recovery_code)
        .where(
            recovery_code.c.user_id == user_id,
            recovery_code.c.code_hash == code_hash,
            recovery_code.c.used_at.is_(None),
        )
        .values(used_at=at)
    ).rowcount
    return bool(spent)


def unused_recovery_codes(conn: Connection, user_id: int) -> int:
    return int(
        conn.execute(
            select(func.count()).where(
                recovery_code.c.user_id == user_id, recovery_code.c.used_at.is_(None)
            )
        ).scalar_one()
    )


# --- Sessions and API tokens ----------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """A credential's row (a session's or an API token's) and the account that holds it."""

    row: dict[str, Any]
    actor: Actor
    username: str


# Built once: every request asks one of them.
_SESSION_HOLDER = policy.account_query(web_session)
_TOKEN_HOLDER = policy.account_query(api_token)


def _held(conn: Connection, statement: Any, token_hash: str) -> Held | None:
    result = conn.execute(statement, {"token_hash": token_hash})
    rows = result.all()
    if not rows:
        return None
    subject, username = policy.account_from_rows(rows)
    return Held(dict(zip(result.keys(), rows[0], strict=True)), subject, username)


def session_with_hash(conn: Connection, token_hash: str) -> Held | None:
    """The session whose cookie has this digest, with its holder (ended or not)."""
    return _held(conn, _SESSION_HOLDER, token_hash)


def token_with_hash(conn: Connection, token_hash: str) -> Held | None:
    """The API token with this digest, with its holder (revoked or not)."""
    return _held(conn, _TOKEN_HOLDER, token_hash)


def insert_session(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(web_session).values(values))


def set_session_seen(conn: Connection, session_id: int, at: str) -> None:
    conn.execute(update(web_session).where(web_session.c.id == session_id).values(last_seen_at=at))


def end_session_with_hash(conn: Connection, token_hash: str, at: str) -> None:
    """End the live session whose cookie has this digest (none: nothing happens)."""
    conn.execute(
        update(web_session)
        .where(web_session.c.token_hash == token_hash, web_session.c.ended_at.is_(None))
        .values(ended_at=at)
    )


def insert_token(conn: Connection, values: dict[str, Any]) -> int:
    """A new API token; its ID."""
    return int(
        conn.execute(insert(api_token).values(values).returning(api_token.c.id)).scalar_one()
    )


def token_state(conn: Connection, token_id: int) -> tuple[int, str | None] | None:
    """The token's holder (their user ID) and when it was revoked, if it was."""
    row = conn.execute(
        select(api_token.c.user_id, api_token.c.revoked_at).where(api_token.c.id == token_id)
    ).first()
    return None if row is None else (int(row.user_id), row.revoked_at)


def set_token_used(conn: Connection, token_id: int, at: str) -> None:
    conn.execute(update(api_token).where(api_token.c.id == token_id).values(last_used_at=at))


def set_token_revoked(conn: Connection, token_id: int, at: str) -> None:
    conn.execute(update(api_token).where(api_token.c.id == token_id).values(revoked_at=at))


def tokens_listed(conn: Connection, user_id: int | None = None) -> list[dict[str, Any]]:
    """Every API token (or one account's), newest first, with its holder's ``username``."""
    query = (
        select(api_token, user_account.c.username)
        .select_from(api_token.join(user_account))
        .order_by(api_token.c.id.desc())
    )
    if user_id is not None:
        query = query.where(user_account.c.id == user_id)
    return [dict(row) for row in conn.execute(query).mappings()]
