"""One page for any pattern analysis of a case or a situation (``…/analyses/{name}``): its parameters
as a form, then what every analysis answers (the parameters used, the log checkpoint, the incidents it
could not use, its rows and any tables of its own), each table downloadable as CSV.

An analysis is added to :data:`ANALYSES` with its parameters and the use case that computes it; the
page and its CSV need nothing else. Bad parameters come back in the form, named, with 422.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import Response

from testament.analysis.clusters import METHODS
from testament.analysis.compare import TERMS
from testament.analysis.counts import BY_KEYS, parse_conditions
from testament.analysis.protected import CATEGORIES as PROTECTED
from testament.analysis.spikes import SPIKE_PERIODS
from testament.custody.instance import Instance
from testament.errors import InvalidInput
from testament.patterns import figures, service, strikes, tables, unit_linkage, widespread
from testament.patterns.load import Scope
from testament.patterns.results import Analysis
from testament.patterns.widespread import INCLUDES
from testament.web import analysis_labels as words
from testament.web import i18n, labels
from testament.web.labels import N_
from testament.web.pages import Viewer, instance_of, render

Values = Mapping[str, Sequence[str]]
LONGEST = 500
# A downloaded figure or table: no script, its own inline styles only, framed only by Testament's pages.
FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def download(body: bytes, media_type: str, filename: str, *, inline: bool = False) -> Response:
    """A file: as an attachment named ``filename`` (or shown in place), never sniffed as a page."""
    disposition = "inline" if inline else "attachment"
    return Response(body, media_type=media_type, headers={
        "Content-Disposition": f'{disposition}; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": FILE_POLICY,
    })  # fmt: skip


@dataclass(frozen=True)
class Param:
    """One field of an analysis's form."""

    name: str
    label: str
    choices: tuple[str, ...] = ()
    many: bool = False
    default: tuple[str, ...] = ()


@dataclass(frozen=True)
class Spec:
    title: str
    params: tuple[Param, ...]
    run: Callable[[Instance, Scope, Values], Analysis]


def one(values: Values, name: str, default: str = "") -> str:
    found = values.get(name) or [default]
    return found[0].strip()


