"""Units on the pages: the list of units, and a unit's page with where it was and when.

``/units`` lists the units every case shares; ``/units/{unit}`` (an ID, a name or an alias) shows one:
its name, kind, country, parent, aliases and commanders, its placements as a table and as a timeline,
and a link to the unit linkage analysis in each case the reader may read. A documenter of any case adds
a placement there (an area of the gazetteer, or a point with a radius, over a period) and removes one,
saying why. The forms post through the same use cases as the CLI and the API, which ask the policy
themselves; a refusal comes back on its form, 422, with the reason next to the field.

The list shows the units as a tree of parents and sub-units, and a unit's page its ancestors as a trail,
its placements on an offline map (``static/unit-map.js``: the gazetteer's outline of each area, or a
circle of the radius around a point), its commanders over time, the incidents it was involved in, and
every version with its log entry. A documenter records a unit (``/units/new``), edits one from the
version the form was opened at (409 when someone saved first), adds an alias in any script, a commander
over a period, and an involvement in an incident (``web/unit_forms.py`` holds the forms).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from testament.custody import cases
from testament.documentation import gazetteer, incidents, placements, units
from testament.documentation.record_views import Placement
from testament.domain import text
from testament.domain.access import Action
from testament.errors import NotFound, TestamentError
from testament.http.auth import Principal
from testament.http.guard import allow, visible_cases
from testament.taxonomy import vocabulary
from testament.web import unit_forms
from testament.web.pages import Viewer, instance_of, render
from testament.web.record_forms import REFUSED, alias_field, changes, status_of
from testament.web.record_forms import refused as record_refusal
from testament.web.records import go, may
from testament.web.support_forms import refusal

AREA_CHOICES = 2000  # areas the placement form suggests (the use case takes any name or code)
NEW_PLACEMENT = "placement-form"
ALIAS = "alias-form"
COMMANDER = "commander-form"
INVOLVE = "involvement-form"
# The options the use cases name in a refusal, as the form's fields.
FIELDS = {
    "--area": "area",
    "--area, --at": "area",
    "--at": "latitude",
    "--radius-m": "radius_m",
    "--from": "from_date",
    "--to": "to_date",
    "--note": "note",
    "--source": "source_text",
    "--reason": "reason",
}


class PlacementForm(BaseModel):
    """A placement as typed: an area, or a point and a radius, over a period. The use case checks it;
    this only bounds its size."""

    area: str = Field(default="", max_length=text.LINE_CHARS)
    latitude: str = Field(default="", max_length=40)
    longitude: str = Field(default="", max_length=40)
    radius_m: str = Field(default="", max_length=40)
    from_date: str = Field(default="", max_length=100)
    to_date: str = Field(default="", max_length=100)
    note: str = Field(default="", max_length=text.LONG_CHARS)
    source_text: str = Field(default="", max_length=text.LINE_CHARS)

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments of ``placements.place`` after the unit."""
        typed = {k: v.strip() for k, v in self.model_dump().items()}
        return typed | {"area": typed["area"] or None}

    def fields(self) -> dict[str, str]:
        """The refusal's keys as fields: an unknown area names itself, a reversed period its ends."""
        return FIELDS | {
            self.area.strip(): "area",
            f"{self.from_date.strip()} – {self.to_date.strip()}": "to_date",
        }


@dataclass(frozen=True)
class Bar:
    """One placement on the timeline, in hundredths of its width; an unknown end runs to the edge."""

    placement: Placement
    start: float
    width: float
    open_start: bool
    open_end: bool


def timeline(found: list[Placement]) -> tuple[list[Bar], str, str]:
    """The placements as bars between the first and the last day any of them names (with the first
    and the last day); nothing to draw when no placement has a date."""
    days = sorted(
        date.fromisoformat(d) for p in found for d in (p.from_date, p.to_date) if d is not None
    )
    if not days:
        return [], "", ""
    first, last = days[0], days[-1]
    span = max((last - first).days + 1, 1)

    def at(day: str | None, default: float) -> float:
        return default if day is None else (date.fromisoformat(day) - first).days / span * 100

    bars = []
    for p in found:
        start = at(p.from_date, 0.0)
        end = at(p.to_date, 100.0 - 100 / span) + 100 / span  # the last day is a whole day
        bars.append(Bar(p, start, max(end - start, 0.5), p.from_date is None, p.to_date is None))
    return bars, first.isoformat(), last.isoformat()


def _refusal(exc: TestamentError, fields: dict[str, str]) -> dict[str, Any]:
    """A refusal as the form shows it; a hint written for the command line (``--at``) is left out."""
    shown = refusal(exc, fields)
    if shown["hint"] and "--" in shown["hint"]:
        shown["hint"] = None
    return shown


