"""Search: find incidents, sources, people and evidence by their words, across scripts (docs/search.md).

Writers keep the index in step through :mod:`testament.search.indexing`; :func:`reindex` rebuilds all
of it. An account finds only the records of the cases it may read: a case it may not read is named
in a filter as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection

from testament.custody import policy
from testament.custody.instance import Instance
from testament.documentation import facet_queries, facets, queries
from testament.documentation.results import DescribedHit
from testament.documentation.search_results import SearchFacets
from testament.domain.access import Action
from testament.domain.results import Result
from testament.errors import NotFound
from testament.search import documents, index_for, indexing
from testament.search.base import (
    CANDIDATE_CAP,
    MAX_LIMIT,
    SearchHit,
    SearchQuery,
    SearchResults,
)
from testament.search.translit import key_text
from testament.storage.engine import read_transaction, write_transaction


@dataclass(frozen=True)
class Filters:
    """Filters as a person gives them: case, area and unit by name (or ID)."""

    cases: Sequence[str] = ()
    areas: Sequence[str] = ()
    units: Sequence[str] = ()


@dataclass(frozen=True)
class ReindexReport(Result):
    """How many documents of each kind a rebuild of the index wrote, and in all."""

    reindexed: dict[str, int]
    total: int

    @property
    def counts(self) -> dict[str, int]:
        return self.reindexed


def reindex(instance: Instance) -> ReindexReport:
    """Rebuild the whole index from the documentation tables, in one transaction.

    Searches running meanwhile keep seeing the old index until the new one commits.
    """
    with write_transaction(instance.engine) as connection:
        policy.require_admin(connection, instance)
        counts = indexing.rebuild(connection)
    return ReindexReport(dict(counts), sum(counts.values()))


def search(
    instance: Instance,
    query: SearchQuery,
    filters: Filters | None = None,
    chosen: Sequence[tuple[str, str]] = (),
) -> SearchResults:
    """Ranked hits for ``query``, with named filters resolved to IDs first (read transaction); an
    account's search is kept to the cases it may read. ``chosen`` facet values (:mod:`facets`) each
    narrow it: an assignee's by the incidents assigned to them among the best :data:`MAX_LIMIT`."""
    with read_transaction(instance.engine) as connection:
        policy.require(connection, instance, Action.READ)
        scoped, assignees = _scoped(connection, instance, query, filters, chosen)
        if scoped is None:
            return SearchResults()
        engine = index_for(connection.dialect.name)
        if not assignees:
            return engine.search(connection, scoped)
        wide = engine.search(connection, replace(scoped, limit=MAX_LIMIT, offset=0))
        kept = facet_queries.assigned(connection, [h.doc_id for h in wide.hits], assignees)
        hits = [h for h in wide.hits if h.doc_id in kept]
        return SearchResults(hits[query.offset : query.offset + query.limit], wide.capped)


def facets_of_search(
    instance: Instance,
    query: SearchQuery,
    filters: Filters | None = None,
    chosen: Sequence[tuple[str, str]] = (),
) -> SearchFacets:
    """The facets of the incidents among the newest :data:`CANDIDATE_CAP` matches of ``query`` (so
    narrowed), counted in SQL."""
    with read_transaction(instance.engine) as connection:
        policy.require(connection, instance, Action.READ)
        scoped, assignees = _scoped(connection, instance, query, filters, chosen)
        if scoped is None:
            return SearchFacets([], 0, capped=False)
        incidents_only = replace(scoped, kinds=("incident",))
        engine = index_for(connection.dialect.name)
        ids, capped = engine.matches(connection, incidents_only, CANDIDATE_CAP)
        if assignees:
            kept = facet_queries.assigned(connection, ids, assignees)
            ids = [i for i in ids if i in kept]
        counts = facet_queries.counts_of_incidents(connection, ids)
        return SearchFacets(facets.facets_of(connection, counts, chosen), len(ids), capped)


