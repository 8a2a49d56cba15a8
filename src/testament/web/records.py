"""Pages that write the documentation: a new incident, editing one, a case's evidence and linking it
(a source's pages are ``web/sources.py``, a person's ``web/people.py``).

Each form posts through the same services and the same policy door as the JSON API. A refused form comes
back with what was typed still in it and the reason on top; nothing is half-written. An edit carries the
version it started from, so two people editing at once cannot silently overwrite each other.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from testament.custody import access_log
from testament.custody.instance import Instance
from testament.documentation import evidence, gazetteer, incidents
from testament.documentation.record_views import IncidentView
from testament.documentation.results import EvidenceListed
from testament.domain import places, text
from testament.domain.access import Action
from testament.errors import Conflict, InvalidInput, PermissionDenied
from testament.http.auth import Principal
from testament.http.guard import allow
from testament.pipeline import service
from testament.taxonomy import vocabulary
from testament.web.pages import Viewer, instance_of, render

ITEMS_TO_LINK = 200  # the newest items offered in the incident page's link form


class IncidentForm(BaseModel):
    """The incident form's fields, as typed. The services check them; this only bounds their size,
    by the domain's table of text lengths."""

    title: str = Field(max_length=text.NAME_CHARS)
    status: str = Field("reported", max_length=64)
    description: str = Field("", max_length=text.LONG_CHARS)
    date: str = Field("", max_length=100)
    date_to: str = Field("", max_length=100)
    place_text: str = Field("", max_length=text.LINE_CHARS)
    latitude: str = Field("", max_length=40)
    longitude: str = Field("", max_length=40)
    uncertainty_m: str = Field("", max_length=40)
    precision: str = Field("", max_length=20)
    types: list[str] = Field(default_factory=list, max_length=200)
    targets: list[str] = Field(default_factory=list, max_length=200)
    weapons: list[str] = Field(default_factory=list, max_length=200)
    sensitivity: list[str] = Field(default_factory=list, max_length=50)
    version: int | None = Field(
        None, ge=1, le=10**9, description="The version the edit began from."
    )
    access: int | None = Field(None, ge=0, le=2**62, description="The view's log entry.")

    def values(self) -> dict[str, Any]:
        return self.model_dump(exclude={"version", "access"})


def may(request: Request, who: Principal, action: Action, **where: str) -> bool:
    """Whether ``who`` may do ``action`` (for showing a form only to those who can use it)."""
    try:
        allow(instance_of(request), who, action, **where)
    except PermissionDenied:
        return False
    return True


