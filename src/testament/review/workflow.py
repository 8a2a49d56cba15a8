"""Moving items and incidents through the review states, and assigning them: each on many targets in
one transaction, so that a page's bulk action and the CLI's single one are the same use case.

All or nothing: every target is resolved and checked before anything is written, and the first
refusal (an unknown target, a case the actor may not act in, a second-person state the actor
authored, an assignee without a role) names its target and leaves everything as it was. A target
already in the state, or already with the assignee, is reported unchanged and gets no event.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection

from testament.custody import custody, policy
from testament.custody.instance import Instance, acting_agent, identity_of, recording, who_acts
from testament.domain.access import Action, decide
from testament.domain.custody import utc_timestamp
from testament.errors import InvalidInput, PermissionDenied
from testament.review import comments, queries, rules, states, targets
from testament.review.results import ReviewChange, ReviewState, Target
from testament.storage.engine import lock_log


def _state_of(found: targets.Found, first: str) -> str:
    return str(found.row.state) if found.row is not None else first


def _write(
    conn: Connection, found: list[targets.Found], values: dict[str, Any], first: str
) -> None:
    """Set ``values`` on every target's review row: the missing rows inserted at once, the others
    updated at once for each kind."""
    queries.insert_statuses(conn, [
        {"kind": f.kind, "target_id": f.id, "case_id": f.case_id, "state": first, "state_by": None,
         "state_at": None, "assignee_id": None, "assigned_at": None} | values
        for f in found if f.row is None
    ])  # fmt: skip
    for kind in rules.KINDS:
        ids = [f.id for f in found if f.row is not None and f.kind == kind]
        queries.update_statuses(conn, kind, ids, values)


def _check_second_person(
    found: list[targets.Found], state: ReviewState, agent_id: int | None
) -> None:
    for one in found:
        if agent_id is not None and rules.is_author(agent_id, one.authors):
            raise PermissionDenied(
                f"{state.code!r} needs a second person: you may not set it on what you made",
                where=rules.where(one.kind, one.id),
                hint="ask another reviewer, who did not ingest or write it, to set this state",
            )


def transition(
    instance: Instance,
    targets_: Sequence[tuple[str, str]],
    state: str,
    note: str = "",
    *,
    case: str | None = None,
) -> ReviewChange:
    """Move each (kind, ID) target to the review state ``state``, with an optional note (a comment
    on each target moved). A second-person state needs the analyst role and someone who is not an
    author of any of the targets; any other state, the documenter role. With ``case`` (a name or
    ID), every target must be of that case."""
    text = comments.check_body(note, "note") if note and note.strip() else ""
    with recording(instance) as conn:
        lock_log(conn)  # the review rows read below hold until commit: no two writers insert one
        wanted = states.find(conn, state)
        first = states.current(conn)[0].code
        action = Action.ANALYSE if wanted.second_person else Action.DOCUMENT
        found = targets.resolve(conn, instance, targets_, action, case=case)
        if wanted.second_person:
            _check_second_person(found, wanted, queries.agent_named(conn, *identity_of(instance)))
        moving = [f for f in found if _state_of(f, first) != wanted.code]
        if not moving:
            return _change("state", wanted.code, found, moving)
        agent_id = acting_agent(conn)
        now = utc_timestamp()
        _write(conn, moving, {"state": wanted.code, "state_by": agent_id, "state_at": now}, first)
        events = []
        for one in moving:
            detail = {"object": "review", "kind": one.kind, "id": one.id, "change": "state",
                      "from": _state_of(one, first), "to": wanted.code}  # fmt: skip
            events.append(comments.event(one, agent_id, detail))
        custody.record(conn, events)
        author = who_acts(instance).user_id
        for one in moving if text else []:
            comments.write(conn, one, text, author, "note")
        return _change("state", wanted.code, found, moving)


def _change(
    change: str, value: str | None, found: list[targets.Found], changed: list[targets.Found]
) -> ReviewChange:
    moved = {(f.kind, f.id) for f in changed}
    return ReviewChange(
        change,
        value,
        tuple(Target(f.kind, f.id) for f in found if (f.kind, f.id) in moved),
        tuple(Target(f.kind, f.id) for f in found if (f.kind, f.id) not in moved),
    )


def _assignee(conn: Connection, username: str | None) -> int | None:
    if username is None or not username.strip():
        return None
    found = queries.user_ids_named(conn, [username.strip()])
    if not found:
        raise InvalidInput(
            "no account has this username", where="assignee", hint="see `testament user list`"
        )
    return next(iter(found.values()))


def _check_assignee(conn: Connection, user_id: int, found: list[targets.Found]) -> None:
    subject = policy.actor(conn, user_id)
    for one in found:
        if subject is None or not decide(subject, Action.DOCUMENT, one.case_id):
            raise InvalidInput(
                "the assignee has no role on this case that lets them review",
                where=rules.where(one.kind, one.id),
                errors={"assignee": "needs the documenter role or above on the case"},
                hint="ask a coordinator to give them a role on the case first",
            )


def assign(
    instance: Instance,
    targets_: Sequence[tuple[str, str]],
    assignee: str | None,
    *,
    case: str | None = None,
) -> ReviewChange:
    """Assign each (kind, ID) target to the user called ``assignee`` (None or "": unassign). The
    actor needs the documenter role on each target's case; the assignee, too. With ``case`` (a name
    or ID), every target must be of that case."""
    with recording(instance) as conn:
        lock_log(conn)  # the review rows read below hold until commit: no two writers insert one
        found = targets.resolve(conn, instance, targets_, Action.DOCUMENT, case=case)
        user_id = _assignee(conn, assignee)
        if user_id is not None:
            _check_assignee(conn, user_id, found)
        first = states.current(conn)[0].code
        changing = [
            f for f in found if (f.row.assignee_id if f.row is not None else None) != user_id
        ]
        if not changing:
            return _change("assign", _name(assignee, user_id), found, changing)
        agent_id = acting_agent(conn)
        now = utc_timestamp()
        _write(conn, changing, {"assignee_id": user_id, "assigned_at": now}, first)
        events = []
        for one in changing:
            detail = {"object": "review", "kind": one.kind, "id": one.id, "change": "assign",
                      "assignee": None if user_id is None else f"user:{user_id}"}  # fmt: skip
            events.append(comments.event(one, agent_id, detail))
        custody.record(conn, events)
        return _change("assign", _name(assignee, user_id), found, changing)


def _name(assignee: str | None, user_id: int | None) -> str | None:
    return assignee.strip() if user_id is not None and assignee else None
