"""Reports as PDF and HTML: an incident's dossier, a case's proof chart, and a pattern report.

A report is made from the same use cases the pages and the API call, so their gates apply unchanged:
the case's reader role; an incident with sensitivity labels only with a stated purpose, its opening
recorded in the custody log exactly as viewing it is (``access_log.sensitive_record_viewed``); and a
survivor's recording, or anything derived from it, never named to a reader who may not read the
person's words (its file name may name the person). Every report prints its parameters, the custody
log checkpoint it was computed at (read after everything it shows, so the checkpoint covers it all)
and the command line that computes it again (docs/patterns.md, "Reports").
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from markupsafe import Markup
from numpy.typing import NDArray

from testament.analysis import clusters as clustering
from testament.analysis import counts as counting
from testament.analysis import protected as protection
from testament.analysis import repeats as repeating
from testament.analysis.frame import NO_DAY, IncidentFrame, day_number, day_text
from testament.analysis.gazetteer import AreaName
from testament.custody import access_log, cases, custody_log, policy
from testament.custody.instance import Instance
from testament.custody.results import TimelineEvent
from testament.documentation import evidence, gazetteer, incidents, legal, proof_chart, sources
from testament.documentation.record_views import EvidenceLink, IncidentSource
from testament.documentation.results import ExternalIdView
from testament.domain.access import Action
from testament.errors import InvalidInput, NotFound, PermissionDenied
from testament.locale import DEFAULT
from testament.patterns import charts, figures
from testament.patterns import load as loading
from testament.patterns.load import Scope
from testament.patterns.rendering import N_, Report, check_format, gettext, render, slug, term
from testament.patterns.results import Checkpoint
from testament.storage import recordings
from testament.storage.engine import read_transaction

WITHHELD = N_("Recording of a testimony (name withheld)")
# The pattern report's repeat strikes: within a kilometre and a day, as docs/patterns.md validates them.
REPEATS: dict[str, Any] = {"radius_m": 1000.0, "window_h": 24.0}
# Incident IDs a pattern report prints in a list; the JSON of an analysis has them all.
LISTED_AT_MOST = 1000
# The pattern report's clusters, as `testament analyze clusters` finds them by default.
CLUSTERS: dict[str, Any] = {
    "eps_m": 1000.0,
    "min_samples": 5,
    "time_scale_days": 1.0,
    "method": "dbscan",
}


@dataclass(frozen=True)
class DossierItem:
    """One evidence item as a dossier prints it: what identifies its bytes, and its custody in brief."""

    item_id: str
    name: str
    withheld: bool
    media_type: str
    size: int
    sha256: str
    ingested_at: str
    relevance: str
    external_ids: tuple[ExternalIdView, ...]
    events: int
    first: TimelineEvent | None
    last: TimelineEvent | None


@dataclass(frozen=True)
class DossierSource:
    id: str
    title: str
    kind: str
    url: str | None
    reference: str
    published_at: str | None
    note: str


def _checkpoint(instance: Instance) -> Checkpoint:
    """The custody log's size and root now (after a report's reads, so it covers what they found)."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        return loading.checkpoint(conn)


def _withheld_names(instance: Instance, item_ids: Collection[str]) -> set[str]:
    """Of ``item_ids``, the recordings (and their derivatives) whose words the principal may not read:
    their names are not printed (the pipeline's content rule, ``pipeline.service.check_content``)."""
    hidden: set[str] = set()
    with read_transaction(instance.engine) as conn:
        for item_id in sorted(recordings.recording_of(conn, item_ids)):
            try:
                policy.require(
                    conn, instance, Action.REVEAL_IDENTITY, kind="evidence", record_id=item_id
                )
            except PermissionDenied:
                hidden.add(item_id)
    return hidden


def _case_name(instance: Instance, case_id: str) -> str:
    return next((c.name for c in cases.list_cases(instance) if c.id == case_id), case_id)


def _items(
    instance: Instance, links: Sequence[EvidenceLink], hidden: set[str], withheld: str
) -> list[DossierItem]:
    found = []
    for link in links:
        item = evidence.show(instance, link.item_id)
        timeline = custody_log.item_timeline(instance, link.item_id)
        found.append(
            DossierItem(
                item_id=item.id,
                name=withheld if item.id in hidden else item.shown_name,
                withheld=item.id in hidden,
                media_type=item.media_type,
                size=item.size,
                sha256=item.sha256,
                ingested_at=item.ingested_at,
                relevance=link.relevance,
                external_ids=item.external_ids,
                events=len(timeline),
                first=timeline[0] if timeline else None,
                last=timeline[-1] if timeline else None,
            )
        )
    return found


