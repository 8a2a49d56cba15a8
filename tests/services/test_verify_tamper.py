"""`testament verify` catches each kind of tampering the spine issue names, on both databases.

Each test alters the real database or vault the way an insider could, then checks that verify fails
and names the item, entry or checkpoint.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import delete, func, select, update

from testament.custody import ingest as ingest_service
from testament.custody import verification
from testament.custody.instance import Instance
from testament.ledger import checkpoint as notes
from testament.ledger import log, merkle
from testament.ledger.keys import NoteSigner
from testament.storage.engine import read_transaction, write_transaction
from testament.storage.tables import checkpoint, custody_event, evidence_item, log_entry, log_node


@pytest.fixture
def filled(instance: Instance, tmp_path: Path) -> Instance:
    folder = tmp_path / "in"
    folder.mkdir()
    for n in range(5):
        (folder / f"file{n}.bin").write_bytes(os.urandom(2000 + n))
    ingest_service.ingest(instance, [folder], case_name="Case")
    assert _failures(instance) == []
    return instance


def _failures(instance: Instance) -> list[verification.Finding]:
    return [f for f in verification.run(instance) if not f.ok]


def _object_path(instance: Instance, digest: str) -> Path:
    root = instance.settings.vault_dir / "objects"
    matches = [p for p in root.rglob(digest) if p.is_file()]
    assert len(matches) == 1
    return matches[0]


def _an_item(instance: Instance) -> tuple[str, str, int]:
    with read_transaction(instance.engine) as conn:
        item_id, digest = conn.execute(select(evidence_item.c.id, evidence_item.c.sha256)).first()  # type: ignore[misc]
        index = conn.execute(
            select(custody_event.c.log_index).where(custody_event.c.item_id == item_id)
        ).scalar_one()
    return item_id, digest, int(index)


def test_one_byte_changed_in_a_blob(filled: Instance) -> None:
    _, digest, _ = _an_item(filled)
    path = _object_path(filled, digest)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    failures = _failures(filled)
    assert [f.step for f in failures] == [8]
    assert failures[0].where == f"blob sha256:{digest}"


def test_custody_row_deleted(filled: Instance) -> None:
    _, _, index = _an_item(filled)
    with write_transaction(filled.engine) as conn:
        conn.execute(delete(custody_event).where(custody_event.c.log_index == index))
    failures = _failures(filled)
    assert any(f.step == 6 and f.where == f"log entry {index}" for f in failures)
    assert any(f.step == 7 for f in failures)  # the item lost its ingestion event


def test_custody_row_edited(filled: Instance) -> None:
    _, _, index = _an_item(filled)
    with write_transaction(filled.engine) as conn:
        conn.execute(
            update(custody_event)
            .where(custody_event.c.log_index == index)
            .values(occurred_at="2020-01-01T00:00:00.000000Z")
        )
    failures = _failures(filled)
    assert [f.step for f in failures] == [6]
    assert f"log entry {index}" in (failures[0].where or "")
    assert "time" in failures[0].detail


def test_item_record_edited(filled: Instance) -> None:
    item_id, _, _ = _an_item(filled)
    with write_transaction(filled.engine) as conn:
        conn.execute(
            update(evidence_item).where(evidence_item.c.id == item_id).values(original_name="x.bin")
        )
    failures = _failures(filled)
    assert [(f.step, f.where) for f in failures] == [(7, f"item {item_id}")]


def test_log_entry_rewritten(filled: Instance) -> None:
    _, _, index = _an_item(filled)
    with write_transaction(filled.engine) as conn:
        data = conn.execute(select(log_entry.c.data).where(log_entry.c.idx == index)).scalar_one()
        forged = json.loads(data)
        forged["outcome"] = "failure"
        conn.execute(
            update(log_entry)
            .where(log_entry.c.idx == index)
            .values(data=json.dumps(forged, separators=(",", ":"), sort_keys=True).encode())
        )
    failures = _failures(filled)
    assert any(f.step == 4 and f.where == f"log entry {index}" for f in failures)
    assert any(f.step == 6 and f"log entry {index}" in (f.where or "") for f in failures)


def test_log_rewritten_with_recomputed_tree(filled: Instance) -> None:
    """A thorough forger also recomputes every stored node: only the signed checkpoints catch it."""
    _, _, index = _an_item(filled)
    with write_transaction(filled.engine) as conn:
        entries = [
            bytes(d) for (d,) in conn.execute(select(log_entry.c.data).order_by(log_entry.c.idx))
        ]
        forged = json.loads(entries[index])
        forged["outcome"] = "failure"
        entries[index] = json.dumps(forged, separators=(",", ":"), sort_keys=True).encode()
        conn.execute(update(log_entry).where(log_entry.c.idx == index).values(data=entries[index]))
        conn.execute(delete(log_node))
        conn.execute(update(log.log_state).values(size=0))
        conn.execute(delete(log_entry))
        log.append(conn, entries)
    failures = _failures(filled)
    steps = {f.step for f in failures}
    assert 5 in steps and 4 not in steps
    assert any("signed root" in f.detail for f in failures)


def test_checkpoint_replaced_by_one_signed_with_another_key(filled: Instance) -> None:
    impostor = NoteSigner(filled.record.log_origin, Ed25519PrivateKey.generate())
    with write_transaction(filled.engine) as conn:
        latest = log.latest_checkpoint(conn)
        assert latest is not None
        forged = notes.sign(
            notes.Checkpoint(filled.record.log_origin, latest.size, latest.root_hash), impostor
        )
        conn.execute(update(checkpoint).where(checkpoint.c.size == latest.size).values(note=forged))
    failures = _failures(filled)
    assert [(f.step, f.where) for f in failures] == [(2, f"checkpoint {latest.size}")]
    assert "not signed by this log's key" in failures[0].detail


def test_verifier_key_swapped_in_the_database(filled: Instance) -> None:
    from testament.storage.tables import instance as instance_table

    impostor = NoteSigner(filled.record.log_origin, Ed25519PrivateKey.generate())
    with write_transaction(filled.engine) as conn:
        conn.execute(update(instance_table).values(verifier_key=impostor.verifier.encode()))
    from testament.custody.instance import open_instance

    reopened = open_instance(filled.settings)
    try:
        failures = _failures(reopened)
    finally:
        reopened.close()
    assert failures and failures[0].step == 1


def test_sample_rehashes_only_n_blobs(filled: Instance) -> None:
    findings = verification.run(filled, sample=2)
    blob_line = next(f for f in findings if f.step == 8 and not f.info)
    assert "random sample of 2 of 5" in blob_line.detail


def test_entries_appended_outside_testament_are_caught(filled: Instance) -> None:
    """Every write signs its own checkpoint, so an unsigned tail means someone bypassed Testament."""
    from testament.custody import custody
    from testament.domain.custody import CustodyEventType

    with write_transaction(filled.engine) as conn:
        custody.record(conn, [custody.NewEvent(CustodyEventType.FIXITY_CHECK, agent_id=1)])
    failures = _failures(filled)
    assert [f.step for f in failures] == [5]
    assert "not covered by any signed checkpoint" in failures[0].detail


def test_newest_checkpoint_deleted(filled: Instance) -> None:
    with write_transaction(filled.engine) as conn:
        latest = log.latest_checkpoint(conn)
        assert latest is not None
        conn.execute(delete(checkpoint).where(checkpoint.c.size == latest.size))
    failures = _failures(filled)
    assert [f.step for f in failures] == [5]


def test_rollback_is_caught_against_a_kept_checkpoint(filled: Instance) -> None:
    """Cutting the tail together with its rows and checkpoints is only visible from outside."""
    with read_transaction(filled.engine) as conn:
        kept = log.latest_checkpoint(conn)
        assert kept is not None
        first_size = log.all_checkpoints(conn)[0].size
    with write_transaction(filled.engine) as conn:
        from testament.storage.tables import case, processing_job

        conn.execute(delete(checkpoint).where(checkpoint.c.size > first_size))
        conn.execute(delete(custody_event).where(custody_event.c.log_index >= first_size))
        conn.execute(delete(processing_job))  # the items' jobs go with them
        conn.execute(delete(evidence_item))
        conn.execute(delete(case))
        conn.execute(delete(log_entry).where(log_entry.c.idx >= first_size))
        conn.execute(delete(log_node))
        entries = [
            bytes(d) for (d,) in conn.execute(select(log_entry.c.data).order_by(log_entry.c.idx))
        ]
        conn.execute(delete(log_entry))
        conn.execute(update(log.log_state).values(size=0))
        log.append(conn, entries)
    # Without the kept checkpoint the shortened history is self-consistent...
    assert [f.step for f in _failures(filled)] == []
    # ...but not against the checkpoint a recipient kept from before.
    findings = verification.run(filled, anchors=[kept.note])
    failures = [f for f in findings if not f.ok]
    assert [f.step for f in failures] == [5]
    assert "rolled back" in failures[0].detail


def test_kept_checkpoint_from_another_key_is_refused(filled: Instance) -> None:
    impostor = NoteSigner(filled.record.log_origin, Ed25519PrivateKey.generate())
    forged = notes.sign(notes.Checkpoint(filled.record.log_origin, 1, b"\x00" * 32), impostor)
    failures = [f for f in verification.run(filled, anchors=[forged]) if not f.ok]
    assert [f.step for f in failures] == [5] and "does not verify" in failures[0].detail


def test_evidence_item_deleted(filled: Instance) -> None:
    item_id, _, _ = _an_item(filled)
    # As an insider with a plain database client would: foreign keys are not enforced there.
    if filled.engine.dialect.name == "sqlite":
        import sqlite3

        raw = sqlite3.connect(filled.engine.url.database or "")
        with raw:
            raw.execute("DELETE FROM evidence_item WHERE id = ?", (item_id,))
        raw.close()
    else:
        with write_transaction(filled.engine) as conn:
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
            conn.execute(delete(evidence_item).where(evidence_item.c.id == item_id))
    failures = _failures(filled)
    assert any(
        f.step == 7 and f.where == f"item {item_id}" and "missing" in f.detail for f in failures
    )


def test_case_name_and_agent_name_edits_are_caught(filled: Instance) -> None:
    from testament.storage.tables import agent, case

    with write_transaction(filled.engine) as conn:
        conn.execute(update(case).values(name="Another case"))
        conn.execute(update(agent).values(name="mallory"))
    failures = _failures(filled)
    assert sorted(f.where.split()[0] for f in failures if f.where) == ["agent", "case"]
    assert all(f.step == 7 and "changed after it was created" in f.detail for f in failures)


def test_malformed_custody_row_is_a_finding_not_a_crash(filled: Instance) -> None:
    _, _, index = _an_item(filled)
    with write_transaction(filled.engine) as conn:
        conn.execute(
            update(custody_event).where(custody_event.c.log_index == index).values(detail="{bad")
        )
    failures = _failures(filled)
    assert any(f.step == 6 and "malformed" in f.detail for f in failures)
    with write_transaction(filled.engine) as conn:
        conn.execute(
            update(custody_event)
            .where(custody_event.c.log_index == index)
            .values(event_type="nope")
        )
    assert any(f.step == 6 and "malformed" in f.detail for f in _failures(filled))


def test_merkle_proof_from_stored_nodes_matches_reference(filled: Instance) -> None:
    with read_transaction(filled.engine) as conn:
        size = log.size(conn)
        leaves = [
            merkle.leaf_hash(bytes(d))
            for (d,) in conn.execute(select(log_entry.c.data).order_by(log_entry.c.idx))
        ]
        for index in range(size):
            assert log.inclusion_proof(conn, index, size) == merkle.inclusion_proof(index, leaves)
        for old in range(size + 1):
            assert log.consistency_proof(conn, old, size) == merkle.consistency_proof(old, leaves)
        assert log.root_at(conn, size) == merkle.root(leaves)


# --- Checkpoints deleted from the middle or the start of the history ------------------------------------


def _more_checkpoints(instance: Instance, count: int) -> list[log.StoredCheckpoint]:
    """Sign ``count`` more checkpoints (each write signs one); return every stored checkpoint."""
    from testament.custody import cases

    for n in range(count):
        cases.create_case(instance, f"Another case {n}")
    with read_transaction(instance.engine) as conn:
        return log.all_checkpoints(conn)


def _delete_checkpoints(instance: Instance, *numbers: int) -> None:
    with write_transaction(instance.engine) as conn:
        conn.execute(delete(checkpoint).where(checkpoint.c.number.in_(numbers)))


def test_checkpoints_are_numbered_and_sign_their_number_and_predecessor(filled: Instance) -> None:
    stored = _more_checkpoints(filled, 2)
    assert [cp.number for cp in stored] == list(range(1, len(stored) + 1))
    for before, cp in zip([None, *stored], stored, strict=False):
        head = notes.verify(cp.note, filled.record.verifier_key)
        expected = notes.Sequence(cp.number, None if before is None else before.size)
        assert notes.sequence_of(head) == expected
        assert head.extensions == (expected.line(),)
    passed = next(f for f in verification.run(filled) if f.step == 2)
    assert passed.ok and f"numbered 1 to {len(stored)}" in passed.detail


def test_a_middle_checkpoint_deleted_is_named_by_number_and_size(filled: Instance) -> None:
    stored = _more_checkpoints(filled, 3)
    gone = stored[-3]
    _delete_checkpoints(filled, gone.number)
    failures = _failures(filled)
    assert [(f.step, f.where) for f in failures] == [
        (2, f"checkpoint number {gone.number}, tree size {gone.size}")
    ]
    assert "a signed checkpoint was deleted" in failures[0].detail
    assert f"signed after one over {gone.size} entries" in failures[0].detail


def test_the_first_checkpoint_deleted_is_named(filled: Instance) -> None:
    stored = _more_checkpoints(filled, 1)
    _delete_checkpoints(filled, 1)
    failures = _failures(filled)
    assert [(f.step, f.where) for f in failures] == [
        (2, f"checkpoint number 1, tree size {stored[0].size}")
    ]


def test_several_checkpoints_deleted_are_named_as_a_range(filled: Instance) -> None:
    stored = _more_checkpoints(filled, 4)
    _delete_checkpoints(filled, 2, 3, 4)
    failures = _failures(filled)
    assert [(f.step, f.where) for f in failures] == [(2, "checkpoint numbers 2 to 4")]
    assert "checkpoint numbers 2 to 4 are missing" in failures[0].detail
    assert f"signed after one over {stored[3].size} entries" in failures[0].detail


def test_renumbering_to_hide_a_deleted_checkpoint_is_caught(filled: Instance) -> None:
    """The numbers are signed: closing the gap in the database contradicts the signed ones."""
    stored = _more_checkpoints(filled, 2)
    gone = stored[-2]
    _delete_checkpoints(filled, gone.number)
    with write_transaction(filled.engine) as conn:
        conn.execute(
            update(checkpoint)
            .where(checkpoint.c.number > gone.number)
            .values(number=checkpoint.c.number - 1)
        )
    failures = _failures(filled)
    assert [(f.step, f.where) for f in failures] == [(2, f"checkpoint {stored[-1].size}")]
    assert f"signed as number {stored[-1].number}" in failures[0].detail


def test_newest_checkpoint_deleted_and_signed_again_is_caught_against_a_kept_one(
    filled: Instance, tmp_path: Path
) -> None:
    """A later write re-signs the whole log under the deleted number; a kept copy shows it."""
    from testament.custody import cases

    stored = _more_checkpoints(filled, 1)
    kept = stored[-1]
    _delete_checkpoints(filled, kept.number)
    cases.create_case(filled, "After the deletion")
    assert _failures(filled) == []  # self-consistent without outside evidence
    findings = verification.run(filled, anchors=[kept.note])
    failures = [f for f in findings if not f.ok]
    assert [(f.step, f.where) for f in failures] == [(5, f"given checkpoint {kept.size}")]
    assert f"stored checkpoint number {kept.number} covers {kept.size + 1} entries" in (
        failures[0].detail
    )


# --- Every stored kind of record that verify covers, altered as an insider would -------------------------

_EDITED_COLUMNS = ("note", "description", "relevance", "title", "label", "name", "assigned_by")


def _one_of_each_documentation_kind(instance: Instance) -> None:
    """A record of every kind :data:`history.KINDS` names, each written through its service."""
    from testament.custody import cases
    from testament.documentation import (
        evidence,
        incidents,
        legal,
        people,
        placements,
        sources,
        tags,
        units,
    )

    item_id, _, _ = _an_item(instance)
    values = cases.situation_values("Situation", conflict="non-international")
    cases.create_situation(instance, values)
    cases.assign_situation(instance, "Case", "Situation")
    given = incidents.IncidentInput(
        title="Strike", types=["attack-on-civilians"], weapons=["artillery"]
    )
    first = incidents.create(instance, "Case", given)
    second = incidents.create(instance, "Case", incidents.IncidentInput(title="Second strike"))
    incidents.relate(instance, first, second, "follows")
    source = sources.create(instance, "Case", kind="person", title="Witness A")
    sources.link_incident(instance, source, first)
    incidents.add_casualty(instance, first, category="injured", count=1, source_id=source)
    person = people.create(instance, "Case", "Witness W-1")
    people.add_role(instance, person, first, "witness")
    brigade = units.create(instance, "Example brigade")
    units.add_commander(instance, brigade, name="Commander C", person_id=person)
    units.involve(instance, brigade, first, "suspected")
    placements.place(instance, brigade, latitude=50.45, longitude=30.52, radius_m=500, note="seen")
    evidence.link(instance, item_id, first, "shows the school")
    evidence.assess(instance, item_id, axis="source", status="verified", method="interview")
    legal.qualify(instance, first, "CAH-MURDER")
    legal.link_element(instance, item_id, first, "CAH-MURDER", "E1", stance="supports")
    evidence.set_external_id(instance, item_id, scheme="ICC-ERN", value="UKR-OTP-0001-0001",
                             assigned_by="ICC Registry")  # fmt: skip
    tags.add(instance, "incident", [first], "school")


def test_every_kind_of_documentation_record_edited_is_named(filled: Instance) -> None:
    from testament.custody import history

    _one_of_each_documentation_kind(filled)
    assert _failures(filled) == []
    edited = {}
    with write_transaction(filled.engine) as conn:
        for kind, table in history.KINDS.items():
            column = next(name for name in _EDITED_COLUMNS if name in table.c)
            record_id = conn.execute(select(table.c.id).limit(1)).scalar_one()
            conn.execute(
                update(table)
                .where(table.c.id == record_id)
                .values({column: table.c[column] + " (edited)"})
            )
            edited[kind] = f"{kind} {record_id}"
    failures = _failures(filled)
    assert sorted((f.step, f.where) for f in failures) == sorted((9, w) for w in edited.values())
    assert all("changed outside Testament" in f.detail for f in failures)


def test_checkpoint_root_column_edited(filled: Instance) -> None:
    with write_transaction(filled.engine) as conn:
        first = log.all_checkpoints(conn)[0]
        conn.execute(update(checkpoint).where(checkpoint.c.number == 1).values(root=b"\x01" * 32))
    failures = _failures(filled)
    assert (2, f"checkpoint {first.size}") in [(f.step, f.where) for f in failures]
    assert any("differs from the stored size or root" in f.detail for f in failures)


def test_log_state_size_edited(filled: Instance) -> None:
    with write_transaction(filled.engine) as conn:
        size = log.size(conn)
        conn.execute(update(log.log_state).values(size=size + 1))
    failures = _failures(filled)
    assert (3, "log state") in [(f.step, f.where) for f in failures]
    assert any(f"says {size + 1} entries but {size} are stored" in f.detail for f in failures)


def test_log_entry_deleted(filled: Instance) -> None:
    _, _, index = _an_item(filled)
    with write_transaction(filled.engine) as conn:
        conn.execute(delete(log_entry).where(log_entry.c.idx == index))
    failures = _failures(filled)
    assert (3, f"log entry {index}") in [(f.step, f.where) for f in failures]
    assert any(
        f.step == 6 and f.where == f"custody event {_event_id(filled, index)}" for f in failures
    )


def _event_id(instance: Instance, index: int) -> str:
    with read_transaction(instance.engine) as conn:
        return str(
            conn.execute(
                select(custody_event.c.id).where(custody_event.c.log_index == index)
            ).scalar_one()
        )


def test_log_node_edited(filled: Instance) -> None:
    with write_transaction(filled.engine) as conn:
        key = log.node_key(1, 0)
        conn.execute(update(log_node).where(log_node.c.id == key).values(hash=b"\x02" * 32))
    failures = _failures(filled)
    assert [(f.step, f.where) for f in failures] == [(4, "tree level 1 index 0")]


def test_custody_record_added_outside_the_log(filled: Instance) -> None:
    _, _, index = _an_item(filled)
    added = "00000000-0000-4000-8000-000000000000"
    with write_transaction(filled.engine) as conn:
        row = dict(
            conn.execute(select(custody_event).where(custody_event.c.log_index == index))
            .mappings()
            .one()
        )
        row.update(id=added, log_index=log.size(conn) + 10)
        conn.execute(custody_event.insert().values(row))
    failures = _failures(filled)
    assert (6, f"custody event {added}") in [(f.step, f.where) for f in failures]
    assert any("not in the log" in f.detail for f in failures)


def _key_record(instance: Instance, digest: str) -> Path:
    (path,) = (instance.settings.vault_dir / "keys").rglob(f"{digest}.key")
    return path


def test_vault_key_record_altered(filled: Instance) -> None:
    _, digest, _ = _an_item(filled)
    path = _key_record(filled, digest)
    path.chmod(0o600)
    data = bytearray(path.read_bytes())
    data[-1] ^= 0x01
    path.write_bytes(bytes(data))
    failures = _failures(filled)
    assert [(f.step, f.where) for f in failures] == [(8, f"blob sha256:{digest}")]


def test_vault_object_deleted(filled: Instance) -> None:
    _, digest, _ = _an_item(filled)
    _object_path(filled, digest).unlink()
    failures = _failures(filled)
    assert [(f.step, f.where) for f in failures] == [(8, f"blob sha256:{digest}")]


def test_record_version_edited(filled: Instance) -> None:
    from testament.documentation import units
    from testament.storage.tables import record_version

    unit_id = units.create(filled, "Example brigade")
    with write_transaction(filled.engine) as conn:
        conn.execute(
            update(record_version)
            .where(record_version.c.record_id == unit_id)
            .values(data=func.replace(record_version.c.data, "Example", "Forged"))
        )
    failures = _failures(filled)
    assert (9, f"unit {unit_id} version 1") in [(f.step, f.where) for f in failures]
    assert any("changed after it was recorded" in f.detail for f in failures)


# Each store `testament verify` reads, and the test above that alters it. A new kind of record that
# verify covers fails the next test until a tamper test for it is added here.
TAMPER_TESTS = {
    "instance": "test_verifier_key_swapped_in_the_database",
    "checkpoint": "test_checkpoint_root_column_edited",
    "log_state": "test_log_state_size_edited",
    "log_entry": "test_log_entry_deleted",
    "log_node": "test_log_node_edited",
    "custody_event": "test_custody_record_added_outside_the_log",
    "agent": "test_case_name_and_agent_name_edits_are_caught",
    "case": "test_case_name_and_agent_name_edits_are_caught",
    "evidence_item": "test_item_record_edited",
    "record_version": "test_record_version_edited",
    "vault object": "test_one_byte_changed_in_a_blob",
    "vault key record": "test_vault_key_record_altered",
}


def test_every_store_that_verify_covers_has_a_tamper_test() -> None:
    from testament.custody import history
    from testament.custody.records import RECORD_KINDS

    documentation = {table.name for table in history.KINDS.values()}
    covered = {kind.table.name for kind in RECORD_KINDS} | documentation
    covered |= {"instance", "checkpoint", "log_state", "log_entry", "log_node", "custody_event"}
    covered |= {"record_version", "vault object", "vault key record"}
    assert set(TAMPER_TESTS) | documentation == covered
    for name in TAMPER_TESTS.values():
        assert callable(globals()[name]), name
    # The documentation kinds are all edited by one test, which names each of them.
    assert callable(test_every_kind_of_documentation_record_edited_is_named)
