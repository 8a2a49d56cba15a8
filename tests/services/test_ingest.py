"""Ingest on both databases: what is recorded, and every bad input named in the spine issue."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from testament.custody import ingest as service
from testament.custody import verification
from testament.custody.instance import Instance
from testament.errors import InvalidInput
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event, evidence_item


def _count(instance: Instance, table: object) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def _verify_ok(instance: Instance) -> None:
    findings = verification.run(instance)
    assert [f for f in findings if not f.ok] == []


def _by_path(report: service.IngestReport) -> dict[str, service.IngestResult]:
    return {Path(r.path).name: r for r in report.results}


def test_records_metadata_and_dedupes_content(instance: Instance, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"same bytes")
    (tmp_path / "b.txt").write_bytes(b"same bytes")
    os.utime(tmp_path / "a.txt", (1_600_000_000, 1_600_000_000))
    report = service.ingest(
        instance,
        [tmp_path / "a.txt", tmp_path / "b.txt"],
        case_name="Case",
        source_note="from a partner",
    )
    results = _by_path(report)
    assert results["a.txt"].status == "stored" and results["b.txt"].status == "linked"
    assert results["b.txt"].duplicate is True
    digest = hashlib.sha256(b"same bytes").hexdigest()
    assert list(instance.blobs.digests()) == [digest]
    with read_transaction(instance.engine) as conn:
        row = conn.execute(
            select(evidence_item).where(evidence_item.c.id == results["a.txt"].item_id)
        ).one()
    assert row.original_name == "a.txt"
    assert row.size == 10 and row.sha256 == digest
    assert row.mtime == "2020-09-13T12:26:40.000000Z"
    assert row.media_type == "text/plain"
    assert row.source_note == "from a partner"
    _verify_ok(instance)


def test_path_that_does_not_exist_changes_nothing(instance: Instance, tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("x")
    before = _count(instance, custody_event)
    with pytest.raises(InvalidInput) as caught:
        service.ingest(instance, [tmp_path / "real.txt", tmp_path / "nope.txt"], case_name="C")
    assert caught.value.where == str(tmp_path / "nope.txt")
    assert _count(instance, custody_event) == before
    assert _count(instance, evidence_item) == 0


def test_empty_file_is_evidence_too(instance: Instance, tmp_path: Path) -> None:
    (tmp_path / "empty").write_bytes(b"")
    report = service.ingest(instance, [tmp_path / "empty"], case_name="C")
    (result,) = report.results
    assert result.status == "stored" and result.size == 0
    assert result.sha256 == hashlib.sha256(b"").hexdigest()
    assert b"".join(instance.blobs.read(result.sha256)) == b""
    _verify_ok(instance)


def test_same_file_twice_in_one_run(instance: Instance, tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    target.write_bytes(b"evidence")
    (tmp_path / "link.bin").symlink_to(target)
    report = service.ingest(instance, [target, target, tmp_path / "link.bin"], case_name="C")
    statuses = [r.status for r in report.results]
    assert statuses.count("stored") == 1 and statuses.count("skipped") == 2
    assert all("already named" in (r.reason or "") for r in report.results if r.status == "skipped")
    assert _count(instance, evidence_item) == 1


def test_symlink_loop_is_skipped_with_reason(instance: Instance, tmp_path: Path) -> None:
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / "loop_a").symlink_to(folder / "loop_b")
    (folder / "loop_b").symlink_to(folder / "loop_a")
    (folder / "cycle").symlink_to(folder)  # a directory cycle
    (folder / "ok.txt").write_text("fine")
    report = service.ingest(instance, [folder], case_name="C")
    results = _by_path(report)
    assert results["loop_a"].status == "skipped" and "loop" in (results["loop_a"].reason or "")
    assert results["cycle"].status == "skipped" and "twice" in (results["cycle"].reason or "")
    assert results["ok.txt"].status == "stored"
    assert not report.failed


def test_fifo_and_device_files_are_skipped(instance: Instance, tmp_path: Path) -> None:
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "null").symlink_to("/dev/null")
    (tmp_path / "real.txt").write_text("x")
    report = service.ingest(instance, [tmp_path], case_name="C")
    results = _by_path(report)
    assert "FIFO" in (results["pipe"].reason or "")
    assert "device" in (results["null"].reason or "")
    assert results["real.txt"].status == "stored"
    assert _count(instance, evidence_item) == 1


def test_file_changed_while_read_is_rejected(instance: Instance, tmp_path: Path) -> None:
    target = tmp_path / "growing.bin"
    target.write_bytes(os.urandom(3 * 1024 * 1024))
    changed = []

    def tamper(_n: int) -> None:
        if not changed:
            changed.append(True)
            with target.open("ab") as handle:
                handle.write(b"appended while reading")

    events_before = _count(instance, custody_event)
    report = service.ingest(instance, [target], case_name="C", progress=tamper)
    (result,) = report.results
    assert result.status == "rejected" and "changed while" in (result.reason or "")
    assert report.failed
    assert _count(instance, evidence_item) == 0
    assert _count(instance, custody_event) == events_before
    assert list(instance.blobs.digests()) == []
    assert instance.blobs.stale_temporaries() == []


def test_interrupt_as_staging_returns_leaves_no_temporaries(
    instance: Instance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C can land after the store has staged a file and before ingest holds the result;
    # the staging group lets ingest clean up what it never received.
    for n in range(3):
        (tmp_path / f"f{n}").write_bytes(os.urandom(1000))
    store = instance.blobs
    real_stage = store.stage
    calls = []

    def stage_then_interrupt(*args: object, **kwargs: object) -> object:
        staged = real_stage(*args, **kwargs)  # type: ignore[arg-type]
        calls.append(staged)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return staged

    monkeypatch.setattr(store, "stage", stage_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        service.ingest(instance, [tmp_path], case_name="C")
    assert list((instance.settings.vault_dir / "tmp").iterdir()) == []
    assert _count(instance, evidence_item) == 0
    assert list(instance.blobs.digests()) == []


def test_batches_sign_one_checkpoint_each(instance: Instance, tmp_path: Path) -> None:
    from dataclasses import replace

    from testament.ledger import log

    instance.settings = replace(instance.settings, log_batch_size=4)
    for n in range(10):
        (tmp_path / f"f{n:02}").write_bytes(f"file {n}".encode())
    with read_transaction(instance.engine) as conn:
        checkpoints_before = log.checkpoint_count(conn)
    service.ingest(instance, [tmp_path / f"f{n:02}" for n in range(10)], case_name="C")
    with read_transaction(instance.engine) as conn:
        # 10 files in batches of 4 → 3 batches → 3 new checkpoints.
        assert log.checkpoint_count(conn) - checkpoints_before == 3
    _verify_ok(instance)


def test_own_home_is_never_ingested(instance: Instance, tmp_path: Path) -> None:
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    report = service.ingest(instance, [tmp_path], case_name="C")
    results = _by_path(report)
    assert results["home"].status == "skipped" and "own data" in (results["home"].reason or "")
    assert results["photo.jpg"].status == "stored"
    assert _count(instance, evidence_item) == 1
