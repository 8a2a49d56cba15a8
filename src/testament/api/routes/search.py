"""Full-text search over incidents, sources, people and evidence notes (docs/search.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from testament.api.bodies import MAX_OFFSET
from testament.api.deps import instance, page
from testament.api.fields import as_fields
from testament.api.models import Items, Page, answer
from testament.custody.instance import Instance
from testament.documentation import facets, saved_searches, search
from testament.documentation.results import FoundHit
from testament.documentation.search_results import SavedSearch, SearchFacets
from testament.domain.access import Action
from testament.http.auth import Who
from testament.http.guard import allow
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
    "facets": "f",
    "name": "name",
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
    f: Names = Field(
        [],
        description="A facet value that must hold, KEY:VALUE (type, target, weapon, area, status, "
        "year, assignee), e.g. type:shelling. Repeatable: each narrows.",
    )
    facets: bool = Field(False, description="Also count the facets of the incidents matched.")
    # One hit more than the page tells whether a next page exists, within the index's cap of 1,000.
    limit: int = Field(20, ge=1, le=500, description="Hits per page.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Hits to skip.")


class SearchPage(Page[FoundHit]):
    """A page of hits, best first; ``capped``: more records matched than ranking considered;
    ``facets``: with ``facets=true``, the facets of the incidents matched (docs/search.md)."""

    capped: bool
    facets: SearchFacets | None = None


class SavedIn(BaseModel):
    """A search to save under a name of your own."""

    name: str = Field(max_length=1000, description="Up to 100 characters, unique among yours.")
    q: str = Field(max_length=MAX_QUERY_CHARS, description="The words, as for GET /search.")
    f: Names = Field([], description="Facet values, KEY:VALUE.")
    date_from: Date = None
    date_to: Date = None


SavedShown = answer("saved_search", SavedSearch)


@router.get("/search", response_model=SearchPage)
def find(params: Annotated[SearchIn, Query()], inst: Inst, who: Who) -> dict[str, Any]:
    """Search the cases you may see (all of them, or those named)."""
    # Asked here: the use case answers a case it may not read as one that does not exist, with
    # another message than the guard's refusal, which this answer has always given.
    for named in params.case:
        allow(inst, who, Action.READ, case=named)
    # Without cases named, the use cases keep the search to the cases ``who`` may read.
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
    filters = search.Filters(cases=params.case, areas=params.area, units=params.unit)
    with as_fields(FIELDS):
        chosen = facets.parse(params.f)
        results = search.search(inst, wanted, filters, chosen)
        counted = search.facets_of_search(inst, wanted, filters, chosen) if params.facets else None
    hits = [FoundHit.of(hit) for hit in results.hits]
    return page(hits, params.limit, params.offset) | {"capped": results.capped, "facets": counted}


@router.get("/search/saved", response_model=Items[SavedSearch])
def list_saved(inst: Inst, who: Who) -> dict[str, Any]:
    """Your saved searches, by name (nobody else's)."""
    return {"ok": True, "items": saved_searches.saved(inst)}


@router.post("/search/saved", status_code=201, response_model=SavedShown)
def save(body: SavedIn, inst: Inst, who: Who) -> dict[str, Any]:
    """Save a search under a name of your own (409 if you already use the name)."""
    with as_fields(FIELDS):
        made = saved_searches.save(inst, body.name, body.q, body.f,
                                   date_from=body.date_from, date_to=body.date_to)  # fmt: skip
    return {"ok": True, "saved_search": made}


@router.get("/search/saved/{search_id}", response_model=SavedShown)
def show_saved(search_id: str, inst: Inst, who: Who) -> dict[str, Any]:
    """One of your saved searches (another's answers 404)."""
    return {"ok": True, "saved_search": saved_searches.one(inst, search_id)}


@router.delete("/search/saved/{search_id}", response_model=answer("deleted", str))
def delete_saved(search_id: str, inst: Inst, who: Who) -> dict[str, Any]:
    """Delete one of your saved searches (another's answers 404 and stays)."""
    return {"ok": True, "deleted": saved_searches.delete(inst, search_id)}
