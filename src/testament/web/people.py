"""People on the pages: a case's people, one person's page with their roles and history, and the
people and units of an incident (``_people_units.html``).

These are documentation records (docs/model.md, "People"): a label (a pseudonym, or a public figure's
public name) and a description, and the roles the person holds in the case's incidents. A survivor's
identity is the vault's and never appears here; the intake's pages (``web/intake.py``) are apart.

``/cases/{case}/people`` lists a case's people and, for its documenters, records one;
``/people/{id}`` shows one with the roles they hold, a form to give them a role in an incident of the
case, and every version with its log entry; ``/people/{id}/edit`` changes the label or description
from the version the form was opened at. The incident page offers a person in a role and a unit with a
degree of involvement. Every form posts through the use cases the CLI and the API call, which ask the
policy themselves; a refusal comes back on its form (422, or 409 when someone saved first) with what was
typed and the reason by the field, and nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from testament.custody import cases
from testament.documentation import incidents, people, sources, units
from testament.documentation.record_views import IncidentListed, IncidentView, PersonListed
from testament.domain import text
from testament.domain.access import Action
from testament.errors import NotFound, TestamentError
from testament.http.auth import Principal
from testament.http.guard import allow
from testament.taxonomy import vocabulary
from testament.web.pages import Viewer, instance_of, render
from testament.web.record_forms import REFUSED, changes, refused, status_of
from testament.web.records import go, may

SHOWN = 100  # people to a page
CHOICES = 500  # the incidents, people and units a form offers
NEW_PERSON = "person-form"
NEW_ROLE = "role-form"
INCIDENT_ROLE = "incident-role-form"
INCIDENT_UNIT = "incident-unit-form"
INCIDENT_SOURCE = "incident-source-form"


class PersonForm(BaseModel):
    """A person as typed; ``expected_version`` is the version an edit began from."""

    label: str = Field(default="", max_length=text.NAME_CHARS)
    description: str = Field(default="", max_length=text.LONG_CHARS)
    expected_version: int | None = Field(None, ge=1, le=10**9)

    def values(self) -> dict[str, str]:
        return {"label": self.label, "description": self.description}


class RoleForm(BaseModel):
    """A role in an incident: from the person's page (an incident) or the incident's (a person)."""

    person_id: str = Field(default="", max_length=36)
    incident_id: str = Field(default="", max_length=36)
    role: str = Field(default="", max_length=64)
    note: str = Field(default="", max_length=text.LONG_CHARS)
    access: int | None = Field(None, ge=0, le=2**62)


class InvolveForm(BaseModel):
    """A unit (ID, name or alias) involved in an incident to a degree."""

    unit: str = Field(default="", max_length=text.NAME_CHARS)
    degree: str = Field(default="", max_length=64)
    note: str = Field(default="", max_length=text.LONG_CHARS)
    access: int | None = Field(None, ge=0, le=2**62)


@dataclass(frozen=True)
class IncidentLinks:
    """What the incident page's people and units part shows and offers."""

    people: dict[str, str]  # person ID -> label
    units: dict[str, str]  # unit ID -> name
    may_document: bool
    case_name: str = ""
    choices: list[PersonListed] = field(default_factory=list)
    unit_names: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    degrees: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # the case's sources: ID -> title
    problems: dict[str, Any] = field(default_factory=dict)
    typed: dict[str, Any] = field(default_factory=dict)


def _label_of(request: Request, person_id: str) -> str:
    try:
        return people.show(instance_of(request), person_id).label
    except NotFound:
        return person_id


def _name_of(request: Request, unit_id: str) -> str:
    try:
        return units.show(instance_of(request), unit_id).name
    except NotFound:
        return unit_id


def incident_links(
    request: Request, who: Principal, incident: IncidentView, **refusal: Any
) -> IncidentLinks:
    """The names of the incident's people and units, and what the forms offer those who may document."""
    inst = instance_of(request)
    named = {r.person_id: _label_of(request, r.person_id) for r in incident.roles}
    units_named = {u.unit_id: _name_of(request, u.unit_id) for u in incident.units}
    case_name = case_name_of(request, incident.case_id)
    titled = {s.id: s.title for s in sources.list_for_case(inst, incident.case_id, limit=CHOICES)}
    if not may(request, who, Action.DOCUMENT, kind="incident", record_id=incident.id):
        return IncidentLinks(named, units_named, False, case_name, sources=titled)
    return IncidentLinks(
        named,
        units_named,
        True,
        case_name=case_name,
        choices=people.list_for_case(inst, incident.case_id, limit=CHOICES),
        unit_names=[u.name for u in units.list_units(inst, limit=CHOICES)],
        roles=sorted(vocabulary.codes("person-roles")),
        degrees=sorted(vocabulary.codes("degrees-of-involvement")),
        sources=titled,
        **refusal,
    )


