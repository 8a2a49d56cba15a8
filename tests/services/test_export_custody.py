"""Every export is a disclosure: a dissemination event names the case, format, counts and the bytes' digest."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from testament.custody import cases, verification
from testament.custody.instance import Instance
from testament.errors import InvalidInput, NotFound
from testament.ledger import log
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event
from testament.transfer import exports
from testament.transfer.imports import import_timemap
from tests.services.test_imports import SAMPLE

CASE = "Bellingcat"


@pytest.fixture
def sample(instance: Instance) -> Instance:
    import_timemap(instance, SAMPLE, CASE)
    return instance


@pytest.fixture
def outdir(tmp_path: Path) -> Path:
    """A directory for exports alone (the instance's home is in tmp_path too)."""
    made = tmp_path / "exports"
    made.mkdir()
    return made


def _events(instance: Instance) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(custody_event)).scalar_one())


def _last_event(instance: Instance) -> tuple[dict[str, Any], bytes]:
    with read_transaction(instance.engine) as conn:
        row = conn.execute(
            select(custody_event).order_by(custody_event.c.log_index.desc()).limit(1)
        ).mappings()
        event = dict(row.one())
        return event, log.entry(conn, int(event["log_index"]))


@pytest.mark.parametrize("fmt", exports.CASE_FORMATS)
def test_an_export_file_is_recorded_with_its_digest(
    sample: Instance, outdir: Path, fmt: str
) -> None:
    out = outdir / f"for the prosecutor.{fmt}"
    report = exports.export_file(sample, fmt, CASE, out)
    written = out.read_bytes()
    event, entry = _last_event(sample)
    with read_transaction(sample.engine) as conn:
        case_id = cases.case_id(conn, CASE)
    assert event["event_type"] == "dissemination"
    assert event["log_index"] == report.log_index
    assert event["case_id"] == case_id
    assert event["sha256"] == hashlib.sha256(written).hexdigest() == report.sha256
    assert json.loads(event["detail"]) == {
        "format": fmt,
        "records": report.records,
        "size": len(written),
        "digest_algorithm": "SHA-256",
    }
    assert report.records["incident"] == report.incidents > 0
    assert sorted(p.name for p in outdir.iterdir()) == [
        out.name
    ]  # no temporary file left beside it
    for private in (str(outdir), out.name, "prosecutor", CASE):
        assert private.encode() not in entry


def test_an_export_to_a_stream_is_recorded_too(sample: Instance) -> None:
    out = io.StringIO()
    report = exports.export(sample, "jsonl", CASE, out)
    event, _ = _last_event(sample)
    assert event["event_type"] == "dissemination"
    assert event["sha256"] == hashlib.sha256(out.getvalue().encode()).hexdigest() == report.sha256


def test_verify_passes_after_an_export(sample: Instance, outdir: Path) -> None:
    exports.export_file(sample, "geojson", CASE, outdir / "out.geojson")
    assert [f for f in verification.run(sample) if not f.ok] == []


@pytest.mark.parametrize("where", ["missing/out.jsonl", "a-file/out.jsonl"])
def test_an_export_to_an_unwritable_place_fails_and_records_nothing(
    sample: Instance, outdir: Path, where: str
) -> None:
    (outdir / "a-file").write_text("not a directory")
    before = _events(sample)
    with pytest.raises(InvalidInput, match="cannot write the export") as caught:
        exports.export_file(sample, "jsonl", CASE, outdir / where)
    assert caught.value.where == str(outdir / where)
    assert _events(sample) == before


def test_a_failed_export_leaves_no_file_and_no_event(
    sample: Instance, outdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = outdir / "out.timemap"
    out.write_text("the previous export")
    before = _events(sample)

    def fail_halfway(
        connection: Any, fmt: str, case_id: str, sink: Any, report: Any, **_: Any
    ) -> None:
        sink.write("[\n{")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports, "_write", fail_halfway)
    with pytest.raises(OSError, match="No space left"):
        exports.export_file(sample, "timemap", CASE, out)
    assert out.read_text() == "the previous export"
    assert sorted(p.name for p in outdir.iterdir()) == [out.name]
    assert _events(sample) == before


def test_an_unknown_case_records_nothing(sample: Instance, outdir: Path) -> None:
    before = _events(sample)
    with pytest.raises(NotFound):
        exports.export_file(sample, "csv", "No such case", outdir / "out.csv")
    assert _events(sample) == before and not any(outdir.iterdir())
