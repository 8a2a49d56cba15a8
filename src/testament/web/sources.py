"""Sources on the pages: a case's sources, one source's page with the incidents it reports on and its
history, and the forms that record, edit and link one.

``/cases/{case}/sources`` lists a case's sources and, for its documenters, records one (a kind from the
``source-types`` vocabulary, a title, an address, a reference, a publication date at the precision
given, a description); ``/sources/{id}`` shows one, with a form linking it to an incident of its case,
and every version with its log entry; ``/sources/{id}/edit`` changes it from the version the form was
opened at. Every form posts through the use cases the CLI and the API call (docs/model.md, "Sources"),
which ask the policy themselves; a refusal comes back on its form (422, or 409 when someone saved
first) with what was typed and the reason by the field, and nothing is written.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from testament.documentation import sources
from testament.documentation.record_views import SourceView
from testament.domain import text
from testament.domain.access import Action
from testament.errors import TestamentError
from testament.http.auth import Principal
from testament.http.guard import allow
from testament.taxonomy import vocabulary
from testament.web.pages import Viewer, instance_of, render
from testament.web.people import case_name_of, incidents_of
from testament.web.record_forms import REFUSED, changes, refused, status_of
from testament.web.records import go, may

SHOWN = 100  # sources to a page


class SourceForm(BaseModel):
    """A source as typed; ``expected_version`` is the version an edit began from. The use case checks
    the values; this only bounds their size."""

    kind: str = Field(default="", max_length=64)
    title: str = Field(default="", max_length=text.NAME_CHARS)
    url: str = Field(default="", max_length=text.LINE_CHARS * 4)
    reference: str = Field(default="", max_length=text.LONG_CHARS)
    published_at: str = Field(default="", max_length=100)
    description: str = Field(default="", max_length=text.LONG_CHARS)
    expected_version: int | None = Field(None, ge=1, le=10**9)

    def values(self) -> dict[str, Any]:
        """The use case's fields: an empty address is none (an edit removes it)."""
        typed = self.model_dump(exclude={"expected_version"})
        return typed | {"url": self.url.strip() or None}


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    return {k: "" if v is None else v for k, v in values.items()}


def _refusal(exc: TestamentError) -> dict[str, Any]:
    """A refused source: the address rule names the record on an edit; it is about the address."""
    return refused(exc, "url" if "address" in exc.what else "title")


def _kinds() -> list[str]:
    return sorted(vocabulary.codes("source-types"))


def _source_url(source_id: str) -> str:
    return f"/sources/{quote(source_id, safe='')}"


def _sources_page(
    request: Request, who: Principal, case_name: str, offset: int = 0, code: int = 200,
    **refusal: Any,
) -> Response:  # fmt: skip
    found = sources.list_for_case(instance_of(request), case_name, limit=SHOWN + 1, offset=offset)
    shown = {"case_name": case_name, "sources": found[:SHOWN], "offset": offset,
             "next_offset": offset + SHOWN if len(found) > SHOWN else None,
             "may_document": may(request, who, Action.DOCUMENT, case=case_name),
             "kinds": _kinds(), "problem": None, "values": {"kind": "document"}}  # fmt: skip
    return render(request, "sources.html", code, **(shown | refusal))


def _source_page(
    request: Request, who: Principal, source_id: str, code: int = 200, **refusal: Any
) -> Response:
    inst = instance_of(request)
    source = sources.show(inst, source_id)
    may_document = may(request, who, Action.DOCUMENT, kind="source", record_id=source_id)
    linked = {link.incident_id for link in source.incidents}
    offered = [i for i in incidents_of(request, source.case_id) if i.id not in linked]
    shown = {"source": source, "case_name": case_name_of(request, source.case_id),
             "may_document": may_document, "incidents": offered if may_document else [],
             "history": changes(sources.versions(inst, source_id)), "problem": None,
             "values": {}}  # fmt: skip
    return render(request, "source.html", code, **(shown | refusal))


def _form_values(source: SourceView) -> dict[str, Any]:
    fields = ("kind", "title", "url", "reference", "published_at", "description")
    return _shown({name: getattr(source, name) for name in fields})


def routes(site: FastAPI) -> None:
    _list_routes(site)
    _source_routes(site)


def _list_routes(site: FastAPI) -> None:
    @site.get("/cases/{case_name}/sources", include_in_schema=False)
    def sources_page(
        request: Request,
        case_name: str,
        who: Viewer,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> Response:
        return _sources_page(request, who, case_name, offset)

    @site.post("/cases/{case_name}/sources", include_in_schema=False)
    def create_source(
        request: Request, case_name: str, who: Viewer, form: Annotated[SourceForm, Form()]
    ) -> Response:
        try:
            new_id = sources.create(instance_of(request), case_name, **form.values())
        except REFUSED as exc:
            return _sources_page(request, who, case_name, code=status_of(exc),
                                 problem=_refusal(exc),
                                 values=_shown(form.values()))  # fmt: skip
        return go(request, _source_url(new_id))


def _source_routes(site: FastAPI) -> None:
    @site.get("/sources/{source_id}", include_in_schema=False)
    def source_page(request: Request, source_id: str, who: Viewer) -> Response:
        return _source_page(request, who, source_id)

    @site.get("/sources/{source_id}/edit", include_in_schema=False)
    def edit_source_page(request: Request, source_id: str, who: Viewer) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.DOCUMENT, kind="source", record_id=source_id)
        source = sources.show(inst, source_id)
        return render(request, "source_form.html", source_id=source_id, problem=None,
                      values=_form_values(source), expected_version=source.version,
                      kinds=_kinds())  # fmt: skip

    @site.post("/sources/{source_id}/edit", include_in_schema=False)
    def edit_source(
        request: Request, source_id: str, who: Viewer, form: Annotated[SourceForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        try:
            sources.edit(inst, source_id, form.values(), expected_version=form.expected_version)
        except REFUSED as exc:
            return render(request, "source_form.html", status_of(exc), source_id=source_id,
                          problem=_refusal(exc), values=_shown(form.values()),
                          expected_version=form.expected_version, kinds=_kinds())  # fmt: skip
        return go(request, _source_url(source_id))

    @site.post("/sources/{source_id}/incidents", include_in_schema=False)
    def link_incident(
        request: Request,
        source_id: str,
        who: Viewer,
        incident_id: Annotated[str, Form(max_length=36)] = "",
        note: Annotated[str, Form(max_length=text.LONG_CHARS)] = "",
    ) -> Response:
        try:
            sources.link_incident(instance_of(request), source_id, incident_id, note)
        except REFUSED as exc:
            return _source_page(request, who, source_id, status_of(exc),
                                problem=refused(exc, "incident_id"),
                                values={"incident_id": incident_id, "note": note})  # fmt: skip
        return go(request, _source_url(source_id))