def _scoped(
    connection: Connection,
    instance: Instance,
    query: SearchQuery,
    filters: Filters | None,
    chosen: Sequence[tuple[str, str]],
) -> tuple[SearchQuery | None, tuple[int, ...]]:
    """The query kept to the readable cases, with filters resolved and the chosen facet values in it
    (None: no case to search), and the assignees chosen (the index does not hold them)."""
    readable = policy.readable_cases(connection, instance)
    for cid in query.case_ids:
        _readable_case(cid, cid, readable)
    if filters is not None:
        query = _resolve(connection, query, filters, readable)
    if readable is not None and not query.case_ids:
        if not readable:
            return None, ()
        query = replace(query, case_ids=tuple(sorted(readable)))
    facets.exist(connection, chosen)
    return facets.narrowed_query(query, chosen), tuple(
        int(v) for k, v in chosen if k == facet_queries.ASSIGNEE
    )


def described(instance: Instance, hits: Sequence[SearchHit]) -> list[DescribedHit]:
    """Hits as a list shows them, each with what tells it apart from another of the same title: an
    item's size and type, a source's address or reference and its date."""
    wanted: dict[str, list[str]] = {"item": [], "source": []}
    for hit in hits:
        wanted.get(hit.kind, []).append(hit.doc_id)
    with read_transaction(instance.engine) as connection:
        policy.require(connection, instance, Action.READ)
        readable = policy.readable_cases(connection, instance)
        if readable is not None:
            _all_readable(connection, wanted, readable)
        items = queries.item_details(connection, wanted["item"])
        sources = queries.source_details(connection, wanted["source"])
        details = {("item", key): found for key, found in items.items()} | {
            ("source", key): found for key, found in sources.items()
        }
    return [DescribedHit.of(hit, **details.get((hit.kind, hit.doc_id), {})) for hit in hits]


def _all_readable(connection: Connection, wanted: dict[str, list[str]], readable: set[str]) -> None:
    """Refuse, as not found, to describe an item or a source of a case the account may not read."""
    for kind in ("item", "source"):
        found = queries.cases_of(connection, kind, wanted[kind])
        for doc_id in wanted[kind]:
            if found.get(doc_id) not in readable:
                raise NotFound(f"no {kind} has this ID", where=doc_id)


def _resolve(
    connection: Connection, query: SearchQuery, filters: Filters, readable: set[str] | None
) -> SearchQuery:
    cases = tuple(_case_id(connection, name, readable) for name in filters.cases)
    return replace(
        query,
        case_ids=query.case_ids + cases,
        area_ids=query.area_ids + tuple(i for n in filters.areas for i in _area_ids(connection, n)),
        unit_ids=query.unit_ids + tuple(i for n in filters.units for i in _unit_ids(connection, n)),
    )


def _case_id(connection: Connection, name: str, readable: set[str] | None) -> str:
    found = queries.case_named(connection, name)
    if found is None:
        raise NotFound(f"there is no case called {name!r}", where="--case")
    return _readable_case(found, name, readable)


def _readable_case(cid: str, name: str, readable: set[str] | None) -> str:
    """The case ``cid`` if it is among the ``readable`` ones (None: all); else the answer for a
    missing one."""
    if readable is not None and cid not in readable:
        raise NotFound(f"there is no case called {name!r}", where="--case")
    return cid


def _named(rows: Sequence[tuple[Any, ...]], name: str) -> list[Any]:
    """IDs of rows (id, exact, name, alternative names) whose exact value is ``name``, or whose name
    or any alternative name has the same keys as ``name`` (so any spelling finds it)."""
    wanted = key_text(name)
    return [
        row[0]
        for row in rows
        if row[1] == name
        or (wanted and wanted in {key_text(n) for n in [row[2], *documents.names_in(row[3])]})
    ]


def _area_ids(connection: Connection, name: str) -> list[int]:
    found = sorted({int(i) for i in _named(queries.area_names(connection), name)})
    if not found:
        raise NotFound(f"no administrative area is called {name!r}", where="--area")
    return found


def _unit_ids(connection: Connection, name: str) -> list[str]:
    found = sorted({str(i) for i in _named(queries.unit_names(connection), name)})
    if not found:
        raise NotFound(f"no unit is called {name!r}", where="--unit")
    return found
