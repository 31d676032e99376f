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


def touching(geometries: dict[int, dict]) -> set[tuple[int, int]]:
    """Pairs of keys whose shapes share a boundary or overlap. Generalised
    boundaries leave hairline gaps, so shapes are grown by about 10 m first."""
    shapes = {key: shape(g).buffer(0.0001) for key, g in geometries.items()}
    keys = sorted(shapes)
    return {
        (a, b)
        for i, a in enumerate(keys)
        for b in keys[i + 1 :]
        if shapes[a].intersects(shapes[b])
    }
