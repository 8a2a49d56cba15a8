"""Legal qualification in the browser: an incident's qualifications, their element links and the
suggestions on the incident page (``_legal.html``), and the case's proof chart (``chart.html``).

Every form posts to the use cases of :mod:`testament.documentation.legal`, which hold the policy; each
route asks the analyst role first, so a reader is refused before anything is checked or written. A
refused form comes back on a page of its own (``legal.html``: the incident's title and this part of its
page) with the reason on the form that was sent and what was typed still in it; with htmx the part is
swapped in place. Nothing is half-written: each use case is one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import Response

from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import evidence, incidents, legal, proof_chart
from testament.documentation.legal import ElementLinkView, Suggestion
from testament.documentation.record_views import IncidentView, Qualification
from testament.documentation.results import ChartCitation
from testament.domain import text
from testament.domain.access import Action
from testament.errors import Conflict, InvalidInput, NotFound
from testament.http.auth import Principal
from testament.http.guard import allow
from testament.review import reading, states
from testament.web import i18n, records
from testament.web.pages import Viewer, instance_of, render

# The families of the taxonomy in the order the select shows them (each its article of the Statute).
FAMILIES = ("CAH", "WC")
# Incidents named by their titles on the proof chart; past this many, by their short IDs.
TITLED_INCIDENTS = 200
REFUSED = (InvalidInput, Conflict, NotFound)
Note = Annotated[str, Form(max_length=text.LONG_CHARS)]
Code = Annotated[str, Form(max_length=64)]
Access = Annotated[int | None, Form(ge=0, le=2**62)]


@dataclass(frozen=True)
class CrimeChoice:
    code: str
    articles: str  # "7(1)(a)", or "8(2)(b)(i) (IAC) / 8(2)(e)(i) (NIAC)"
    label: dict[str, str]


@dataclass(frozen=True)
class CrimeGroup:
    family: str
    crimes: tuple[CrimeChoice, ...]


@dataclass(frozen=True)
class QualificationShown:
    """A qualification as the incident page shows it: its crime, elements and element links."""

    id: str
    code: str
    label: dict[str, str]
    articles: str
    note: str
    elements: tuple[tuple[str, str, str], ...]  # (id, type, English text)
    links: tuple[ElementLinkView, ...]


@dataclass(frozen=True)
class LegalPanel:
    """What ``_legal.html`` shows: for readers the qualifications; for analysts the forms too."""

    case_name: str
    qualifications: tuple[QualificationShown, ...]
    may_analyse: bool
    items: dict[str, str]  # the incident's evidence items, ID → shown name
    groups: tuple[CrimeGroup, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    problem: dict[str, Any] | None = None
    form: str = ""  # the ID of the refused form
    typed: dict[str, str] = field(default_factory=dict)

    @property
    def placed(self) -> bool:
        """Whether the refused form is on the page (else its reason is shown above the section)."""
        forms = {"legal-qualify"} | {f"legal-links-{q.id}" for q in self.qualifications}
        forms |= {f"legal-withdraw-{q.id}" for q in self.qualifications}
        forms |= {f"legal-link-{q.id}" for q in self.qualifications if self.items}
        forms |= {
            f"legal-{what}-{s.code}" for s in self.suggestions for what in ("suggestion", "reject")
        }
        return self.may_analyse and self.form in forms


def _articles(articles: dict[str, str]) -> str:
    if set(articles) == {"any"}:
        return articles["any"]
    return " / ".join(f"{article} ({regime})" for regime, article in sorted(articles.items()))


def crime_groups() -> tuple[CrimeGroup, ...]:
    """The taxonomy's crimes for the select, grouped by family (Art. 7, Art. 8), in taxonomy order."""
    found: dict[str, list[CrimeChoice]] = {}
    for crime in legal.crimes():
        choice = CrimeChoice(crime.code, _articles(crime.articles), crime.label)
        found.setdefault(crime.family, []).append(choice)
    order = [f for f in FAMILIES if f in found] + sorted(set(found) - set(FAMILIES))
    return tuple(CrimeGroup(family, tuple(found[family])) for family in order)


def _case_name(request: Request, case_id: str) -> str:
    named = {c.id: c.name for c in cases.list_cases(instance_of(request))}
    return named.get(case_id, case_id)


