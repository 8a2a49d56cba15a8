"""Military and security units: their hierarchy, names in several scripts, commanders, and incidents.

Units are shared by every case of an instance (the same brigade appears in many investigations). A unit has
a parent (a unit is never its own ancestor), aliases (each a name with its ISO 15924 script and optional
language tag, since a unit is often known by a Cyrillic and a Latin name), commanders over date ranges,
and degrees of involvement in incidents (HURIDOCS MT18-like vocabulary ``degrees-of-involvement``).

What links a unit to a case is shown only to those who may read that case (docs/accounts.md): its
involvements in incidents of other cases are left out, and a commander recorded as a person of another
case shows no ``person_id``. The CLI, acting for no account, sees everything.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, select

from testament.accounts import scope
from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.domain import dates
from testament.domain.access import Action
from testament.domain.text import clean_text
from testament.errors import Conflict, InvalidInput, NotFound
from testament.search import indexing
from testament.storage import tables
from testament.storage.engine import lock_log, read_transaction
from testament.taxonomy import vocabulary

KINDS = ("unit", "unit-commander", "unit-involvement")
TEXT_FIELDS = ("name", "kind", "country", "description")
SCRIPT = re.compile(r"^[A-Z][a-z]{3}$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*$")


def alias(
    name: str, script: str, lang: str | None = None, *, where: str | None = None
) -> dict[str, str]:
    """A validated alias: the name, its ISO 15924 script (``Cyrl``, ``Latn`` …), an optional BCP 47 tag."""
    entry = {"name": clean_text(name, "an alias", where, required=True, field="alias")}
    if not isinstance(script, str) or not SCRIPT.match(script):
        raise InvalidInput(
            f"{script!r} is not an ISO 15924 script code",
            where=where,
            hint="use four letters, capitalised: Cyrl, Latn, Arab …",
        )
    entry["script"] = script
    if lang:
        if not LANGUAGE.match(lang):
            raise InvalidInput(
                f"{lang!r} is not a language tag",
                where=where,
                hint="use a BCP 47 tag: uk, ru, en-GB",
            )
        entry["lang"] = lang
    return entry


def _aliases(given: Sequence[Mapping[str, Any]] | None, where: str | None) -> list[dict[str, str]]:
    """The aliases, checked and without repeats; ``None`` (JSON null) is none, as for ``parent``."""
    checked: list[dict[str, str]] = []
    for item in given or ():
        unknown = sorted(set(item) - {"name", "script", "lang"})
        if unknown:
            raise InvalidInput(f"an alias has no field {', '.join(unknown)}", where=where)
        entry = alias(item.get("name", ""), item.get("script", ""), item.get("lang"), where=where)
        if entry not in checked:
            checked.append(entry)
    return checked


def _matches(row: Mapping[Any, Any], wanted: str) -> bool:
    names = [row["name"], *(a["name"] for a in history.snapshot_value("aliases", row["aliases"]))]
    return any(name.casefold() == wanted for name in names)


def unit_id(connection: Connection, ref: str) -> str:
    """The ID of the live unit with this ID, name or alias (case-insensitive); refuses ambiguous names."""
    t = tables.unit
    live = t.c.deleted_at.is_(None)
    if connection.execute(select(t.c.id).where(t.c.id == ref, live)).scalar() is not None:
        return ref
    wanted = ref.strip().casefold()
    rows = connection.execute(select(t.c.id, t.c.name, t.c.aliases).where(live)).mappings()
    found = sorted(str(r["id"]) for r in rows if _matches(r, wanted))
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
        cursor = connection.execute(
            select(tables.unit.c.parent_id).where(tables.unit.c.id == cursor)
        ).scalar()
    return parent


def _values(
    connection: Connection, record_id: str | None, given: Mapping[str, Any]
) -> dict[str, Any]:
    unknown = sorted(set(given) - {*TEXT_FIELDS, "parent", "aliases"})
    if unknown:
        raise InvalidInput(f"a unit has no field {', '.join(unknown)}", where=record_id)
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        if name in given:
            values[name] = clean_text(
                given[name], f"the {name}", record_id, required=name == "name", field=name
            )
    if "aliases" in given:
        values["aliases"] = _aliases(given["aliases"], record_id)
    if "parent" in given:
        values["parent_id"] = _check_parent(connection, record_id, given["parent"])
    return values


def create(
    instance: Instance,
    name: str,
    *,
    parent: str | None = None,
    kind: str = "",
    country: str = "",
    aliases: Sequence[Mapping[str, Any]] = (),
    description: str = "",
) -> str:
    """Record a unit (``parent``: a unit's ID, name or alias); returns the ID."""
    given: dict[str, Any] = {"name": name, "parent": parent, "kind": kind, "country": country}
    given |= {"aliases": aliases, "description": description}
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT)
        values = _values(conn, None, given)
        return history.create(conn, "unit", values, agent_id=acting_agent(conn))


