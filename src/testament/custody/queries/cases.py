"""Cases' and situations' SQL (:mod:`testament.custody.cases`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, insert, select, update

from testament.storage import tables
from testament.storage.tables import case, case_situation, incident, situation


def situation_named(connection: Connection, name: str) -> str | None:
    """The ID of the undeleted situation called ``name`` (or with that ID)."""
    found = connection.execute(
        select(situation.c.id).where(
            ((situation.c.name == name) | (situation.c.id == name))
            & situation.c.deleted_at.is_(None)
        )
    ).scalar()
    return None if found is None else str(found)


def situation_with_name(connection: Connection, name: str) -> str | None:
    """The ID of a situation called exactly ``name``, deleted or not."""
    found = connection.execute(select(situation.c.id).where(situation.c.name == name)).scalar()
    return None if found is None else str(found)


def case_with_name(connection: Connection, name: str) -> str | None:
    """The ID of the case called exactly ``name``."""
    found = connection.execute(select(case.c.id).where(case.c.name == name)).scalar()
    return None if found is None else str(found)


def insert_case(connection: Connection, row: Mapping[str, Any]) -> None:
    connection.execute(insert(case).values(**row))


def remove_situation_of(connection: Connection, case_id: str) -> None:
    connection.execute(case_situation.delete().where(case_situation.c.case_id == case_id))


def insert_case_situation(connection: Connection, case_id: str, situation_id: str) -> None:
    connection.execute(insert(case_situation).values(case_id=case_id, situation_id=situation_id))


def case_summaries(connection: Connection, only: set[str] | None) -> list[dict[str, Any]]:
    """Each case (of ``only``, if given) by name: its ID, name, situation's name, number of undeleted
    incidents (``n``, None for none) and when it was closed."""
    counts = (
        select(incident.c.case_id, func.count().label("n"))
        .where(incident.c.deleted_at.is_(None))
        .group_by(incident.c.case_id)
        .subquery()
    )
    query = (
        select(
            case.c.id,
            case.c.name,
            situation.c.name.label("situation"),
            counts.c.n,
            case.c.closed_at,
        )
        .outerjoin(case_situation, case_situation.c.case_id == case.c.id)
        .outerjoin(situation, situation.c.id == case_situation.c.situation_id)
        .outerjoin(counts, counts.c.case_id == case.c.id)
        .order_by(case.c.name)
    )
    if only is not None:
        query = query.where(case.c.id.in_(sorted(only)))
    return [dict(r) for r in connection.execute(query).mappings()]


def live_situations(connection: Connection) -> list[dict[str, Any]]:
    """The undeleted situations' rows, by name."""
    query = select(situation).where(situation.c.deleted_at.is_(None)).order_by(situation.c.name)
    return [dict(r) for r in connection.execute(query).mappings()]


def conflict_of_case(connection: Connection, case_id: str) -> tuple[str, Any] | None:
    """The stored conflict characterisation and amendments of a case's situation, if it has one."""
    row = connection.execute(
        select(situation.c.conflict, situation.c.amendments)
        .join(case_situation, case_situation.c.situation_id == situation.c.id)
        .where(case_situation.c.case_id == case_id)
    ).first()
    return None if row is None else (str(row.conflict), row.amendments)


# A case cannot close while the urgent needs of its people wait (Murad Code MC-05). The rule is the
# case's, so its query is custody's; survivors' needs pages read it too.
def unaddressed_urgent() -> ColumnElement[bool]:
    """A support need that is urgent and not yet addressed."""
    n = tables.support_need
    return and_(n.c.urgency == "urgent", n.c.addressed_at.is_(None))


def open_urgent_needs(connection: Connection, case_id: str) -> list[str]:
    """The IDs of the unaddressed urgent needs of the case's (undeleted) people, oldest first."""
    n, p = tables.support_need, tables.person
    query = (
        select(n.c.id)
        .join(p, p.c.id == n.c.person_id)
        .where(p.c.case_id == case_id, p.c.deleted_at.is_(None), unaddressed_urgent())
        .order_by(n.c.assessed_at, n.c.id)
    )
    return [str(need_id) for need_id in connection.execute(query).scalars()]


def closed_at(connection: Connection, case_id: str) -> str | None:
    found = connection.execute(select(case.c.closed_at).where(case.c.id == case_id)).scalar()
    return None if found is None else str(found)


def set_closed_at(connection: Connection, case_id: str, when: str | None) -> None:
    connection.execute(update(case).where(case.c.id == case_id).values(closed_at=when))
