"""Each custody use case refuses an account without the role, in its own transaction.

The custody log, `verify` and the vault's staging area hold no case data: anyone signed in may read
them (nobody who is not is refused), and what changes them is an operator's task, for administrators.
Views of a record are read as the record is; cases are made, closed and reopened by coordinators.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import select

from testament.custody import (
    access_log,
    cases,
    custody_log,
    ingest,
    vault_staging,
    verification,
)
from testament.custody.instance import Instance
from testament.domain.access import NOBODY
from testament.errors import PermissionDenied
from testament.storage.engine import read_transaction
from testament.storage.tables import evidence_item
from tests.policy.conftest import (
    ADMIN,
    DOCUMENTER,
    DOCUMENTERS_TOO,
    NOT_ADMIN,
    STRANGER,
    VIEWER,
    WRITE,
    UseCase,
    as_account,
    fresh,
    refusals,
)


def _digest(instance: Instance, item_id: str) -> str:
    with read_transaction(instance.engine) as conn:
        found = conn.execute(
            select(evidence_item.c.sha256).where(evidence_item.c.id == item_id)
        ).scalar_one()
    return str(found)


def _situation(inst: Instance, w: dict[str, Any]) -> str:
    values = cases.situation_values(fresh("Situation"), conflict="international")
    return cases.create_situation(inst, values)


def _step8(inst: Instance, w: dict[str, Any]) -> object:
    with read_transaction(inst.engine) as conn:
        return list(verification.step8_blobs(inst, conn, 0))


def _upload(inst: Instance, w: dict[str, Any]) -> object:
    return ingest.ingest_stream(
        inst,
        io.BytesIO(b"a note taken at the scene"),
        name="note.txt",
        case_name="Case B",
        recorded_as="upload:note.txt",
    )


# Reads of what is no case's: nobody signed in is refused (see the test below), anyone else may.
ANYONE_SIGNED_IN: dict[str, UseCase] = {
    "custody_log.verifier_key": UseCase(
        lambda inst, w: custody_log.verifier_key(inst), refuses=(), allowed_as=STRANGER
    ),
    "custody_log.latest_checkpoint": UseCase(
        lambda inst, w: custody_log.latest_checkpoint(inst), refuses=(), allowed_as=STRANGER
    ),
    "custody_log.entry": UseCase(
        lambda inst, w: custody_log.entry(inst, 0), refuses=(), allowed_as=STRANGER
    ),
    "custody_log.prove_entry": UseCase(
        lambda inst, w: custody_log.prove_entry(inst, 0), refuses=(), allowed_as=STRANGER
    ),
    "custody_log.consistency": UseCase(
        lambda inst, w: custody_log.consistency(inst, 1, None), refuses=(), allowed_as=STRANGER
    ),
    "custody_log.status": UseCase(
        lambda inst, w: custody_log.status(inst), refuses=(), allowed_as=STRANGER
    ),
    "custody_log.agents_named": UseCase(
        lambda inst, w: custody_log.agents_named(inst, ["agent:1"]),
        refuses=(),
        allowed_as=STRANGER,
    ),
    "verification.run": UseCase(
        lambda inst, w: verification.run(inst, sample=0), refuses=(), allowed_as=STRANGER
    ),
    "verification.step1_key": UseCase(
        lambda inst, w: list(verification.step1_key(inst, None)), refuses=(), allowed_as=STRANGER
    ),
    "verification.step8_blobs": UseCase(_step8, refuses=(), allowed_as=STRANGER),
    "vault_staging.temporaries": UseCase(
        lambda inst, w: vault_staging.temporaries(inst), refuses=(), allowed_as=STRANGER
    ),
    "cases.list_cases": UseCase(
        lambda inst, w: cases.list_cases(inst), refuses=(), allowed_as=STRANGER
    ),
    "cases.list_situations": UseCase(
        lambda inst, w: cases.list_situations(inst), refuses=(), allowed_as=STRANGER
    ),
}

USE_CASES: dict[str, UseCase] = {
    **ANYONE_SIGNED_IN,
    # An item's own custody is its case's.
    "custody_log.ingestion_index": UseCase(
        lambda inst, w: custody_log.ingestion_index(inst, w["item_id"])
    ),
    "custody_log.item_timeline": UseCase(
        lambda inst, w: custody_log.item_timeline(inst, w["item_id"])
    ),
    # Views of a record: read as the record is.
    "access_log.item_opened": UseCase(
        lambda inst, w: access_log.item_opened(inst, w["item_id"], "view", "checking the chain")
    ),
    "access_log.sensitive_record_viewed": UseCase(
        lambda inst, w: access_log.sensitive_record_viewed(
            inst, w["incident_id"], "checking the chain"
        )
    ),
    "access_log.stated_purpose": UseCase(
        lambda inst, w: access_log.stated_purpose(
            inst, w["root's view"], "evidence_item", w["item_id"]
        )
    ),
    "access_log.item_reopened": UseCase(
        lambda inst, w: access_log.item_reopened(inst, w["item_id"], "download", w["root's view"])
    ),
    "access_log.stream_item": UseCase(
        lambda inst, w: list(access_log.stream_item(inst, _digest(inst, w["item_id"])))
    ),
    # Cases.
    "cases.create_case": UseCase(
        lambda inst, w: cases.create_case(inst, fresh("Case")), refuses=NOT_ADMIN
    ),
    "cases.create_situation": UseCase(_situation, refuses=NOT_ADMIN),
    "cases.assign_situation": UseCase(
        lambda inst, w: cases.assign_situation(inst, "Case B", "Full-scale invasion"),
        refuses=DOCUMENTERS_TOO,
    ),
    # Case B has an urgent need waiting, so an administrator is told so (a conflict, not a refusal).
    "cases.close_case": UseCase(
        lambda inst, w: cases.close_case(inst, "Case B"), refuses=DOCUMENTERS_TOO
    ),
    "cases.reopen_case": UseCase(
        lambda inst, w: cases.reopen_case(inst, "Case B"), refuses=DOCUMENTERS_TOO
    ),
    # Evidence into a case.
    "ingest.ingest": UseCase(
        lambda inst, w: ingest.ingest(inst, [w["tmp_path"] / "files"], case_name="Case B"),
        refuses=WRITE,
    ),
    "ingest.ingest_stream": UseCase(_upload, refuses=WRITE),
    # An operator's task.
    "vault_staging.clean": UseCase(lambda inst, w: vault_staging.clean(inst), refuses=NOT_ADMIN),
}

NOT_USE_CASES: dict[str, str] = {
    "instance.recording": "the write transaction every use case opens; the use case asks the policy",
    "instance.who_acts": "says which principal the policy asks about; it decides nothing",
    "instance.identity_of": "names the agent a principal writes as; it reads and decides nothing",
    "policy.check": "the policy itself, asked by the edges before they read a request",
}


@pytest.fixture
def views(instance: Instance, world: dict[str, Any]) -> dict[str, Any]:
    """The world, with a view of Case B's item by the administrator (whose purpose it then states)."""
    root = as_account(instance, ADMIN)
    world["root's view"] = access_log.item_opened(root, world["item_id"], "view", "a first look")
    return world


