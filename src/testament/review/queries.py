"""The review capability's SQL: states, where each target stands, comments, mentions and queues."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, or_, select, update

from testament.storage.tables import (
    agent,
    case,
    case_role,
    evidence_item,
    incident,
    record_version,
    review_comment,
    review_mention,
    review_state,
    review_status,
    user_account,
)

# --- States ---------------------------------------------------------------------------------------------


def state_rows(conn: Connection) -> list[Row[Any]]:
    """The organisation's states in order (none: the defaults apply)."""
    return list(conn.execute(select(review_state).order_by(review_state.c.position)))


def replace_states(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Write the whole list of states (it is short: a handful)."""
    conn.execute(delete(review_state))
    if rows:
        conn.execute(insert(review_state), list(rows))


def targets_in_state(conn: Connection, code: str) -> int:
    """How many items and incidents stand in the state ``code``."""
    found = conn.execute(
        select(func.count()).select_from(review_status).where(review_status.c.state == code)
    ).scalar()
    return int(found or 0)


# --- Targets --------------------------------------------------------------------------------------------


def items(conn: Connection, ids: Collection[str]) -> dict[str, tuple[str, set[int]]]:
    """Each existing item's case and authors (the agent that ingested it)."""
    rows = conn.execute(
        select(evidence_item.c.id, evidence_item.c.case_id, evidence_item.c.ingested_by).where(
            evidence_item.c.id.in_(list(ids))
        )
    )
    return {str(r.id): (str(r.case_id), {int(r.ingested_by)}) for r in rows}


def incidents(conn: Connection, ids: Collection[str]) -> dict[str, tuple[str, set[int]]]:
    """Each live incident's case and authors (the agents of every version of it)."""
    found: dict[str, tuple[str, set[int]]] = {}
    rows = conn.execute(
        select(incident.c.id, incident.c.case_id).where(
            incident.c.id.in_(list(ids)), incident.c.deleted_at.is_(None)
        )
    )
    for r in rows:
        found[str(r.id)] = (str(r.case_id), set())
    versions = conn.execute(
        select(record_version.c.record_id, record_version.c.agent_id).where(
            record_version.c.kind == "incident", record_version.c.record_id.in_(list(found))
        )
    )
    for v in versions:
        found[str(v.record_id)][1].add(int(v.agent_id))
    return found


def statuses(conn: Connection, kind: str, ids: Collection[str]) -> dict[str, Row[Any]]:
    """The review rows of the targets of ``kind`` that have one."""
    rows = conn.execute(
        select(review_status).where(
            review_status.c.kind == kind, review_status.c.target_id.in_(list(ids))
        )
    )
    return {str(r.target_id): r for r in rows}


def insert_statuses(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        conn.execute(insert(review_status), list(rows))


def update_statuses(
    conn: Connection, kind: str, target_ids: Sequence[str], values: dict[str, Any]
) -> None:
    """Give the review rows of these targets of one kind the same ``values``, in one statement."""
    if target_ids:
        conn.execute(
            update(review_status)
            .where(review_status.c.kind == kind, review_status.c.target_id.in_(target_ids))
            .values(**values)
        )


# --- Users ----------------------------------------------------------------------------------------------


def user_ids_named(conn: Connection, names: Iterable[str]) -> dict[str, int]:
    """The IDs of the users called ``names`` (those that exist)."""
    rows = conn.execute(
        select(user_account.c.username, user_account.c.id).where(
            user_account.c.username.in_(list(names))
        )
    )
    return {str(r.username): int(r.id) for r in rows}


def usernames(conn: Connection, ids: Iterable[int]) -> dict[int, str]:
    rows = conn.execute(
        select(user_account.c.id, user_account.c.username).where(user_account.c.id.in_(list(ids)))
    )
    return {int(r.id): str(r.username) for r in rows}


def agent_named(conn: Connection, kind: str, name: str) -> int | None:
    """The ID of the agent of ``kind`` called ``name``, if it has ever acted."""
    found = conn.execute(
        select(agent.c.id).where(agent.c.kind == kind, agent.c.name == name)
    ).scalar()
    return None if found is None else int(found)


def agent_user(conn: Connection, agent_id: int) -> int | None:
    """The account an agent stands for (None: the OS user or software)."""
    row = conn.execute(select(agent.c.kind, agent.c.name).where(agent.c.id == agent_id)).first()
    if row is None or row.kind != "user":
        return None
    return int(row.name)


def reviewers(conn: Connection, case_id: str, roles: Collection[str]) -> list[str]:
    """The usernames of enabled accounts with one of ``roles`` on the case, or administrators."""
    on_case = (
        select(case_role.c.user_id)
        .where(
            case_role.c.case_id == case_id,
            case_role.c.revoked_at.is_(None),
            case_role.c.role.in_(list(roles)),
        )
        .scalar_subquery()
    )
    rows = conn.execute(
        select(user_account.c.username)
        .where(
            user_account.c.disabled_at.is_(None),
            or_(user_account.c.is_admin.is_(True), user_account.c.id.in_(on_case)),
        )
        .order_by(user_account.c.username)
    )
    return [str(r.username) for r in rows]


# --- Comments -------------------------------------------------------------------------------------------


def insert_comment(conn: Connection, row: dict[str, Any], mentioned: Iterable[int]) -> None:
    conn.execute(insert(review_comment), [row])
    mentions = [{"comment_id": row["id"], "user_id": user_id} for user_id in mentioned]
    if mentions:
        conn.execute(insert(review_mention), mentions)


def comments(conn: Connection, kind: str, target_id: str) -> list[Row[Any]]:
    """A target's comments, oldest first, with the author's username."""
    return list(
        conn.execute(
            select(review_comment, user_account.c.username.label("author"))
            .select_from(
                review_comment.outerjoin(
                    user_account, user_account.c.id == review_comment.c.author_id
                )
            )
            .where(review_comment.c.kind == kind, review_comment.c.target_id == target_id)
            .order_by(review_comment.c.created_at, review_comment.c.id)
        )
    )


def mentions_of(conn: Connection, comment_ids: Collection[str]) -> dict[str, list[str]]:
    """The usernames each comment mentions."""
    rows = conn.execute(
        select(review_mention.c.comment_id, user_account.c.username)
        .join(user_account, user_account.c.id == review_mention.c.user_id)
        .where(review_mention.c.comment_id.in_(list(comment_ids)))
        .order_by(user_account.c.username)
    )
    found: dict[str, list[str]] = {}
    for r in rows:
        found.setdefault(str(r.comment_id), []).append(str(r.username))
    return found


# --- The queue ------------------------------------------------------------------------------------------


def _readable(column: Any, cases: set[str] | None) -> Any:
    return column.in_(sorted(cases)) if cases is not None else column.is_not(None)


def assigned_or_waiting(
    conn: Connection,
    user_id: int | None,
    queued: Collection[str],
    cases: set[str] | None,
    limit: int,
) -> list[Row[Any]]:
    """Review rows assigned to ``user_id`` or in a ``queued`` state, in cases the reader may read,
    most recently changed first."""
    wanted: Any = review_status.c.state.in_(list(queued))
    if user_id is not None:
        wanted = or_(wanted, review_status.c.assignee_id == user_id)
    return list(
        conn.execute(
            select(review_status)
            .where(wanted, _readable(review_status.c.case_id, cases))
            .order_by(
                func.coalesce(review_status.c.state_at, review_status.c.assigned_at).desc(),
                review_status.c.target_id,
            )
            .limit(limit)
        )
    )


def mentioned(
    conn: Connection, user_id: int, cases: set[str] | None, limit: int
) -> list[tuple[str, str, str, str]]:
    """(kind, target ID, case ID, latest time) of what comments mention ``user_id`` on."""
    latest = func.max(review_comment.c.created_at).label("latest")
    rows = conn.execute(
        select(review_comment.c.kind, review_comment.c.target_id, review_comment.c.case_id, latest)
        .join(review_mention, review_mention.c.comment_id == review_comment.c.id)
        .where(review_mention.c.user_id == user_id, _readable(review_comment.c.case_id, cases))
        .group_by(review_comment.c.kind, review_comment.c.target_id, review_comment.c.case_id)
        .order_by(latest.desc())
        .limit(limit)
    )
    return [(str(r.kind), str(r.target_id), str(r.case_id), str(r.latest)) for r in rows]


def titles(conn: Connection, kind: str, ids: Collection[str]) -> dict[str, str]:
    """What a queue shows of each target: an incident's title, an item's original name."""
    if kind == "incident":
        rows = conn.execute(
            select(incident.c.id, incident.c.title).where(incident.c.id.in_(list(ids)))
        )
    else:
        rows = conn.execute(
            select(evidence_item.c.id, evidence_item.c.original_name.label("title")).where(
                evidence_item.c.id.in_(list(ids))
            )
        )
    return {str(r.id): str(r.title) for r in rows}


def case_names(conn: Connection, ids: Collection[str]) -> dict[str, str]:
    rows = conn.execute(select(case.c.id, case.c.name).where(case.c.id.in_(list(ids))))
    return {str(r.id): str(r.name) for r in rows}
