"""Comments on an item or incident, with @mentions: a mentioned user finds it in their queue.

A comment's text may name people, so it never enters the custody log: the comment's event carries
the comment's ID and a salted SHA-256 commitment to its text, author and target (the salt stays with
the comment), so `testament verify`-style checks can show it was not edited, and the text itself can
be withheld from anyone who receives the log.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from sqlalchemy import Connection

from testament.custody import custody, policy
from testament.custody.instance import Instance, acting_agent, recording, who_acts
from testament.domain.access import Action, decide
from testament.domain.custody import CustodyEventType, commitment, utc_timestamp
from testament.domain.ids import new_id
from testament.domain.text import clean_text
from testament.errors import InvalidInput
from testament.review import queries, targets
from testament.review.results import ReviewComment

COMMENT_CHARS = 10_000
# "@name" at the start or after a space or an opening bracket; an e-mail address is not a mention.
MENTION = re.compile(r"(?:^|(?<=[\s(\[]))@([^\s@,;:!?()\[\]<>\"']+)")


def mentioned_names(body: str) -> list[str]:
    """The usernames ``body`` mentions, once each, in order (a trailing full stop is punctuation)."""
    names: dict[str, None] = {}
    for match in MENTION.finditer(body):
        name = match.group(1).rstrip(".")
        if name:
            names[name] = None
    return list(names)


def check_body(body: object, where: str = "body") -> str:
    """The comment's text, refused when empty or longer than :data:`COMMENT_CHARS` characters."""
    text = clean_text(body, "the comment", where, required=True)
    if len(text) > COMMENT_CHARS:
        raise InvalidInput(
            f"the comment is {len(text):,} characters long; at most {COMMENT_CHARS:,} are accepted",
            where=where,
            hint="shorten it, or attach the full text as evidence",
        )
    return text


def _mentions(conn: Connection, body: str, case_id: str, where: str) -> list[int]:
    names = mentioned_names(body)
    ids = queries.user_ids_named(conn, names)
    unknown = [n for n in names if n not in ids]
    if unknown:
        raise InvalidInput(
            f"{len(unknown)} mentioned username(s) belong to no account",
            where=where,
            hint="mention people by their username, as @username",
        )
    for user_id in ids.values():
        found = policy.actor(conn, user_id)
        if found is None or not decide(found, Action.READ, case_id):
            raise InvalidInput(
                "a mentioned user may not read this case, so would never see the comment",
                where=where,
                hint="ask a coordinator to give them a role on the case, or leave the mention out",
            )
    return list(ids.values())


def write(
    conn: Connection, found: targets.Found, body: str, author_id: int | None, where: str
) -> ReviewComment:
    """Store one checked comment and record its custody event (in the caller's transaction)."""
    mentioned = _mentions(conn, body, found.case_id, where)
    agent_id = acting_agent(conn)
    row: dict[str, Any] = {
        "id": new_id(),
        "kind": found.kind,
        "target_id": found.id,
        "case_id": found.case_id,
        "agent_id": agent_id,
        "author_id": author_id,
        "body": body,
        "created_at": utc_timestamp(),
        "salt": secrets.token_bytes(16),
    }
    committed = {k: row[k] for k in ("id", "kind", "target_id", "author_id", "body", "created_at")}
    row["digest"] = commitment(row["salt"], committed)
    queries.insert_comment(conn, row, mentioned)
    detail = {"object": "review", "kind": found.kind, "id": found.id, "change": "comment",
              "comment": row["id"], "mentions": len(mentioned)}  # fmt: skip
    custody.record(conn, [event(found, agent_id, detail, record=row["digest"])])
    names = queries.usernames(conn, mentioned)
    author = queries.usernames(conn, [author_id]).get(author_id) if author_id else None
    return ReviewComment(
        row["id"], found.kind, found.id, author, body, row["created_at"],
        tuple(sorted(names.values())),
    )  # fmt: skip


def event(
    found: targets.Found, agent_id: int, detail: dict[str, Any], record: str | None = None
) -> custody.NewEvent:
    """The custody event of one review change on ``found`` (an item's names the item)."""
    return custody.NewEvent(
        CustodyEventType.METADATA_MODIFICATION,
        agent_id,
        case_id=found.case_id,
        item_id=found.id if found.kind == "item" else None,
        detail=detail,
        record=record,
    )


def comment(instance: Instance, target: tuple[str, str], body: str) -> ReviewComment:
    """Comment on an item or incident (the case's documenter role); @username mentions a user who may
    read the case, and puts it in their queue."""
    text = check_body(body)
    with recording(instance) as conn:
        (found,) = targets.resolve(conn, instance, [target], Action.DOCUMENT)
        return write(conn, found, text, who_acts(instance).user_id, "body")
