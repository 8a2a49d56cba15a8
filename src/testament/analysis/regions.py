"""An area drawn on a map to narrow a list: a box or a polygon, as it travels in an address.

A box is ``west,south,east,north`` in decimal degrees (WGS 84), as Leaflet's ``toBBoxString`` writes it. A
polygon is its corners, ``lon,lat;lon,lat;…`` (at least three, longitude first like the box), closed by
going back to the first. Each is refused with the parameter named and the reason: a box whose south is
north of its north, a coordinate off the globe, a polygon of fewer than three corners or one whose edges
cross (its inside would be ambiguous).

:meth:`Region.contains` tests many points at once (shapely, vectorised); :attr:`Region.box` is the
bounding box a database narrows by first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray

from testament.errors import InvalidInput

MAX_CORNERS = 200  # a drawn polygon has a few dozen; more would be a pasted outline, not a filter


@dataclass(frozen=True)
class Region:
    """A box (``corners`` empty) or a polygon (``corners`` as (lon, lat) pairs), with its bounding box."""

    west: float
    south: float
    east: float
    north: float
    corners: tuple[tuple[float, float], ...] = ()

    @property
    def box(self) -> tuple[float, float, float, float]:
        return self.west, self.south, self.east, self.north

    def contains(self, longitudes: ArrayLike, latitudes: ArrayLike) -> NDArray[np.bool_]:
        """Which of the points lie inside or on the edge; a missing coordinate (NaN) lies nowhere."""
        lon = np.asarray(longitudes, dtype=np.float64)
        lat = np.asarray(latitudes, dtype=np.float64)
        if not self.corners:
            inside = (lon >= self.west) & (lon <= self.east)
            return np.asarray(inside & (lat >= self.south) & (lat <= self.north))
        shape = shapely.Polygon(self.corners)
        shapely.prepare(shape)
        return np.asarray(shapely.intersects_xy(shape, lon, lat))

    def as_param(self) -> tuple[str, str]:
        """The address parameter that gives this region back: ``("bbox", …)`` or ``("polygon", …)``."""
        if self.corners:
            return "polygon", ";".join(f"{lon},{lat}" for lon, lat in self.corners)
        return "bbox", ",".join(str(v) for v in self.box)


def _numbers(text: str, count: int | None, where: str, shape: str) -> list[float]:
    parts = text.split(",")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if not values or (count is not None and len(values) != count):
        raise InvalidInput(f"the {where} must be {shape}", where=where)
    if not all(math.isfinite(v) for v in values):
        raise InvalidInput(f"the {where} must be finite numbers", where=where)
    return values


def _on_globe(lon: float, lat: float, where: str) -> None:
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(
            f"the {where} has a point off the globe: longitude {lon:g}, latitude {lat:g}",
            where=where,
            hint="longitude goes from -180 to 180 and latitude from -90 to 90",
        )


def parse_box(text: str) -> Region:
    """A box from ``west,south,east,north``."""
    west, south, east, north = _numbers(text, 4, "bbox", "four numbers: west,south,east,north")
    _on_globe(west, south, "bbox")
    _on_globe(east, north, "bbox")
    if south > north:
        raise InvalidInput(
            f"the bbox's south ({south:g}) is north of its north ({north:g})",
            where="bbox",
            hint="give west,south,east,north",
        )
    if west > east:
        raise InvalidInput(
            f"the bbox's west ({west:g}) is east of its east ({east:g})",
            where="bbox",
            hint="give west,south,east,north; a box across the antimeridian is not supported",
        )
    return Region(west, south, east, north)


def parse_polygon(text: str) -> Region:
    """A polygon from ``lon,lat;lon,lat;…`` (a repeated first corner at the end is dropped)."""
    pairs = [p for p in text.split(";") if p.strip()]
    corners = [tuple(_numbers(p, 2, "polygon", "corners as lon,lat;lon,lat;…")) for p in pairs]
    if len(corners) > 1 and corners[0] == corners[-1]:
        corners.pop()
    if len(corners) < 3:
        raise InvalidInput(
            f"a polygon needs at least three corners, not {len(corners)}", where="polygon"
        )
    if len(corners) > MAX_CORNERS:
        raise InvalidInput(f"a polygon may have at most {MAX_CORNERS} corners", where="polygon")
    for lon, lat in corners:
        _on_globe(lon, lat, "polygon")
    shape = shapely.Polygon(corners)
    if not shape.is_valid or shape.area == 0:
        raise InvalidInput(
            "the polygon's edges cross each other (or it has no area)",
            where="polygon",
            hint="draw its corners in order around the area",
        )
    west, south, east, north = shape.bounds
    return Region(west, south, east, north, tuple((lon, lat) for lon, lat in corners))


def parse(bbox: str | None, polygon: str | None) -> Region | None:
    """The region an address gives, if any; both at once are refused."""
    if bbox and polygon:
        raise InvalidInput("give a bbox or a polygon, not both", where="polygon")
    if bbox:
        return parse_box(bbox)
    if polygon:
        return parse_polygon(polygon)
    return None
