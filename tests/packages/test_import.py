"""`testament package import`: a package made on a partner's home is verified and imported into this one.

The partner is a second home on SQLite; the importing home is the ``instance`` fixture's, on SQLite and
on PostgreSQL. Each bad input is refused before anything is written, and a second import of the same
package creates nothing new.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from testament.config import load_settings
from testament.custody import cases, custody_log
from testament.custody import ingest as ingest_service
from testament.custody import instance as instance_service
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents
from testament.errors import IntegrityError, InvalidInput
from testament.packages import layout, queries
from testament.packages.importing import ImportRequest, PackageImport, import_package
from testament.storage import tables
from testament.storage.engine import read_transaction
from tests.conftest import SQLITE_ONLY, TEST_ENVIRONMENT, run_in_process, settings_env
from tests.packages.conftest import CASE, make_package

RECEIVED = "Received"
FILES = {
    "photo.jpg": b"\xff\xd8\xff\xe0" + b"jpeg body" * 40,
    "statement.txt": b"I saw the strike from the school's roof.\n",
    "notes.csv": b"time,place\n2024-01-10T08:00,School 5\n",
}


@pytest.fixture
def partner(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A second home (SQLite) with a documented case: three items, an incident linked to the first."""
    settings = load_settings({"TESTAMENT_HOME": str(tmp_path / "partner")} | TEST_ENVIRONMENT)
    instance_service.init(settings)
    home = instance_service.open_instance(settings)
    cases.create_case(home, CASE)
    files = tmp_path / "partner-files"
    files.mkdir()
    for name, data in FILES.items():
        (files / name).write_bytes(data)
    report = ingest_service.ingest(home, [files / name for name in FILES], case_name=CASE)
    item_ids = [str(result.item_id) for result in report.results]
    incident_id = incidents.create(home, CASE, incidents.IncidentInput(title="Strike"))
    evidence.link(home, item_ids[0], incident_id, "shows the crater next to School 5")
    yield {
        "instance": home,
        "item_ids": item_ids,
        "incident_id": incident_id,
        "key": custody_log.verifier_key(home),
    }
    home.close()


def _package(partner: dict[str, Any], out: Path, **options: Any) -> Path:
    return make_package(partner["instance"], out, **options)


def _log_size(instance: Instance) -> int:
    return custody_log.status(instance).size


def _items(instance: Instance, case: str = RECEIVED) -> list[dict[str, Any]]:
    with read_transaction(instance.engine) as conn:
        case_id = conn.execute(select(tables.case.c.id).where(tables.case.c.name == case)).scalar()
        return queries.items(conn, str(case_id), None) if case_id else []


def _provenance(instance: Instance) -> list[dict[str, Any]]:
    with read_transaction(instance.engine) as conn:
        ids = [str(i) for i in conn.execute(select(tables.evidence_item.c.id)).scalars()]
        return queries.provenance(conn, ids)


def _transfers(instance: Instance) -> list[dict[str, Any]]:
    t = tables.custody_event
    with read_transaction(instance.engine) as conn:
        rows = conn.execute(select(t.c.detail).where(t.c.event_type == "transfer")).scalars()
        return [json.loads(row) if isinstance(row, str) else row for row in rows]


def _count(instance: Instance, table: Any) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _import(instance: Instance, path: Path, key: str | None, **options: Any) -> PackageImport:
    return import_package(instance, ImportRequest(path, RECEIVED, key, **options))


