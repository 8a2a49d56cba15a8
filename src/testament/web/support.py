"""Survivors' support on the pages (MC-05): the dashboard's follow-ups, a person's needs, the directory.

``/people/{id}/needs`` lists a person's needs and referrals; for documenters it is also where they are
recorded: a need (its note sealed by the service), a referral to a service that covers the need's area,
a referral's new status or follow-up date, a need met without one. ``/services`` is the directory of
services, which anyone signed in may read and a documenter on any case may add to. Every form posts
through the same services and policy door as the API; a refusal comes back on its form with the reason
next to the field, status 422.

The pages name a person by pseudonymous label only, and a need by its area and urgency: never a name and
never a note. Notes are sealed; the CLI and the API unseal them for a documenter who states a purpose.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import Response

from testament.documentation import people
from testament.domain.access import Action
from testament.errors import Conflict, ConsentRequired, InvalidInput, NotFound, TestamentError
from testament.http.auth import Principal
from testament.http.guard import allow, visible_cases
from testament.survivors import directory, intake, referrals
from testament.survivors.results import ServiceView, Term
from testament.taxonomy import vocabulary
from testament.web import i18n
from testament.web.pages import Viewer, instance_of, render
from testament.web.records import go, may
from testament.web.support_forms import (
    NeedForm,
    ReferForm,
    ReferralForm,
    ServiceForm,
    back_to,
    refusal,
)

SHOWN = 100  # follow-ups listed on the dashboard; the rest are counted
VOCABULARIES = {"area": "support-areas", "urgency": "need-urgency", "status": "referral-status"}
REFUSED = (InvalidInput, Conflict, NotFound, ConsentRequired)  # shown on the form
NEW_NEED = "need-form"


def term_labels(request: Request) -> dict[str, dict[str, str]]:
    """Each code's label in the page's language, by vocabulary (``area``, ``urgency``, ``status``)."""
    lang = i18n.language(request)
    return {
        key: {code: vocabulary.label(name, code, lang) for code in vocabulary.codes(name)}
        for key, name in VOCABULARIES.items()
    }


def _terms(request: Request) -> dict[str, list[Term]]:
    """Each vocabulary's terms with their labels and plain definitions, as the forms offer them."""
    lang = i18n.language(request)
    return {key: intake.choices(name, lang) for key, name in VOCABULARIES.items()}


def follow_ups(request: Request, who: Principal) -> dict[str, Any]:
    """The dashboard's panel: what is due today in the cases ``who`` may read."""
    inst = instance_of(request)
    found = referrals.follow_ups_due(inst, visible_cases(inst, who), datetime.now(UTC).date())
    return {
        "items": [item.as_json() for item in found[:SHOWN]],
        "more": max(0, len(found) - SHOWN),
        "labels": term_labels(request),
    }


def _needs_url(person_id: str) -> str:
    return f"/people/{person_id}/needs"


def _by_area(request: Request) -> dict[str, list[ServiceView]]:
    """The directory's services under each area they cover, by name."""
    found: dict[str, list[ServiceView]] = {}
    for service in directory.list_services(instance_of(request)):
        for area in service.areas:
            found.setdefault(area, []).append(service)
    return found


def _needs_page(
    request: Request, who: Principal, person_id: str, code: int = 200, **refused: Any
) -> Response:
    """The needs page; ``refused`` holds the refused form's ``problems`` and ``typed``, by form ID."""
    inst = instance_of(request)
    person = people.show(inst, person_id)
    may_document = may(request, who, Action.DOCUMENT, kind="person", record_id=person_id)
    shown = {"person_id": person_id, "label": person.label, "labels": term_labels(request),
             "needs": referrals.needs_for_person(inst, person_id), "may_document": may_document,
             "terms": _terms(request), "services": _by_area(request) if may_document else {},
             "problems": {}, "typed": {}}  # fmt: skip
    return render(request, "needs.html", code, **(shown | refused))


def _refused(
    request: Request,
    who: Principal,
    person_id: str,
    exc: TestamentError,
    *,
    form_id: str,
    form: NeedForm | ReferForm | ReferralForm | None = None,
) -> Response:
    """The needs page again, 422, with ``form_id`` showing what was typed and why it was refused."""
    fields = form.fields() if form is not None else {}
    typed = form.model_dump() if form is not None else {}
    return _needs_page(request, who, person_id, 422, problems={form_id: refusal(exc, fields)},
                       typed={form_id: typed})  # fmt: skip


