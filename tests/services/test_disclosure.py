"""Testimony exports: consent per recipient, "erased under policy", and two people for a named export.

MC-01, MC-06 and the survivors issue's first bad input: exporting a testimony for the ICC when only
internal analysis was granted.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases, ingest, verification
from testament.custody.instance import Instance, acting_as
from testament.errors import Conflict, ConsentRequired, InvalidInput, NotFound, PermissionDenied
from testament.survivors import consent, erasure, identity, testimony
from testament.transfer import disclosure, exports

CASE = "Kharkiv"
NAME = "Halyna Melnyk"
ACCOUNT = "They came at dawn and took my neighbour to the school."
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
PROSECUTOR = exports.Audience("national-prosecutor", "criminal-investigation", "Office X")
ICC = exports.Audience("icc-otp", "criminal-investigation", "ICC OTP")


def grant(purpose: str, recipient_class: str, identifiability: str = "pseudonymous") -> Any:
    return consent.GrantInput(
        purpose=purpose,
        recipient_class=recipient_class,
        data_scope="testimony",
        identifiability=identifiability,
        mode="written",
        language="uk",
        info_sheet_version="2026-1",
        understanding_checked=True,
    )


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    cases.create_case(instance, CASE)
    person_id, _ = identity.add_person(instance, CASE, identity.Identity(name=NAME))
    consent.grant(instance, person_id, grant("internal-analysis", "internal"))
    ids: dict[str, Any] = {"person": person_id}
    for username in ("olena", "petro"):
        ids[username] = accounts.create_user(instance, username, PASSWORD)
        accounts.grant_role(instance, username, CASE, "admin")
    assessment = testimony.assess_risk(
        instance,
        person_id,
        flags=(),
        risks_person="none known",
        risks_family="none known",
        risks_staff="none known",
        decision="proceed",
    )
    audio = tmp_path / "interview.ogg"
    audio.write_bytes(b"OggS" + b"recorded words of the witness" * 100)
    ids["recording"] = ingest.ingest(instance, [audio], case_name=CASE).results[0].item_id
    ids["testimony"] = testimony.record(
        instance,
        person_id,
        risk_assessment_id=assessment,
        interviewer="olena",
        started_at="2024-05-01T09:00:00+03:00",
        timezone="Europe/Kyiv",
        place="partner office",
        language="uk",
        contact_via="hotline",
        account=ACCOUNT,
        recording_item_id=ids["recording"],
        nothing_promised=True,
        intended_use="internal-analysis",
        intended_recipient="internal",
        why_needed="the only account of the detention",
    )
    return ids


def exported_testimonies(
    instance: Instance, audience: exports.Audience, approval: str | None = None
) -> str:
    out = io.StringIO()
    exports.export(instance, "testimonies", CASE, out, audience=audience, approval=approval)
    return out.getvalue()


def test_an_icc_export_of_a_testimony_needs_an_icc_grant(
    instance: Instance, world: dict[str, Any]
) -> None:
    with pytest.raises(ConsentRequired) as refused:
        exported_testimonies(instance, ICC)
    assert "no grant for purpose criminal-investigation to icc-otp, scope testimony" in (
        refused.value.what
    )
    consent.grant(instance, world["person"], grant("criminal-investigation", "icc-otp"))
    exported = exported_testimonies(instance, ICC)
    assert ACCOUNT in exported and NAME not in exported  # pseudonymous unless approved


def test_a_named_export_needs_a_second_person(instance: Instance, world: dict[str, Any]) -> None:
    consent.grant(
        instance, world["person"], grant("criminal-investigation", "national-prosecutor", "named")
    )
    with acting_as(world["olena"]):
        request = disclosure.request(
            instance, CASE, "national-prosecutor", "criminal-investigation", "Office X"
        )
        with pytest.raises(PermissionDenied, match="cannot approve"):
            disclosure.approve(instance, request)
        with pytest.raises(PermissionDenied, match="not been approved"):
            exported_testimonies(instance, PROSECUTOR, request)
    with acting_as(world["petro"]):
        disclosure.approve(instance, request)
        with pytest.raises(Conflict):
            disclosure.approve(instance, request)
    with pytest.raises(InvalidInput, match="another case or audience"):
        exported_testimonies(
            instance,
            exports.Audience("national-prosecutor", "criminal-investigation", "Y"),
            request,
        )
    lines = [
        json.loads(line)
        for line in exported_testimonies(instance, PROSECUTOR, request).splitlines()
    ]
    assert [line["identity"]["name"] for line in lines] == [NAME]
    with pytest.raises(Conflict, match="already used"):
        exported_testimonies(instance, PROSECUTOR, request)
    assert NAME not in exported_testimonies(instance, PROSECUTOR)


def test_named_export_refused_when_consent_is_only_pseudonymous(
    instance: Instance, world: dict[str, Any]
) -> None:
    consent.grant(instance, world["person"], grant("criminal-investigation", "national-prosecutor"))
    with acting_as(world["olena"]):
        request = disclosure.request(
            instance, CASE, "national-prosecutor", "criminal-investigation", "Office X"
        )
    with acting_as(world["petro"]):
        disclosure.approve(instance, request)
    with pytest.raises(ConsentRequired, match="named"):
        exported_testimonies(instance, PROSECUTOR, request)


def test_after_erasure_the_export_reads_erased_and_the_recording_is_gone(
    instance: Instance, world: dict[str, Any]
) -> None:
    consent.grant(instance, world["person"], grant("internal-analysis", "internal", "named"))
    report = erasure.erase(instance, world["person"], grounds="survivor-request")
    assert len(report.recordings_shredded) == 1
    # Nothing of theirs is left to consent to: the export shows what stood there.
    exported = exported_testimonies(instance, PROSECUTOR)
    assert ACCOUNT not in exported and NAME not in exported
    assert identity.ERASED in exported
    with pytest.raises(NotFound):
        b"".join(instance.blobs.read(report.recordings_shredded[0]))
    assert all(f.ok for f in verification.run(instance))
