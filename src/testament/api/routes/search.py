"""Full-text search over incidents, sources, people and evidence notes (docs/search.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from testament.api.bodies import MAX_OFFSET
from testament.api.deps import instance, page
from testament.api.fields import as_fields
from testament.api.models import Page
from testament.custody.instance import Instance
from testament.documentation import search
from testament.documentation.results import FoundHit
from testament.domain.access import Action
from testament.http.auth import Who
from testament.http.guard import allow, visible_cases
from testament.search.base import Kind, SearchQuery
from testament.search.query import MAX_QUERY_CHARS, WHERE

router = APIRouter(tags=["search"])
Inst = Annotated[Instance, Depends(instance)]
FIELDS = {
    WHERE: "q",
    "--case": "case",
    "--area": "area",
    "--unit": "unit",
    "date_from": "date_from",
    "date_to": "date_to",
    "date_from, date_to": "date_to",
}
Names = Annotated[list[str], Field(max_length=50)]
Date = Annotated[str | None, Field(max_length=10, description="YYYY-MM-DD, YYYY-MM or YYYY.")]


class SearchIn(BaseModel):
    """The CLI's options as query parameters; a repeated parameter matches any of its values."""

    q: str = Field(
        min_length=1,
        max_length=MAX_QUERY_CHARS,
        description='Words that must all match: "a phrase", word* for a prefix, -word excludes.',
    )
    case: Names = Field([], description="Case name or ID.")
    kind: list[Kind] = Field([], max_length=4)
    date_from: Date = None
    date_to: Date = None
    area: Names = Field([], description="Administrative area: any spelling of a name, or a code.")
    unit: Names = Field([], description="Unit name, alias or ID.")
    type: Names = Field([], description="Incident type (vocabulary code).")
    target: Names = Field([], description="Target type (vocabulary code).")
    weapon: Names = Field([], description="Weapon system (vocabulary code).")
    status: str | None = Field(None, max_length=64, description="Incident status.")
    # One hit more than the page tells whether a next page exists, within the index's cap of 1,000.
    limit: int = Field(20, ge=1, le=500, description="Hits per page.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Hits to skip.")


class SearchPage(Page[FoundHit]):
    """A page of hits, best first; ``capped``: more records matched than ranking considered."""

    capped: bool


@router.get("/search", response_model=SearchPage)
def find(params: Annotated[SearchIn, Query()], inst: Inst, who: Who) -> dict[str, Any]:
    """Search the cases you may see (all of them, or those named)."""
    # Asked here: the use case answers a case it may not read as one that does not exist, with
    # another message than the guard's refusal, which this answer has always given.
    for named in params.case:
        allow(inst, who, Action.READ, case=named)
    visible = visible_cases(inst, who)
    case_filter: list[str] = list(params.case)
    if not case_filter and visible is not None:
        if not visible:
            return page([], params.limit, params.offset) | {"capped": False}
        case_filter = sorted(visible)
    wanted = SearchQuery(
        text=params.q,
        kinds=tuple(params.kind),
        date_from=params.date_from,
        date_to=params.date_to,
        types=tuple(params.type),
        targets=tuple(params.target),
        weapons=tuple(params.weapon),
        status=params.status,
        limit=params.limit + 1,
        offset=params.offset,
    )
    filters = search.Filters(cases=case_filter, areas=params.area, units=params.unit)
    with as_fields(FIELDS):
        results = search.search(inst, wanted, filters)
    hits = [FoundHit.of(hit) for hit in results.hits]
    return page(hits, params.limit, params.offset) | {"capped": results.capped}
