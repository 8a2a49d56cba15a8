"""Relations between incidents as the incident page edits them (both databases): shown both ways,
another incident picked by ID or title words, removed with a custody event; relating to itself or to
another case's incident refused."""

from __future__ import annotations

import pytest

from testament.accounts import accounts
from testament.custody import cases, custody_log
from testament.custody.instance import Instance
from testament.documentation import incidents, relations
from testament.errors import InvalidInput, NotFound, PermissionDenied


@pytest.fixture
def world(instance: Instance) -> dict[str, str]:
    cases.create_case(instance, "Case A")
    cases.create_case(instance, "Case B")

    def new(case: str, title: str) -> str:
        return incidents.create(instance, case, incidents.IncidentInput(title=title))

    return {
        "first": new("Case A", "Shelling of the market"),
        "second": new("Case A", "Fire at the depot"),
        "third": new("Case A", "Shelling of the school"),
        "other case": new("Case B", "Fire at the depot"),
    }


def test_a_relation_shows_both_ways_and_is_removed(
    instance: Instance, world: dict[str, str]
) -> None:
    made = relations.relate_to(instance, world["first"], "depot", "follows", "an hour later")
    mine = relations.related(instance, world["first"])
    theirs = relations.related(instance, world["second"])
    assert [(r.other_id, r.relation, r.outgoing, r.note) for r in mine] == [
        (world["second"], "follows", True, "an hour later")
    ]
    assert [(r.other_id, r.outgoing) for r in theirs] == [(world["first"], False)]
    size = custody_log.status(instance).size
    assert relations.unrelate(instance, made) == 2
    assert custody_log.status(instance).size == size + 1  # the removal is a custody event
    assert relations.related(instance, world["first"]) == []
    with pytest.raises(NotFound):
        relations.unrelate(instance, made)
    by_id = relations.relate_to(instance, world["first"], world["third"], "related")
    assert [r.relation_id for r in relations.related(instance, world["third"])] == [by_id]


@pytest.mark.parametrize(
    ("other", "error", "message"),
    [
        ("first", InvalidInput, "cannot be related to itself"),
        ("other case", NotFound, "no incident of this case"),
        ("Shelling", InvalidInput, "several incidents of this case"),
        ("nothing like it", NotFound, "no incident of this case"),
        ("  ", InvalidInput, "say which incident"),
    ],
)
def test_bad_relations_are_refused(
    instance: Instance, world: dict[str, str], other: str, error: type, message: str
) -> None:
    given = world.get(other, other)
    with pytest.raises(error, match=message):
        relations.relate_to(instance, world["first"], given, "related")
    assert relations.related(instance, world["first"]) == []


def test_an_unknown_relation_kind_is_refused(instance: Instance, world: dict[str, str]) -> None:
    with pytest.raises(InvalidInput, match="incident-relations"):
        relations.relate_to(instance, world["first"], "depot", "cousin-of")


@pytest.mark.parametrize("other", ["nothing of that name", "shelling", "depot"])
def test_a_reader_is_refused_before_any_title_is_looked_for(
    instance: Instance, world: dict[str, str], other: str
) -> None:
    accounts.create_user(instance, "vera", "a long enough password 1")
    accounts.grant_role(instance, "vera", "Case A", "viewer")
    vera = instance.acting_for(accounts.principal_named(instance, "vera"))
    with pytest.raises(PermissionDenied):
        relations.relate_to(vera, world["first"], other, "follows")
    assert relations.related(instance, world["first"]) == []