@pytest.mark.parametrize("zipped", [False, True], ids=["directory", "zip"])
def test_a_package_arrives_with_its_documentation_and_provenance(
    instance: Instance, partner: dict[str, Any], tmp_path: Path, zipped: bool
) -> None:
    path = _package(partner, tmp_path / ("package.zip" if zipped else "package"), zipped=zipped)
    report = _import(instance, path, partner["key"])
    assert (report.items, report.originals, report.already_imported) == (3, 3, 0)
    assert (report.incidents, report.links, report.quarantined, report.documentation) == (
        1, 1, False, True,
    )  # fmt: skip
    assert report.partner_origin == partner["instance"].record.log_origin
    items = _items(instance)
    assert sorted(i["sha256"] for i in items) == sorted(
        i["sha256"] for i in _items(partner["instance"], CASE)
    )
    with read_transaction(instance.engine) as conn:
        incident = conn.execute(select(tables.incident.c.id)).scalar_one()
        links = queries.incident_links(conn, [i["id"] for i in items])
    assert incident == partner["incident_id"]  # the ID is preserved
    assert [link["incident_id"] for found in links.values() for link in found] == [incident]
    rows = _provenance(instance)
    assert len(rows) == 3
    for row in rows:
        digest = next(i["sha256"] for i in items if i["id"] == row["item_id"])
        entries = [json.loads(line) for line in row["entries"].splitlines()]
        assert entries and all(
            e.get("sha256") == digest or e.get("item") in partner["item_ids"] for e in entries
        )
        assert any(e["type"] == "ingestion" for e in entries)
        assert len(json.loads(row["proofs"])) == len(entries)
        assert row["checkpoint"].startswith(report.partner_origin + "\n")
        assert (row["partner_key"], row["quarantined"], row["failed_step"]) == (
            partner["key"], False, None,
        )  # fmt: skip
    assert _transfers(instance) == [
        {"object": "package", "package": report.package_id, "items": 3, "quarantined": False,
         "partner_origin": report.partner_origin},
    ]  # fmt: skip


def test_the_same_package_twice_creates_nothing_new(
    instance: Instance, partner: dict[str, Any], tmp_path: Path
) -> None:
    path = _package(partner, tmp_path / "package.zip", zipped=True)
    _import(instance, path, partner["key"])
    again = _import(instance, path, partner["key"])
    assert (again.items, again.already_imported, again.incidents, again.links) == (0, 3, 0, 0)
    assert len(_items(instance)) == 3
    assert _count(instance, tables.incident) == 1
    assert _count(instance, tables.item_incident) == 1
    assert len(_provenance(instance)) == 3
    assert [t["items"] for t in _transfers(instance)] == [3, 0]


def _alter_an_original(path: Path) -> str:
    """Change an original's bytes, keeping its size (so step 1's Payload-Oxum still agrees)."""
    original = sorted((path / layout.ORIGINALS).glob("*/*"))[0]
    original.write_bytes(b"X" * original.stat().st_size)
    return original.relative_to(path).as_posix()


def test_a_package_that_fails_verification_is_refused(
    instance: Instance, partner: dict[str, Any], tmp_path: Path
) -> None:
    path = _package(partner, tmp_path / "package")
    altered = _alter_an_original(path)
    before = _log_size(instance)
    with pytest.raises(IntegrityError) as refused:
        _import(instance, path, partner["key"])
    assert "step 2" in refused.value.what and "nothing was imported" in refused.value.what
    assert refused.value.where is not None and altered in refused.value.where
    assert _log_size(instance) == before and _items(instance) == []
    assert _count(instance, tables.case) == 0


def test_with_quarantine_a_failed_package_comes_in_marked(
    instance: Instance, partner: dict[str, Any], tmp_path: Path
) -> None:
    path = _package(partner, tmp_path / "package")
    _alter_an_original(path)
    report = _import(instance, path, partner["key"], quarantine=True)
    assert (report.quarantined, report.failed_step, report.verdict) == (True, 2, "invalid")
    assert (report.items, report.documentation, report.incidents) == (3, False, 0)
    rows = _provenance(instance)
    assert len(rows) == 3 and all(r["quarantined"] and r["failed_step"] == 2 for r in rows)
    assert _transfers(instance)[0]["quarantined"] is True
    shown = evidence.show(instance, rows[0]["item_id"]).provenance  # what `evidence show` says
    assert [(p.package_id, p.quarantined, p.failed_step) for p in shown] == [
        (report.package_id, True, 2)
    ]


