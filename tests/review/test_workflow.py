"""Review on SQLite and PostgreSQL: states, the second-person rule, assignment, comments with mentions,
the queue, and bad inputs refused with nothing written (docs/review.md)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testament.accounts import accounts
from testament.custody import cases, custody_log, ingest, verification
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from testament.review import comments, reading, states, workflow
from tests.api.test_hidden_records import PASSWORD
from tests.policy.conftest import as_account


@pytest.fixture
def world(instance: Instance, tmp_path: Path) -> dict[str, Any]:
    for name in ("Case", "Other"):
        cases.create_case(instance, name)
    for user, case, role in [
        ("anna", "Case", "documenter"),
        ("bohdan", "Case", "analyst"),
        ("vera", "Case", "viewer"),
        ("olek", "Other", "analyst"),
    ]:
        accounts.create_user(instance, user, PASSWORD)
        accounts.grant_role(instance, user, case, role)
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "photo.jpg").write_bytes(b"\xff\xd8 a photo")
    (folder / "video.mp4").write_bytes(b"a video")
    anna = as_account(instance, "anna")
    found = ingest.ingest(anna, [folder], case_name="Case").results
    other = tmp_path / "other"
    other.mkdir()
    (other / "scan.png").write_bytes(b"\x89PNG a scan")
    elsewhere = ingest.ingest(instance, [other], case_name="Other").results[0].item_id
    incident = incidents.create(anna, "Case", incidents.IncidentInput(title="Strike"))
    return {
        "items": [r.item_id for r in found],
        "incident": incident,
        "elsewhere": elsewhere,
    }


def _size(instance: Instance) -> int:
    return custody_log.status(instance).size


def _review_events(instance: Instance, since: int) -> int:
    """How many entries since ``since`` are review changes (an agent's first act adds its own)."""
    entries = [json.loads(custody_log.entry(instance, i)) for i in range(since, _size(instance))]
    return sum(e.get("detail", {}).get("object") == "review" for e in entries)


def test_a_new_target_starts_in_the_first_state(instance: Instance, world: dict[str, Any]) -> None:
    seen = reading.review(instance, "item", world["items"][0])
    assert (seen.state, seen.assignee, seen.comments) == ("new", None, ())
    assert [s.code for s in states.states(instance)] == ["new", "in-review", "verified", "disputed"]


def test_a_reviewer_verifies_another_persons_item_and_the_author_is_refused(
    instance: Instance, world: dict[str, Any]
) -> None:
    item = ("item", world["items"][0])
    anna, bohdan = as_account(instance, "anna"), as_account(instance, "bohdan")
    workflow.transition(anna, [item], "in-review")
    before = _size(instance)
    with pytest.raises(PermissionDenied) as refused:
        workflow.transition(anna, [item], "verified")
    assert refused.value.where == f"item {item[1]}"  # the documenter lacks the analyst role
    assert _size(instance) == before
    changed = workflow.transition(bohdan, [item], "verified", note="Geolocated, matches.")
    assert [t.id for t in changed.changed] == [item[1]]
    assert reading.review(anna, *item).state == "verified"
    # bohdan's agent, first seen (its creation event), the transition and its note
    assert _size(instance) == before + 3


def test_an_analyst_who_wrote_the_incident_may_not_verify_it(
    instance: Instance, world: dict[str, Any]
) -> None:
    bohdan = as_account(instance, "bohdan")
    incidents.edit(bohdan, world["incident"], {"title": "Strike on the school"})
    before = _size(instance)
    with pytest.raises(PermissionDenied) as refused:
        workflow.transition(bohdan, [("incident", world["incident"])], "verified")
    assert refused.value.where == f"incident {world['incident']}"
    assert "second person" in refused.value.what
    assert _size(instance) == before


def test_a_batch_with_one_refused_target_writes_nothing(
    instance: Instance, world: dict[str, Any]
) -> None:
    bohdan = as_account(instance, "bohdan")
    targets = [("item", i) for i in world["items"]] + [("item", world["elsewhere"])]
    before = _size(instance)
    with pytest.raises(NotFound) as refused:
        workflow.transition(bohdan, targets, "in-review")
    assert refused.value.where == world["elsewhere"]
    assert _size(instance) == before
    assert reading.review(bohdan, "item", world["items"][0]).state == "new"


def test_bulk_assign_and_transition_record_one_event_each_and_skip_what_is_already_so(
    instance: Instance, world: dict[str, Any]
) -> None:
    anna = as_account(instance, "anna")
    targets = [("item", i) for i in world["items"]] + [("incident", world["incident"])]
    before = _size(instance)
    done = workflow.assign(anna, targets, "bohdan")
    assert (len(done.changed), done.unchanged) == (3, ())
    assert _size(instance) == before + 3
    again = workflow.assign(anna, targets, "bohdan")
    assert (again.changed, len(again.unchanged)) == ((), 3)
    assert _size(instance) == before + 3
    moved = workflow.transition(anna, targets, "in-review")
    assert len(moved.changed) == 3
    queue = reading.queue(as_account(instance, "bohdan"))
    assert {(e.kind, e.target_id) for e in queue} == set(targets)
    assert all(set(e.reasons) == {"assigned", "waiting"} for e in queue)
    workflow.assign(anna, targets[:1], None)
    assert reading.review(anna, *targets[0]).assignee is None


def test_the_log_holds_codes_and_ids_never_the_comment(
    instance: Instance, world: dict[str, Any]
) -> None:
    anna = as_account(instance, "anna")
    before = _size(instance)
    made = comments.comment(anna, ("incident", world["incident"]), "Olha saw it, ask @bohdan.")
    assert made.mentions == ("bohdan",)
    entries = [custody_log.entry(instance, i) for i in range(before, _size(instance))]
    assert len(entries) == 1
    assert b"Olha" not in entries[0]
    detail = json.loads(entries[0])["detail"]
    assert detail == {"object": "review", "kind": "incident", "id": world["incident"],
                      "change": "comment", "comment": made.id, "mentions": 1}  # fmt: skip
    queue = reading.queue(as_account(instance, "bohdan"))
    assert [(e.target_id, e.reasons, e.title) for e in queue] == [
        (world["incident"], ("mentioned",), "Strike")
    ]
    assert reading.queue(as_account(instance, "olek")) == []


@pytest.mark.parametrize(
    ("call", "error", "where"),
    [
        (
            lambda a, w: workflow.transition(a, [("item", w["items"][0])], "done"),
            InvalidInput,
            "state",
        ),
        (
            lambda a, w: workflow.assign(a, [("item", w["items"][0])], "nobody"),
            InvalidInput,
            "assignee",
        ),
        (lambda a, w: workflow.assign(a, [("item", w["items"][0])], "olek"), InvalidInput, None),
        (lambda a, w: workflow.assign(a, [("item", w["items"][0])], "vera"), InvalidInput, None),
        (lambda a, w: comments.comment(a, ("item", w["items"][0]), "  "), InvalidInput, "body"),
        (
            lambda a, w: comments.comment(a, ("item", w["items"][0]), "x" * 10_001),
            InvalidInput,
            "body",
        ),
        (
            lambda a, w: comments.comment(a, ("item", w["items"][0]), "@ghost look"),
            InvalidInput,
            "body",
        ),
        (
            lambda a, w: comments.comment(a, ("item", w["items"][0]), "@olek look"),
            InvalidInput,
            "body",
        ),
        (lambda a, w: workflow.transition(a, [("source", "x")], "new"), InvalidInput, "source x"),
        (lambda a, w: workflow.transition(a, [], "new"), InvalidInput, "targets"),
        (lambda a, w: workflow.transition(a, [("item", "no-such")], "new"), NotFound, "no-such"),
        (lambda a, w: workflow.transition(a, [("item", w["elsewhere"])], "new"), NotFound, None),
    ],
    ids=[
        "unknown state",
        "unknown user",
        "assignee of another case",
        "assignee who only reads",
        "empty comment",
        "too long",
        "unknown mention",
        "mention who cannot read",
        "unknown kind",
        "no targets",
        "no such item",
        "item of another case",
    ],
)
def test_bad_input_is_refused_naming_where_and_writes_nothing(
    instance: Instance, world: dict[str, Any], call: Any, error: type[Exception], where: str | None
) -> None:
    anna = as_account(instance, "anna")
    before = _size(instance)
    with pytest.raises(error) as refused:
        call(anna, world)
    if where is not None:
        assert refused.value.where == where  # type: ignore[attr-defined]
    else:
        assert world["elsewhere"] in str(refused.value.where) or "item" in str(refused.value.where)  # type: ignore[attr-defined]
    assert _size(instance) == before


def test_an_administrator_adds_renames_reorders_and_removes_states(
    instance: Instance, world: dict[str, Any]
) -> None:
    added = states.set_state(instance, "corroborated", label_en="Corroborated",
                             label_uk="Підтверджено", second_person=True)  # fmt: skip
    assert [s.code for s in added][-1] == "corroborated"
    renamed = states.set_state(
        instance, "new", label_en="Fresh", label_uk="Свіже", label_ar="مستجدّة"
    )
    assert renamed[0].label("uk") == "Свіже" and renamed[0].label("ar") == "مستجدّة"
    assert states.states(instance)[0].label("ar") == "مستجدّة"  # kept in the database
    moved = states.move_state(instance, "corroborated", 2)
    assert [s.code for s in moved][:2] == ["new", "corroborated"]
    with pytest.raises(PermissionDenied):
        workflow.transition(
            as_account(instance, "anna"), [("item", world["items"][0])], "corroborated"
        )
    workflow.transition(as_account(instance, "anna"), [("item", world["items"][0])], "disputed")
    with pytest.raises(Conflict):
        states.remove_state(instance, "disputed")
    with pytest.raises(Conflict):
        states.remove_state(instance, "new")
    assert "corroborated" not in [s.code for s in states.remove_state(instance, "corroborated")]
    with pytest.raises(PermissionDenied):
        states.set_state(as_account(instance, "bohdan"), "x", label_en="X")
    with pytest.raises(InvalidInput):
        states.set_state(instance, "Bad Code", label_en="X")
    with pytest.raises(InvalidInput):
        states.move_state(instance, "new", 9)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(["new", "in-review", "verified", "disputed"]), max_size=8))
