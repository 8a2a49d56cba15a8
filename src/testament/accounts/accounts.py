"""User accounts, passwords and per-case roles; every permission check goes through :func:`can`.

Passwords are hashed with argon2id at the cost the settings name (``password_hashing``; by default
argon2-cffi's ``PasswordHasher`` defaults, RFC 9106's low-memory choice). Granting and revoking a role
are ``role-change`` custody events; creating a user or an organisation is a ``creation`` event.
Entries carry only IDs and the role, never a username or an organisation's name (docs/accounts.md).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection

from testament.accounts import credentials, queries
from testament.accounts.queries import SignInState
from testament.accounts.results import UserSummary
from testament.config import HASH_PROFILE_DEFAULT, HASH_PROFILE_TEST_ONLY
from testament.custody import cases, custody, policy
from testament.custody.cases import case_id
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain.access import Action, Actor, Principal, Role, decide
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.domain.text import clean_text
from testament.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from testament.storage.engine import lock_log, read_transaction, write_transaction

MIN_PASSWORD_LENGTH = 12
MAX_USERNAME_LENGTH = 64
LOCKOUT_AFTER = 10
LOCKOUT_FOR = timedelta(minutes=15)

# The argon2id parameters of each hashing profile the settings may name (docs/configuration.md).
HASH_PARAMETERS: dict[str, Parameters] = {
    HASH_PROFILE_DEFAULT: profiles.RFC_9106_LOW_MEMORY,  # PasswordHasher()'s own defaults
    "rfc9106-high-memory": profiles.RFC_9106_HIGH_MEMORY,
    # The least work argon2id allows, with a full-length salt and hash: for the test suite only.
    HASH_PROFILE_TEST_ONLY: replace(profiles.CHEAPEST, salt_len=16, hash_len=32),
}


@cache
def _hasher(profile: str) -> PasswordHasher:
    """The hasher for a profile named in the settings, made once per profile."""
    return PasswordHasher.from_parameters(HASH_PARAMETERS[profile])


def _instance_hasher(instance: Instance) -> PasswordHasher:
    """The hasher this instance's settings ask for (``password_hashing``)."""
    return _hasher(instance.settings.password_hashing)


@cache
def _dummy_hash(profile: str) -> str:
    """Verified against when the username is unknown, so that a miss costs as much as a wrong password.

    Made on first use: hashing costs a fraction of a second that no command but sign-in should pay.
    """
    return _hasher(profile).hash("not the password of anyone at all")


_LOGIN_FAILED = "the username or password is wrong, or the account is locked for a while"


def _check_username(username: str) -> str:
    cleaned = username.strip()
    if not cleaned or len(cleaned) > MAX_USERNAME_LENGTH or any(ch.isspace() for ch in cleaned):
        raise InvalidInput(
            "the username is not acceptable",
            where=repr(username),
            errors={"username": f"1 to {MAX_USERNAME_LENGTH} characters, no spaces"},
        )
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in cleaned):
        raise InvalidInput(
            "the username is not acceptable",
            errors={"username": "control characters are not allowed"},
        )
    return cleaned


