"""Open Referral UK 3.0 (HSDS 3.0, UK profile): each public asset as a
service, validated against the profile's compiled service schema (a copy is
kept in assets/data, taken from OpenReferralUK/uk-profile, CC BY-SA 4.0)."""

from __future__ import annotations

import json
import uuid
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker

from .models import Asset, Category

SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "oruk3-service-schema.json"
# Derived identifiers (locations, addresses, taxonomy terms) are UUID v5 in
# this namespace, so they are the same on every export.
NAMESPACE = uuid.UUID("6f1f2c0e-5b7a-4f43-9a53-0c2b5d1e8a11")
TAXONOMY = "ABCD Institute asset categories"
STATUS = {Asset.Status.ACTIVE: "active", Asset.Status.CLOSED: "defunct"}
CATEGORY_DESCRIPTIONS = {
    Category.ASSOCIATIONS: "Groups of residents who come together around an "
    "interest: clubs, societies, faith groups, informal networks.",
    Category.INSTITUTIONS: "Public and voluntary bodies with a base in the "
    "area: schools, libraries, surgeries, charities.",
    Category.PHYSICAL: "Buildings and land people can use: halls, parks, "
    "allotments, a patch of unused land.",
    Category.ECONOMY: "Local businesses and social enterprises, and what "
    "they are willing to share.",
    Category.CULTURE: "The area's history, heritage, traditions and stories.",
}


def _id(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def _address(asset: Asset) -> dict:
    parts = [p.strip() for p in asset.address.split(",") if p.strip()]
    # The last part of a multi-part address is its town; otherwise the
    # council's own town is the best we know.
    city = parts[-1] if len(parts) > 1 else settings.ASSETS_DEFAULT_TOWN
    street = ", ".join(parts[:-1] if len(parts) > 1 else parts)
    return {
        "id": _id("address", asset.uuid),
        "location_id": _id("location", asset.uuid),
        "address_1": street or city,
        "city": city,
        "state_province": "",
        "postal_code": asset.postcode,
        "country": "GB",
        "address_type": "physical",
    }


def service_for(asset: Asset) -> dict:
    """One asset as an ORUK service. Only public contact details appear;
    never who mapped it."""
    service: dict = {
        "id": str(asset.uuid),
        "name": asset.name,
        "description": asset.description or asset.get_category_display(),
        "status": STATUS[asset.status],
        "last_modified": asset.updated_at.isoformat(),
    }
    if asset.website:
        service["url"] = asset.website
    if asset.contact_email:
        service["email"] = asset.contact_email
    if asset.opening_times:
        service["schedules"] = [
            {
                "id": _id("schedule", asset.uuid),
                "service_id": str(asset.uuid),
                "description": asset.opening_times,
            }
        ]
    if asset.area_id:
        service["service_areas"] = [
            {
                "id": _id("service-area", asset.uuid),
                "service_id": str(asset.uuid),
                "name": asset.area.name,
                "extent_type": "other",
                "extent": asset.area.ons_code or asset.area.name,
            }
        ]
    if asset.latitude is not None or asset.address or asset.postcode:
        location = {
            "id": _id("location", asset.uuid),
            "location_type": "physical",
            "name": asset.name,
        }
        if asset.latitude is not None:
            location["latitude"] = asset.latitude
            location["longitude"] = asset.longitude
        if asset.address or asset.postcode:
            location["addresses"] = [_address(asset)]
        service["service_at_locations"] = [
            {
                "id": _id("service-at-location", asset.uuid),
                "service_id": str(asset.uuid),
                "location_id": location["id"],
                "location": location,
            }
        ]
    term_id = _id("taxonomy-term", asset.category)
    terms = [
        {
            "id": term_id,
            "name": asset.get_category_display(),
            "description": CATEGORY_DESCRIPTIONS[asset.category],
            "taxonomy": TAXONOMY,
            "term": asset.category,
        }
    ]
    terms += [
        {
            "id": _id("tag", tag.key),
            "name": tag.name,
            "description": f"Tagged ‘{tag.name}’",
            "taxonomy": "Tags",
            "term": tag.key,
        }
        for tag in asset.tags.all()
    ]
    service["attributes"] = [
        {
            "id": _id("attribute", asset.uuid, term["id"]),
            "link_id": str(asset.uuid),
            "link_type": "service",
            "taxonomy_term_id": term["id"],
            "taxonomy_term": term,
        }
        for term in terms
    ]
    return service


@lru_cache(maxsize=1)
def validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    return Draft202012Validator(schema, format_checker=FormatChecker())


def errors_in(service: dict) -> list[str]:
    """Every way a service breaks the ORUK schema (none when it is valid)."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or 'service'}: {error.message}"
        for error in validator().iter_errors(service)
    ]
