"""10,000 synthetic assets for the city-scale benchmark: the groups that
formed appear as associations (as they do in use), the rest spread over the
other categories and every ward, loaded with COPY."""

from __future__ import annotations

import random
import uuid

from django.db import transaction
from django.utils import timezone

from assets import mapdata
from assets.models import Asset, Category
from communities.models import Area, Group, Tag
from demo.bulk import copy_rows, reserve_ids

KINDS = {
    Category.INSTITUTIONS: (
        "Library",
        "Primary school",
        "Health centre",
        "Fire station",
    ),
    Category.PHYSICAL: ("Park", "Community hall", "Allotments", "Playing field"),
    Category.ECONOMY: ("Cafe", "Corner shop", "Barber", "Market stall"),
    Category.CULTURE: ("Heritage trail", "Mural", "Local history society"),
}


@transaction.atomic
def seed_city_assets(*, total: int = 10_000, ward_codes_prefix: str = "E0599") -> int:
    wards = list(Area.objects.wards().filter(ons_code__startswith=ward_codes_prefix))
    in_city = Asset.objects.filter(area__in=wards)
    if not wards or in_city.exclude(category=Category.ASSOCIATIONS).exists():
        return 0
    total -= in_city.count()
    rng = random.Random(10)
    now = timezone.now()
    groups = list(
        Group.objects.filter(area__in=wards).values_list("pk", "name", "area_id")[
            :total
        ]
    )
    ids = reserve_ids(Asset, total)
    by_ward = {w.pk: w for w in wards}
    rows, tag_rows = [], []
    tags = list(Tag.objects.values_list("pk", flat=True)[:40])
    for n, asset_id in enumerate(ids):
        if n < len(groups):
            _gid, name, area_id = groups[n]
            category, group_id, visibility = (
                Category.ASSOCIATIONS,
                groups[n][0],
                "staff",
            )
        else:
            category = rng.choice(list(KINDS))
            name = f"{rng.choice(KINDS[category])} {asset_id}"
            area_id, group_id = rng.choice(wards).pk, None
            visibility = "public" if rng.random() < 0.85 else "staff"
        west, south, east, north = (
            by_ward[area_id].min_lon,
            by_ward[area_id].min_lat,
            by_ward[area_id].max_lon,
            by_ward[area_id].max_lat,
        )
        rows.append(
            (asset_id, uuid.uuid4(), name, "", category,
             round(rng.uniform(south, north), 6), round(rng.uniform(west, east), 6),
             "", "", area_id, "", "", "", "", None, None, visibility,
             "active" if rng.random() < 0.95 else "closed", group_id, None, now, now)
        )  # fmt: skip
        for t in rng.sample(tags, min(len(tags), rng.randint(0, 2))):
            tag_rows.append((asset_id, t))
    copy_rows(
        Asset,
        ("id", "uuid", "name", "description", "category", "latitude", "longitude",
         "address", "postcode", "area", "contact_email", "contact_phone", "website",
         "opening_times", "mapped_by", "mapping_session", "visibility", "status",
         "group", "imported_by", "created_at", "updated_at"),
        rows,
    )  # fmt: skip
    copy_rows(Asset.tags.through, ("asset_id", "tag_id"), tag_rows)
    mapdata.bump_version()
    return len(rows)
