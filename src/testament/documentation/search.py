"""Search: find incidents, sources, people and evidence by their words, across scripts (docs/search.md).

Writers keep the index in step through :mod:`testament.search.indexing`; :func:`reindex` rebuilds all
of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, or_, select

from testament.custody.instance import Instance
from testament.errors import NotFound
from testament.search import documents, index_for, indexing
from testament.search.base import SearchHit, SearchQuery, SearchResults
from testament.search.translit import key_text
from testament.storage import tables
from testament.storage.engine import read_transaction, write_transaction


@dataclass(frozen=True)
class Filters:
    """Filters as a person gives them: case, area and unit by name (or ID)."""

    cases: Sequence[str] = ()
    areas: Sequence[str] = ()
    units: Sequence[str] = ()


@dataclass
class ReindexReport:
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, object]:
        return {"reindexed": dict(self.counts), "total": sum(self.counts.values())}


def reindex(instance: Instance) -> ReindexReport:
    """Rebuild the whole index from the documentation tables, in one transaction.

    Searches running meanwhile keep seeing the old index until the new one commits.
    """
    with write_transaction(instance.engine) as connection:
        return ReindexReport(indexing.rebuild(connection))


def search(instance: Instance, query: SearchQuery, filters: Filters | None = None) -> SearchResults:
    """Ranked hits for ``query``, with named filters resolved to IDs first (read transaction)."""
    with read_transaction(instance.engine) as connection:
        if filters is not None:
            query = _resolve(connection, query, filters)
        return index_for(connection.dialect.name).search(connection, query)


def described(instance: Instance, hits: Sequence[SearchHit]) -> list[dict[str, Any]]:
    """Hits as a list shows them, each with what tells it apart from another of the same title: an
    item's size and type, a source's address or reference and its date."""
    item, source = tables.evidence_item, tables.source
    wanted: dict[str, list[str]] = {"item": [], "source": []}
    for hit in hits:
        wanted.get(hit.kind, []).append(hit.doc_id)
    with read_transaction(instance.engine) as connection:
        details = {
            ("item", row.id): {"media_type": row.media_type, "size": row.size}
            for row in connection.execute(
                select(item.c.id, item.c.media_type, item.c.size).where(
                    item.c.id.in_(wanted["item"])
                )
            )
        } | {
            ("source", row.id): {
                "url": row.url,
                "reference": row.reference,
                "published_at": row.published_at,
            }
            for row in connection.execute(
                select(source.c.id, source.c.url, source.c.reference, source.c.published_at).where(
                    source.c.id.in_(wanted["source"])
                )
            )
        }
    return [hit.as_json() | details.get((hit.kind, hit.doc_id), {}) for hit in hits]


def _resolve(connection: Connection, query: SearchQuery, filters: Filters) -> SearchQuery:
    return replace(
        query,
        case_ids=query.case_ids + tuple(_case_id(connection, name) for name in filters.cases),
        area_ids=query.area_ids + tuple(i for n in filters.areas for i in _area_ids(connection, n)),
        unit_ids=query.unit_ids + tuple(i for n in filters.units for i in _unit_ids(connection, n)),
    )


def _case_id(connection: Connection, name: str) -> str:
    found = connection.execute(
        select(tables.case.c.id).where(or_(tables.case.c.name == name, tables.case.c.id == name))
    ).scalar()
    if found is None:
        raise NotFound(f"there is no case called {name!r}", where="--case")
    return str(found)


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
    area = tables.admin_area
    columns = (area.c.id, area.c.code, area.c.name, area.c.alt_names)
    rows = [tuple(row) for row in connection.execute(select(*columns))]
    found = sorted({int(i) for i in _named(rows, name)})
    if not found:
        raise NotFound(f"no administrative area is called {name!r}", where="--area")
    return found


def _unit_ids(connection: Connection, name: str) -> list[str]:
    unit = tables.unit
    columns = (unit.c.id, unit.c.id, unit.c.name, unit.c.aliases)
    live = select(*columns).where(unit.c.deleted_at.is_(None))
    rows = [tuple(row) for row in connection.execute(live)]
    found = sorted({str(i) for i in _named(rows, name)})
    if not found:
        raise NotFound(f"no unit is called {name!r}", where="--unit")
    return found
