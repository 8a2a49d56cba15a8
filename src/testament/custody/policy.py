"""The one policy module: may the acting principal do this, here? Asked inside every use case.

Every use case calls :func:`require` (or :func:`require_admin`) in the same transaction as its action,
with the principal its instance is bound to (``instance.principal``). The decision itself is
:func:`testament.domain.access.decide`, pure and default-deny; this module reads what it needs for it
(the account's flags and active roles, fresh in the transaction, and the case of the record acted on).

A case or record the principal may not read is answered as absent (``NotFound``), so an ID from
another case tells nothing about whether it exists. The policy lives with the spine, which every
capability stands on, because every capability asks it (docs/accounts.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from testament.custody.instance import Instance, who_acts
from testament.custody.queries import policy as queries
from testament.domain.access import (
    WRITE_ACTIONS,
    Action,
    Actor,
    Principal,
    Role,
    decide,
    decide_anywhere,
)
from testament.errors import InvalidInput, NotFound, PermissionDenied
from testament.storage.engine import read_transaction

# --- The account as the policy sees it ------------------------------------------------------------------

account_query = queries.account_query


def account_from_rows(rows: Sequence[Any]) -> tuple[Actor, str]:
    """The :class:`Actor` and username from the rows of :func:`account_query`."""
    first = rows[0]
    roles = {str(r.case_id): Role(r.role) for r in rows if r.case_id is not None}
    subject = Actor(
        int(first.account_id), bool(first.is_admin), first.disabled_at is not None, roles
    )
    return subject, first.username


def actor_and_name(connection: Connection, user_id: int) -> tuple[Actor, str] | None:
    """The policy's view of a user, with the username, in one query (None: no such user)."""
    rows = queries.account_rows(connection, user_id)
    return account_from_rows(rows) if rows else None


def actor(connection: Connection, user_id: int) -> Actor | None:
    """The policy's view of a user: flags and active roles (``None`` if there is no such user)."""
    found = actor_and_name(connection, user_id)
    return None if found is None else found[0]


# --- Which case a record belongs to -----------------------------------------------------------------------

KINDS = (
    frozenset(queries.OWN_CASE)
    | frozenset(queries.VIA_INCIDENT)
    | frozenset(queries.VIA_ITEM)
    | frozenset(queries.SHARED)
)


def case_of(connection: Connection, kind: str, record_id: str) -> str | None:
    """The case ID of record ``record_id`` of ``kind``; None for shared records. NotFound if absent.

    ``kind`` is a table name or the history's spelling of it (``person-role``).
    """
    kind = kind.replace("-", "_")
    if kind not in KINDS:
        raise InvalidInput(
            "unknown record kind", where=kind, errors={"kind": ", ".join(sorted(KINDS))}
        )
    found: object = None
    if kind in queries.OWN_CASE:
        found = queries.own_case(connection, kind, record_id)
    elif kind in queries.VIA_INCIDENT or kind in queries.VIA_ITEM:
        found = queries.parent_case(connection, kind, record_id)
    elif kind == "unit_commander":
        return _commander_case(connection, record_id)
    elif kind in queries.SHARED:
        return None
    if found is None:
        raise NotFound(f"no {kind.replace('_', ' ')} has this ID", where=record_id)
    return str(found)


def _commander_case(connection: Connection, record_id: str) -> str | None:
    """A commander is shared with its unit, unless it records a person: then it is that person's case's."""
    exists, found = queries.commander_case(connection, record_id)
    if not exists:
        raise NotFound("no unit commander has this ID", where=record_id)
    return found


# --- The decision -------------------------------------------------------------------------------------


def no_such_case(name: str) -> NotFound:
    """The one error for a case that does not exist, or that the asker may not see."""
    return NotFound(
        "no case has this name", where=name, hint="create it with `testament case create NAME`"
    )


def case_id(connection: Connection, name: str) -> str:
    """The ID of the case called ``name`` (or with that ID)."""
    found = queries.case_named(connection, name)
    if found is None:
        raise no_such_case(name)
    return found


def current_actor(connection: Connection, who: Principal) -> Actor | None:
    """The principal's account as it stands in this transaction (None for the owner and for nobody).

    An account deleted since the principal was made reads as a disabled one: it may do nothing.
    """
    if who.user_id is None:
        return None
    return actor(connection, who.user_id) or Actor(who.user_id, disabled=True)


