"""Second factors, browser sessions and API tokens (docs/accounts.md).

- **TOTP** (RFC 6238, via pyotp): six digits, 30-second steps, one step of clock drift either way. A code is
  accepted once: the step it belongs to is stored, and a code from that step or an earlier one is refused,
  so a code read over someone's shoulder cannot be replayed.
- **Sessions**: a 256-bit random cookie value and a separate CSRF token. Only the SHA-256 of the cookie is
  stored. A session ends after :data:`SESSION_IDLE` without use or :data:`SESSION_LIFETIME` in all.
- **API tokens**: ``tst_`` and 256 random bits, shown once. Each has a scope (``read`` or ``write``), an expiry
  and can be revoked; only its SHA-256 is stored. Creating and revoking a token are custody events that
  carry IDs only.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from sqlalchemy import Connection

from testament.accounts import queries
from testament.accounts.queries import Held, StoredAccount
from testament.accounts.results import TokenInfo, TotpEnrolment
from testament.custody import custody, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain.access import SESSION_LIFETIME, Actor
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.errors import InvalidInput, NotFound, PermissionDenied
from testament.storage.engine import read_transaction, write_transaction

ISSUER = "Testament"
SESSION_IDLE = timedelta(minutes=30)
SCOPES = ("read", "write")
TOKEN_PREFIX = "tst_"  # noqa: S105 - a public prefix, not a secret
MAX_TOKEN_DAYS = 366
_TOUCH_EVERY = timedelta(seconds=60)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _user_row(connection: Connection, username: str) -> StoredAccount:
    row = queries.account_named(connection, username.strip())
    if row is None:
        raise NotFound("no user has this username", where=username)
    return row


def _holder_or_admin(connection: Connection, instance: Instance, user_id: int) -> bool:
    try:
        policy.require_self_or_admin(connection, instance, user_id)
    except PermissionDenied:
        return False
    return True


def _own_row(
    connection: Connection, instance: Instance, username: str, *, reading: bool = False
) -> StoredAccount:
    """The account called ``username``, for the account itself or an administrator; anyone else is
    refused alike whether or not the username exists."""
    try:
        row = _user_row(connection, username)
    except NotFound:
        policy.require_admin(connection, instance)
        raise
    policy.require_self_or_admin(connection, instance, row.id, reading=reading)
    return row


# Who holds a credential


@dataclass(frozen=True)
class Caller:
    """The account behind a live session or API token, as the access policy sees it.

    ``credential_id`` is the session's or the token's row; ``touch_due`` says that its last use is more
    than a minute old and should be recorded (the caller decides when to write).
    """

    credential_id: int
    actor: Actor
    username: str
    scope: str
    csrf_token: str | None
    touch_due: bool

    @property
    def user_id(self) -> int:
        return self.actor.user_id


def _caller(held: Held, scope: str, csrf: str | None, touch: bool) -> Caller:
    return Caller(int(held.row["id"]), held.actor, held.username, scope, csrf, touch)


# TOTP


def enrol_totp(instance: Instance, username: str) -> TotpEnrolment:
    """Give the user a new TOTP secret (replacing any old one); shown once, for their authenticator app.

    An administrator's task: a user sets up their own with ``second_factor``, which asks the password.
    """
    secret = pyotp.random_base32()
    with recording(instance) as conn:
        policy.require_admin(conn, instance)
        row = _user_row(conn, username)
        queries.update_account(conn, row.id, {"totp_secret": secret, "totp_last_step": None})
        detail = {"object": "user_account", "id": row.id, "change": "totp-enrolled"}
        event = custody.NewEvent(
            CustodyEventType.METADATA_MODIFICATION, acting_agent(conn), detail=detail
        )
        custody.record(conn, [event])
    uri = pyotp.TOTP(secret).provisioning_uri(name=row.username, issuer_name=ISSUER)
    return TotpEnrolment(secret, uri)


def require_totp(instance: Instance, username: str, required: bool = True) -> None:
    """An administrator's switch: the user may not sign in without a second factor."""
    with recording(instance) as conn:
        policy.require_admin(conn, instance)
        row = _user_row(conn, username)
        queries.update_account(conn, row.id, {"totp_required": required})
        change = "totp-required" if required else "totp-optional"
        detail = {"object": "user_account", "id": row.id, "change": change}
        event = custody.NewEvent(
            CustodyEventType.METADATA_MODIFICATION, acting_agent(conn), detail=detail
        )
        custody.record(conn, [event])


