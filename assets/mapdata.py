"""The map's data as GeoJSON, built in one query and cached in Redis.

The cache key carries a version that changes whenever an asset changes (see
``bump_version``, called after each committed write), so a cached map is
never stale and no entry needs deleting."""

from __future__ import annotations

import json
import time

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from communities.models import Area

from .models import Asset, Category

VERSION_KEY = "assets:map-version"
CACHE_SECONDS = 60 * 60 * 24
WARDS_CACHE_SECONDS = 60 * 60

CATEGORY_LABELS = dict(Category.choices)


def version() -> int:
    """The current map version. A time in nanoseconds rather than a counter,
    so that a version lost from the cache never comes back as an old one."""
    current = cache.get(VERSION_KEY)
    if current is None:
        current = time.time_ns()
        if not cache.add(VERSION_KEY, current, timeout=None):
            current = cache.get(VERSION_KEY, current)
    return current


def bump_version() -> None:
    """Make every cached map out of date, once the writing transaction has
    committed (a reader before the commit must not cache old rows under the
    new version)."""
    transaction.on_commit(lambda: cache.set(VERSION_KEY, time.time_ns(), timeout=None))


def _rounded(value: float) -> float:
    # Six decimal places is about 10 cm: plenty, and a smaller download.
    return round(value, 6)


def asset_features(queryset) -> dict:
    """A FeatureCollection of the located assets in ``queryset``: one query,
    however many assets there are."""
    rows = (
        queryset.located()
        .order_by()
        .values(
            "pk",
            "name",
            "category",
            "address",
            "postcode",
            "latitude",
            "longitude",
            "visibility",
            "status",
            "area__name",
        )
        .annotate(
            tag_names=ArrayAgg(
                "tags__name",
                distinct=True,
                filter=Q(tags__isnull=False),
                default=[],
            )
        )
    )
    detail = reverse("assets:detail", args=[0])[: -len("0/")]
    features = [
        {
            "type": "Feature",
            "id": row["pk"],
            "geometry": {
                "type": "Point",
                "coordinates": [
                    _rounded(row["longitude"]),
                    _rounded(row["latitude"]),
                ],
            },
            "properties": {
                "name": row["name"],
                "category": row["category"],
                "category_label": CATEGORY_LABELS[row["category"]],
                "address": ", ".join(
                    part for part in (row["address"], row["postcode"]) if part
                ),
                "area": row["area__name"] or "",
                "tags": sorted(row["tag_names"]),
                "staff_only": row["visibility"] == Asset.Visibility.STAFF,
                "closed": row["status"] == Asset.Status.CLOSED,
                "url": f"{detail}{row['pk']}/",
            },
        }
        for row in rows
    ]
    return {"type": "FeatureCollection", "features": features}


def cached_asset_geojson(queryset, *, scope: str, filters: dict) -> str:
    """The serialised FeatureCollection, from the cache when it is current.
    ``scope`` and ``filters`` must together say which rows ``queryset`` holds."""
    parts = [f"{k}={filters[k]}" for k in sorted(filters) if filters[k]]
    key = f"assets:geojson:{version()}:{scope}:{'&'.join(parts)}"
    payload = cache.get(key)
    if payload is None:
        payload = json.dumps(asset_features(queryset), separators=(",", ":"))
        cache.set(key, payload, timeout=CACHE_SECONDS)
    return payload


def ward_features() -> dict:
    features = [
        {
            "type": "Feature",
            "id": area.pk,
            "geometry": area.boundary,
            "properties": {
                "name": area.name,
                "ons_code": area.ons_code,
                "imd_decile": area.imd_decile,
            },
        }
        for area in Area.objects.wards()
        .with_boundary()
        .only("name", "ons_code", "imd_decile", "boundary")
    ]
    return {"type": "FeatureCollection", "features": features}


def cached_ward_geojson() -> str:
    key = "assets:wards-geojson"
    payload = cache.get(key)
    if payload is None:
        payload = json.dumps(ward_features(), separators=(",", ":"))
        cache.set(key, payload, timeout=WARDS_CACHE_SECONDS)
    return payload
