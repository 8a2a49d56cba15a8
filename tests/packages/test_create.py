"""`package create`: what goes in, what is withheld and why, what is recorded, and bad input.

The consent gate is the one every export asks (``consent.decide``/``consent.require``): a testimony's
recording enters a package only where the person's consent covers testimony for its purpose and
recipient class, and is otherwise listed in ``withheld.jsonl``; a use is recorded, so a withdrawal
lists the package's recipient among those to tell.
"""

from __future__ import annotations

import json
import os
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases, custody_log, ingest
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents
from testament.errors import Conflict, ConsentRequired, IntegrityError, InvalidInput, NotFound
from testament.packages import layout, verifier
from testament.packages.create import Narrowing, PackageRequest, create
from testament.survivors import consent, identity, testimony
from testament.transfer import disclosure
from tests.conftest import SQLITE_ONLY

CASE = "Izium"
ICC = ("icc-otp", "criminal-investigation", "ICC OTP")


def _grant(recipient_class: str, scope: str) -> consent.GrantInput:
    return consent.GrantInput(
        purpose="criminal-investigation" if recipient_class == "icc-otp" else "internal-analysis",
        recipient_class=recipient_class,
        data_scope=scope,
        identifiability="pseudonymous",
        mode="written",
        language="uk",
        info_sheet_version="2026-1",
        understanding_checked=True,
    )


def _testimony(instance: Instance, person_id: str, recording: str) -> str:
    assessment = testimony.assess_risk(
        instance, person_id, flags=(), risks_person="none known", risks_family="none known",
        risks_staff="none known", decision="proceed",
    )  # fmt: skip
    return testimony.record(
        instance, person_id, risk_assessment_id=assessment, interviewer="root",
        started_at="2024-05-01T09:00:00+03:00", timezone="Europe/Kyiv", place="partner office",
        language="uk", contact_via="hotline", account="They took my neighbour to the school.",
        recording_item_id=recording, nothing_promised=True, intended_use="internal-analysis",
        intended_recipient="internal", why_needed="the only account of the detention",
    )  # fmt: skip


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    cases.create_case(instance, CASE)
    accounts.create_user(instance, "root", "correct horse battery staple")
    accounts.grant_role(instance, "root", CASE, "admin")
    files = tmp_path / "files"
    files.mkdir()
    (files / "crater.jpg").write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(3000))
    (files / "notes: day 1.txt").write_text("shelling at 05:40\n", encoding="utf-8")
    (files / "interview.ogg").write_bytes(b"OggS" + b"recorded words" * 200)
    found = ingest.ingest(instance, sorted(files.iterdir()), case_name=CASE).results
    ids = {Path(r.path).name: r.item_id for r in found}
    incident = incidents.create(
        instance, CASE, incidents.IncidentInput(title="Strike on the school")
    )
    evidence.link(instance, str(ids["crater.jpg"]), incident, "shows the crater")
    person_id, _ = identity.add_person(instance, CASE, identity.Identity(name="Halyna Melnyk"))
    consent.grant(instance, person_id, _grant("internal", "testimony"))
    consent.grant(instance, person_id, _grant("icc-otp", "incident-facts"))
    told = _testimony(instance, person_id, str(ids["interview.ogg"]))
    out = tmp_path / "out"
    out.mkdir()
    return {"items": ids, "incident": incident, "person": person_id, "tmp": out, "testimony": told}


def _request(world: dict[str, Any], name: str = "package", **extra: Any) -> PackageRequest:
    return PackageRequest(CASE, *ICC, world["tmp"] / name, **extra)


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_a_whole_case_package_holds_its_evidence_and_withholds_a_recording_without_consent(
    instance: Instance, world: dict[str, Any]
) -> None:
    report = create(instance, _request(world))
    out = Path(report.path)
    items = {line["original_name"]: line for line in _lines(out / layout.ITEMS)}
    assert sorted(items) == ["crater.jpg", "notes: day 1.txt"]
    crater = items["crater.jpg"]
    assert (out / crater["path"]).read_bytes()[:4] == b"\xff\xd8\xff\xe0"
    assert [link["relevance"] for link in crater["incidents"]] == ["shows the crater"]
    assert items["notes: day 1.txt"]["path"].endswith(
        "/notes_ day 1.txt"
    )  # made safe, kept in full
    withheld = _lines(out / layout.WITHHELD)
    assert [(w["kind"], w["id"], w["reason"]) for w in withheld] == [
        ("item", world["items"]["interview.ogg"], "consent"),
        ("testimony", world["testimony"], "consent"),
    ]
    assert "criminal-investigation" in withheld[0]["detail"]
    assert not (out / layout.TESTIMONIES).exists()
    assert [line["data"]["title"] for line in _lines(out / layout.INCIDENTS)] == [
        "Strike on the school"
    ]
    assert report.withheld[0].reason == "consent" and report.items == 2 and report.testimonies == 0
    checked = verifier.verify(out, custody_log.verifier_key(instance))
    assert checked.verdict == "valid", verifier.render(checked)


