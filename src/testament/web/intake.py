"""The guided intake: meeting a survivor or witness, step by step, in plain words (docs/survivors.md).

1. ``/cases/{case}/intake``: who the documenter is meeting. The re-interview registry runs first (MC-04,
   CSO-04): a match is shown by label, case, interview dates, interviewers and consent codes, never a
   name, and the person is recorded only once the documenter says it is someone else or why a new
   interview is needed. That reason travels with the intake (``why``) to the interview's form.
2. ``/people/{id}/intake``: the step list, with the state of each step for this person. Readers may see
   it; the steps' forms are for documenters.
3. ``…/intake/risk``, ``…/intake/consent``, ``…/intake/interview``: the risk assessment, one consent
   grant at a time, and the interview, through the same services and policy door as the API. The
   interview stays closed until the latest risk assessment says ``proceed`` and a grant is live, and the
   testimony service refuses it anyway; a refusal comes back on the form with every unmet reason.
4. Needs and referrals are ``web/support.py``'s page.

Nothing typed here is logged: the services record custody events by ID only.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import Response

from testament.documentation import evidence, people
from testament.domain import consent as consent_rules
from testament.domain import interview as rules
from testament.domain.access import Action
from testament.errors import ConsentRequired, InvalidInput, NotFound, PermissionDenied
from testament.http.auth import Principal
from testament.http.guard import allow
from testament.survivors import consent, identity, intake, registry, testimony
from testament.survivors.results import Term
from testament.web import i18n
from testament.web.intake_forms import ConsentForm, InterviewForm, PersonForm, RiskForm, refusal
from testament.web.pages import Viewer, instance_of, render
from testament.web.records import go, may

Why = Annotated[str, Query(max_length=2000)]
PEOPLE_SHOWN = 200  # people of the case offered to continue with
ITEMS_SHOWN = 200  # the case's newest evidence items offered as the interview's recording
VOCABULARIES = {
    "flags": "vulnerability-flags", "decisions": "risk-decisions",
    "purposes": "consent-purposes", "recipients": "recipient-classes",
    "scopes": "data-scopes", "sources": "knowledge-sources",
}  # fmt: skip


def _steps_url(person_id: str, why: str = "") -> str:
    return f"/people/{person_id}/intake" + (f"?why={quote(why)}" if why.strip() else "")


def _terms(request: Request) -> dict[str, list[Term]]:
    lang = i18n.language(request)
    return {key: intake.choices(name, lang) for key, name in VOCABULARIES.items()}


def _matches(request: Request, found: identity.Identity) -> list[dict[str, Any]]:
    """Everyone in the vault who is probably this person, under any of their spellings; best first."""
    return [m.as_json() for m in registry.match(instance_of(request), found)]


def _person_page(request: Request, case_name: str, code: int = 200, **context: Any) -> Response:
    known = people.list_for_case(instance_of(request), case_name, limit=PEOPLE_SHOWN)
    base: dict[str, Any] = {"values": PersonForm().model_dump(), "problem": None, "matches": []}
    return render(request, "intake_person.html", code, case_name=case_name, people=known,
                  **(base | context))  # fmt: skip


def _step_page(
    request: Request, template: str, person_id: str, why: str, code: int = 200, **context: Any
) -> Response:
    shown = {"progress": intake.progress(instance_of(request), person_id), "why": why,
             "terms": _terms(request), "problem": None}  # fmt: skip
    return render(request, template, code, **(shown | context))


def _spoken(request: Request) -> str:
    """The language a conversation is first offered in: the page's, Ukrainian on an English page."""
    lang = i18n.language(request)
    return "uk" if lang == i18n.DEFAULT else lang


def _interview_page(
    request: Request, who: Principal, person_id: str, why: str, code: int = 200, **context: Any
) -> Response:
    inst = instance_of(request)
    found = intake.progress(inst, person_id)
    matches = intake.earlier_accounts(inst, person_id)
    items = evidence.list_for_case(inst, found.case, limit=ITEMS_SHOWN)
    blank = InterviewForm(interviewer=who.username or "", reinterview_justification=why,
                          language=_spoken(request))  # fmt: skip
    shown = {"progress": found, "why": why, "terms": _terms(request), "problem": None,
             "values": blank.values(), "matches": [m.as_json() for m in matches],
             "earlier_dates": found.earlier_dates(matches), "items": items,
             "child": rules.CHILD in found.flags}  # fmt: skip
    return render(request, "intake_interview.html", code, **(shown | context))


def routes(site: FastAPI) -> None:
    _person_routes(site)
    _risk_routes(site)
    _consent_routes(site)
    _interview_routes(site)


