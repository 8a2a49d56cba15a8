"""The HTTP edges' one door to the policy: :func:`allow` (docs/accounts.md).

Every route and page that touches a case's records calls :func:`allow` before it calls a service. A
user with no role on the case gets the same 404 as for a record that does not exist, so IDs from other
cases leak nothing; a user who may read the case but not do this gets 403 with the reason.
:func:`hide_unseen`, a dependency of every API router, does the same for the records named in the path
before the body and the query are validated, so an invalid request about a hidden record is a 404 too,
never a 422.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request

from testament.accounts import scope
from testament.custody import policy
from testament.custody.instance import Instance
from testament.domain.access import Action
from testament.errors import NotFound, PermissionDenied
from testament.http.auth import Principal, principal
from testament.survivors import referrals, testimony
from testament.transfer import disclosure


def allow(
    inst: Instance,
    who: Principal,
    action: Action,
    *,
    case: str | None = None,
    kind: str | None = None,
    record_id: str | None = None,
) -> str | None:
    """Refuse unless ``who`` may do ``action`` on the case named, or on the record's case: the policy's
    own :func:`testament.custody.policy.require`, asked before a request's body is read, so a record of
    another case is answered as absent before anything else is said about the request.

    Returns the case ID (None for shared records). With neither ``case`` nor ``kind``, the action is on
    shared reference data (units, situations, the gazetteer).
    """
    return policy.check(inst.acting_for(who), action, case=case, kind=kind, record_id=record_id)


def allow_or_create(inst: Instance, who: Principal, action: Action, case: str) -> None:
    """:func:`allow` on an existing case; for one a request would create, whether ``who`` may make cases."""
    if scope.case_exists(inst, case):
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
    return scope.cases_visible_to(inst, who.actor)


# --- Records named in the path ------------------------------------------------------------------------

Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])
CREATES_CASE = "_testament_creates_case"


def creates_case(endpoint: Endpoint) -> Endpoint:
    """Mark a route that creates the case named in its path when it is absent (an import): there an
    absent case goes on to the route, which asks :func:`allow_or_create`."""
    setattr(endpoint, CREATES_CASE, True)
    return endpoint


def _hidden_as(message: str, where: str, check: Callable[[], object]) -> None:
    """Run ``check``; a record it cannot find, or may not show, is answered with ``message``."""
    try:
        check()
    except NotFound:
        raise NotFound(message, where=where) from None


def _record(inst: Instance, who: Principal, kind: str, record_id: str) -> None:
    allow(inst, who, Action.READ, kind=kind, record_id=record_id)


def _case(inst: Instance, who: Principal, name: str, *, may_create: bool) -> None:
    if may_create and not scope.case_exists(inst, name):
        return
    allow(inst, who, Action.READ, case=name)


def _through_person(inst: Instance, who: Principal, kind: str, record_id: str) -> None:
    """A need, a referral or a testimony is its person's: hidden where the person is."""

    def check() -> None:
        if kind == "testimony":
            person = testimony.person_of(inst, record_id)
        else:
            person = referrals.person_of(inst, kind, record_id)
        allow(inst, who, Action.READ, kind="person", record_id=person)

    _hidden_as(f"no {kind.replace('_', ' ')} has this ID", record_id, check)


def _approval(inst: Instance, who: Principal, approval_id: str) -> None:
    _hidden_as(
        "no named-export request has this ID",
        approval_id,
        lambda: allow(inst, who, Action.READ, case=disclosure.case_of(inst, approval_id)),
    )


# The kind of record each path parameter names (a ``link_id`` is told apart by its path).
PATH_RECORDS = {
    "incident_id": "incident",
    "item_id": "evidence",
    "source_id": "source",
    "person_id": "person",
    "qualification_id": "qualification",
    "role_id": "person_role",
}
THROUGH_PERSON = {"need_id": "support_need", "referral_id": "referral", "testimony_id": "testimony"}
CASE_PARAMETERS = frozenset({"case", "case_name"})


def _check_parameter(
    request: Request, inst: Instance, who: Principal, name: str, value: str
) -> None:
    if name in PATH_RECORDS:
        _record(inst, who, PATH_RECORDS[name], value)
    elif name == "link_id":
        kind = "element_link" if "/element-links/" in request.url.path else "item_incident"
        _record(inst, who, kind, value)
    elif name == "record_id" and "kind" in request.path_params:
        _record(inst, who, request.path_params["kind"], value)
    elif name in THROUGH_PERSON:
        _through_person(inst, who, THROUGH_PERSON[name], value)
    elif name == "approval_id":
        _approval(inst, who, value)
    elif name in CASE_PARAMETERS:
        endpoint = request.scope.get("endpoint")
        _case(inst, who, value, may_create=getattr(endpoint, CREATES_CASE, False))


def hide_unseen(request: Request, who: Annotated[Principal, Depends(principal)]) -> None:
    """Router dependency: a record named in the path that ``who`` may not read (or that does not exist)
    answers 404 before the request's body and query are validated (docs/api.md)."""
    base: Instance = request.app.state.instance
    inst = base.acting_for(who)  # the use cases asked here check the caller too
    for name, value in request.path_params.items():
        _check_parameter(request, inst, who, name, str(value))
