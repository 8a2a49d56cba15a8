"""Each packages use case refuses an account without the role, in its own transaction, and writes
nothing when it does: making an evidence package is an analyst's, as an export is."""

from __future__ import annotations

from typing import Any

import pytest

from testament.custody.instance import Instance
from testament.packages import create, importing, sharing
from testament.transfer.disclosure import Audience
from tests.policy.conftest import (
    ADMIN,
    DOCUMENTERS_TOO,
    STRANGER,
    WRITE,
    UseCase,
    as_account,
    fresh,
    refusals,
)


def _package(inst: Instance, w: dict[str, Any]) -> object:
    out = w["tmp_path"] / fresh("package", "-")
    try:
        return create.create(
            inst,
            create.PackageRequest("Case B", "icc-otp", "criminal-investigation", "ICC OTP", out),
        )
    finally:
        assert not out.exists() or inst.principal.username == "root"  # a refusal leaves no package


def _import(inst: Instance, w: dict[str, Any]) -> object:
    # The policy is asked before the package is read: a refusal reads nothing and writes nothing.
    missing = w["tmp_path"] / fresh("no-package", "-")
    return importing.import_package(inst, importing.ImportRequest(missing, "Case B", "a key"))


ICC = Audience("icc-otp", "criminal-investigation", "ICC OTP")


@pytest.fixture
def world(world: dict[str, Any], instance: Instance) -> dict[str, Any]:
    """The policy world, with two sharing requests made by the owner: one waiting, one approved."""
    world["asked"] = sharing.ask(instance, "Case B", ICC, sharing.Selection())
    world["approved"] = sharing.ask(instance, "Case B", ICC, sharing.Selection())
    sharing.decide(as_account(instance, ADMIN), world["approved"], approve=True)
    return world


USE_CASES: dict[str, UseCase] = {
    "create.create": UseCase(_package, refuses=DOCUMENTERS_TOO),
    # Sharing from the browser: an analyst asks, a coordinator decides and builds, the asker downloads.
    "sharing.preview": UseCase(
        lambda inst, w: sharing.preview(inst, "Case B", ICC, sharing.Selection()),
        refuses=DOCUMENTERS_TOO,
    ),
    "sharing.ask": UseCase(
        lambda inst, w: sharing.ask(inst, "Case B", ICC, sharing.Selection()),
        refuses=DOCUMENTERS_TOO,
    ),
    "sharing.decide": UseCase(
        lambda inst, w: sharing.decide(inst, w["asked"], approve=True), refuses=DOCUMENTERS_TOO
    ),
    "sharing.build": UseCase(
        lambda inst, w: sharing.build(inst, w["approved"]), refuses=DOCUMENTERS_TOO
    ),
    "sharing.download": UseCase(
        lambda inst, w: sharing.download(inst, w["asked"]), refuses=WRITE, allowed_as=None
    ),
    "sharing.requests": UseCase(
        lambda inst, w: sharing.requests(inst), refuses=(), allowed_as=STRANGER
    ),
    "sharing.register": UseCase(
        lambda inst, w: sharing.register(inst), refuses=(), allowed_as=STRANGER
    ),
    "importing.import_package": UseCase(_import, refuses=WRITE),
}

NOT_USE_CASES: dict[str, str] = {
    "sharing.packages_dir": "where built packages are kept under the home: a path, not an action",
    "sharing.interrupted": "a start-up step of the server, run as the owner before any request",
}


def test_each_use_case_refuses_an_account_without_the_role(
    instance: Instance, world: dict[str, Any]
) -> None:
    failures = refusals(instance, world, USE_CASES)
    assert failures == [], "\n".join(failures)