def test_each_use_case_refuses_an_account_without_the_role(
    instance: Instance, views: dict[str, Any]
) -> None:
    failures = refusals(instance, views, USE_CASES)
    assert failures == [], "\n".join(failures)


def test_what_anyone_signed_in_may_read_is_refused_to_nobody(
    instance: Instance, world: dict[str, Any]
) -> None:
    nobody = instance.acting_for(NOBODY)
    let_through = []
    for name, use_case in ANYONE_SIGNED_IN.items():
        try:
            use_case.call(nobody, world)
        except PermissionDenied:
            continue
        let_through.append(name)
    assert let_through == []


def test_accounts_list_only_the_cases_they_may_read(
    instance: Instance, world: dict[str, Any]
) -> None:
    def names(username: str) -> list[str]:
        return [c.name for c in cases.list_cases(as_account(instance, username))]

    assert names(STRANGER) == ["Case A"]
    assert names(VIEWER) == names(DOCUMENTER) == ["Case B"]
    assert names(ADMIN) == [c.name for c in cases.list_cases(instance)] == ["Case A", "Case B"]


def test_ingesting_into_a_new_case_needs_the_right_to_create_cases(
    instance: Instance, world: dict[str, Any]
) -> None:
    files = [world["tmp_path"] / "files"]
    with pytest.raises(PermissionDenied):
        ingest.ingest(as_account(instance, DOCUMENTER), files, case_name="Case C")
    assert "Case C" not in [c.name for c in cases.list_cases(instance)]
    report = ingest.ingest(as_account(instance, ADMIN), files, case_name="Case C")
    assert [r.status for r in report.results] == ["linked"]


def test_signing_the_log_tail_is_an_operators_task(
    instance: Instance, world: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDenied):
        custody_log.latest_checkpoint(as_account(instance, DOCUMENTER), sign_tail=True)
    assert custody_log.latest_checkpoint(as_account(instance, ADMIN), sign_tail=True)
