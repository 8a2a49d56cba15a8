"""A case's incident list with facets (docs/search.md, "Facets"): what the page shows and the links
that narrow it. Every link is a plain URL (``f=key:value``, repeated), so narrowing works without
JavaScript and a narrowed list can be bookmarked or shared with someone who may read the case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from testament.custody.instance import Instance
from testament.documentation import facets
from testament.documentation.search_results import Facet, IncidentPage

PAGE = 100
# The facets' names as the page shows them (translated in the template).
VOCABULARY_OF = dict(facets.VOCABULARIES)


@dataclass(frozen=True)
class ValueLink:
    """A facet value as a link: choosing it (or, when chosen, leaving it out again)."""

    key: str
    value: str
    name: str | None
    incidents: int
    chosen: bool
    url: str


@dataclass(frozen=True)
class FacetLinks:
    key: str
    values: list[ValueLink]
    more: int


def url_with(path: str, params: Sequence[tuple[str, str]]) -> str:
    kept = [(k, v) for k, v in params if v]
    return path + ("?" + urlencode(kept) if kept else "")


@dataclass(frozen=True)
class ListQuery:
    """The list's URL parameters that narrow it (the page's offset aside)."""

    chosen: tuple[tuple[str, str], ...] = ()
    date_from: str = ""
    date_to: str = ""
    label: str = ""
    bbox: str = ""  # an area drawn on the map (its page's parameters, kept from page to page)
    polygon: str = ""

    @property
    def drawn(self) -> bool:
        return bool(self.bbox or self.polygon)

    def params(self, chosen: Sequence[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
        picked = self.chosen if chosen is None else chosen
        found = [("f", f"{k}:{v}") for k, v in picked]
        return [
            *found,
            ("date_from", self.date_from),
            ("date_to", self.date_to),
            ("label", self.label),
            ("bbox", self.bbox),
            ("polygon", self.polygon),
        ]

    def toggled(self, key: str, value: str) -> list[tuple[str, str]]:
        pair = (key, value)
        chosen = [c for c in self.chosen if c != pair]
        if pair not in self.chosen:
            chosen.append(pair)
        return self.params(chosen)


def parse_query(  # noqa: PLR0917 - the list's parameters
    f: Sequence[str],
    status: str,
    date_from: str,
    date_to: str,
    label: str,
    bbox: str = "",
    polygon: str = "",
) -> ListQuery:
    """The list's parameters, checked (a bad facet is refused with its name); the older ``status``
    parameter is a status facet."""
    chosen = facets.parse([*f, *([f"status:{status}"] if status else [])])
    facets.check_range(date_from or None, date_to or None)
    return ListQuery(chosen, date_from, date_to, label, bbox, polygon)


def _pages(path: str, query: ListQuery, offset: int, more: bool) -> dict[str, str | None]:
    params = query.params()
    after = url_with(path, [("offset", str(offset + PAGE)), *params]) if more else None
    before = url_with(path, [("offset", str(max(offset - PAGE, 0))), *params]) if offset else None
    return {"next_url": after, "previous_url": before}


def drawn_context(
    case_name: str, query: ListQuery, rows: Sequence[object], offset: int
) -> dict[str, Any]:
    """What incidents.html shows of a list narrowed by an area drawn on the map (no facets)."""
    path = "/cases/" + quote(case_name, safe="")
    shown = {"incidents": rows[:PAGE], "drawn_area": True, "chosen_f": []}
    return shown | _pages(path, query, offset, len(rows) > PAGE)


def links(
    path: str, query: ListQuery, found: Sequence[Facet], keep: Sequence[tuple[str, str]] = ()
) -> list[FacetLinks]:
    """The facets as links that narrow (or widen) ``path``; ``keep``: parameters kept first (the
    search page's words)."""
    return [
        FacetLinks(
            facet.key,
            [
                ValueLink(
                    facet.key,
                    v.value,
                    v.name,
                    v.incidents,
                    v.chosen,
                    url_with(path, [*keep, *query.toggled(facet.key, v.value)]),
                )
                for v in facet.values
            ],
            facet.more,
        )
        for facet in found
    ]


def list_context(inst: Instance, case_name: str, query: ListQuery, offset: int) -> dict[str, Any]:
    """What incidents.html shows of a narrowed list: the page, its total, the facets as links, the
    chosen values (each a link that leaves it out), and the pages before and after."""
    page: IncidentPage = facets.incident_page(
        inst, case_name, query.chosen, date_from=query.date_from or None,
        date_to=query.date_to or None, label=query.label or None, limit=PAGE + 1, offset=offset,
    )  # fmt: skip
    path = "/cases/" + quote(case_name, safe="")
    facet_links = links(path, query, page.facets)
    names = {(v.key, v.value): v.name for facet in facet_links for v in facet.values}
    chosen = [
        ValueLink(k, v, names.get((k, v)), 0, True, url_with(path, query.toggled(k, v)))
        for k, v in query.chosen
    ]
    return {
        "incidents": page.incidents[:PAGE],
        "total": page.total,
        "facets": facet_links,
        "chosen": chosen,
        "vocabulary_of": VOCABULARY_OF,
        "chosen_f": [f"{k}:{v}" for k, v in query.chosen],
        "clear_url": path,
    } | _pages(path, query, offset, len(page.incidents) > PAGE)
