"""`testament gazetteer …`: administrative areas, and the areas a point lies in."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from testament.cli.output import json_line
from testament.config import load_settings

if TYPE_CHECKING:
    from testament.documentation.gazetteer import Location

SHOWN_IDS = 10


@click.group()
def gazetteer() -> None:
    """Administrative areas (GeoJSON outlines) that incidents are placed in."""


@gazetteer.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "--level", type=int, required=True, help="Administrative level (0 country, 1 oblast …)."
)
@click.option("--name-field", required=True, help="Property holding each area's name.")
@click.option(
    "--alt-names-field",
    "alt_names_fields",
    multiple=True,
    help="Property holding alternative names, separated by '|' (repeat for names in other "
    "languages or scripts: --alt-names-field name_ar --alt-names-field name_uk).",
)
@click.option(
    "--code-field", help="Property holding a unique code (default HASC_<level>, else a slug)."
)
@click.option("--dataset", help="Name recorded as the areas' source (default: the file name).")
@click.option(
    "--situation", help="The situation the areas belong to (default: shared by every case)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON line.")
def load(
    path: Path,
    level: int,
    name_field: str,
    alt_names_fields: tuple[str, ...],
    code_field: str | None,
    dataset: str | None,
    situation: str | None,
    as_json: bool,
) -> None:
    """Load or reload areas from GeoJSON, then place every incident in them."""
    from testament.documentation import gazetteer as service  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: keeps --help fast

    inst = open_home(load_settings())
    try:
        report = service.load(
            inst,
            path,
            level=level,
            name_field=name_field,
            alt_names_field=alt_names_fields,
            code_field=code_field,
            dataset=dataset,
            situation=situation,
        )
    finally:
        inst.close()
    for message in report.repaired:
        click.echo(f"warning: invalid outline in {message}", err=True)
    _warn_swapped(report.assignment.swapped)
    if as_json:
        json_line(report)
        return
    total = report.added + report.updated + report.unchanged
    into = f" into {situation}" if situation else ""
    click.echo(
        f"Loaded {total} level-{level} area(s) from {path.name}{into}: {report.added} added, "
        f"{report.updated} updated, {report.unchanged} unchanged"
    )
    if report.kept:
        click.echo(f"{report.kept} level-{level} area(s) not in this file were kept")
    done = report.assignment
    click.echo(
        f"{done.incidents} incident(s): {done.point} placed by coordinates, {done.given} by the "
        f"area given, {done.unlocated} with coordinates outside every area"
    )


def _warn_swapped(ids: tuple[str, ...]) -> None:
    if not ids:
        return
    shown = ", ".join(ids[:SHOWN_IDS]) + (" …" if len(ids) > SHOWN_IDS else "")
    click.echo(
        f"warning: {len(ids)} incident(s) lie in no area but would if latitude and longitude were "
        f"swapped: {shown}",
        err=True,
    )


@gazetteer.command("list")
@click.option("--level", type=int, help="Only areas of this level.")
@click.option("--situation", help="Only this situation's areas and the shared ones.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per area.")
def list_areas(level: int | None, situation: str | None, as_json: bool) -> None:
    """List the loaded areas: level, code, name, alternative names and situation."""
    from testament.documentation import gazetteer as service  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: keeps --help fast

    inst = open_home(load_settings())
    try:
        found = service.areas(inst, level, situation)
    finally:
        inst.close()
    for area in found:
        if as_json:
            json_line(area)
        else:
            also = f"  ({', '.join(area.alt_names)})" if area.alt_names else ""
            of = f"  [{area.situation}]" if area.situation else ""
            click.echo(f"{area.level}  {area.code}  {area.name}{also}{of}")


@gazetteer.command(context_settings={"ignore_unknown_options": True})
@click.argument("latitude", type=float)
@click.argument("longitude", type=float)
@click.option("--situation", help="Only this situation's areas and the shared ones.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON line per area.")
def locate(latitude: float, longitude: float, situation: str | None, as_json: bool) -> None:
    """Print the areas a point (decimal degrees, WGS 84) lies in; when it lies in none, the country
    and first-level area of the nearest GeoNames place, marked approximate."""
    from testament.documentation import gazetteer as service  # noqa: PLC0415 - imported on use: keeps --help fast
    from testament.startup import open_home  # noqa: PLC0415 - imported on use: keeps --help fast

    inst = open_home(load_settings())
    try:
        found = service.locate(inst, latitude, longitude, situation)
    finally:
        inst.close()
    for area in found.areas:
        if as_json:
            json_line(
                {"id": area.id, "level": area.level, "code": area.code, "name": area.name}
                | {"situation": area.situation, "method": "point"}
            )
        else:
            click.echo(f"{area.level}  {area.code}  {area.name}")
    if not found.areas:
        _nearest(found, as_json)
    if found.swapped:
        names = ", ".join(area.name for area in found.swapped)
        click.echo(
            f"hint: ({longitude}, {latitude}) lies in {names}; were latitude and longitude swapped?",
            err=True,
        )


def _nearest(found: Location, as_json: bool) -> None:
    """The fallback's answer, said to be approximate; or why there is none."""
    from testament.analysis.fallback_geocoder import MAX_DISTANCE_KM  # noqa: PLC0415 - imported on use: keeps --help fast

    click.echo(
        "The point lies in no loaded area." if found.loaded else "No areas are loaded.", err=True
    )
    place = found.nearest
    if place is None:
        click.echo(
            f"No GeoNames place lies within {MAX_DISTANCE_KM:g} km of the point (at sea?): "
            "no country or area is given.",
            err=True,
        )
        return
    if as_json:
        json_line(place)
        return
    click.echo(
        f"approximate  {place.country_code}  {place.admin1 or '-'}  ({place.country_name}; "
        f"nearest GeoNames place {place.place}, {place.distance_km:g} km away)"
    )
