"""Each transfer use case refuses an account without the role, in its own transaction.

An export is an analyst's, and one that names people needs identity access (``reveal-identity``) too;
asking for a named export and approving one need identity access on the case (the approval, a second
person besides). Importing into a case is a documenter's; into a case the import creates, the work of
someone who may create cases.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.domain.access import NOBODY, OWNER
from testament.errors import NotFound, PermissionDenied
from testament.sharing.rejects import Rejects
from testament.survivors import consent
from testament.transfer import csv_update, disclosure, exports, import_jsonl, imports
from testament.transfer.results import UpdatePlan
from tests.api.test_hidden_records import PASSWORD
from tests.policy.conftest import (
    ADMIN,
    DOCUMENTER,
    DOCUMENTERS_TOO,
    STRANGER,
    VIEWER,
    WRITE,
    UseCase,
    as_account,
    fresh,
    refusals,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TIMEMAP = FIXTURES / "timemap" / "bellingcat-sample.json"
ICC = exports.Audience("icc-otp", "criminal-investigation", "ICC OTP")
MAPPING = {"testament-csv-mapping": 1, "id": "Ref", "fields": {"title": "Title"}}
ANALYST = "alla"  # an analyst on Case B: may export, may not name people


def _options(w: dict[str, Any]) -> imports.ImportOptions:
    return imports.ImportOptions(rejects=w["tmp_path"] / fresh("rejects", "-"))


def _export(inst: Instance, w: dict[str, Any]) -> exports.ExportReport:
    return exports.export(inst, "jsonl", "Case B", io.StringIO(), audience=ICC)


def _export_file(inst: Instance, w: dict[str, Any]) -> exports.ExportReport:
    path = w["tmp_path"] / f"{fresh('export', '-')}.jsonl"
    return exports.export_file(inst, "jsonl", "Case B", path, audience=ICC)


def _jsonl(inst: Instance, w: dict[str, Any]) -> imports.ImportReport:
    path = w["tmp_path"] / "empty.jsonl"
    path.write_text(json.dumps({"format": exports.JSONL_FORMAT, "version": 1}) + "\n")
    return import_jsonl.import_jsonl(inst, path, "Case B", _options(w))


def _csv(inst: Instance, w: dict[str, Any]) -> imports.ImportReport:
    data, spec = w["tmp_path"] / "rows.csv", w["tmp_path"] / "mapping.json"
    data.write_text(f"Ref,Title\n{fresh('row', '-')},Shelling of the market\n")
    spec.write_text(json.dumps(MAPPING))
    return imports.import_csv(inst, data, "Case B", spec, _options(w))


def _update_csv(w: dict[str, Any]) -> bytes:
    return f"id,title\n{w['incident_id']},Shelling of the market\n".encode()


def _apply_update(inst: Instance, w: dict[str, Any]) -> UpdatePlan:
    """Confirmed with the digest of the owner's own preview: the account's is what is asked."""
    owned = csv_update.preview(inst.acting_for(OWNER), "Case B", _update_csv(w), "update.csv")
    return csv_update.apply(inst, "Case B", _update_csv(w), "update.csv", digest=owned.digest)


def _run(inst: Instance, w: dict[str, Any]) -> imports.ImportReport:
    path = w["tmp_path"] / "nothing.jsonl"
    report = imports.ImportReport(str(path), "jsonl", "Case B", "")
    rejects = Rejects(w["tmp_path"] / "nothing.rejects", "jsonl")
    return imports.run(inst, report, _options(w), rejects, lambda run: None)


USE_CASES: dict[str, UseCase] = {
    # A named export: asked for and approved under identity access.
    "disclosure.request": UseCase(
        lambda inst, w: disclosure.request(
            inst, "Case B", "icc-otp", "criminal-investigation", "ICC OTP"
        ),
        refuses=DOCUMENTERS_TOO,
    ),
    "disclosure.case_of": UseCase(lambda inst, w: disclosure.case_of(inst, w["approval_id"])),
    "disclosure.pending": UseCase(
        lambda inst, w: disclosure.pending(inst), refuses=(), allowed_as=STRANGER
    ),
    "disclosure.approve": UseCase(
        lambda inst, w: disclosure.approve(inst, w["approval_id"]), refuses=DOCUMENTERS_TOO
    ),
    # Exports: an analyst's.
    "exports.export": UseCase(_export, refuses=DOCUMENTERS_TOO),
    "exports.export_file": UseCase(_export_file, refuses=DOCUMENTERS_TOO),
    # Imports: a documenter's.
    "imports.run": UseCase(_run, refuses=WRITE),
    "imports.import_timemap": UseCase(
        lambda inst, w: imports.import_timemap(inst, TIMEMAP, "Case B", _options(w)),
        refuses=WRITE,
    ),
    "imports.import_csv": UseCase(_csv, refuses=WRITE),
    "import_jsonl.import_jsonl": UseCase(_jsonl, refuses=WRITE),
    # Updating incidents from a CSV: a documenter's, previewed and applied.
    "csv_update.preview": UseCase(
        lambda inst, w: csv_update.preview(inst, "Case B", _update_csv(w), "update.csv"),
        refuses=WRITE,
    ),
    "csv_update.apply": UseCase(_apply_update, refuses=WRITE),
}

NOT_USE_CASES: dict[str, str] = {}


def test_each_use_case_refuses_an_account_without_the_role(
    instance: Instance, world: dict[str, Any]
) -> None:
    failures = refusals(instance, world, USE_CASES)
    assert failures == [], "\n".join(failures)


def test_pending_named_exports_are_those_of_the_cases_the_account_may_read(
    instance: Instance, world: dict[str, Any]
) -> None:
    def pending(username: str) -> list[str]:
        return [row.id for row in disclosure.pending(as_account(instance, username))]

    assert pending(STRANGER) == []
    assert pending(VIEWER) == pending(ADMIN) == [world["approval_id"]]
    with pytest.raises(PermissionDenied):
        disclosure.pending(instance.acting_for(NOBODY))


def test_a_named_export_needs_identity_access_besides_the_approval(
    instance: Instance, world: dict[str, Any]
) -> None:
    named = consent.GrantInput(
        purpose="criminal-investigation",
        recipient_class="national-prosecutor",
        identifiability="named",
        info_sheet_version="2026-1",
        understanding_checked=True,
    )
    consent.grant(instance, world["person_id"], named)
    disclosure.approve(as_account(instance, ADMIN), world["approval_id"])
    accounts.create_user(instance, ANALYST, PASSWORD)
    accounts.grant_role(instance, ANALYST, "Case B", "analyst")

    def named_export(username: str) -> str:
        out = io.StringIO()
        exports.export(
            as_account(instance, username),
            "testimonies",
            "Case B",
            out,
            audience=exports.Audience("national-prosecutor", "criminal-investigation", "Office X"),
            approval=world["approval_id"],
        )
        return out.getvalue()

    with pytest.raises(PermissionDenied, match="reveal-identity"):
        named_export(ANALYST)
    with pytest.raises(PermissionDenied, match="analyse"):
        named_export(DOCUMENTER)
    assert "Olha K." in named_export(ADMIN)


def test_importing_into_a_new_case_needs_the_right_to_create_cases(
    instance: Instance, world: dict[str, Any]
) -> None:
    def into(username: str, case: str) -> imports.ImportReport:
        return imports.import_timemap(
            as_account(instance, username), TIMEMAP, case, _options(world)
        )

    with pytest.raises(PermissionDenied):
        into(DOCUMENTER, "Case C")
    # A case the account may not read is absent: never a second case of the same name.
    with pytest.raises(NotFound, match="no case has this name"):
        into(STRANGER, "Case B")
    assert [c.name for c in cases.list_cases(instance)] == ["Case A", "Case B"]
    assert into(ADMIN, "Case C").case_created