def _shown(qualification: Qualification, links: list[ElementLinkView]) -> QualificationShown:
    detail = legal.crime_detail(qualification.crime_code)
    return QualificationShown(
        id=qualification.id,
        code=detail.code,
        label=detail.label,
        articles=_articles(detail.articles),
        note=qualification.note,
        elements=tuple((e.id, e.type, e.text) for e in detail.elements),
        links=tuple(link for link in links if link.crime_code == detail.code),
    )


def panel(request: Request, who: Principal, incident: IncidentView, **refusal: Any) -> LegalPanel:
    """The incident's legal part; ``refusal`` (problem, form, typed) puts a reason on a form."""
    inst = instance_of(request)
    links = legal.element_links(inst, incident.id)
    shown = tuple(_shown(q, links) for q in incident.qualifications)
    items = {link.item_id: link.shown_name or link.item_id for link in incident.evidence}
    case_name = _case_name(request, incident.case_id)
    if not records.may(request, who, Action.ANALYSE, kind="incident", record_id=incident.id):
        return LegalPanel(case_name, shown, False, items)
    offered = tuple(
        s for s in legal.suggest(inst, incident.id) if not s.qualified and not s.rejected
    )
    return LegalPanel(case_name, shown, True, items, crime_groups(), offered, **refusal)


def _back(request: Request, incident_id: str, access: int | None) -> Response:
    """Back to the incident page, at this section. With htmx, to the page itself: a redirect that only
    changes the fragment would not reload it."""
    target = f"/incidents/{incident_id}" + (f"?access={access}" if access is not None else "")
    htmx = request.headers.get("hx-request") == "true"
    return records.go(request, target if htmx else target + "#legal")


def _refused(
    request: Request, who: Principal, incident_id: str, access: int | None, *, form: str,
    exc: InvalidInput | Conflict | NotFound, typed: dict[str, str],
) -> Response:  # fmt: skip
    """The incident's legal part on a page of its own, with the reason on the refused form."""
    incident = incidents.show(instance_of(request), incident_id)
    if incident.sensitivity and not records.viewing(request, "incident", incident_id, access):
        raise exc  # the reason alone, on the error page: the incident stays behind its purpose
    problem = {"message": exc.what, "hint": exc.hint}
    shown = panel(request, who, incident, problem=problem, form=form, typed=typed)
    return render(request, "legal.html", 409 if isinstance(exc, Conflict) else 422,
                  incident=incident, access=access if incident.sensitivity else None,
                  legal=shown)  # fmt: skip


def routes(site: FastAPI) -> None:
    _qualification_routes(site)
    _link_routes(site)
    _chart_routes(site)


def _qualification_routes(site: FastAPI) -> None:
    @site.post("/incidents/{incident_id}/qualifications", include_in_schema=False)
    def qualify(  # noqa: PLR0917 - the form's fields
        request: Request, incident_id: str, who: Viewer, crime_code: Code = "", note: Note = "",
        access: Access = None, form: Code = "legal-qualify",
    ) -> Response:  # fmt: skip
        inst = instance_of(request)
        allow(inst, who, Action.ANALYSE, kind="incident", record_id=incident_id)
        try:
            legal.qualify(inst, incident_id, crime_code, note)
        except REFUSED as exc:
            typed = {"crime_code": crime_code, "note": note}
            where = form if form.startswith("legal-") else "legal-qualify"
            return _refused(request, who, incident_id, access, form=where, exc=exc, typed=typed)
        return _back(request, incident_id, access)

    @site.post("/incidents/{incident_id}/suggestions/reject", include_in_schema=False)
    def reject(  # noqa: PLR0917 - the form's fields
        request: Request, incident_id: str, who: Viewer, crime_code: Code = "", note: Note = "",
        access: Access = None,
    ) -> Response:  # fmt: skip
        inst = instance_of(request)
        allow(inst, who, Action.ANALYSE, kind="incident", record_id=incident_id)
        try:
            legal.reject_suggestion(inst, incident_id, crime_code, note)
        except REFUSED as exc:
            return _refused(request, who, incident_id, access, form=f"legal-reject-{crime_code}",
                            exc=exc, typed={"note": note})  # fmt: skip
        return _back(request, incident_id, access)

    @site.post(
        "/incidents/{incident_id}/qualifications/{qualification_id}/withdraw",
        include_in_schema=False,
    )
    def withdraw(  # noqa: PLR0917 - the form's fields
        request: Request, incident_id: str, qualification_id: str, who: Viewer,
        reason: Note = "", access: Access = None,
    ) -> Response:  # fmt: skip
        inst = instance_of(request)
        allow(inst, who, Action.ANALYSE, kind="incident", record_id=incident_id)
        try:
            legal.withdraw_qualification(inst, qualification_id, reason=reason)
        except REFUSED as exc:
            return _refused(request, who, incident_id, access,
                            form=f"legal-withdraw-{qualification_id}", exc=exc,
                            typed={"reason": reason})  # fmt: skip
        return _back(request, incident_id, access)


