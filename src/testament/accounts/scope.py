"""Which case a record belongs to, and which cases a user may see (docs/accounts.md).

The web layer asks :func:`case_of` before it lets anyone act on a record by ID, and answers "not found"
when the user has no role on that case, so an ID from another case tells nothing about whether it exists.
Units, their commanders and situations belong to no case: they are shared reference data. What links
them to a case is shown only to those who may read that case: a unit's involvement in an incident is the
incident's case's, and a commander recorded as a person of a case is that case's. Services that show
shared records ask :func:`readable_cases` for the account acting now and :func:`readable` for each link.
"""

from __future__ import annotations

from sqlalchemy import Connection, Table, select

from testament.accounts.accounts import actor
from testament.custody.cases import case_id
from testament.custody.instance import Instance, acting_user
from testament.domain.access import Action, Actor, decide
from testament.errors import InvalidInput, NotFound
from testament.storage.engine import read_transaction
from testament.storage.tables import (
    assessment,
    case,
    casualty,
    element_link,
    evidence_item,
    incident,
    incident_relation,
    incident_source,
    item_incident,
    person,
    person_role,
    qualification,
    situation,
    source,
    unit,
    unit_commander,
    unit_involvement,
)
from testament.storage.tables import case as tables_case

OWN_CASE: dict[str, Table] = {
    "incident": incident,
    "source": source,
    "person": person,
    "evidence": evidence_item,
}
VIA_INCIDENT: dict[str, Table] = {
    "casualty": casualty,
    "incident_relation": incident_relation,
    "person_role": person_role,
    "unit_involvement": unit_involvement,
    "incident_source": incident_source,
    "qualification": qualification,
    "element_link": element_link,
}
VIA_ITEM: dict[str, Table] = {"item_incident": item_incident, "assessment": assessment}
SHARED: dict[str, Table] = {"unit": unit, "unit_commander": unit_commander, "situation": situation}
KINDS = frozenset(OWN_CASE) | frozenset(VIA_INCIDENT) | frozenset(VIA_ITEM) | frozenset(SHARED)


def case_of(connection: Connection, kind: str, record_id: str) -> str | None:
    """The case ID of record ``record_id`` of ``kind``; None for shared records. NotFound if absent.

    ``kind`` is a table name or the history's spelling of it (``person-role``).
    """
    kind = kind.replace("-", "_")
    if kind not in KINDS:
        raise InvalidInput(
            "unknown record kind", where=kind, errors={"kind": ", ".join(sorted(KINDS))}
        )
    found: object = None
    if kind in OWN_CASE:
        table = OWN_CASE[kind]
        found = connection.execute(select(table.c.case_id).where(table.c.id == record_id)).scalar()
    elif kind in VIA_INCIDENT or kind in VIA_ITEM:
        table, parent, link = (
            (VIA_INCIDENT[kind], incident, "incident_id")
            if kind in VIA_INCIDENT
            else (VIA_ITEM[kind], evidence_item, "item_id")
        )
        found = connection.execute(
            select(parent.c.case_id)
            .select_from(table.join(parent, table.c[link] == parent.c.id))
            .where(table.c.id == record_id)
        ).scalar()
    elif kind == "unit_commander":
        return _commander_case(connection, record_id)
    elif kind in SHARED:
        return None
    if found is None:
        raise NotFound(f"no {kind.replace('_', ' ')} has this ID", where=record_id)
    return str(found)


def _commander_case(connection: Connection, record_id: str) -> str | None:
    """A commander is shared with its unit, unless it records a person: then it is that person's case's."""
    row = connection.execute(
        select(person.c.case_id)
        .select_from(unit_commander.outerjoin(person, unit_commander.c.person_id == person.c.id))
        .where(unit_commander.c.id == record_id)
    ).first()
    if row is None:
        raise NotFound("no unit commander has this ID", where=record_id)
    return None if row.case_id is None else str(row.case_id)


def visible_cases(connection: Connection, who: Actor | None) -> set[str] | None:
    """The IDs of the cases ``who`` may read; None means every case (an administrator, or the CLI)."""
    if who is None or (who.is_admin and not who.disabled):
        return None
    if who.disabled:
        return set()
    known = {str(c) for c in connection.execute(select(case.c.id)).scalars()}
    return {cid for cid in known if decide(who, Action.READ, cid)}


def readable_cases(connection: Connection) -> set[str] | None:
    """The cases the account acting now (``instance.acting_user``) may read; None means every case.

    The CLI and the operator token act for no account and may read everything. An account that no
    longer exists may read nothing.
    """
    user_id = acting_user()
    if user_id is None:
        return None
    subject = actor(connection, user_id)
    return set() if subject is None else visible_cases(connection, subject)


def readable(connection: Connection, kind: str, record_id: str, cases: set[str] | None) -> bool:
    """Whether the record of ``kind`` lies in one of ``cases`` (from :func:`readable_cases`), or is
    shared. A record that does not exist is not readable."""
    if cases is None:
        return True
    try:
        found = case_of(connection, kind, record_id)
    except NotFound:
        return False
    return found is None or found in cases


def case_in_question(
    instance: Instance,
    *,
    case: str | None = None,
    kind: str | None = None,
    record_id: str | None = None,
) -> str | None:
    """The case an action is on: the case of the record ``kind``/``record_id``, else the case named
    ``case`` (refused as absent, with the error keyed by "case"), else None (shared reference data)."""
    with read_transaction(instance.engine) as conn:
        if kind is not None:
            return case_of(conn, kind, record_id or "")
        if case is None:
            return None
        try:
            return case_id(conn, case)
        except NotFound as exc:
            exc.errors.setdefault("case", exc.what)
            raise


def case_exists(instance: Instance, name: str) -> bool:
    """Whether a case has this name or ID."""
    with read_transaction(instance.engine) as conn:
        found = conn.execute(
            select(tables_case.c.id).where(
                (tables_case.c.name == name) | (tables_case.c.id == name)
            )
        ).first()
    return found is not None


def cases_visible_to(instance: Instance, who: Actor | None) -> set[str] | None:
    """:func:`visible_cases` in its own read transaction."""
    with read_transaction(instance.engine) as conn:
        return visible_cases(conn, who)
