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
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table, and_, delete, or_, select

from testament.search.base import SearchDocument
from testament.storage import bulk
from testament.storage import tables as t
from testament.storage.engine import lock_log

FACET_KEYS = ("type", "target", "weapon", "area", "status", "year")
MAX_YEARS = 50  # a range longer than this is not a date anyone will narrow by year
Key = tuple[str, str, str]  # case, facet, value
Pair = tuple[str, str, str, str, str]  # case, facet, value, other facet, other value


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


def _held(connection: Connection, incident_ids: Sequence[str]) -> dict[str, list[Key]]:
    """The facet rows these incidents have now, by incident."""
    f = t.incident_facet
    rows = connection.execute(
        select(f.c.incident_id, f.c.case_id, f.c.facet, f.c.value).where(
            f.c.incident_id.in_(incident_ids)
        )
    )
    found: dict[str, list[Key]] = {}
    for row in rows:
        found.setdefault(str(row[0]), []).append((str(row[1]), str(row[2]), str(row[3])))
    return found


def _tally(by_incident: Iterable[list[Key]]) -> tuple[Counter[Key], Counter[Pair]]:
    """How many incidents have each value, and each pair of values (both ways round)."""
    single: Counter[Key] = Counter()
    pairs: Counter[Pair] = Counter()
    for keys in by_incident:
        single.update(keys)
        pairs.update((*a, b[1], b[2]) for a in keys for b in keys if a != b)
    return single, pairs


def replace(
    connection: Connection, incident_ids: Sequence[str], documents: Sequence[SearchDocument]
) -> None:
    """Make the facet rows of ``incident_ids`` those of ``documents`` (the live ones among them)."""
    if not incident_ids:
        return
    lock_log(connection)
    f = t.incident_facet
    before = _tally(_held(connection, incident_ids).values())
    connection.execute(delete(f).where(f.c.incident_id.in_(incident_ids)))
    now = {d.doc_id: [(d.case_id, k, v) for k, v in facet_values(d)] for d in documents}
    rows = [
        {"case_id": key[0], "facet": key[1], "value": key[2], "incident_id": incident_id}
        for incident_id, keys in now.items()
        for key in keys
    ]
    bulk.insert_many(connection, f, rows)
    after = _tally(now.values())
    _add_counts(connection, t.incident_facet_count, after[0], before[0])
    _add_counts(connection, t.incident_facet_pair, after[1], before[1])


def _add_counts(
    connection: Connection,
    table: Table,
    after: Mapping[Any, int],
    before: Mapping[Any, int],
) -> None:
    """Change the counts stored in ``table`` (keyed by its columns before ``incidents``) by
    ``after`` minus ``before``."""
    changed = sorted(k for k in set(after) | set(before) if after.get(k, 0) != before.get(k, 0))
    columns = [c for c in table.c if c.name != "incidents"]
    for start in range(0, len(changed), 200):
        chunk = changed[start : start + 200]
        where = or_(*(and_(*(c == v for c, v in zip(columns, k, strict=True))) for k in chunk))
        stored = {
            tuple(str(v) for v in r[:-1]): int(r[-1])
            for r in connection.execute(select(*columns, table.c.incidents).where(where))
        }
        connection.execute(delete(table).where(where))
        fresh = [
            dict(zip([c.name for c in columns], k, strict=True)) | {"incidents": n}
            for k in chunk
            if (n := stored.get(k, 0) + after.get(k, 0) - before.get(k, 0)) > 0
        ]
        bulk.insert_many(connection, table, fresh)


def clear(connection: Connection) -> None:
    """Remove every facet row and count (before a rebuild)."""
    connection.execute(delete(t.incident_facet))
    connection.execute(delete(t.incident_facet_count))
    connection.execute(delete(t.incident_facet_pair))
