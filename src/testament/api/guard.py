"""The web layer's one door to the policy: :func:`allow` (docs/accounts.md).

Every route that touches a case's records calls :func:`allow` before it calls a service. A user with no
role on the case gets the same 404 as for a record that does not exist, so IDs from other cases leak
nothing; a user who may read the case but not do this gets 403 with the reason.
"""

from __future__ import annotations

from sqlalchemy import select

from testament.api.auth import Principal
from testament.domain.access import WRITE_ACTIONS, Action, decide, decide_anywhere
from testament.errors import NotFound, PermissionDenied
from testament.services import scope
from testament.services.cases import case_id, no_such_case
from testament.services.instance import Instance
from testament.storage.engine import read_transaction
from testament.storage.tables import case as case_table


def allow(
    inst: Instance,
    who: Principal,
    action: Action,
    *,
    case: str | None = None,
    kind: str | None = None,
    record_id: str | None = None,
) -> str | None:
    """Refuse unless ``who`` may do ``action`` on the case named, or on the record's case.

    Returns the case ID (None for shared records). With neither ``case`` nor ``kind``, the action is on
    shared reference data (units, situations, the gazetteer).
    """
    if who.scope == "read" and action in WRITE_ACTIONS:
        raise PermissionDenied(
            "this API token may only read", hint="create a token with --scope write to make changes"
        )
    with read_transaction(inst.engine) as conn:
        if kind is not None:
            cid = scope.case_of(conn, kind, record_id or "")
        elif case is not None:
            try:
                cid = case_id(conn, case)
            except NotFound as exc:
                exc.errors.setdefault("case", exc.what)
                raise
        else:
            cid = None
    actor = who.actor
    if actor is None:  # the operator token: the CLI's own powers
        return cid
    if cid is None:
        if action is Action.READ:
            return None
        decision = decide_anywhere(actor, action)
    else:
        if not decide(actor, Action.READ, cid):
            if kind is not None:
                raise NotFound(f"no {kind.replace('_', ' ')} has this ID", where=record_id)
            hidden = no_such_case(case or "")
            hidden.errors.setdefault("case", hidden.what)
            raise hidden
        decision = decide(actor, action, cid)
    if not decision:
        raise PermissionDenied(f"you may not {action.value} here", hint=decision.reason)
    return cid


def allow_or_create(inst: Instance, who: Principal, action: Action, case: str) -> None:
    """:func:`allow` on an existing case; for one a request would create, whether ``who`` may make cases."""
    with read_transaction(inst.engine) as conn:
        exists = conn.execute(
            select(case_table.c.id).where((case_table.c.name == case) | (case_table.c.id == case))
        ).first()
    if exists is not None:
        allow(inst, who, action, case=case)
    else:
        allow(inst, who, Action.MANAGE_CASE)


def require_admin(who: Principal) -> None:
    """Instance-wide settings (the gazetteer, accounts) are for instance administrators only."""
    if who.scope == "read":
        raise PermissionDenied("this API token may only read")
    if who.actor is not None and not who.actor.is_admin:
        raise PermissionDenied("only an instance administrator may do this")


def visible_cases(inst: Instance, who: Principal) -> set[str] | None:
    """The case IDs ``who`` may read (None: all of them)."""
    with read_transaction(inst.engine) as conn:
        return scope.visible_cases(conn, who.actor)
