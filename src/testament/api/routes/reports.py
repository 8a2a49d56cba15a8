"""Reports over the API (docs/api.md, "Reports"): the bytes of a PDF or HTML report, as
`testament report` writes them, with their media type and a file name to save them under.

An incident's dossier is opened as the incident is: one with sensitivity labels needs a purpose
(``?purpose=`` or the X-Testament-Purpose header), and making it is an ``access`` event. The rules are
the use cases' (:mod:`testament.patterns.reports`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from testament.api.deps import OPERATOR_PURPOSE, Purpose, instance
from testament.custody.instance import Instance
from testament.http.auth import Who
from testament.patterns import reports
from testament.patterns.load import Scope
from testament.patterns.rendering import Report

router = APIRouter(tags=["reports"])
Inst = Annotated[Instance, Depends(instance)]
Format = Annotated[str, Query(alias="format", max_length=8, description="pdf or html.")]
Area = Annotated[
    str | None, Query(max_length=200, description="An area's name or code (all areas if left out).")
]
Lang = Annotated[
    str, Query(max_length=8, description="The report's language: en (English) or uk (Ukrainian).")
]
Level = Annotated[int, Query(ge=1, le=2, description="Gazetteer level of areas: 1 or 2.")]
BYTES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": {"application/pdf": {}, "text/html": {}},
        "description": "The report, with a Content-Disposition file name.",
    }
}


def _answer(report: Report) -> Response:
    head = report.checkpoint
    return Response(
        report.content,
        media_type=report.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{report.filename}"',
            "X-Testament-Log-Size": str(head.size),
            "X-Testament-Log-Root": head.root,
        },
    )


@router.get("/incidents/{incident_id}/report", response_class=Response, responses=BYTES)
def dossier(  # noqa: PLR0917 - the query's parameters
    incident_id: str, inst: Inst, who: Who, stated: Purpose, fmt: Format = "pdf", lang: Lang = "en"
) -> Response:
    """The incident's dossier: every field, source, casualty figure, qualification and evidence item,
    each item's SHA-256 digest and custody in brief. For an incident with sensitivity labels, making
    it is an ``access`` event in the custody log, with your purpose."""
    purpose = stated or (OPERATOR_PURPOSE if who.actor is None else None)
    made = reports.incident_dossier(inst, incident_id, fmt=fmt, purpose=purpose, language=lang)
    return _answer(made)


@router.get("/cases/{case_name}/reports/proof-chart", response_class=Response, responses=BYTES)
def proof_chart(case_name: str, inst: Inst, fmt: Format = "pdf", lang: Lang = "en") -> Response:
    """The case's proof chart as a report."""
    return _answer(reports.proof_chart_report(inst, case_name, fmt=fmt, language=lang))


def _patterns(
    inst: Instance,
    scope: Scope,
    area: str | None,
    period: tuple[str, str],
    *,
    level: int,
    fmt: str,
    lang: str,
) -> Response:
    since, until = period
    made = reports.pattern_report(
        inst, scope, area=area, period_from=since, period_to=until, fmt=fmt, level=level,
        language=lang,
    )  # fmt: skip
    return _answer(made)


@router.get("/cases/{case_name}/reports/patterns", response_class=Response, responses=BYTES)
def case_patterns(  # noqa: PLR0917 - the query's parameters
    case_name: str,
    inst: Inst,
    since: Annotated[str, Query(alias="from", max_length=10, description="YYYY-MM-DD.")],
    until: Annotated[str, Query(alias="to", max_length=10, description="YYYY-MM-DD.")],
    area: Area = None,
    level: Level = 1,
    fmt: Format = "pdf",
    lang: Lang = "en",
) -> Response:
    """Counts by month, type, target and area for an area and a period, with charts and a map."""
    return _patterns(inst, Scope(case=case_name), area, (since, until), level=level, fmt=fmt,
                     lang=lang)  # fmt: skip


@router.get("/situations/{situation}/reports/patterns", response_class=Response, responses=BYTES)
def situation_patterns(  # noqa: PLR0917 - the query's parameters
    situation: str,
    inst: Inst,
    since: Annotated[str, Query(alias="from", max_length=10, description="YYYY-MM-DD.")],
    until: Annotated[str, Query(alias="to", max_length=10, description="YYYY-MM-DD.")],
    area: Area = None,
    level: Level = 1,
    fmt: Format = "pdf",
    lang: Lang = "en",
) -> Response:
    """The pattern report over a situation: its cases you may read, named in the report."""
    return _patterns(inst, Scope(situation=situation), area, (since, until), level=level, fmt=fmt,
                     lang=lang)  # fmt: skip