def totp_step(secret: str, code: str, last_step: int | None, at: datetime) -> int | None:
    """The time step ``code`` belongs to, if it is valid now and newer than ``last_step``; else None."""
    cleaned = code.strip().replace(" ", "")
    if len(cleaned) != 6 or not cleaned.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    for step in (now_step, now_step - 1, now_step + 1):
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), cleaned):
            return step
    return None


# Recovery codes

RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


def _recovery_digest(user_id: int, code: str) -> str:
    cleaned = "".join(ch for ch in code.lower() if ch.isalnum())
    return _digest(f"{user_id}:{cleaned}")


def issue_recovery_codes(connection: Connection, user_id: int) -> list[str]:
    """Replace the user's recovery codes with :data:`RECOVERY_CODES` new ones, returned to be shown
    once. Each has 16 characters (about 79 random bits); only its SHA-256 is stored."""
    queries.delete_recovery_codes(connection, user_id)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(16))
        codes.append("-".join(raw[i : i + 4] for i in range(0, 16, 4)))
    queries.insert_recovery_codes(
        connection,
        [
            {"user_id": user_id, "code_hash": _recovery_digest(user_id, code),
             "created_at": utc_timestamp()}
            for code in codes
        ],
    )  # fmt: skip
    return codes


def use_recovery_code(connection: Connection, user_id: int, code: str, at: datetime) -> bool:
    """Spend one of the user's unused recovery codes; whether ``code`` was one."""
    if not code.strip() or len(code) > 64:
        return False
    return queries.spend_recovery_code(
        connection, user_id, _recovery_digest(user_id, code), utc_timestamp(at)
    )


def recovery_codes_left(instance: Instance, user_id: int) -> int:
    """How many of the user's recovery codes are still unused."""
    with read_transaction(instance.engine) as conn:
        policy.require_self_or_admin(conn, instance, user_id, reading=True)
        return queries.unused_recovery_codes(conn, user_id)


# Sessions


@dataclass(frozen=True)
class NewSession:
    token: str
    csrf_token: str
    expires_at: str


def open_session(instance: Instance, user_id: int, now: datetime | None = None) -> NewSession:
    """Start a browser session for a user who has just signed in."""
    now = now or datetime.now(UTC)
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    expires = utc_timestamp(now + SESSION_LIFETIME)
    with write_transaction(instance.engine) as conn:
        queries.insert_session(
            conn,
            {
                "user_id": user_id,
                "token_hash": _digest(token),
                "csrf_token": csrf,
                "created_at": utc_timestamp(now),
                "last_seen_at": utc_timestamp(now),
                "expires_at": expires,
            },
        )
    return NewSession(token, csrf, expires)


def session_info(connection: Connection, token: str, now: datetime) -> Caller | None:
    """Who holds the live session behind a cookie value; None if it is unknown, ended, idle or expired."""
    held = queries.session_with_hash(connection, _digest(token))
    if held is None:
        return None
    row = held.row
    if row["ended_at"] is not None or row["expires_at"] <= utc_timestamp(now):
        return None
    if row["last_seen_at"] <= utc_timestamp(now - SESSION_IDLE):
        return None
    touch = row["last_seen_at"] <= utc_timestamp(now - _TOUCH_EVERY)
    return _caller(held, "write", row["csrf_token"], touch)


def touch_session(instance: Instance, session_id: int, now: datetime) -> None:
    """Record a use of the session (at most once a minute), which keeps it from going idle."""
    with write_transaction(instance.engine) as conn:
        queries.set_session_seen(conn, session_id, utc_timestamp(now))


def resolve_session(instance: Instance, token: str, now: datetime | None = None) -> Caller | None:
    """Who holds the live session behind a cookie value, or None if it is unknown, ended, idle or
    expired. Records the use when one is due."""
    now = now or datetime.now(UTC)
    with read_transaction(instance.engine) as conn:
        found = session_info(conn, token, now)
    if found is not None and found.touch_due:
        touch_session(instance, found.credential_id, now)
    return found


def end_session(instance: Instance, token: str) -> None:
    """Sign out: the cookie stops working at once. Unknown cookies are ignored."""
    with write_transaction(instance.engine) as conn:
        queries.end_session_with_hash(conn, _digest(token), utc_timestamp())


# API tokens


