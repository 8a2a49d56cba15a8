"""The cost of password hashing comes from the settings: RFC 9106 by default, a test-only profile apart."""

from __future__ import annotations

from dataclasses import replace

import pytest
from argon2 import PasswordHasher, extract_parameters, profiles
from sqlalchemy import select

from testament.accounts import accounts
from testament.config import (
    HASH_PROFILE_DEFAULT,
    HASH_PROFILE_TEST_ONLY,
    HASH_PROFILES,
    load_settings,
)
from testament.custody.instance import Instance, open_instance
from testament.errors import InvalidInput
from testament.storage.engine import read_transaction
from testament.storage.tables import user_account
from tests.conftest import SQLITE_ONLY, Cli

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password


def _stored_hash(instance: Instance, user_id: int) -> str:
    with read_transaction(instance.engine) as conn:
        query = select(user_account.c.password_hash).where(user_account.c.id == user_id)
        return str(conn.execute(query).scalar_one())


def test_the_default_is_argon2_cffis_own_and_every_profile_has_parameters() -> None:
    assert load_settings({}).password_hashing == HASH_PROFILE_DEFAULT
    assert (
        load_settings({"TESTAMENT_PASSWORD_HASHING": ""}).password_hashing == HASH_PROFILE_DEFAULT
    )
    default = PasswordHasher()
    chosen = accounts.HASH_PARAMETERS[HASH_PROFILE_DEFAULT]
    assert (chosen.time_cost, chosen.memory_cost, chosen.parallelism) == (
        default.time_cost,
        default.memory_cost,
        default.parallelism,
    )
    assert (chosen.hash_len, chosen.salt_len, chosen.type) == (
        default.hash_len,
        default.salt_len,
        default.type,
    )
    assert accounts.HASH_PARAMETERS["rfc9106-high-memory"] == profiles.RFC_9106_HIGH_MEMORY
    assert set(accounts.HASH_PARAMETERS) == set(HASH_PROFILES)


@pytest.mark.parametrize("name", ["cheap", "CHEAPEST", "rfc9106", "t=1,m=8"])
def test_a_profile_that_is_not_named_is_refused(name: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        load_settings({"TESTAMENT_PASSWORD_HASHING": name})
    assert "TESTAMENT_PASSWORD_HASHING" in refused.value.diagnostics()


def test_a_hash_is_made_at_the_settings_cost_and_upgraded_at_sign_in(instance: Instance) -> None:
    assert instance.settings.password_hashing == HASH_PROFILE_TEST_ONLY  # tests/conftest.py
    user_id = accounts.create_user(instance, "wanda.kowalska", PASSWORD)
    cheap = extract_parameters(_stored_hash(instance, user_id))
    assert (cheap.time_cost, cheap.memory_cost, cheap.parallelism) == (1, 8, 1)
    assert (cheap.hash_len, cheap.salt_len) == (32, 16)

    served = open_instance(replace(instance.settings, password_hashing=HASH_PROFILE_DEFAULT))
    try:
        assert accounts.authenticate(served, "wanda.kowalska", PASSWORD) == user_id
        assert extract_parameters(_stored_hash(served, user_id)) == profiles.RFC_9106_LOW_MEMORY
        assert accounts.authenticate(served, "wanda.kowalska", PASSWORD) == user_id
    finally:
        served.close()


@SQLITE_ONLY
@pytest.mark.parametrize("command", [("serve",), ("api", "serve")])
def test_no_server_starts_with_the_test_profile(cli: Cli, command: tuple[str, ...]) -> None:
    refused = cli(*command, "--port", "1")
    assert refused.returncode == 2, refused.stderr
    assert "refusing to serve" in refused.stderr
    assert "TESTAMENT_PASSWORD_HASHING" in refused.stderr
