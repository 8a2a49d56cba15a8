"""Each survivors use case refuses an account without the role, in its own transaction.

A person's identity, photo and words are revealed (and replaced) under ``reveal-identity``, the admin
role on the person's case; consent, needs, referrals, risk assessments and interviews are a documenter's,
read by anyone who may read the case; erasing a person and a supervisor's override are a coordinator's.
The directory of services is shared: anyone signed in reads it, a documenter on any case adds to it.
The re-interview registry is asked by a documenter on any case, and its requests are decided by the
holding case's coordinators. Training attestations are for those who may manage users; an account may
read its own. Consent itself is not what is tested here: the consent gate decides as it always has.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from testament.accounts import accounts
from testament.custody import policy
from testament.custody.instance import Instance
from testament.domain.access import NOBODY
from testament.errors import NotFound, PermissionDenied
from testament.search import names
from testament.storage.engine import read_transaction
from testament.survivors import (
    consent,
    directory,
    erasure,
    identity,
    intake,
    referrals,
    registry,
    testimony,
    training,
)
from tests.api.test_hidden_records import PASSWORD
from tests.policy.conftest import (
    ADMIN,
    DOCUMENTER,
    DOCUMENTERS_TOO,
    NOT_ADMIN,
    STRANGER,
    VIEWER,
    WRITE,
    UseCase,
    as_account,
    fresh,
    refusals,
)
from tests.services.test_testimony import GRANT, assess, take

# The smallest PNG: one transparent pixel.
PHOTO = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4f70000000049454e44ae426082"
)
OLHA = identity.Identity(name="Olha K.")
SECRET = b"a consortium secret of some length"
REASON = "checking the file before a referral"
COORDINATOR = "kateryna"


def _today() -> Any:
    return datetime.now(UTC).date()


def _services_file(inst: Instance, w: dict[str, Any]) -> list[str]:
    path = w["tmp_path"] / f"{fresh('services', '-')}.csv"
    path.write_text(f"name,areas,region,contact,languages\n{fresh('Shelter')},shelter,Lviv,x,uk\n")
    return directory.import_services(inst, path)


def _interview(inst: Instance, w: dict[str, Any]) -> str:
    return take(
        inst,
        w["person_id"],
        w["assessment_id"],
        reinterview_justification="the first account left out the second day",
    )


USE_CASES: dict[str, UseCase] = {
    # The identity vault.
    "identity.add_person": UseCase(
        lambda inst, w: identity.add_person(inst, "Case B", identity.Identity(name="Petro S.")),
        refuses=WRITE,
    ),
    "identity.summary": UseCase(lambda inst, w: identity.summary(inst, w["person_id"])),
    "identity.reveal": UseCase(
        lambda inst, w: identity.reveal(inst, w["person_id"], REASON), refuses=DOCUMENTERS_TOO
    ),
    "identity.refused": UseCase(lambda inst, w: identity.refused(inst, w["person_id"], REASON)),
    "identity.set_identity": UseCase(
        lambda inst, w: identity.set_identity(inst, w["person_id"], OLHA), refuses=DOCUMENTERS_TOO
    ),
    "identity.set_photo": UseCase(
        lambda inst, w: identity.set_photo(inst, w["person_id"], PHOTO), refuses=DOCUMENTERS_TOO
    ),
    "identity.reveal_photo": UseCase(
        lambda inst, w: identity.reveal_photo(inst, w["person_id"], REASON),
        refuses=DOCUMENTERS_TOO,
    ),
    # Consent: recorded by a documenter, read by anyone who may read the case.
    "consent.grant": UseCase(
        lambda inst, w: consent.grant(inst, w["person_id"], GRANT), refuses=WRITE
    ),
    "consent.grants": UseCase(lambda inst, w: consent.grants(inst, w["person_id"])),
    "consent.check": UseCase(
        lambda inst, w: consent.check(
            inst,
            w["person_id"],
            consent.check_use("export", "criminal-investigation", "icc-otp", "testimony"),
        )
    ),
    "consent.withdraw": UseCase(
        lambda inst, w: consent.withdraw(
            inst, w["person_id"], communicated_via="phone", grant_ids=[w["spare_grant"]]
        ),
        refuses=WRITE,
    ),
    # The guided intake.
    "intake.progress": UseCase(lambda inst, w: intake.progress(inst, w["person_id"])),
    "intake.earlier_accounts": UseCase(
        lambda inst, w: intake.earlier_accounts(inst, w["person_id"]), refuses=WRITE
    ),
    # Risk assessments and testimonies.
    "risk.assess_risk": UseCase(lambda inst, w: assess(inst, w["person_id"]), refuses=WRITE),
    "testimony.record": UseCase(_interview, refuses=WRITE),
    "testimony.change_use": UseCase(
        lambda inst, w: testimony.change_use(
            inst,
            w["testimony_id"],
            intended_use="criminal-investigation",
            intended_recipient="icc-otp",
        ),
        refuses=WRITE,
    ),
    "testimony_reading.describe": UseCase(
        lambda inst, w: testimony.describe(inst, w["testimony_id"])
    ),
    "testimony_reading.show": UseCase(
        lambda inst, w: testimony.show(inst, w["testimony_id"], reveal_reason=REASON),
        refuses=DOCUMENTERS_TOO,
    ),
    "testimony_reading.refused": UseCase(
        lambda inst, w: testimony.refused(inst, w["testimony_id"], REASON)
    ),
    "testimony_reading.list_for_person": UseCase(
        lambda inst, w: testimony.list_for_person(inst, w["person_id"])
    ),
    "testimony_reading.person_of": UseCase(
        lambda inst, w: testimony.person_of(inst, w["testimony_id"])
    ),
    "testimony_reading.recorded_in": UseCase(
        lambda inst, w: testimony.recorded_in(inst, w["item_id"])
    ),
    # The directory: shared; a documenter on any case (anna, an analyst on Case A) may add to it.
    "directory.list_services": UseCase(
        lambda inst, w: directory.list_services(inst), refuses=(), allowed_as=STRANGER
    ),
    "directory.add_service": UseCase(
        lambda inst, w: directory.add_service(inst, fresh("Clinic"), ["medical"], "Kyiv", "+380"),
        refuses=(VIEWER,),
        allowed_as=STRANGER,
    ),
    "directory.import_services": UseCase(_services_file, refuses=(VIEWER,), allowed_as=STRANGER),
    # Needs and referrals: a documenter's, on the person's case.
    "referrals.assess_needs": UseCase(
        lambda inst, w: referrals.assess_needs(inst, w["person_id"], [("legal", "soon", "")]),
        refuses=WRITE,
    ),
    "referrals.needs_for_person": UseCase(
        lambda inst, w: referrals.needs_for_person(inst, w["person_id"])
    ),
    "referrals.person_of": UseCase(
        lambda inst, w: referrals.person_of(inst, "referral", w["referral_id"])
    ),
    "referrals.mark_addressed": UseCase(
        lambda inst, w: referrals.mark_addressed(inst, w["need_id"]), refuses=WRITE
    ),
    "referrals.refer": UseCase(
        lambda inst, w: referrals.refer(inst, w["need_id"], "Clinic"), refuses=WRITE
    ),
    "referrals.update_referral": UseCase(
        lambda inst, w: referrals.update_referral(inst, w["referral_id"], "accepted"),
        refuses=WRITE,
    ),
    "referrals.urgent_needs": UseCase(lambda inst, w: referrals.urgent_needs(inst, "Case B")),
    "referrals.due_for_case": UseCase(
        lambda inst, w: referrals.due_for_case(inst, "Case B", _today())
    ),
    "referrals.follow_ups_due": UseCase(
        lambda inst, w: referrals.follow_ups_due(inst, [w["case_b"]], _today())
    ),
    # The re-interview registry: asked by a documenter on any case (anna may; a viewer may not).
    "registry.match": UseCase(
        lambda inst, w: registry.match(inst, names.NameRecord("Olha K.")),
        refuses=(VIEWER,),
        allowed_as=STRANGER,
    ),
    "registry.answer": UseCase(
        lambda inst, w: registry.answer(inst, [(w["person_id"], 1.0)]),
        refuses=(VIEWER,),
        allowed_as=STRANGER,
    ),
    "registry.requests": UseCase(
        lambda inst, w: registry.requests(inst), refuses=(), allowed_as=STRANGER
    ),
    "registry.decide": UseCase(
        lambda inst, w: registry.decide(inst, w["request_id"], "share-contact"),
        refuses=DOCUMENTERS_TOO,
    ),
    "registry.encodings": UseCase(
        lambda inst, w: registry.encodings(inst, SECRET, w["tmp_path"] / "encodings.jsonl"),
        refuses=NOT_ADMIN,
    ),
    "registry.whose": UseCase(
        lambda inst, w: registry.whose(inst, SECRET, "0" * 32), refuses=NOT_ADMIN
    ),
    # Training attestations: for those who may manage users.
    "training.list_for_user": UseCase(
        lambda inst, w: training.list_for_user(inst, "iryna"), refuses=NOT_ADMIN
    ),
    "training.record": UseCase(
        lambda inst, w: training.record(inst, "iryna", "sexual-violence"), refuses=NOT_ADMIN
    ),
    "training.revoke": UseCase(
        lambda inst, w: training.revoke(inst, "iryna", "sexual-violence"), refuses=NOT_ADMIN
    ),
    # Last: erasing the person leaves nothing of theirs for the entries above.
    "erasure.erase": UseCase(
        lambda inst, w: erasure.erase(inst, w["person_id"], grounds="survivor-request"),
        refuses=DOCUMENTERS_TOO,
        allowed_as=COORDINATOR,
    ),
}

NOT_USE_CASES: dict[str, str] = {
    "erasure.reapply": "a startup step: erases again whom the erasure register names, before anyone "
    "is identified (startup.open_home)",
}


def _case_id(instance: Instance, name: str) -> str:
    with read_transaction(instance.engine) as conn:
        return policy.case_id(conn, name)


@pytest.fixture
def survivors(instance: Instance, world: dict[str, Any]) -> dict[str, Any]:
    """The world, with what Case B's person still lacks for every use case: a photo, a spare grant to
    withdraw, a risk assessment, a registry request from anna, and a coordinator of Case B."""
    person = world["person_id"]
    identity.set_photo(instance, person, PHOTO)
    spare = consent.GrantInput(
        purpose="internal-analysis",
        recipient_class="internal",
        info_sheet_version="2026-1",
        understanding_checked=True,
    )
    world["spare_grant"] = consent.grant(instance, person, spare)
    world["assessment_id"] = assess(instance, person)
    world["case_b"] = _case_id(instance, "Case B")
    (asked,) = registry.match(as_account(instance, STRANGER), names.NameRecord("Olha K."))
    assert isinstance(asked, registry.HeldElsewhere)
    world["request_id"] = asked.request
    accounts.create_user(instance, COORDINATOR, PASSWORD)
    accounts.grant_role(instance, COORDINATOR, "Case B", "coordinator")
    return world


def test_each_use_case_refuses_an_account_without_the_role(
    instance: Instance, survivors: dict[str, Any]
) -> None:
    failures = refusals(instance, survivors, USE_CASES)
    assert failures == [], "\n".join(failures)


SHARED_READS: dict[str, Callable[[Instance], object]] = {
    "directory.list_services": directory.list_services,
    "registry.requests": registry.requests,
    "referrals.follow_ups_due": lambda inst: referrals.follow_ups_due(inst, None, _today()),
}


def test_shared_reads_are_refused_to_nobody(instance: Instance, world: dict[str, Any]) -> None:
    nobody = instance.acting_for(NOBODY)
    let_through = []
    for name, call in SHARED_READS.items():
        try:
            call(nobody)
        except PermissionDenied:
            continue
        let_through.append(name)
    assert let_through == []


def test_follow_ups_are_those_of_the_cases_the_account_may_read(
    instance: Instance, survivors: dict[str, Any]
) -> None:
    world = survivors
    referrals.update_referral(instance, world["referral_id"], follow_up_due="2020-01-01")

    def due(username: str) -> list[str | None]:
        found = referrals.follow_ups_due(as_account(instance, username), None, _today())
        return [item.referral_id for item in found]

    assert due(STRANGER) == []
    assert due(VIEWER) == due(ADMIN) == [world["referral_id"]]
    with pytest.raises(NotFound):
        referrals.follow_ups_due(as_account(instance, STRANGER), [world["case_b"]], _today())


def test_registry_requests_show_the_holder_side_to_coordinators_only(
    instance: Instance, survivors: dict[str, Any]
) -> None:
    def sides(username: str) -> list[str]:
        return [row.side for row in registry.requests(as_account(instance, username))]

    assert sides(STRANGER) == ["asker"]
    assert sides(VIEWER) == sides(DOCUMENTER) == []
    assert sides(COORDINATOR) == sides(ADMIN) == ["holder"]
    # A viewer of the holding case is told nothing more than a stranger: the request is absent.
    with pytest.raises(NotFound, match="no registry request"):
        registry.decide(as_account(instance, VIEWER), survivors["request_id"], "decline")
    registry.decide(as_account(instance, COORDINATOR), survivors["request_id"], "decline")


def test_the_registry_answers_as_the_principal_may_see(
    instance: Instance, survivors: dict[str, Any]
) -> None:
    """Bound to an account by ``acting_for`` alone, the registry describes only its cases' people."""
    (shown,) = registry.match(as_account(instance, DOCUMENTER), names.NameRecord("Olha K."))
    assert isinstance(shown, registry.Match) and shown.person == survivors["person_id"]
    (hidden,) = registry.match(as_account(instance, STRANGER), names.NameRecord("Olha K."))
    assert isinstance(hidden, registry.HeldElsewhere)


