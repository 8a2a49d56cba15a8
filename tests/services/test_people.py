"""People and their roles in incidents, on SQLite and PostgreSQL.

The helpers here (a case, an incident, :func:`one_write`) are shared by the other documentation-model tests.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select

from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import incidents, people
from testament.errors import Conflict, InvalidInput, NotFound
from testament.ledger import log
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event, record_version

LABEL = "Witness Zoryana-7"
DESCRIPTION = "lives behind the bakery on Sadova St"


def new_incident(instance: Instance, case_name: str = "Case A", title: str = "Strike") -> str:
    return incidents.create(instance, case_name, incidents.IncidentInput(title=title))


def _counts(instance: Instance) -> tuple[int, int, int]:
    with read_transaction(instance.engine) as conn:
        events = conn.execute(select(func.count()).select_from(custody_event)).scalar_one()
        versions = conn.execute(select(func.count()).select_from(record_version)).scalar_one()
        return int(events), int(versions), log.size(conn)


@contextmanager
def one_write(instance: Instance, *secrets: str) -> Iterator[list[dict[str, Any]]]:
    """Assert the block adds exactly one custody event and one record version, and that its log entry
    holds none of ``secrets`` (nor the label and description used here); yields the entry."""
    events, versions, size = _counts(instance)
    written: list[dict[str, Any]] = []
    yield written
    assert _counts(instance) == (events + 1, versions + 1, size + 1)
    with read_transaction(instance.engine) as conn:
        entry = log.entry(conn, size)
    for text in (LABEL, DESCRIPTION, "Zoryana", "Sadova", *secrets):
        assert text.encode() not in entry
    written.append(json.loads(entry))


@pytest.fixture
def case(instance: Instance) -> Instance:
    cases.create_case(instance, "Case A")
    cases.create_case(instance, "Case B")
    return instance


def test_create_edit_delete_are_one_version_and_one_event_each(case: Instance) -> None:
    with one_write(case) as written:
        person_id = people.create(case, "Case A", LABEL, DESCRIPTION)
    assert written[0]["detail"] == {
        "object": "person", "id": person_id, "version": 1, "change": "create",
    }  # fmt: skip
    with one_write(case) as written:
        assert people.edit(case, person_id, {"description": f"now {DESCRIPTION}"}) == 2
    assert written[0]["detail"]["fields"] == ["description"]
    with one_write(case):
        assert people.delete(case, person_id) == 3
    found = people.versions(case, person_id)
    assert [(v.version, v.change) for v in found] == [(1, "create"), (2, "update"), (3, "delete")]
    assert found[0].data["label"] == LABEL
    with pytest.raises(NotFound):
        people.show(case, person_id)


def test_roles_are_one_write_each_and_shown_with_the_person(case: Instance) -> None:
    person_id = people.create(case, "Case A", LABEL)
    first, second = new_incident(case), new_incident(case, title="Second strike")
    with one_write(case):
        witness = people.add_role(case, person_id, first, "witness", DESCRIPTION)
    victim = people.add_role(case, person_id, second, "victim")
    also = people.add_role(case, person_id, first, "survivor")
    shown = people.show(case, person_id)
    assert [(r.id, r.role) for r in shown.roles] == [
        (witness, "witness"), (victim, "victim"), (also, "survivor"),
    ]  # fmt: skip
    assert shown.label == LABEL and shown.case_id
    with one_write(case):
        assert people.remove_role(case, witness) == 2
    assert [r.id for r in people.show(case, person_id).roles] == [victim, also]
    assert [v.change for v in people.versions(case, witness, "person-role")] == ["create", "delete"]


def test_an_exact_duplicate_role_is_refused(case: Instance) -> None:
    person_id = people.create(case, "Case A", LABEL)
    incident_id = new_incident(case)
    role_id = people.add_role(case, person_id, incident_id, "witness")
    with pytest.raises(Conflict, match="already holds the role 'witness'"):
        people.add_role(case, person_id, incident_id, "witness", "again")
    people.remove_role(case, role_id)
    people.add_role(case, person_id, incident_id, "witness")  # a removed role can be given again


def test_a_role_in_an_incident_of_another_case_is_refused(case: Instance) -> None:
    person_id = people.create(case, "Case A", LABEL)
    elsewhere = new_incident(case, "Case B")
    with pytest.raises(InvalidInput, match="different cases"):
        people.add_role(case, person_id, elsewhere, "witness")


def test_an_unknown_role_is_refused_by_name(case: Instance) -> None:
    person_id = people.create(case, "Case A", LABEL)
    incident_id = new_incident(case)
    with pytest.raises(InvalidInput, match="'bystander' is not in the person-roles vocabulary"):
        people.add_role(case, person_id, incident_id, "bystander")


@pytest.mark.parametrize(
    ("label", "message"),
    [("   ", "the label must not be empty"), ("a\x00b", "NUL character")],
)
def test_bad_labels_are_refused(case: Instance, label: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        people.create(case, "Case A", label)


def test_people_are_listed_per_case(case: Instance) -> None:
    people.create(case, "Case A", "Witness B")
    people.create(case, "Case A", "Witness A")
    people.create(case, "Case B", "Someone else")
    assert [p.label for p in people.list_for_case(case, "Case A")] == ["Witness A", "Witness B"]
    with pytest.raises(NotFound, match="no case"):
        people.list_for_case(case, "Case C")


def test_a_person_with_roles_cannot_be_deleted(case: Instance) -> None:
    person_id = people.create(case, "Case A", LABEL)
    role_id = people.add_role(case, person_id, new_incident(case), "witness")
    with pytest.raises(Conflict, match="still holds roles"):
        people.delete(case, person_id)
    people.remove_role(case, role_id)
    people.delete(case, person_id)


def test_unknown_fields_and_records_are_refused(case: Instance) -> None:
    person_id = people.create(case, "Case A", LABEL)
    with pytest.raises(InvalidInput, match="no field name"):
        people.edit(case, person_id, {"name": "Real Name"})
    with pytest.raises(NotFound):
        people.add_role(case, "no-such-person", new_incident(case), "witness")
    with pytest.raises(NotFound):
        people.add_role(case, person_id, "no-such-incident", "witness")
    with pytest.raises(InvalidInput, match="not a kind of people record"):
        people.versions(case, person_id, "unit")
