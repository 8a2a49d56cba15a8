"""The access policy over every role, action and grant set (domain/access.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from testament.domain.access import (
    ROLE_RANK,
    WRITE_ACTIONS,
    Action,
    Actor,
    Role,
    decide,
)

CASES = st.sampled_from(["case-a", "case-b", "case-c"])
ROLES = st.sampled_from(list(Role))
ACTIONS = st.sampled_from(list(Action))
GRANTS = st.dictionaries(CASES, ROLES, max_size=3)


@given(user_id=st.integers(1, 10**6), grants=GRANTS, case=CASES, action=ACTIONS)
def test_no_grant_on_a_case_means_nothing_on_it(
    user_id: int, grants: dict[str, Role], case: str, action: Action
) -> None:
    grants.pop(case, None)
    assert not decide(Actor(user_id, roles=grants), action, case)


@given(grants=GRANTS, case=CASES, action=st.sampled_from(sorted(WRITE_ACTIONS)))
def test_a_viewer_never_writes(grants: dict[str, Role], case: str, action: Action) -> None:
    grants[case] = Role.VIEWER
    assert not decide(Actor(1, roles=grants), action, case)


@given(lower=ROLES, higher=ROLES, case=CASES, action=ACTIONS)
def test_a_higher_role_may_do_whatever_a_lower_one_may(
    lower: Role, higher: Role, case: str, action: Action
) -> None:
    if ROLE_RANK[lower] > ROLE_RANK[higher]:
        lower, higher = higher, lower
    if decide(Actor(1, roles={case: lower}), action, case):
        assert decide(Actor(1, roles={case: higher}), action, case)


@given(grants=GRANTS, case=st.one_of(st.none(), CASES), action=ACTIONS, admin=st.booleans())
def test_a_disabled_account_is_always_denied(
    grants: dict[str, Role], case: str | None, action: Action, admin: bool
) -> None:
    assert not decide(Actor(1, is_admin=admin, disabled=True, roles=grants), action, case)


@given(case=st.one_of(st.none(), CASES), action=ACTIONS)
def test_an_instance_admin_may_do_everything(case: str | None, action: Action) -> None:
    assert decide(Actor(1, is_admin=True), action, case)


@given(grants=GRANTS, action=ACTIONS)
def test_only_an_admin_acts_outside_a_case(grants: dict[str, Role], action: Action) -> None:
    assert not decide(Actor(1, roles=grants), action, None)