def test_notes_on_needs_are_a_documenters_for_a_stated_purpose(
    instance: Instance, world: dict[str, Any]
) -> None:
    viewer = as_account(instance, VIEWER)
    assert referrals.needs_for_person(viewer, world["person_id"])  # without the notes
    with pytest.raises(PermissionDenied):
        referrals.needs_for_person(viewer, world["person_id"], purpose=REASON)
    (need,) = referrals.needs_for_person(
        as_account(instance, DOCUMENTER), world["person_id"], purpose=REASON
    )
    assert need.note == "a wound that needs dressing"


def test_a_supervisors_override_is_a_coordinators(
    instance: Instance, survivors: dict[str, Any]
) -> None:
    def override(username: str) -> str:
        return assess(
            as_account(instance, username),
            survivors["person_id"],
            flags=("child",),
            decision="proceed",
            override="a specialist will lead the interview",
        )

    with pytest.raises(PermissionDenied):
        override(DOCUMENTER)
    assert override(COORDINATOR)


def test_an_account_reads_its_own_training(instance: Instance, world: dict[str, Any]) -> None:
    (attested,) = training.list_for_user(as_account(instance, "iryna"), "iryna")
    assert attested.topic == "trauma-informed-interviewing"
    with pytest.raises(PermissionDenied):
        training.list_for_user(as_account(instance, DOCUMENTER), "iryna")


def test_a_registry_request_of_another_case_is_answered_as_absent(
    instance: Instance, survivors: dict[str, Any]
) -> None:
    with pytest.raises(NotFound) as hidden:
        registry.decide(as_account(instance, STRANGER), survivors["request_id"], "decline")
    with pytest.raises(NotFound) as missing:
        registry.decide(as_account(instance, STRANGER), "0" * 36, "decline")
    assert hidden.value.what == missing.value.what


def test_a_need_or_testimony_of_another_case_is_answered_as_absent(
    instance: Instance, world: dict[str, Any]
) -> None:
    stranger = as_account(instance, STRANGER)
    with pytest.raises(NotFound, match="no support need has this ID"):
        referrals.refer(stranger, world["need_id"], "Clinic")
    with pytest.raises(NotFound, match="no testimony has this ID"):
        testimony.describe(stranger, world["testimony_id"])
    with pytest.raises(NotFound, match="no referral has this ID"):
        referrals.person_of(stranger, "referral", world["referral_id"])
