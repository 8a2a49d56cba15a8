"""`testament unit …`: units, their hierarchy and names, commanders over time, involvement in incidents,
and placements (where a unit was, and when).

Wherever a command takes a UNIT, it may be the unit's ID, its name or one of its aliases.
"""

from __future__ import annotations

from typing import Any

import click

from testament.cli.context import opened
from testament.cli.output import JSON_HELP, echo_created, echo_written, json_line
from testament.cli.record_commands import (
    delete_command,
    edit_command,
    field_options,
    history_command,
)
from testament.documentation import placements, units
from testament.documentation.kinds import UNIT
from testament.documentation.record_views import Placement, UnitView
from testament.errors import InvalidInput


@click.group("unit")
def unit_group() -> None:
    """Military and security units, shared by every case of this instance."""


@unit_group.command("add")
@field_options(UNIT, adding=True)
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def add(name: str, as_json: bool, **options: Any) -> None:
    """Record a unit called NAME."""
    with opened() as inst:
        new_id = units.create(inst, name, **options)
    echo_created("unit", new_id, as_json)


edit = edit_command(unit_group, UNIT, units.edit, argument="unit", resolve=units.resolve,
                    doc="Change a unit's fields; the earlier version stays retrievable.")  # fmt: skip
delete = delete_command(unit_group, UNIT, units.delete, argument="unit", resolve=units.resolve,
                        doc="Mark a unit deleted (refused while it has sub-units); its history stays.")  # fmt: skip


def _echo_unit(data: UnitView) -> None:
    for key in ("id", "name", "kind", "country", "description"):
        click.echo(f"{key:>12}: {getattr(data, key) or '-'}")
    parent = data.parent
    click.echo(f"{'parent':>12}: {parent.name + ' (' + parent.id + ')' if parent else '-'}")
    for entry in data.aliases:
        lang = f", {entry['lang']}" if "lang" in entry else ""
        click.echo(f"{'alias':>12}: {entry['name']} ({entry['script']}{lang})")
    for sub in data.units:
        click.echo(f"{'sub-unit':>12}: {sub.name} ({sub.id})")
    for c in data.commanders:
        span = f"{c.from_date or '?'} – {c.to_date or '?'}"
        click.echo(f"{'commander':>12}: {span}  {c.rank} {c.name}".rstrip())
    for i in data.incidents:
        click.echo(f"{'incident':>12}: {i.incident_id}  {i.degree}")
    click.echo(f"{'version':>12}: {data.version} (updated {data.updated_at})")


@unit_group.command("show")
@click.argument("unit")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def show(unit: str, as_json: bool) -> None:
    """Show a unit with its parent, sub-units, aliases, commanders and incidents."""
    with opened() as inst:
        data = units.show(inst, unit)
    if as_json:
        json_line(data)
    else:
        _echo_unit(data)


