"""Tags on items and incidents, and bulk links: normalised, one custody event per change, all or
nothing across many records, with the error naming the record at fault."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from testament.accounts import accounts
from testament.custody import cases, policy, verification
from testament.custody import ingest as ingest_service
from testament.custody.instance import Instance
from testament.documentation import bulk, evidence, incidents, tags
from testament.domain.tags import TAG_CHARS, folded, tag_text
from testament.errors import InvalidInput, NotFound, PermissionDenied
from testament.storage.engine import read_transaction
from testament.storage.tables import custody_event, item_incident, record_tag


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    cases.create_case(instance, "Case A")
    cases.create_case(instance, "Case B")
    items = []
    for number in range(3):
        path = tmp_path / f"photo{number}.jpg"
        path.write_bytes(b"\xff\xd8\xff\xe0" + f"jpeg {number}".encode() * 10)
        found = ingest_service.ingest(instance, [path], case_name="Case A").results[0].item_id
        assert found is not None
        items.append(found)
    other = tmp_path / "other.jpg"
    other.write_bytes(b"\xff\xd8\xff\xe0 other")
    elsewhere = ingest_service.ingest(instance, [other], case_name="Case B").results[0].item_id
    incident = incidents.create(instance, "Case A", incidents.IncidentInput(title="Strike"))
    return {"items": items, "elsewhere": elsewhere, "incident": incident}


def _count(instance: Instance, table: object) -> int:
    with read_transaction(instance.engine) as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_tags_are_normalised_and_matched_case_folded(
    instance: Instance, world: dict[str, Any]
) -> None:
    items = world["items"]
    done = tags.add(instance, "item", items[:2], "  Shelling   near  school ")
    assert done.changed == tuple(items[:2]) and done.unchanged == ()
    again = tags.add(instance, "item", items, "SHELLING NEAR SCHOOL")
    assert again.changed == (items[2],) and again.unchanged == tuple(items[:2])
    shown = tags.of_record(instance, "item", items[0])
    assert [t.label for t in shown] == ["Shelling near school"]
    assert tags.tagged(instance, "Case A", "item", "shelling near SCHOOL") == sorted(items)
    assert [(c.folded, c.records) for c in tags.of_case(instance, "Case A")] == [
        ("shelling near school", 3)
    ]
    removed = tags.remove(instance, "item", items[:1], "shelling near school")
    assert removed.changed == (items[0],)
    assert tags.of_record(instance, "item", items[0]) == []
    assert [f for f in verification.run(instance) if not f.ok] == []


def test_each_tag_change_is_a_custody_event(instance: Instance, world: dict[str, Any]) -> None:
    before = _count(instance, custody_event)
    tags.add(instance, "incident", [world["incident"]], "Verified by partner")
    tags.remove(instance, "incident", [world["incident"]], "verified BY partner")
    assert _count(instance, custody_event) == before + 2


@pytest.mark.parametrize(
    ("text", "why"),
    [("", "must not be empty"), ("   ", "must not be empty"), ("x" * (TAG_CHARS + 1), "at most")],
)
def test_an_empty_or_too_long_tag_is_refused(
    instance: Instance, world: dict[str, Any], text: str, why: str
) -> None:
    with pytest.raises(InvalidInput, match=why):
        tags.add(instance, "item", world["items"], text)
    assert _count(instance, record_tag) == 0


def test_no_selection_is_refused(instance: Instance, world: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput, match="nothing is selected"):
        tags.add(instance, "item", [], "x")
    with pytest.raises(InvalidInput, match="nothing is selected"):
        bulk.link_items(instance, [" "], world["incident"], "shows it")


def test_one_unknown_record_writes_nothing_and_is_named(
    instance: Instance, world: dict[str, Any]
) -> None:
    with pytest.raises(NotFound) as raised:
        tags.add(instance, "item", [*world["items"], "no-such-item"], "x")
    assert raised.value.where == "no-such-item"
    assert _count(instance, record_tag) == 0


def test_a_stranger_is_refused_on_one_record_and_nothing_is_written(
    instance: Instance, world: dict[str, Any]
) -> None:
    accounts.create_user(instance, "dana", "a long enough password 1")
    accounts.grant_role(instance, "dana", "Case A", "documenter")
    dana = instance.acting_for(accounts.principal_named(instance, "dana"))
    with pytest.raises(NotFound) as raised:
        tags.add(dana, "item", [*world["items"], world["elsewhere"]], "x")
    assert raised.value.where == world["elsewhere"]
    assert _count(instance, record_tag) == 0
    assert tags.add(dana, "item", world["items"], "x").changed == tuple(world["items"])
    accounts.grant_role(instance, "dana", "Case B", "viewer")
    with pytest.raises(PermissionDenied) as refused:
        tags.add(dana, "item", [*world["items"], world["elsewhere"]], "y")
    assert refused.value.where == world["elsewhere"]
    assert tags.tagged(instance, "Case A", "item", "y") == []


def test_bulk_link_is_all_or_nothing(instance: Instance, world: dict[str, Any]) -> None:
    items, incident = world["items"], world["incident"]
    evidence.link(instance, items[0], incident, "already")
    with pytest.raises(InvalidInput, match="different cases") as raised:
        bulk.link_items(instance, [*items, world["elsewhere"]], incident, "shows the crater")
    assert world["elsewhere"] in str(raised.value.where)
    assert _count(instance, item_incident) == 1
    done = bulk.link_items(instance, items, incident, "shows the crater")
    assert done.changed == tuple(items[1:]) and done.unchanged == (items[0],)
    assert _count(instance, item_incident) == 3


@given(st.text(min_size=1, max_size=80))
def test_normalising_is_idempotent_and_folding_ignores_case(text: str) -> None:
    try:
        tag = tag_text(text)
    except InvalidInput:
        return
    assert tag_text(tag.label) == tag
    assert tag.folded == folded(tag.label) == folded(tag.folded)
    assert 0 < len(tag.label) <= TAG_CHARS


def test_the_records_of_a_tag_are_named(instance: Instance, world: dict[str, Any]) -> None:
    tags.add(instance, "item", world["items"][:1], "Crater")
    tags.add(instance, "incident", [world["incident"]], "crater ")
    found = tags.tagged_records(instance, "Case A", "CRATER")
    assert [(r.kind, r.id) for r in found] == [
        ("incident", world["incident"]), ("item", world["items"][0])
    ]  # fmt: skip
    assert found[0].name == "Strike" and found[1].name == "photo0.jpg"
    assert tags.of_record(instance, "item", world["items"][0])[0].case_id


def test_held_to_a_case_a_record_of_another_is_refused(
    instance: Instance, world: dict[str, Any]
) -> None:
    with pytest.raises(NotFound, match="in this case") as raised:
        tags.add(instance, "item", [*world["items"], world["elsewhere"]], "x", case="Case A")
    assert raised.value.where == world["elsewhere"]
    assert tags.tagged(instance, "Case A", "item", "x") == []
    done = tags.add(instance, "item", world["items"], "x", case="Case A")
    assert len(done.changed) == 3


def test_the_policy_is_asked_once_per_case_not_per_record(
    instance: Instance, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[object] = []
    require = policy.require

    def counted(*args: Any, **kwargs: Any) -> str | None:
        asked.append(kwargs.get("case") or kwargs.get("record_id"))
        return require(*args, **kwargs)

    monkeypatch.setattr(policy, "require", counted)
    done = tags.add(instance, "item", world["items"], "school")
    assert done.changed == tuple(world["items"])
    assert len(asked) == 1


def test_a_link_held_to_a_case_refuses_items_of_another(
    instance: Instance, world: dict[str, Any]
) -> None:
    with pytest.raises(NotFound, match="in this case") as raised:
        bulk.link_items(instance, world["items"], world["incident"], "crater", case="Case B")
    assert raised.value.where == world["items"][0]
    assert _count(instance, item_incident) == 0
    done = bulk.link_items(instance, world["items"], world["incident"], "crater", case="Case A")
    assert done.changed == tuple(world["items"])