def _linkage(request: Request, who: Principal, unit_id: str) -> list[tuple[str, str]]:
    """Each case the reader may read, with its unit linkage page for this unit."""
    inst = instance_of(request)
    visible = visible_cases(inst, who)
    return [
        (c.name, f"/cases/{quote(c.name, safe='')}/analyses/units?unit={quote(unit_id, safe='')}")
        for c in cases.list_cases(inst)
        if visible is None or c.id in visible
    ]


def _unit_page(
    request: Request, who: Principal, ref: str, code: int = 200, **refused: Any
) -> Response:
    """The unit's page; ``refused`` holds a refused form's ``problems`` and ``typed``, by form ID."""
    inst = instance_of(request)
    unit = units.show(inst, ref)
    found = placements.placements(inst, unit.id)
    bars, first, last = timeline(found)
    may_document = may(request, who, Action.DOCUMENT)
    areas = gazetteer.areas(inst)[:AREA_CHOICES] if may_document else []
    shown = {"unit": unit, "placements": found, "bars": bars, "first": first, "last": last,
             "linkage": _linkage(request, who, unit.id), "may_document": may_document,
             "areas": areas, "problems": {}, "typed": {},
             "trail": unit_forms.ancestors(inst, unit.parent),
             "map_data": unit_forms.map_data(found), "tile_url": request.app.state.tile_url,
             "titles": _titles(request, [i.incident_id for i in unit.incidents]),
             "scripts": unit_forms.SCRIPTS,
             "degrees": sorted(vocabulary.codes("degrees-of-involvement")),
             "history": changes(units.versions(inst, unit.id))}  # fmt: skip
    return render(request, "unit.html", code, **(shown | refused))


def _titles(request: Request, incident_ids: list[str]) -> dict[str, str]:
    """The titles of the incidents a unit was involved in (those the reader may read are listed)."""
    titles = {}
    for incident_id in dict.fromkeys(incident_ids):
        try:
            titles[incident_id] = incidents.show(instance_of(request), incident_id).title
        except TestamentError:
            titles[incident_id] = incident_id
    return titles


def _unit_url(unit_id: str) -> str:
    return f"/units/{quote(unit_id, safe='')}"


def _unit_form(
    request: Request, unit_id: str | None, values: dict[str, Any], version: int | None, *,
    code: int = 200, problem: dict[str, Any] | None = None,
) -> Response:  # fmt: skip
    names = [u.name for u in units.list_units(instance_of(request), limit=AREA_CHOICES)]
    return render(request, "unit_form.html", code, unit_id=unit_id, values=values,
                  expected_version=version, problem=problem, unit_names=names)  # fmt: skip


def routes(site: FastAPI) -> None:
    _form_routes(site)  # /units/new before /units/{unit}
    _page_routes(site)
    _placement_routes(site)
    _record_routes(site)


def _page_routes(site: FastAPI) -> None:
    @site.get("/units", include_in_schema=False)
    def units_page(request: Request, who: Viewer) -> Response:
        found = units.list_units(instance_of(request), limit=unit_forms.TREE + 1)
        return render(request, "units.html", tree=unit_forms.tree(found[: unit_forms.TREE]),
                      more=len(found) > unit_forms.TREE,
                      may_document=may(request, who, Action.DOCUMENT))  # fmt: skip

    @site.get("/units/{unit}", include_in_schema=False)
    def unit_page(request: Request, unit: str, who: Viewer) -> Response:
        return _unit_page(request, who, unit)


