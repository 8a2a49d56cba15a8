"""Reading review: where one item or incident stands with its comments, and a reviewer's queue.

The queue holds, in the cases the reader may read: what is assigned to them, what comments mention
them on, and what waits in a state flagged ``queued`` ("in review"), newest change first. Reading
review opens no evidence, so it records no access event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection

from testament.custody import policy
from testament.custody.instance import Instance, who_acts
from testament.domain.access import MINIMUM_ROLE, ROLE_RANK, Action, Role
from testament.review import queries, states, targets
from testament.review.results import QueueEntry, ReviewComment, ReviewStatus, TargetState
from testament.storage.engine import read_transaction

QUEUE_LIMIT = 500


def _comments(conn: Connection, kind: str, target_id: str) -> tuple[ReviewComment, ...]:
    rows = queries.comments(conn, kind, target_id)
    mentions = queries.mentions_of(conn, [str(r.id) for r in rows])
    return tuple(
        ReviewComment(
            str(r.id),
            kind,
            target_id,
            r.author,
            r.body,
            r.created_at,
            tuple(mentions.get(str(r.id), ())),
        )
        for r in rows
    )


def review(instance: Instance, kind: str, target_id: str) -> ReviewStatus:
    """Where an item (``kind`` "item") or an incident stands: state, assignee, comments."""
    with read_transaction(instance.engine) as conn:
        (found,) = targets.resolve(conn, instance, [(kind, target_id)], Action.READ)
        first = states.current(conn)[0].code
        row = found.row
        assignee = None
        if row is not None and row.assignee_id is not None:
            assignee = queries.usernames(conn, [row.assignee_id]).get(row.assignee_id)
        return ReviewStatus(
            found.kind,
            found.id,
            found.case_id,
            row.state if row is not None else first,
            row.state_at if row is not None else None,
            assignee,
            row.assigned_at if row is not None else None,
            _comments(conn, found.kind, found.id),
        )


def states_of(instance: Instance, given: Sequence[tuple[str, str]]) -> list[TargetState]:
    """Where each of many items or incidents stands, in the order given: for the proof chart, which
    says of each cited item whether a second person has verified it. Each target's case is asked of
    the policy for reading; one the reader may not read is answered as absent."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        listed = {s.code: s for s in states.current(conn)}
        first = next(iter(listed))
        answered = []
        for found in targets.resolve(conn, instance, given, Action.READ) if given else []:
            code = found.row.state if found.row is not None else first
            state = listed.get(code)
            answered.append(
                TargetState(found.kind, found.id, code, bool(state and state.second_person))
            )
        return answered


@dataclass
class _Line:
    case_id: str
    state: str | None = None
    assignee: int | None = None
    at: str | None = None
    reasons: set[str] = field(default_factory=set)


def reviewers(instance: Instance, kind: str, target_id: str) -> list[str]:
    """The usernames an item or incident may be assigned to: those who may review on its case."""
    with read_transaction(instance.engine) as conn:
        (found,) = targets.resolve(conn, instance, [(kind, target_id)], Action.READ)
        roles = [r.value for r in Role if ROLE_RANK[r] >= ROLE_RANK[MINIMUM_ROLE[Action.DOCUMENT]]]
        return queries.reviewers(conn, found.case_id, roles)


def _entries(conn: Connection, lines: dict[tuple[str, str], _Line], first: str) -> list[QueueEntry]:
    titles = {
        kind: queries.titles(conn, kind, [t for k, t in lines if k == kind])
        for kind in ("item", "incident")
    }
    names = queries.case_names(conn, {line.case_id for line in lines.values()})
    users = queries.usernames(
        conn, {ln.assignee for ln in lines.values() if ln.assignee is not None}
    )
    entries = [
        QueueEntry(
            kind,
            target_id,
            line.case_id,
            names.get(line.case_id, line.case_id),
            titles[kind].get(target_id, ""),
            line.state or first,
            users.get(line.assignee) if line.assignee is not None else None,
            tuple(sorted(line.reasons)),
            line.at,
        )
        for (kind, target_id), line in lines.items()
    ]
    return sorted(entries, key=lambda e: (e.updated_at or "", e.target_id), reverse=True)


def queue(instance: Instance, *, limit: int = QUEUE_LIMIT) -> list[QueueEntry]:
    """The reader's queue: assigned to them, mentioning them, or waiting in a queued state, in the
    cases they may read (at most ``limit`` of each), newest change first."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        cases = policy.readable_cases(conn, instance)
        user_id = who_acts(instance).user_id
        listed = states.current(conn)
        queued = [s.code for s in listed if s.queued]
        lines: dict[tuple[str, str], _Line] = {}
        for row in queries.assigned_or_waiting(conn, user_id, queued, cases, limit):
            line = lines.setdefault((row.kind, row.target_id), _Line(row.case_id))
            line.state, line.assignee = row.state, row.assignee_id
            line.at = row.state_at or row.assigned_at
            if user_id is not None and row.assignee_id == user_id:
                line.reasons.add("assigned")
            if row.state in queued:
                line.reasons.add("waiting")
        if user_id is not None:
            _add_mentions(conn, lines, user_id, cases, limit)
        return _entries(conn, lines, listed[0].code)


def _add_mentions(
    conn: Connection,
    lines: dict[tuple[str, str], _Line],
    user_id: int,
    cases: set[str] | None,
    limit: int,
) -> None:
    found = queries.mentioned(conn, user_id, cases, limit)
    known = {
        kind: queries.statuses(conn, kind, [t for k, t, _, _ in found if k == kind])
        for kind in ("item", "incident")
    }
    for kind, target_id, case_id, at in found:
        line = lines.get((kind, target_id))
        if line is None:
            row = known[kind].get(target_id)
            line = lines[(kind, target_id)] = _Line(case_id)
            if row is not None:
                line.state, line.assignee = row.state, row.assignee_id
        line.at = max(line.at or "", at)
        line.reasons.add("mentioned")