def go(request: Request, target: str) -> Response:
    """After a successful form: htmx navigates on ``HX-Redirect`` (it would follow a 303 itself)."""
    if request.headers.get("hx-request") == "true":
        return Response(status_code=200, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


def _choices() -> dict[str, list[str]]:
    return {
        "statuses": sorted(vocabulary.codes("incident-status")),
        **{name: sorted(vocabulary.codes(vocab)) for name, vocab in incidents.LISTS.items()},
    }


def _form_values(shown: IncidentView) -> dict[str, Any]:
    """An incident as the form shows it: a stated date as stated, a range as its two ends."""
    stated = shown.date_precision in ("exact", "day", "month", "year")
    return {
        "title": shown.title,
        "description": shown.description or "",
        "date": (shown.date_text if stated else shown.occurred_from) or "",
        "date_to": "" if stated else (shown.occurred_to or ""),
        "place_text": shown.place_text or "",
        "latitude": "" if shown.latitude is None else shown.latitude,
        "longitude": "" if shown.longitude is None else shown.longitude,
        "uncertainty_m": "" if shown.uncertainty_m is None else shown.uncertainty_m,
        "precision": places.precision_of(shown.uncertainty_m),
        "status": shown.status,
        **{name: list(getattr(shown, name)) for name in incidents.LISTS},
    }


def _changes(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values in :class:`incidents.IncidentInput` terms. "Until" turns the date into a range."""
    until = values["date_to"].strip()
    dated = {"date": "", "date_from": values["date"], "date_to": until} if until else {
        "date": values["date"], "date_from": "", "date_to": "",
    }  # fmt: skip
    return {
        "title": values["title"],
        "description": values["description"],
        **dated,
        "place_text": values["place_text"],
        "latitude": values["latitude"] or None,
        "longitude": values["longitude"] or None,
        "uncertainty_m": places.stated_uncertainty(
            values["precision"], values["uncertainty_m"], where="precision"
        )
        or None,
        "status": values["status"],
        **{name: values[name] for name in incidents.LISTS},
    }


def _incident_url(incident_id: str, access: int | None) -> str:
    """Back to the incident; a sensitive one's page asks for the purpose again unless the view's log
    entry is carried (the purpose itself never is: it would be in every address and every log)."""
    return f"/incidents/{incident_id}" + (f"?access={access}" if access is not None else "")


def viewing(request: Request, kind: str, record_id: str, access: int | None) -> bool:
    """Whether ``access`` is the caller's own recent view of this record, with its stated purpose."""
    if access is None:
        return False
    try:
        access_log.stated_purpose(instance_of(request), access, kind, record_id)
    except PermissionDenied:
        return False
    return True


def ask_purpose(request: Request, what: str, record_id: str, labels: list[str],
                then: str = "view") -> Response:  # fmt: skip
    """The form that asks why a record is being opened; it posts, so the purpose stays out of URLs."""
    folder = "evidence" if what == "evidence" else "incidents"
    return render(request, "purpose.html", what=what, labels=labels, then=then,
                  action=f"/{folder}/{record_id}/purpose")  # fmt: skip


def _refused(exc: InvalidInput | Conflict) -> dict[str, Any]:
    return {"message": exc.what, "hint": exc.hint, "fields": exc.errors}


def routes(site: FastAPI) -> None:
    _incident_routes(site)
    _evidence_routes(site)


def _incident_routes(site: FastAPI) -> None:
    @site.get("/cases/{case_name}/incidents/new", include_in_schema=False)
    def new_incident(request: Request, case_name: str, who: Viewer) -> Response:
        allow(instance_of(request), who, Action.DOCUMENT, case=case_name)
        blank = {"title": "", "description": "", "date": "", "date_to": "", "place_text": "",
                 "latitude": "", "longitude": "", "uncertainty_m": "", "precision": "",
                 "status": "reported",
                 **{name: [] for name in incidents.LISTS}}  # fmt: skip
        return _incident_form(request, 200, case_name=case_name, incident_id=None,
                              record_version=None, access=None, values=blank, problem=None)  # fmt: skip

    @site.post("/cases/{case_name}/incidents", include_in_schema=False)
    def create_incident(
        request: Request, case_name: str, who: Viewer, form: Annotated[IncidentForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.DOCUMENT, case=case_name)
        values = form.values()
        try:
            new_id = incidents.create(inst, case_name, incidents.IncidentInput(**_changes(values)))
        except InvalidInput as exc:
            return _incident_form(request, 422, case_name=case_name, incident_id=None,
                                  record_version=None, access=None, values=values,
                                  problem=_refused(exc))  # fmt: skip
        return go(request, f"/incidents/{new_id}")

    @site.get("/incidents/{incident_id}/edit", include_in_schema=False)
    def edit_incident_page(
        request: Request,
        incident_id: str,
        who: Viewer,
        access: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.DOCUMENT, kind="incident", record_id=incident_id)
        shown = incidents.show(inst, incident_id)
        if shown.sensitivity and not viewing(request, "incident", incident_id, access):
            return ask_purpose(request, "incident", incident_id, shown.sensitivity, "edit")
        return _incident_form(request, 200, case_name=None, incident_id=incident_id,
                              record_version=shown.version, access=access,
                              values=_form_values(shown), problem=None)  # fmt: skip

    @site.post("/incidents/{incident_id}/edit", include_in_schema=False)
    def edit_incident(
        request: Request, incident_id: str, who: Viewer, form: Annotated[IncidentForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.DOCUMENT, kind="incident", record_id=incident_id)
        values, access = form.values(), form.access
        try:
            incidents.edit(inst, incident_id, _changes(values), expected_version=form.version)
        except (InvalidInput, Conflict) as exc:
            return _incident_form(request, 409 if isinstance(exc, Conflict) else 422,
                                  case_name=None, incident_id=incident_id,
                                  record_version=form.version, access=access, values=values,
                                  problem=_refused(exc))  # fmt: skip
        return go(request, _incident_url(incident_id, access))


def _incident_form(
    request: Request, code: int, *, case_name: str | None, incident_id: str | None, **context: Any
) -> Response:
    """The incident form; its place search and its map's areas are those of the case's situation
    (and the shared ones), or every area when the case is in no situation."""
    situation = gazetteer.situation_of(
        instance_of(request), case=case_name, incident_id=incident_id
    )
    return render(request, "incident_form.html", code, case_name=case_name, incident_id=incident_id,
                  situation=situation, choices=_choices(), **context)  # fmt: skip


def _evidence_routes(site: FastAPI) -> None:
    @site.post("/incidents/{incident_id}/evidence", include_in_schema=False)
    def link_evidence(  # noqa: PLR0917 - the form's fields
        request: Request,
        incident_id: str,
        who: Viewer,
        item_id: Annotated[str, Form(min_length=1, max_length=36)],
        relevance: Annotated[str, Form(max_length=2000)] = "",
        access: Annotated[int | None, Form(ge=0, le=2**62)] = None,
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.DOCUMENT, kind="incident", record_id=incident_id)
        allow(inst, who, Action.DOCUMENT, kind="evidence", record_id=item_id)
        evidence.link(inst, item_id, incident_id, relevance)
        return go(request, _incident_url(incident_id, access))

    @site.get("/cases/{case_name}/evidence", include_in_schema=False)
    def evidence_list(
        request: Request,
        case_name: str,
        who: Viewer,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
        tag: Annotated[str, Query(max_length=256)] = "",
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, case=case_name)
        items = evidence.list_for_case(inst, case_name, limit=101, offset=offset, tag=tag or None)
        return render(request, "evidence_list.html", case_name=case_name, items=items[:100], tag=tag,
                      shown_names=shown_names(inst, items[:100]),
                      offset=offset, next_offset=offset + 100 if len(items) > 100 else None,
                      may_upload=may(request, who, Action.DOCUMENT, case=case_name))  # fmt: skip


def shown_names(inst: Instance, items: list[EvidenceListed]) -> dict[str, str]:
    """Each item's name as the page shows it: a survivor's recording, for a reader who may not read
    the person's words, by its type and digest only (as search names it), never by its file name."""
    withheld = set(service.names_withheld(inst, [item.id for item in items]))
    return {
        item.id: withheld_name(item.media_type, item.sha256)
        if item.id in withheld
        else item.shown_name
        for item in items
    }


def withheld_name(media_type: str, sha256: str) -> str:
    """An item named by its type and digest only, as search names a withheld one."""
    return f"{media_type} sha256:{sha256[:12]}"


def linkable(request: Request, who: Principal, incident: IncidentView) -> list[EvidenceListed]:
    """The newest items of the incident's case not yet linked to it, if ``who`` may link them."""
    if not may(request, who, Action.DOCUMENT, kind="incident", record_id=incident.id):
        return []
    linked = {link.item_id for link in incident.evidence}
    items = evidence.list_for_case(instance_of(request), incident.case_id, limit=ITEMS_TO_LINK)
    return [item for item in items if item.id not in linked]
