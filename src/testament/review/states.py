"""The organisation's review states: what they are, in which order, and an administrator's changes.

An instance is one organisation, so its states are instance-wide. Until an administrator changes
them, they are :data:`DEFAULT_STATES`: new, in review, verified (a second person's), disputed. The
first state is where every item and incident starts. A state's code never changes once used (the
custody log names it); its labels, its place and its two flags may. Each change is a custody event
naming the state's code and the change, never its labels.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection

from testament.custody import custody, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType
from testament.domain.text import clean_text
from testament.errors import Conflict, InvalidInput
from testament.review import queries
from testament.review.results import ReviewState
from testament.storage.engine import lock_log, read_transaction

DEFAULT_STATES: tuple[ReviewState, ...] = (
    ReviewState("new", 1, "New", "Нове", second_person=False, queued=False),
    ReviewState("in-review", 2, "In review", "На перевірці", second_person=False, queued=True),
    ReviewState("verified", 3, "Verified", "Перевірено", second_person=True, queued=False),
    ReviewState("disputed", 4, "Disputed", "Оскаржено", second_person=False, queued=False),
)
CODE = re.compile(r"[a-z][a-z0-9-]{0,31}")


def current(conn: Connection) -> list[ReviewState]:
    """The states in order, the defaults when no administrator has changed them."""
    rows = queries.state_rows(conn)
    if not rows:
        return list(DEFAULT_STATES)
    return [
        ReviewState(
            r.code,
            r.position,
            r.label_en,
            r.label_uk,
            bool(r.second_person),
            bool(r.queued),
            r.label_ar,
        )
        for r in rows
    ]


def find(conn: Connection, code: str, *, where: str = "state") -> ReviewState:
    """The state with ``code``; an unknown one is refused, naming the codes there are."""
    listed = current(conn)
    for state in listed:
        if state.code == code:
            return state
    raise InvalidInput(
        "no review state has this code",
        where=where,
        errors={"state": "one of " + ", ".join(s.code for s in listed)},
        hint="see `testament review states`",
    )


def states(instance: Instance) -> list[ReviewState]:
    """The organisation's review states, in order (anyone signed in may read them)."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        return current(conn)


def _save(conn: Connection, listed: list[ReviewState], code: str, change: str) -> list[ReviewState]:
    ordered = [
        ReviewState(s.code, i, s.label_en, s.label_uk, s.second_person, s.queued, s.label_ar)
        for i, s in enumerate(listed, start=1)
    ]
    queries.replace_states(conn, [s.as_json() for s in ordered])
    event = custody.NewEvent(
        CustodyEventType.METADATA_MODIFICATION,
        acting_agent(conn),
        detail={"object": "review-state", "code": code, "change": change},
    )
    custody.record(conn, [event])
    return ordered


def _label(value: object, where: str, *, required: bool) -> str:
    return clean_text(value, "the label", where, required=required, field="label")


def set_state(
    instance: Instance,
    code: str,
    *,
    label_en: str,
    label_uk: str = "",
    second_person: bool = False,
    queued: bool = False,
    label_ar: str = "",
) -> list[ReviewState]:
    """Add the state ``code`` at the end, or change an existing one's labels and flags (administrators
    only); returns the states in order."""
    if not isinstance(code, str) or not CODE.fullmatch(code):
        raise InvalidInput(
            "a state's code is 1 to 32 lower-case letters, digits and hyphens, starting with a letter",
            where="code",
        )
    values: dict[str, Any] = {
        "label_en": _label(label_en, "label_en", required=True),
        "label_uk": _label(label_uk, "label_uk", required=False),
        "label_ar": _label(label_ar, "label_ar", required=False),
    }
    with recording(instance) as conn:
        policy.require_admin(conn, instance)
        lock_log(conn)  # the states read here are the ones replaced
        listed = current(conn)
        known = [s.code for s in listed]
        made = ReviewState(
            code,
            0,
            values["label_en"],
            values["label_uk"],
            second_person,
            queued,
            values["label_ar"],
        )
        if code in known:
            listed[known.index(code)] = made
            return _save(conn, listed, code, "edit")
        return _save(conn, [*listed, made], code, "add")


def move_state(instance: Instance, code: str, position: int) -> list[ReviewState]:
    """Put the state ``code`` at ``position`` (1 is first: where new items start); administrators only."""
    with recording(instance) as conn:
        policy.require_admin(conn, instance)
        lock_log(conn)  # the states read here are the ones replaced
        listed = current(conn)
        state = find(conn, code)
        if not isinstance(position, int) or not 1 <= position <= len(listed):
            raise InvalidInput(f"a position is a number from 1 to {len(listed)}", where="position")
        listed.remove(state)
        listed.insert(position - 1, state)
        return _save(conn, listed, code, "move")


def remove_state(instance: Instance, code: str) -> list[ReviewState]:
    """Remove a state no item or incident is in (administrators only); the first state stays."""
    with recording(instance) as conn:
        policy.require_admin(conn, instance)
        lock_log(conn)  # the states read here are the ones replaced
        listed = current(conn)
        state = find(conn, code)
        if listed[0].code == code:
            raise Conflict(
                "the first state is where every item starts: it cannot be removed",
                where=code,
                hint="move another state to position 1 first",
            )
        used = queries.targets_in_state(conn, code)
        if used:
            raise Conflict(
                f"{used} items and incidents are in this state",
                where=code,
                hint="move them to another state first",
            )
        listed.remove(state)
        return _save(conn, listed, code, "remove")