def check_password(username: str, password: str) -> None:
    """Refuse a weak password. The message names the field and never repeats the password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        problem = f"must be at least {MIN_PASSWORD_LENGTH} characters long"
    elif username.casefold() in password.casefold():
        problem = "must not contain the username"
    else:
        return
    raise InvalidInput(
        "the password is not acceptable",
        errors={"password": problem},
        hint="choose a longer passphrase, such as several unrelated words",
    )


def _organisation_id(connection: Connection, name: str, agent_id: int) -> int:
    try:
        cleaned = clean_text(name, "the organisation name", None, required=True, field="name")
    except InvalidInput as exc:
        raise InvalidInput(exc.what, errors={"organisation": exc.what}) from None
    found = queries.organisation_named(connection, cleaned)
    if found is not None:
        return found
    new_id = queries.insert_organisation(connection, cleaned, utc_timestamp())
    event = custody.NewEvent(
        CustodyEventType.CREATION, agent_id, detail={"object": "organisation", "id": new_id}
    )
    custody.record(connection, [event])
    return new_id


def create_user(
    instance: Instance,
    username: str,
    password: str,
    *,
    admin: bool = False,
    organisation_name: str | None = None,
) -> int:
    """Create an account; return its ID. Administrators only (the owner included: the web's first-run
    setup acts as the owner once its one-time token is shown)."""
    username = _check_username(username)
    check_password(username, password)
    password_hash = _instance_hasher(instance).hash(password)
    with recording(instance) as conn:
        policy.require_admin(conn, instance)
        if queries.user_id_named(conn, username) is not None:
            raise Conflict("a user with this username already exists", where=username)
        agent_id = acting_agent(conn)
        org_id = _organisation_id(conn, organisation_name, agent_id) if organisation_name else None
        new_id = queries.insert_user(
            conn,
            {
                "organisation_id": org_id,
                "username": username,
                "password_hash": password_hash,
                "created_at": utc_timestamp(),
                "is_admin": admin,
                "failed_logins": 0,
            },
        )
        detail = {"object": "user_account", "id": new_id, "admin": admin, "organisation": org_id}
        custody.record(conn, [custody.NewEvent(CustodyEventType.CREATION, agent_id, detail=detail)])
    return new_id


def authenticate(instance: Instance, username: str, password: str, totp: str | None = None) -> int:
    """The ID of the user whose password (and, if they have one, second-factor code) this is.

    An unknown user, a wrong password, a disabled account and a locked account all raise the same
    :class:`PermissionDenied`, after the same argon2 work (done outside the write lock). The tenth failure
    in a row locks the account for :data:`LOCKOUT_FOR`; a success clears the count. A wrong or replayed
    TOTP code counts as a failure too. Only once the password is right does the error say that a code is
    missing or wrong, or that the account must set up a second factor first.
    """
    with read_transaction(instance.engine) as conn:
        row = queries.account_named(conn, username.strip())
    profile = instance.settings.password_hashing
    matches = _verify(row.password_hash if row is not None else _dummy_hash(profile), password)
    if row is None:
        raise PermissionDenied(_LOGIN_FAILED)
    now = datetime.now(UTC)
    refusal: PermissionDenied = PermissionDenied(_LOGIN_FAILED)
    with write_transaction(instance.engine) as conn:
        current = queries.sign_in_state(conn, row.id)
        locked = current.locked_until is not None and current.locked_until > utc_timestamp(now)
        if matches and not locked and not row.disabled:
            changes: dict[str, Any] = {"failed_logins": 0, "locked_until": None}
            if current.totp_secret is not None:
                proven = _second_factor(conn, row.id, current, totp or "", now)
                if proven is None:
                    _count_failure(conn, row.id, now)
                    refusal = _second_factor_refusal(totp)
                    changes = {}
                else:
                    changes |= proven
            elif current.totp_required:
                refusal = credentials.refuse_without_totp()
                changes = {}
            if changes:
                if _instance_hasher(instance).check_needs_rehash(row.password_hash):
                    changes["password_hash"] = _instance_hasher(instance).hash(password)
                queries.update_account(conn, row.id, changes)
                return row.id
        elif not matches and not locked:
            _count_failure(conn, row.id, now)
    raise refusal


def _second_factor(
    conn: Connection, user_id: int, current: SignInState, code: str, now: datetime
) -> dict[str, Any] | None:
    """The account's changes if ``code`` proves its second factor (a fresh TOTP code, whose step is
    then stored, or an unused recovery code, which is then spent); None if it does not."""
    if current.totp_secret is None:
        return None
    step = credentials.totp_step(current.totp_secret, code, current.totp_last_step, now)
    if step is not None:
        return {"totp_last_step": step}
    if credentials.use_recovery_code(conn, user_id, code, now):
        return {}
    return None


def reauthenticate(instance: Instance, user_id: int, password: str, code: str = "") -> None:
    """Make sure the signed-in user is at the keyboard before a change to how they sign in: their
    password again and, if they have a second factor, a code from it (or a recovery code).

    A wrong password or code counts towards the lockout exactly as at sign-in, and a locked or disabled
    account is refused. The refusal names the field (``password`` or ``totp``), never its value.
    """
    with read_transaction(instance.engine) as conn:
        row = queries.account_with_id(conn, user_id)
    if row is None:  # the ID comes from a live session, so this is no oracle for usernames
        raise NotFound("no user has this ID", where=str(user_id))
    matches = _verify(row.password_hash, password)
    now = datetime.now(UTC)
    refusal = PermissionDenied(
        "the password is wrong, or the account is locked for a while",
        errors={"password": "type the password you sign in with"},
    )
    with write_transaction(instance.engine) as conn:
        current = queries.sign_in_state(conn, user_id)
        locked = current.locked_until is not None and current.locked_until > utc_timestamp(now)
        if locked or row.disabled:
            raise refusal
        proven = (
            None if not matches
            else {} if current.totp_secret is None
            else _second_factor(conn, user_id, current, code, now)
        )  # fmt: skip
        if proven is None:
            _count_failure(conn, user_id, now)
        elif proven:
            queries.update_account(conn, user_id, proven)
    if proven is None:
        raise refusal if not matches else _second_factor_refusal(code)


def _second_factor_refusal(given: str | None) -> PermissionDenied:
    if not given:
        return PermissionDenied(
            "this account needs a second-factor code",
            errors={"totp": "enter the six digits your authenticator app shows"},
        )
    return PermissionDenied(
        "the second-factor code is wrong or was already used",
        errors={"totp": "wait for the next code and try again"},
    )


def _verify(stored: str, password: str) -> bool:
    try:
        # The stored hash names its own parameters, so any profile's hasher verifies it.
        return _hasher(HASH_PROFILE_DEFAULT).verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(conn: Connection, user_id: int, now: datetime) -> None:
    if queries.add_failed_login(conn, user_id) >= LOCKOUT_AFTER:
        until = utc_timestamp(now + LOCKOUT_FOR)
        queries.update_account(conn, user_id, {"failed_logins": 0, "locked_until": until})


def _user_id(connection: Connection, username: str) -> int:
    found = queries.user_id_named(connection, username.strip())
    if found is None:
        raise NotFound("no user has this username", where=username)
    return found


def _parse_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        choices = ", ".join(r.value for r in Role)
        raise InvalidInput(
            "unknown role", where=role, errors={"role": f"one of {choices}"}
        ) from None


def grant_role(instance: Instance, username: str, case_name: str, role: str) -> int:
    """Give ``username`` ``role`` on a case (replacing any other role there); return the grant's ID."""
    wanted = _parse_role(role)
    with recording(instance) as conn:
        policy.require_admin(conn, instance)
        return _grant(conn, _user_id(conn, username), case_id(conn, case_name), wanted)


