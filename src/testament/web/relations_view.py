"""Related incidents on the incident page (docs/web.md): the incidents it names and those naming it,
each a link; those who may document add a relation (another incident of the case, by its ID or
words of its title, and the kind of relation) or remove one.

The incident page includes ``_relations.html``, which loads the list in place with htmx and links to
``/incidents/{id}/relations`` (the same list and form as a page) for a browser without JavaScript.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import RedirectResponse, Response

from testament.documentation import incidents, relations
from testament.domain.access import Action
from testament.errors import InvalidInput, NotFound
from testament.http.guard import allow
from testament.taxonomy import vocabulary
from testament.web import records
from testament.web.pages import Viewer, instance_of, render


def _context(request: Request, who: Viewer, incident_id: str) -> dict[str, Any]:
    inst = instance_of(request)
    shown = incidents.show(inst, incident_id)
    may = records.may(request, who, Action.DOCUMENT, case=shown.case_id)
    return {
        "incident": shown,
        "related": relations.related(inst, incident_id),
        "may_relate": may,
        "choices": relations.choices(inst, incident_id) if may else [],
        "kinds": vocabulary.codes("incident-relations"),
        "problem": None,
        "typed": {},
    }


def _answer(
    request: Request, who: Viewer, incident_id: str, code: int = 200, **more: Any
) -> Response:
    context = _context(request, who, incident_id) | more
    if request.headers.get("hx-request") == "true":
        return render(request, "_relations_list.html", code, **context)
    if code != 200:
        return render(request, "relations.html", code, **context)
    return RedirectResponse(f"/incidents/{incident_id}/relations", status_code=303)


def routes(site: FastAPI) -> None:
    @site.get("/incidents/{incident_id}/relations", include_in_schema=False)
    def relations_page(request: Request, who: Viewer, incident_id: str) -> Response:
        allow(instance_of(request), who, Action.READ, kind="incident", record_id=incident_id)
        context = _context(request, who, incident_id)
        name = (
            "_relations_list.html"
            if request.headers.get("hx-request") == "true"
            else "relations.html"
        )
        return render(request, name, **context)

    @site.post("/incidents/{incident_id}/relations", include_in_schema=False)
    def relate(  # noqa: PLR0917 - the form's fields
        request: Request,
        who: Viewer,
        incident_id: str,
        other: Annotated[str, Form(max_length=500)] = "",
        relation: Annotated[str, Form(max_length=64)] = "",
        note: Annotated[str, Form(max_length=2000)] = "",
    ) -> Response:
        typed = {"other": other, "relation": relation, "note": note}
        try:
            relations.relate_to(instance_of(request), incident_id, other, relation, note)
        except (InvalidInput, NotFound) as exc:
            return _answer(request, who, incident_id, 422, problem=exc.what, typed=typed)
        return _answer(request, who, incident_id)

    @site.post("/incidents/{incident_id}/relations/{relation_id}/delete", include_in_schema=False)
    def unrelate(request: Request, who: Viewer, incident_id: str, relation_id: str) -> Response:
        shown = {r.relation_id for r in relations.related(instance_of(request), incident_id)}
        if relation_id not in shown:
            raise NotFound("this incident has no such relation", where=relation_id)
        relations.unrelate(instance_of(request), relation_id)
        return _answer(request, who, incident_id)
