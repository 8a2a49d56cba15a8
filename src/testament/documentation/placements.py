"""Where a unit was, and when: the placements unit linkage reads (docs/patterns.md, "Unit linkage").

A placement says a unit was present in an administrative area (as the gazetteer names it), or within
``radius_m`` metres of a point, from one day to another; either end may be unknown. It is shared
reference data like its unit: a documenter of any case records one, anyone signed in reads them.
Each placement is a versioned record (``unit-placement``): placing and removing are custody events,
and a removal keeps its reason in the record's last version (never in the log, which names only the
changed fields).
"""

from __future__ import annotations

import math
from typing import Any

from testament.custody import history, policy
from testament.custody.instance import Instance, acting_agent, recording
from testament.documentation import gazetteer, repository
from testament.documentation.record_views import Placement, made
from testament.documentation.units import unit_id
from testament.domain import dates, places
from testament.domain.access import Action
from testament.domain.text import clean_text
from testament.errors import InvalidInput, NotFound
from testament.storage.engine import read_transaction

KIND = "unit-placement"


def _day_bound(text: str, where: str, *, latest: bool) -> str | None:
    parsed = dates.parse(text, where=where)
    bound = parsed.end if latest else parsed.start
    return bound[:10] if bound else None


def _period(from_date: str, to_date: str) -> tuple[str | None, str | None]:
    """The first and last day of presence ("2022-03" starts on the 1st and ends on the 31st)."""
    start = _day_bound(from_date, "--from", latest=False)
    end = _day_bound(to_date, "--to", latest=True)
    if start and end and end < start:
        raise InvalidInput(
            "the presence ends before it starts",
            where=f"{from_date} – {to_date}",
            hint="give --from on or before --to",
        )
    return start, end


def _radius(value: object) -> float:
    try:
        radius = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput(f"{value!r} is not a number of metres", where="--radius-m") from None
    if not math.isfinite(radius) or radius <= 0:
        raise InvalidInput(
            f"the radius must be more than 0 metres ({radius:g} m)",
            where="--radius-m",
            hint="give the distance around the point within which the unit was present",
        )
    return radius


def _where(
    area: str | None, latitude: object, longitude: object, radius_m: object
) -> dict[str, Any]:
    """The place's stored fields, refusing both an area and a point, or neither."""
    has_point = any(v not in (None, "") for v in (latitude, longitude, radius_m))
    if bool(area) == has_point:
        raise InvalidInput(
            "a placement is either in an area or around a point",
            where="--area, --at",
            hint="give --area NAME, or --at LAT,LON with --radius-m R",
        )
    if area:
        return {"area": area}
    if radius_m in (None, ""):
        raise InvalidInput("a point needs a radius", where="--radius-m", hint="add --radius-m R")
    point = places.point(latitude, longitude, where="--at")
    return {"latitude": point.latitude, "longitude": point.longitude, "radius_m": _radius(radius_m)}


def place(
    instance: Instance,
    ref: str,
    *,
    area: str | None = None,
    latitude: object = None,
    longitude: object = None,
    radius_m: object = None,
    from_date: str = "",
    to_date: str = "",
    note: str = "",
    source_text: str = "",
) -> str:
    """Record that a unit was present in an area, or within ``radius_m`` metres of a point, over a
    period (either end may be unknown); returns the placement's ID."""
    spot = _where(area, latitude, longitude, radius_m)
    start, end = _period(from_date, to_date)
    values: dict[str, Any] = {
        "area_id": None,
        "latitude": spot.get("latitude"),
        "longitude": spot.get("longitude"),
        "radius_m": spot.get("radius_m"),
        "from_date": start,
        "to_date": end,
        "note": clean_text(note, "the note", "--note"),
        "source_text": clean_text(source_text, "the source", "--source", field="reference"),
        "removal_reason": None,
    }
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT)
        values["unit_id"] = unit_id(conn, ref)
        if "area" in spot:
            found = gazetteer.find_area(conn, spot["area"], where="--area")
            if found is None:
                raise NotFound(
                    "no administrative area has this code or name",
                    where=spot["area"],
                    hint="see `testament gazetteer areas`",
                )
            values["area_id"] = found
        return history.create(conn, KIND, values, agent_id=acting_agent(conn))


def _view(row: dict[str, Any]) -> Placement:
    return made(
        Placement,
        history.snapshot(KIND, row)
        | {
            "version": row["version"],
            "updated_at": row["updated_at"],
            "area_code": row["area_code"],
            "area_name": row["area_name"],
            "area_level": row["area_level"],
        },
    )


def placements(instance: Instance, ref: str) -> list[Placement]:
    """A unit's live placements (its presence timeline), by start date (unknown starts first)."""
    with read_transaction(instance.engine) as conn:
        policy.require(conn, instance, Action.READ)
        return [_view(row) for row in repository.placement_rows(conn, unit_id(conn, ref))]


def unplace(instance: Instance, placement_id: str, reason: str) -> int:
    """Remove a placement, keeping why in its last version; returns that version."""
    why = clean_text(reason, "the reason", "--reason", required=True, field="note")
    with recording(instance) as conn:
        policy.require(conn, instance, Action.DOCUMENT)
        try:
            history.current(conn, KIND, placement_id)
        except NotFound:
            raise NotFound(
                "no unit placement has this ID",
                where=placement_id,
                hint="see `testament unit placements UNIT`",
            ) from None
        agent = acting_agent(conn)
        history.update(conn, KIND, placement_id, {"removal_reason": why}, agent_id=agent)
        return history.delete(conn, KIND, placement_id, agent_id=agent)
