"""The patterns page of a case (``/cases/{case}/patterns``) or a situation
(``/situations/{situation}/patterns``): a map, a stacked timeline, small multiples by area, bars by
type or target and a network of units and places, with the incidents behind the chosen element listed
under them (docs/patterns.md, "The patterns page"; docs/web.md).

Every figure is an SVG drawn on the server (:mod:`testament.patterns.figures`) and shown in a frame:
its bars and nodes are links to this page with their selection, so a click (or Enter) narrows the list
with no script. Each figure also downloads as SVG and PNG, each table as CSV; the map's data is JSON.
The permission gate is the use cases': a case the reader may not read is answered as absent (404).
Bad parameters come back in the form, named, with 422.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from testament.custody.instance import Instance
from testament.documentation import gazetteer
from testament.errors import InvalidInput
from testament.patterns import figures, tables
from testament.patterns.load import Scope
from testament.patterns.results import Analysis
from testament.web import analyses, i18n
from testament.web import patterns_view as view
from testament.web.analyses import WORDS, download, namer
from testament.web.labels import N_
from testament.web.pages import Viewer, instance_of, render
from testament.web.patterns_view import Asked

FIGURES = ("timeline", "areas", "kinds", "network")
MEDIA = {"svg": "image/svg+xml", "png": "image/png"}
PIXELS_PER_INCH = 96  # CSS pixels: an SVG's size in points (72 an inch) shows at 96 pixels an inch
TITLES = {
    "month": N_("Incidents per month"),
    "week": N_("Incidents per week"),
    "day": N_("Incidents per day"),
    "areas": N_("Incidents by area"),
    "type": N_("Incidents by type"),
    "target": N_("Incidents by target"),
    "network": N_("Units and places"),
}
LISTED_COLUMNS = ("id", "external_id", "date_from", "date_to", "precision", "areas", "types",
                  "targets", "weapons", "latitude", "longitude")  # fmt: skip

Scoped = Callable[[str], Scope]
SCOPES: tuple[tuple[str, Scoped], ...] = (
    ("/cases/{name}", lambda name: Scope(case=name)),
    ("/situations/{name}", lambda name: Scope(situation=name)),
)


def routes(site: FastAPI) -> None:
    for prefix, scoped in SCOPES:
        _page_routes(site, prefix, scoped)
        _download_routes(site, prefix, scoped)
        analyses.routes(site, prefix, scoped)


def page_of(request: Request) -> str:
    """This page's own address, with no query (the figures' links point back at it)."""
    path = request.url.path
    return path[: path.index("/patterns") + len("/patterns")]


def _asked(request: Request) -> Asked:
    asked, problems = view.parse(dict(request.query_params))
    if problems:
        raise InvalidInput("the patterns cannot be shown with these parameters", errors=problems)
    return asked


def _page_routes(site: FastAPI, prefix: str, scoped: Scoped) -> None:
    @site.get(prefix + "/patterns", include_in_schema=False, name=f"patterns{prefix}")
    def patterns_page(request: Request, name: str, who: Viewer) -> Response:
        inst = instance_of(request)
        scope = scoped(name)
        asked, problems = view.parse(dict(request.query_params))
        page = page_of(request)
        context: dict[str, Any] = {
            "scope": scope, "scope_name": name, "asked": asked, "page": page,
            "root": page.removesuffix("/patterns"), "problem": None, "problems": problems,
            "analyses": [(key, spec.title) for key, spec in analyses.ANALYSES.items()],
        }  # fmt: skip
        if problems:
            context["problem"] = "the patterns cannot be shown with these parameters"
            return render(request, "patterns.html", 422, shown=None, **context)
        try:
            shown = _shown(inst, scope, asked)
        except InvalidInput as exc:
            context |= {"problem": exc.what, "problems": dict(exc.errors or {})}
            return render(request, "patterns.html", 422, shown=None, **context)
        # The map draws the areas of the situation (a case's own) and the shared ones.
        situation = scope.situation or gazetteer.situation_of(inst, case=scope.case)
        return render(request, "patterns.html", shown=shown, situation=situation, **context)

    @site.get(prefix + "/patterns/map.json", include_in_schema=False)
    def patterns_map(request: Request, name: str, who: Viewer) -> Response:
        inst, scope, asked = instance_of(request), scoped(name), _asked(request)
        extra = view.incidents(inst, scope, asked, limit=1).extra
        grouped = view.map_clusters(view.clusters(inst, scope, asked))
        return JSONResponse({"matched": extra["matched"], "areas": extra["areas"],
                             "points": extra.get("points", []),
                             "clusters": extra.get("clusters", []),
                             "spacetime": grouped})  # fmt: skip


def _shown(inst: Instance, scope: Scope, asked: Asked) -> dict[str, Any]:
    """Every analysis the page shows, from one use case reading the scope once, and the height of
    each figure's frame (a figure is drawn at exactly its size)."""
    shown: dict[str, Any] = dict(view.overview(inst, scope, asked))
    areas = len({row["area_code"] for row in shown["areas"].rows})
    inches = {"timeline": figures.TIMELINE, "areas": figures.multiples_size(areas),
              "kinds": figures.bars_size(len(shown["kinds"].rows)), "network": figures.NETWORK}  # fmt: skip
    shown["heights"] = {name: round(size[1] * PIXELS_PER_INCH) + 4 for name, size in inches.items()}
    return shown