@unit_group.command("list")
@click.option("--limit", type=click.IntRange(1, 10_000), default=100, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def list_command(limit: int, offset: int, as_json: bool) -> None:
    """List units by name."""
    with opened() as inst:
        rows = units.list_units(inst, limit=limit, offset=offset)
    for row in rows:
        if as_json:
            json_line(row)
        else:
            also = ", ".join(a["name"] for a in row.aliases)
            click.echo(f"{row.id}  {row.name}" + (f"  (also {also})" if also else ""))


@unit_group.group("alias")
def alias_group() -> None:
    """Other names a unit is known by, each with its script."""


@alias_group.command("add")
@click.argument("unit")
@click.argument("name")
@click.option("--script", required=True, help="ISO 15924 script code: Cyrl, Latn, Arab …")
@click.option("--lang", help="BCP 47 language tag: uk, ru, en …")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def alias_add(unit: str, name: str, script: str, lang: str | None, as_json: bool) -> None:
    """Add NAME as an alias of UNIT."""
    with opened() as inst:
        unit_id = units.resolve(inst, unit)
        version = units.add_alias(inst, unit_id, name, script, lang)
    echo_written("Unit", unit_id, version, as_json)


@unit_group.group("commander")
def commander_group() -> None:
    """Who commanded a unit, and when."""


@commander_group.command("add")
@click.argument("unit")
@click.option("--name", required=True, help="The commander's name as documented.")
@click.option("--rank", default="", help="Their rank at the time.")
@click.option(
    "--person", "person_id", help="The ID of the person record for them, if there is one."
)
@click.option(
    "--from", "from_date", default="", help="Start of command: YYYY-MM-DD, YYYY-MM or YYYY."
)
@click.option("--to", "to_date", default="", help="End of command, in the same forms.")
@click.option("--note", default="", help="Free text.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def commander_add(unit: str, as_json: bool, **options: Any) -> None:
    """Record a commander of UNIT over a period (either end may be unknown)."""
    with opened() as inst:
        new_id = units.add_commander(inst, unit, **options)
    echo_created("commander", new_id, as_json)


@unit_group.command("involve")
@click.argument("unit")
@click.option("--incident", "incident_id", required=True, help="The incident's ID.")
@click.option("--degree", required=True,
              help="A degrees-of-involvement code (`testament taxonomy terms degrees-of-involvement`).")  # fmt: skip
@click.option("--note", default="", help="Free text.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def involve(unit: str, incident_id: str, degree: str, note: str, as_json: bool) -> None:
    """Record UNIT's degree of involvement in an incident."""
    with opened() as inst:
        new_id = units.involve(inst, unit, incident_id, degree, note)
    echo_created("involvement", new_id, as_json)


def _point(text: str) -> tuple[str, str]:
    """``LAT,LON`` as its two parts (the use case checks them as coordinates)."""
    latitude, sep, longitude = text.partition(",")
    if not sep or not latitude.strip() or not longitude.strip():
        raise InvalidInput(
            f"{text!r} is not LAT,LON", where="--at", hint="for example --at 50.45,30.52"
        )
    return latitude.strip(), longitude.strip()


@unit_group.command("place")
@click.argument("unit")
@click.option("--area", help="An administrative area: its code, name or alternative name.")
@click.option(
    "--at", "at", metavar="LAT,LON", help="A point (WGS 84 decimal degrees), with --radius-m."
)
@click.option("--radius-m", type=float, help="How far from the point, in metres (more than 0).")
@click.option(
    "--from", "from_date", default="", help="First day present: YYYY-MM-DD, YYYY-MM or YYYY."
)
@click.option("--to", "to_date", default="", help="Last day present, in the same forms.")
@click.option("--note", default="", help="Free text.")
@click.option("--source", "source_text", default="", help="Where this is documented: a reference.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def place(unit: str, at: str | None, as_json: bool, **options: Any) -> None:
    """Record that UNIT was present in an area, or within a radius of a point, over a period."""
    latitude, longitude = _point(at) if at is not None else (None, None)
    with opened() as inst:
        new_id = placements.place(inst, unit, latitude=latitude, longitude=longitude, **options)
    echo_created("placement", new_id, as_json)


def _where(p: Placement) -> str:
    if p.area_code is not None:
        return f"{p.area_name} ({p.area_code}, level {p.area_level})"
    return f"within {p.radius_m:g} m of {p.latitude}, {p.longitude}"


@unit_group.command("placements")
@click.argument("unit")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def placements_command(unit: str, as_json: bool) -> None:
    """List where UNIT was and when (its presence timeline), by start date."""
    with opened() as inst:
        rows = placements.placements(inst, unit)
    for row in rows:
        if as_json:
            json_line(row)
        else:
            span = f"{row.from_date or '?'} – {row.to_date or '?'}"
            click.echo(f"{row.id}  {span}  {_where(row)}" + (f"  {row.note}" if row.note else ""))


@unit_group.command("unplace")
@click.argument("placement_id")
@click.option("--reason", required=True, help="Why the placement is removed; kept in its history.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def unplace(placement_id: str, reason: str, as_json: bool) -> None:
    """Remove a placement; it stays in the unit's history with the reason."""
    with opened() as inst:
        version = placements.unplace(inst, placement_id, reason)
    echo_written("Placement", placement_id, version, as_json, verb="removed at")


history_command(unit_group, UNIT, units.versions,
                doc="Every version of a unit, commander, involvement or placement, with its custody log entry.")  # fmt: skip
