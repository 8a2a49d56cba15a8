"""Saved searches: a user names the search they made (the words, the facets chosen, the dates) and
runs it again later (docs/search.md, "Saved searches").

A saved search belongs to one account and only that account sees, runs or deletes it; another's is
answered as absent. It is a preference, not evidence: saving or deleting one changes no record, so it is
not a custody event (and its words, which may name people, stay out of the log). Running it is a search
like any other, kept to the cases the account may read at the time it runs.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from testament.custody import policy
from testament.custody.instance import Instance, who_acts
from testament.documentation import facets, saved_search_queries
from testament.documentation.search_results import SavedSearch
from testament.domain.access import Action
from testament.domain.custody import utc_timestamp
from testament.domain.ids import new_id
from testament.errors import Conflict, InvalidInput, NotFound
from testament.search.base import SearchQuery
from testament.search.query import parse
from testament.storage.engine import read_transaction, write_transaction

MAX_NAME = 100


def _owner(connection: Connection, instance: Instance, *, writing: bool = False) -> int:
    """The acting account's ID, after the policy's word; the instance owner has no account."""
    policy.require(connection, instance, Action.READ)
    if writing and who_acts(instance).scope == "read":
        policy.require(
            connection, instance, Action.DOCUMENT
        )  # says a read-only token may only read
    user_id = who_acts(instance).user_id
    if user_id is None:
        raise InvalidInput(
            "a saved search belongs to an account",
            where="saved search",
            hint="act as one: testament --as USER search save …",
        )
    return user_id


def check_name(name: str) -> str:
    """A saved search's name: trimmed, not empty, at most :data:`MAX_NAME` characters, no control
    characters."""
    trimmed = " ".join(name.split())
    if not trimmed:
        raise InvalidInput("a saved search needs a name", where="name")
    if len(trimmed) > MAX_NAME:
        raise InvalidInput(f"a saved search's name is at most {MAX_NAME} characters", where="name")
    if any(unicodedata.category(c).startswith("C") for c in trimmed):
        raise InvalidInput("a saved search's name has a control character", where="name")
    return trimmed


def _made(row: dict[str, Any]) -> SavedSearch:
    stored = json.loads(row["facets"])
    return SavedSearch(
        id=row["id"],
        name=row["name"],
        query=row["query"],
        facets=list(stored.get("facets", [])),
        date_from=stored.get("date_from"),
        date_to=stored.get("date_to"),
        created_at=row["created_at"],
    )


def save(
    instance: Instance,
    name: str,
    query: str,
    chosen: Sequence[str] = (),
    *,
    date_from: str | None = None,
    date_to: str | None = None,
) -> SavedSearch:
    """Save a search under a name of the acting account's own (a name it already uses is refused)."""
    name = check_name(name)
    # refuses a query that could not run: its words, its dates, a range that ends before it starts
    parse(SearchQuery(text=query, date_from=date_from or None, date_to=date_to or None))
    picked = [f"{k}:{v}" for k, v in facets.parse(chosen)]
    stored = {"facets": picked, "date_from": date_from or None, "date_to": date_to or None}
    with write_transaction(instance.engine) as conn:
        user_id = _owner(conn, instance, writing=True)
        if saved_search_queries.named(conn, user_id, name) is not None:
            raise Conflict(
                f"you already have a saved search called {name!r}",
                where="name",
                hint="choose another name, or delete that one first",
            )
        row = {
            "id": new_id(),
            "user_id": user_id,
            "name": name,
            "query": query,
            "facets": json.dumps(stored, sort_keys=True),
            "created_at": utc_timestamp(),
        }
        saved_search_queries.add(conn, row)
    return _made(row)


def saved(instance: Instance) -> list[SavedSearch]:
    """The acting account's saved searches, by name."""
    with read_transaction(instance.engine) as conn:
        user_id = _owner(conn, instance)
        return [_made(row) for row in saved_search_queries.of_user(conn, user_id)]


def one(instance: Instance, search_id: str) -> SavedSearch:
    """One of the acting account's saved searches (another's is answered as absent)."""
    with read_transaction(instance.engine) as conn:
        user_id = _owner(conn, instance)
        row = saved_search_queries.one(conn, user_id, search_id)
    if row is None:
        raise NotFound("you have no saved search with this ID", where=search_id)
    return _made(row)


def delete(instance: Instance, search_id: str) -> str:
    """Delete one of the acting account's saved searches; returns its ID. Another's is refused as
    absent, and stays."""
    with write_transaction(instance.engine) as conn:
        user_id = _owner(conn, instance, writing=True)
        if not saved_search_queries.remove(conn, user_id, search_id):
            raise NotFound("you have no saved search with this ID", where=search_id)
    return search_id
