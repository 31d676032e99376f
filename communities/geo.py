"""Geometry on GeoJSON (WGS84 lon/lat) with shapely.

Ward boundaries are few (a city has tens), so exact tests run in Python after
a bounding-box filter in the database; PostGIS would be a whole extra server
component for no measurable gain at this size.
"""

from __future__ import annotations

import json
from functools import lru_cache

from shapely import prepared
from shapely.geometry import Point, shape


@lru_cache(maxsize=256)
def _prepared(geometry_json: str):
    return prepared.prep(shape(json.loads(geometry_json)))


def _key(geometry: dict) -> str:
    return json.dumps(geometry, sort_keys=True)


def bounds(geometry: dict) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat)."""
    return tuple(shape(geometry).bounds)


def contains(geometry: dict, *, lon: float, lat: float) -> bool:
    return _prepared(_key(geometry)).covers(Point(lon, lat))


def inner_point(geometry: dict) -> tuple[float, float]:
    """A point guaranteed to lie inside the shape (its centroid when the
    centroid is inside, as it is for most LSOAs)."""
    geom = shape(geometry)
    centroid = geom.centroid
    point = centroid if geom.covers(centroid) else geom.representative_point()
    return point.x, point.y


# Generalised boundaries leave hairline gaps between wards that touch, so
# shapes are grown by about 10 m before they are compared.
TOUCH_TOLERANCE = 0.0001


@lru_cache(maxsize=1024)
def _grown(geometry_json: str):
    return shape(json.loads(geometry_json)).buffer(TOUCH_TOLERANCE)


def touching(geometries: dict[int, dict]) -> set[tuple[int, int]]:
    """Pairs (a, b), a < b, of keys whose shapes share a boundary or overlap.
    Shapes whose bounding boxes are apart are never compared exactly."""
    shapes = {key: _grown(_key(g)) for key, g in geometries.items()}
    keys = sorted(shapes)
    return {
        (a, b)
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if _boxes_meet(shapes[a].bounds, shapes[b].bounds)
        and shapes[a].intersects(shapes[b])
    }


def touching_one(geometry: dict, others: dict[int, dict]) -> set[int]:
    """The keys of ``others`` whose shapes touch or overlap ``geometry``."""
    grown = _grown(_key(geometry))
    found = set()
    for key, other in others.items():
        other_shape = _grown(_key(other))
        if _boxes_meet(grown.bounds, other_shape.bounds) and grown.intersects(
            other_shape
        ):
            found.add(key)
    return found


def _boxes_meet(a: tuple, b: tuple) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]
