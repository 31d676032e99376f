"""The map's data as GeoJSON, built in one query and cached in Redis.

The cache key carries a version that changes whenever an asset changes (see
``bump_version``, called after each committed write), so a cached map is
never stale and no entry needs deleting."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from django.contrib.postgres.aggregates import ArrayAgg
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from communities.measures import places_version
from communities.models import Area, DeprivationRelease, WardMeasure, format_measure

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


# The wards' shading: one palette for the map's fills and the legend's
# swatches (the page draws its legend from the same Shading the map's data
# is coloured from). Most need first: IMD decile 1, darkest.
NEED_COLOURS = (
    "#67001f",
    "#980043",
    "#ce1256",
    "#e7298a",
    "#df65b0",
    "#c994c7",
    "#d4b9da",
    "#e7e1ef",
    "#f1eef6",
    "#f7f4f9",
)
# A ward with no figure: grey, so it is not read as the least need.
NO_FIGURE_COLOUR = "#b1b4b6"
FILL_OPACITY = 0.45
# A measure's wards fall into this many groups of about equal size.
MEASURE_CLASSES = 5
DEPRIVATION = "deprivation"
# Where the map opens when no ward boundaries are loaded: England.
ENGLAND = ((49.86, -6.42), (55.81, 1.77))


@dataclass(frozen=True)
class Shading:
    """One way to shade the wards: its legend, and each ward's colour."""

    key: str
    label: str
    note: str
    legend: tuple[tuple[str, str], ...]  # (colour, what it means), most need first
    fills: dict[int, str]  # ward id -> colour
    figures: dict[int, str]  # ward id -> its figure in words


def _spread(count: int) -> list[str]:
    """``count`` colours from the palette, as far apart as they can be, the
    darkest first."""
    if count <= 1:
        return list(NEED_COLOURS[:count])
    last = len(NEED_COLOURS) - 1
    return [NEED_COLOURS[round(i * last / (count - 1))] for i in range(count)]


def _deprivation(wards: list[Area]) -> Shading:
    release = DeprivationRelease.objects.latest_loaded()
    label = f"{release.short_name} decile" if release else "IMD decile"
    source = (
        f"From the {release.name}, which ranks England's "
        f"{release.lsoas_in_england:,} neighbourhoods (LSOAs). "
        if release
        else ""
    )
    legend = [
        (
            NEED_COLOURS[decile - 1],
            {1: "1: most deprived", 10: "10: least deprived"}.get(decile, str(decile)),
        )
        for decile in range(1, 11)
    ]
    if any(ward.imd_decile is None for ward in wards):
        legend.append((NO_FIGURE_COLOUR, "Not known"))
    return Shading(
        key=DEPRIVATION,
        label=f"Deprivation ({label})",
        note=f"{source}A ward's decile is the tenth of England its average "
        "neighbourhood rank falls in: 1 is the most deprived tenth, 10 the "
        "least; the darker the ward, the more deprived.",
        legend=tuple(legend),
        fills={
            ward.pk: NEED_COLOURS[ward.imd_decile - 1]
            if ward.imd_decile
            else NO_FIGURE_COLOUR
            for ward in wards
        },
        figures={
            ward.pk: f"IMD decile {ward.imd_decile}"
            if ward.imd_decile
            else "deprivation not known"
            for ward in wards
        },
    )


def _measure(measure: WardMeasure, wards: list[Area]) -> Shading:
    """Wards in up to MEASURE_CLASSES groups of about equal size by their
    value, the most need darkest; wards with equal values share a group."""
    values = {value.area_id: value for value in measure.values.all()}
    ranked = sorted(
        (value.value for value in values.values()),
        reverse=measure.higher_is_more_need,
    )
    classes = min(MEASURE_CLASSES, len(set(ranked)))
    group_of: dict = {}
    for position, amount in enumerate(ranked):
        group_of.setdefault(amount, position * classes // len(ranked))
    colours = _spread(classes)
    members: dict[int, list] = {}
    for amount, group in group_of.items():
        members.setdefault(group, []).append(amount)
    legend = []
    for group in sorted(members):
        low, high = min(members[group]), max(members[group])
        words = (
            format_measure(low)
            if low == high
            else f"{format_measure(low)} to {format_measure(high)}"
        )
        legend.append([colours[group], words])
    if legend:
        legend[0][1] += " (most need)"
        if len(legend) > 1:
            legend[-1][1] += " (least need)"
    if len(values) < len(wards):
        legend.append([NO_FIGURE_COLOUR, "No figure"])
    unit = f" {measure.unit}" if measure.unit else ""
    direction = "higher" if measure.higher_is_more_need else "lower"
    return Shading(
        key=f"measure-{measure.pk}",
        label=measure.heading,
        note=f"The darker the ward, the more need: {direction} values mean more "
        f"need. Source: {measure.source}.",
        legend=tuple((colour, words) for colour, words in legend),
        fills={
            ward.pk: colours[group_of[values[ward.pk].value]]
            if ward.pk in values
            else NO_FIGURE_COLOUR
            for ward in wards
        },
        figures={
            ward.pk: f"{measure.name} {values[ward.pk].shown}{unit}"
            if ward.pk in values
            else f"{measure.name} not known"
            for ward in wards
        },
    )


def ward_shadings() -> list[Shading]:
    """Deprivation first, then each needs measure by name."""
    wards = list(Area.objects.wards().for_choices())
    return [
        _deprivation(wards),
        *(_measure(m, wards) for m in WardMeasure.objects.with_values()),
    ]


def cached_ward_shadings() -> list[Shading]:
    """From the cache while no ward's figures have changed."""
    key = f"assets:ward-shadings:{places_version()}"
    shadings = cache.get(key)
    if shadings is None:
        shadings = ward_shadings()
        cache.set(key, shadings, timeout=WARDS_CACHE_SECONDS)
    return shadings


def map_extent() -> tuple[tuple[float, float], tuple[float, float]] | None:
    """((south, west), (north, east)) around the council's wards, as the map
    takes it, or None when no ward boundary is loaded."""
    box = Area.objects.current().extent()
    if box is None:
        return None
    min_lon, min_lat, max_lon, max_lat = box
    return ((min_lat, min_lon), (max_lat, max_lon))


def ward_features() -> dict:
    shadings = cached_ward_shadings()
    features = [
        {
            "type": "Feature",
            "id": area.pk,
            "geometry": area.boundary,
            "properties": {
                "name": area.name,
                "ons_code": area.ons_code,
                "imd_decile": area.imd_decile,
                "fills": {
                    s.key: s.fills.get(area.pk, NO_FIGURE_COLOUR) for s in shadings
                },
                "figures": {s.key: s.figures.get(area.pk, "") for s in shadings},
            },
        }
        for area in Area.objects.wards()
        .with_boundary()
        .only("name", "ons_code", "imd_decile", "boundary")
    ]
    return {"type": "FeatureCollection", "features": features}


def cached_ward_geojson() -> str:
    """The wards with their shading, from the cache while no ward's figures
    have changed (communities.places.places_version)."""
    key = f"assets:wards-geojson:{places_version()}"
    payload = cache.get(key)
    if payload is None:
        payload = json.dumps(ward_features(), separators=(",", ":"))
        cache.set(key, payload, timeout=WARDS_CACHE_SECONDS)
    return payload