def test_any_sequence_of_transitions_leaves_one_event_per_change(
    instance: Instance, world: dict[str, Any], path: list[str]
) -> None:
    """Whatever path an incident takes, the log gains exactly one event per real change of state, and
    the state read back is the last one set."""
    reviewer = as_account(instance, "bohdan")  # an analyst who did not write the incident
    incidents_id = world["incident"]
    current = reading.review(reviewer, "incident", incidents_id).state
    before = _size(instance)
    changes = 0
    for state in path:
        workflow.transition(reviewer, [("incident", incidents_id)], state)
        changes += state != current
        current = state
    assert _review_events(instance, before) == changes
    assert reading.review(reviewer, "incident", incidents_id).state == current


def test_testament_verify_stays_clean_and_the_comment_matches_its_commitment(
    instance: Instance, world: dict[str, Any]
) -> None:
    anna = as_account(instance, "anna")
    targets = [("item", i) for i in world["items"]] + [("incident", world["incident"])]
    workflow.assign(anna, targets, "bohdan")
    workflow.transition(anna, targets, "in-review", note="Both, please, @bohdan")
    workflow.transition(as_account(instance, "bohdan"), targets, "verified")
    made = comments.comment(anna, targets[0], "A second look.")
    assert [f for f in verification.run(instance) if not f.ok] == []
    entry = json.loads(custody_log.entry(instance, _size(instance) - 1))
    stored = reading.review(anna, *targets[0]).comments[-1]
    assert stored.id == made.id == entry["detail"]["comment"]
    assert len(entry["record"]) == 64 and "A second look" not in json.dumps(entry)


