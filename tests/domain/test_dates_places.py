"""Reported dates keep their precision; coordinates are checked (HUR-02, docs/requirements.md)."""

from __future__ import annotations

import calendar
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from testament.domain import dates, places
from testament.errors import InvalidInput


def test_a_month_is_a_range_never_the_first() -> None:
    found = dates.parse("2022-03")
    assert (found.start, found.end, found.precision) == ("2022-03-01", "2022-03-31", "month")


def test_a_year_is_a_range() -> None:
    found = dates.parse("2023")
    assert (found.start, found.end, found.precision) == ("2023-01-01", "2023-12-31", "year")


def test_month_names_are_read() -> None:
    found = dates.parse("February 2024")
    assert (found.start, found.end) == ("2024-02-01", "2024-02-29")


def test_an_exact_time_is_normalised_to_utc() -> None:
    found = dates.parse("2022-03-05T10:15:00+02:00")
    assert (found.start, found.precision) == ("2022-03-05T08:15:00Z", "exact")


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no time zone"):
        dates.parse("2022-03-05T10:15:00")


@pytest.mark.parametrize("text", ["02/30/2022", "2022-02-30", "2022-13-01", "04/31/2023"])
def test_impossible_dates_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="is not a date"):
        dates.parse(text, us_order=True, where="row 7, field date")


def test_us_order_only_when_asked() -> None:
    assert dates.parse("03/05/2022", us_order=True).start == "2022-03-05"
    with pytest.raises(InvalidInput, match="not a date Testament can read"):
        dates.parse("03/05/2022")


def test_an_estimate_must_not_end_before_it_starts() -> None:
    with pytest.raises(InvalidInput, match="starts"):
        dates.estimate("2022-05", "2022-04")
    found = dates.estimate("2022-04", "2022-05")
    assert (found.start, found.end, found.precision) == ("2022-04-01", "2022-05-31", "estimate")


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_any_real_day_round_trips_in_both_orders(day: date) -> None:
    iso = dates.parse(day.isoformat())
    us = dates.parse(f"{day.month:02d}/{day.day:02d}/{day.year}", us_order=True)
    assert iso.start == iso.end == us.start == day.isoformat()


@given(st.integers(1900, 2100), st.integers(1, 12))
def test_a_month_covers_exactly_its_days(year: int, month: int) -> None:
    found = dates.parse(f"{year}-{month:02d}")
    last = calendar.monthrange(year, month)[1]
    assert found.start == date(year, month, 1).isoformat()
    assert found.end == date(year, month, last).isoformat()


@given(st.integers(1900, 2100), st.integers(1, 12), st.integers(29, 31))
def test_days_past_the_month_end_are_refused(year: int, month: int, day: int) -> None:
    if day <= calendar.monthrange(year, month)[1]:
        assert dates.parse(f"{year}-{month:02d}-{day:02d}").precision == "day"
    else:
        with pytest.raises(InvalidInput):
            dates.parse(f"{year}-{month:02d}-{day:02d}")


@pytest.mark.parametrize(
    ("lat", "lon", "message"),
    [
        (91, 30, "latitude 91.0 is out of range"),
        (50, 181, "longitude 181.0 is out of range"),
        ("fifty", 30, "latitude must be a number"),
        (50, "nan", "finite"),
        (True, 30, "must be a number"),
    ],
)
def test_bad_coordinates_are_refused(lat: object, lon: object, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        places.point(lat, lon, where="row 3")


def test_swapped_out_of_range_coordinates_get_a_hint() -> None:
    with pytest.raises(InvalidInput) as caught:
        places.point(120.5, 48.3)
    assert caught.value.hint == "latitude and longitude look swapped"


def test_decimal_commas_and_strings_are_read() -> None:
    assert places.point("49,99", " 36.23 ", "250") == places.Point(49.99, 36.23, 250.0)
    with pytest.raises(InvalidInput, match="negative"):
        places.point(50, 30, -5)


@given(st.floats(-90, 90), st.floats(-180, 180))
def test_every_valid_point_is_accepted(lat: float, lon: float) -> None:
    assert places.point(lat, lon) == places.Point(lat, lon)
