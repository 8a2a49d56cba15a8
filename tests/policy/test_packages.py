"""Each packages use case refuses an account without the role, in its own transaction, and writes
nothing when it does: making an evidence package is an analyst's, as an export is."""

from __future__ import annotations

from typing import Any

from testament.custody.instance import Instance
from testament.packages import create, importing
from tests.policy.conftest import DOCUMENTERS_TOO, WRITE, UseCase, fresh, refusals


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


USE_CASES: dict[str, UseCase] = {
    "create.create": UseCase(_package, refuses=DOCUMENTERS_TOO),
    "importing.import_package": UseCase(_import, refuses=WRITE),
}

NOT_USE_CASES: dict[str, str] = {}


def test_each_use_case_refuses_an_account_without_the_role(
    instance: Instance, world: dict[str, Any]
) -> None:
    failures = refusals(instance, world, USE_CASES)
    assert failures == [], "\n".join(failures)
