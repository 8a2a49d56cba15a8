"""Military and security units: their hierarchy, names in several scripts, commanders, and incidents.

Units are shared by every case of an instance (the same brigade appears in many investigations). A unit has
a parent (a unit is never its own ancestor), aliases (each a name with its ISO 15924 script and optional
language tag, since a unit is often known by a Cyrillic and a Latin name), commanders over date ranges,
and degrees of involvement in incidents (HURIDOCS MT18-like vocabulary ``degrees-of-involvement``).

What links a unit to a case is shown only to those who may read that case (docs/accounts.md): its
involvements in incidents of other cases are left out, and a commander recorded as a person of another
case shows no ``person_id``. The CLI, acting for no account, sees everything. Its fields are declared
in :data:`testament.documentation.kinds.UNIT`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from testament.accounts import scope
from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import records, repository
from testament.documentation.kinds import UNIT, alias
from testament.documentation.record_views import (
    Commander,
    Involvement,
    UnitListed,
    UnitRef,
    UnitView,
    made,
)
from testament.domain import dates
from testament.domain.access import Action
from testament.domain.text import clean_text
from testament.errors import Conflict, InvalidInput, NotFound
from testament.search import indexing
from testament.storage.engine import lock_log, read_transaction
from testament.taxonomy import vocabulary

KINDS = UNIT.history


def _matches(row: Mapping[Any, Any], wanted: str) -> bool:
    names = [row["name"], *(a["name"] for a in history.snapshot_value("aliases", row["aliases"]))]
    return any(name.casefold() == wanted for name in names)


def unit_id(connection: Connection, ref: str) -> str:
    """The ID of the live unit with this ID, name or alias (case-insensitive); refuses ambiguous names."""
    if repository.live_unit(connection, ref):
        return ref
    wanted = ref.strip().casefold()
    found = sorted(str(r["id"]) for r in repository.unit_names(connection) if _matches(r, wanted))
    if not found:
        raise NotFound(
            "no unit has this ID, name or alias", where=ref, hint="see `testament unit list`"
        )
    if len(found) > 1:
        raise InvalidInput(
            "several units have this name or alias",
            where=ref,
            hint=f"use an ID: {', '.join(found)}",
        )
    return found[0]


def resolve(instance: Instance, ref: str) -> str:
    """The ID of the live unit with this ID, name or alias."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        return unit_id(conn, ref)


def _check_parent(
    connection: Connection, record_id: str | None, parent_ref: str | None
) -> str | None:
    """The parent's ID, refusing a parent that would make the unit its own ancestor."""
    if not parent_ref:
        return None
    parent = unit_id(connection, parent_ref)
    seen: set[str] = set()
    cursor: str | None = parent
    while cursor is not None and cursor not in seen:
        if cursor == record_id:
            raise InvalidInput(
                "a unit cannot be its own ancestor",
                where=f"unit {record_id}, parent {parent}",
                hint="choose a parent that is not this unit or one of its sub-units",
            )
        seen.add(cursor)
        cursor = repository.parent_of(connection, cursor)
    return parent


def create(
    instance: Instance,
    name: str,
    *,
    parent: str | None = None,
    aliases: Sequence[Mapping[str, Any]] = (),
    **given: Any,
) -> str:
    """Record a unit (``parent``: a unit's ID, name or alias); returns the ID."""
    given |= {"name": name, "parent": parent, "aliases": aliases}
    return records.create(
        instance,
        UNIT,
        None,
        given,
        complete=lambda conn, _, values: values | {"parent_id": _check_parent(conn, None, parent)},
    )


def edit(
    instance: Instance, ref: str, changes: Mapping[str, Any], *, expected_version: int | None = None
) -> int:
    """Change a unit's fields (``parent`` by reference, ``None`` for none); returns the version."""

    def complete(conn: Connection, record_id: str | None, values: dict[str, Any]) -> dict[str, Any]:
        if "parent" in changes:
            values["parent_id"] = _check_parent(conn, record_id, changes["parent"])
        return values

    return records.edit(
        instance,
        UNIT,
        ref,
        changes,
        expected_version=expected_version,
        resolve=unit_id,
        complete=complete,
        then=_refresh_incidents,
    )


def add_alias(instance: Instance, ref: str, name: str, script: str, lang: str | None = None) -> int:
    """Add a name a unit is known by; returns the unit's version."""
    entry = alias(name, script, lang, where=ref)
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT)
        record_id = unit_id(conn, ref)
        known = history.snapshot("unit", history.current(conn, "unit", record_id))["aliases"]
        # Lookup by name ignores case, so an alias differing only in case would add nothing findable.
        if any(a["name"].casefold() == entry["name"].casefold() for a in known):
            raise Conflict("the unit already has this alias", where=record_id)
        changes = {"aliases": [*known, entry]}
        version = history.update(conn, "unit", record_id, changes, agent_id=acting_agent(conn))
        _refresh_incidents(conn, record_id)
        return version


def _refresh_incidents(connection: Connection, record_id: str) -> None:
    """Incidents are found by the names of their units, so a unit's change reaches their index."""
    linked = repository.incidents_involving(connection, record_id)
    indexing.refresh(connection, "incident", sorted(set(linked)))


def _has_no_sub_units(connection: Connection, record_id: str) -> None:
    if repository.live_rows(connection, "unit", "parent_id", record_id):
        raise Conflict(
            "this unit has sub-units",
            where=record_id,
            hint="give them another parent, or delete them, first",
        )


