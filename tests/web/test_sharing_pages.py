"""Sharing with investigators in the browser, in English and Ukrainian: choose and preview, ask, a
second person approves, the package is made with a progress bar, the asker downloads it, and the
disclosure register lists it."""

from __future__ import annotations

import io
import os
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases, custody_log, ingest
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents
from testament.packages import verifier
from tests.conftest import SQLITE_ONLY
from tests.web.conftest import PASSWORD
from tests.web.conftest import csrf_token as _csrf
from tests.web.conftest import signed_in as _signed_in

pytestmark = SQLITE_ONLY

CASE = "Mariupol"
FORM = f"/cases/{CASE}/share"
CHOICE = {"recipient_class": "icc-otp", "purpose": "criminal-investigation", "recipient": "ICC OTP"}


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    cases.create_case(instance, CASE)
    for username, role in (("alla", "analyst"), ("cora", "coordinator")):
        accounts.create_user(instance, username, PASSWORD)
        accounts.grant_role(instance, username, CASE, role)
    photo = tmp_path / "theatre.jpg"
    photo.write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(6000))
    item = str(ingest.ingest(instance, [photo], case_name=CASE).results[0].item_id)
    incident = incidents.create(instance, CASE, incidents.IncidentInput(title="Drama theatre"))
    evidence.link(instance, item, incident, "the theatre after the strike")
    return {"item": item, "incident": incident}


def _post(http: Any, path: str, data: dict[str, Any]) -> Any:
    page = http.get("/sharing")
    return http.post(path, data=data, headers={"X-CSRF-Token": _csrf(page.text)})


def _wait_for_builds() -> None:
    for thread in threading.enumerate():
        if thread.name.startswith("package-"):
            thread.join(timeout=60)


def test_a_package_is_asked_for_approved_by_another_made_and_downloaded(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    alla = _signed_in(site, "alla")
    form = alla.get(FORM)
    assert form.status_code == 200 and "Drama theatre" in form.text and "theatre.jpg" in form.text
    preview = _post(alla, FORM, CHOICE | {"action": "preview", "incident": world["incident"]})
    assert preview.status_code == 200 and "What the package would hold" in preview.text
    assert "theatre.jpg" in preview.text and "Nothing is withheld." in preview.text
    asked = _post(alla, FORM, CHOICE | {"action": "ask", "incident": world["incident"]})
    assert asked.status_code == 303 and asked.headers["location"] == "/sharing"
    own = alla.get("/sharing")
    assert "waiting for approval" in own.text and 'value="approve"' not in own.text
    cora = _signed_in(site, "cora")
    listed = cora.get("/sharing")
    assert 'value="approve"' in listed.text
    request_id = listed.text.split('id="request-', 1)[1].split('"', 1)[0]
    approved = _post(cora, f"/sharing/{request_id}/decide", {"decision": "approve"})
    assert approved.status_code == 303
    _wait_for_builds()
    ready = alla.get("/sharing")
    assert "ready" in ready.text and f"/sharing/{request_id}/download" in ready.text
    assert f"/sharing/{request_id}/download" not in cora.get("/sharing").text
    download = alla.get(f"/sharing/{request_id}/download")
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    package = Path(instance.settings.home) / "received.zip"
    package.write_bytes(download.content)
    assert zipfile.is_zipfile(io.BytesIO(download.content))
    checked = verifier.verify(package, custody_log.verifier_key(instance))
    assert checked.verdict == "valid", verifier.render(checked)
    register = cora.get("/disclosures")
    assert "ICC OTP" in register.text and "Disclosure register" in register.text


def test_the_person_who_asked_cannot_approve_and_bad_choices_are_said_beside_the_form(
    site: Any, world: dict[str, Any]
) -> None:
    cora = _signed_in(site, "cora")
    bad = _post(cora, FORM, CHOICE | {"recipient_class": "the-press", "action": "preview"})
    assert bad.status_code == 422 and "recipient-classes" in bad.text and 'role="alert"' in bad.text
    _post(cora, FORM, CHOICE | {"action": "ask"})
    listed = cora.get("/sharing")
    assert 'value="approve"' not in listed.text
    request_id = listed.text.split('id="request-', 1)[1].split('"', 1)[0]
    refused = _post(cora, f"/sharing/{request_id}/decide", {"decision": "approve"})
    assert refused.status_code == 403 and "cannot approve" in refused.text
    unknown = _post(cora, f"/sharing/{request_id}/decide", {"decision": "maybe", "reason": "x"})
    assert unknown.status_code == 422 and "approve or to refuse" in unknown.text


def test_the_sharing_pages_speak_ukrainian(site: Any, world: dict[str, Any]) -> None:
    alla = _signed_in(site, "alla", cookies={"testament_lang": "uk"})
    assert "Поділитися зі слідчими" in alla.get(FORM).text
    preview = _post(alla, FORM, CHOICE | {"action": "preview"})
    assert "Що міститиме пакет" in preview.text
    _post(alla, FORM, CHOICE | {"action": "ask"})
    assert "чекає на схвалення" in alla.get("/sharing").text
    assert "Реєстр розкриттів" in alla.get("/disclosures").text


def test_the_pages_refuse_who_may_not_share_or_download(
    site: Any, world: dict[str, Any], instance: Instance
) -> None:
    accounts.create_user(instance, "vera", PASSWORD)
    accounts.grant_role(instance, "vera", CASE, "viewer")
    vera = _signed_in(site, "vera")
    refused = _post(vera, FORM, CHOICE | {"action": "ask"})
    assert refused.status_code == 403
    alla = _signed_in(site, "alla")
    _post(alla, FORM, CHOICE | {"action": "ask"})
    request_id = alla.get("/sharing").text.split('id="request-', 1)[1].split('"', 1)[0]
    cora = _signed_in(site, "cora")
    _post(cora, f"/sharing/{request_id}/decide", {"decision": "approve"})
    _wait_for_builds()
    assert vera.get(f"/sharing/{request_id}/download").status_code == 403
    assert cora.get(f"/sharing/{request_id}/download").status_code == 403
    assert alla.get(f"/sharing/{request_id}/download").status_code == 200