def edit(
    instance: Instance, ref: str, changes: Mapping[str, Any], *, expected_version: int | None = None
) -> int:
    """Change a unit's fields (``parent`` by reference, ``None`` for none); returns the version."""
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT)
        record_id = unit_id(conn, ref)
        values = _values(conn, record_id, changes)
        version = history.update(
            conn,
            "unit",
            record_id,
            values,
            agent_id=acting_agent(conn),
            expected_version=expected_version,
        )
        _refresh_incidents(conn, record_id)
        return version


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
    t = tables.unit_involvement
    linked = connection.execute(
        select(t.c.incident_id).where(t.c.unit_id == record_id, t.c.deleted_at.is_(None))
    ).scalars()
    indexing.refresh(connection, "incident", sorted(set(linked)))


def _live(connection: Connection, table: Any, column: str, value: str) -> list[dict[str, Any]]:
    query = select(table).where(table.c[column] == value, table.c.deleted_at.is_(None))
    return [dict(r) for r in connection.execute(query.order_by(table.c.created_at)).mappings()]


def delete(instance: Instance, ref: str, *, expected_version: int | None = None) -> int:
    """Mark a unit deleted; refused while it has sub-units."""
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT)
        record_id = unit_id(conn, ref)
        if _live(conn, tables.unit, "parent_id", record_id):
            raise Conflict(
                "this unit has sub-units",
                where=record_id,
                hint="give them another parent, or delete them, first",
            )
        version = history.delete(
            conn, "unit", record_id, agent_id=acting_agent(conn), expected_version=expected_version
        )
        _refresh_incidents(conn, record_id)
        return version


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
        t = tables.unit_involvement
        lock_log(conn)  # no constraint backs this check: it holds until commit
        duplicate = conn.execute(
            select(t.c.id).where(
                t.c.unit_id == values["unit_id"],
                t.c.incident_id == incident_id,
                t.c.degree == values["degree"],
                t.c.deleted_at.is_(None),
            )
        ).scalar()
        if duplicate is not None:
            raise Conflict(
                "this involvement of the unit in the incident is already recorded",
                where=str(duplicate),
            )
        involvement = history.create(conn, "unit-involvement", values, agent_id=acting_agent(conn))
        indexing.refresh(conn, "incident", [incident_id])
        return involvement


def _public(kind: str, row: Mapping[str, Any]) -> dict[str, Any]:
    return history.snapshot(kind, row) | {
        "version": row["version"],
        "updated_at": row["updated_at"],
    }


def show(instance: Instance, ref: str) -> dict[str, Any]:
    """A unit with its parent, sub-units, commanders (by start date) and involvements."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        data = _public("unit", history.current(conn, "unit", unit_id(conn, ref)))
        parent = data["parent_id"]
        data["parent"] = (
            {"id": parent, "name": history.current(conn, "unit", parent, deleted=True)["name"]}
            if parent
            else None
        )
        data["units"] = [
            {"id": u["id"], "name": u["name"]}
            for u in _live(conn, tables.unit, "parent_id", data["id"])
        ]
        cases = scope.readable_cases(conn, instance)
        commanders = _live(conn, tables.unit_commander, "unit_id", data["id"])
        commanders.sort(key=lambda c: (c["from_date"] or "", c["created_at"]))
        data["commanders"] = [
            commander_seen(conn, _public("unit-commander", c), cases) for c in commanders
        ]
        involved = _live(conn, tables.unit_involvement, "unit_id", data["id"])
        data["incidents"] = [
            _public("unit-involvement", i)
            for i in involved
            if scope.readable(conn, "incident", i["incident_id"], cases)
        ]
        return data


def commander_seen(
    connection: Connection, commander: dict[str, Any], cases: set[str] | None
) -> dict[str, Any]:
    """A commander as someone who may read ``cases`` sees it: no ``person_id`` of another case."""
    person = commander.get("person_id")
    if person and not scope.readable(connection, "person", person, cases):
        return commander | {"person_id": None}
    return commander


def list_units(instance: Instance, *, limit: int = 100, offset: int = 0) -> list[dict[str, Any]]:
    """Live units by name, each with its parent's ID and its aliases."""
    t = tables.unit
    query = (
        select(t.c.id, t.c.name, t.c.parent_id, t.c.kind, t.c.country, t.c.aliases)
        .where(t.c.deleted_at.is_(None))
        .order_by(t.c.name, t.c.id)
        .limit(limit)
        .offset(offset)
    )
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        return [
            dict(r._mapping) | {"aliases": history.snapshot_value("aliases", r.aliases)}
            for r in conn.execute(query)
        ]


def versions(instance: Instance, record_id: str, kind: str = "unit") -> list[history.Version]:
    """Every version of a unit, a commander or an involvement, oldest first."""
    if kind not in KINDS:
        raise InvalidInput(f"{kind!r} is not a kind of unit record", hint=f"use {', '.join(KINDS)}")
    with read_transaction(instance.engine) as conn:
        if kind == "unit":  # shared: anyone signed in reads it, by ID, name or alias
            policy.require(conn, instance, Action.READ)
            if not _exists(conn, record_id):
                record_id = unit_id(conn, record_id)
        else:
            policy.require(conn, instance, Action.READ, kind=kind, record_id=record_id)
        return history.versions(conn, kind, record_id)


def _exists(connection: Connection, record_id: str) -> bool:
    query = select(tables.unit.c.id).where(tables.unit.c.id == record_id)
    return connection.execute(query).scalar() is not None
