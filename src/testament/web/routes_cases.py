"""The reading pages of cases: the dashboard, a case's incidents, its map and upload page, and search
across the cases the reader may see (a case's proof chart is in ``legal``)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import Response

from testament.accounts import accounts
from testament.custody import cases, custody_log
from testament.documentation import gazetteer, incidents
from testament.domain.access import Action, decide_anywhere
from testament.http.guard import allow, visible_cases
from testament.taxonomy import vocabulary
from testament.web import facets_view, records, relations_view, search_view, support
from testament.web.pages import Viewer, instance_of, render


def routes(site: FastAPI) -> None:
    _case_routes(site)
    _case_view_routes(site)
    search_view.routes(site)
    relations_view.routes(site)


def _case_routes(site: FastAPI) -> None:
    @site.get("/dashboard", include_in_schema=False)
    def dashboard(request: Request, who: Viewer) -> Response:
        inst = instance_of(request)
        visible = visible_cases(inst, who)
        found = [c for c in cases.list_cases(inst) if visible is None or c.id in visible]
        status = custody_log.status(inst)
        may_create = who.actor is None or bool(decide_anywhere(who.actor, Action.MANAGE_CASE))
        return render(request, "dashboard.html", cases=found, log_size=status.size,
                       checkpoint_size=status.signed_size, may_create=may_create,
                       follow_ups=support.follow_ups(request, who))  # fmt: skip

    @site.post("/cases", include_in_schema=False)
    def create_case_page(
        request: Request, who: Viewer, name: Annotated[str, Form(min_length=1, max_length=500)]
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.MANAGE_CASE)
        if who.user_id is None or (who.actor is not None and who.actor.is_admin):
            cases.create_case(inst, name)
        else:
            accounts.create_case_for(inst, who.user_id, name)
        return records.go(request, "/cases/" + quote(name.strip()))

    @site.get("/cases/{case_name}", include_in_schema=False)
    def case_page(  # noqa: PLR0917 - the filter's fields
        request: Request,
        case_name: str,
        who: Viewer,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
        status: Annotated[str, Query(max_length=64)] = "",
        date_from: Annotated[str, Query(max_length=10)] = "",
        date_to: Annotated[str, Query(max_length=10)] = "",
        label: Annotated[str, Query(max_length=64)] = "",
        bbox: Annotated[str, Query(max_length=200)] = "",
        polygon: Annotated[str, Query(max_length=10_000)] = "",
        f: Annotated[list[str] | None, Query()] = None,
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, case=case_name)
        only = incidents.ListFilter(
            status or None, date_from or None, date_to or None, label or None, bbox or None,
            polygon or None,
        )  # fmt: skip
        wanted = facets_view.parse_query(f or [], status, date_from, date_to, label, bbox, polygon)
        if wanted.drawn:  # an area drawn on the map: the plain list, without facets
            rows = incidents.list_for_case(inst, case_name, limit=101, offset=offset, only=only)
            listing = facets_view.drawn_context(case_name, wanted, rows, offset)
        else:
            listing = facets_view.list_context(inst, case_name, wanted, offset)
        return render(request, "incidents.html", case_name=case_name, **listing, offset=offset,
                       only=only, statuses=vocabulary.codes("incident-status"),
                       labels=vocabulary.codes("sensitivity-labels"),
                       timeline=incidents.timeline(inst, case_name),
                       may_document=records.may(request, who, Action.DOCUMENT,
                                                case=case_name))  # fmt: skip


def _case_view_routes(site: FastAPI) -> None:
    @site.get("/cases/{case_name}/map", include_in_schema=False)
    def map_page(  # noqa: PLR0917 - the filter's fields
        request: Request,
        case_name: str,
        who: Viewer,
        bbox: Annotated[str, Query(max_length=200)] = "",
        polygon: Annotated[str, Query(max_length=10_000)] = "",
        date_from: Annotated[str, Query(max_length=10)] = "",
        date_to: Annotated[str, Query(max_length=10)] = "",
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, case=case_name)
        only = incidents.ListFilter(date_from=date_from or None, date_to=date_to or None,
                                    bbox=bbox or None, polygon=polygon or None).check()  # fmt: skip
        return render(request, "map.html", case_name=case_name, only=only,
                       tile_url=request.app.state.tile_url,
                       situation=gazetteer.situation_of(inst, case=case_name),
                       timeline=incidents.timeline(inst, case_name))  # fmt: skip

    @site.get("/cases/{case_name}/upload", include_in_schema=False)
    def upload_page(request: Request, case_name: str, who: Viewer) -> Response:
        allow(instance_of(request), who, Action.DOCUMENT, case=case_name)
        return render(request, "upload.html", case_name=case_name)