def delete(instance: Instance, ref: str, *, expected_version: int | None = None) -> int:
    """Mark a unit deleted; refused while it has sub-units."""
    return records.delete(
        instance,
        UNIT,
        ref,
        expected_version=expected_version,
        resolve=unit_id,
        refuse=_has_no_sub_units,
        then=_refresh_incidents,
    )


def _day_bound(text: str, where: str, *, latest: bool) -> str | None:
    parsed = dates.parse(text, where=where)
    bound = parsed.end if latest else parsed.start
    return bound[:10] if bound else None


def add_commander(
    instance: Instance,
    ref: str,
    *,
    name: str,
    rank: str = "",
    person_id: str | None = None,
    from_date: str = "",
    to_date: str = "",
    note: str = "",
) -> str:
    """Record who commanded a unit from one date to another (either may be unknown)."""
    start = _day_bound(from_date, "--from", latest=False)
    end = _day_bound(to_date, "--to", latest=True)
    if start and end and end < start:
        raise InvalidInput("the command ends before it starts", where=f"{from_date} – {to_date}")
    values = {
        "name": clean_text(name, "the commander's name", "--name", required=True, field="name"),
        "rank": clean_text(rank, "the rank", "--rank", field="rank"),
        "person_id": person_id,
        "from_date": start,
        "to_date": end,
        "note": clean_text(note, "the note", "--note"),
    }
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT)
        if person_id is not None:  # the commander is then a record of the person's case
            policy.require(conn, instance, Action.DOCUMENT, kind="person", record_id=person_id)
        values["unit_id"] = unit_id(conn, ref)
        if person_id is not None:
            history.current(conn, "person", person_id)
        return history.create(conn, "unit-commander", values, agent_id=acting_agent(conn))


def involve(instance: Instance, ref: str, incident_id: str, degree: str, note: str = "") -> str:
    """Record a unit's degree of involvement in an incident (degrees-of-involvement vocabulary)."""
    values = {
        "incident_id": incident_id,
        "degree": vocabulary.require_one("degrees-of-involvement", degree, where="--degree"),
        "note": clean_text(note, "the note", "--note"),
    }
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT, kind="incident", record_id=incident_id)
        values["unit_id"] = unit_id(conn, ref)
        history.current(conn, "incident", incident_id)
        lock_log(conn)  # no constraint backs this check: it holds until commit
        duplicate = repository.live_link(
            conn,
            "unit-involvement",
            unit_id=values["unit_id"],
            incident_id=incident_id,
            degree=values["degree"],
        )
        if duplicate is not None:
            raise Conflict(
                "this involvement of the unit in the incident is already recorded",
                where=duplicate,
            )
        involvement = history.create(conn, "unit-involvement", values, agent_id=acting_agent(conn))
        indexing.refresh(conn, "incident", [incident_id])
        return involvement


def _links(conn: Connection, data: dict[str, Any], cases: set[str] | None) -> dict[str, Any]:
    """A unit's parent, sub-units, commanders (by start date) and the involvements ``cases`` show."""
    parent = data["parent_id"]
    commanders = repository.live_rows(conn, "unit-commander", "unit_id", data["id"])
    commanders.sort(key=lambda c: (c["from_date"] or "", c["created_at"]))
    involved = repository.live_rows(conn, "unit-involvement", "unit_id", data["id"])
    return {
        "parent": UnitRef(parent, history.current(conn, "unit", parent, deleted=True)["name"])
        if parent
        else None,
        "units": [
            UnitRef(u["id"], u["name"])
            for u in repository.live_rows(conn, "unit", "parent_id", data["id"])
        ],
        "commanders": [
            made(Commander, commander_seen(conn, records.public("unit-commander", c), cases))
            for c in commanders
        ],
        "incidents": [
            made(Involvement, records.public("unit-involvement", i))
            for i in involved
            if scope.readable(conn, "incident", i["incident_id"], cases)
        ],
    }


def show(instance: Instance, ref: str) -> UnitView:
    """A unit with its parent, sub-units, commanders (by start date) and involvements."""
    return records.show(
        instance,
        UNIT,
        ref,
        lambda conn, data: _links(conn, data, scope.readable_cases(conn, instance)),
        resolve=unit_id,
    )


def commander_seen(
    connection: Connection, commander: dict[str, Any], cases: set[str] | None
) -> dict[str, Any]:
    """A commander as someone who may read ``cases`` sees it: no ``person_id`` of another case."""
    person = commander.get("person_id")
    if person and not scope.readable(connection, "person", person, cases):
        return commander | {"person_id": None}
    return commander


def list_units(instance: Instance, *, limit: int = 100, offset: int = 0) -> list[UnitListed]:
    """Live units by name, each with its parent's ID and its aliases."""

    def rows(conn: Connection, _: str | None) -> list[dict[str, Any]]:
        found = repository.units_page(conn, limit=limit, offset=offset)
        return [r | {"aliases": history.snapshot_value("aliases", r["aliases"])} for r in found]

    return records.listed(instance, UNIT, None, rows)


def _by_id_or_name(connection: Connection, ref: str) -> str:
    """A unit's ID, deleted or not, or the live unit this name or alias names."""
    return ref if repository.exists(connection, "unit", ref) else unit_id(connection, ref)


def versions(instance: Instance, record_id: str, kind: str = "unit") -> list[history.Version]:
    """Every version of a unit (by ID, name or alias), a commander or an involvement, oldest first."""
    return records.versions(instance, UNIT, record_id, kind, resolve=_by_id_or_name)
