"""Interviews: risk assessments, testimonies and their facts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select, update

from testament.storage import recordings, tables


def insert_assessment(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(tables.risk_assessment).values(**values))


def assessment(conn: Connection, assessment_id: str) -> dict[str, Any] | None:
    """A risk assessment as stored."""
    t = tables.risk_assessment
    row = conn.execute(select(t).where(t.c.id == assessment_id)).mappings().first()
    return None if row is None else dict(row)


def latest_assessment(conn: Connection, person_id: str) -> dict[str, Any] | None:
    """The person's latest assessment: ID, flags, decision, override reason and when (no texts)."""
    t = tables.risk_assessment
    row = conn.execute(
        select(t.c.id, t.c.flags, t.c.decision, t.c.override_reason, t.c.assessed_at)
        .where(t.c.person_id == person_id)
        .order_by(t.c.assessed_at.desc(), t.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else dict(row._mapping)


def case_name(conn: Connection, case_id: str) -> str:
    return str(
        conn.execute(select(tables.case.c.name).where(tables.case.c.id == case_id)).scalar_one()
    )


def testimonies_in_brief(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    """The person's testimonies, oldest first: ID, start, time zone, whether nothing was promised,
    and the interviewer's username (``username``)."""
    t, u = tables.testimony, tables.user_account
    rows = conn.execute(
        select(t.c.id, t.c.started_at, t.c.timezone, t.c.nothing_promised, u.c.username)
        .join(u, u.c.id == t.c.interviewer_id)
        .where(t.c.person_id == person_id)
        .order_by(t.c.started_at, t.c.id)
    )
    return [dict(r._mapping) for r in rows]


def earlier_accounts(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    """The person's testimonies, oldest first: ID, start and interviewer."""
    t, u = tables.testimony, tables.user_account
    rows = conn.execute(
        select(t.c.id, t.c.started_at, u.c.username.label("interviewer"))
        .join(u, u.c.id == t.c.interviewer_id)
        .where(t.c.person_id == person_id)
        .order_by(t.c.started_at, t.c.id)
    ).mappings()
    return [dict(row) for row in rows]


def item_case(conn: Connection, item_id: str) -> str | None:
    """The case of an evidence item."""
    t = tables.evidence_item
    found = conn.execute(select(t.c.case_id).where(t.c.id == item_id)).scalar()
    return None if found is None else str(found)


def insert_testimony(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(tables.testimony).values(**values))


def insert_facts(conn: Connection, rows: list[dict[str, Any]]) -> None:
    conn.execute(insert(tables.testimony_fact), rows)


def set_intended_use(conn: Connection, testimony_id: str, purpose: str, recipient: str) -> None:
    t = tables.testimony
    conn.execute(
        update(t)
        .where(t.c.id == testimony_id)
        .values(intended_use=purpose, intended_recipient=recipient)
    )


def testimony(conn: Connection, testimony_id: str) -> dict[str, Any] | None:
    """A testimony as stored, with the interviewer's username (``interviewer``)."""
    t, u = tables.testimony, tables.user_account
    row = (
        conn.execute(
            select(t, u.c.username.label("interviewer"))
            .join(u, u.c.id == t.c.interviewer_id)
            .where(t.c.id == testimony_id)
        )
        .mappings()
        .first()
    )
    return None if row is None else dict(row)


def facts(conn: Connection, testimony_id: str) -> list[dict[str, Any]]:
    """A testimony's facts in order: position, knowledge and the sealed statement."""
    f = tables.testimony_fact
    rows = conn.execute(
        select(f.c.position, f.c.knowledge, f.c.statement_sealed)
        .where(f.c.testimony_id == testimony_id)
        .order_by(f.c.position)
    ).mappings()
    return [dict(r) for r in rows]


def person_of(conn: Connection, testimony_id: str) -> str | None:
    """The ID of the person who gave the testimony."""
    t = tables.testimony
    found = conn.execute(select(t.c.person_id).where(t.c.id == testimony_id)).scalar()
    return None if found is None else str(found)


def first_with_recording(conn: Connection, item_id: str) -> str | None:
    """The first testimony recorded whose recording is this evidence item, or the item it was derived
    from (a keyframe of a recorded interview is held to the recording's rules)."""
    t = tables.testimony
    held = recordings.recording_of(conn, [item_id]).get(item_id, set())
    if not held:
        return None
    found = conn.execute(
        select(t.c.id)
        .where(t.c.recording_item_id.in_(sorted(held)))
        .order_by(t.c.recorded_at, t.c.id)
        .limit(1)
    ).scalar()
    return None if found is None else str(found)


def testimonies_of(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    """The person's testimonies, oldest first: their metadata in brief, never their words."""
    t, u = tables.testimony, tables.user_account
    rows = conn.execute(
        select(
            t.c.id,
            t.c.started_at,
            t.c.ended_at,
            t.c.timezone,
            t.c.language,
            u.c.username.label("interviewer"),
            t.c.risk_assessment_id,
            t.c.recording_item_id,
            t.c.recorded_at,
        )
        .join(u, u.c.id == t.c.interviewer_id)
        .where(t.c.person_id == person_id)
        .order_by(t.c.started_at, t.c.id)
    ).mappings()
    return [dict(row) for row in rows]


def testimonies_of_case(conn: Connection, case_id: str) -> list[dict[str, Any]]:
    """Every testimony of the case's people as stored, with the interviewer's username, oldest first."""
    t, u, p = tables.testimony, tables.user_account, tables.person
    rows = conn.execute(
        select(t, u.c.username.label("interviewer"))
        .join(u, u.c.id == t.c.interviewer_id)
        .join(p, p.c.id == t.c.person_id)
        .where(p.c.case_id == case_id)
        .order_by(t.c.started_at, t.c.id)
    ).mappings()
    return [dict(row) for row in rows.all()]


def interviewed(conn: Connection) -> set[str]:
    """The IDs of every person who has given a testimony."""
    return set(conn.execute(select(tables.testimony.c.person_id)).scalars())


def interviews_in_brief(conn: Connection, person_id: str) -> list[dict[str, Any]]:
    """The person's interviews by start: ID, start and interviewer."""
    t, u = tables.testimony, tables.user_account
    return [
        {"id": r.id, "started_at": r.started_at, "interviewer": r.username}
        for r in conn.execute(
            select(t.c.id, t.c.started_at, u.c.username)
            .join(u, u.c.id == t.c.interviewer_id)
            .where(t.c.person_id == person_id)
            .order_by(t.c.started_at)
        )
    ]
