"""People in a case, and the roles they hold in its incidents (victim, witness, alleged perpetrator …).

A person record holds as little as possible: a *label* (a pseudonym, or a public figure's public name) and a
description. Real identities of survivors and witnesses belong in the encrypted identity vault, never here.
The same person can hold different roles in different incidents; each role is its own versioned record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain.access import Action
from testament.domain.text import clean_text
from testament.errors import Conflict, InvalidInput
from testament.search import indexing
from testament.storage import tables
from testament.storage.engine import lock_log, read_transaction
from testament.taxonomy import vocabulary

KINDS = ("person", "person-role")
EDITABLE = ("label", "description")


def _fields(values: Mapping[str, Any], where: str | None) -> dict[str, str]:
    """Checked label and description; ``where`` names the record, or (when None) each field's option."""
    unknown = sorted(set(values) - set(EDITABLE))
    if unknown:
        raise InvalidInput(f"a person has no field {', '.join(unknown)}", where=where)
    checked: dict[str, str] = {}
    if "label" in values:
        checked["label"] = clean_text(
            values["label"], "the label", where or "--label", required=True, field="label"
        )
    if "description" in values:
        checked["description"] = clean_text(
            values["description"], "the description", where or "--description"
        )
    return checked


def create(instance: Instance, case_name: str, label: str, description: str = "") -> str:
    """Record a person in a case under a label (a pseudonym or a public name); returns the ID."""
    values = _fields({"label": label, "description": description}, None)
    with recording(instance) as conn:
        cid = policy.require(conn, instance, Action.DOCUMENT, case=case_name)
        values_with_case = {"case_id": cid} | values
        new_id = history.create(conn, "person", values_with_case, agent_id=acting_agent(conn))
        indexing.refresh(conn, "person", [new_id])
        return new_id


def edit(
    instance: Instance,
    person_id: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> int:
    """Change a person's label or description; returns the version."""
    checked = _fields(changes, person_id)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="person", record_id=person_id)
        version = history.update(
            conn,
            "person",
            person_id,
            checked,
            agent_id=acting_agent(conn),
            expected_version=expected_version,
        )
        indexing.refresh(conn, "person", [person_id])
        return version


def _live(connection: Connection, table: Any, column: str, value: str) -> list[dict[str, Any]]:
    query = select(table).where(table.c[column] == value, table.c.deleted_at.is_(None))
    return [dict(r) for r in connection.execute(query.order_by(table.c.created_at)).mappings()]


def delete(instance: Instance, person_id: str, *, expected_version: int | None = None) -> int:
    """Mark a person deleted; refused while they still hold a role (remove the roles first)."""
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="person", record_id=person_id)
        history.current(conn, "person", person_id)
        if _live(conn, tables.person_role, "person_id", person_id):
            raise Conflict(
                "this person still holds roles in incidents",
                where=person_id,
                hint="remove them first with `testament person role remove ROLE_ID`",
            )
        version = history.delete(
            conn,
            "person",
            person_id,
            agent_id=acting_agent(conn),
            expected_version=expected_version,
        )
        indexing.refresh(conn, "person", [person_id])
        return version


def _public(kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    return history.snapshot(kind, row) | {
        "version": row["version"],
        "updated_at": row["updated_at"],
    }


def show(instance: Instance, person_id: str) -> dict[str, Any]:
    """A person with the live roles they hold, oldest first."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind="person", record_id=person_id)
        data = _public("person", history.current(conn, "person", person_id))
        roles = _live(conn, tables.person_role, "person_id", person_id)
        data["roles"] = [_public("person-role", role) for role in roles]
        return data


def list_for_case(
    instance: Instance, case_name: str, *, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """A case's live people, by label."""
    t = tables.person
    with read_transaction(instance.engine) as conn:
        cid = policy.require(conn, instance, Action.READ, case=case_name)
        query = (
            select(t.c.id, t.c.label, t.c.version)
            .where(t.c.case_id == cid, t.c.deleted_at.is_(None))
            .order_by(t.c.label, t.c.id)
            .limit(limit)
            .offset(offset)
        )
        return [dict(r._mapping) for r in conn.execute(query)]


def _check_role(
    connection: Connection, person: Mapping[str, Any], values: Mapping[str, Any]
) -> None:
    incident = history.current(connection, "incident", values["incident_id"])
    if incident["case_id"] != person["case_id"]:
        raise InvalidInput(
            "the person and the incident are in different cases",
            where=f"person {person['id']}, incident {incident['id']}",
            hint="a role links a person to an incident of the person's own case",
        )
    t = tables.person_role
    lock_log(connection)  # no constraint backs this check: it holds until commit
    duplicate = connection.execute(
        select(t.c.id).where(
            t.c.person_id == values["person_id"],
            t.c.incident_id == values["incident_id"],
            t.c.role == values["role"],
            t.c.deleted_at.is_(None),
        )
    ).scalar()
    if duplicate is not None:
        raise Conflict(
            f"this person already holds the role {values['role']!r} in this incident",
            where=str(duplicate),
            hint="edit the note of that role instead",
        )


def add_role(
    instance: Instance, person_id: str, incident_id: str, role: str, note: str = ""
) -> str:
    """Give a person a role (person-roles vocabulary) in an incident of the same case."""
    values = {
        "person_id": person_id,
        "incident_id": incident_id,
        "role": vocabulary.require_one("person-roles", role, where="--role"),
        "note": clean_text(note, "the note", "--note"),
    }
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="person", record_id=person_id)
        policy.require(conn, instance, Action.DOCUMENT, kind="incident", record_id=incident_id)
        person = history.current(conn, "person", person_id)
        _check_role(conn, person, values)
        new_id = history.create(conn, "person-role", values, agent_id=acting_agent(conn))
        indexing.refresh(conn, "person", [person_id])
        return new_id


def remove_role(instance: Instance, role_id: str, *, expected_version: int | None = None) -> int:
    """Mark a role deleted (its versions stay); returns the version."""
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="person_role", record_id=role_id)
        role = history.current(conn, "person-role", role_id)
        version = history.delete(
            conn,
            "person-role",
            role_id,
            agent_id=acting_agent(conn),
            expected_version=expected_version,
        )
        indexing.refresh(conn, "person", [role["person_id"]])
        return version


def versions(instance: Instance, record_id: str, kind: str = "person") -> list[history.Version]:
    """Every version of a person or a role, oldest first."""
    if kind not in KINDS:
        raise InvalidInput(
            f"{kind!r} is not a kind of people record", hint=f"use {', '.join(KINDS)}"
        )
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ, kind=kind, record_id=record_id)
        return history.versions(conn, kind, record_id)
