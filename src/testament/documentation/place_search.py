"""Finding a place in the gazetteer by part of its name, to put an incident there.

The incident form's search box asks as its user types. Names are compared folded (lower case, Cyrillic
transliterated, diacritics and apostrophes dropped: ``Харків``, ``Kharkiv`` and ``khar'kov`` meet), against
each area's name, its alternative names and its code. A name that begins with the query comes before one
that only contains it, wider areas (lower levels) before narrower ones. Each place found carries a point
inside it (not its bounding box's centre, which may lie outside a curved area) and the radius, in
metres, of a circle about that point that covers the area: the point's stated uncertainty when an
incident is put "somewhere in" the area.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely

from testament.analysis.gazetteer import Area
from testament.custody import policy
from testament.custody.instance import Instance
from testament.documentation import gazetteer
from testament.domain.access import Action
from testament.domain.results import Result
from testament.errors import InvalidInput
from testament.search import translit
from testament.storage.engine import read_transaction

MIN_CHARS = 2  # one letter would match most of the gazetteer
MAX_CHARS = 200
EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True)
class PlaceFound(Result):
    """An area whose name matched: a point inside it, and the radius (metres) that covers it."""

    id: int
    level: int
    code: str
    name: str
    latitude: float
    longitude: float
    radius_m: int
    situation: str | None = None  # None: an area every case shares


def _rank(area: Area, wanted: str) -> int | None:
    """0 when a name begins with the query, 1 when one contains it, None when none does."""
    names = [translit.fold(n) for n in (area.name, *area.alt_names, area.code)]
    if any(n.startswith(wanted) for n in names):
        return 0
    if any(wanted in n for n in names):
        return 1
    return None


def _found(area: Area) -> PlaceFound:
    inside = shapely.point_on_surface(area.geometry)
    lon, lat = shapely.get_x(inside), shapely.get_y(inside)
    west, south, east, north = shapely.bounds(area.geometry).tolist()
    corners = ((west, south), (west, north), (east, south), (east, north))
    radius = max(_metres(lon, lat, x, y) for x, y in corners)
    return PlaceFound(
        area.id, area.level, area.code, area.name, round(lat, 6), round(lon, 6), round(radius),
        area.situation,
    )  # fmt: skip


def _metres(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """The great-circle distance between two points (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def search_places(
    instance: Instance, text: str, limit: int = 10, situation: str | None = None
) -> list[PlaceFound]:
    """The areas whose name, alternative name (in any script) or code begins with or contains ``text``
    (at least two characters), best first, at most ``limit``, each with its situation; with
    ``situation``, only that situation's areas and the shared ones."""
    wanted = translit.fold(" ".join(text.split()))
    if len(wanted) < MIN_CHARS or len(text) > MAX_CHARS:
        raise InvalidInput(
            f"a place search needs {MIN_CHARS} to {MAX_CHARS} characters, not {len(wanted)}",
            where="q",
            hint="type more of the place's name",
        )
    with read_transaction(instance.engine) as connection:
        policy.require(connection, instance, Action.READ)
        index = gazetteer.gazetteer(connection)
    ranked = []
    for area in index.areas:
        if situation is not None and area.situation not in (None, situation):
            continue
        rank = _rank(area, wanted)
        if rank is not None:
            ranked.append((rank, area.level, area.name, area))
    ranked.sort(key=lambda found: found[:3])
    return [_found(area) for *_, area in ranked[:limit]]
