"""Each accounts use case refuses an account without the right, in its own transaction.

Accounts and roles are instance-wide administration, for administrators; an account's own settings
(its second factor, its tokens, its preferences) are for the account itself or an administrator.
What runs before anyone is identified, or identifies them, is not a use case.
"""

from __future__ import annotations

from typing import Any

import pytest

from testament.accounts import accounts, credentials, second_factor
from testament.custody.instance import Instance
from testament.domain.access import NOBODY, Action
from testament.errors import NotFound, PermissionDenied
from tests.api.test_hidden_records import PASSWORD
from tests.policy.conftest import (
    ADMIN,
    DOCUMENTER,
    NOT_ADMIN,
    VIEWER,
    UseCase,
    as_account,
    fresh,
    refusals,
)

OTHER = "iryna"  # an account none of those refused is: a documenter on Case B


def _id(instance: Instance, username: str) -> int:
    found = accounts.principal_named(instance, username).user_id
    assert found is not None
    return found


USE_CASES: dict[str, UseCase] = {
    # Instance-wide administration.
    "accounts.create_user": UseCase(
        lambda inst, w: accounts.create_user(inst, fresh("newcomer", sep=""), PASSWORD),
        refuses=NOT_ADMIN,
    ),
    "accounts.grant_role": UseCase(
        lambda inst, w: accounts.grant_role(inst, OTHER, "Case A", "viewer"), refuses=NOT_ADMIN
    ),
    "accounts.revoke_role": UseCase(
        lambda inst, w: accounts.revoke_role(inst, OTHER, "Case A"), refuses=NOT_ADMIN
    ),
    "accounts.list_users": UseCase(lambda inst, w: accounts.list_users(inst), refuses=NOT_ADMIN),
    # Making someone else the coordinator of a new case (creating cases is asked by cases).
    "accounts.create_case_for": UseCase(
        lambda inst, w: accounts.create_case_for(inst, _id(inst, ADMIN), fresh("Case ", sep="")),
        refuses=NOT_ADMIN,
    ),
    # An account's own: the account itself, or an administrator.
    "accounts.describe": UseCase(
        lambda inst, w: accounts.describe(inst, _id(inst, OTHER)), refuses=NOT_ADMIN
    ),
    "accounts.can": UseCase(
        lambda inst, w: accounts.can(inst, _id(inst, OTHER), Action.READ, "Case B"),
        refuses=NOT_ADMIN,
    ),
    "accounts.set_blur_graphic": UseCase(
        lambda inst, w: accounts.set_blur_graphic(inst, _id(inst, OTHER), False),
        refuses=NOT_ADMIN,
    ),
    "credentials.recovery_codes_left": UseCase(
        lambda inst, w: credentials.recovery_codes_left(inst, _id(inst, OTHER)), refuses=NOT_ADMIN
    ),
    "credentials.create_token": UseCase(
        lambda inst, w: credentials.create_token(inst, OTHER, "laptop"), refuses=NOT_ADMIN
    ),
    "credentials.list_tokens": UseCase(
        lambda inst, w: credentials.list_tokens(inst, OTHER), refuses=NOT_ADMIN
    ),
    "credentials.revoke_token": UseCase(
        lambda inst, w: credentials.revoke_token(inst, w["other's token"]), refuses=NOT_ADMIN
    ),
    "second_factor.status": UseCase(
        lambda inst, w: second_factor.status(inst, _id(inst, OTHER)), refuses=NOT_ADMIN
    ),
    "second_factor.begin": UseCase(
        lambda inst, w: second_factor.begin(inst, _id(inst, OTHER), PASSWORD), refuses=NOT_ADMIN
    ),
    "second_factor.waiting": UseCase(
        lambda inst, w: second_factor.waiting(inst, _id(inst, OTHER)), refuses=NOT_ADMIN
    ),
    # A wrong code: an administrator is told so (invalid input, not a refusal).
    "second_factor.confirm": UseCase(
        lambda inst, w: second_factor.confirm(inst, _id(inst, OTHER), "000000"),
        refuses=NOT_ADMIN,
    ),
    # No second factor is set up: an administrator is told so (a conflict, not a refusal).
    "second_factor.remove": UseCase(
        lambda inst, w: second_factor.remove(inst, _id(inst, OTHER), PASSWORD, "000000"),
        refuses=NOT_ADMIN,
    ),
    # An administrator sets up, or requires, someone's second factor (after the above).
    "credentials.enrol_totp": UseCase(
        lambda inst, w: credentials.enrol_totp(inst, OTHER), refuses=NOT_ADMIN
    ),
    "credentials.require_totp": UseCase(
        lambda inst, w: credentials.require_totp(inst, OTHER, required=False), refuses=NOT_ADMIN
    ),
}