def test_the_disclosure_is_an_entry_of_the_package_naming_recipient_purpose_and_digests(
    instance: Instance, world: dict[str, Any]
) -> None:
    report = create(instance, _request(world))
    entries = _lines(Path(report.path) / layout.ENTRIES)
    (disclosure,) = [e for e in entries if e["type"] == "disclosure"]
    detail = disclosure["detail"]
    assert (detail["package"], detail["recipient"], detail["purpose"]) == (
        report.package_id, "ICC OTP", "criminal-investigation",
    )  # fmt: skip
    items = _lines(Path(report.path) / layout.ITEMS)
    assert detail["items"] == sorted(line["sha256"] for line in items)
    assert "Halyna" not in (Path(report.path) / layout.ENTRIES).read_text(encoding="utf-8")
    assert custody_log.status(instance).signed_size == report.checkpoint_size


def test_a_recording_goes_in_once_consent_covers_it_and_a_withdrawal_names_the_recipient(
    instance: Instance, world: dict[str, Any]
) -> None:
    consent.grant(instance, world["person"], _grant("icc-otp", "testimony"))
    report = create(instance, _request(world, zipped=True, name="package.zip"))
    assert report.items == 3 and report.withheld == ()
    withdrawal = consent.withdraw(instance, world["person"], communicated_via="in-person")
    assert "ICC OTP" in {told.recipient for told in withdrawal.to_tell}


def test_items_and_incidents_choose_what_goes_in(instance: Instance, world: dict[str, Any]) -> None:
    by_incident = create(instance, _request(world, "a", incident_ids=(world["incident"],)))
    assert by_incident.items == 1 and by_incident.incidents == 1
    notes = str(world["items"]["notes: day 1.txt"])
    by_item = create(instance, _request(world, "b", item_ids=(notes,)))
    assert by_item.items == 1 and by_item.incidents == 0
    assert [line["id"] for line in _lines(Path(by_item.path) / layout.ITEMS)] == [notes]


def test_a_recipient_can_ask_for_proof_that_the_log_extends_the_checkpoint_they_hold(
    instance: Instance, world: dict[str, Any]
) -> None:
    held = custody_log.latest_checkpoint(instance)
    incidents.create(instance, CASE, incidents.IncidentInput(title="A later strike"))
    report = create(instance, _request(world, since_checkpoint=held))
    assert (Path(report.path) / layout.CONSISTENCY).is_file()
    key = custody_log.verifier_key(instance)
    checked = verifier.verify(Path(report.path), key, since_checkpoint=held)
    assert checked.verdict == "valid" and "grew from" in " ".join(checked.steps[4].findings)


