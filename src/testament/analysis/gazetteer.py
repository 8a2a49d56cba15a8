"""The gazetteer: administrative areas read from GeoJSON, and the areas a point lies in.

Pure: no database and no files. :func:`parse_areas` turns the bytes of a GeoJSON FeatureCollection
(RFC 7946: WGS 84 longitude, latitude) into :class:`AreaFeature` values, refusing a bad file with the
index of the feature at fault and repairing an invalid polygon with ``make_valid`` (and saying so).
:class:`Gazetteer` answers "which areas contain this point?" for one point or a million: an STR-tree over
the areas' bounding boxes finds the candidates for every point in one bulk query, then one vectorised,
prepared point-in-polygon test keeps the true ones. A point on a shared border lies in both areas.
:class:`NameIndex` resolves what people call an area (a code, a name or an alternative name) to the area.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.errors import ShapelyError
from shapely.geometry import MultiPolygon, Polygon, shape

from testament.domain import boundedjson
from testament.errors import InvalidInput

Polygonal = Polygon | MultiPolygon
ALT_NAME_SEPARATOR = "|"
_APOSTROPHES = re.compile(r"['’ʼ`´‘]")
# Arabic combining marks (Unicode's Arabic block: U+0610-061A, U+064B-065F, U+0670, U+06D6-06ED) and
# tatweel (U+0640), which stretches a word without changing it.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


@dataclass(frozen=True)
class AreaName:
    """What an area is called: its code, its name and its alternative names (in any language or
    script), and the situation it belongs to (None: an area every case shares)."""

    id: int
    level: int
    code: str
    name: str
    alt_names: tuple[str, ...] = ()
    situation: str | None = None


@dataclass(frozen=True)
class Area(AreaName):
    """A stored area with its outline, as the gazetteer uses it."""

    geometry: Polygonal | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class AreaFeature:
    """One area as read from a file, before it is stored."""

    index: int  # its position in the file's "features" array
    code: str
    name: str
    alt_names: tuple[str, ...]
    geometry: Polygonal
    repaired: str | None = None  # why the outline was invalid, when make_valid repaired it


# --- Reading GeoJSON ----------------------------------------------------------------------------------


def parse_areas(
    data: bytes,
    *,
    level: int,
    name_field: str,
    alt_names_field: str | Sequence[str] | None = None,
    code_field: str | None = None,
    source: str = "the GeoJSON input",
) -> list[AreaFeature]:
    """Read a FeatureCollection of (Multi)Polygons; ``source`` names the input in diagnoses.

    Alternative names come from one property or several (``alt_names_field``: one per language or
    script, say ``name_ar`` and ``name_uk``), each holding names separated by ``|`` or a list of names.
    The code comes from ``code_field``; by default from ``HASC_<level>`` when every feature has one,
    else from a slug of the name. Codes must be unique within the file.
    """
    features = _features(data, source)
    if code_field is None:
        code_field = _default_code_field(features, level)
    if isinstance(alt_names_field, str):
        alt_names_field = (alt_names_field,)
    fields = _Fields(name_field, tuple(alt_names_field or ()), code_field)
    areas = [_area(feature, index, fields, source) for index, feature in enumerate(features)]
    _check_unique_codes(areas, source)
    return areas


def _features(data: bytes, source: str) -> list[Any]:
    hint = 'give a GeoJSON FeatureCollection: {"type": "FeatureCollection", "features": [...]}'
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", where=source, hint=hint) from None
    try:
        value = boundedjson.loads(text.removeprefix("\ufeff"), source, what="the file")
    except InvalidInput as exc:
        exc.hint = hint
        raise
    if not isinstance(value, dict) or value.get("type") != "FeatureCollection":
        raise InvalidInput("the file is not a GeoJSON FeatureCollection", where=source, hint=hint)
    features = value.get("features")
    if not isinstance(features, list) or not features:
        raise InvalidInput("the FeatureCollection has no features", where=source, hint=hint)
    return features


def _default_code_field(features: Sequence[Any], level: int) -> str | None:
    field = f"HASC_{level}"
    for feature in features:
        properties = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(properties, dict) or not _scalar_text(properties.get(field)):
            return None
    return field


@dataclass(frozen=True)
class _Fields:
    name: str
    alt_names: tuple[str, ...]
    code: str | None


def _area(feature: Any, index: int, fields: _Fields, source: str) -> AreaFeature:
    where = f"{source}: features[{index}]"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InvalidInput(f"features[{index}] is not a GeoJSON Feature", where=where)
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise InvalidInput(f"the properties of features[{index}] are not an object", where=where)
    name = properties.get(fields.name)
    if not isinstance(name, str) or not name.strip():
        raise InvalidInput(
            f"features[{index}] has no {fields.name!r} property holding a name",
            where=where,
            hint=f"its properties are {', '.join(sorted(properties)) or 'none'}; "
            "name the property that holds the area's name with --name-field",
        )
    name = name.strip()
    alt_names = _alt_names(properties, fields.alt_names, name, where)
    geometry, repaired = _geometry(feature.get("geometry"), index, where)
    code = _code(properties, fields.code, name, where)
    return AreaFeature(index, code, name, alt_names, geometry, repaired)


def _scalar_text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _code(properties: Mapping[str, Any], field: str | None, name: str, where: str) -> str:
    if field is None:
        return slug(name)
    code = _scalar_text(properties.get(field))
    if not code:
        raise InvalidInput(
            f"the feature has no {field!r} property holding a code",
            where=where,
            hint="name a property with a unique code per area with --code-field",
        )
    return code


def _alt_names(
    properties: Mapping[str, Any], fields: Sequence[str], name: str, where: str
) -> tuple[str, ...]:
    """The names held by ``fields``, in order, without repeats (nor the area's own name)."""
    candidates: list[str] = []
    for prop in fields:
        value = properties.get(prop)
        if value is None:
            continue
        if isinstance(value, str):
            candidates.extend(value.split(ALT_NAME_SEPARATOR))
        elif isinstance(value, list) and all(isinstance(item, str) for item in value):
            candidates.extend(value)
        else:
            raise InvalidInput(
                f"the {prop!r} property must be text (names separated by '|') or a list of names",
                where=where,
            )
    seen = {name.casefold()}
    names = []
    for candidate in (c.strip() for c in candidates):
        if candidate and candidate.casefold() not in seen:
            seen.add(candidate.casefold())
            names.append(candidate)
    return tuple(names)


def _geometry(value: Any, index: int, where: str) -> tuple[Polygonal, str | None]:
    kind = value.get("type") if isinstance(value, dict) else None
    if kind not in {"Polygon", "MultiPolygon"}:
        found = f"a {kind} geometry" if isinstance(kind, str) else "no geometry"
        raise InvalidInput(
            f"features[{index}] has {found}; an area must be a Polygon or MultiPolygon",
            where=where,
        )
    if not isinstance(value.get("coordinates"), list):
        raise InvalidInput(f"features[{index}] has a geometry without coordinates", where=where)
    try:
        geometry = shapely.force_2d(shape(value))
    except (ValueError, TypeError, IndexError, KeyError, AttributeError, ShapelyError) as exc:
        raise InvalidInput(
            f"features[{index}] has malformed coordinates ({exc})", where=where
        ) from None
    if geometry.is_empty:
        raise InvalidInput(f"features[{index}] has an empty geometry", where=where)
    min_x, min_y, max_x, max_y = geometry.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise InvalidInput(
            f"features[{index}] has coordinates outside longitude -180..180, latitude -90..90",
            where=where,
            hint="GeoJSON coordinates are WGS 84 longitude, latitude; reproject the file first",
        )
    if geometry.is_valid and isinstance(geometry, Polygon | MultiPolygon):
        return geometry, None
    reason = str(shapely.is_valid_reason(geometry))
    repaired = _polygonal(shapely.make_valid(geometry))
    if repaired is None:
        raise InvalidInput(
            f"features[{index}] has an invalid outline ({reason}) that does not repair to an area",
            where=where,
        )
    return repaired, reason


def _polygonal(geometry: shapely.Geometry) -> Polygonal | None:
    parts = [p for p in shapely.get_parts(geometry) if isinstance(p, Polygon | MultiPolygon)]
    polygons = [q for p in parts for q in shapely.get_parts(p) if not q.is_empty]
    if not polygons:
        return None
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def _check_unique_codes(areas: Sequence[AreaFeature], source: str) -> None:
    first: dict[str, int] = {}
    for area in areas:
        earlier = first.setdefault(area.code, area.index)
        if earlier != area.index:
            raise InvalidInput(
                f"features[{area.index}] has the same code {area.code!r} as features[{earlier}]",
                where=f"{source}: features[{area.index}]",
                hint="name a property with a unique code per area with --code-field",
            )


def slug(name: str) -> str:
    """A code made from a name: case-folded, apostrophes dropped, other runs of non-letters as '-'."""
    text = _APOSTROPHES.sub("", unicodedata.normalize("NFKC", name).casefold())
    return re.sub(r"[\W_]+", "-", text).strip("-") or "area"


# --- Finding areas ------------------------------------------------------------------------------------


def name_key(text: str) -> str:
    """The form names are compared in: NFKC, case-folded, apostrophes dropped, spaces collapsed, and
    Arabic written without its marks: vowel marks (tashkeel), the hamza and madda that alef carries
    (so أ إ آ read as ا) and tatweel are dropped; the letters stay as written."""
    text = unicodedata.normalize("NFKD", text)
    text = unicodedata.normalize("NFKC", _ARABIC_MARKS.sub("", text))
    text = _APOSTROPHES.sub("", text.casefold())
    return " ".join(text.split())


class NameIndex:
    """Resolves a code, a name or an alternative name to areas, in that order of precedence."""

    def __init__(self, areas: Iterable[AreaName]) -> None:
        self._tiers: tuple[dict[str, list[AreaName]], ...] = ({}, {}, {})
        for area in areas:
            names = {name_key(n) for n in area.alt_names}
            keys = ({area.code.casefold()}, {name_key(area.name)}, names)
            for tier, tier_keys in zip(self._tiers, keys, strict=True):
                for key in tier_keys:
                    tier.setdefault(key, []).append(area)

    def match(
        self, text: str, *, level: int | None = None, situations: Collection[str] | None = None
    ) -> list[AreaName]:
        """The areas ``text`` names, from the first tier (code, name, alt name) that has any.

        With ``situations``, only the areas of those situations and the shared ones (of no situation).
        """

        def wanted(area: AreaName) -> bool:
            if level is not None and area.level != level:
                return False
            return situations is None or area.situation is None or area.situation in situations

        keys = (text.strip().casefold(), name_key(text), name_key(text))
        for tier, key in zip(self._tiers, keys, strict=True):
            found = [a for a in tier.get(key, ()) if wanted(a)]
            if found:
                return sorted(found, key=lambda a: (a.level, a.situation or "", a.code))
        return []


Pairs = tuple[NDArray[np.intp], NDArray[np.intp]]


class Gazetteer:
    """The areas that contain a point, found through an STR-tree (never a loop over polygons)."""

    def __init__(self, areas: Iterable[Area]) -> None:
        self.areas: tuple[Area, ...] = tuple(areas)
        if any(area.geometry is None for area in self.areas):
            raise ValueError("every area in a gazetteer needs a geometry")
        self._geometries = np.array([area.geometry for area in self.areas], dtype=object)
        shapely.prepare(self._geometries)
        self._tree = shapely.STRtree(self._geometries)

    def pairs(self, latitudes: ArrayLike, longitudes: ArrayLike) -> Pairs:
        """(point index, area index) for each point inside or on the edge of an area, by point.

        NaN coordinates (no point) lie in no area. One bulk tree query finds the candidate areas of all
        points by bounding box; one vectorised test on the prepared outlines keeps the true ones.
        """
        lat = np.asarray(latitudes, dtype=np.float64).ravel()
        lon = np.asarray(longitudes, dtype=np.float64).ravel()
        if not self.areas or lat.size == 0:
            return np.empty(0, np.intp), np.empty(0, np.intp)
        point_index, area_index = self._tree.query(shapely.points(lon, lat))
        inside = shapely.intersects_xy(
            self._geometries[area_index], lon[point_index], lat[point_index]
        )
        point_index, area_index = point_index[inside], area_index[inside]
        order = np.lexsort((area_index, point_index))
        return point_index[order], area_index[order]

    def locate_many(self, points: Sequence[tuple[float, float]]) -> list[list[Area]]:
        """The areas each (latitude, longitude) point lies in, in the order the areas were given."""
        found: list[list[Area]] = [[] for _ in points]
        if points:
            lat, lon = np.asarray(points, dtype=np.float64).reshape(-1, 2).T
            for point, area in zip(*(a.tolist() for a in self.pairs(lat, lon)), strict=True):
                found[point].append(self.areas[area])
        return found

    def locate(self, latitude: float, longitude: float) -> list[Area]:
        """The areas the point lies in (none for a point outside every area)."""
        return self.locate_many([(latitude, longitude)])[0]

    def swapped_hint(self, latitude: float, longitude: float) -> bool:
        """True when the point is in no area but (longitude, latitude) is: plausibly swapped."""
        if not -90 <= longitude <= 90:
            return False
        return not self.locate(latitude, longitude) and bool(self.locate(longitude, latitude))