def create_case_for(
    instance: Instance, user_id: int, name: str, *, situation_name: str | None = None
) -> str:
    """Create a case with ``user_id`` as its coordinator, in one transaction (a user who may create
    cases must be able to work in the one they create). Creating cases is asked by
    :func:`cases.create_case`; making someone else its coordinator is for administrators."""

    def make_coordinator(conn: Connection, cid: str) -> None:
        policy.require_self_or_admin(conn, instance, user_id)
        _grant(conn, user_id, cid, Role.COORDINATOR)

    return cases.create_case(instance, name, situation_name=situation_name, also=make_coordinator)


def _grant(conn: Connection, user_id: int, cid: str, wanted: Role) -> int:
    agent_id = acting_agent(conn)
    events = []
    lock_log(conn)  # the role read below holds until commit
    current = queries.active_grant(conn, user_id, cid)
    if current is not None and current[1] == wanted.value:
        raise Conflict(f"the user already has the {wanted.value} role on this case")
    now = utc_timestamp()
    if current is not None:
        queries.end_grant(conn, current[0], now)
        events.append(_change(agent_id, cid, user_id, current, "revoke"))
    grant_id = queries.insert_grant(
        conn,
        {
            "user_id": user_id,
            "case_id": cid,
            "role": wanted.value,
            "granted_by": agent_id,
            "granted_at": now,
        },
    )
    events.append(_change(agent_id, cid, user_id, (grant_id, wanted.value), "grant"))
    custody.record(conn, events)
    return grant_id


def revoke_role(instance: Instance, username: str, case_name: str) -> None:
    """Take away ``username``'s role on a case."""
    with recording(instance) as conn:
        policy.require_admin(conn, instance)
        user_id = _user_id(conn, username)
        cid = case_id(conn, case_name)
        lock_log(conn)  # the role read below holds until commit
        current = queries.active_grant(conn, user_id, cid)
        if current is None:
            raise NotFound("the user has no role on this case", where=case_name)
        queries.end_grant(conn, current[0], utc_timestamp())
        event = _change(acting_agent(conn), cid, user_id, current, "revoke")
        custody.record(conn, [event])


