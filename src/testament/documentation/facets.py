"""Facets: a case's incidents narrowed by type, target, weapon, area, status, year and assignee, with
how many incidents have each value: stored counts in SQL, or the case's facet columns in memory
(:mod:`testament.documentation.facet_columns`) for narrowings they cannot answer (docs/search.md,
"Facets").

Every value chosen narrows: an incident must have all of them (two types chosen: incidents of both).
A count beside a value is the number of incidents that choosing it leaves, so a value no narrowed
incident has is not offered. Each edge passes what a reader chose as ``key:value`` texts
(:func:`parse`), the same in the page's URL, the API's query and the CLI's options.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from sqlalchemy import Connection

from testament.custody import policy
from testament.custody.instance import Instance
from testament.documentation import facet_columns, facet_queries
from testament.documentation.facet_queries import ASSIGNEE, Narrowing
from testament.documentation.record_views import IncidentListed, made
from testament.documentation.search_results import Facet, FacetValue, IncidentPage
from testament.domain.access import Action
from testament.errors import InvalidInput
from testament.search.base import SearchQuery
from testament.search.query import date_upper_bound
from testament.storage.engine import read_transaction
from testament.taxonomy import vocabulary

FACETS = ("type", "target", "weapon", "area", "status", "year", ASSIGNEE)
VOCABULARIES: Mapping[str, str] = {
    "type": "incident-types",
    "target": "target-object-types",
    "weapon": "weapon-systems",
    "status": "incident-status",
}
SHOWN = 12  # values shown per facet, most incidents first; chosen ones always
MAX_CHOSEN = 20
MAX_TEXT = 100
WHERE = "facets"
_YEAR = re.compile(r"\d{4}")


def _value(key: str, value: str) -> str:
    """``value`` if it can be a value of facet ``key``; else the refusal that names it."""
    if key in VOCABULARIES:
        return vocabulary.require_one(VOCABULARIES[key], value, where=f"{WHERE}: {key}")
    if key == "year" and _YEAR.fullmatch(value):
        return value
    if key in {"area", ASSIGNEE} and value.isdigit() and len(value) < 10:
        return str(int(value))
    raise InvalidInput(
        f"{value!r} is not a value of the facet {key!r}",
        where=f"{WHERE}: {key}",
        hint="a year is YYYY; an area or an assignee is a number (its ID)",
    )


def parse(texts: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """``key:value`` texts as (facet, value) pairs, each checked, in order, without repeats."""
    chosen: list[tuple[str, str]] = []
    for text in texts:
        if len(text) > MAX_TEXT:
            raise InvalidInput(f"a facet is at most {MAX_TEXT} characters", where=WHERE)
        key, colon, value = text.partition(":")
        key, value = key.strip(), value.strip()
        if not colon or not value:
            raise InvalidInput(
                f"{text!r} is not a facet", where=WHERE, hint="write KEY:VALUE, e.g. type:shelling"
            )
        if key not in FACETS:
            raise InvalidInput(
                f"there is no facet {key!r}", where=WHERE, hint=f"use one of {', '.join(FACETS)}"
            )
        pair = (key, _value(key, value))
        if pair not in chosen:
            chosen.append(pair)
    if len(chosen) > MAX_CHOSEN:
        raise InvalidInput(f"at most {MAX_CHOSEN} facet values may be chosen", where=WHERE)
    return tuple(chosen)


def check_range(date_from: str | None, date_to: str | None) -> tuple[str | None, str | None]:
    """Validated ISO days (empty as None); a range that ends before it starts is refused."""
    found: list[str | None] = []
    for name, value in (("date_from", date_from), ("date_to", date_to)):
        if not value:
            found.append(None)
            continue
        try:
            day = date.fromisoformat(value)
        except ValueError:
            day = None
        if day is None or day.isoformat() != value:
            raise InvalidInput(
                f"{value!r} is not a date",
                where=name,
                hint="write YYYY-MM-DD",
                errors={name: "a date as YYYY-MM-DD"},
            )
        found.append(value)
    if found[0] and found[1] and found[0] > found[1]:
        raise InvalidInput(
            f"the date range ends ({found[1]}) before it starts ({found[0]})",
            where="date_from, date_to",
            hint="swap the two dates",
            errors={"date_to": f"a day on or after date_from ({found[0]})"},
        )
    return found[0], found[1]


def exist(connection: Connection, chosen: Sequence[tuple[str, str]]) -> None:
    """Refuse a chosen area or assignee that does not exist (a number nobody has)."""
    for key, known in (
        ("area", facet_queries.existing_areas),
        (ASSIGNEE, facet_queries.existing_users),
    ):
        wanted = {int(v) for k, v in chosen if k == key}
        missing = sorted(wanted - known(connection, sorted(wanted)))
        if missing:
            raise InvalidInput(
                f"there is no {key} with the ID {missing[0]}", where=f"{WHERE}: {key}"
            )


INDEXED = ("type", "target", "weapon", "status", "area")  # facets the search index holds as tokens


def narrowed_query(query: SearchQuery, chosen: Sequence[tuple[str, str]]) -> SearchQuery:
    """A search narrowed by the chosen facet values the index holds (each must hold), and by the
    years chosen as a date range (assignees are left to the caller)."""
    date_from, date_to = query.date_from, query.date_to
    for key, value in chosen:
        if key == "year":
            date_from = max(date_from or value, value)
            if date_to is None or date_upper_bound(value) < date_upper_bound(date_to):
                date_to = value
    if date_from and date_to and date_from >= date_upper_bound(date_to):
        return replace(query, all_of=(("case", ""),))  # years apart: no case has this token
    indexed = tuple((k, v) for k, v in chosen if k in INDEXED)
    return replace(query, all_of=query.all_of + indexed, date_from=date_from, date_to=date_to)


def facets_of(
    connection: Connection,
    counts: Sequence[tuple[str, str, int]],
    chosen: Sequence[tuple[str, str]],
) -> list[Facet]:
    """Counts grouped by facet in :data:`FACETS` order, each with its names; chosen values first."""
    areas = facet_queries.area_names(connection, [int(v) for k, v, _ in counts if k == "area"])
    users = facet_queries.usernames(connection, [int(v) for k, v, _ in counts if k == ASSIGNEE])
    names = {"area": areas, ASSIGNEE: users}
    found: list[Facet] = []
    for key in FACETS:
        values = [(v, n) for k, v, n in counts if k == key and n > 0]
        if key == "year":
            values.sort()
        else:
            values.sort(key=lambda pair: (-pair[1], pair[0]))
        picked = [p for p in values if (key, p[0]) in chosen]
        rest = [p for p in values if (key, p[0]) not in chosen]
        shown = picked + rest[: max(SHOWN - len(picked), 0)]
        listed = [FacetValue(v, names.get(key, {}).get(v), n, (key, v) in chosen) for v, n in shown]
        if listed:
            found.append(Facet(key, listed, len(values) - len(shown)))
    return found


def incident_page(
    instance: Instance,
    case_name: str,
    chosen: Sequence[tuple[str, str]] = (),
    *,
    date_from: str | None = None,
    date_to: str | None = None,
    label: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> IncidentPage:
    """A page of the case's live incidents in date order, narrowed by the ``chosen`` facet values, the
    date range (overlap) and a sensitivity label, with how many in all and the facets' counts."""
    date_from, date_to = check_range(date_from, date_to)
    if label is not None:
        vocabulary.require_one("sensitivity-labels", label, where="label")
    only = Narrowing(tuple(chosen), date_from, date_to, label)
    with read_transaction(instance.engine) as conn:
        cid = str(policy.require(conn, instance, Action.READ, case=case_name))
        exist(conn, only.chosen)
        if only.narrows and only.single is None:  # the stored counts cannot answer: the columns do
            columns = facet_columns.of_case(conn, str(instance.engine.url), cid)
            total, rows, counts = by_columns(conn, columns, only, limit=limit, offset=offset)
        else:
            total, rows, counts = in_sql(conn, cid, only, limit=limit, offset=offset)
        facets = facets_of(conn, counts, only.chosen)
    listed = [made(IncidentListed, r, sensitivity=vocabulary_list(r["sensitivity"])) for r in rows]
    return IncidentPage(listed, total, facets)


Answer = tuple[int, list[dict[str, Any]], list[tuple[str, str, int]]]


def in_sql(conn: Connection, cid: str, only: Narrowing, *, limit: int, offset: int) -> Answer:
    """The total, the page's rows and the facets' counts, from the stored counts or grouped in SQL."""
    total = facet_queries.count_narrowed(conn, cid, only)
    rows = facet_queries.narrowed_page(conn, cid, only, total=total, limit=limit, offset=offset)
    return total, rows, facet_queries.facet_counts(conn, cid, only)


def by_columns(
    conn: Connection, columns: facet_columns.Columns, only: Narrowing, *, limit: int, offset: int
) -> Answer:
    """The same answer as :func:`in_sql`, narrowed and counted in the case's columns; only the page's
    rows are read."""
    keep = facet_columns.kept_by(columns, only)
    total, ids = facet_columns.page(columns, keep, limit=limit, offset=offset)
    rows = facet_queries.listed_by_ids(conn, ids)
    return total, rows, facet_columns.counted(columns, keep)


def vocabulary_list(stored: str | None) -> list[str]:
    """A JSON list of codes as stored, as a list."""
    found = json.loads(stored or "[]")
    return [str(code) for code in found] if isinstance(found, list) else []
