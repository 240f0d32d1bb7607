import math

import pytest

from course.content import geo


def test_known_distances():
    assert geo.haversine_km(0, 0, 0, 1) == pytest.approx(2 * math.pi * geo.EARTH_RADIUS_KM / 360)
    assert geo.haversine_km(90, 0, -90, 0) == pytest.approx(math.pi * geo.EARTH_RADIUS_KM)
    assert geo.haversine_km(39.0, 125.7, 39.0, 125.7) == 0


def test_symmetry():
    assert geo.haversine_km(39.0194, 125.7381, 55.7517, 37.6178) == pytest.approx(
        geo.haversine_km(55.7517, 37.6178, 39.0194, 125.7381)
    )


@pytest.mark.parametrize("bad", [(91, 0), (0, 181), (float("nan"), 0), ("39", 0), (True, 0)])
def test_bad_coordinates_are_named(bad):
    with pytest.raises(geo.GeoError):
        geo.haversine_km(*bad, 0, 0)


def test_great_circle_points_lie_on_the_shortest_path():
    points = geo.great_circle_points(39.0194, 125.7381, 55.7517, 37.6178, n=32)
    assert len(points) == 33 and points[0] == pytest.approx((39.0194, 125.7381))
    assert points[-1] == pytest.approx((55.7517, 37.6178))
    total = sum(geo.haversine_km(*a, *b) for a, b in zip(points, points[1:], strict=False))
    assert total == pytest.approx(geo.haversine_km(39.0194, 125.7381, 55.7517, 37.6178), rel=1e-4)
    # The arc bends north of the straight Mercator line: its midpoint is further north than either end's mean.
    assert points[16][0] > (39.0194 + 55.7517) / 2


def test_arcs_across_the_antimeridian_do_not_jump():
    points = geo.great_circle_points(60, 170, 60, -170, n=10)
    lons = [lon for _, lon in points]
    assert all(abs(b - a) < 180 for a, b in zip(lons, lons[1:], strict=False))
    assert lons[-1] == pytest.approx(190)


def test_degenerate_arcs():
    assert geo.great_circle_points(10, 10, 10, 10, n=3) == [(10, 10)] * 4
    with pytest.raises(geo.GeoError, match="antipodal"):
        geo.great_circle_points(0, 0, 0, 180)
    with pytest.raises(ValueError):
        geo.great_circle_points(0, 0, 1, 1, n=0)


def test_distance_table_from_places():
    table = geo.distance_table([("pyongyang", "beijing"), ("pyongyang", "vostochny")])
    assert list(table.columns) == ["from", "to", "km", "approximate"]
    assert table.loc[0, "approximate"] is False or not table.loc[0, "approximate"]
    assert table.loc[1, "approximate"]
    with pytest.raises(KeyError, match="unknown place id 'atlantis'"):
        geo.distance_table([("pyongyang", "atlantis")])