def case_name_of(request: Request, case_id: str) -> str:
    """A case's name, from its ID (the ID itself if the reader may not see the list)."""
    found = {c.id: c.name for c in cases.list_cases(instance_of(request))}
    return found.get(case_id, case_id)


def incidents_of(request: Request, case: str) -> list[IncidentListed]:
    return incidents.list_for_case(instance_of(request), case, limit=CHOICES)


def _person_url(person_id: str) -> str:
    return f"/people/{quote(person_id, safe='')}"


def _incident_url(incident_id: str, access: int | None) -> str:
    return f"/incidents/{incident_id}" + (f"?access={access}" if access is not None else "")


def _people_page(
    request: Request, who: Principal, case_name: str, offset: int = 0, code: int = 200,
    **refusal: Any,
) -> Response:  # fmt: skip
    found = people.list_for_case(instance_of(request), case_name, limit=SHOWN + 1, offset=offset)
    shown = {"case_name": case_name, "people": found[:SHOWN], "offset": offset,
             "next_offset": offset + SHOWN if len(found) > SHOWN else None,
             "may_document": may(request, who, Action.DOCUMENT, case=case_name),
             "problem": None, "values": {}}  # fmt: skip
    return render(request, "people.html", code, **(shown | refusal))


def _person_page(
    request: Request, who: Principal, person_id: str, code: int = 200, **refusal: Any
) -> Response:
    inst = instance_of(request)
    person = people.show(inst, person_id)
    may_document = may(request, who, Action.DOCUMENT, kind="person", record_id=person_id)
    listed = incidents_of(request, person.case_id)
    titles = {i.id: i.title for i in listed}
    shown = {"person": person, "case_name": case_name_of(request, person.case_id),
             "titles": titles, "incidents": listed if may_document else [],
             "roles": sorted(vocabulary.codes("person-roles")), "may_document": may_document,
             "history": changes(people.versions(inst, person_id)), "problem": None,
             "values": {}}  # fmt: skip
    return render(request, "person.html", code, **(shown | refusal))


def routes(site: FastAPI) -> None:
    _list_routes(site)
    _person_routes(site)
    _role_routes(site)
    _incident_routes(site)
    _source_routes(site)


def _list_routes(site: FastAPI) -> None:
    @site.get("/cases/{case_name}/people", include_in_schema=False)
    def people_page(
        request: Request,
        case_name: str,
        who: Viewer,
        offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
    ) -> Response:
        return _people_page(request, who, case_name, offset)

    @site.post("/cases/{case_name}/people", include_in_schema=False)
    def create_person(
        request: Request, case_name: str, who: Viewer, form: Annotated[PersonForm, Form()]
    ) -> Response:
        try:
            new_id = people.create(instance_of(request), case_name, form.label, form.description)
        except REFUSED as exc:
            return _people_page(request, who, case_name, code=status_of(exc),
                                problem=refused(exc, "label"), values=form.values())  # fmt: skip
        return go(request, _person_url(new_id))


