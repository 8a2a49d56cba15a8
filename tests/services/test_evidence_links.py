"""Evidence items linked to incidents, and their verification on the Berkeley Protocol's three axes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from testament.custody import cases, verification
from testament.custody import ingest as ingest_service
from testament.custody.instance import Instance
from testament.documentation import evidence, sources
from testament.errors import Conflict, InvalidInput, NotFound
from tests.services.test_people import new_incident, one_write

RELEVANCE = "shows the crater next to School 5"


@pytest.fixture
def item(instance: Instance, tmp_path: Path) -> tuple[Instance, str]:
    cases.create_case(instance, "Case A")
    cases.create_case(instance, "Case B")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + b"jpeg body" * 10)
    report = ingest_service.ingest(instance, [tmp_path / "photo.jpg"], case_name="Case A")
    item_id = report.results[0].item_id
    assert item_id is not None
    return instance, item_id


def test_a_link_is_one_write_and_shows_on_the_item(item: tuple[Instance, str]) -> None:
    instance, item_id = item
    incident_id = new_incident(instance)
    source_id = sources.create(instance, "Case A", kind="person", title="Witness A")
    with one_write(instance, RELEVANCE, "School 5") as written:
        link_id = evidence.link(instance, item_id, incident_id, RELEVANCE, source_id=source_id)
    assert written[0]["detail"]["object"] == "item-incident"
    shown = evidence.show(instance, item_id)
    assert [(i.id, i.relevance, i.source_id) for i in shown.incidents] == [
        (link_id, RELEVANCE, source_id),
    ]  # fmt: skip
    assert sources.show(instance, source_id).evidence[0].item_id == item_id
    with pytest.raises(Conflict, match="already linked"):
        evidence.link(instance, item_id, incident_id, "again")
    with one_write(instance):
        assert evidence.unlink(instance, link_id) == 2
    assert list(evidence.show(instance, item_id).incidents) == []
    assert [f for f in verification.run(instance) if not f.ok] == []


def test_links_across_cases_are_refused(item: tuple[Instance, str]) -> None:
    instance, item_id = item
    elsewhere = new_incident(instance, "Case B")
    with pytest.raises(
        InvalidInput, match="the evidence item and the incident are in different cases"
    ):
        evidence.link(instance, item_id, elsewhere, RELEVANCE)
    foreign_source = sources.create(instance, "Case B", kind="person", title="Witness B")
    with pytest.raises(
        InvalidInput, match="the evidence item and the source are in different cases"
    ):
        evidence.link(
            instance, item_id, new_incident(instance), RELEVANCE, source_id=foreign_source
        )


def test_bad_links_are_refused(item: tuple[Instance, str]) -> None:
    instance, item_id = item
    incident_id = new_incident(instance)
    with pytest.raises(NotFound, match="no evidence item"):
        evidence.link(instance, "no-such-item", incident_id, RELEVANCE)
    with pytest.raises(NotFound, match="no incident"):
        evidence.link(instance, item_id, "no-such-incident", RELEVANCE)
    with pytest.raises(InvalidInput, match="the relevance must not be empty"):
        evidence.link(instance, item_id, incident_id, " ")


def test_assessments_keep_history_and_the_latest_per_axis(item: tuple[Instance, str]) -> None:
    instance, item_id = item
    with one_write(instance, "reverse image search") as written:
        first = evidence.assess(
            instance, item_id, axis="source", status="in-progress",
            method="reverse image search", assessed_on="2024-01-10",
        )  # fmt: skip
    assert written[0]["detail"]["object"] == "assessment"
    second = evidence.assess(
        instance, item_id, axis="source", status="verified", method="uploader interview",
        assessed_on="2024-02-01", note="account history consistent",
    )  # fmt: skip
    today = evidence.assess(
        instance, item_id, axis="technical", status="partially-verified", method="EXIF and ELA"
    )
    shown = evidence.show(instance, item_id)
    assert [a.id for a in shown.assessments] == [first, second, today]
    assert set(shown.latest) == {"source", "technical"}
    assert shown.latest["source"].id == second
    assert shown.latest["technical"].assessed_on == datetime.now(UTC).date().isoformat()
    assert shown.latest["source"].analyst_id == shown.assessments[0].analyst_id
    assert [v.change for v in evidence.versions(instance, first, "assessment")] == ["create"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"axis": "legal"}, "'legal' is not a verification axis"),
        ({"status": "confirmed"}, "'confirmed' is not in the verification-status vocabulary"),
        ({"method": ""}, "the method must not be empty"),
        ({"assessed_on": "2024-02"}, "is not a single day"),
        ({"assessed_on": "2024-02-30"}, "is not a date"),
    ],
)
def test_bad_assessments_are_refused(
    item: tuple[Instance, str], options: dict[str, str], message: str
) -> None:
    instance, item_id = item
    given = {"axis": "content", "status": "verified", "method": "geolocation"} | options
    with pytest.raises(InvalidInput, match=message):
        evidence.assess(instance, item_id, **given)


def test_an_assessment_of_an_unknown_item_is_refused(item: tuple[Instance, str]) -> None:
    instance, _ = item
    with pytest.raises(NotFound, match="no evidence item"):
        evidence.assess(instance, "nothing", axis="content", status="verified", method="m")
    with pytest.raises(NotFound, match="no evidence item"):
        evidence.show(instance, "nothing")