def _form_routes(site: FastAPI) -> None:
    @site.get("/units/new", include_in_schema=False)
    def new_unit(
        request: Request, who: Viewer, parent: Annotated[str, Query(max_length=500)] = ""
    ) -> Response:
        allow(instance_of(request), who, Action.DOCUMENT)
        return _unit_form(request, None, {"parent": parent}, None)

    @site.post("/units", include_in_schema=False)
    def create_unit(
        request: Request, who: Viewer, form: Annotated[unit_forms.UnitForm, Form()]
    ) -> Response:
        values = form.values()
        try:
            new_id = units.create(instance_of(request), values.pop("name"), **values)
        except REFUSED as exc:
            return _unit_form(request, None, form.shown(), None, code=status_of(exc),
                              problem=_parent_refusal(exc, "name"))  # fmt: skip
        return go(request, _unit_url(new_id))

    @site.get("/units/{unit}/edit", include_in_schema=False)
    def edit_unit_page(request: Request, unit: str, who: Viewer) -> Response:
        inst = instance_of(request)
        allow(inst, who, Action.DOCUMENT)
        shown = units.show(inst, unit)
        values = {"name": shown.name, "parent": shown.parent.name if shown.parent else "",
                  "kind": shown.kind, "country": shown.country,
                  "description": shown.description}  # fmt: skip
        return _unit_form(request, shown.id, values, shown.version)

    @site.post("/units/{unit}/edit", include_in_schema=False)
    def edit_unit(
        request: Request, unit: str, who: Viewer, form: Annotated[unit_forms.UnitForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        unit_id = units.resolve(inst, unit)
        try:
            units.edit(inst, unit_id, form.values(), expected_version=form.expected_version)
        except REFUSED as exc:
            return _unit_form(request, unit_id, form.shown(), form.expected_version,
                              code=status_of(exc), problem=_parent_refusal(exc, "name"))  # fmt: skip
        return go(request, _unit_url(unit_id))


def _parent_refusal(exc: TestamentError, default: str) -> dict[str, Any]:
    """A refused unit: a parent not found, ambiguous or making a loop is about the parent field."""
    about_parent = "ancestor" in exc.what or "unit" in exc.what
    return record_refusal(exc, "parent" if about_parent else default)


def _refused_on(
    request: Request, who: Principal, unit_id: str, form_id: str, *, exc: TestamentError,
    problem: dict[str, Any], typed: dict[str, Any],
) -> Response:  # fmt: skip
    return _unit_page(request, who, unit_id, status_of(exc), problems={form_id: problem},
                      typed={form_id: typed})  # fmt: skip


def _record_routes(site: FastAPI) -> None:
    @site.post("/units/{unit}/aliases", include_in_schema=False)
    def add_alias(
        request: Request, unit: str, who: Viewer, form: Annotated[unit_forms.AliasForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        unit_id = units.resolve(inst, unit)
        try:
            units.add_alias(inst, unit_id, form.alias_name, form.script, form.lang or None)
        except REFUSED as exc:
            problem = record_refusal(exc, alias_field(exc))
            return _refused_on(request, who, unit_id, ALIAS, exc=exc, problem=problem,
                               typed=form.model_dump())  # fmt: skip
        return go(request, _unit_url(unit_id))

    @site.post("/units/{unit}/commanders", include_in_schema=False)
    def add_commander(
        request: Request, unit: str, who: Viewer, form: Annotated[unit_forms.CommanderForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        unit_id = units.resolve(inst, unit)
        try:
            units.add_commander(inst, unit_id, **form.arguments())
        except REFUSED as exc:
            default = "person_id" if "person" in exc.what else "to_date"
            problem = record_refusal(exc, default)
            return _refused_on(request, who, unit_id, COMMANDER, exc=exc, problem=problem,
                               typed=form.model_dump())  # fmt: skip
        return go(request, _unit_url(unit_id))

    @site.post("/units/{unit}/involvements", include_in_schema=False)
    def involve(
        request: Request, unit: str, who: Viewer,
        form: Annotated[unit_forms.InvolvementForm, Form()],
    ) -> Response:  # fmt: skip
        inst = instance_of(request)
        unit_id = units.resolve(inst, unit)
        try:
            units.involve(inst, unit_id, form.incident_id, form.degree, form.note)
        except REFUSED as exc:
            problem = record_refusal(exc, "incident_id")
            return _refused_on(request, who, unit_id, INVOLVE, exc=exc, problem=problem,
                               typed=form.model_dump())  # fmt: skip
        return go(request, _unit_url(unit_id))


def _placement_routes(site: FastAPI) -> None:
    @site.post("/units/{unit}/placements", include_in_schema=False)
    def add_placement(
        request: Request, unit: str, who: Viewer, form: Annotated[PlacementForm, Form()]
    ) -> Response:
        inst = instance_of(request)
        unit_id = units.resolve(inst, unit)
        try:
            placements.place(inst, unit_id, **form.arguments())
        except REFUSED as exc:
            return _unit_page(request, who, unit_id, 422,
                              problems={NEW_PLACEMENT: _refusal(exc, form.fields())},
                              typed={NEW_PLACEMENT: form.model_dump()})  # fmt: skip
        return go(request, _unit_url(unit_id))

    @site.post("/units/{unit}/placements/{placement_id}/remove", include_in_schema=False)
    def remove_placement(
        request: Request,
        unit: str,
        placement_id: str,
        who: Viewer,
        reason: Annotated[str, Form(max_length=text.LONG_CHARS)] = "",
    ) -> Response:
        inst = instance_of(request)
        unit_id = units.resolve(inst, unit)
        if placement_id not in {p.id for p in placements.placements(inst, unit_id)}:
            raise NotFound("this unit has no placement with this ID", where=placement_id)
        form_id = f"remove-{placement_id}"
        try:
            placements.unplace(inst, placement_id, reason)
        except REFUSED as exc:
            return _unit_page(request, who, unit_id, 422,
                              problems={form_id: _refusal(exc, FIELDS)},
                              typed={form_id: {"reason": reason}})  # fmt: skip
        return go(request, _unit_url(unit_id))