def _download_routes(site: FastAPI, prefix: str, scoped: Scoped) -> None:
    @site.get(prefix + "/patterns/{figure}.svg", include_in_schema=False)
    def figure_svg(request: Request, name: str, figure: str, who: Viewer) -> Response:
        return _figure(request, scoped(name), figure, "svg")

    @site.get(prefix + "/patterns/{figure}.png", include_in_schema=False)
    def figure_png(request: Request, name: str, figure: str, who: Viewer) -> Response:
        return _figure(request, scoped(name), figure, "png")

    @site.get(prefix + "/patterns/{table}.csv", include_in_schema=False)
    def table_csv(request: Request, name: str, table: str, who: Viewer) -> Response:
        if table not in view.TABLES:
            raise InvalidInput(f"{table!r} is not a table of this page",
                               errors={"table": ", ".join(view.TABLES)})  # fmt: skip
        asked = _asked(request)
        found = view.TABLES[table](instance_of(request), scoped(name), asked)
        wanted = LISTED_COLUMNS if table == "incidents" else None
        return download(tables.csv_bytes(found.rows, wanted), "text/csv; charset=utf-8",
                        f"{table}.csv")  # fmt: skip


def _figure(request: Request, scope: Scope, figure: str, fmt: str) -> Response:
    if figure not in FIGURES:
        raise InvalidInput(f"{figure!r} is not a figure of this page",
                           errors={"figure": ", ".join(FIGURES)})  # fmt: skip
    asked = _asked(request)
    body = draw(instance_of(request), scope, asked, figure, fmt=fmt, lang=i18n.language(request),
                page=page_of(request))  # fmt: skip
    inline = request.query_params.get("download") != "1"
    return download(body, MEDIA[fmt], f"{figure}.{fmt}", inline=inline)


def draw(
    inst: Instance, scope: Scope, asked: Asked, figure: str, *, fmt: str, lang: str, page: str
) -> bytes:
    """One of the page's figures as SVG or PNG, in ``lang``, its elements linking to ``page``."""
    gettext = i18n.catalogue(lang).gettext
    link, name, axis = asked.link(page), namer(lang), gettext(WORDS["axis"])
    if figure == "timeline":
        found = view.timeline(inst, scope, asked)
        return figures.timeline(found.rows, period=asked.period, stack=asked.stack, axis=axis,
                                title=gettext(TITLES[asked.period]), link=link, name=name,
                                fmt=fmt)  # fmt: skip
    if figure == "areas":
        found = view.areas(inst, scope, asked)
        return figures.small_multiples(found.rows, period=asked.period,
                                       title=gettext(TITLES["areas"]), link=link, fmt=fmt)  # fmt: skip
    if figure == "kinds":
        found = view.kinds(inst, scope, asked)
        return figures.bars(found.rows, key=asked.stack, title=gettext(TITLES[asked.stack]),
                            axis=axis, link=link, name=name, fmt=fmt)  # fmt: skip
    graph = view.units(inst, scope, asked).extra.get("graph", {})
    return figures.network(graph, title=gettext(TITLES["network"]), link=link, fmt=fmt)


def summary(found: Analysis) -> dict[str, Any]:
    """What the page says about one analysis: incidents considered, left out, and the checkpoint."""
    return {"incidents": found.incidents, "unplaced": len(found.unplaced),
            "undated": len(found.undated), "checkpoint": found.checkpoint}  # fmt: skip
