"""The inventory as open data: CSV (in the import template's columns) and
GeoJSON. Public contact details only; never who mapped an asset, and never a
resident: individuals' gifts are not assets."""

from __future__ import annotations

from collections.abc import Iterator

from .importing import TEMPLATE_COLUMNS
from .models import Asset

CSV_COLUMNS = ("id", *TEMPLATE_COLUMNS, "last_updated")


def _prepared(queryset):
    return queryset.select_related("area").prefetch_related("tags").order_by("pk")


def _row(asset: Asset) -> dict:
    return {
        "id": str(asset.uuid),
        "name": asset.name,
        "category": asset.category,
        "description": asset.description,
        "tags": "; ".join(sorted(tag.name for tag in asset.tags.all())),
        "address": asset.address,
        "postcode": asset.postcode,
        "latitude": "" if asset.latitude is None else asset.latitude,
        "longitude": "" if asset.longitude is None else asset.longitude,
        "ward": asset.area.name if asset.area_id else "",
        "email": asset.contact_email,
        "phone": asset.contact_phone,
        "website": asset.website,
        "opening_times": asset.opening_times,
        "visibility": asset.visibility,
        "status": asset.status,
        "last_updated": asset.updated_at.isoformat(),
    }


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula is written with a leading
    apostrophe (imported files are not trusted); numbers are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_rows(queryset) -> Iterator[list]:
    yield list(CSV_COLUMNS)
    for asset in _prepared(queryset).iterator(chunk_size=2000):
        row = _row(asset)
        yield [spreadsheet_safe(row[column]) for column in CSV_COLUMNS]


def geojson(queryset) -> dict:
    features = []
    for asset in _prepared(queryset).iterator(chunk_size=2000):
        properties = _row(asset)
        properties.pop("latitude")
        properties.pop("longitude")
        features.append(
            {
                "type": "Feature",
                "id": properties["id"],
                "geometry": None
                if asset.latitude is None
                else {
                    "type": "Point",
                    "coordinates": [asset.longitude, asset.latitude],
                },
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}
