"""Training attestations: which interviewers may interview children and survivors of sexual violence (MC-08).

Someone who may manage users (the admin role on some case, or an instance administrator) attests
that a user account completed training in a topic of the ``training-topics`` vocabulary; this module
records who did. An attestation holds from the day the training was attested until its last day
(``expires_at``, if any), unless it was revoked. :func:`holds` is what the testimony service asks
before recording a flagged interview (``domain/interview.TRAINING`` says which topics each flag
needs).

Recording and revoking an attestation is a ``role-change`` custody event naming the user's number, the
topic and the change, like a role on a case: it changes what the user may be assigned to do.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection

from testament.custody import custody, policy
from testament.custody.instance import Instance, acting_agent, recording, who_acts
from testament.domain.access import Action
from testament.domain.custody import CustodyEventType, utc_timestamp
from testament.errors import InvalidInput, NotFound
from testament.storage.engine import read_transaction
from testament.survivors.queries import training as queries
from testament.survivors.results import AttestationView
from testament.taxonomy import vocabulary

VOCABULARY = "training-topics"


def _day(text: str, where: str) -> str:
    try:
        return date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise InvalidInput("not a date", where=where, hint="write YYYY-MM-DD") from None


def _user_id(conn: Connection, username: str) -> int:
    found = _found(conn, username)
    if found is None:
        raise NotFound("no user has this username", where=username)
    return found


def _found(conn: Connection, username: str) -> int | None:
    return queries.user_id_named(conn, username)


def _event(conn: Connection, row_id: int, user_id: int, topic: str, change: str) -> None:
    detail = {
        "object": "training_attestation",
        "id": row_id,
        "user": user_id,
        "topic": topic,
        "change": change,
    }
    custody.record(
        conn, [custody.NewEvent(CustodyEventType.ROLE_CHANGE, acting_agent(conn), detail=detail)]
    )


def record(
    instance: Instance,
    username: str,
    topic: str,
    *,
    attested_on: str | None = None,
    expires_on: str | None = None,
) -> int:
    """Attest that ``username`` completed training in ``topic``; returns the attestation's number.

    ``attested_on`` is the day the training was completed (default today); ``expires_on`` its last day.
    """
    code = vocabulary.require_one(VOCABULARY, topic, where="--topic")
    today = datetime.now(UTC).date().isoformat()
    start = _day(attested_on, "--attested") if attested_on else today
    if start > today:
        raise InvalidInput(
            "training cannot be attested for a day still to come", where="--attested"
        )
    last = _day(expires_on, "--expires") if expires_on else None
    if last is not None and last < today:
        raise InvalidInput("the attestation would already have expired", where="--expires")
    attested_at = f"{start}T00:00:00.000000Z"  # from the start of that day (UTC)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.MANAGE_USERS)
        user_id = _user_id(conn, username)
        row_id = queries.insert_attestation(
            conn,
            {
                "user_id": user_id,
                "topic": code,
                "attested_at": attested_at,
                "expires_at": last,
                "recorded_by": acting_agent(conn),
            },
        )
        _event(conn, row_id, user_id, code, "attest")
    return row_id


def revoke(instance: Instance, username: str, topic: str) -> int:
    """Revoke ``username``'s unrevoked attestations in ``topic``; returns how many."""
    code = vocabulary.require_one(VOCABULARY, topic, where="--topic")
    with recording(instance) as conn:
        policy.require(conn, instance, Action.MANAGE_USERS)
        user_id = _user_id(conn, username)
        ids = queries.unrevoked(conn, user_id, code)
        if not ids:
            raise NotFound("the user holds no attestation in this topic", where="--topic")
        queries.revoke(conn, ids, utc_timestamp())
        for row_id in ids:
            _event(conn, row_id, user_id, code, "revoke")
    return len(ids)


def list_for_user(instance: Instance, username: str) -> list[AttestationView]:
    """Every attestation of ``username``, oldest first, with whether it holds today: for the account
    itself, or one that may manage users."""
    now = utc_timestamp()
    with read_transaction(instance.engine) as conn:
        found = _found(conn, username)
        if found is not None and found == who_acts(instance).user_id:
            policy.require_self_or_admin(conn, instance, found, reading=True)
        else:
            policy.require(conn, instance, Action.MANAGE_USERS)
        user_id = _user_id(conn, username)
        rows = queries.attestations_of(conn, user_id)
    return [AttestationView(**row, active=_live(row, now)) for row in rows]


def _live(row: Any, at: str) -> bool:
    return bool(
        row["revoked_at"] is None
        and row["attested_at"] <= at
        and (row["expires_at"] is None or at[:10] <= row["expires_at"])
    )


def active_topics(conn: Connection, user_id: int, at: str) -> frozenset[str]:
    """The topics in which the user holds an attestation at ``at`` (a UTC timestamp)."""
    rows = queries.topics_of(conn, user_id)
    return frozenset(row["topic"] for row in rows if _live(row, at))


def holds(conn: Connection, user_id: int, topic: str, at: str) -> bool:
    """Whether the user holds an unrevoked, unexpired attestation in ``topic`` at ``at`` (UTC)."""
    return topic in active_topics(conn, user_id, at)
