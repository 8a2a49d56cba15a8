"""Every create, update and delete of a documentation record is a version and a custody event.

Earlier versions stay retrievable; field values never enter the log; `testament verify` (step 9) catches
a version or a record edited behind Testament's back. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, func, select, update

from testament.custody import cases, history, verification
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.domain.custody import commitment
from testament.errors import Conflict, InvalidInput, NotFound
from testament.ledger import log
from testament.storage.engine import read_transaction, write_transaction
from testament.storage.tables import custody_event, incident, record_version

SECRET = "Olena Shevchenko, 12 Sadova St"  # noqa: S105 - personal data that must not leak


@pytest.fixture
def recorded(instance: Instance) -> tuple[Instance, str]:
    cases.create_case(instance, "Case A")
    given = incidents.IncidentInput(
        title="Shelling of a school", description=f"Witness {SECRET} saw it", date="2022-03"
    )
    return instance, incidents.create(instance, "Case A", given)


def _events(instance: Instance) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(custody_event)).scalar_one())


def _failures(instance: Instance) -> list[verification.Finding]:
    return [f for f in verification.run(instance) if not f.ok]


def test_each_write_is_one_version_and_one_event(recorded: tuple[Instance, str]) -> None:
    instance, incident_id = recorded
    before = _events(instance)
    assert incidents.edit(instance, incident_id, {"title": "Strike on School 5"}) == 2
    assert _events(instance) == before + 1
    assert (
        incidents.edit(instance, incident_id, {"title": "Strike on School 5"}) == 2
    )  # nothing changed
    assert _events(instance) == before + 1
    assert incidents.delete(instance, incident_id) == 3
    found = incidents.versions(instance, "incident", incident_id)
    assert [(v.version, v.change) for v in found] == [(1, "create"), (2, "update"), (3, "delete")]
    assert found[0].data["title"] == "Shelling of a school"
    assert found[1].data["title"] == "Strike on School 5"
    assert _failures(instance) == []


def test_the_log_names_changed_fields_but_never_their_values(
    recorded: tuple[Instance, str],
) -> None:
    instance, incident_id = recorded
    incidents.edit(instance, incident_id, {"description": f"Also {SECRET}"})
    with read_transaction(instance.engine) as conn:
        entries = [log.entry(conn, i) for i in range(log.size(conn))]
        last = json.loads(entries[-1])
        version = (
            conn.execute(select(record_version).where(record_version.c.version == 2))
            .mappings()
            .one()
        )
    assert all(SECRET.encode() not in e and b"Olena" not in e for e in entries)
    assert last["type"] == "metadata modification"
    assert last["detail"] == {
        "object": "incident", "id": incident_id, "version": 2, "change": "update", "fields": ["description"],
    }  # fmt: skip
    assert last["record"] == commitment(bytes(version["salt"]), json.loads(version["data"]))


def test_stale_edits_and_deleted_records_are_refused(recorded: tuple[Instance, str]) -> None:
    instance, incident_id = recorded
    incidents.edit(instance, incident_id, {"title": "Second"})
    with pytest.raises(Conflict, match="changed since version 1"):
        incidents.edit(instance, incident_id, {"title": "Third"}, expected_version=1)
    incidents.delete(instance, incident_id)
    with pytest.raises(NotFound):
        incidents.edit(instance, incident_id, {"title": "Fourth"})
    with pytest.raises(NotFound):
        incidents.show(instance, incident_id)
    with write_transaction(instance.engine) as conn, pytest.raises(Conflict, match="deleted"):
        history.update(conn, "incident", incident_id, {"title": "x"}, agent_id=1)


def test_unknown_fields_and_kinds_are_refused(recorded: tuple[Instance, str]) -> None:
    instance, incident_id = recorded
    with write_transaction(instance.engine) as conn:
        with pytest.raises(InvalidInput, match="no field colour"):
            history.update(conn, "incident", incident_id, {"colour": "red"}, agent_id=1)
        with pytest.raises(InvalidInput, match="not a kind of record"):
            history.current(conn, "spaceship", incident_id)


def test_verify_catches_a_record_edited_in_the_database(recorded: tuple[Instance, str]) -> None:
    instance, incident_id = recorded
    with write_transaction(instance.engine) as conn:
        conn.execute(update(incident).where(incident.c.id == incident_id).values(title="Forged"))
    failures = _failures(instance)
    assert [(f.step, f.where) for f in failures] == [(9, f"incident {incident_id}")]
    assert "changed outside Testament" in failures[0].detail


def test_verify_catches_an_edited_version(recorded: tuple[Instance, str]) -> None:
    instance, _ = recorded
    with write_transaction(instance.engine) as conn:
        row = conn.execute(select(record_version.c.id, record_version.c.data)).first()
        assert row is not None
        forged = row.data.replace("Shelling", "Forged")
        conn.execute(
            update(record_version).where(record_version.c.id == row.id).values(data=forged)
        )
    details = [f.detail for f in _failures(instance) if f.step == 9]
    assert "the stored version was changed after it was recorded" in details


def test_verify_catches_a_removed_version(recorded: tuple[Instance, str]) -> None:
    instance, incident_id = recorded
    incidents.edit(instance, incident_id, {"title": "Second"})
    with write_transaction(instance.engine) as conn:
        conn.execute(delete(record_version).where(record_version.c.version == 2))
    details = {f.detail for f in _failures(instance) if f.step == 9}
    assert "the custody event's record version is missing" in details
    assert "the record's version does not match its history" in details
