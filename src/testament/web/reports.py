"""Reports downloaded from the pages: an incident's dossier, a case's proof chart, and a pattern report
of a case or a situation, each as PDF or HTML (docs/web.md, "Reports").

A sensitive incident's dossier is made under the view its page recorded (``?access=N``, the page's
own link carries it): the purpose stated there is stated again, and making the dossier is logged as a
view of its own. Without that view the link leads back to the incident's page, which asks why.
Every report is written in the page's language (:func:`testament.web.i18n.language`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

from testament.custody import access_log
from testament.documentation import incidents
from testament.domain.access import Action
from testament.http.guard import allow
from testament.patterns import reports
from testament.patterns.load import Scope
from testament.patterns.rendering import Report
from testament.web import i18n, records
from testament.web.pages import Viewer, instance_of
from testament.web.routes_views import AccessRef

Format = Annotated[str, Query(alias="format", max_length=8)]
# A downloaded report: no script, its own inline styles only, framed only by Testament's pages.
REPORT_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
SCOPES: tuple[tuple[str, Callable[[str], Scope]], ...] = (
    ("/cases/{name}", lambda name: Scope(case=name)),
    ("/situations/{name}", lambda name: Scope(situation=name)),
)


def download(report: Report) -> Response:
    """The report as an attachment under its own name, never sniffed as something else."""
    return Response(report.content, media_type=report.media_type, headers={
        "Content-Disposition": f'attachment; filename="{report.filename}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": REPORT_POLICY,
    })  # fmt: skip


def routes(site: FastAPI) -> None:
    @site.get("/incidents/{incident_id}/report", include_in_schema=False)
    def incident_report(
        request: Request,
        incident_id: str,
        who: Viewer,
        access: AccessRef = None,
        fmt: Format = "pdf",
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, kind="incident", record_id=incident_id)
        purpose = None
        if incidents.show(inst, incident_id).sensitivity:
            if not records.viewing(request, "incident", incident_id, access):
                return records.go(request, f"/incidents/{incident_id}")
            purpose = access_log.stated_purpose(inst, int(access or 0), "incident", incident_id)
        lang = i18n.language(request)
        made = reports.incident_dossier(inst, incident_id, fmt=fmt, purpose=purpose, language=lang)
        return download(made)

    @site.get("/cases/{case_name}/proof-chart/report", include_in_schema=False)
    def chart_report(
        request: Request, case_name: str, who: Viewer, fmt: Format = "pdf"
    ) -> Response:
        made = reports.proof_chart_report(
            instance_of(request), case_name, fmt=fmt, language=i18n.language(request)
        )
        return download(made)

    for prefix, scoped in SCOPES:
        _pattern_route(site, prefix, scoped)


def _pattern_route(site: FastAPI, prefix: str, scoped: Callable[[str], Scope]) -> None:
    @site.get(prefix + "/patterns/report", include_in_schema=False)
    def pattern_report(  # noqa: PLR0917 - the query's parameters
        request: Request,
        name: str,
        who: Viewer,
        since: Annotated[str, Query(alias="from", max_length=10)],
        until: Annotated[str, Query(alias="to", max_length=10)],
        area: Annotated[str | None, Query(max_length=200)] = None,
        level: Annotated[int, Query(ge=1, le=2)] = 1,
        fmt: Format = "pdf",
    ) -> Response:
        made = reports.pattern_report(instance_of(request), scoped(name), area=area or None,
                                      period_from=since, period_to=until, fmt=fmt, level=level,
                                      language=i18n.language(request))  # fmt: skip
        return download(made)