def test_without_a_key_the_package_is_refused_unless_a_partner_key_lists_it(
    instance: Instance, partner: dict[str, Any], tmp_path: Path
) -> None:
    path = _package(partner, tmp_path / "package")
    before = _log_size(instance)
    with pytest.raises(InvalidInput) as refused:
        _import(instance, path, None)
    assert refused.value.hint is not None and "--trust-key" in refused.value.hint
    listing = tmp_path / "partners.txt"
    listing.write_text("# partners\n" + custody_log.verifier_key(instance) + "\n")
    listed = replace(instance, settings=replace(instance.settings, partner_keys=listing))
    with pytest.raises(InvalidInput):
        _import(listed, path, None)  # another key is listed, not this partner's
    assert _log_size(instance) == before
    listing.write_text(f"{custody_log.verifier_key(instance)}\n{partner['key']}\n")
    assert _import(listed, path, None).items == 3


def test_a_package_signed_by_another_key_is_refused(
    instance: Instance, partner: dict[str, Any], tmp_path: Path
) -> None:
    path = _package(partner, tmp_path / "package")
    with pytest.raises(IntegrityError) as refused:
        _import(instance, path, custody_log.verifier_key(instance))
    assert "step 4" in refused.value.what
    assert _items(instance) == []


def _hostile_zip(path: Path, kind: str) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("pkg/bagit.txt", "BagIt-Version: 1.0\n")
        if kind == "slip":
            archive.writestr("pkg/../../escaped.txt", "outside")
        else:
            archive.writestr("pkg/data/originals/bomb.bin", b"\0" * (8 << 20))
    return path


@pytest.mark.parametrize("kind", ["slip", "bomb"])
@pytest.mark.parametrize("quarantine", [False, True])
def test_a_hostile_zip_is_refused_and_nothing_is_written(
    instance: Instance, partner: dict[str, Any], tmp_path: Path, kind: str, quarantine: bool
) -> None:
    path = _hostile_zip(tmp_path / "hostile.zip", kind)
    before = _log_size(instance)
    home_before = sorted(p.name for p in instance.settings.home.iterdir())
    with pytest.raises(IntegrityError) as refused:
        _import(instance, path, partner["key"], quarantine=quarantine)
    assert "nothing was imported" in refused.value.what or "step 1" in refused.value.what
    assert _log_size(instance) == before and _count(instance, tables.case) == 0
    assert sorted(p.name for p in instance.settings.home.iterdir()) == home_before
    assert not (tmp_path / "escaped.txt").exists()


def test_a_path_that_does_not_exist_is_refused(
    instance: Instance, partner: dict[str, Any], tmp_path: Path
) -> None:
    with pytest.raises(InvalidInput) as refused:
        _import(instance, tmp_path / "nowhere", partner["key"])
    assert refused.value.what == "the path does not exist"
    assert _count(instance, tables.case) == 0


@SQLITE_ONLY
def test_the_command_imports_and_reports(
    instance: Instance, partner: dict[str, Any], tmp_path: Path
) -> None:
    path = _package(partner, tmp_path / "package")
    _alter_an_original(path)
    key = tmp_path / "partner.vkey"
    key.write_text(partner["key"] + "\n")
    env = settings_env(instance.settings)
    args = ["package", "import", str(path), "--case", RECEIVED, "--trust-key", str(key)]
    refused = run_in_process(args, env)
    assert refused.returncode == 6 and "nothing was imported" in refused.stderr
    done = run_in_process([*args, "--quarantine"], env)
    assert done.returncode == 0, done.stderr
    assert "quarantined: failed step 2" in done.stdout
    shown = run_in_process([*args, "--quarantine", "--json"], env)
    assert json.load(io.StringIO(shown.stdout))["already_imported"] == 3
