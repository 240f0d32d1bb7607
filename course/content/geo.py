"""Great-circle geometry: distances and arcs on a spherical Earth.

The course computes every distance it shows from the coordinates in ``data/places.csv``, with the haversine
formula on a sphere of the mean Earth radius (IUGG, 6371.0088 km). Straight lines on a web map are not
shortest paths: :func:`great_circle_points` gives the points of the true shortest route for drawing.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

EARTH_RADIUS_KM = 6371.0088


class GeoError(ValueError):
    """A coordinate that is not a valid latitude or longitude."""


def _check(lat: float, lon: float) -> None:
    for value, name, limit in ((lat, "latitude", 90), (lon, "longitude", 180)):
        if not isinstance(value, int | float) or isinstance(value, bool) or math.isnan(value):
            raise GeoError(f"{name} must be a number, got {value!r}")
        if abs(value) > limit:
            raise GeoError(f"{name} {value} is outside -{limit}..{limit}")


def haversine_km(
    lat1: float, lon1: float, lat2: float, lon2: float, radius_km: float = EARTH_RADIUS_KM
) -> float:
    """Return the great-circle distance in kilometres between two points given in degrees.

    Examples
    --------
    >>> round(haversine_km(0, 0, 0, 1), 2)  # one degree along the equator
    111.19
    """
    _check(lat1, lon1)
    _check(lat2, lon2)
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * radius_km * math.asin(min(1.0, math.sqrt(a)))


def great_circle_points(
    lat1: float, lon1: float, lat2: float, lon2: float, n: int = 64
) -> list[tuple[float, float]]:
    """Return ``n + 1`` (lat, lon) points along the shortest path, endpoints included.

    Longitudes are unwrapped so that consecutive points never jump by more than 180 degrees (a route across
    the antimeridian continues past 180 rather than jumping back to -180), which map libraries draw as a
    continuous line.
    """
    _check(lat1, lon1)
    _check(lat2, lon2)
    if n < 1:
        raise ValueError("n must be at least 1")
    p1 = _to_vector(lat1, lon1)
    p2 = _to_vector(lat2, lon2)
    omega = math.acos(max(-1.0, min(1.0, sum(a * b for a, b in zip(p1, p2, strict=True)))))
    if omega < 1e-7:  # under a metre apart: a point, not an arc
        return [(lat1, lon1)] * (n + 1)
    if abs(omega - math.pi) < 1e-9:
        raise GeoError("the points are antipodal: every great circle through them is a shortest path")
    points = []
    previous_lon = None
    for i in range(n + 1):
        t = i / n
        s1 = math.sin((1 - t) * omega) / math.sin(omega)
        s2 = math.sin(t * omega) / math.sin(omega)
        x, y, z = (s1 * a + s2 * b for a, b in zip(p1, p2, strict=True))
        lat = math.degrees(math.atan2(z, math.hypot(x, y)))
        lon = math.degrees(math.atan2(y, x))
        if previous_lon is not None:
            while lon - previous_lon > 180:
                lon -= 360
            while lon - previous_lon < -180:
                lon += 360
        points.append((lat, lon))
        previous_lon = lon
    return points


def _to_vector(lat: float, lon: float) -> tuple[float, float, float]:
    phi, lmb = math.radians(lat), math.radians(lon)
    return (math.cos(phi) * math.cos(lmb), math.cos(phi) * math.sin(lmb), math.sin(phi))


def distance_table(pairs: Iterable[tuple[str, str]], places=None):
    """Return a DataFrame of great-circle distances (km) between pairs of place ids from ``places.csv``.

    Parameters
    ----------
    pairs : iterable of (place_id, place_id)
    places : DataFrame, optional
        The places table (default: ``course.content.data.load("places")``).
    """
    import pandas as pd

    from course.content.data import load

    places = load("places") if places is None else places
    rows = []
    for a, b in pairs:
        for pid in (a, b):
            if pid not in places.index:
                raise KeyError(f"unknown place id {pid!r}; known: {', '.join(places.index)}")
        pa, pb = places.loc[a], places.loc[b]
        rows.append(
            {
                "from": pa["name"],
                "to": pb["name"],
                "km": round(haversine_km(pa["lat"], pa["lon"], pb["lat"], pb["lon"]), 1),
                "approximate": bool(pa["precision"] == "approximate" or pb["precision"] == "approximate"),
            }
        )
    return pd.DataFrame(rows, columns=["from", "to", "km", "approximate"])
