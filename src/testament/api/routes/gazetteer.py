"""The gazetteer: administrative areas, the areas a point lies in, and loading GeoJSON outlines."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from testament.analysis.gazetteer import AreaName
from testament.api import uploads
from testament.api.deps import Limit, Offset, instance, page
from testament.api.fields import as_fields
from testament.api.models import Page
from testament.custody.instance import Instance
from testament.documentation import gazetteer, place_search
from testament.documentation.gazetteer import AreaRecord
from testament.documentation.place_search import PlaceFound
from testament.documentation.results import AreaOutlines
from testament.http.auth import Who
from testament.http.guard import require_admin

router = APIRouter(tags=["gazetteer"])
Inst = Annotated[Instance, Depends(instance)]
Level = Annotated[
    int | None,
    Query(ge=0, le=gazetteer.MAX_LEVEL, description="Only areas of this level (0 country …)."),
]
FieldName = Annotated[str | None, Field(min_length=1, max_length=200)]
Situation = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=500,
        description="Only this situation's areas and the shared ones (of no situation).",
    ),
]


class LoadIn(BaseModel):
    """How to read an uploaded GeoJSON FeatureCollection (the CLI's `gazetteer load` options)."""

    level: int = Field(ge=0, le=gazetteer.MAX_LEVEL, description="0 country, 1 oblast …")
    name_field: str = Field(min_length=1, max_length=200)
    alt_names_field: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list,
        max_length=20,
        description="Properties holding alternative names (repeat: one per language or script).",
    )
    code_field: FieldName = None
    dataset: FieldName = Field(None, description="The areas' source (default: the file name).")
    situation: FieldName = Field(
        None, description="The situation the areas belong to (default: shared by every case)."
    )
    filename: FieldName = Field(None, description="The uploaded file's name.")


def _area(area: AreaName) -> dict[str, Any]:
    return {
        "id": area.id,
        "level": area.level,
        "code": area.code,
        "name": area.name,
        "alt_names": list(area.alt_names),
        "situation": area.situation,
    }


@router.get("/gazetteer/areas", response_model=Page[AreaRecord])
def list_areas(
    inst: Inst,
    level: Level = None,
    situation: Situation = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    found = gazetteer.areas(inst, level, situation)[offset : offset + limit + 1]
    return page(found, limit, offset)


@router.get("/gazetteer/areas.geojson", response_model=AreaOutlines)
def areas_geojson(
    inst: Inst,
    level: Annotated[int, Query(ge=0, le=gazetteer.MAX_LEVEL)] = 1,
    situation: Situation = None,
) -> AreaOutlines:
    """The areas of one level as GeoJSON, simplified to about a kilometre, for drawing on a map."""
    return gazetteer.areas_geojson(inst, level=level, situation=situation)


@router.get("/gazetteer/find")
def find(
    inst: Inst,
    name: Annotated[str, Query(min_length=1, max_length=500, description="Code, name or alias.")],
    level: Level = None,
    situation: Situation = None,
) -> dict[str, Any]:
    """The areas a code, a name or an alternative name denotes (several when it is ambiguous, each
    with its situation); naming the situation tells apart areas of the same name in two."""
    found = gazetteer.areas_named(inst, name, level, situation)
    return {"ok": True, "items": [_area(area) for area in found]}


class PlacesFound(BaseModel):
    ok: bool = True
    items: list[PlaceFound]


@router.get("/gazetteer/search", response_model=PlacesFound)
def search_places(
    inst: Inst,
    q: Annotated[str, Query(max_length=200, description="Part of a name, code or alias (2+).")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
    situation: Situation = None,
) -> dict[str, Any]:
    """Areas whose name begins with or contains ``q`` (in any script), each with a point inside it,
    the radius in metres that covers it and its situation: what the incident form's place search
    offers."""
    return {"ok": True, "items": place_search.search_places(inst, q, limit, situation)}


@router.get("/gazetteer/locate")
def locate(
    inst: Inst,
    latitude: Annotated[float, Query(ge=-90, le=90, description="Decimal degrees, WGS 84.")],
    longitude: Annotated[float, Query(ge=-180, le=180, description="Decimal degrees, WGS 84.")],
    situation: Situation = None,
) -> dict[str, Any]:
    """The areas the point lies in; ``swapped`` names those it would lie in were the two swapped;
    ``nearest``, when it lies in no loaded area, is the nearest GeoNames place with its country and
    first-level area (approximate: not a boundary; null beyond 100 km of any place)."""
    with as_fields({"the coordinates": "latitude"}):
        found = gazetteer.locate(inst, latitude, longitude, situation)
    return {
        "ok": True,
        "areas": [_area(area) for area in found.areas],
        "swapped": [_area(area) for area in found.swapped],
        "nearest": None if found.nearest is None else asdict(found.nearest),
    }


@router.post("/gazetteer/areas", status_code=201)
async def load(
    request: Request, params: Annotated[LoadIn, Query()], inst: Inst, who: Who
) -> dict[str, Any]:
    """Load (or reload) the areas of the GeoJSON file sent as the request body (administrators)."""
    require_admin(who)
    name = uploads.safe_name(params.filename, "areas.geojson")
    async with uploads.received(request, name, limit=inst.settings.max_upload_bytes) as path:
        report = await run_in_threadpool(
            gazetteer.load,
            inst,
            path,
            level=params.level,
            name_field=params.name_field,
            alt_names_field=params.alt_names_field,
            code_field=params.code_field,
            dataset=params.dataset,
            situation=params.situation,
        )
    return {"ok": True, "report": asdict(report) | {"path": name}}