def _sources(instance: Instance, linked: Sequence[IncidentSource]) -> list[DossierSource]:
    found = []
    for link in linked:
        source = sources.show(instance, link.source_id)
        found.append(
            DossierSource(
                source.id,
                source.title,
                source.kind,
                source.url,
                source.reference,
                source.published_at,
                link.note,
            )
        )
    return found


def _language_words(language: str, command: list[str]) -> list[str]:
    """``--lang`` for the command line that computes a report again, when it is not English."""
    return command if language == DEFAULT else [*command, "--lang", language]


def incident_dossier(
    instance: Instance,
    incident_id: str,
    *,
    fmt: str,
    purpose: str | None = None,
    language: str = DEFAULT,
) -> Report:
    """One incident with everything linked to it, and every evidence item's digest and custody.

    An incident with sensitivity labels needs ``purpose``: making its dossier is an ``access`` event,
    as viewing it is (asked first, so a refusal or a missing purpose writes nothing)."""
    check_format(fmt)
    _ = gettext(language)
    access_index = access_log.sensitive_record_viewed(instance, incident_id, purpose or "")
    incident = incidents.show(instance, incident_id)
    links = legal.element_links(instance, incident_id)
    hidden = _withheld_names(instance, {link.item_id for link in incident.evidence})
    items = _items(instance, incident.evidence, hidden, _(WITHHELD))
    linked_sources = _sources(instance, incident.sources)
    head = _checkpoint(instance)
    command = ["testament", "report", "dossier", incident_id]
    if incident.sensitivity:
        command += ["--purpose", "PURPOSE"]
    filename = f"dossier-{incident_id}"
    command = _language_words(language, command)
    command += ["--format", fmt, "-o", f"{filename}.{fmt}"]
    parameters: dict[str, Any] = {"report": "dossier", "incident": incident_id, "format": fmt,
                                  "language": language}  # fmt: skip
    return render(
        "dossier.html",
        title=_("Incident dossier: %(title)s") % {"title": incident.title},
        parameters=parameters,
        checkpoint=head,
        command=command,
        fmt=fmt,
        filename=filename,
        language=language,
        incident=incident,
        case_name=_case_name(instance, incident.case_id),
        sources=linked_sources,
        evidence=items,
        element_links=links,
        access_index=access_index,
    )


def proof_chart_report(
    instance: Instance, case_name: str, *, fmt: str, language: str = DEFAULT
) -> Report:
    """The case's proof chart: crime × element, with the items for and against each, and the gaps."""
    check_format(fmt)
    _ = gettext(language)
    chart = proof_chart.view(proof_chart.chart(instance, case_name))
    cited = sorted(
        {item for crime in chart.crimes for row in crime.elements for item in row.supporting}
        | {item for crime in chart.crimes for row in crime.elements for item in row.contradicting}
    )
    hidden = _withheld_names(instance, cited)
    names = {found.id: found.shown_name for found in evidence.names(instance, cited)}
    names |= dict.fromkeys(hidden, _(WITHHELD))
    head = _checkpoint(instance)
    filename = f"proof-chart-{slug(case_name)}"
    command = _language_words(language, ["testament", "report", "proof-chart", "--case", case_name])
    command += ["--format", fmt, "-o", f"{filename}.{fmt}"]
    parameters: dict[str, Any] = {"report": "proof-chart", "case": case_name, "format": fmt,
                                  "language": language}  # fmt: skip
    return render(
        "proof_chart.html",
        title=_("Proof chart: %(case)s") % {"case": chart.case.name},
        parameters=parameters,
        checkpoint=head,
        command=command,
        fmt=fmt,
        filename=filename,
        language=language,
        chart=chart,
        item_names=names,
    )


def _day(text: str, option: str) -> int:
    try:
        if date.fromisoformat(text).isoformat() == text:
            return day_number(text)
    except ValueError:
        pass
    raise InvalidInput(
        f"{text!r} is not a date",
        where=option,
        hint="write it as YYYY-MM-DD",
        errors={option.lstrip("-"): "a date as YYYY-MM-DD"},
    )