def create_token(
    instance: Instance, username: str, name: str, *, scope: str = "read", days: int = 90
) -> tuple[int, str]:
    """A new API token for ``username``: its ID and the secret, which is never shown again."""
    cleaned = name.strip()
    problems: dict[str, str] = {}
    if not cleaned or len(cleaned) > 100 or any(ord(ch) < 32 for ch in cleaned):
        problems["name"] = "1 to 100 printable characters"
    if scope not in SCOPES:
        problems["scope"] = f"one of {', '.join(SCOPES)}"
    if not 1 <= days <= MAX_TOKEN_DAYS:
        problems["days"] = f"from 1 to {MAX_TOKEN_DAYS}"
    if problems:
        raise InvalidInput("the token cannot be created as asked", errors=problems)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    with recording(instance) as conn:
        row = _own_row(conn, instance, username)
        token_id = queries.insert_token(
            conn,
            {
                "user_id": row.id,
                "name": cleaned,
                "token_hash": _digest(secret),
                "scope": scope,
                "created_at": utc_timestamp(now),
                "expires_at": utc_timestamp(now + timedelta(days=days)),
            },
        )
        detail = {"object": "api_token", "id": token_id, "user": row.id, "scope": scope}
        event = custody.NewEvent(CustodyEventType.CREATION, acting_agent(conn), detail=detail)
        custody.record(conn, [event])
    return token_id, secret


def token_holder(connection: Connection, secret: str, now: datetime) -> Caller | None:
    """Who holds this API token, with its scope; None if it is unknown, revoked or expired."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    held = queries.token_with_hash(connection, _digest(secret))
    if held is None:
        return None
    row = held.row
    if row["revoked_at"] is not None or row["expires_at"] <= utc_timestamp(now):
        return None
    last_used = row["last_used_at"]
    touch = last_used is None or last_used <= utc_timestamp(now - _TOUCH_EVERY)
    return _caller(held, row["scope"], None, touch)


def touch_token(instance: Instance, token_id: int, now: datetime) -> None:
    """Record a use of the token (at most once a minute: enough to show which tokens are idle)."""
    with write_transaction(instance.engine) as conn:
        queries.set_token_used(conn, token_id, utc_timestamp(now))


def resolve_token(instance: Instance, secret: str, now: datetime | None = None) -> Caller | None:
    """Who holds this token and with what scope; None if unknown, revoked or expired. Records the use
    when one is due."""
    now = now or datetime.now(UTC)
    with read_transaction(instance.engine) as conn:
        found = token_holder(conn, secret, now)
    if found is not None and found.touch_due:
        touch_token(instance, found.credential_id, now)
    return found


def revoke_token(instance: Instance, token_id: int, *, owner: int | None = None) -> None:
    """Revoke a token at once. ``owner`` limits it to that user's tokens (a user revoking their own)."""
    with recording(instance) as conn:
        found = queries.token_state(conn, token_id)
        if found is not None and not _holder_or_admin(conn, instance, found[0]):
            found = None  # someone else's token is answered as absent
        if found is None or (owner is not None and found[0] != owner):
            raise NotFound("no API token has this ID", where=str(token_id))
        holder, revoked_at = found
        if revoked_at is not None:
            return
        queries.set_token_revoked(conn, token_id, utc_timestamp())
        detail = {"object": "api_token", "id": token_id, "user": holder, "change": "revoke"}
        event = custody.NewEvent(
            CustodyEventType.METADATA_MODIFICATION, acting_agent(conn), detail=detail
        )
        custody.record(conn, [event])


def list_tokens(instance: Instance, username: str | None = None) -> list[TokenInfo]:
    """Every token (or one user's), newest first; never the secrets. Every token is for
    administrators; one user's, for that user too."""
    with read_transaction(instance.engine) as conn:
        if username is None:
            policy.require_admin(conn, instance)
            holder = None
        else:
            holder = _own_row(conn, instance, username, reading=True).id
        rows = queries.tokens_listed(conn, holder)
    return [
        TokenInfo(
            int(r["id"]),
            r["username"],
            r["name"],
            r["scope"],
            r["created_at"],
            r["expires_at"],
            r["revoked_at"],
            r["last_used_at"],
        )
        for r in rows
    ]


def refuse_without_totp() -> PermissionDenied:
    return PermissionDenied(
        "this account must use a second factor, and none is set up",
        hint="ask an administrator to run `testament user totp USERNAME` and scan the code it prints",
    )


def session_holder(instance: Instance, token: str, now: datetime) -> Caller | None:
    """:func:`session_info` in its own read transaction (the edges' sign-in check)."""
    with read_transaction(instance.engine) as connection:
        return session_info(connection, token, now)


def api_token_holder(instance: Instance, secret: str, now: datetime) -> Caller | None:
    """:func:`token_holder` in its own read transaction (the edges' bearer-token check)."""
    with read_transaction(instance.engine) as connection:
        return token_holder(connection, secret, now)
