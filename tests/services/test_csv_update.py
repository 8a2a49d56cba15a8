"""Updating incidents from a CSV keyed by ID: the preview is the diff and the errors and writes nothing;
applying writes exactly what was previewed, in one transaction, and refuses a file or records changed
since the preview."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from testament.accounts import accounts
from testament.custody import cases, verification
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.errors import Conflict, InvalidInput
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event
from testament.transfer import csv_update


@pytest.fixture
def case(instance: Instance) -> dict[str, str]:
    cases.create_case(instance, "Case A")
    cases.create_case(instance, "Case B")
    made = {
        name: incidents.create(
            instance, "Case A", incidents.IncidentInput(title=name, date="2022-03-01")
        )
        for name in ("Strike", "Shelling", "Fire")
    }
    made["other"] = incidents.create(instance, "Case B", incidents.IncidentInput(title="Elsewhere"))
    return made


def _events(instance: Instance) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(custody_event)).scalar_one())


def _csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


def test_a_preview_shows_the_diff_and_writes_nothing(
    instance: Instance, case: dict[str, str]
) -> None:
    content = _csv(
        "id,title,date,status",
        f"{case['Strike']},Strike on the market,2022-03-02,corroborated",
        f"{case['Shelling']},,,",
    )
    before = _events(instance)
    plan = csv_update.preview(instance, "Case A", content, "update.csv")
    assert _events(instance) == before
    assert plan.rows == 2 and plan.unchanged == 1 and plan.errors == ()
    (change,) = plan.changes
    assert change.incident_id == case["Strike"] and change.row == 2 and change.version == 1
    fields = {c.field: (c.old, c.new) for c in change.changes}
    assert fields["title"] == ("Strike", "Strike on the market")
    assert fields["status"] == ("reported", "corroborated")
    assert fields["occurred_from"][1].startswith("2022-03-02")
    done = csv_update.apply(instance, "Case A", content, "update.csv", digest=plan.digest)
    assert done.applied and done.written == 1 and done.changes == plan.changes
    assert _events(instance) == before + 1
    shown = incidents.show(instance, case["Strike"])
    assert (shown.title, shown.status, shown.version) == ("Strike on the market", "corroborated", 2)
    assert [f for f in verification.run(instance) if not f.ok] == []


def test_one_bad_row_is_named_and_blocks_until_chosen(
    instance: Instance, case: dict[str, str]
) -> None:
    content = _csv(
        "id,title,date,targets",
        f"{case['Strike']},Strike on the market,,",
        f"{case['Shelling']},,2022-02-30,",
        f"{case['Fire']},,,no-such-target",
        "no-such-id,Title,,",
        f"{case['other']},Title,,",
    )
    plan = csv_update.preview(instance, "Case A", content, "update.csv")
    assert [(e.row, e.column) for e in plan.errors] == [
        (3, "date"), (4, "targets"), (5, "id"), (6, "id")
    ]  # fmt: skip
    assert "another case" in plan.errors[3].why and "no incident" in plan.errors[2].why
    assert len(plan.changes) == 1
    before = _events(instance)
    with pytest.raises(InvalidInput, match="4 row"):
        csv_update.apply(instance, "Case A", content, "update.csv", digest=plan.digest)
    assert _events(instance) == before
    done = csv_update.apply(
        instance, "Case A", content, "update.csv", digest=plan.digest, only_valid=True
    )
    assert done.written == 1 and _events(instance) == before + 1


def test_a_changed_record_or_file_since_the_preview_is_refused(
    instance: Instance, case: dict[str, str]
) -> None:
    content = _csv("id,title", f"{case['Strike']},Strike on the market")
    plan = csv_update.preview(instance, "Case A", content, "update.csv")
    incidents.edit(instance, case["Strike"], {"description": "changed meanwhile"})
    with pytest.raises(Conflict, match="changed since the preview"):
        csv_update.apply(instance, "Case A", content, "update.csv", digest=plan.digest)
    plan = csv_update.preview(instance, "Case A", content, "update.csv")
    edited = content.replace(b"market", b"square")
    with pytest.raises(Conflict, match="changed since the preview"):
        csv_update.apply(instance, "Case A", edited, "update.csv", digest=plan.digest)
    assert incidents.show(instance, case["Strike"]).title == "Strike"


def test_a_stale_version_and_a_duplicate_id_are_errors(
    instance: Instance, case: dict[str, str]
) -> None:
    incidents.edit(instance, case["Strike"], {"description": "now version 2"})
    content = _csv(
        "id,version,title",
        f"{case['Strike']},1,New title",
        f"{case['Shelling']},1,New title",
        f"{case['Shelling']},1,Another title",
    )
    plan = csv_update.preview(instance, "Case A", content, "update.csv")
    assert [(e.row, e.column) for e in plan.errors] == [(2, "version"), (4, "id")]
    assert "version 2" in plan.errors[0].why and "row 3" in plan.errors[1].why


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"", "the file is empty"),
        (b"id,title,colour\nx,y,z\n", "column 'colour'"),
        (b"title\nx\n", "no id column"),
        (b"id,title\nx,caf\xe9\n", "UTF-8"),
    ],
)
def test_a_bad_file_is_refused_whole(
    instance: Instance, case: dict[str, str], content: bytes, why: str
) -> None:
    del case
    with pytest.raises(InvalidInput, match=why):
        csv_update.preview(instance, "Case A", content, "update.csv")


def test_an_incident_of_a_case_the_reader_may_not_see_is_answered_as_absent(
    instance: Instance, case: dict[str, str]
) -> None:
    accounts.create_user(instance, "dana", "a long enough password 1")
    accounts.grant_role(instance, "dana", "Case A", "documenter")
    dana = instance.acting_for(accounts.principal_named(instance, "dana"))
    content = _csv("id,title", f"{case['other']},Title", f"{case['Strike']},Strike again")
    plan = csv_update.preview(dana, "Case A", content, "update.csv")
    assert [(e.row, e.why) for e in plan.errors] == [(2, "no incident has this ID")]
    accounts.grant_role(instance, "dana", "Case B", "viewer")
    plan = csv_update.preview(dana, "Case A", content, "update.csv")
    assert [(e.row, e.why) for e in plan.errors] == [(2, "this incident belongs to another case")]
    assert len(plan.changes) == 1
