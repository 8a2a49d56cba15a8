"""Records written in batches (an ingest's files, an import's rows): each member keeps its own custody
event, a batch is one transaction with one checkpoint, a crash mid-batch leaves nothing half-written,
and `testament verify` still names any one member that is tampered with afterwards."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from testament.custody import custody, history, verification
from testament.custody import ingest as ingest_service
from testament.custody.instance import Instance
from testament.domain.custody import CustodyEventType
from testament.ledger import log
from testament.storage.engine import read_transaction, write_transaction
from testament.storage.tables import custody_event, evidence_item, incident, record_version
from testament.transfer.imports import import_timemap


def _failures(instance: Instance) -> list[verification.Finding]:
    return [f for f in verification.run(instance) if not f.ok]


def _count(instance: Instance, table: Any) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _files(folder: Path, count: int) -> Path:
    folder.mkdir()
    for n in range(count):
        (folder / f"f{n:02}.bin").write_bytes(os.urandom(4000 + n))
    return folder


def _one_batch(instance: Instance, folder: Path) -> list[str]:
    with read_transaction(instance.engine) as conn:
        before = log.checkpoint_count(conn)
    report = ingest_service.ingest(instance, [folder], case_name="Case")
    with read_transaction(instance.engine) as conn:
        assert log.checkpoint_count(conn) == before + 1  # the whole batch: one checkpoint
    return [r.item_id for r in report.results if r.item_id]


def test_every_member_of_an_ingest_batch_has_its_event(instance: Instance, tmp_path: Path) -> None:
    items = _one_batch(instance, _files(tmp_path / "in", 12))
    with read_transaction(instance.engine) as conn:
        events = conn.execute(
            select(custody_event.c.item_id).where(custody_event.c.event_type == "ingestion")
        ).scalars()
        assert sorted(events) == sorted(items)
    assert _failures(instance) == []


def test_one_tampered_member_of_an_ingest_batch_is_named(
    instance: Instance, tmp_path: Path
) -> None:
    items = _one_batch(instance, _files(tmp_path / "in", 12))
    victim = items[7]
    with write_transaction(instance.engine) as conn:
        conn.execute(
            update(evidence_item)
            .where(evidence_item.c.id == victim)
            .values(media_type="application/pdf")
        )
    failures = _failures(instance)
    assert [(f.step, f.where) for f in failures] == [(7, f"item {victim}")]


def test_one_tampered_event_of_an_ingest_batch_is_caught(
    instance: Instance, tmp_path: Path
) -> None:
    items = _one_batch(instance, _files(tmp_path / "in", 12))
    with write_transaction(instance.engine) as conn:
        conn.execute(
            update(custody_event)
            .where(custody_event.c.item_id == items[3])
            .values(detail=json.dumps({"size": 1}))
        )
    assert _failures(instance) != []


def test_a_batch_that_fails_to_record_leaves_no_rows_and_can_be_run_again(
    instance: Instance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _files(tmp_path / "in", 9)
    instance.settings = replace(instance.settings, log_batch_size=4)
    real_record = custody.record
    calls = []

    def fail_on_the_second_batch(connection: Any, events: Any) -> list[int]:
        if events[0].event_type == CustodyEventType.INGESTION:
            calls.append(len(events))
        if len(calls) == 2:  # the second batch's blobs are in the vault, its rows not yet
            raise OSError("the database went away")
        return real_record(connection, events)

    monkeypatch.setattr(custody, "record", fail_on_the_second_batch)
    with pytest.raises(OSError, match="went away"):
        ingest_service.ingest(instance, [folder], case_name="Case")
    assert _count(instance, evidence_item) == 4  # the first batch whole, the second not at all
    assert list((instance.settings.vault_dir / "tmp").iterdir()) == []
    assert _failures(instance) == []  # blobs without rows are content the vault holds, no more
    monkeypatch.setattr(custody, "record", real_record)
    report = ingest_service.ingest(instance, [folder], case_name="Case")
    assert sorted(r.status for r in report.results) == ["already-ingested"] * 4 + ["stored"] * 5
    assert _count(instance, evidence_item) == 9
    assert _failures(instance) == []


def _timemap(tmp_path: Path, count: int) -> Path:
    events = [
        {
            "id": f"E{n}",
            "date": "03/05/2022",
            "latitude": "49.99",
            "longitude": "36.23",
            "location": "Kharkiv",
            "description": f"Strike number {n}.",
            "sources": [{"id": f"s{n}", "path": f"https://t.me/x/{n}", "description": "Post"}],
            "filters": [],
        }
        for n in range(count)
    ]
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events), encoding="utf-8")
    return path


def test_an_imported_batch_keeps_history_and_names_one_tampered_member(
    instance: Instance, tmp_path: Path
) -> None:
    import_timemap(instance, _timemap(tmp_path, 30), "Case")
    assert _failures(instance) == []
    with read_transaction(instance.engine) as conn:
        ids = sorted(conn.execute(select(incident.c.id)).scalars())
        victim = ids[11]
        (version,) = history.versions(conn, "incident", victim)
        event = conn.execute(
            select(custody_event.c.detail, custody_event.c.record).where(
                custody_event.c.log_index == version.log_index
            )
        ).one()
    assert json.loads(event.detail)["id"] == victim and event.record == version.digest
    with write_transaction(instance.engine) as conn:
        conn.execute(
            update(record_version)
            .where(record_version.c.record_id == victim)
            .values(data=func.replace(record_version.c.data, "Strike", "Storm"))
        )
    failures = _failures(instance)
    assert (9, f"incident {victim} version 1") in [(f.step, f.where) for f in failures]
    assert {f.where for f in failures} <= {f"incident {victim} version 1", f"incident {victim}"}
