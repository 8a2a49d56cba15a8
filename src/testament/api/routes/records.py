"""Any documentation record's history: every version, with its custody log entry."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from testament.api.deps import instance
from testament.custody.instance import Instance
from testament.documentation import incidents
from testament.domain.access import Action
from testament.http.auth import Who
from testament.http.guard import allow

router = APIRouter(tags=["history"])
Inst = Annotated[Instance, Depends(instance)]


@router.get("/records/{kind}/{record_id}/versions")
def versions(kind: str, record_id: str, inst: Inst, who: Who) -> dict[str, Any]:
    allow(inst, who, Action.READ, kind=kind, record_id=record_id)
    return {"ok": True, "items": [v.as_json() for v in incidents.versions(inst, kind, record_id)]}