@pytest.mark.parametrize(
    ("change", "error", "where"),
    [
        ({"recipient_class": "the-press"}, InvalidInput, "--for"),
        ({"purpose": "curiosity"}, InvalidInput, "--purpose"),
        ({"recipient": "  "}, InvalidInput, "--recipient"),
        ({"item_ids": ("not-an-id",)}, InvalidInput, "--items not-an-id"),
        ({"item_ids": ("0b5c3f1e-0000-7000-8000-000000000000",)}, NotFound, "0b5c3f1e"),
        ({"incident_ids": ("0b5c3f1e-0000-7000-8000-000000000000",)}, NotFound, "0b5c3f1e"),
        ({"case_name": "No such case"}, NotFound, "No such case"),
        ({"since_checkpoint": "not a checkpoint\n"}, InvalidInput, "--since-checkpoint"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(
    instance: Instance,
    world: dict[str, Any],
    change: dict[str, Any],
    error: type[Exception],
    where: str,
) -> None:
    before = custody_log.status(instance).size
    values = {"case_name": CASE, "recipient_class": ICC[0], "purpose": ICC[1], "recipient": ICC[2]}
    values |= change
    with pytest.raises(error) as raised:
        create(instance, PackageRequest(out=world["tmp"] / "package", **values))
    assert where in str(getattr(raised.value, "where", "")) + str(raised.value)
    assert custody_log.status(instance).size == before
    assert list(world["tmp"].iterdir()) == []


def test_an_existing_path_or_a_missing_folder_is_refused(
    instance: Instance, world: dict[str, Any]
) -> None:
    (world["tmp"] / "taken").mkdir()
    with pytest.raises(Conflict, match="already exists"):
        create(instance, _request(world, "taken"))
    with pytest.raises(InvalidInput, match="does not exist"):
        create(instance, _request(world, "missing/package"))


def test_a_case_whose_people_did_not_consent_to_this_audience_is_refused_whole(
    instance: Instance, world: dict[str, Any]
) -> None:
    request = PackageRequest(CASE, "media-public", "advocacy-publication", "A newspaper",
                             world["tmp"] / "package")  # fmt: skip
    with pytest.raises(ConsentRequired):
        create(instance, request)
    assert not request.out.exists()


def test_a_failure_while_writing_leaves_no_package_and_no_disclosure(
    instance: Instance, world: dict[str, Any]
) -> None:
    before = custody_log.status(instance).size
    blobs = instance.settings.vault_dir / "objects"
    crater = next(p for p in blobs.rglob("*") if p.is_file() and p.stat().st_size > 3000)
    crater.chmod(0o644)
    crater.write_bytes(b"not the original any more")
    with pytest.raises(IntegrityError):
        create(instance, _request(world))
    assert custody_log.status(instance).size == before
    assert list(world["tmp"].iterdir()) == []


def test_the_custody_excerpt_is_also_premis_xml(instance: Instance, world: dict[str, Any]) -> None:
    from xml.etree import ElementTree as ET

    report = create(instance, _request(world))
    root = ET.parse(Path(report.path) / layout.PREMIS).getroot()  # noqa: S314 - as above
    ns = {"p": "http://www.loc.gov/premis/v3"}
    entries = _lines(Path(report.path) / layout.ENTRIES)
    events = root.findall("p:event", ns)
    assert [
        e.findtext("p:eventIdentifier/p:eventIdentifierValue", namespaces=ns) for e in events
    ] == [entry["id"] for entry in entries if entry["type"] != "disclosure"]  # it names premis.xml
    types = {e.findtext("p:eventType", namespaces=ns): e.find("p:eventType", ns) for e in events}
    ingestion = types["ingestion"]
    assert ingestion is not None
    assert ingestion.get("valueURI") == "http://id.loc.gov/vocabulary/preservation/eventType/ing"
    digests = {
        o.findtext(".//p:messageDigest", namespaces=ns) for o in root.findall("p:object", ns)
    }
    assert digests == {line["sha256"] for line in _lines(Path(report.path) / layout.ITEMS)}


def _told(report_path: str, testimony_id: str) -> dict[str, Any]:
    path = Path(report_path) / layout.TESTIMONIES / testimony_id / "testimony.json"
    found: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return found


def test_a_testimony_goes_in_with_its_words_and_its_recording_once_consent_covers_it(
    instance: Instance, world: dict[str, Any]
) -> None:
    consent.grant(instance, world["person"], _grant("icc-otp", "testimony"))
    report = create(instance, _request(world))
    assert report.testimonies == 1 and report.withheld == ()
    told = _told(report.path, world["testimony"])
    assert told["account"] == "They took my neighbour to the school."
    assert (Path(report.path) / told["recording"]["path"]).read_bytes()[:4] == b"OggS"
    assert "identity" not in told and "Halyna" not in json.dumps(told, ensure_ascii=False)
    checked = verifier.verify(Path(report.path), custody_log.verifier_key(instance))
    assert checked.verdict == "valid", verifier.render(checked)


def test_people_are_named_only_with_a_second_persons_approval_used_once(
    instance: Instance, world: dict[str, Any]
) -> None:
    named = _grant("icc-otp", "testimony")
    consent.grant(instance, world["person"], replace(named, identifiability="named"))
    approval = disclosure.request(instance, CASE, *ICC)
    second = instance.acting_for(accounts.principal_named(instance, "root"))
    disclosure.approve(second, approval)
    report = create(instance, _request(world, approval=approval))
    assert _told(report.path, world["testimony"])["identity"]["name"] == "Halyna Melnyk"
    with pytest.raises(Conflict, match="already used"):
        create(instance, _request(world, "again", approval=approval))
    assert not (world["tmp"] / "again").exists()


def test_an_edited_testimony_fails_verification_though_the_bag_is_rebuilt(
    instance: Instance, world: dict[str, Any]
) -> None:
    from tests.packages.test_tampering import _rebag

    consent.grant(instance, world["person"], _grant("icc-otp", "testimony"))
    report = create(instance, _request(world))
    path = Path(report.path) / layout.TESTIMONIES / world["testimony"] / "testimony.json"
    path.write_text(path.read_text(encoding="utf-8").replace("neighbour", "brother"), "utf-8")
    _rebag(Path(report.path))
    checked = verifier.verify(Path(report.path), custody_log.verifier_key(instance))
    assert checked.verdict == "invalid" and checked.steps[6].status == "failed"
    assert checked.steps[6].file == str(path.relative_to(report.path))


def test_the_e_court_sheet_lists_each_item_with_its_registration_number(
    instance: Instance, world: dict[str, Any]
) -> None:
    crater = str(world["items"]["crater.jpg"])
    evidence.set_external_id(instance, crater, scheme="ICC-ERN", value="UKR-OTP-0001-0042",
                             assigned_by="ICC Registry")  # fmt: skip
    report = create(instance, _request(world))
    sheet = (Path(report.path) / layout.ECOURT_CSV).read_text(encoding="utf-8").splitlines()
    assert sheet[0].startswith("ERN,") and any(
        row.startswith("UKR-OTP-0001-0042,") for row in sheet
    )
    assert len(sheet) == 1 + report.items
    assert (Path(report.path) / layout.ECOURT_XLSX).stat().st_size > 0


def test_a_bad_e_court_mapping_is_refused_before_anything_is_written(
    instance: Instance, world: dict[str, Any]
) -> None:
    bad = world["tmp"].parent / "mapping.json"
    bad.write_text('[["ERN", "no.such.field"]]', encoding="utf-8")
    mapped = replace(instance, settings=replace(instance.settings, ecourt_mapping=bad))
    before = custody_log.status(instance).size
    with pytest.raises(InvalidInput, match="entry 1"):
        create(mapped, _request(world))
    assert custody_log.status(instance).size == before and list(world["tmp"].iterdir()) == []


@SQLITE_ONLY
def test_verifying_a_large_package_keeps_memory_bounded(instance: Instance, tmp_path: Path) -> None:
    """The payload is read in 1 MiB chunks, a few files at a time: what verify holds does not grow
    with the package (the 20 GB case, scaled down to a 96 MiB original and a zip)."""
    cases.create_case(instance, "Large")
    big = tmp_path / "video.bin"
    with big.open("wb") as handle:
        for _ in range(96):
            handle.write(os.urandom(1 << 20))
    ingest.ingest(instance, [big], case_name="Large")
    key = custody_log.verifier_key(instance)
    for zipped in (False, True):
        out = tmp_path / ("package.zip" if zipped else "package")
        create(instance, PackageRequest("Large", *ICC, out, zipped=zipped))
        tracemalloc.start()
        try:
            report = verifier.verify(out, key)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert report.verdict == "valid" and peak < 16 << 20, (zipped, peak)


def test_a_package_can_hold_only_some_kinds_of_file_or_days(
    instance: Instance, world: dict[str, Any]
) -> None:
    images = create(instance, _request(world, "images", only=Narrowing(("image",))))
    assert images.items == 1 and images.incidents == 1 and images.testimonies == 0
    today = datetime.now(UTC).date()
    later = Narrowing(dated_from=(today + timedelta(days=2)).isoformat())
    assert create(instance, _request(world, "later", only=later)).items == 0
    texts = Narrowing(("text",), dated_to=(today + timedelta(days=1)).isoformat())
    assert create(instance, _request(world, "texts", only=texts)).items == 1


@pytest.mark.parametrize(
    ("only", "where"),
    [
        (Narrowing(("spreadsheet",)), "--type"),
        (Narrowing(dated_from="yesterday"), "--from"),
        (Narrowing(dated_from="2024-05-02", dated_to="2024-05-01"), "--from/--to"),
    ],
)
def test_a_bad_narrowing_is_refused_naming_the_option(
    instance: Instance, world: dict[str, Any], only: Narrowing, where: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        create(instance, _request(world, only=only))
    assert raised.value.where == where and list(world["tmp"].iterdir()) == []


def test_a_recording_of_two_testimonies_goes_in_only_if_both_people_consented(
    instance: Instance, world: dict[str, Any]
) -> None:
    second, _ = identity.add_person(instance, CASE, identity.Identity(name="Olena Petrenko"))
    consent.grant(instance, second, _grant("internal", "testimony"))
    consent.grant(instance, second, _grant("icc-otp", "incident-facts"))
    _testimony(instance, second, str(world["items"]["interview.ogg"]))  # the same recording
    consent.grant(instance, world["person"], _grant("icc-otp", "testimony"))
    report = create(instance, _request(world))
    recording = str(world["items"]["interview.ogg"])
    assert recording in {w.id for w in report.withheld}  # the second person did not consent
    assert recording not in {line["id"] for line in _lines(Path(report.path) / layout.ITEMS)}
    consent.grant(instance, second, _grant("icc-otp", "testimony"))
    again = create(instance, _request(world, "again"))
    assert recording in {line["id"] for line in _lines(Path(again.path) / layout.ITEMS)}
