"""Accounts: argon2id passwords, lockout, per-case roles as custody events, and the policy via `can`."""

from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update

from testament.accounts import accounts
from testament.custody import cases, verification
from testament.custody.instance import Instance
from testament.domain.access import Action
from testament.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from testament.storage.engine import read_transaction, write_transaction
from testament.storage.tables import custody_event, log_entry, user_account

USERNAME = "wanda.kowalska"
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password


@pytest.fixture
def two_cases(instance: Instance) -> Instance:
    cases.create_case(instance, "Case A")
    cases.create_case(instance, "Case B")
    return instance


def _stored_hash(instance: Instance, user_id: int) -> str:
    with read_transaction(instance.engine) as conn:
        query = select(user_account.c.password_hash).where(user_account.c.id == user_id)
        return str(conn.execute(query).scalar_one())


def _login_error(instance: Instance, username: str, password: str) -> str:
    with pytest.raises(PermissionDenied) as caught:
        accounts.authenticate(instance, username, password)
    return caught.value.diagnostics()


def test_the_password_is_stored_as_argon2id_and_verifies(instance: Instance) -> None:
    user_id = accounts.create_user(instance, USERNAME, PASSWORD, organisation_name="Truth Hounds")
    stored = _stored_hash(instance, user_id)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert PasswordHasher().verify(stored, PASSWORD)
    assert accounts.authenticate(instance, USERNAME, PASSWORD) == user_id
    [summary] = accounts.list_users(instance)
    assert (summary.username, summary.organisation, summary.is_admin) == (
        USERNAME,
        "Truth Hounds",
        False,
    )


@pytest.mark.parametrize(
    ("password", "problem"),
    [("short pass", "at least 12 characters"), ("my-wanda.KOWALSKA-pass", "must not contain")],
)
def test_a_weak_password_is_refused_without_echoing_it(
    instance: Instance, password: str, problem: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        accounts.create_user(instance, USERNAME, password)
    assert problem in caught.value.errors["password"]
    assert password not in caught.value.diagnostics()
    assert accounts.list_users(instance) == []


def test_a_username_is_taken_once(instance: Instance) -> None:
    accounts.create_user(instance, USERNAME, PASSWORD)
    with pytest.raises(Conflict):
        accounts.create_user(instance, USERNAME, PASSWORD + "!")


def test_ten_failures_lock_the_account_with_the_unknown_user_message(instance: Instance) -> None:
    user_id = accounts.create_user(instance, USERNAME, PASSWORD)
    unknown = _login_error(instance, "nobody.at.all", PASSWORD)
    for _ in range(accounts.LOCKOUT_AFTER):
        assert _login_error(instance, USERNAME, "wrong password, again") == unknown
    assert _login_error(instance, USERNAME, PASSWORD) == unknown  # locked, even with the password
    assert PASSWORD not in unknown
    with write_transaction(instance.engine) as conn:
        past = "2000-01-01T00:00:00.000000Z"
        conn.execute(update(user_account).values(locked_until=past))
    assert accounts.authenticate(instance, USERNAME, PASSWORD) == user_id


def test_a_success_clears_the_failure_count(instance: Instance) -> None:
    accounts.create_user(instance, USERNAME, PASSWORD)
    for _ in range(accounts.LOCKOUT_AFTER - 1):
        _login_error(instance, USERNAME, "wrong password, again")
    accounts.authenticate(instance, USERNAME, PASSWORD)
    _login_error(instance, USERNAME, "wrong password, again")
    assert accounts.authenticate(instance, USERNAME, PASSWORD)


def _role_events(instance: Instance) -> list[dict[str, object]]:
    with read_transaction(instance.engine) as conn:
        rows = conn.execute(
            select(custody_event.c.detail)
            .where(custody_event.c.event_type == "role-change")
            .order_by(custody_event.c.log_index)
        ).scalars()
        return [json.loads(detail) for detail in rows]


def test_grant_and_revoke_are_custody_events_naming_only_ids(two_cases: Instance) -> None:
    user_id = accounts.create_user(two_cases, USERNAME, PASSWORD, organisation_name="Truth Hounds")
    accounts.grant_role(two_cases, USERNAME, "Case A", "viewer")
    accounts.grant_role(two_cases, USERNAME, "Case A", "documenter")
    with pytest.raises(Conflict):
        accounts.grant_role(two_cases, USERNAME, "Case A", "documenter")
    accounts.revoke_role(two_cases, USERNAME, "Case A")
    with pytest.raises(NotFound):
        accounts.revoke_role(two_cases, USERNAME, "Case A")
    changes = [(e["change"], e["role"], e["user"]) for e in _role_events(two_cases)]
    assert changes == [
        ("grant", "viewer", user_id),
        ("revoke", "viewer", user_id),
        ("grant", "documenter", user_id),
        ("revoke", "documenter", user_id),
    ]
    with read_transaction(two_cases.engine) as conn:
        log_bytes = b"".join(conn.execute(select(log_entry.c.data)).scalars())
    assert USERNAME.encode() not in log_bytes
    assert b"Truth Hounds" not in log_bytes
    assert [f for f in verification.run(two_cases) if not f.ok] == []


def test_an_unknown_role_is_refused(two_cases: Instance) -> None:
    accounts.create_user(two_cases, USERNAME, PASSWORD)
    with pytest.raises(InvalidInput) as caught:
        accounts.grant_role(two_cases, USERNAME, "Case A", "owner")
    assert "viewer" in caught.value.errors["role"]


def test_roles_decide_per_case(two_cases: Instance) -> None:
    viewer = accounts.create_user(two_cases, "viewer.one", PASSWORD)
    documenter = accounts.create_user(two_cases, "documenter.one", PASSWORD)
    admin = accounts.create_user(two_cases, "admin.one", PASSWORD, admin=True)
    accounts.grant_role(two_cases, "viewer.one", "Case A", "viewer")
    accounts.grant_role(two_cases, "documenter.one", "Case A", "documenter")
    assert accounts.can(two_cases, viewer, Action.READ, "Case A")
    assert not accounts.can(two_cases, viewer, Action.DOCUMENT, "Case A")
    assert accounts.can(two_cases, documenter, Action.DOCUMENT, "Case A")
    for user_id in (viewer, documenter):
        assert not accounts.can(two_cases, user_id, Action.READ, "Case B")
        assert not accounts.can(two_cases, user_id, Action.READ, None)
    assert accounts.can(two_cases, admin, Action.MANAGE_USERS, "Case B")
    assert not accounts.can(two_cases, admin, Action.READ, "no such case")
    assert not accounts.can(two_cases, 9999, Action.READ, "Case A")
    accounts.revoke_role(two_cases, "documenter.one", "Case A")
    assert not accounts.can(two_cases, documenter, Action.READ, "Case A")
