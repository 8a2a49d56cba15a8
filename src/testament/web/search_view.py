"""The search page (docs/search.md): hits with snippets, the facets of the incidents among them, and
the reader's saved searches (save the search shown under a name, run one again, delete one).

Narrowing is a plain link (``f=key:value``, repeated), so it works without JavaScript; saving and
deleting are forms sent by htmx (which adds the session's CSRF token).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import Response

from testament.documentation import facets, saved_searches, search, snippets
from testament.documentation.search_results import SavedSearch, SearchFacets, SnippetHit
from testament.errors import Conflict, InvalidInput
from testament.search.base import SearchQuery
from testament.web import records
from testament.web.facets_view import VOCABULARY_OF, ListQuery, ValueLink, links, url_with
from testament.web.pages import Viewer, instance_of, render

HITS = 50


def _query(
    q: str, chosen: Sequence[tuple[str, str]], date_from: str, date_to: str
) -> list[tuple[str, str]]:
    return [("q", q), *ListQuery(tuple(chosen), date_from, date_to).params()]


def saved_url(found: SavedSearch) -> str:
    pairs = [(key, value) for key, _, value in (text.partition(":") for text in found.facets)]
    return url_with(
        "/search", _query(found.query, pairs, found.date_from or "", found.date_to or "")
    )


def _results(
    request: Request,
    q: str,
    chosen: tuple[tuple[str, str], ...],
    dates: tuple[str, str],
) -> dict[str, Any]:
    """The hits and facets of a search (none without words or a case to search)."""
    inst = instance_of(request)
    hits: list[SnippetHit] = []
    found = SearchFacets([], 0, capped=False)
    if q.strip():  # the use cases keep the search to the cases the reader may read
        wanted = SearchQuery(
            text=q, limit=HITS, date_from=dates[0] or None, date_to=dates[1] or None
        )
        hits = snippets.with_snippets(inst, search.search(inst, wanted, None, chosen).hits, q)
        found = search.facets_of_search(inst, wanted, None, chosen)
    base = ListQuery(chosen, *dates)
    params = [("q", q)]
    facet_links = links("/search", base, found.facets, params)
    names = {(v.key, v.value): v.name for facet in facet_links for v in facet.values}
    picked = [
        ValueLink(
            k, v, names.get((k, v)), 0, True, url_with("/search", [*params, *base.toggled(k, v)])
        )
        for k, v in chosen
    ]
    return {"hits": hits, "facets": facet_links, "chosen": picked, "total": found.incidents,
            "capped": found.capped, "vocabulary_of": VOCABULARY_OF,
            "chosen_f": [f"{k}:{v}" for k, v in chosen], "clear_url": url_with("/search", params),
            "date_from": dates[0], "date_to": dates[1]}  # fmt: skip


def _saved(request: Request, who: Viewer) -> list[tuple[SavedSearch, str]]:
    if who.user_id is None:
        return []
    found = saved_searches.saved(instance_of(request))
    return [(s, saved_url(s)) for s in found]


def _page(request: Request, who: Viewer, q: str, chosen: tuple[tuple[str, str], ...],
          dates: tuple[str, str], *, code: int = 200, **more: Any) -> Response:  # fmt: skip
    context: dict[str, Any] = {
        "q": q,
        "error": None,
        "save_error": None,
        "saved": [],
        "typed_name": "",
    }
    try:
        context |= _results(request, q, chosen, dates)
    except InvalidInput as exc:
        context |= {"hits": [], "facets": [], "chosen": [], "error": exc.what, "chosen_f": [],
                    "total": 0, "capped": False, "vocabulary_of": VOCABULARY_OF,
                    "clear_url": "/search", "date_from": dates[0], "date_to": dates[1]}  # fmt: skip
        code = 422
    context |= {"saved": _saved(request, who)} | more
    return render(request, "search.html", code, **context)


def routes(site: FastAPI) -> None:
    @site.get("/search", include_in_schema=False)
    def search_page(  # noqa: PLR0917 - the search's fields
        request: Request,
        who: Viewer,
        q: Annotated[str, Query(max_length=1000)] = "",
        f: Annotated[list[str] | None, Query()] = None,
        date_from: Annotated[str, Query(max_length=10)] = "",
        date_to: Annotated[str, Query(max_length=10)] = "",
    ) -> Response:
        try:
            chosen = facets.parse(f or [])
        except InvalidInput as exc:
            return _page(request, who, q, (), (date_from, date_to), code=422, error=exc.what)
        return _page(request, who, q, chosen, (date_from, date_to))

    @site.post("/search/saved", include_in_schema=False)
    def save_search(  # noqa: PLR0917 - the search's fields
        request: Request,
        who: Viewer,
        name: Annotated[str, Form(max_length=1000)] = "",
        q: Annotated[str, Form(max_length=1000)] = "",
        f: Annotated[list[str] | None, Form()] = None,
        date_from: Annotated[str, Form(max_length=10)] = "",
        date_to: Annotated[str, Form(max_length=10)] = "",
    ) -> Response:
        try:
            made = saved_searches.save(instance_of(request), name, q, f or [],
                                       date_from=date_from or None, date_to=date_to or None)  # fmt: skip
        except (InvalidInput, Conflict) as exc:
            return _page(request, who, q, _chosen_or_none(f), (date_from, date_to), code=422,
                         save_error=exc.what, typed_name=name)  # fmt: skip
        return records.go(request, saved_url(made))

    @site.post("/search/saved/{search_id}/delete", include_in_schema=False)
    def delete_search(request: Request, who: Viewer, search_id: str) -> Response:
        saved_searches.delete(instance_of(request), search_id)
        return records.go(request, "/search")


def _chosen_or_none(f: list[str] | None) -> tuple[tuple[str, str], ...]:
    try:
        return facets.parse(f or [])
    except InvalidInput:
        return ()
