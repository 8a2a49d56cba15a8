"""An area drawn on the map narrows the list, the map and the timeline; the timeline's spans; finding a
place by part of its name; the precision of a point. Each bad input is refused with what and why."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from testament.analysis import regions
from testament.custody import cases
from testament.custody.instance import Instance
from testament.documentation import gazetteer, incidents, place_search, timeline
from testament.documentation.incidents import IncidentInput, ListFilter
from testament.domain import places
from testament.errors import InvalidInput
from tests.api.test_hidden_records import AREAS

# (title, date, date_to, latitude, longitude)
PLACED = [
    ("Kyiv strike", "2022-03-01", "", 50.45, 30.52),
    ("Kharkiv strike", "2022-03-05", "", 49.99, 36.23),
    ("Odesa strike", "2022-04", "", 46.48, 30.72),
    ("Lviv strike", "2022-05-01", "2022-05-20", 49.84, 24.03),
    ("Nowhere known", "2022", "", None, None),
    ("Undated", "", "", 50.0, 30.0),
]


def placed(title: str, day: str, until: str, lat: float | None, lon: float | None) -> IncidentInput:
    """One of :data:`PLACED` as an incident: a day, a month or a year, or a range until ``until``."""
    if until:
        return IncidentInput(title, date_from=day, date_to=until, latitude=lat, longitude=lon)
    return IncidentInput(title, date=day, latitude=lat, longitude=lon)


@pytest.fixture
def case(instance: Instance) -> dict[str, str]:
    cases.create_case(instance, "Case A")
    return {row[0]: incidents.create(instance, "Case A", placed(*row)) for row in PLACED}


def _titles(instance: Instance, only: ListFilter) -> set[str]:
    return {r.title for r in incidents.list_for_case(instance, "Case A", only=only)}


# A triangle over Kyiv and Kharkiv, but not Odesa or Lviv.
TRIANGLE = "29,51;38,51;33,48"


def test_a_box_or_a_polygon_narrows_the_list_and_the_map(
    instance: Instance, case: dict[str, str]
) -> None:
    east = ListFilter(bbox="28,46,37,51")
    assert _titles(instance, east) == {"Kyiv strike", "Kharkiv strike", "Odesa strike", "Undated"}
    assert _titles(instance, ListFilter(polygon=TRIANGLE)) == {"Kyiv strike", "Kharkiv strike"}
    shown = incidents.map_points(instance, "Case A", only=ListFilter(polygon=TRIANGLE))
    assert shown.total == 2 and not shown.clustered
    clustered = incidents.map_points(
        instance, "Case A", only=ListFilter(polygon=TRIANGLE), at_most=1
    )
    assert clustered.clustered and sum(f["properties"]["count"] for f in clustered.features) == 2
    boxed = incidents.map_points(instance, "Case A", only=ListFilter(bbox="28,46,37,51"))
    assert boxed.total == 4
    dated = ListFilter(date_from="2022-03-02", date_to="2022-04-10", bbox="28,46,37,51")
    assert _titles(instance, dated) == {"Kharkiv strike", "Odesa strike"}
    paged = incidents.list_for_case(
        instance, "Case A", limit=1, offset=1, only=ListFilter(polygon=TRIANGLE)
    )
    assert [r.title for r in paged] == ["Kharkiv strike"]


def test_the_timeline_gives_days_and_ranges_but_ignores_its_own_brush(
    instance: Instance, case: dict[str, str]
) -> None:
    spans = timeline.spans(instance, "Case A", ListFilter(date_from="2022-03-02"))
    assert spans.undated == 1
    days = list(zip(spans.start, spans.end, spans.vague, strict=True))
    day = timeline.day_number
    assert days == [
        (day("2022-01-01"), day("2022-12-31"), 1),  # a year: a range
        (day("2022-03-01"), day("2022-03-01"), 0),  # a day: a point
        (day("2022-03-05"), day("2022-03-05"), 0),
        (day("2022-04-01"), day("2022-04-30"), 1),  # a month
        (day("2022-05-01"), day("2022-05-20"), 1),  # a range between two days
    ]
    inside = timeline.spans(instance, "Case A", ListFilter(polygon=TRIANGLE))
    assert inside.start == [day("2022-03-01"), day("2022-03-05")] and inside.undated == 0
    assert timeline.day_number("1970-01-02") == 1
    assert spans.as_json()["vague"] == [1, 0, 0, 1, 1]
    # Kept while nothing changes; a new incident (a custody event) is seen at once.
    assert timeline.spans(instance, "Case A") is timeline.spans(instance, "Case A")
    incidents.create(instance, "Case A", IncidentInput("Later strike", date="2023-01-02"))
    again = timeline.spans(instance, "Case A")
    assert again.start[-1] == day("2023-01-02") and len(again.start) == len(spans.start) + 1


@pytest.mark.parametrize(
    ("only", "where"),
    [
        (ListFilter(bbox="30,52,31,50"), "bbox"),  # south north of north
        (ListFilter(bbox="30,50,31,91"), "bbox"),  # off the globe
        (ListFilter(bbox="-181,50,31,51"), "bbox"),
        (ListFilter(bbox="31,50,30,51"), "bbox"),  # west east of east
        (ListFilter(bbox="a,b,c,d"), "bbox"),
        (ListFilter(bbox="1,2,3"), "bbox"),
        (ListFilter(bbox="nan,1,2,3"), "bbox"),
        (ListFilter(polygon="30,50;31,51"), "polygon"),  # two corners
        (ListFilter(polygon="30,50;31,51;30,50"), "polygon"),  # closed, still two
        (ListFilter(polygon="0,0;2,2;2,0;0,2"), "polygon"),  # a bow tie: edges cross
        (ListFilter(polygon="0,0;1,1;2,2"), "polygon"),  # no area
        (ListFilter(polygon="0,0;1,95;2,0"), "polygon"),
        (ListFilter(bbox="0,0,1,1", polygon="0,0;1,1;1,0"), "polygon"),
    ],
)
def test_a_bad_area_is_refused_naming_the_parameter(
    instance: Instance, case: dict[str, str], only: ListFilter, where: str
) -> None:
    for call in (
        lambda: incidents.list_for_case(instance, "Case A", only=only),
        lambda: incidents.map_points(instance, "Case A", only=only),
        lambda: timeline.spans(instance, "Case A", only),
    ):
        with pytest.raises(InvalidInput) as refused:
            call()
        assert refused.value.where == where, refused.value.what


def test_a_reversed_date_range_is_refused(instance: Instance, case: dict[str, str]) -> None:
    with pytest.raises(InvalidInput) as refused:
        incidents.list_for_case(
            instance, "Case A", only=ListFilter(date_from="2022-05-01", date_to="2022-04-01")
        )
    assert "date_to" in refused.value.errors
    same_day = ListFilter(date_from="2022-03-01", date_to="2022-03-01")
    assert _titles(instance, same_day) == {"Kyiv strike", "Nowhere known"}


@pytest.fixture
def areas(instance: Instance) -> None:
    gazetteer.load(instance, AREAS, level=1, name_field="NAME_1", alt_names_field="VARNAME_1")


def test_places_are_found_by_part_of_a_name_in_either_script(
    instance: Instance, areas: None
) -> None:
    (kharkiv,) = place_search.search_places(instance, "khar")
    assert kharkiv.name == "Kharkiv"
    assert [p.name for p in place_search.search_places(instance, "Харків")] == ["Kharkiv"]
    assert [p.name for p in place_search.search_places(instance, "jarkov")] == ["Kharkiv"]
    # The point lies in the area, and the radius covers it (Kharkiv oblast is ~200 km across).
    located = gazetteer.locate(instance, kharkiv.latitude, kharkiv.longitude)
    assert [a.name for a in located.areas] == ["Kharkiv"]
    assert 80_000 < kharkiv.radius_m < 400_000
    assert place_search.search_places(instance, "zzzz") == []


@pytest.mark.parametrize("query", ["", " ", "k", " к ", "x" * 201])
def test_a_place_search_needs_two_characters(instance: Instance, query: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        place_search.search_places(instance, query)
    assert refused.value.where == "q"


def test_a_precision_stands_for_a_radius(instance: Instance) -> None:
    assert places.stated_uncertainty("exact", "5000") == 10.0
    assert places.stated_uncertainty("settlement", "") == 2000.0
    assert places.stated_uncertainty("area", "25000") == "25000"
    assert places.stated_uncertainty("", "") == ""
    for word in ("area", "radius"):
        with pytest.raises(InvalidInput, match="needs the radius"):
            places.stated_uncertainty(word, "")
    with pytest.raises(InvalidInput, match="not a precision"):
        places.stated_uncertainty("roughly", "")
    assert [places.precision_of(m) for m in (None, 10.0, 2000.0, 1234.0)] == [
        "",
        "exact",
        "settlement",
        "radius",
    ]


corner = st.tuples(st.floats(-180, 180, allow_nan=False), st.floats(-90, 90, allow_nan=False))


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(corner, min_size=3, max_size=8), st.lists(corner, max_size=20))
def test_a_polygon_is_valid_or_refused_and_holds_its_own_points(
    corners: list[tuple[float, float]], points: list[tuple[float, float]]
) -> None:
    """Any list of corners parses to a region whose box holds every point it contains, or is refused
    with the parameter named; never another error."""
    text = ";".join(f"{lon!r},{lat!r}" for lon, lat in corners)
    try:
        region = regions.parse_polygon(text)
    except InvalidInput as refused:
        assert refused.where == "polygon"
        return
    lon = [p[0] for p in points]
    lat = [p[1] for p in points]
    for (x, y), inside in zip(points, region.contains(lon, lat).tolist(), strict=True):
        if inside:
            assert region.west <= x <= region.east and region.south <= y <= region.north
    name, value = region.as_param()
    assert name == "polygon" and regions.parse_polygon(value).corners == region.corners