def _person_for(request: Request, who: Principal, kind: str, record_id: str) -> str:
    """The person a need or a referral belongs to, once ``who`` may document them; another case's ID
    answers as absent."""
    inst = instance_of(request)
    person_id = referrals.person_of(inst, kind, record_id)
    try:
        allow(inst, who, Action.DOCUMENT, kind="person", record_id=person_id)
    except NotFound:
        raise NotFound(f"no {kind.replace('_', ' ')} has this ID", where=record_id) from None
    return person_id


def _services_page(request: Request, who: Principal, code: int = 200, **context: Any) -> Response:
    """The directory; ``found`` (every service unless given) is what the filters left."""
    every = directory.list_services(instance_of(request))
    shown = {"found": every, "regions": sorted({s.region for s in every}, key=str.casefold),
             "terms": _terms(request), "labels": term_labels(request), "area": "", "region": "",
             "back": "", "may_add": may(request, who, Action.DOCUMENT), "problem": None,
             "values": ServiceForm().values()}  # fmt: skip
    return render(request, "services.html", code, **(shown | context))


def routes(site: FastAPI) -> None:
    _need_routes(site)
    _referral_routes(site)
    _directory_routes(site)


def _need_routes(site: FastAPI) -> None:
    @site.get("/people/{person_id}/needs", include_in_schema=False)
    def needs_page(request: Request, person_id: str, who: Viewer) -> Response:
        allow(instance_of(request), who, Action.READ, kind="person", record_id=person_id)
        return _needs_page(request, who, person_id)

    @site.post("/people/{person_id}/needs", include_in_schema=False)
    def add_need(
        request: Request, person_id: str, who: Viewer, form: Annotated[NeedForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.DOCUMENT, kind="person", record_id=person_id)
        try:
            referrals.assess_needs(inst, person_id, [form.need()])
        except REFUSED as exc:
            return _refused(request, who, person_id, exc, form_id=NEW_NEED, form=form)
        return go(request, _needs_url(person_id))

    @site.post("/needs/{need_id}/addressed", include_in_schema=False)
    def addressed(request: Request, need_id: str, who: Viewer) -> Response:
        person_id = _person_for(request, who, "support_need", need_id)
        try:
            referrals.mark_addressed(instance_of(request), need_id)
        except REFUSED as exc:
            return _refused(request, who, person_id, exc, form_id=f"addressed-{need_id}")
        return go(request, _needs_url(person_id))


def _referral_routes(site: FastAPI) -> None:
    @site.post("/needs/{need_id}/referrals", include_in_schema=False)
    def refer(
        request: Request, need_id: str, who: Viewer, form: Annotated[ReferForm, Form()]
    ) -> Response:
        person_id = _person_for(request, who, "support_need", need_id)
        try:
            referrals.refer(instance_of(request), need_id, **form.arguments())
        except REFUSED as exc:
            return _refused(request, who, person_id, exc, form_id=f"refer-{need_id}", form=form)
        return go(request, _needs_url(person_id))

    @site.post("/referrals/{referral_id}", include_in_schema=False)
    def update_referral(
        request: Request, referral_id: str, who: Viewer, form: Annotated[ReferralForm, Form()]
    ) -> Response:
        person_id = _person_for(request, who, "referral", referral_id)
        try:
            referrals.update_referral(instance_of(request), referral_id, **form.changes())
        except REFUSED as exc:
            return _refused(
                request, who, person_id, exc, form_id=f"referral-{referral_id}", form=form
            )
        return go(request, _needs_url(person_id))


def _directory_routes(site: FastAPI) -> None:
    @site.get("/services", include_in_schema=False)
    def services_page(
        request: Request,
        who: Viewer,
        area: Annotated[str, Query(max_length=64)] = "",
        region: Annotated[str, Query(max_length=500)] = "",
        back: Annotated[str, Query(max_length=100)] = "",
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ)
        if area not in vocabulary.codes(directory.AREAS):
            area = ""
        found = directory.list_services(inst, area=area or None, region=region or None)
        return _services_page(request, who, found=found, area=area, region=region,
                              back=back_to(back))  # fmt: skip

    @site.post("/services", include_in_schema=False)
    def add_service(
        request: Request, who: Viewer, form: Annotated[ServiceForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.DOCUMENT)
        back = back_to(form.back)
        try:
            directory.add_service(inst, form.name, form.areas, form.region, form.contact,
                                  languages=form.language_codes())  # fmt: skip
        except REFUSED as exc:
            return _services_page(request, who, 422, values=form.values(), back=back,
                                  problem=refusal(exc, form.fields()))  # fmt: skip
        return go(request, back or "/services")
