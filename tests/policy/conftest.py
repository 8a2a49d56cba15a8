"""What the policy tests share: a world with a record of every kind, accounts with and without roles,
and :func:`refusals`, which runs each use case as each account that must be refused.

The world is ``tests.api.test_hidden_records``'s: Case B holds a record of every kind; anna is an
analyst on Case A only (no role on Case B), root is an instance administrator. Here vera is a viewer
and dmytro a documenter on Case B, so a write can be tried by someone who may read but not act.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import custody_log
from testament.custody.instance import Instance
from testament.errors import NotFound, PermissionDenied
from tests.api.test_hidden_records import PASSWORD, _build

STRANGER = "anna"  # no role on Case B
VIEWER = "vera"  # viewer on Case B
DOCUMENTER = "dmytro"  # documenter on Case B
ADMIN = "root"

Call = Callable[[Instance, dict[str, Any]], object]


@dataclass(frozen=True)
class UseCase:
    """How to call one use case on the world, and which accounts it must refuse."""

    call: Call
    refuses: tuple[str, ...] = (STRANGER,)
    # Run as ``allowed_as`` after the refusals, it must not be refused: a call that fails for another
    # reason (a wrong ID) would otherwise pass for a refusal. None where it would spoil the world.
    allowed_as: str | None = ADMIN


WRITE = (STRANGER, VIEWER)  # a write: refused to a stranger and to a reader of the case
DOCUMENTERS_TOO = (STRANGER, VIEWER, DOCUMENTER)  # needs more than the documenter role
NOT_ADMIN = (STRANGER, VIEWER, DOCUMENTER)  # instance-wide: administrators only

_COUNTER = itertools.count(1)


def fresh(what: str, sep: str = " ") -> str:
    """A name no other call in this test run gives: ``what`` and a number."""
    return f"{what}{sep}{next(_COUNTER)}"


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    ids = _build(instance, tmp_path)
    accounts.create_user(instance, VIEWER, PASSWORD)
    accounts.grant_role(instance, VIEWER, "Case B", "viewer")
    accounts.create_user(instance, DOCUMENTER, PASSWORD)
    accounts.grant_role(instance, DOCUMENTER, "Case B", "documenter")
    ids["tmp_path"] = tmp_path
    return ids


def as_account(instance: Instance, username: str) -> Instance:
    return instance.acting_for(accounts.principal_named(instance, username))


def _log_size(instance: Instance) -> int:
    return custody_log.status(instance).size


def refusals(instance: Instance, world: dict[str, Any], table: Mapping[str, UseCase]) -> list[str]:
    """Every way a use case of ``table`` failed to refuse (or wrote while refusing); empty if none."""
    failures: list[str] = []
    for name, use_case in table.items():
        for username in use_case.refuses:
            before = _log_size(instance)
            try:
                use_case.call(as_account(instance, username), world)
            except (PermissionDenied, NotFound):
                pass
            except Exception as exc:
                failures.append(f"{name}: {username} got {type(exc).__name__}: {exc}")
            else:
                failures.append(f"{name}: {username} was not refused")
            if _log_size(instance) != before:
                failures.append(f"{name}: refusing {username} wrote to the custody log")
        if use_case.allowed_as is not None:
            try:
                use_case.call(as_account(instance, use_case.allowed_as), world)
            except (PermissionDenied, NotFound) as exc:
                failures.append(f"{name}: {use_case.allowed_as} was refused too: {exc}")
            except Exception:  # noqa: S110 - only a refusal matters here
                pass
    return failures