def check_period(period_from: str, period_to: str) -> tuple[int, int]:
    """The period's first and last day numbers; InvalidInput naming the option that is wrong."""
    start, end = _day(period_from, "--from"), _day(period_to, "--to")
    if start > end:
        raise InvalidInput(
            f"the period starts ({period_from}) after it ends ({period_to})",
            where="--from",
            hint="give --from on or before --to",
            errors={"from": "on or before --to"},
        )
    return start, end


def _situation(instance: Instance, scope: Scope) -> str | None:
    """The report's situation: the one asked for, or the case's (None for a case in none)."""
    if scope.situation is not None:
        return scope.situation
    return gazetteer.situation_of(instance, case=scope.case)


def _area(
    instance: Instance, area: str | None, level: int, situation: str | None
) -> AreaName | None:
    """The area named, among those of the report's situation and the shared ones (all areas for a
    case in no situation): a code or a name loaded in two situations is the scope's own."""
    if area is None:
        return None
    found = gazetteer.areas_named(instance, area, level=level, situation=situation)
    if not found:
        raise NotFound(
            f"no area of level {level} is called {area!r}",
            where="--area",
            hint="`testament gazetteer list` shows the loaded areas",
            errors={"area": "the name or code of a loaded area"},
        )
    if len(found) > 1:
        raise InvalidInput(
            f"{area!r} names several areas",
            where="--area",
            hint="give one of the codes: " + ", ".join(sorted(a.code for a in found)),
            errors={"area": "one area's code"},
        )
    return found[0]


@dataclass(frozen=True)
class Chosen:
    """The incidents a pattern report counts, and those it could not place in its area or period."""

    frame: IncidentFrame
    unplaced: list[str]
    undated: list[str]


def choose(frame: IncidentFrame, start: int, end: int, area_code: str | None) -> Chosen:
    """Incidents wholly within the period (and inside the area, if one is given).

    An incident whose dates are unknown, or only partly within the period (a month that straddles
    its first day), is *undated*; with an area, one in no area at all is *unplaced*. Both are listed,
    never counted; those plainly outside the period or in another area are out of the report."""
    known = (frame.day_from != NO_DAY) & (frame.day_to != NO_DAY)
    inside = known & (frame.day_from >= start) & (frame.day_to <= end)
    straddles = known & (frame.day_to >= start) & (frame.day_from <= end) & ~inside
    undated = ~known | straddles
    nowhere = ~frame.in_an_area()
    if area_code is None:
        keep, unplaced = inside, np.zeros(len(frame), dtype=bool)
    else:
        here = frame.areas.has(area_code)
        keep = inside & here
        unplaced = nowhere & (inside | undated)
        undated &= here | nowhere
    return Chosen(frame.take(keep), _ids(frame, unplaced), _ids(frame, undated))


def _ids(frame: IncidentFrame, mask: NDArray[np.bool_]) -> list[str]:
    return [str(frame.ids[i]) for i in np.flatnonzero(mask).tolist()]


def _months(start: int, end: int) -> list[str]:
    first, last = date.fromisoformat(day_text(start)), date.fromisoformat(day_text(end))
    found, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


VOCABULARIES = {
    "type": "incident-types",
    "target": "target-object-types",
    "weapon": "weapon-systems",
}


def _namer(language: str) -> Callable[[str, Any], str]:
    """How a figure names its values (a type, a target) in ``language``, as the tables print them."""
    _ = gettext(language)

    def name(key: str, value: Any) -> str:
        if value is None:
            return _("none given")
        return term(value, VOCABULARIES[key], language) if key in VOCABULARIES else str(value)

    return name


def _figures(
    instance: Instance,
    frame: IncidentFrame,
    *,
    area: AreaName | None,
    level: int,
    situation: str | None,
    language: str,
) -> dict[str, Markup]:
    """The report's figures as inline SVG: the page's own figures (:mod:`figures`) and a map, whose
    outlines are the areas of the report's situation and the shared ones (every area for a case in
    no situation)."""
    drawn_areas = gazetteer.areas_geojson(instance, level, situation=situation)
    outlines = [f.as_json() for f in drawn_areas.features]
    points = [(float(x), float(y)) for x, y in zip(frame.lon, frame.lat, strict=True)
              if not (np.isnan(x) or np.isnan(y))]  # fmt: skip
    by_month_type = counting.count(frame, ["month", "type"]).rows
    _, name = gettext(language), _namer(language)
    drawn = {
        "months": figures.timeline(by_month_type, period="month", stack="type", name=name,
                                   title=_("Incidents per month, by type")),
        "types": figures.bars(counting.count(frame, ["type"]).rows, key="type", name=name,
                              title=_("Incidents by type")),
        "map": charts.area_map(outlines, points, highlight=area.code if area else None,
                               title=_("Incidents with coordinates")),
    }  # fmt: skip
    if area is None and len(frame):
        drawn["areas"] = figures.small_multiples(
            counting.count(frame, ["area", "month"]).rows, period="month",
            title=_("Incidents per month, by area"),
        )  # fmt: skip
    # matplotlib escapes every text it draws (an area's name too), so none can become markup
    return {name: Markup(charts.inline_svg(svg)) for name, svg in drawn.items()}  # noqa: S704