def _person_routes(site: FastAPI) -> None:
    @site.get("/people/{person_id}", include_in_schema=False)
    def person_page(request: Request, person_id: str, who: Viewer) -> Response:
        return _person_page(request, who, person_id)

    @site.get("/people/{person_id}/edit", include_in_schema=False)
    def edit_person_page(request: Request, person_id: str, who: Viewer) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.DOCUMENT, kind="person", record_id=person_id)
        person = people.show(inst, person_id)
        return render(request, "person_form.html", person_id=person_id, problem=None,
                      values={"label": person.label, "description": person.description},
                      expected_version=person.version)  # fmt: skip

    @site.post("/people/{person_id}/edit", include_in_schema=False)
    def edit_person(
        request: Request, person_id: str, who: Viewer, form: Annotated[PersonForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        try:
            people.edit(inst, person_id, form.values(), expected_version=form.expected_version)
        except REFUSED as exc:
            return render(request, "person_form.html", status_of(exc), person_id=person_id,
                          problem=refused(exc, "label"), values=form.values(),
                          expected_version=form.expected_version)  # fmt: skip
        return go(request, _person_url(person_id))


def _role_routes(site: FastAPI) -> None:
    @site.post("/people/{person_id}/roles", include_in_schema=False)
    def add_role(
        request: Request, person_id: str, who: Viewer, form: Annotated[RoleForm, Form()]
    ) -> Response:
        try:
            people.add_role(instance_of(request), person_id, form.incident_id, form.role, form.note)
        except REFUSED as exc:
            return _person_page(request, who, person_id, status_of(exc),
                                problem=_role_refusal(exc, "incident_id"),
                                values=form.model_dump())  # fmt: skip
        return go(request, _person_url(person_id))

    @site.post("/people/{person_id}/roles/{role_id}/remove", include_in_schema=False)
    def remove_role(request: Request, person_id: str, role_id: str, who: Viewer) -> Response:
        inst = instance_of(request)
        if role_id not in {r.id for r in people.show(inst, person_id).roles}:
            raise NotFound("this person holds no role with this ID", where=role_id)
        people.remove_role(inst, role_id)
        return go(request, _person_url(person_id))


def _role_refusal(exc: TestamentError, default: str) -> dict[str, Any]:
    """A refused role: an incident or person not found is about the field that chose it."""
    shown = refused(exc, default)
    if "role" not in shown["fields"] and "vocabulary" in exc.what:
        shown["fields"] = {"role": exc.what}
    return shown


def _incident_routes(site: FastAPI) -> None:
    @site.post("/incidents/{incident_id}/people", include_in_schema=False)
    def incident_role(
        request: Request, incident_id: str, who: Viewer, form: Annotated[RoleForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        try:
            people.add_role(inst, form.person_id, incident_id, form.role, form.note)
        except REFUSED as exc:
            return _links_refused(request, who, incident_id, INCIDENT_ROLE, exc=exc,
                                  problem=_role_refusal(exc, "person_id"),
                                  typed=form.model_dump())  # fmt: skip
        return go(request, _incident_url(incident_id, form.access))

    @site.post("/incidents/{incident_id}/units", include_in_schema=False)
    def incident_unit(
        request: Request, incident_id: str, who: Viewer, form: Annotated[InvolveForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        try:
            units.involve(inst, form.unit, incident_id, form.degree, form.note)
        except REFUSED as exc:
            return _links_refused(request, who, incident_id, INCIDENT_UNIT, exc=exc,
                                  problem=refused(exc, "unit"), typed=form.model_dump())  # fmt: skip
        return go(request, _incident_url(incident_id, form.access))


class SourceLinkForm(BaseModel):
    """A source of the incident's case that reports on it."""

    source_id: str = Field(default="", max_length=36)
    note: str = Field(default="", max_length=text.LONG_CHARS)
    access: int | None = Field(None, ge=0, le=2**62)


def _source_routes(site: FastAPI) -> None:
    @site.post("/incidents/{incident_id}/sources", include_in_schema=False)
    def incident_source(
        request: Request, incident_id: str, who: Viewer, form: Annotated[SourceLinkForm, Form()]
    ) -> Response:
        try:
            sources.link_incident(instance_of(request), form.source_id, incident_id, form.note)
        except REFUSED as exc:
            return _links_refused(request, who, incident_id, INCIDENT_SOURCE, exc=exc,
                                  problem=refused(exc, "source_id"),
                                  typed=form.model_dump())  # fmt: skip
        return go(request, _incident_url(incident_id, form.access))


def _links_refused(
    request: Request, who: Principal, incident_id: str, form_id: str, *, exc: TestamentError,
    problem: dict[str, Any], typed: dict[str, Any],
) -> Response:  # fmt: skip
    """A refused form of the incident's people, units or sources, on a page of its own with the
    incident's title and a way back (the incident's page may ask for a purpose first)."""
    inst = instance_of(request)
    allow(inst, who, Action.DOCUMENT, kind="incident", record_id=incident_id)
    incident = incidents.show(inst, incident_id)
    links = incident_links(request, who, incident, problems={form_id: problem},
                           typed={form_id: typed})  # fmt: skip
    return render(request, "people_units.html", status_of(exc), incident=incident, links=links,
                  access=typed.get("access"))  # fmt: skip
