"""A testimony's recording is the person's words: it plays and downloads only for those who may read
the words (reveal-identity), and a refused attempt is logged against the testimony (docs/survivors.md).
Other evidence of the case stays open to its readers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from testament.accounts import accounts
from testament.custody import cases, ingest
from testament.custody.instance import Instance
from testament.storage import tables
from testament.storage.engine import read_transaction
from testament.survivors import consent, identity, testimony
from tests.web.conftest import open_with_purpose
from tests.web.test_pages import PASSWORD, _signed_in

CASE = "Case A"
GIVEN = consent.GrantInput(
    purpose="criminal-investigation",
    recipient_class="national-prosecutor",
    info_sheet_version="2026-1",
    understanding_checked=True,
)
RISKS = {"risks_person": "seen with us", "risks_family": "none", "risks_staff": "none"}
SOUND = b"RIFF" + b"\x00" * 400


def _item(instance: Instance, path: Path) -> str:
    path.write_bytes(SOUND + path.name.encode())
    return ingest.ingest(instance, [path], case_name=CASE).results[0].item_id


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    cases.create_case(instance, CASE)
    for user, role in (("dana", "documenter"), ("vera", "viewer"), ("ada", "admin")):
        accounts.create_user(instance, user, PASSWORD)
        accounts.grant_role(instance, user, CASE, role)
    person_id, _ = identity.add_person(instance, CASE, identity.Identity(name="Halyna Petrenko"))
    consent.grant(instance, person_id, GIVEN)
    assessment = testimony.assess_risk(instance, person_id, flags=[], decision="proceed", **RISKS)
    recording = _item(instance, tmp_path / "interview.wav")
    other = _item(instance, tmp_path / "street.wav")
    held = testimony.record(
        instance, person_id, risk_assessment_id=assessment, interviewer="dana",
        started_at="2024-03-01T10:00:00+02:00", timezone="Europe/Kyiv", place="partner office",
        language="uk", contact_via="legal aid NGO", recording_item_id=recording,
        nothing_promised=True, why_needed="no other account exists",
        intended_use="criminal-investigation", intended_recipient="national-prosecutor",
    )  # fmt: skip
    return {"recording": recording, "other": other, "testimony": held}


def _denied_on_words(instance: Instance, testimony_id: str) -> list[str]:
    e = tables.custody_event
    with read_transaction(instance.engine) as conn:
        rows = conn.execute(
            select(e.c.detail).where(e.c.event_type == "access", e.c.outcome == "denied")
        ).scalars()
        details = [json.loads(detail) for detail in rows]
    return [str(d.get("purpose")) for d in details if d.get("testimony") == testimony_id]


def test_a_recording_plays_only_for_those_who_may_read_the_words(
    instance: Instance, world: dict[str, Any], site: Any
) -> None:
    recording, other = world["recording"], world["other"]
    for reader in ("vera", "dana"):  # a viewer, and the documenter who took the account
        http = _signed_in(site, reader)
        refused = http.get(f"/api/evidence/{recording}/content?purpose=listening again")
        assert refused.status_code == 403, (reader, refused.text)
        assert SOUND not in refused.content
        assert http.get(f"/api/evidence/{other}/content?purpose=review").content.startswith(SOUND)
        page = open_with_purpose(http, f"/evidence/{recording}", "review")
        assert page.status_code == 200
        assert f"/api/evidence/{recording}/content" not in page.text
        assert "This is the recording of a testimony" in page.text
    assert _denied_on_words(instance, world["testimony"]) == ["listening again"] * 2
    admin = _signed_in(site, "ada")
    allowed = admin.get(f"/api/evidence/{recording}/content?purpose=preparing the case file")
    assert allowed.status_code == 200 and allowed.content.startswith(SOUND)
    page = open_with_purpose(admin, f"/evidence/{recording}", "review")
    assert f"/api/evidence/{recording}/content" in page.text
    assert "This is the recording of a testimony" not in page.text
