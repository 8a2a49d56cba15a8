"""Review and verification: the organisation's states, where an item or incident stands, transitions
and assignments of many at once, comments with @mentions, and the caller's queue (docs/review.md).

A transition or assignment is one use case over every target named: when one is refused, nothing is
written and the error names it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import Field

from testament.api.bodies import Body, Name
from testament.api.deps import instance
from testament.api.fields import as_fields
from testament.api.models import Items, answer
from testament.custody.instance import Instance
from testament.review import comments, reading, rules, states, workflow
from testament.review.results import (
    QueueEntry,
    ReviewChange,
    ReviewComment,
    ReviewState,
    ReviewStatus,
)

router = APIRouter(tags=["review"])
Inst = Annotated[Instance, Depends(instance)]
FIELDS = {"state": "state", "assignee": "assignee", "body": "body", "note": "note",
          "targets": "targets", "code": "code", "position": "position",
          "label_en": "label_en", "label_uk": "label_uk", "label_ar": "label_ar"}  # fmt: skip
Comment = Annotated[str, Field(max_length=comments.COMMENT_CHARS * 2)]


class TargetIn(Body):
    kind: Literal["item", "incident"]
    id: str = Field(min_length=1, max_length=64)


Targets = Annotated[list[TargetIn], Field(min_length=1, max_length=rules.MAX_TARGETS)]


class TransitionIn(Body):
    targets: Targets = Field(description="The items and incidents to move, all or none.")
    state: str = Field(min_length=1, max_length=32, description="The state's code, e.g. verified.")
    note: Comment = Field("", description="Kept as a comment on each target moved.")
    case: str | None = Field(
        None, max_length=500, description="If given, every target must be of this case."
    )


class AssignmentIn(Body):
    targets: Targets = Field(description="The items and incidents to assign, all or none.")
    assignee: str | None = Field(
        None, max_length=64, description="The username; null leaves them unassigned."
    )
    case: str | None = Field(
        None, max_length=500, description="If given, every target must be of this case."
    )


class CommentIn(Body):
    body: Comment = Field(description="The comment; @username mentions a user.")


class StateIn(Body):
    label_en: Name
    label_uk: str = Field("", max_length=500)
    label_ar: str = Field("", max_length=500)
    second_person: bool = False
    queued: bool = False


class PositionIn(Body):
    position: int = Field(ge=1, le=1000, description="1 is where new items start.")


def _pairs(targets: list[TargetIn]) -> list[tuple[str, str]]:
    return [(t.kind, t.id) for t in targets]


@router.get("/review/states", response_model=Items[ReviewState])
def list_states(inst: Inst) -> dict[str, Any]:
    return {"ok": True, "items": states.states(inst)}


@router.put("/review/states/{code}", response_model=Items[ReviewState])
def set_state(code: str, body: StateIn, inst: Inst) -> dict[str, Any]:
    with as_fields(FIELDS):
        listed = states.set_state(inst, code, **body.model_dump())
    return {"ok": True, "items": listed}


@router.post("/review/states/{code}/position", response_model=Items[ReviewState])
def move_state(code: str, body: PositionIn, inst: Inst) -> dict[str, Any]:
    with as_fields(FIELDS):
        listed = states.move_state(inst, code, body.position)
    return {"ok": True, "items": listed}


@router.delete("/review/states/{code}", response_model=Items[ReviewState])
def remove_state(code: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "items": states.remove_state(inst, code)}


@router.get("/review/queue", response_model=Items[QueueEntry])
def queue(inst: Inst) -> dict[str, Any]:
    return {"ok": True, "items": reading.queue(inst)}


@router.post("/review/transitions", response_model=answer("change", ReviewChange))
def transition(body: TransitionIn, inst: Inst) -> dict[str, Any]:
    with as_fields(FIELDS):
        change = workflow.transition(
            inst, _pairs(body.targets), body.state, body.note, case=body.case
        )
    return {"ok": True, "change": change}


@router.post("/review/assignments", response_model=answer("change", ReviewChange))
def assign(body: AssignmentIn, inst: Inst) -> dict[str, Any]:
    with as_fields(FIELDS):
        change = workflow.assign(inst, _pairs(body.targets), body.assignee, case=body.case)
    return {"ok": True, "change": change}


@router.get("/items/{item_id}/review", response_model=answer("review", ReviewStatus))
def item_review(item_id: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "review": reading.review(inst, "item", item_id)}


@router.get("/incidents/{incident_id}/review", response_model=answer("review", ReviewStatus))
def incident_review(incident_id: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "review": reading.review(inst, "incident", incident_id)}


@router.post(
    "/items/{item_id}/review/comments",
    status_code=201,
    response_model=answer("comment", ReviewComment),
)
def comment_item(item_id: str, body: CommentIn, inst: Inst) -> dict[str, Any]:
    with as_fields(FIELDS):
        made = comments.comment(inst, ("item", item_id), body.body)
    return {"ok": True, "comment": made}


@router.post(
    "/incidents/{incident_id}/review/comments",
    status_code=201,
    response_model=answer("comment", ReviewComment),
)
def comment_incident(incident_id: str, body: CommentIn, inst: Inst) -> dict[str, Any]:
    with as_fields(FIELDS):
        made = comments.comment(inst, ("incident", incident_id), body.body)
    return {"ok": True, "comment": made}
