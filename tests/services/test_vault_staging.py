"""Partial files a crash leaves in vault/tmp: reported by verify, kept by ingest, removed on request only.

The crash is real: a process that was staging a file is gone, and its partial file is in the vault's
staging area under its process ID, as the filesystem store names it. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from sqlalchemy import select

from testament.custody import ingest as ingest_service
from testament.custody import vault_staging, verification
from testament.custody.instance import Instance
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event


def _dead_pid() -> int:
    """The ID of a process that has run and exited (so its files in tmp are stale)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _left_by_a_crash(instance: Instance, size: int = 70_000) -> Path:
    """A partial upload as a killed writer leaves it: ``<pid>.<random>.blob``, part written."""
    path = instance.settings.vault_dir / "tmp" / f"{_dead_pid()}.5f3a9c1e0b7d2468.blob"
    path.write_bytes(os.urandom(size))
    return path


def _in_progress(instance: Instance) -> Path:
    """A file this (running) process is staging."""
    path = instance.settings.vault_dir / "tmp" / f"{os.getpid()}.0123456789abcdef.blob"
    path.write_bytes(b"still arriving")
    return path


def test_verify_reports_a_partial_file_and_ingest_leaves_it(
    instance: Instance, tmp_path: Path
) -> None:
    partial = _left_by_a_crash(instance)
    findings = verification.run(instance)
    assert [f for f in findings if not f.ok] == []  # not evidence: a note, not a failure
    (note,) = [f for f in findings if f.info and f.where == "vault tmp"]
    assert partial.name in note.detail and "70,000 bytes" in note.detail
    assert "testament vault clean-tmp" in note.detail
    (tmp_path / "a.txt").write_text("a statement")
    ingest_service.ingest(instance, [tmp_path / "a.txt"], case_name="Case")
    assert partial.exists()  # never deleted silently


def test_clean_records_a_deletion_event_then_removes_only_stale_files(
    instance: Instance,
) -> None:
    partial = _left_by_a_crash(instance)
    writing = _in_progress(instance)
    listed = vault_staging.temporaries(instance)
    assert [(t.name, t.size, t.stale) for t in listed] == sorted(
        [(partial.name, 70_000, True), (writing.name, 14, False)]
    )
    cleaned = vault_staging.clean(instance)
    assert [t.name for t in cleaned.removed] == [partial.name]
    assert [t.name for t in cleaned.in_use] == [writing.name]
    assert not partial.exists() and writing.exists()
    with read_transaction(instance.engine) as conn:
        event = conn.execute(
            select(custody_event).where(custody_event.c.log_index == cleaned.log_index)
        ).one()
    assert event.event_type == "deletion" and event.item_id is None and event.case_id is None
    assert json.loads(event.detail) == {
        "object": "vault-staging", "action": "clean-tmp", "count": 1, "size": 70_000,
        "files": [{"name": partial.name, "size": 70_000}],
    }  # fmt: skip
    findings = verification.run(instance)
    assert [f for f in findings if not f.ok] == []
    assert not [f for f in findings if f.where == "vault tmp"]
    assert vault_staging.clean(instance).log_index is None  # nothing stale: nothing recorded
