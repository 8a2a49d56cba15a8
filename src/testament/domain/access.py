"""Who may do what on a case: roles, actions and the one policy decision (docs/accounts.md).

Pure and stdlib-only. Every permission check in Testament goes through :func:`decide`, which denies unless
a rule allows: an enabled instance administrator may do everything; anyone else may act on a case only
through an active role on that case, and only if that role ranks at or above the action's minimum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

# How long a browser session lasts in all (accounts), and so how long a view's access reference does.
SESSION_LIFETIME = timedelta(hours=12)


class Role(StrEnum):
    """Roles on one case, from least to most trusted (:data:`ROLE_RANK`)."""

    VIEWER = "viewer"
    DOCUMENTER = "documenter"
    ANALYST = "analyst"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


ROLE_RANK: dict[Role, int] = {role: rank for rank, role in enumerate(Role)}


class Action(StrEnum):
    """What a user asks to do on a case."""

    READ = "read"
    DOCUMENT = "document"
    ANALYSE = "analyse"
    MANAGE_CASE = "manage-case"
    MANAGE_USERS = "manage-users"
    REVEAL_IDENTITY = "reveal-identity"


MINIMUM_ROLE: dict[Action, Role] = {
    Action.READ: Role.VIEWER,
    Action.DOCUMENT: Role.DOCUMENTER,
    Action.ANALYSE: Role.ANALYST,
    Action.MANAGE_CASE: Role.COORDINATOR,
    Action.MANAGE_USERS: Role.ADMIN,
    Action.REVEAL_IDENTITY: Role.ADMIN,
}

WRITE_ACTIONS: frozenset[Action] = frozenset(set(Action) - {Action.READ})


@dataclass(frozen=True)
class Actor:
    """A user as the policy sees them: the flags that matter and their active role on each case."""

    user_id: int
    is_admin: bool = False
    disabled: bool = False
    roles: Mapping[str, Role] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


def decide(user: Actor, action: Action, case_id: str | None) -> Decision:
    """Whether ``user`` may do ``action`` on the case ``case_id`` (``None``: the instance as a whole)."""
    if user.disabled:
        return Decision(False, "the account is disabled")
    if user.is_admin:
        return Decision(True, "instance administrator")
    if case_id is None:
        return Decision(False, "only an instance administrator acts outside a case")
    role = user.roles.get(case_id)
    if role is None:
        return Decision(False, "no role on this case")
    needed = MINIMUM_ROLE[action]
    if ROLE_RANK[role] < ROLE_RANK[needed]:
        return Decision(False, f"{action.value} needs the {needed.value} role or above")
    return Decision(True, f"{role.value} on this case")


def decide_anywhere(user: Actor, action: Action) -> Decision:
    """Whether ``user`` may do ``action`` on shared records (units, situations): a role that allows it on
    at least one case is enough, since such records serve every case."""
    if user.disabled:
        return Decision(False, "the account is disabled")
    if user.is_admin:
        return Decision(True, "instance administrator")
    needed = MINIMUM_ROLE[action]
    if any(ROLE_RANK[role] >= ROLE_RANK[needed] for role in user.roles.values()):
        return Decision(True, f"{needed.value} or above on some case")
    return Decision(False, f"{action.value} needs the {needed.value} role on at least one case")


@dataclass(frozen=True)
class Principal:
    """Who acts: the account (``user_id``, with its policy view ``actor``) and how they came in.

    ``actor`` None with ``via`` "owner" or "operator" is the instance owner, the operating-system user
    who holds the home's keys (the CLI by default, the API's operator token): every power, as the keys
    give it anyway. ``via`` "nobody" may do nothing. ``scope`` "read" refuses every write action.
    """

    user_id: int | None
    actor: Actor | None
    scope: str
    via: str
    session_id: int | None = None
    csrf_token: str | None = None
    username: str | None = None

    @property
    def is_owner(self) -> bool:
        return self.actor is None and self.via in {"owner", "operator"}


OWNER = Principal(None, None, "write", "owner")
NOBODY = Principal(None, None, "read", "nobody")
