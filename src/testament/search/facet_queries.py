"""The incident facets' SQL on the writing side: ``incident_facet`` and its counts kept in step with
the search documents of incidents (docs/search.md, "Facets").

A facet row says that a live incident has a value: its status, each type, target and weapon, each
area it lies in, each year its date range touches. ``incident_facet_count`` keeps how many incidents
of a case have each value, changed by the difference a refresh makes, so the unfiltered list of a
case reads its counts in one small range. Both are derived data: a rebuild of the index makes them
again.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import Connection, and_, delete, func, or_, select

from testament.search.base import SearchDocument
from testament.storage import bulk
from testament.storage import tables as t
from testament.storage.engine import lock_log

FACET_KEYS = ("type", "target", "weapon", "area", "status", "year")
MAX_YEARS = 50  # a range longer than this is not a date anyone will narrow by year
Key = tuple[str, str, str]  # case, facet, value


def facet_values(document: SearchDocument) -> list[tuple[str, str]]:
    """The (facet, value) pairs an incident's document gives it."""
    pairs = [("status", document.status)] if document.status else []
    pairs += [("type", v) for v in document.types]
    pairs += [("target", v) for v in document.targets]
    pairs += [("weapon", v) for v in document.weapons]
    pairs += [("area", str(v)) for v in document.area_ids]
    first = (document.occurred_from or "")[:4]
    last = (document.occurred_to or document.occurred_from or "")[:4]
    if first.isdigit() and last.isdigit() and 0 <= int(last) - int(first) <= MAX_YEARS:
        pairs += [("year", f"{y:04d}") for y in range(int(first), int(last) + 1)]
    return sorted({(f, v[:64]) for f, v in pairs})


def _held(connection: Connection, incident_ids: Sequence[str]) -> Counter[Key]:
    f = t.incident_facet
    rows = connection.execute(
        select(f.c.case_id, f.c.facet, f.c.value, func.count())
        .where(f.c.incident_id.in_(incident_ids))
        .group_by(f.c.case_id, f.c.facet, f.c.value)
    )
    return Counter({(str(r[0]), str(r[1]), str(r[2])): int(r[3]) for r in rows})


def replace(
    connection: Connection, incident_ids: Sequence[str], documents: Sequence[SearchDocument]
) -> None:
    """Make the facet rows of ``incident_ids`` those of ``documents`` (the live ones among them)."""
    if not incident_ids:
        return
    lock_log(connection)
    f = t.incident_facet
    before = _held(connection, incident_ids)
    connection.execute(delete(f).where(f.c.incident_id.in_(incident_ids)))
    rows = [
        {"case_id": d.case_id, "facet": k, "value": v, "incident_id": d.doc_id}
        for d in documents
        for k, v in facet_values(d)
    ]
    bulk.insert_many(connection, f, rows)
    after = Counter((str(r["case_id"]), str(r["facet"]), str(r["value"])) for r in rows)
    _add_counts(connection, after, before)


def _add_counts(connection: Connection, after: Counter[Key], before: Counter[Key]) -> None:
    """Change the stored counts by ``after`` minus ``before``."""
    keys = sorted(k for k in set(after) | set(before) if after[k] != before[k])
    if not keys:
        return
    c = t.incident_facet_count
    for start in range(0, len(keys), 200):
        chunk = keys[start : start + 200]
        where = or_(
            *(and_(c.c.case_id == k[0], c.c.facet == k[1], c.c.value == k[2]) for k in chunk)
        )
        stored = {
            (str(r[0]), str(r[1]), str(r[2])): int(r[3])
            for r in connection.execute(
                select(c.c.case_id, c.c.facet, c.c.value, c.c.incidents).where(where)
            )
        }
        connection.execute(delete(c).where(where))
        fresh = [
            {"case_id": k[0], "facet": k[1], "value": k[2], "incidents": n}
            for k in chunk
            if (n := stored.get(k, 0) + after[k] - before[k]) > 0
        ]
        bulk.insert_many(connection, c, fresh)


def clear(connection: Connection) -> None:
    """Remove every facet row and count (before a rebuild)."""
    connection.execute(delete(t.incident_facet))
    connection.execute(delete(t.incident_facet_count))