def _change(
    agent_id: int, cid: str, user_id: int, grant: tuple[int, str], change: str
) -> custody.NewEvent:
    """A ``role-change`` event for ``grant`` (the ``case_role`` row's ID and role): IDs only."""
    grant_id, role = grant
    detail = {
        "object": "case_role",
        "id": grant_id,
        "user": user_id,
        "role": role,
        "change": change,
    }
    return custody.NewEvent(CustodyEventType.ROLE_CHANGE, agent_id, case_id=cid, detail=detail)


def actor(connection: Connection, user_id: int) -> Actor | None:
    """The policy's view of a user: flags and active roles (``None`` if there is no such user)."""
    found = actor_and_name(connection, user_id)
    return None if found is None else found[0]


def actor_and_name(connection: Connection, user_id: int) -> tuple[Actor, str] | None:
    """:func:`actor`, with the username (for showing who is signed in), in one query."""
    return policy.actor_and_name(connection, user_id)


def set_blur_graphic(instance: Instance, user_id: int, blur: bool) -> None:
    """A user's own choice: whether media previews start blurred and grey until clicked."""
    with write_transaction(instance.engine) as conn:
        policy.require_self_or_admin(conn, instance, user_id)
        changed = queries.update_account(conn, user_id, {"blur_graphic": blur})
    if not changed:
        raise NotFound("no user has this ID", where=str(user_id))


def can(instance: Instance, user_id: int, action: Action, case_ref: str | None) -> bool:
    """Whether the user may do ``action`` on the case named (or with the ID) ``case_ref``.

    An unknown user or an unknown case is simply denied, so a refusal does not tell which exists.
    Asked about oneself, or by an administrator.
    """
    with read_transaction(instance.engine) as conn:
        policy.require_self_or_admin(conn, instance, user_id, reading=True)
        subject = actor(conn, user_id)
        if subject is None:
            return False
        cid: str | None = None
        if case_ref is not None:
            try:
                cid = case_id(conn, case_ref)
            except NotFound:
                return False
    return decide(subject, action, cid).allowed


def list_users(instance: Instance) -> list[UserSummary]:
    """Every account, with its organisation and its active role on each case (by case name).
    Administrators only."""
    with read_transaction(instance.engine) as conn:
        policy.require_admin(conn, instance)
        return _summaries(conn, None)


def describe(instance: Instance, user_id: int) -> UserSummary:
    """One account, as :func:`list_users` shows it: to the account itself, or an administrator."""
    with read_transaction(instance.engine) as conn:
        policy.require_self_or_admin(conn, instance, user_id, reading=True)
        found = _summaries(conn, user_id)
    if not found:
        raise NotFound("no user has this ID", where=str(user_id))
    return found[0]


def _summaries(conn: Connection, user_id: int | None) -> list[UserSummary]:
    users = queries.accounts_listed(conn, user_id)
    roles: dict[int, dict[str, str]] = {}
    for uid, case_name, role in queries.active_roles_by_case_name(conn, user_id):
        roles.setdefault(uid, {})[case_name] = role
    return [
        UserSummary(
            int(u["id"]),
            u["username"],
            u["organisation"],
            bool(u["is_admin"]),
            u["disabled_at"] is not None,
            dict(sorted(roles.get(int(u["id"]), {}).items())),
            bool(u["blur_graphic"]),
            bool(u["has_totp"]),
        )
        for u in users
    ]


def has_admin(instance: Instance) -> bool:
    """Whether any account is an instance administrator (until one is, the web offers first-run setup)."""
    with read_transaction(instance.engine) as conn:
        return queries.any_admin(conn)


def principal_named(instance: Instance, username: str) -> Principal:
    """The principal of the account called ``username``, for the CLI's ``--as``: refused if there is no
    such account or it is disabled (the owner's keys open the home; ``--as`` narrows what they do)."""
    with read_transaction(instance.engine) as conn:
        try:
            user_id = _user_id(conn, username)
        except NotFound:
            raise NotFound(
                "no account has this username", where="--as", hint="`testament user list`"
            ) from None
        found = policy.actor_and_name(conn, user_id)
    if found is None or found[0].disabled:
        raise PermissionDenied("this account is disabled", where="--as")
    subject, name = found
    return Principal(user_id, subject, "write", "cli", username=name)