NOT_USE_CASES: dict[str, str] = {
    "accounts.authenticate": "signing in: runs before anyone is identified, and identifies them",
    "accounts.reauthenticate": "proves the signed-in user is at the keyboard; the second-factor "
    "use cases that call it ask the policy first",
    "accounts.has_admin": "whether first-run setup is open: asked before anyone is identified",
    "accounts.principal_named": "identifies the account the CLI's --as acts as",
    "credentials.open_session": "signing in: starts the session of an account just identified",
    "credentials.end_session": "signing out: ends the session whose cookie the caller holds",
    "credentials.session_holder": "identifies the caller behind a session cookie",
    "credentials.resolve_session": "identifies the caller behind a session cookie",
    "credentials.touch_session": "records a use of the caller's own session while identifying them",
    "credentials.api_token_holder": "identifies the caller behind an API token",
    "credentials.resolve_token": "identifies the caller behind an API token",
    "credentials.touch_token": "records a use of the caller's own token while identifying them",
    "scope.case_exists": "the edges' plumbing: whether a request would create its case, asked "
    "before the policy is (which then asks for the right to create cases)",
    "scope.cases_visible_to": "the edges' plumbing: the policy's answer for the given account",
}


@pytest.fixture
def tokens(instance: Instance, world: dict[str, Any]) -> dict[str, Any]:
    """The world, with an API token of an account none of those refused is."""
    world["other's token"], _ = credentials.create_token(instance, OTHER, "desktop")
    return world


def test_each_use_case_refuses_an_account_without_the_role(
    instance: Instance, tokens: dict[str, Any]
) -> None:
    failures = refusals(instance, tokens, USE_CASES)
    assert failures == [], "\n".join(failures)


def test_an_account_may_see_and_change_its_own_settings(
    instance: Instance, world: dict[str, Any]
) -> None:
    vera = as_account(instance, VIEWER)
    own = _id(instance, VIEWER)
    assert accounts.describe(vera, own).username == VIEWER
    accounts.set_blur_graphic(vera, own, False)
    token_id, _ = credentials.create_token(vera, VIEWER, "laptop")
    assert [t.id for t in credentials.list_tokens(vera, VIEWER)] == [token_id]
    credentials.revoke_token(vera, token_id)
    assert not second_factor.status(vera, own).enabled
    with pytest.raises(PermissionDenied):
        credentials.list_tokens(vera)  # every account's tokens: administrators only


def test_another_accounts_token_is_answered_as_absent(
    instance: Instance, tokens: dict[str, Any]
) -> None:
    with pytest.raises(NotFound, match="no API token has this ID"):
        credentials.revoke_token(as_account(instance, VIEWER), tokens["other's token"])
    with pytest.raises(PermissionDenied):  # whether or not the username exists
        credentials.list_tokens(as_account(instance, VIEWER), "nobody-at-all")


def test_a_coordinator_makes_cases_for_themselves_only(
    instance: Instance, world: dict[str, Any]
) -> None:
    accounts.grant_role(instance, VIEWER, "Case A", "coordinator")
    vera = as_account(instance, VIEWER)
    with pytest.raises(PermissionDenied):
        accounts.create_case_for(vera, _id(instance, DOCUMENTER), "Case C")
    accounts.create_case_for(vera, _id(instance, VIEWER), "Case C")
    assert accounts.describe(vera, _id(instance, VIEWER)).roles["Case C"] == "coordinator"


def test_nobody_makes_an_account_not_even_the_first_administrator(instance: Instance) -> None:
    """First-run setup acts as the owner once its one-time token is shown (web/routes_auth.py);
    without it, no request may make an account, and afterwards only administrators do."""
    nobody = instance.acting_for(NOBODY)
    for admin in (False, True):
        with pytest.raises(PermissionDenied):
            accounts.create_user(nobody, "first", PASSWORD, admin=admin)
    accounts.create_user(instance, "first", PASSWORD, admin=True)  # the owner, as setup does
    accounts.create_user(as_account(instance, "first"), "second", PASSWORD)
    with pytest.raises(PermissionDenied):
        accounts.create_user(as_account(instance, "second"), "third", PASSWORD)