def number(values: Values, name: str, default: str, kind: type[int] | type[float] = int) -> Any:
    text = one(values, name, default)
    try:
        return kind(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a number", errors={name: "a number"}) from None


def conditions(values: Values) -> dict[str, str]:
    """``KEY=VALUE`` conditions, separated by commas or new lines."""
    parts = one(values, "where").replace("\n", ",").split(",")
    return parse_conditions([part for part in parts if part.strip()], where="where")


def _counts(inst: Instance, scope: Scope, values: Values) -> Analysis:
    by = [b for b in values.get("by", []) if b] or ["month"]
    return service.counts(inst, scope, by=by, where=conditions(values),
                          level=number(values, "level", "1"))  # fmt: skip


def _units(inst: Instance, scope: Scope, values: Values) -> Analysis:
    return unit_linkage.unit_linkage(inst, scope, unit=one(values, "unit") or None,
                                     level=number(values, "level", "1"))  # fmt: skip


# The words for the codes a form offers ("dbscan" and "hdbscan" are names; protected-object categories
# are target terms, shown by their label).
CHOICE_WORDS = {
    "yes": N_("yes"), "no": N_("no"), "area": N_("area"), "day": N_("day"), "week": N_("week"),
    "month": N_("month"), "year": N_("year"), "type": N_("type"), "target": N_("target"),
    "weapon": N_("weapon"), "protected": N_("protected objects"), "context": N_("context evidence"),
    "as-recorded": N_("as recorded"), "broadest": N_("broadest terms"),
}  # fmt: skip
LEVEL = Param("level", N_("Area level"), ("1", "2"), default=("1",))
WHERE = Param("where", N_("Only incidents with (KEY=VALUE, …)"))
ANALYSES: dict[str, Spec] = {
    "counts": Spec(
        N_("Counts"),
        (Param("by", N_("Count by"), BY_KEYS, many=True, default=("month",)), WHERE, LEVEL),
        _counts,
    ),
    "units": Spec(N_("Unit linkage"), (Param("unit", N_("Unit")), LEVEL), _units),
}


def optional(values: Values, name: str, kind: type[int] | type[float] = int) -> Any:
    """A number that may be left empty (None)."""
    return number(values, name, "", kind) if one(values, name) else None


def _spikes(inst: Instance, scope: Scope, values: Values) -> Analysis:
    return strikes.spikes(
        inst, scope, by_area=one(values, "by_area", "yes") != "no",
        period=one(values, "period", "day"), min_count=number(values, "min_count", "1"),
        baseline_days=optional(values, "baseline_days"),
        factor=optional(values, "factor", float), level=number(values, "level", "1"),
    )  # fmt: skip


def _repeats(inst: Instance, scope: Scope, values: Values) -> Analysis:
    return strikes.repeats(inst, scope, radius_m=number(values, "radius_m", "1000", float),
                           window_h=number(values, "window_h", "24", float))  # fmt: skip


def _clusters(inst: Instance, scope: Scope, values: Values) -> Analysis:
    return widespread.clusters(
        inst, scope, eps_m=number(values, "eps_m", "1000", float),
        min_samples=number(values, "min_samples", "5"),
        time_scale_days=number(values, "time_scale_days", "1", float),
        method=one(values, "method", "dbscan"), level=number(values, "level", "1"),
    )  # fmt: skip


def _protected(inst: Instance, scope: Scope, values: Values) -> Analysis:
    return widespread.protected(
        inst, scope, categories=[c for c in values.get("categories", []) if c],
        day_from=one(values, "from") or None, day_to=one(values, "to") or None,
        level=number(values, "level", "1"),
    )  # fmt: skip


def _context(inst: Instance, scope: Scope, values: Values) -> Analysis:
    return widespread.context(inst, scope, top=number(values, "top", "10"),
                              level=number(values, "level", "1"))  # fmt: skip


def _compare(inst: Instance, scope: Scope, values: Values) -> Analysis:
    other = one(values, "with")
    if not other:
        raise InvalidInput("say what to compare with", errors={"with": "a situation (or a case)"})
    second = Scope(case=other) if scope.case is not None else Scope(situation=other)
    return widespread.compare(inst, [scope, second],
                              include=[i for i in values.get("include", []) if i],
                              level=number(values, "level", "1"),
                              terms=one(values, "terms") or "as-recorded")  # fmt: skip


ANALYSES |= {
    "spikes": Spec(N_("Spikes"), (
        Param("by_area", N_("By area"), ("yes", "no"), default=("yes",)),
        Param("period", N_("Period"), SPIKE_PERIODS, default=("day",)),
        Param("min_count", N_("At least this many incidents"), default=("1",)),
        Param("baseline_days", N_("Baseline (days before; optional)")),
        Param("factor", N_("Times the baseline's median (optional)")), LEVEL,
    ), _spikes),
    "repeats": Spec(N_("Repeat strikes"), (
        Param("radius_m", N_("Within (metres)"), default=("1000",)),
        Param("window_h", N_("Within (hours)"), default=("24",)),
    ), _repeats),
    "clusters": Spec(N_("Clusters"), (
        Param("eps_m", N_("Neighbourhood (metres)"), default=("1000",)),
        Param("min_samples", N_("Incidents to make a cluster"), default=("5",)),
        Param("time_scale_days", N_("Days counted as far as the neighbourhood"), default=("1",)),
        Param("method", N_("Method"), METHODS, default=("dbscan",)), LEVEL,
    ), _clusters),
    "protected": Spec(N_("Protected objects"), (
        Param("categories", N_("Categories (all if none)"), PROTECTED, many=True),
        Param("from", N_("From")), Param("to", N_("To")), LEVEL,
    ), _protected),
    "context": Spec(N_("Context evidence"), (
        Param("top", N_("How many of each to name"), default=("10",)), LEVEL,
    ), _context),
    "compare": Spec(N_("Compare"), (
        Param("with", N_("Compare with (a situation; for a case, another case)")),
        Param("include", N_("Also side by side"), INCLUDES, many=True), LEVEL,
        Param("terms", N_("Terms compared"), TERMS, default=("as-recorded",)),
    ), _compare),
}  # fmt: skip


PERIOD_KEYS = ("day", "week", "month", "year")
VOCABULARY = {"type": "incident-types", "target": "target-object-types", "weapon": "weapon-systems"}
WORDS = {"axis": N_("incidents"), "other": N_("other"), "none": N_("none")}
STACKED = ("type", "target", "weapon")


def figure_of(found: Analysis) -> tuple[str, list[str]] | None:
    """Which figure an analysis has, and by which keys: counts (or spikes) by one key as bars, by a
    period and a type, target or weapon as a stacked timeline, by area and period (spikes by area,
    and protected objects by area and month) as small multiples; None for the others."""
    by = (
        ["area", "month"]
        if found.analysis == "protected"
        else list(found.parameters.get("by") or [])
    )
    if found.analysis not in ("counts", "spikes", "protected"):
        return None
    if len(by) == 1:
        return "bars", by
    if len(by) == 2 and by[0] in PERIOD_KEYS and by[1] in STACKED:
        return "timeline", by
    if len(by) == 2 and by[0] == "area" and by[1] in PERIOD_KEYS:
        return "multiples", by
    return None


def drawn(
    found: Analysis, *, fmt: str, link: figures.Link, name: figures.Name, title: str
) -> bytes | None:
    """The analysis's figure (:func:`figure_of`), each bar linking to the selection it stands for."""
    kind = figure_of(found)
    if kind is None:
        return None
    shape, by = kind
    if shape == "bars":
        return figures.bars(found.rows, key=by[0], title=title, link=link, name=name, fmt=fmt)
    if shape == "timeline":
        return figures.timeline(found.rows, period=by[0], stack=by[1], title=title, link=link,
                                name=name, fmt=fmt)  # fmt: skip
    return figures.small_multiples(found.rows, period=by[1], title=title, link=link, fmt=fmt)


def namer(lang: str) -> figures.Name:
    """How a figure names a value for a reader of ``lang``: vocabulary terms by their label."""
    messages = i18n.catalogue(lang)

    def name(key: str, value: Any) -> str:
        if value is None:
            return messages.gettext(WORDS["none"])
        if key == "other":
            return messages.gettext(WORDS["other"])
        if key in VOCABULARY:
            return labels.label(value, VOCABULARY[key], language=lang, messages=messages)
        return str(value)

    return name


def parts(found: Analysis) -> tuple[list[tuple[str, list[dict[str, Any]]]], list[tuple[str, Any]]]:
    """The result's tables (its rows, then each list of records among its own keys, a level deep)
    and its other keys as notes, as values for the page to word (a nested object a level deep)."""
    found_tables: list[tuple[str, list[dict[str, Any]]]] = [("rows", found.rows)]
    notes: list[tuple[str, Any]] = []
    for key, value in found.extra.items():
        if _records(value):
            found_tables.append((key, value))
        elif _opened(value):
            found_tables += [(f"{key}.{k}", v) for k, v in value.items() if _records(v)]
            notes += [(f"{key}.{k}", v) for k, v in value.items() if not _records(v)]
        else:
            notes.append((key, value))
    return found_tables, notes


def _opened(value: Any) -> bool:
    """A nested object read a level deep: one holding tables, or one of objects or texts."""
    if not isinstance(value, dict) or not value:
        return False
    inner = value.values()
    return any(_records(v) for v in inner) or all(isinstance(v, dict | str) for v in inner)


def _records(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, dict) for v in value)


