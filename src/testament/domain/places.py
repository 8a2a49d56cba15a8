"""Where something happened: a point with an uncertainty radius, or only an area, plus the text as reported.

Coordinates are WGS 84 decimal degrees. Out-of-range values are refused; values that look swapped (the
point falls in no known area but the swapped one does) are accepted with a warning, because only the
documenter can tell (the gazetteer decides "known area").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from testament.errors import InvalidInput

SHOWN_CHARS = 40  # the most of a refused value a diagnosis repeats
SHOWN_BITS = 128


@dataclass(frozen=True)
class Point:
    latitude: float
    longitude: float
    uncertainty_m: float | None = None


def _shown(value: object) -> str:
    """``value`` as a diagnosis quotes it: shortened, so a 400-digit number is not repeated whole."""
    if isinstance(value, int) and value.bit_length() > SHOWN_BITS:
        return "a whole number too large to be a coordinate"  # and too long to print
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _number(value: object, name: str, where: str | None) -> float:
    if isinstance(value, bool):
        raise InvalidInput(f"{name} must be a number, not {value!r}", where=where)
    try:
        if isinstance(value, int | float):
            number = float(value)
        elif isinstance(value, str):
            number = float(value.strip().replace(",", "."))
        else:
            raise InvalidInput(f"{name} must be a number, not {_shown(value)}", where=where)
    except ValueError:
        raise InvalidInput(f"{name} must be a number, not {_shown(value)}", where=where) from None
    except OverflowError:  # an integer beyond the largest float
        number = math.inf
    if not math.isfinite(number):
        raise InvalidInput(f"{name} must be a finite number, not {_shown(value)}", where=where)
    return number


def point(
    latitude: object, longitude: object, uncertainty_m: object = None, *, where: str | None = None
) -> Point:
    """Validate a point; raises InvalidInput naming the field when a value is not a coordinate."""
    lat = _number(latitude, "latitude", where)
    lon = _number(longitude, "longitude", where)
    if not -90 <= lat <= 90:
        hint = "latitude and longitude look swapped" if -90 <= lon <= 90 else None
        raise InvalidInput(f"latitude {lat} is out of range (-90 to 90)", where=where, hint=hint)
    if not -180 <= lon <= 180:
        raise InvalidInput(f"longitude {lon} is out of range (-180 to 180)", where=where)
    radius = None
    if uncertainty_m not in (None, ""):
        radius = _number(uncertainty_m, "uncertainty", where)
        if radius < 0:
            raise InvalidInput(
                f"the uncertainty radius must not be negative ({radius} m)", where=where
            )
    return Point(lat, lon, radius)


# How exact a point is, as the incident form asks it: a word, stored as the point's uncertainty radius.
# "exact" and "settlement" stand for fixed radii; "area" (the radius that covers a gazetteer area, which
# the form's place search fills in) and "radius" take the metres given.
PRECISION_RADII: dict[str, float | None] = {
    "exact": 10.0,
    "settlement": 2000.0,
    "area": None,
    "radius": None,
}


def stated_uncertainty(
    precision: str, uncertainty_m: object, *, where: str | None = None
) -> object:
    """The uncertainty radius a stated precision means: a fixed radius for "exact" and "settlement",
    the metres given for "area" and "radius" (which then need them), and the metres as given when no
    precision is stated."""
    if not precision:
        return uncertainty_m
    if precision not in PRECISION_RADII:
        raise InvalidInput(
            f"{_shown(precision)} is not a precision",
            where=where,
            hint="use " + ", ".join(PRECISION_RADII),
        )
    fixed = PRECISION_RADII[precision]
    if fixed is not None:
        return fixed
    if uncertainty_m in (None, ""):
        raise InvalidInput(f"a precision of {precision!r} needs the radius in metres", where=where)
    return uncertainty_m


def precision_of(uncertainty_m: float | None) -> str:
    """The precision a stored radius reads as: its fixed radius's word, "radius" for any other."""
    if uncertainty_m is None:
        return ""
    named = [word for word, radius in PRECISION_RADII.items() if radius == uncertainty_m]
    return named[0] if named else "radius"
