"""What the policy reads (:mod:`testament.custody.policy`): the account's flags and active roles, and
which case a record belongs to."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, Select, Table, bindparam, or_, select

from testament.storage.tables import (
    assessment,
    case,
    case_role,
    casualty,
    element_link,
    evidence_item,
    incident,
    incident_relation,
    incident_source,
    item_external_id,
    item_incident,
    person,
    person_role,
    qualification,
    record_tag,
    situation,
    source,
    unit,
    unit_commander,
    unit_involvement,
    unit_placement,
    user_account,
)

# --- The account ------------------------------------------------------------------------------------


def account_query(credential: Table | None = None) -> Select[Any]:
    """One statement for an account's flags, username and active roles (one row per role), optionally
    joined from a credential table (its ``token_hash`` is the parameter). Every request asks, so the
    statements are built once and only executed afterwards."""
    active = case_role.c.revoked_at.is_(None) & (case_role.c.user_id == user_account.c.id)
    account = [
        user_account.c.id.label("account_id"),
        user_account.c.is_admin,
        user_account.c.disabled_at,
        user_account.c.username,
        case_role.c.case_id,
        case_role.c.role,
    ]
    if credential is None:
        return select(*account).select_from(user_account.outerjoin(case_role, active))
    joined = credential.join(user_account, user_account.c.id == credential.c.user_id)
    return (
        select(credential, *account)
        .select_from(joined.outerjoin(case_role, active))
        .where(credential.c.token_hash == bindparam("token_hash"))
    )


_ACCOUNT = account_query()


def account_rows(connection: Connection, user_id: int) -> list[Row[Any]]:
    """The rows of :func:`account_query` for the account ``user_id`` (none: no such account)."""
    return list(connection.execute(_ACCOUNT.where(user_account.c.id == user_id)).all())


# --- Which case a record belongs to -------------------------------------------------------------------

OWN_CASE: dict[str, Table] = {
    "incident": incident,
    "source": source,
    "person": person,
    "evidence": evidence_item,
    "record_tag": record_tag,
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
VIA_ITEM: dict[str, Table] = {
    "item_incident": item_incident,
    "assessment": assessment,
    "item_external_id": item_external_id,
}
SHARED: dict[str, Table] = {
    "unit": unit,
    "unit_commander": unit_commander,
    "unit_placement": unit_placement,
    "situation": situation,
}


def own_case(connection: Connection, kind: str, record_id: str) -> object:
    """The case column of a record of an :data:`OWN_CASE` kind (None: no such record)."""
    table = OWN_CASE[kind]
    return connection.execute(select(table.c.case_id).where(table.c.id == record_id)).scalar()


def parent_case(connection: Connection, kind: str, record_id: str) -> object:
    """The case of the incident or item a record of a :data:`VIA_INCIDENT` or :data:`VIA_ITEM` kind
    hangs from (None: no such record)."""
    table, parent, link = (
        (VIA_INCIDENT[kind], incident, "incident_id")
        if kind in VIA_INCIDENT
        else (VIA_ITEM[kind], evidence_item, "item_id")
    )
    return connection.execute(
        select(parent.c.case_id)
        .select_from(table.join(parent, table.c[link] == parent.c.id))
        .where(table.c.id == record_id)
    ).scalar()


def commander_case(connection: Connection, record_id: str) -> tuple[bool, str | None]:
    """Whether the unit commander exists, and the case of the person it records (None: no person)."""
    row = connection.execute(
        select(person.c.case_id)
        .select_from(unit_commander.outerjoin(person, unit_commander.c.person_id == person.c.id))
        .where(unit_commander.c.id == record_id)
    ).first()
    if row is None:
        return False, None
    return True, None if row.case_id is None else str(row.case_id)


def case_named(connection: Connection, name: str) -> str | None:
    """The ID of the case called ``name`` (or with that ID)."""
    found = connection.execute(
        select(case.c.id).where(or_(case.c.name == name, case.c.id == name))
    ).scalar()
    return None if found is None else str(found)
