"""`geoDistance(lonA, latA, lonB, latB)`: the haversine distance in kilometres on a 6371 km sphere."""

from __future__ import annotations

import math
from typing import Any

from shared.tools.filter.values import normalize, to_number

EARTH_RADIUS_KM = 6371.0


def geo_distance(lon_a: Any, lat_a: Any, lon_b: Any, lat_b: Any) -> float | None:
    """Distance in km, or None (SQL NULL) when a coordinate is missing or not a finite number."""
    coordinates = [_degrees(value) for value in (lon_a, lat_a, lon_b, lat_b)]
    if any(value is None for value in coordinates):
        return None
    lon1, lat1, lon2, lat2 = (math.radians(value) for value in coordinates if value is not None)
    half_chord = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    # Rounding can push the haversine term a hair outside [0, 1], where asin/sqrt would fail.
    half_chord = min(1.0, max(0.0, half_chord))
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(half_chord))


def _degrees(value: Any) -> float | None:
    number = to_number(normalize(value))
    if number is None:
        return None
    try:
        degrees = float(number)
    except OverflowError:
        return None
    return degrees if math.isfinite(degrees) else None
