"""Any documentation record's history: every version, with its custody log entry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from testament.api.deps import instance
from testament.services import incidents
from testament.services.instance import Instance

router = APIRouter(tags=["history"])
Inst = Annotated[Instance, Depends(instance)]


@router.get("/records/{kind}/{record_id}/versions")
def versions(kind: str, record_id: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "items": [v.as_json() for v in incidents.versions(inst, kind, record_id)]}