def _person_routes(site: FastAPI) -> None:
    @site.get("/cases/{case_name}/intake", include_in_schema=False)
    def start(request: Request, case_name: str, who: Viewer) -> Response:
        allow(instance_of(request), who, Action.DOCUMENT, case=case_name)
        return _person_page(request, case_name)

    @site.post("/cases/{case_name}/intake", include_in_schema=False)
    def record_person(
        request: Request, case_name: str, who: Viewer, form: Annotated[PersonForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.DOCUMENT, case=case_name)
        values = form.model_dump()
        try:
            found = form.person()
            matches = _matches(request, found)
        except InvalidInput as exc:
            return _person_page(request, case_name, 422, values=values, problem=refusal(exc))
        if matches and not form.goes_on():
            return _person_page(request, case_name, 409, values=values, matches=matches)
        person_id, _label = identity.add_person(inst, case_name, found)
        return go(request, _steps_url(person_id, form.justification))

    @site.get("/people/{person_id}/intake", include_in_schema=False)
    def steps(request: Request, person_id: str, who: Viewer, why: Why = "") -> Response:
        allow(instance_of(request), who, Action.READ, kind="person", record_id=person_id)
        may_document = may(request, who, Action.DOCUMENT, kind="person", record_id=person_id)
        return _step_page(request, "intake.html", person_id, why, may_document=may_document)


def _risk_routes(site: FastAPI) -> None:
    @site.get("/people/{person_id}/intake/risk", include_in_schema=False)
    def risk_form(request: Request, person_id: str, who: Viewer, why: Why = "") -> Response:
        allow(instance_of(request), who, Action.DOCUMENT, kind="person", record_id=person_id)
        return _step_page(request, "intake_risk.html", person_id, why,
                          values=RiskForm().values(),
                          may_override=_may_override(request, who, person_id))  # fmt: skip

    @site.post("/people/{person_id}/intake/risk", include_in_schema=False)
    def assess(
        request: Request, person_id: str, who: Viewer, form: Annotated[RiskForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.DOCUMENT, kind="person", record_id=person_id)
        override = form.override_reason.strip()
        if override:  # a supervisor's override is a coordinator's (CSO-03)
            allow(inst, who, Action.MANAGE_CASE, kind="person", record_id=person_id)
        try:
            testimony.assess_risk(inst, person_id, flags=form.flags,
                                  risks_person=form.risks_person, risks_family=form.risks_family,
                                  risks_staff=form.risks_staff, decision=form.decision or None,
                                  override_reason=override or None)  # fmt: skip
        except InvalidInput as exc:
            return _step_page(request, "intake_risk.html", person_id, form.why, 422,
                              values=form.values(), problem=refusal(exc),
                              may_override=_may_override(request, who, person_id))  # fmt: skip
        return go(request, _steps_url(person_id, form.why))


def _consent_routes(site: FastAPI) -> None:
    @site.get("/people/{person_id}/intake/consent", include_in_schema=False)
    def consent_form(request: Request, person_id: str, who: Viewer, why: Why = "") -> Response:
        allow(instance_of(request), who, Action.DOCUMENT, kind="person", record_id=person_id)
        blank = ConsentForm(language=_spoken(request))
        return _step_page(request, "intake_consent.html", person_id, why, values=blank.values(),
                          modes=consent_rules.MODES,
                          levels=consent_rules.IDENTIFIABILITY)  # fmt: skip

    @site.post("/people/{person_id}/intake/consent", include_in_schema=False)
    def grant(
        request: Request, person_id: str, who: Viewer, form: Annotated[ConsentForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.DOCUMENT, kind="person", record_id=person_id)
        try:
            consent.grant(inst, person_id, form.grant())
        except (InvalidInput, ConsentRequired) as exc:
            return _step_page(request, "intake_consent.html", person_id, form.why, 422,
                              values=form.values(), problem=refusal(exc),
                              modes=consent_rules.MODES,
                              levels=consent_rules.IDENTIFIABILITY)  # fmt: skip
        return go(request, _steps_url(person_id, form.why))


def _interview_routes(site: FastAPI) -> None:
    @site.get("/people/{person_id}/intake/interview", include_in_schema=False)
    def interview_form(request: Request, person_id: str, who: Viewer, why: Why = "") -> Response:
        allow(instance_of(request), who, Action.DOCUMENT, kind="person", record_id=person_id)
        return _interview_page(request, who, person_id, why)

    @site.post("/people/{person_id}/intake/interview", include_in_schema=False)
    def interview(
        request: Request, person_id: str, who: Viewer, form: Annotated[InterviewForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.DOCUMENT, kind="person", record_id=person_id)
        latest = intake.progress(inst, person_id).assessment
        try:  # the service refuses an interview whose steps are not done, naming each
            arguments = form.record_arguments(latest.id if latest else "")
            arguments["interviewer"] = arguments["interviewer"].strip() or who.username or ""
            testimony.record(inst, person_id, **arguments)
        except (InvalidInput, ConsentRequired, PermissionDenied, NotFound) as exc:
            return _interview_page(request, who, person_id, form.why, 422,
                                   values=form.values(), problem=refusal(exc))  # fmt: skip
        return go(request, _steps_url(person_id))


def _may_override(request: Request, who: Principal, person_id: str) -> bool:
    return may(request, who, Action.MANAGE_CASE, kind="person", record_id=person_id)