def test_the_reviewers_of_a_target_are_those_who_may_document_its_case(
    instance: Instance, world: dict[str, Any]
) -> None:
    accounts.create_user(instance, "root", PASSWORD, admin=True)
    found = reading.reviewers(as_account(instance, "vera"), "item", world["items"][0])
    assert found == ["anna", "bohdan", "root"]  # not vera (a viewer), not olek (another case)
    with pytest.raises(NotFound):
        reading.reviewers(as_account(instance, "olek"), "item", world["items"][0])


def test_a_batch_within_one_case_refuses_a_target_of_another(
    instance: Instance, world: dict[str, Any]
) -> None:
    """A page of one case acts on that case's records only, even for someone who may read both."""
    accounts.grant_role(instance, "bohdan", "Other", "analyst")
    bohdan = as_account(instance, "bohdan")
    before = _size(instance)
    mixed = [("item", world["items"][0]), ("item", world["elsewhere"])]
    with pytest.raises(NotFound) as refused:
        workflow.assign(bohdan, mixed, "bohdan", case="Case")
    assert refused.value.where == world["elsewhere"]
    with pytest.raises(NotFound):
        workflow.transition(bohdan, mixed, "in-review", case="Case")
    assert _size(instance) == before
    both = workflow.transition(bohdan, mixed, "in-review")  # no case named: each its own case's
    assert len(both.changed) == 2


def test_reviewers_acting_at_once_on_a_new_item_each_commit_or_find_it_done(
    instance: Instance, world: dict[str, Any]
) -> None:
    """Two writers that both find no review row never both insert one (a crash on PostgreSQL)."""
    item = ("item", world["items"][1])
    people = [as_account(instance, "anna"), as_account(instance, "bohdan")] * 3
    with ThreadPoolExecutor(max_workers=6) as pool:
        done = list(pool.map(lambda who: workflow.transition(who, [item], "in-review"), people))
        assigned = list(pool.map(lambda who: workflow.assign(who, [item], "bohdan"), people))
    assert sum(len(d.changed) for d in done) == 1
    assert sum(len(a.changed) for a in assigned) == 1
    assert reading.review(instance, *item).state == "in-review"
