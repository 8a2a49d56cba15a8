"""Identifiers other bodies gave evidence items (an ICC Evidence Registration Number): one per scheme,
checked by scheme, recorded as versioned records with a custody event, and shown with the item."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import inspect

from testament.accounts import accounts
from testament.custody import cases, verification
from testament.custody import ingest as ingest_service
from testament.custody.instance import Instance
from testament.documentation import evidence
from testament.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from testament.storage import migrate
from tests.services.test_people import one_write

ERN = "UKR-OTP-0001-0001"
REGISTRY = "ICC Registry"


@pytest.fixture
def item(instance: Instance, tmp_path: Path) -> tuple[Instance, str]:
    cases.create_case(instance, "Case A")
    (tmp_path / "leaflet.pdf").write_bytes(b"%PDF-1.4\n" + b"leaflet body " * 20)
    report = ingest_service.ingest(instance, [tmp_path / "leaflet.pdf"], case_name="Case A")
    item_id = report.results[0].item_id
    assert item_id is not None
    return instance, item_id


def test_the_migration_creates_the_table_on_this_database(instance: Instance) -> None:
    assert migrate.current_revision(instance.engine) == migrate.SCHEMA_HEAD
    found = inspect(instance.engine)
    assert {c["name"] for c in found.get_columns("item_external_id")} >= {
        "item_id", "scheme", "value", "assigned_by", "assigned_on", "deleted_at",
    }  # fmt: skip
    unique = [i for i in found.get_indexes("item_external_id") if i["unique"]]
    assert [i["column_names"] for i in unique] == [["item_id", "scheme"]]


def test_an_ern_is_one_write_and_shows_on_the_item(item: tuple[Instance, str]) -> None:
    instance, item_id = item
    with one_write(instance, ERN, REGISTRY) as written:
        record_id = evidence.set_external_id(
            instance, item_id, scheme="ICC-ERN", value=ERN, assigned_by=REGISTRY,
            assigned_on="2025-03-04",
        )  # fmt: skip
    assert written[0]["detail"]["object"] == "item-external-id"
    shown = evidence.show(instance, item_id)
    assert [(e.id, e.scheme, e.value, e.assigned_by, e.assigned_on) for e in shown.external_ids] == [
        (record_id, "ICC-ERN", ERN, REGISTRY, "2025-03-04"),
    ]  # fmt: skip
    assert shown.as_json()["external_ids"][0]["value"] == ERN
    versions = evidence.versions(instance, record_id, "item-external-id")
    assert [(v.change, v.data["value"]) for v in versions] == [("create", ERN)]
    assert [f for f in verification.run(instance) if not f.ok] == []


def test_an_ern_range_and_other_schemes_are_accepted(item: tuple[Instance, str]) -> None:
    instance, item_id = item
    evidence.set_external_id(
        instance, item_id, scheme="icc-ern", value="UKR-OTP-0001-0001-0012", assigned_by=REGISTRY
    )
    evidence.set_external_id(
        instance, item_id, scheme="UNITAD", value="any/form 17", assigned_by="UNITAD"
    )
    shown = evidence.show(instance, item_id).external_ids
    assert [(e.scheme, e.value, e.assigned_on) for e in shown] == [
        ("ICC-ERN", "UKR-OTP-0001-0001-0012", None),
        ("UNITAD", "any/form 17", None),
    ]


@pytest.mark.parametrize(
    ("options", "where", "message"),
    [
        ({"value": "UKR-OTP-1-1"}, "--value", "is not an Evidence Registration Number"),
        ({"value": "ukr-otp-0001-0001"}, "--value", "is not an Evidence Registration Number"),
        ({"value": "UKR-OTP-0001-0001\n"}, None, None),  # stripped: accepted
        ({"value": " "}, "--value", "must not be empty"),
        ({"value": "X" * 201, "scheme": "OTHER"}, "--value", "at most 200"),
        ({"scheme": "I"}, "--scheme", "2 to 32 letters"),
        ({"scheme": "ICC ERN"}, "--scheme", "2 to 32 letters"),
        ({"assigned_by": ""}, "--assigned-by", "must not be empty"),
        ({"assigned_on": "March 2025"}, "--on", "not a single day"),
    ],
)
def test_bad_identifiers_are_refused_naming_the_option(
    item: tuple[Instance, str], options: dict[str, str], where: str | None, message: str | None
) -> None:
    instance, item_id = item
    given = {"scheme": "ICC-ERN", "value": ERN, "assigned_by": REGISTRY} | options
    if where is None:
        assert evidence.set_external_id(instance, item_id, **given)
        return
    with pytest.raises(InvalidInput, match=message) as caught:
        evidence.set_external_id(instance, item_id, **given)
    assert caught.value.where == where
    if where == "--value" and "Registration" in str(message):
        assert "SITUATION-PARTY-BATCH-PAGE" in (caught.value.hint or "")
    assert evidence.show(instance, item_id).external_ids == ()


def test_a_second_identifier_of_a_scheme_is_a_conflict(item: tuple[Instance, str]) -> None:
    instance, item_id = item
    first = evidence.set_external_id(
        instance, item_id, scheme="ICC-ERN", value=ERN, assigned_by=REGISTRY
    )
    with pytest.raises(Conflict, match="already has a ICC-ERN identifier") as caught:
        evidence.set_external_id(
            instance, item_id, scheme="icc-ern", value="UKR-OTP-0001-0002", assigned_by=REGISTRY
        )
    assert caught.value.where == first
    assert [e.value for e in evidence.show(instance, item_id).external_ids] == [ERN]


def test_a_missing_item_is_not_found(instance: Instance) -> None:
    with pytest.raises(NotFound, match="no evidence item"):
        evidence.set_external_id(
            instance, "no-such-item", scheme="ICC-ERN", value=ERN, assigned_by=REGISTRY
        )


def test_a_viewer_is_refused_and_a_documenter_allowed(item: tuple[Instance, str]) -> None:
    instance, item_id = item
    for username, role in (("vera", "viewer"), ("dmytro", "documenter")):
        accounts.create_user(instance, username, "correct horse battery staple")
        accounts.grant_role(instance, username, "Case A", role)
    viewer = instance.acting_for(accounts.principal_named(instance, "vera"))
    with pytest.raises(PermissionDenied):
        evidence.set_external_id(viewer, item_id, scheme="ICC-ERN", value=ERN, assigned_by=REGISTRY)
    assert evidence.show(viewer, item_id).external_ids == ()
    documenter = instance.acting_for(accounts.principal_named(instance, "dmytro"))
    evidence.set_external_id(documenter, item_id, scheme="ICC-ERN", value=ERN, assigned_by=REGISTRY)
    assert [e.value for e in evidence.show(viewer, item_id).external_ids] == [ERN]