def _values(request: Request) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        if len(value) > LONGEST:
            raise InvalidInput(f"{key} is too long", errors={key: f"at most {LONGEST} characters"})
        found.setdefault(key, []).append(value)
    return found


def _spec(name: str) -> Spec:
    if name not in ANALYSES:
        raise InvalidInput(f"{name!r} is not an analysis", errors={"analysis": ", ".join(ANALYSES)})
    return ANALYSES[name]


def routes(site: FastAPI, prefix: str, scoped: Callable[[str], Scope]) -> None:
    @site.get(prefix + "/analyses/{analysis}.csv", include_in_schema=False)
    def analysis_csv(request: Request, name: str, analysis: str, who: Viewer) -> Response:
        found = _spec(analysis).run(instance_of(request), scoped(name), _values(request))
        wanted = request.query_params.get("table", "rows")
        chosen = dict(parts(found)[0]).get(wanted)
        if chosen is None:
            raise InvalidInput(
                f"{wanted!r} is not a table of this analysis", errors={"table": wanted}
            )
        return download(tables.csv_bytes(chosen), "text/csv; charset=utf-8",
                        f"{analysis}-{wanted}.csv")  # fmt: skip

    for fmt, media in (("svg", "image/svg+xml"), ("png", "image/png")):
        _figure_route(site, prefix, scoped, fmt, media)

    @site.get(prefix + "/analyses/{analysis}", include_in_schema=False)
    def analysis_page(request: Request, name: str, analysis: str, who: Viewer) -> Response:
        spec = _spec(analysis)
        values = _values(request)
        context: dict[str, Any] = {"spec": spec, "analysis": analysis, "scope": scoped(name),
                                   "scope_name": name, "values": values, "problem": None,
                                   "problems": {}, "found": None, "tables": [], "notes": [],
                                   "query": request.url.query, "figure": False,
                                   "choice_words": CHOICE_WORDS, "tables_columns": tables.columns,
                                   "is_refs": words.is_refs, "is_summary": words.is_summary}  # fmt: skip
        try:
            found = spec.run(instance_of(request), scoped(name), values)
        except InvalidInput as exc:
            context |= {"problem": exc.what, "problems": dict(exc.errors or {})}
            return render(request, "analysis.html", 422, **context)
        found_tables, notes = parts(found)
        lang = i18n.language(request)
        shown = words.Shown(lang, i18n.catalogue(lang), words.sides_of(found.scope))
        context |= {"found": found, "tables": found_tables, "notes": notes, "show": shown,
                    "figure": figure_of(found) is not None}  # fmt: skip
        return render(request, "analysis.html", **context)


def _figure_route(
    site: FastAPI, prefix: str, scoped: Callable[[str], Scope], fmt: str, media: str
) -> None:
    @site.get(prefix + "/analyses/{analysis}." + fmt, include_in_schema=False,
              name=f"analysis-figure-{fmt}{prefix}")  # fmt: skip
    def analysis_figure(request: Request, name: str, analysis: str, who: Viewer) -> Response:
        spec = _spec(analysis)
        found = spec.run(instance_of(request), scoped(name), _values(request))
        lang = i18n.language(request)
        page = request.url.path.rsplit("/analyses/", 1)[0] + "/patterns"
        body = drawn(found, fmt=fmt, link=lambda chosen: f"{page}?{urlencode(dict(chosen))}#incidents",
                     name=namer(lang), title=i18n.catalogue(lang).gettext(spec.title))  # fmt: skip
        if body is None:
            raise InvalidInput(f"{analysis} has no figure", errors={"analysis": analysis})
        inline = request.query_params.get("download") != "1"
        return download(body, media, f"{analysis}.{fmt}", inline=inline)
