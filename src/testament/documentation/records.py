"""The use cases every record kind shares: create, edit, delete, show, list and its versions.

Each takes the kind's declaration (:mod:`testament.documentation.kinds`) and the few steps that are the
kind's own: what completes a record's values (a source's address rule, a unit's parent), what a
deletion must not leave behind (a person's roles, a unit's sub-units), what a write refreshes (the
search index), what a record shows linked to it. The policy is asked first, inside the transaction:
a record of a case by that case, a shared record (a unit) by any case the account documents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from sqlalchemy import Connection

from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation.kinds import RecordKind, checked, new_values
from testament.documentation.record_views import made
from testament.domain.access import Action
from testament.domain.results import Result
from testament.errors import InvalidInput
from testament.search import indexing
from testament.storage.engine import read_transaction

V = TypeVar("V", bound=Result)
W = TypeVar("W", bound=Result)
# (connection, record ID or None for a new one, checked values) -> the values to store
Complete = Callable[[Connection, str | None, dict[str, Any]], dict[str, Any]]
Step = Callable[[Connection, str], None]  # (connection, record ID)
Resolve = Callable[[Connection, str], str]  # (connection, a reference) -> the record's ID


def refresh_index(kind: RecordKind[Any, Any]) -> Step:
    """After a write: the record's search document."""
    return lambda conn, record_id: indexing.refresh(conn, kind.name, [record_id])


def _authorize(
    conn: Connection,
    instance: Instance,
    kind: RecordKind[Any, Any],
    action: Action,
    ref: str,
    *,
    resolve: Resolve | None,
) -> str:
    """The record's ID, once the policy allows ``action`` on it."""
    if kind.in_case:
        policy.require(conn, instance, action, kind=kind.name, record_id=ref)
    else:
        policy.require(conn, instance, action)
    return resolve(conn, ref) if resolve is not None else ref


def create(
    instance: Instance,
    kind: RecordKind[Any, Any],
    case_name: str | None,
    given: Mapping[str, Any],
    *,
    complete: Complete | None = None,
    then: Step | None = None,
) -> str:
    """Record a new record of ``kind`` (in the case named, for a kind of a case); returns its ID."""
    with recording(instance) as conn:
        if kind.in_case:
            scope = {"case_id": policy.require(conn, instance, Action.DOCUMENT, case=case_name)}
        else:
            scope = {}
            policy.require(conn, instance, Action.DOCUMENT)
        values = checked(kind, new_values(kind, given))
        if complete is not None:
            values = complete(conn, None, values)
        values = scope | values
        missing = {name: None for name in history.fields(kind.name) if name not in values}
        new_id = history.create(conn, kind.name, values | missing, agent_id=acting_agent(conn))
        if then is not None:
            then(conn, new_id)
        return new_id


def edit(
    instance: Instance,
    kind: RecordKind[Any, Any],
    ref: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
    resolve: Resolve | None = None,
    complete: Complete | None = None,
    then: Step | None = None,
) -> int:
    """Change fields of a record; returns its version (unchanged when nothing differs)."""
    with recording(instance) as conn:
        record_id = _authorize(conn, instance, kind, Action.DOCUMENT, ref, resolve=resolve)
        values = checked(kind, changes, record_id)
        if complete is not None:
            values = complete(conn, record_id, values)
        version = history.update(
            conn,
            kind.name,
            record_id,
            values,
            agent_id=acting_agent(conn),
            expected_version=expected_version,
        )
        if then is not None:
            then(conn, record_id)
        return version


def delete(
    instance: Instance,
    kind: RecordKind[Any, Any],
    ref: str,
    *,
    expected_version: int | None = None,
    resolve: Resolve | None = None,
    refuse: Step | None = None,
    then: Step | None = None,
) -> int:
    """Mark a record deleted (it and its versions stay); ``refuse`` raises when it may not be yet."""
    with recording(instance) as conn:
        record_id = _authorize(conn, instance, kind, Action.DOCUMENT, ref, resolve=resolve)
        if refuse is not None:
            refuse(conn, record_id)
        version = history.delete(
            conn,
            kind.name,
            record_id,
            agent_id=acting_agent(conn),
            expected_version=expected_version,
        )
        if then is not None:
            then(conn, record_id)
        return version


def public(kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A record's current version as it is shown: its fields, ``id``, ``version`` and ``updated_at``."""
    return history.snapshot(kind, row) | {
        "version": row["version"],
        "updated_at": row["updated_at"],
    }


def show(
    instance: Instance,
    kind: RecordKind[V, Any],
    ref: str,
    links: Callable[[Connection, dict[str, Any]], Mapping[str, Any]],
    *,
    resolve: Resolve | None = None,
) -> V:
    """A record's current version with what ``links`` finds linked to it, as the kind's view."""
    with read_transaction(instance.engine) as conn:
        record_id = _authorize(conn, instance, kind, Action.READ, ref, resolve=resolve)
        data = public(kind.name, history.current(conn, kind.name, record_id))
        return made(kind.view, data, **links(conn, data))


def listed(
    instance: Instance,
    kind: RecordKind[Any, W],
    case_name: str | None,
    rows: Callable[[Connection, str | None], list[dict[str, Any]]],
) -> list[W]:
    """The rows ``rows`` finds (in the case named, for a kind of a case) as the kind's list rows."""
    with read_transaction(instance.engine) as conn:
        if kind.in_case:
            case_id = policy.require(conn, instance, Action.READ, case=case_name)
        else:
            case_id = policy.require(conn, instance, Action.READ)
        return [made(kind.listed, row) for row in rows(conn, case_id)]


def versions(
    instance: Instance,
    kind: RecordKind[Any, Any],
    record_id: str,
    of: str | None = None,
    *,
    resolve: Resolve | None = None,
) -> list[history.Version]:
    """Every version of a record of ``kind`` or of one of its links (``of``), oldest first."""
    of = of or kind.name
    if of not in kind.history:
        raise InvalidInput(
            f"{of!r} is not a kind of {kind.group} record", hint=f"use {', '.join(kind.history)}"
        )
    with read_transaction(instance.engine) as conn:
        if of == kind.name and not kind.in_case:
            policy.require(conn, instance, Action.READ)
            if resolve is not None:
                record_id = resolve(conn, record_id)
        else:
            policy.require(conn, instance, Action.READ, kind=of, record_id=record_id)
        return history.versions(conn, of, record_id)


def versions_of_any(instance: Instance, kind: str, record_id: str) -> list[history.Version]:
    """Every version of a documentation record of any kind, oldest first."""
    history.table_of(kind)
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind=kind, record_id=record_id)
        return history.versions(conn, kind, record_id)
