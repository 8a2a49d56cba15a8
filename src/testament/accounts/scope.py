"""Which case a record belongs to, and which cases a user may see (docs/accounts.md).

The web layer asks :func:`case_of` before it lets anyone act on a record by ID, and answers "not found"
when the user has no role on that case, so an ID from another case tells nothing about whether it exists.
Units, their commanders and situations belong to no case: they are shared reference data. What links
them to a case is shown only to those who may read that case: a unit's involvement in an incident is the
incident's case's, and a commander recorded as a person of a case is that case's. Services that show
shared records ask :func:`readable_cases` for the principal acting now and :func:`readable` for each link.
"""

from __future__ import annotations

from sqlalchemy import Connection

from testament.accounts import queries
from testament.custody import policy
from testament.custody.instance import Instance
from testament.domain.access import Action, Actor, decide
from testament.errors import NotFound
from testament.storage.engine import read_transaction

# Which case a record belongs to is the policy's to say.
case_of = policy.case_of
KINDS = policy.KINDS


def visible_cases(connection: Connection, who: Actor | None) -> set[str] | None:
    """The IDs of the cases ``who`` may read; None means every case (an administrator, or the CLI)."""
    if who is None or (who.is_admin and not who.disabled):
        return None
    if who.disabled:
        return set()
    return {cid for cid in queries.case_ids(connection) if decide(who, Action.READ, cid)}


readable_cases = policy.readable_cases


def readable(connection: Connection, kind: str, record_id: str, cases: set[str] | None) -> bool:
    """Whether the record of ``kind`` lies in one of ``cases`` (from :func:`readable_cases`), or is
    shared. A record that does not exist is not readable."""
    if cases is None:
        return True
    try:
        found = case_of(connection, kind, record_id)
    except NotFound:
        return False
    return found is None or found in cases


def case_exists(instance: Instance, name: str) -> bool:
    """Whether a case has this name or ID."""
    with read_transaction(instance.engine) as conn:
        return queries.case_named_or_with_id(conn, name)


def cases_visible_to(instance: Instance, who: Actor | None) -> set[str] | None:
    """:func:`visible_cases` in its own read transaction."""
    with read_transaction(instance.engine) as conn:
        return visible_cases(conn, who)
