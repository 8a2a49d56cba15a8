"""Preliminary legal qualification: crime codes on incidents, evidence linked to elements, the proof chart.

Every qualification is preliminary (docs/legal.md): only lawyers and courts characterise conduct legally.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from testament.api.deps import instance
from testament.api.fields import as_fields
from testament.api.models import answer
from testament.custody.instance import Instance
from testament.documentation import legal, proof_chart
from testament.documentation.legal import Suggestion
from testament.documentation.results import CrimeDetail, CrimeView, ProofChartView
from testament.domain import text
from testament.domain.access import Action
from testament.http.auth import Who
from testament.http.guard import allow

router = APIRouter(tags=["legal"])
Inst = Annotated[Instance, Depends(instance)]
CrimeCode = Annotated[str, Field(min_length=1, max_length=64, description="e.g. CAH-MURDER.")]
Note = Annotated[str, Field(max_length=text.LONG_CHARS, description="The analyst's reasoning.")]
FIELDS = {"CRIME_CODE": "crime", "--element": "element", "--note": "note", "status": "status",
          "--reason": "reason"}  # fmt: skip
CHART_MEDIA = {"md": "text/markdown", "csv": "text/csv"}


class QualificationIn(BaseModel):
    crime: CrimeCode
    note: Note = ""


class WithdrawalIn(BaseModel):
    reason: str = Field(
        "",
        max_length=text.LONG_CHARS,
        description="Why the qualification no longer holds (required).",
    )


class ElementLinkIn(BaseModel):
    item_id: str = Field(min_length=1, max_length=64)
    incident_id: str = Field(min_length=1, max_length=64)
    crime: CrimeCode
    element: str = Field(
        min_length=1, max_length=64, description="E1, E2 … or a contextual element (CTX-CAH.C1)."
    )
    stance: Literal["supports", "contradicts"]
    confidence: Literal["low", "medium", "high"] = "medium"
    note: Note = ""


@router.get("/legal/crimes", response_model=answer("items", list[CrimeView]))
def list_crimes() -> dict[str, Any]:
    return {"ok": True, "items": legal.crimes()}


@router.get("/legal/crimes/{code}", response_model=answer("crime", CrimeDetail))
def show_crime(code: str) -> dict[str, Any]:
    with as_fields({"CRIME_CODE": "code"}):
        found = legal.crime_detail(code)
    return {"ok": True, "crime": found}


@router.post("/incidents/{incident_id}/qualifications", status_code=201)
def qualify(incident_id: str, body: QualificationIn, inst: Inst, who: Who) -> dict[str, Any]:
    # Asked here: the use case checks the crime code and the note before the policy.
    allow(inst, who, Action.ANALYSE, kind="incident", record_id=incident_id)
    with as_fields(FIELDS):
        result = legal.qualify(inst, incident_id, body.crime, body.note)
    return {"ok": True, "id": result.id, "status": "preliminary", "warnings": result.warnings}


@router.delete("/qualifications/{qualification_id}")
def withdraw(
    qualification_id: str, inst: Inst, who: Who, body: WithdrawalIn | None = None
) -> dict[str, Any]:
    # Asked here: the use case checks the reason (required, in the body) before the policy.
    allow(inst, who, Action.ANALYSE, kind="qualification", record_id=qualification_id)
    with as_fields(FIELDS):
        links = legal.withdraw_qualification(
            inst, qualification_id, reason=body.reason if body else ""
        )
    return {"ok": True, "withdrawn_links": links}


@router.post("/incidents/{incident_id}/suggestions/rejections", status_code=201)
def reject(incident_id: str, body: QualificationIn, inst: Inst, who: Who) -> dict[str, Any]:
    """Reject a suggested crime code: recorded, and not suggested again (``rejected`` is true)."""
    allow(inst, who, Action.ANALYSE, kind="incident", record_id=incident_id)
    with as_fields(FIELDS):
        record_id = legal.reject_suggestion(inst, incident_id, body.crime, body.note)
    return {"ok": True, "id": record_id}


@router.get(
    "/incidents/{incident_id}/suggestions", response_model=answer("items", list[Suggestion])
)
def suggestions(incident_id: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "items": legal.suggest(inst, incident_id)}


@router.post("/element-links", status_code=201)
def link(body: ElementLinkIn, inst: Inst, who: Who) -> dict[str, Any]:
    # Asked here: the use case checks the crime, element, stance and note before the policy.
    allow(inst, who, Action.ANALYSE, kind="evidence", record_id=body.item_id)
    allow(inst, who, Action.ANALYSE, kind="incident", record_id=body.incident_id)
    with as_fields(FIELDS):
        link_id = legal.link_element(
            inst,
            body.item_id,
            body.incident_id,
            body.crime,
            body.element,
            stance=body.stance,
            confidence=body.confidence,
            note=body.note,
        )
    return {"ok": True, "id": link_id}


@router.delete("/element-links/{link_id}")
def unlink(link_id: str, inst: Inst) -> dict[str, Any]:
    return {"ok": True, "version": legal.unlink_element(inst, link_id)}


@router.get(
    "/cases/{case_name}/proof-chart",
    response_model=None,  # JSON in the envelope, or Markdown or CSV as text
    responses={200: {"model": answer("chart", ProofChartView)}},
)
def chart(
    case_name: str,
    inst: Inst,
    fmt: Annotated[
        Literal["json", "md", "csv"],
        Query(alias="format", description="json (in the envelope), md or csv (as text)."),
    ] = "json",
) -> dict[str, Any] | Response:
    proof = proof_chart.chart(inst, case_name)
    if fmt == "json":
        return {"ok": True, "chart": proof_chart.as_json(proof)}
    return Response(proof_chart.render(proof, fmt), media_type=CHART_MEDIA[fmt])
