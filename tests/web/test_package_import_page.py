"""Importing a partner's package in the browser, in English and Ukrainian: a package made on a partner's
home is uploaded with the partner's key and its items arrive in the case; a tampered one is refused
naming the step, with nothing imported; with quarantine it comes in marked. The upload never stays in
the home."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import evidence
from testament.server import create_server
from tests.conftest import SQLITE_ONLY
from tests.packages.conftest import make_package
from tests.packages.test_import import FILES, partner
from tests.web.conftest import OPERATOR, PASSWORD
from tests.web.conftest import csrf_token as _csrf
from tests.web.conftest import signed_in as _signed_in

pytestmark = SQLITE_ONLY
__all__ = ["partner"]  # the fixture, shared with the use case's tests

PAGE = "/packages/import"
CASE = "Received"


@pytest.fixture
def dora(site: Any, instance: Instance) -> Any:
    """A documenter of the case the package goes into, signed in."""
    cases.create_case(instance, CASE)
    accounts.create_user(instance, "dora", PASSWORD)
    accounts.grant_role(instance, "dora", CASE, "documenter")
    return _signed_in(site, "dora")


def _zip(partner: dict[str, Any], out: Path, *, tamper: bool = False) -> bytes:
    path = make_package(partner["instance"], out, zipped=True)
    if not tamper:
        return path.read_bytes()
    tampered = out.with_name("tampered.zip")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tampered, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if "/data/originals/" in entry.filename and not entry.is_dir():
                data = b"X" * len(data)
            target.writestr(entry, data)
    return tampered.read_bytes()


def _upload(http: Any, package: bytes, key: str, **fields: str) -> Any:
    page = http.get(PAGE)
    assert page.status_code == 200, page.text
    return http.post(
        PAGE,
        data={"case": CASE, "key": key} | fields,
        files={"package": ("from-partner.zip", package, "application/zip")},
        headers={"X-CSRF-Token": _csrf(page.text)},
    )


def _leftovers(instance: Instance) -> list[str]:
    return [p.name for p in instance.settings.home.iterdir() if p.name.startswith(".package-")]


def test_a_package_uploaded_with_the_partners_key_arrives_in_the_case(
    dora: Any, instance: Instance, partner: dict[str, Any], tmp_path: Path
) -> None:
    package = _zip(partner, tmp_path / "package.zip")
    shown = _upload(dora, package, partner["key"] + "\n")
    assert shown.status_code == 200, shown.text
    assert "Items imported: 3" in shown.text and "Incidents imported: 1" in shown.text
    assert "quarantine" not in shown.text.split("<form", 1)[0].lower()
    names = sorted(item.original_name for item in evidence.list_for_case(instance, CASE))
    assert names == sorted(FILES)
    again = _upload(dora, package, partner["key"])
    assert again.status_code == 200 and "Already held from this package: 3" in again.text
    assert _leftovers(instance) == []


def test_a_tampered_package_is_refused_naming_the_step_and_nothing_is_imported(
    dora: Any, instance: Instance, partner: dict[str, Any], tmp_path: Path
) -> None:
    package = _zip(partner, tmp_path / "package.zip", tamper=True)
    refused = _upload(dora, package, partner["key"])
    assert refused.status_code == 422
    alert = refused.text.split('role="alert">', 1)[1].split("</p>", 1)[0]
    assert "step 2" in alert and "nothing was imported" in alert
    assert "from-partner.zip" in alert and "data/originals/" in alert
    assert str(instance.settings.home) not in refused.text
    assert evidence.list_for_case(instance, CASE) == []
    assert _leftovers(instance) == []


def test_with_quarantine_a_tampered_package_comes_in_marked(
    dora: Any, instance: Instance, partner: dict[str, Any], tmp_path: Path
) -> None:
    package = _zip(partner, tmp_path / "package.zip", tamper=True)
    shown = _upload(dora, package, partner["key"], quarantine="yes")
    assert shown.status_code == 200, shown.text
    assert "Imported in quarantine" in shown.text and "failed verification step 2" in shown.text
    assert "Items imported: 3" in shown.text and "Incidents imported: 0" in shown.text
    assert len(evidence.list_for_case(instance, CASE)) == 3


def test_without_a_key_or_a_file_the_form_says_what_is_missing(
    dora: Any, instance: Instance, partner: dict[str, Any], tmp_path: Path
) -> None:
    package = _zip(partner, tmp_path / "package.zip")
    no_key = _upload(dora, package, "")
    assert no_key.status_code == 422 and "no trusted key" in no_key.text
    page = dora.get(PAGE)
    no_file = dora.post(PAGE, data={"case": CASE, "key": partner["key"]}, files={"x": ("", b"")},
                        headers={"X-CSRF-Token": _csrf(page.text)})  # fmt: skip
    assert no_file.status_code == 422 and "Choose the package file" in no_file.text
    assert evidence.list_for_case(instance, CASE) == [] and _leftovers(instance) == []


def test_a_package_over_the_upload_limit_is_refused_and_not_kept(
    instance: Instance, partner: dict[str, Any], tmp_path: Path
) -> None:
    small = replace(instance, settings=replace(instance.settings, max_upload_bytes=4096))
    cases.create_case(instance, CASE)
    accounts.create_user(instance, "dora", PASSWORD)
    accounts.grant_role(instance, "dora", CASE, "documenter")
    http = _signed_in(create_server(small, api_token=OPERATOR), "dora")
    refused = _upload(http, _zip(partner, tmp_path / "package.zip"), partner["key"])
    assert refused.status_code == 413 and "4,096 bytes" in refused.text
    assert evidence.list_for_case(instance, CASE) == [] and _leftovers(instance) == []


def test_someone_who_may_not_document_the_case_is_refused(
    site: Any, instance: Instance, partner: dict[str, Any], tmp_path: Path
) -> None:
    cases.create_case(instance, CASE)
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", CASE, "viewer")
    refused = _upload(_signed_in(site, "vera"), _zip(partner, tmp_path / "p.zip"), partner["key"])
    assert refused.status_code == 403
    assert evidence.list_for_case(instance, CASE) == [] and _leftovers(instance) == []


def test_the_page_speaks_ukrainian_and_is_linked_from_sharing(dora: Any) -> None:
    assert 'href="/packages/import"' in dora.get("/sharing").text
    dora.cookies.set("testament_lang", "uk")
    page = dora.get(PAGE)
    assert page.status_code == 200
    assert "Імпортувати пакет партнера" in page.text
    assert 'hx-encoding="multipart/form-data"' in page.text