def _link_routes(site: FastAPI) -> None:
    @site.post("/incidents/{incident_id}/element-links", include_in_schema=False)
    def link(  # noqa: PLR0917 - the form's fields
        request: Request, incident_id: str, who: Viewer, qualification_id: Code = "",
        crime_code: Code = "", element_id: Code = "", item_id: Code = "", stance: Code = "",
        confidence: Code = "medium", note: Note = "", access: Access = None,
    ) -> Response:  # fmt: skip
        inst = instance_of(request)
        allow(inst, who, Action.ANALYSE, kind="incident", record_id=incident_id)
        typed = {"element_id": element_id, "item_id": item_id, "stance": stance,
                 "confidence": confidence, "note": note}  # fmt: skip
        try:
            _linked_item(inst, incident_id, item_id)
            legal.link_element(inst, item_id, incident_id, crime_code, element_id,
                               stance=stance, confidence=confidence, note=note)  # fmt: skip
        except REFUSED as exc:
            return _refused(request, who, incident_id, access,
                            form=f"legal-link-{qualification_id}", exc=exc, typed=typed)  # fmt: skip
        return _back(request, incident_id, access)

    @site.post("/incidents/{incident_id}/element-links/{link_id}/unlink", include_in_schema=False)
    def unlink(  # noqa: PLR0917 - the form's fields
        request: Request, incident_id: str, link_id: str, who: Viewer,
        qualification_id: Code = "", access: Access = None,
    ) -> Response:  # fmt: skip
        inst = instance_of(request)
        allow(inst, who, Action.ANALYSE, kind="incident", record_id=incident_id)
        try:
            legal.unlink_element(inst, link_id)
        except REFUSED as exc:
            return _refused(request, who, incident_id, access,
                            form=f"legal-links-{qualification_id}", exc=exc, typed={})  # fmt: skip
        return _back(request, incident_id, access)


def _linked_item(inst: Instance, incident_id: str, item_id: str) -> None:
    """The page links to an element only the evidence linked to the incident (the form offers no other)."""
    if item_id not in {link.item_id for link in incidents.show(inst, incident_id).evidence}:
        raise InvalidInput(
            "this evidence item is not linked to the incident",
            where="item_id",
            hint="link the item to the incident first, under Evidence; an item of another case "
            "cannot be linked to it",
        )


def _chart_routes(site: FastAPI) -> None:
    @site.get("/cases/{case_name}/proof-chart", include_in_schema=False)
    def chart_page(request: Request, case_name: str, who: Viewer) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.READ, case=case_name)
        proof = proof_chart.chart(inst, case_name)
        chart = proof_chart.view(proof)
        cited = proof_chart.citations(proof)
        items = sorted({c.item_id for found in cited.values() for c in found})
        return render(request, "chart.html", case_name=case_name, chart=chart, cited=cited,
                      item_names={n.id: n.shown_name for n in evidence.names(inst, items)},
                      incident_titles=_titles(inst, cited), reviewed=_reviewed(inst, items, i18n.language(request)))  # fmt: skip


def _reviewed(inst: Instance, items: list[str], lang: str) -> dict[str, tuple[str, bool]]:
    """Each cited item's review state, with its label, and whether a second person verified it: the
    chart updates as reviewers work (docs/review.md)."""
    shown = {state.code: state for state in states.states(inst)}
    return {
        s.target_id: (shown[s.state].label(lang) if s.state in shown else s.state,
                      s.second_person)
        for s in reading.states_of(inst, [("item", item) for item in items])
    }  # fmt: skip


def _titles(
    inst: Instance, cited: dict[tuple[str, str], tuple[ChartCitation, ...]]
) -> dict[str, str]:
    """The titles of the incidents the chart cites (the first :data:`TITLED_INCIDENTS` of them)."""
    ids = sorted({c.incident_id for found in cited.values() for c in found})
    return {i: incidents.show(inst, i).title for i in ids[:TITLED_INCIDENTS]}
