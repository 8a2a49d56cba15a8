"""The gazetteer, pure: reading GeoJSON (every bad input refused with the feature at fault), locating
points through the STR-tree, the swapped-coordinates hint, and resolving names."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from testament.analysis.gazetteer import (
    Area,
    AreaFeature,
    Gazetteer,
    NameIndex,
    name_key,
    parse_areas,
    slug,
)
from testament.errors import InvalidInput

SAMPLE = (
    Path(__file__).resolve().parents[1] / "fixtures" / "gazetteer" / "ukraine-adm1-sample.geojson"
)
KHARKIV = (49.99, 36.23)
KYIV = (50.45, 30.52)
KHERSON = (46.635, 32.617)
SQUARE = [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]


def _parse(data: bytes, **options: Any) -> list[AreaFeature]:
    options.setdefault("name_field", "NAME_1")
    return parse_areas(data, level=options.pop("level", 1), source="in.geojson", **options)


def _as_areas(features: list[AreaFeature], level: int = 1) -> list[Area]:
    return [
        Area(f.index + 1, level, f.code, f.name, f.alt_names, geometry=f.geometry) for f in features
    ]


@pytest.fixture(scope="module")
def sample() -> list[AreaFeature]:
    return _parse(SAMPLE.read_bytes(), alt_names_field="VARNAME_1")


@pytest.fixture(scope="module")
def gaz(sample: list[AreaFeature]) -> Gazetteer:
    return Gazetteer(_as_areas(sample))


def _collection(*features: Any) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def _feature(name: str | None = "A", geometry: Any = None, **properties: Any) -> dict[str, Any]:
    if name is not None:
        properties["NAME_1"] = name
    shape = geometry if geometry is not None else {"type": "Polygon", "coordinates": SQUARE}
    return {"type": "Feature", "properties": properties, "geometry": shape}


# --- Reading ------------------------------------------------------------------------------------------


def test_reads_names_alt_names_and_hasc_codes(sample: list[AreaFeature]) -> None:
    by_code = {f.code: f for f in sample}
    assert set(by_code) == {"UA.KK", "UA.KS", "UA.KV", "UA.KC"}
    assert by_code["UA.KK"].name == "Kharkiv"
    assert by_code["UA.KK"].alt_names == ("Charkow", "Jarkov", "Karkov", "Khar'kov")
    assert by_code["UA.KC"].alt_names == ("Kyiv",)
    assert by_code["UA.KS"].geometry.geom_type == "MultiPolygon"
    assert [f.index for f in sample] == [0, 1, 2, 3]
    assert all(f.repaired is None for f in sample)


def test_code_is_a_slug_of_the_name_without_hasc_and_any_field_when_named() -> None:
    data = _collection(_feature("L'viv Oblast"), _feature("Київ", ID=7))
    assert [f.code for f in _parse(data)] == ["lviv-oblast", "київ"]
    with pytest.raises(InvalidInput, match="no 'ID' property") as caught:
        _parse(data, code_field="ID")
    assert caught.value.where == "in.geojson: features[0]"
    assert slug("  ---  ") == "area"


def test_hasc_is_the_default_code_only_when_every_feature_has_one() -> None:
    data = _collection(_feature("A", HASC_2="UA.KK.01"), _feature("B", HASC_2="UA.KK.02"))
    assert [f.code for f in _parse(data, level=2)] == ["UA.KK.01", "UA.KK.02"]
    partial = _collection(_feature("A", HASC_2="UA.KK.01"), _feature("B"))
    assert [f.code for f in _parse(partial, level=2)] == ["a", "b"]


def test_duplicate_codes_are_refused_naming_both_features() -> None:
    data = _collection(_feature("Kharkiv"), _feature("Sumy"), _feature("KHARKIV"))
    with pytest.raises(
        InvalidInput, match=r"features\[2\] has the same code 'kharkiv' as features\[0\]"
    ):
        _parse(data)


def test_alt_names_split_trimmed_and_deduplicated() -> None:
    data = _collection(
        _feature("Odessa", ALT=" Odesa | | odessa|Odes'ka Oblast'|Odesa "),
        _feature("Kyiv", ALT=["Kiev", "Kyjiv"]),
        _feature("Sumy", ALT=None),
    )
    names = [f.alt_names for f in _parse(data, alt_names_field="ALT")]
    assert names == [("Odesa", "Odes'ka Oblast'"), ("Kiev", "Kyjiv"), ()]
    with pytest.raises(InvalidInput, match="'ALT' property must be text"):
        _parse(_collection(_feature("A", ALT=3)), alt_names_field="ALT")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe\x00garbage", "not"),
        (b'{"type": "FeatureCollection", "features": [NaN]}', "not valid JSON"),
        (b"[]", "not a GeoJSON FeatureCollection"),
        (b'{"type": "Feature", "features": []}', "not a GeoJSON FeatureCollection"),
        (b'{"type": "FeatureCollection", "features": []}', "has no features"),
        (b'{"type": "FeatureCollection"}', "has no features"),
    ],
)
def test_a_file_that_is_not_a_feature_collection_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(InvalidInput, match=message) as caught:
        _parse(data)
    assert caught.value.where == "in.geojson"


def test_a_feature_without_the_name_field_is_refused_listing_its_properties() -> None:
    data = _collection(_feature("A"), _feature(None, NAME="B", HASC="X"))
    with pytest.raises(InvalidInput, match=r"features\[1\] has no 'NAME_1' property") as caught:
        _parse(data)
    assert caught.value.where == "in.geojson: features[1]"
    assert "HASC, NAME" in (caught.value.hint or "")
    with pytest.raises(InvalidInput, match="no 'NAME_1'"):
        _parse(_collection(_feature("   ")))


@pytest.mark.parametrize(
    ("feature", "message"),
    [
        ("a string", r"features\[1\] is not a GeoJSON Feature"),
        ({"type": "Polygon", "coordinates": SQUARE}, "is not a GeoJSON Feature"),
        ({"type": "Feature", "properties": [1], "geometry": None}, "properties .* not an object"),
        (_feature(geometry={"type": "Point", "coordinates": [30, 50]}), "has a Point geometry"),
        (
            _feature(geometry={"type": "LineString", "coordinates": [[0, 0], [1, 1]]}),
            "has a LineString geometry; an area must be a Polygon or MultiPolygon",
        ),
        ({"type": "Feature", "properties": {"NAME_1": "A"}, "geometry": None}, "has no geometry"),
        (_feature(geometry={"type": "Polygon"}), "without coordinates"),
        (_feature(geometry={"type": "Polygon", "coordinates": [[1, 2]]}), "malformed coordinates"),
        (_feature(geometry={"type": "Polygon", "coordinates": [["x"]]}), "malformed coordinates"),
        (_feature(geometry={"type": "Polygon", "coordinates": []}), "empty geometry"),
        (
            _feature(geometry={"type": "Polygon", "coordinates": [[[0, 0], [3e5, 0], [0, 4e6]]]}),
            "outside longitude -180..180",
        ),
        (
            _feature(
                geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]}
            ),
            r"invalid outline \(Self-intersection.*\) that does not repair",
        ),
    ],
)
def test_a_bad_feature_is_refused_with_its_index(feature: Any, message: str) -> None:
    data = _collection(_feature("Good"), feature)
    with pytest.raises(InvalidInput, match=message) as caught:
        _parse(data)
    assert caught.value.where == "in.geojson: features[1]"


def test_an_invalid_outline_is_repaired_and_reported() -> None:
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}
    (area,) = _parse(_collection(_feature("Bowtie", bowtie)))
    assert area.repaired is not None and area.repaired.startswith("Self-intersection")
    assert area.geometry.is_valid and area.geometry.geom_type == "MultiPolygon"
    assert math.isclose(area.geometry.area, 2.0)
    gaz = Gazetteer(_as_areas([area]))
    assert [a.name for a in gaz.locate(1.0, 0.5)] == ["Bowtie"]


def test_z_coordinates_are_dropped() -> None:
    ring = [[0, 0, 10], [0, 1, 10], [1, 1, 10], [0, 0, 10]]
    (area,) = _parse(_collection(_feature(geometry={"type": "Polygon", "coordinates": [ring]})))
    assert not area.geometry.has_z


# --- Locating -----------------------------------------------------------------------------------------


def test_locates_cities_in_their_areas(gaz: Gazetteer) -> None:
    assert [a.name for a in gaz.locate(*KHARKIV)] == ["Kharkiv"]
    assert [a.name for a in gaz.locate(*KHERSON)] == ["Kherson"]
    # Kyiv lies in the hole of Kiev oblast, so in Kiev City only.
    assert [a.code for a in gaz.locate(*KYIV)] == ["UA.KC"]
    assert [a.code for a in gaz.locate(50.0, 30.0)] == ["UA.KV"]
    assert gaz.locate(48.5, 35.0) == []
    assert gaz.locate(0.0, 0.0) == []


def test_locate_many_keeps_the_order_of_points(gaz: Gazetteer) -> None:
    found = gaz.locate_many([KYIV, (0.0, 0.0), KHARKIV, (math.nan, math.nan), KHARKIV])
    assert [[a.code for a in areas] for areas in found] == [
        ["UA.KC"],
        [],
        ["UA.KK"],
        [],
        ["UA.KK"],
    ]
    assert gaz.locate_many([]) == []


def test_a_point_on_a_shared_border_lies_in_both_areas() -> None:
    west = Area(1, 1, "W", "West", geometry=box(0, 0, 1, 1))
    east = Area(2, 1, "E", "East", geometry=box(1, 0, 2, 1))
    gaz = Gazetteer([east, west])
    assert [a.code for a in gaz.locate(0.5, 1.0)] == ["E", "W"]
    assert [a.code for a in gaz.locate(1.0, 2.0)] == ["E"]
    point_index, area_index = gaz.pairs([0.5, 0.5, 5.0], [0.5, 1.0, 5.0])
    assert point_index.tolist() == [0, 1, 1] and area_index.tolist() == [1, 0, 1]


def test_an_empty_gazetteer_locates_nothing() -> None:
    gaz = Gazetteer([])
    assert gaz.locate(*KYIV) == [] and gaz.locate_many([KYIV]) == [[]]
    assert not gaz.swapped_hint(*KYIV)
    with pytest.raises(ValueError, match="needs a geometry"):
        Gazetteer([Area(1, 1, "X", "No outline")])


def test_swapped_hint(gaz: Gazetteer) -> None:
    lat, lon = KHARKIV
    assert gaz.swapped_hint(lon, lat) is True
    assert gaz.swapped_hint(lat, lon) is False  # already in an area
    assert gaz.swapped_hint(10.0, 20.0) is False  # in no area either way
    assert gaz.swapped_hint(lat, 120.0) is False  # 120 cannot be a latitude


@st.composite
def _polygons(draw: st.DrawFn) -> Polygon:
    """Random simple polygons: the convex hull of random points, with a square hole sometimes."""
    coordinate = st.floats(-60, 60, allow_nan=False, allow_infinity=False)
    points = draw(st.lists(st.tuples(coordinate, coordinate), min_size=3, max_size=12))
    hull = shapely.MultiPoint(points).convex_hull
    if not isinstance(hull, Polygon) or hull.area < 1e-3:
        return box(0, 0, 1, 1)
    if draw(st.booleans()):
        centre = hull.centroid
        hole = box(centre.x - 0.1, centre.y - 0.1, centre.x + 0.1, centre.y + 0.1)
        if hull.contains(hole):
            hull = hull.difference(hole)
    assert isinstance(hull, Polygon)
    return hull


@settings(max_examples=150, deadline=None)
@given(polygons=st.lists(_polygons(), min_size=1, max_size=5), pick=st.integers(0, 4))
def test_an_interior_point_is_located_in_its_area(polygons: list[Polygon], pick: int) -> None:
    areas = [Area(i, 1, f"A{i}", f"Area {i}", geometry=p) for i, p in enumerate(polygons)]
    chosen = areas[pick % len(areas)]
    assert chosen.geometry is not None
    inside = chosen.geometry.representative_point()
    found = Gazetteer(areas).locate(inside.y, inside.x)
    assert chosen in found


@settings(max_examples=200, deadline=None)
@given(
    points=st.lists(
        st.tuples(st.floats(46.0, 51.5), st.floats(29.5, 40.0)), min_size=1, max_size=50
    )
)
def test_the_index_agrees_with_a_loop_over_every_polygon(
    gaz: Gazetteer, points: list[tuple[float, float]]
) -> None:
    expected = [
        [a for a in gaz.areas if a.geometry is not None and a.geometry.intersects(Point(lon, lat))]
        for lat, lon in points
    ]
    assert gaz.locate_many(points) == expected


# --- Names --------------------------------------------------------------------------------------------


def test_names_resolve_by_code_then_name_then_alt_name(sample: list[AreaFeature]) -> None:
    index = NameIndex(_as_areas(sample))

    def codes(text: str, level: int | None = None) -> list[str]:
        return [a.code for a in index.match(text, level=level)]

    assert codes("ua.kk") == ["UA.KK"]
    assert codes("  KHARKIV ") == ["UA.KK"]
    assert codes("Kharkov") == ["UA.KK"]  # the alt name "Khar'kov", apostrophe dropped
    assert codes("kiev city") == ["UA.KC"]
    assert codes("Kyiv") == ["UA.KC", "UA.KV"]  # an alt name of both: the caller decides
    assert codes("Kyiv", level=2) == []
    assert codes("Lviv") == []
    assert name_key("  L’viv   Oblast ") == "lviv oblast"


def test_a_name_that_is_also_a_code_resolves_to_the_code() -> None:
    first = Area(1, 1, "KS", "Kherson", geometry=box(0, 0, 1, 1))
    second = Area(2, 1, "XX", "KS", geometry=box(1, 1, 2, 2))
    assert [a.id for a in NameIndex([first, second]).match("ks")] == [1]
