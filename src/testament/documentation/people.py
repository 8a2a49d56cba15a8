"""People in a case, and the roles they hold in its incidents (victim, witness, alleged perpetrator …).

A person record holds as little as possible: a *label* (a pseudonym, or a public figure's public name) and a
description (:data:`testament.documentation.kinds.PERSON`). Real identities of survivors and witnesses
belong in the encrypted identity vault, never here. The same person can hold different roles in different
incidents; each role is its own versioned record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import records, repository
from testament.documentation.kinds import PERSON
from testament.documentation.record_views import PersonListed, PersonRole, PersonView, made
from testament.domain.access import Action
from testament.domain.text import clean_text
from testament.errors import Conflict, InvalidInput
from testament.search import indexing
from testament.storage.engine import lock_log
from testament.taxonomy import vocabulary

KINDS = PERSON.history


def create(
    instance: Instance, case_name: str, label: str, description: str = "", **more: Any
) -> str:
    """Record a person in a case under a label (a pseudonym or a public name); returns the ID."""
    given = {"label": label, "description": description, **more}
    return records.create(instance, PERSON, case_name, given, then=records.refresh_index(PERSON))


def edit(
    instance: Instance,
    person_id: str,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> int:
    """Change a person's label or description; returns the version."""
    return records.edit(
        instance,
        PERSON,
        person_id,
        changes,
        expected_version=expected_version,
        then=records.refresh_index(PERSON),
    )


def _holds_no_roles(conn: Connection, person_id: str) -> None:
    history.current(conn, "person", person_id)
    if repository.live_rows(conn, "person-role", "person_id", person_id):
        raise Conflict(
            "this person still holds roles in incidents",
            where=person_id,
            hint="remove them first with `testament person role remove ROLE_ID`",
        )


def delete(instance: Instance, person_id: str, *, expected_version: int | None = None) -> int:
    """Mark a person deleted; refused while they still hold a role (remove the roles first)."""
    return records.delete(
        instance,
        PERSON,
        person_id,
        expected_version=expected_version,
        refuse=_holds_no_roles,
        then=records.refresh_index(PERSON),
    )


def _roles(conn: Connection, data: dict[str, Any]) -> dict[str, Any]:
    roles = repository.live_rows(conn, "person-role", "person_id", data["id"])
    return {"roles": [made(PersonRole, records.public("person-role", role)) for role in roles]}


def show(instance: Instance, person_id: str) -> PersonView:
    """A person with the live roles they hold, oldest first."""
    return records.show(instance, PERSON, person_id, _roles)


def list_for_case(
    instance: Instance, case_name: str, *, limit: int = 100, offset: int = 0
) -> list[PersonListed]:
    """A case's live people, by label."""
    return records.listed(
        instance,
        PERSON,
        case_name,
        lambda conn, case_id: repository.people_of_case(
            conn, str(case_id), limit=limit, offset=offset
        ),
    )


def _check_role(conn: Connection, person: Mapping[str, Any], values: Mapping[str, Any]) -> None:
    incident = history.current(conn, "incident", values["incident_id"])
    if incident["case_id"] != person["case_id"]:
        raise InvalidInput(
            "the person and the incident are in different cases",
            where=f"person {person['id']}, incident {incident['id']}",
            hint="a role links a person to an incident of the person's own case",
        )
    lock_log(conn)  # no constraint backs this check: it holds until commit
    duplicate = repository.live_link(
        conn,
        "person-role",
        person_id=values["person_id"],
        incident_id=values["incident_id"],
        role=values["role"],
    )
    if duplicate is not None:
        raise Conflict(
            f"this person already holds the role {values['role']!r} in this incident",
            where=duplicate,
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
    return records.versions(instance, PERSON, record_id, kind)
