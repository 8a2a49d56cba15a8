"""A user sets up and removes their own second factor (docs/accounts.md, "Second factor (TOTP)").

Setting up takes three steps, so that nobody is locked out by a secret their phone never saw:

1. :func:`begin`: the password again; a new secret is kept aside (``totp_pending``) and shown, as a
   QR code rendered here (no outside service ever sees it) and as text.
2. :func:`confirm`: a code from the app proves the phone has the secret; only then does the secret
   take effect, and ten recovery codes are made, shown once, stored as SHA-256 digests.
3. Signing in then asks for a code; a recovery code works in its place, once.

:func:`remove` takes the password and a code (or a recovery code), and is refused while an
administrator requires a second factor of the account. Taking effect and removal are ``metadata
modification`` custody events that carry the account's ID only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pyotp
import segno
from sqlalchemy import Connection

from testament.accounts import accounts, credentials, queries
from testament.custody import custody, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain.custody import CustodyEventType
from testament.domain.results import Result
from testament.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from testament.storage.engine import read_transaction, write_transaction


@dataclass(frozen=True)
class Pending(Result):
    """A secret waiting for its confirming code: the text to type and the QR code (SVG) to scan."""

    secret: str
    uri: str
    qr_svg: str


@dataclass(frozen=True)
class Status(Result):
    enabled: bool
    required: bool
    recovery_codes_left: int


def status(instance: Instance, user_id: int) -> Status:
    """Whether the user has a second factor, must have one, and how many recovery codes are left."""
    with read_transaction(instance.engine) as conn:
        policy.require_self_or_admin(conn, instance, user_id, reading=True)
        found = queries.second_factor_of(conn, user_id)
    if found is None:
        raise NotFound("no user has this ID", where=str(user_id))
    enabled, required = found
    left = credentials.recovery_codes_left(instance, user_id)
    return Status(enabled, required, left)


def begin(instance: Instance, user_id: int, password: str) -> Pending:
    """Step 1: check the password and keep a new secret aside, unused until :func:`confirm`."""
    if status(instance, user_id).enabled:
        raise Conflict(
            "a second factor is already set up",
            hint="remove it first to set up another (on a new phone, say)",
        )
    accounts.reauthenticate(instance, user_id, password)
    secret = pyotp.random_base32()
    with write_transaction(instance.engine) as conn:
        policy.require_self_or_admin(conn, instance, user_id)
        username = queries.set_pending_secret(conn, user_id, secret)
    return pending_for(secret, username)


def waiting(instance: Instance, user_id: int) -> Pending | None:
    """The secret kept aside by :func:`begin`, if one is waiting for its code."""
    with read_transaction(instance.engine) as conn:
        policy.require_self_or_admin(conn, instance, user_id, reading=True)
        found = queries.pending_secret(conn, user_id)
    if found is None or found[0] is None:
        return None
    return pending_for(found[0], found[1])


def pending_for(secret: str, username: str) -> Pending:
    """The secret as an authenticator app reads it: an ``otpauth://`` URI, drawn as a QR code here."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=credentials.ISSUER)
    drawing = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return Pending(secret, uri, drawing)


def confirm(instance: Instance, user_id: int, code: str) -> list[str]:
    """Step 2: a code from the waiting secret puts it in force; the new recovery codes, shown once."""
    now = datetime.now(UTC)
    with recording(instance) as conn:
        policy.require_self_or_admin(conn, instance, user_id)
        found = queries.pending_secret(conn, user_id)
        secret = None if found is None else found[0]
        if secret is None:
            raise InvalidInput(
                "no second factor is waiting to be confirmed",
                errors={"code": "start again from Settings"},
            )
        step = credentials.totp_step(secret, code, None, now)
        if step is None:
            raise InvalidInput(
                "the code does not match the new secret",
                errors={"code": "type the six digits the app shows now; check the phone's clock"},
            )
        queries.update_account(
            conn, user_id, {"totp_secret": secret, "totp_pending": None, "totp_last_step": step}
        )
        codes = credentials.issue_recovery_codes(conn, user_id)
        _record(conn, user_id, "totp-enrolled")
    return codes


def remove(instance: Instance, user_id: int, password: str, code: str) -> None:
    """Take the second factor away, with the password and a code; refused while it is required."""
    now = status(instance, user_id)
    if not now.enabled:
        raise Conflict("no second factor is set up")
    if now.required:
        raise PermissionDenied(
            "an administrator requires a second factor of this account",
            hint="ask an administrator (`testament user totp USERNAME --optional`)",
        )
    accounts.reauthenticate(instance, user_id, password, code)
    with recording(instance) as conn:
        policy.require_self_or_admin(conn, instance, user_id)
        queries.update_account(
            conn, user_id, {"totp_secret": None, "totp_pending": None, "totp_last_step": None}
        )
        queries.delete_recovery_codes(conn, user_id)
        _record(conn, user_id, "totp-removed")


def _record(conn: Connection, user_id: int, change: str) -> None:
    detail = {"object": "user_account", "id": user_id, "change": change}
    event = custody.NewEvent(
        CustodyEventType.METADATA_MODIFICATION, acting_agent(conn), detail=detail
    )
    custody.record(conn, [event])
