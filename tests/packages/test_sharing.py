"""Sharing a package from the browser, as use cases: preview, ask, a second person decides, the package
is built, the person who asked downloads it a limited number of times, and the register shows what
went to whom and whom to tell when consent is withdrawn."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import cases, custody_log, ingest
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents
from testament.errors import (
    BackendUnavailable,
    Conflict,
    ConsentRequired,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from testament.packages import create, sharing, verifier
from testament.survivors import consent, identity
from testament.transfer.disclosure import Audience

CASE = "Kherson"
ICC = Audience("icc-otp", "criminal-investigation", "ICC OTP")
PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's password
ROLES = (("alla", "analyst"), ("cora", "coordinator"), ("carl", "coordinator"), ("vera", "viewer"))


def as_user(instance: Instance, username: str) -> Instance:
    return instance.acting_for(accounts.principal_named(instance, username))


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    cases.create_case(instance, CASE)
    for username, role in ROLES:
        accounts.create_user(instance, username, PASSWORD)
        accounts.grant_role(instance, username, CASE, role)
    files = tmp_path / "files"
    files.mkdir()
    for name in ("bridge.jpg", "market.jpg"):
        (files / name).write_bytes(b"\xff\xd8\xff\xe0" + os.urandom(4000))
    found = ingest.ingest(instance, sorted(files.iterdir()), case_name=CASE).results
    ids = {Path(r.path).name: str(r.item_id) for r in found}
    incident = incidents.create(instance, CASE, incidents.IncidentInput(title="Bridge strike"))
    evidence.link(instance, ids["bridge.jpg"], incident, "the bridge after the strike")
    return {"items": ids, "incident": incident}


def _shared_relying_on_consent(instance: Instance, name: str) -> tuple[str, str]:
    """A person of the case who consented to incident facts going to the ICC, and a package asked
    by alla, approved and built by cora: the person's ID and the request's."""
    person, _ = identity.add_person(instance, CASE, identity.Identity(name=name))
    consent.grant(instance, person, consent.GrantInput(
        "criminal-investigation", "icc-otp", data_scope="incident-facts",
        info_sheet_version="1", understanding_checked=True,
    ))  # fmt: skip
    cora = as_user(instance, "cora")
    request_id = sharing.ask(as_user(instance, "alla"), CASE, ICC, sharing.Selection())
    sharing.decide(cora, request_id, approve=True)
    sharing.build(cora, request_id)
    return person, request_id


def test_the_preview_says_what_goes_in_and_its_size(
    instance: Instance, world: dict[str, Any]
) -> None:
    whole = sharing.preview(as_user(instance, "alla"), CASE, ICC, sharing.Selection())
    assert sorted(i.name for i in whole.items) == ["bridge.jpg", "market.jpg"]
    assert whole.total_bytes == 2 * 4004 and whole.withheld == ()
    chosen = sharing.Selection(incidents=(world["incident"],))
    assert [i.name for i in sharing.preview(instance, CASE, ICC, chosen).items] == ["bridge.jpg"]
    with pytest.raises(InvalidInput):
        sharing.preview(instance, CASE, Audience("nobody", "criminal-investigation", "X"), chosen)


def test_asked_by_one_approved_by_another_built_and_downloaded_a_limited_number_of_times(
    instance: Instance, world: dict[str, Any]
) -> None:
    alla, cora = as_user(instance, "alla"), as_user(instance, "cora")
    request_id = sharing.ask(alla, CASE, ICC, sharing.Selection(incidents=(world["incident"],)))
    assert [r.state for r in sharing.requests(cora)] == ["requested"]
    with pytest.raises(PermissionDenied):  # an analyst may ask, not approve
        sharing.decide(alla, request_id, approve=True)
    sharing.decide(cora, request_id, approve=True)
    seen: list[int] = []
    built = sharing.build(cora, request_id, lambda done, total: seen.append(done))
    assert built.state == "ready" and built.package_id and seen and seen[-1] == built.total
    with pytest.raises(PermissionDenied, match="only the person who asked"):
        sharing.download(cora, request_id)
    path, name = sharing.download(alla, request_id)
    assert name == f"testament-package-{built.package_id}.zip" and zipfile.is_zipfile(path)
    report = verifier.verify(path, custody_log.verifier_key(instance))
    assert report.verdict == "valid", verifier.render(report)
    for _ in range(sharing.DOWNLOADS - 1):
        sharing.download(alla, request_id)
    with pytest.raises(PermissionDenied, match="as many times as allowed"):
        sharing.download(alla, request_id)
    (entry,) = sharing.register(as_user(instance, "vera"))
    assert (entry.package_id, entry.recipient, entry.withdrawals) == (
        built.package_id,
        "ICC OTP",
        (),
    )


def test_a_request_approved_by_the_person_who_asked_is_refused(
    instance: Instance, world: dict[str, Any]
) -> None:
    cora = as_user(instance, "cora")
    request_id = sharing.ask(cora, CASE, ICC, sharing.Selection())
    with pytest.raises(PermissionDenied, match="cannot approve"):
        sharing.decide(cora, request_id, approve=True)
    with pytest.raises(Conflict, match="not approved"):
        sharing.build(cora, request_id)
    assert sharing.requests(cora)[0].state == "requested"


def test_a_refusal_gives_its_reason_and_nothing_is_built(
    instance: Instance, world: dict[str, Any]
) -> None:
    request_id = sharing.ask(as_user(instance, "alla"), CASE, ICC, sharing.Selection())
    carl = as_user(instance, "carl")
    with pytest.raises(InvalidInput, match="reason"):
        sharing.decide(carl, request_id, approve=False)
    sharing.decide(carl, request_id, approve=False, reason="not before the witness is safe")
    (found,) = sharing.requests(carl)
    assert (found.state, found.reason, found.decided_by) == (
        "refused", "not before the witness is safe", "carl",
    )  # fmt: skip
    with pytest.raises(Conflict):
        sharing.decide(as_user(instance, "cora"), request_id, approve=True)
    assert not sharing.packages_dir(instance).exists()


def test_someone_without_a_role_on_the_case_sees_no_request(
    instance: Instance, world: dict[str, Any]
) -> None:
    request_id = sharing.ask(as_user(instance, "alla"), CASE, ICC, sharing.Selection())
    accounts.create_user(instance, "stranger", PASSWORD)
    stranger = as_user(instance, "stranger")
    assert sharing.requests(stranger) == [] and sharing.register(stranger) == []
    with pytest.raises(NotFound):
        sharing.decide(stranger, request_id, approve=True)
    with pytest.raises(PermissionDenied):
        sharing.ask(as_user(instance, "vera"), CASE, ICC, sharing.Selection())


def test_the_register_names_the_recipient_to_tell_when_consent_is_withdrawn(
    instance: Instance, world: dict[str, Any]
) -> None:
    person, _ = _shared_relying_on_consent(instance, "Oksana Bondar")
    cora = as_user(instance, "cora")
    assert sharing.register(cora)[0].withdrawals == ()
    consent.withdraw(instance, person, communicated_via="in-person")
    (entry,) = sharing.register(cora)
    assert entry.recipient == "ICC OTP" and len(entry.withdrawals) == 1
    assert "Oksana" not in repr(entry)


def test_a_build_a_stopped_server_cut_short_is_marked_failed_at_the_next_start(
    instance: Instance, world: dict[str, Any]
) -> None:
    alla, cora = as_user(instance, "alla"), as_user(instance, "cora")
    request_id = sharing.ask(alla, CASE, ICC, sharing.Selection())
    sharing.decide(cora, request_id, approve=True)

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt  # the process is stopped in the middle of the build

    with pytest.raises(KeyboardInterrupt):
        sharing.build(cora, request_id, stop)
    assert sharing.requests(cora)[0].state == "building"
    assert sharing.interrupted(instance) == [request_id]
    (found,) = sharing.requests(cora)
    assert found.state == "failed" and "ask for it again" in found.reason
    assert not list(sharing.packages_dir(instance).iterdir())  # nothing half-written is left


def test_a_narrowed_request_is_built_as_it_was_previewed(
    instance: Instance, world: dict[str, Any], tmp_path: Path
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("seen from the bridge at 05:40\n", encoding="utf-8")
    ingest.ingest(instance, [notes], case_name=CASE)
    images = sharing.Selection(only=create.Narrowing(("image",)))
    alla, cora = as_user(instance, "alla"), as_user(instance, "cora")
    assert sorted(i.name for i in sharing.preview(alla, CASE, ICC, images).items) == [
        "bridge.jpg", "market.jpg",
    ]  # fmt: skip
    request_id = sharing.ask(alla, CASE, ICC, images)
    sharing.decide(cora, request_id, approve=True)
    sharing.build(cora, request_id)
    path, _ = sharing.download(alla, request_id)
    with zipfile.ZipFile(path) as package:
        originals = [n for n in package.namelist() if "/data/originals/" in n]
    assert sorted(n.rsplit("/", 1)[1] for n in originals) == ["bridge.jpg", "market.jpg"]


def test_a_build_that_cannot_write_marks_the_request_failed_with_why(
    instance: Instance, world: dict[str, Any]
) -> None:
    alla, cora = as_user(instance, "alla"), as_user(instance, "cora")
    request_id = sharing.ask(alla, CASE, ICC, sharing.Selection())
    sharing.decide(cora, request_id, approve=True)
    sharing.packages_dir(instance).write_text("a file where the folder should be")
    with pytest.raises(BackendUnavailable, match="could not be written"):
        sharing.build(cora, request_id)
    (found,) = sharing.requests(cora)
    assert found.state == "failed" and "could not be written" in found.reason


def test_a_package_is_not_handed_over_to_a_demoted_asker_or_after_consent_is_withdrawn(
    instance: Instance, world: dict[str, Any]
) -> None:
    person, request_id = _shared_relying_on_consent(instance, "Iryna Savchenko")
    alla = as_user(instance, "alla")
    accounts.grant_role(instance, "alla", CASE, "viewer")
    with pytest.raises(PermissionDenied):
        sharing.download(alla, request_id)
    accounts.grant_role(instance, "alla", CASE, "analyst")
    consent.withdraw(instance, person, communicated_via="in-person")
    with pytest.raises(ConsentRequired, match="withdrawn after it was made"):
        sharing.download(alla, request_id)
    assert sharing.requests(alla)[0].downloads_left == sharing.DOWNLOADS
