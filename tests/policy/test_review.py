"""Each review use case refuses an account without the role, in its own transaction, and writes
nothing when it does: reading a review needs the case's viewer role; commenting, assigning and moving
between states the documenter's; a second-person state ("verified") the analyst's; changing the
organisation's states, an instance administrator."""

from __future__ import annotations

from typing import Any

from testament.custody.instance import Instance
from testament.review import comments, reading, states, workflow
from tests.policy.conftest import (
    DOCUMENTER,
    DOCUMENTERS_TOO,
    NOT_ADMIN,
    WRITE,
    UseCase,
    fresh,
    refusals,
)


def _item(w: dict[str, Any]) -> list[tuple[str, str]]:
    return [("item", w["item_id"])]


USE_CASES: dict[str, UseCase] = {
    "reading.review": UseCase(lambda inst, w: reading.review(inst, "item", w["item_id"])),
    # The queue is filtered, never refused: a stranger's holds nothing of Case B.
    "reading.states_of": UseCase(lambda inst, w: reading.states_of(inst, [("item", w["item_id"])])),
    "reading.queue": UseCase(lambda inst, w: reading.queue(inst), refuses=()),
    "reading.reviewers": UseCase(lambda inst, w: reading.reviewers(inst, "item", w["item_id"])),
    "states.states": UseCase(lambda inst, w: states.states(inst), refuses=()),
    "comments.comment": UseCase(
        lambda inst, w: comments.comment(inst, ("incident", w["incident_id"]), "Checked."),
        refuses=WRITE,
    ),
    "workflow.transition": UseCase(
        lambda inst, w: workflow.transition(inst, _item(w), "in-review"), refuses=WRITE
    ),
    "workflow.assign": UseCase(
        lambda inst, w: workflow.assign(inst, _item(w), DOCUMENTER), refuses=WRITE
    ),
    "states.set_state": UseCase(
        lambda inst, w: states.set_state(inst, fresh("extra", "-"), label_en="Extra"),
        refuses=NOT_ADMIN,
    ),
    "states.move_state": UseCase(
        lambda inst, w: states.move_state(inst, "disputed", 4), refuses=NOT_ADMIN
    ),
    "states.remove_state": UseCase(
        lambda inst, w: states.remove_state(inst, "no-such-state"),
        refuses=NOT_ADMIN,
        allowed_as=None,  # an administrator's removal would spoil the world for the calls after it
    ),
}

VERIFY = UseCase(
    lambda inst, w: workflow.transition(inst, _item(w), "verified"), refuses=DOCUMENTERS_TOO
)

NOT_USE_CASES: dict[str, str] = {}


def test_each_use_case_refuses_an_account_without_the_role(
    instance: Instance, world: dict[str, Any]
) -> None:
    failures = refusals(instance, world, USE_CASES | {"verify": VERIFY})
    assert failures == [], "\n".join(failures)