def _case_in_question(
    connection: Connection, case: str | None, kind: str | None, record_id: str | None
) -> str | None:
    """The record's case, else the named case's ID (its error keyed "case"), else None."""
    if kind is not None:
        return case_of(connection, kind, record_id or "")
    if case is None:
        return None
    try:
        return case_id(connection, case)
    except NotFound as exc:
        exc.errors.setdefault("case", exc.what)
        raise


def require(
    connection: Connection,
    instance: Instance,
    action: Action,
    *,
    case: str | None = None,
    kind: str | None = None,
    record_id: str | None = None,
) -> str | None:
    """Refuse unless ``who`` may do ``action`` on the record ``kind``/``record_id`` (its case's rules),
    or on the case named or numbered ``case``, or, with neither, on shared reference data (units,
    situations, the gazetteer). Returns the case's ID (None for shared data).

    A case or record the principal may not read is answered as absent; one they may read but not act
    on is refused, saying which role the action needs.
    """
    who = who_acts(instance)
    if who.via == "nobody":
        raise PermissionDenied("sign in first", hint="nobody is acting for this request")
    if who.scope == "read" and action in WRITE_ACTIONS:
        raise PermissionDenied(
            "this API token may only read", hint="create a token with --scope write to make changes"
        )
    cid = _case_in_question(connection, case, kind, record_id)
    subject = current_actor(connection, who)
    if subject is None:  # the owner: the keys' holder may do everything
        return cid
    if subject.disabled:
        raise PermissionDenied("the account is disabled")
    if cid is None:
        decision = decide_anywhere(subject, action) if action is not Action.READ else None
        if decision is not None and not decision:
            raise PermissionDenied(f"you may not {action.value} here", hint=decision.reason)
        return None
    if not decide(subject, Action.READ, cid):
        if kind is not None:
            raise NotFound(
                f"no {kind.replace('-', ' ').replace('_', ' ')} has this ID", where=record_id
            )
        hidden = no_such_case(case or "")
        hidden.errors.setdefault("case", hidden.what)
        raise hidden
    decision = decide(subject, action, cid)
    if not decision:
        raise PermissionDenied(f"you may not {action.value} here", hint=decision.reason)
    return cid


def require_admin(connection: Connection, instance: Instance) -> None:
    """Instance-wide settings (the gazetteer, accounts, the directory) are for administrators only."""
    who = who_acts(instance)
    if who.via == "nobody":
        raise PermissionDenied("sign in first", hint="nobody is acting for this request")
    if who.scope == "read":
        raise PermissionDenied("this API token may only read")
    subject = current_actor(connection, who)
    if subject is not None and not (subject.is_admin and not subject.disabled):
        raise PermissionDenied("only an instance administrator may do this")


def require_self_or_admin(
    connection: Connection, instance: Instance, user_id: int, *, reading: bool = False
) -> None:
    """An account's own settings (second factor, tokens, preferences): the account itself, or an
    administrator (or the owner). A read-only API token may only read them."""
    who = who_acts(instance)
    if who.via == "nobody":
        raise PermissionDenied("sign in first", hint="nobody is acting for this request")
    if who.scope == "read" and not reading:
        raise PermissionDenied("this API token may only read")
    subject = current_actor(connection, who)
    if subject is None:
        return
    if subject.disabled:
        raise PermissionDenied("the account is disabled")
    if subject.user_id != user_id and not subject.is_admin:
        raise PermissionDenied("only the account itself or an administrator may do this")


def readable_cases(connection: Connection, instance: Instance) -> set[str] | None:
    """The IDs of the cases the acting principal may read; None means every case (the owner, an
    administrator)."""
    who = who_acts(instance)
    if who.via == "nobody":
        return set()
    subject = current_actor(connection, who)
    if subject is None or (subject.is_admin and not subject.disabled):
        return None
    if subject.disabled:
        return set()
    return {cid for cid in subject.roles if decide(subject, Action.READ, cid)}


def check(
    instance: Instance,
    action: Action,
    *,
    case: str | None = None,
    kind: str | None = None,
    record_id: str | None = None,
) -> str | None:
    """:func:`require` in a read transaction of its own: for an edge that must refuse before it reads
    a request's body. The use case asks again, in its own transaction."""
    with read_transaction(instance.engine) as connection:
        return require(connection, instance, action, case=case, kind=kind, record_id=record_id)
