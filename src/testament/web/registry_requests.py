"""Registry requests on the pages (docs/survivors.md, "The re-interview registry").

A documenter whose name search matched a person held in a case they have no role on learns only that a
possible earlier account exists and whom to contact; their question is filed as a request.
``/registry/requests`` lists, for a coordinator, the requests about the people of their cases, to share
their contact or decline; and, for whoever asked, the state of their own requests. The registry service
decides who sees which request and who may decide it.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.responses import Response

from testament.domain.access import Action
from testament.errors import InvalidInput, NotFound
from testament.http.guard import allow
from testament.survivors import registry
from testament.web.pages import Viewer, instance_of, render
from testament.web.records import go

PAGE = "/registry/requests"


def routes(site: FastAPI) -> None:
    @site.get(PAGE, include_in_schema=False)
    def requests(request: Request, who: Viewer) -> Response:
        allow(instance_of(request), who, Action.READ)
        return _page(request)

    @site.post(PAGE + "/{request_id}", include_in_schema=False)
    def decide(
        request: Request,
        request_id: str,
        who: Viewer,
        decision: Annotated[str, Form(max_length=16)] = "",
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.MANAGE_CASE)
        try:
            registry.decide(inst, request_id, decision)
        except InvalidInput as exc:
            return _page(request, 422, problem=exc.what)
        except NotFound:
            return _page(request, 404, problem="no registry request has this ID")
        return go(request, PAGE)


def _page(request: Request, code: int = 200, problem: str | None = None) -> Response:
    found = registry.requests(instance_of(request))
    return render(
        request,
        "registry_requests.html",
        code,
        held=[r for r in found if r.side == "holder"],
        asked=[r for r in found if r.side == "asker"],
        coordinator=registry.COORDINATOR,
        problem=problem,
    )