def _sections(
    instance: Instance,
    chosen: Chosen,
    months: list[str],
    *,
    area: AreaName | None,
    level: int,
    situation: str | None,
    language: str,
) -> dict[str, Any]:
    """What the pattern report shows: counts by month, type, area and target, figures and a map."""
    frame = chosen.frame
    by_month = {row["month"]: row["count"] for row in counting.count(frame, ["month"]).rows}
    return {
        "months": [(month, by_month.get(month, 0)) for month in months],
        "by_type": counting.count(frame, ["type"]).rows,
        "by_target": counting.count(frame, ["target"]).rows,
        "by_area": [] if area is not None else counting.count(frame, ["area"]).rows,
        "charts": _figures(
            instance, frame, area=area, level=level, situation=situation, language=language
        ),
        "protected": protection.protected(frame, protection.expand(protection.CATEGORIES)),
        "clusters": clustering.clusters(frame, **CLUSTERS).rows if frame.placed.any() else [],
        "repeats": repeating.repeats(frame, **REPEATS).extra,
        "incidents": [frame.reference(i) for i in range(min(len(frame), LISTED_AT_MOST))],
    }


def pattern_report(
    instance: Instance,
    scope: Scope,
    *,
    area: str | None = None,
    period_from: str,
    period_to: str,
    fmt: str,
    level: int = 1,
    language: str = DEFAULT,
) -> Report:
    """Counts by month, type, target and area for an area and a period, with charts and a map."""
    check_format(fmt)
    _ = gettext(language)
    start, end = check_period(period_from, period_to)
    loading.check_level(level)
    situation = _situation(instance, scope)
    chosen_area = _area(instance, area, level, situation)
    with read_transaction(instance.engine) as conn:
        loaded = loading.load(conn, instance, scope, level=level)
    chosen = choose(loaded.frame, start, end, chosen_area.code if chosen_area else None)
    sections = _sections(instance, chosen, _months(start, end), area=chosen_area, level=level,
                         situation=situation, language=language)  # fmt: skip
    where = ["--case", str(scope.case)] if scope.case else ["--situation", str(scope.situation)]
    named = slug(str(scope.case or scope.situation))
    filename = f"patterns-{named}-{period_from}-{period_to}"
    command = ["testament", "report", "patterns", *where]
    if chosen_area is not None:
        command += ["--area", chosen_area.code]
        filename = f"patterns-{named}-{slug(chosen_area.code)}-{period_from}-{period_to}"
    command += ["--from", period_from, "--to", period_to, "--level", str(level)]
    command = _language_words(language, command)
    command += ["--format", fmt, "-o", f"{filename}.{fmt}"]
    parameters: dict[str, Any] = {"report": "patterns", **loaded.scope,
                                  "area": chosen_area.code if chosen_area else None,
                                  "from": period_from, "to": period_to, "level": level,
                                  "protected": list(protection.CATEGORIES),
                                  "repeats": dict(REPEATS), "clusters": dict(CLUSTERS),
                                  "format": fmt, "language": language}  # fmt: skip
    where_name = chosen_area.name if chosen_area else _("all areas")
    title = _("Pattern report: %(where)s, %(since)s to %(until)s")
    return render(
        "patterns.html",
        title=title % {"where": where_name, "since": period_from, "until": period_to},
        parameters=parameters, checkpoint=loaded.checkpoint, command=command, fmt=fmt,
        language=language,
        filename=filename, scope=loaded.scope, area=chosen_area, counted=len(chosen.frame),
        unplaced=chosen.unplaced, undated=chosen.undated, listed_at_most=LISTED_AT_MOST,
        **sections,
    )  # fmt: skip
