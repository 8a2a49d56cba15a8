"""Bulk work: tags on many items or incidents, many items linked to one incident, and updating a case's
incidents from a CSV keyed by ID (a preview with the diff first; applying needs the preview's digest).

Each call is one use case and one transaction: when any record is refused or invalid, nothing is
written and the error names it (docs/bulk.md).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from testament.api.bodies import Body, Name, Text
from testament.api.deps import instance
from testament.api.models import Items, answer
from testament.custody.instance import Instance
from testament.documentation import bulk, tags
from testament.documentation.results import BulkOutcome, TagCount, TagView
from testament.domain.tags import TAG_CHARS
from testament.errors import InvalidInput
from testament.transfer import csv_update
from testament.transfer.results import UpdatePlan

router = APIRouter(tags=["bulk"])
Inst = Annotated[Instance, Depends(instance)]
Kind = Literal["item", "incident"]
MAX_TARGETS = tags.MAX_TARGETS
CSV_CHARS = 4 * 1024 * 1024
Targets = Annotated[list[Annotated[str, Field(max_length=36)]], Field(max_length=MAX_TARGETS)]


class TagIn(Body):
    kind: Kind = Field(description="What the IDs name: evidence items or incidents.")
    targets: Targets = Field(description="The IDs of the records, all of one case or several.")
    tag: str = Field(
        max_length=TAG_CHARS * 4, description="The tag: trimmed, compared case-folded."
    )


class LinkManyIn(Body):
    items: Targets = Field(description="The IDs of evidence items of the incident's case.")
    incident_id: str = Field(min_length=1, max_length=36, description="The incident.")
    relevance: Text = Field(min_length=1, description="Why the items matter to the incident.")


class UpdateCsvIn(Body):
    csv: str = Field(max_length=CSV_CHARS, description="The CSV file's text: id, then fields.")
    file_name: Name = Field("update.csv", description="The file's name, to name it in errors.")
    apply: bool = Field(False, description="Write the update (false: preview it, writing nothing).")
    confirm: str | None = Field(
        None, max_length=64, description="With apply: the preview's digest."
    )
    only_valid: bool = Field(
        False, description="With apply: write the valid rows though others err."
    )


@router.post("/tags", response_model=answer("outcome", BulkOutcome))
def add_tag(body: TagIn, inst: Inst) -> dict[str, Any]:
    """Tag every record named, all or none (a record already tagged is left as it is)."""
    return {"ok": True, "outcome": tags.add(inst, body.kind, body.targets, body.tag)}


@router.post("/tags/remove", response_model=answer("outcome", BulkOutcome))
def remove_tag(body: TagIn, inst: Inst) -> dict[str, Any]:
    """Take a tag off every record named, all or none."""
    return {"ok": True, "outcome": tags.remove(inst, body.kind, body.targets, body.tag)}


@router.get("/incidents/{incident_id}/tags", response_model=Items[TagView])
def incident_tags(incident_id: str, inst: Inst) -> dict[str, Any]:
    """The incident's tags."""
    return {"ok": True, "items": tags.of_record(inst, "incident", incident_id)}


@router.get("/evidence/{item_id}/tags", response_model=Items[TagView])
def item_tags(item_id: str, inst: Inst) -> dict[str, Any]:
    """The evidence item's tags."""
    return {"ok": True, "items": tags.of_record(inst, "item", item_id)}


@router.get("/cases/{case_name}/tags", response_model=Items[TagCount])
def case_tags(
    case_name: str, inst: Inst, kind: Annotated[Kind | None, Query()] = None
) -> dict[str, Any]:
    """The tags used in the case, each with how many records carry it."""
    return {"ok": True, "items": tags.of_case(inst, case_name, kind)}


@router.get("/cases/{case_name}/tagged", response_model=Items[str])
def tagged(
    case_name: str,
    inst: Inst,
    kind: Annotated[Kind, Query()],
    tag: Annotated[str, Query(max_length=TAG_CHARS * 4)],
) -> dict[str, Any]:
    """The IDs of the case's items or incidents that carry a tag."""
    return {"ok": True, "items": tags.tagged(inst, case_name, kind, tag)}


@router.post("/evidence/link-many", response_model=answer("outcome", BulkOutcome))
def link_many(body: LinkManyIn, inst: Inst) -> dict[str, Any]:
    """Link many evidence items to one incident of their case, all or none."""
    done = bulk.link_items(inst, body.items, body.incident_id, body.relevance)
    return {"ok": True, "outcome": done}


@router.post("/cases/{case_name}/incidents/update-csv", response_model=answer("plan", UpdatePlan))
def update_csv(case_name: str, body: UpdateCsvIn, inst: Inst) -> dict[str, Any]:
    """Preview an update of the case's incidents from a CSV (the diff and the rows in error, nothing
    written), or apply it with the preview's digest (refused, 409, if the file or a record changed)."""
    content = body.csv.encode()
    if not body.apply:
        return {"ok": True, "plan": csv_update.preview(inst, case_name, content, body.file_name)}
    if not body.confirm:
        raise InvalidInput("applying needs the preview's digest", where="confirm")
    plan = csv_update.apply(inst, case_name, content, body.file_name, digest=body.confirm,
                            only_valid=body.only_valid)  # fmt: skip
    return {"ok": True, "plan": plan}
