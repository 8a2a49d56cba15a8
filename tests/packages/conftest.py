"""Shared fixtures for evidence packages: a case with documented items, packaged through the real use case."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from testament.custody import cases, custody_log
from testament.custody import ingest as ingest_service
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents
from testament.packages.create import PackageRequest, create

CASE = "Case P"
AUDIENCE = ("icc-otp", "criminal-investigation", "ICC OTP")


def make_package(instance: Instance, out: Path, **options: Any) -> Path:
    """Package the whole of :data:`CASE` for :data:`AUDIENCE` at ``out``; ``options`` as in
    :class:`PackageRequest` (``zipped``, ``since_checkpoint``, ``item_ids``…)."""
    create(instance, PackageRequest(CASE, *AUDIENCE, out, **options))
    return out


@pytest.fixture
def documented(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    """A case with three ingested files, an incident linked to the first and an assessment of it."""
    cases.create_case(instance, CASE)
    files = tmp_path / "files"
    files.mkdir()
    contents = {
        "photo.jpg": b"\xff\xd8\xff\xe0" + b"jpeg body" * 40,
        "statement.txt": b"I saw the strike from the school's roof.\n",
        "notes.csv": b"time,place\n2024-01-10T08:00,School 5\n",
    }
    for name, data in contents.items():
        (files / name).write_bytes(data)
    report = ingest_service.ingest(instance, [files / name for name in contents], case_name=CASE)
    item_ids = [result.item_id for result in report.results]
    assert all(item_ids)
    incident_id = incidents.create(instance, CASE, incidents.IncidentInput(title="Strike"))
    evidence.link(instance, str(item_ids[0]), incident_id, "shows the crater next to School 5")
    evidence.assess(
        instance, str(item_ids[0]), axis="source", status="verified", method="uploader interview"
    )
    return {"instance": instance, "item_ids": item_ids, "incident_id": incident_id}


@pytest.fixture
def packaged(documented: dict[str, Any], tmp_path: Path) -> dict[str, Any]:
    """The case packaged as a directory: its path, the trusted verifier key text and the instance."""
    instance: Instance = documented["instance"]
    path = make_package(instance, tmp_path / "package")
    return documented | {"path": path, "key": custody_log.verifier_key(instance)}
