"""Gloucester demo assets: a few hundred across the six categories (gifts
come from residents, not from here) and every ward, with three mapping
sessions. Idempotent: each asset has a fixed identifier, so a re-run finds
what it made and changes nothing."""

from __future__ import annotations

import datetime
import random
import uuid

from django.db import transaction

from assets import mapdata
from assets.models import Asset, Category, MappingSession
from communities import geo
from communities.models import Area, User
from communities.services import tags_get_or_create

NAMESPACE = uuid.UUID("0d6c55b2-3a0e-4f51-9a43-5d0a9b7c2e10")
ASSETS_PER_WARD = 18

KINDS = {
    Category.ASSOCIATIONS: [
        ("{ward} Walking Group", ["walking", "health"]),
        ("{ward} Knit and Natter", ["knitting", "friendship"]),
        ("{ward} Residents' Association", ["neighbours"]),
        ("{ward} Youth Football Club", ["football", "young people"]),
        ("{ward} Community Choir", ["singing", "music"]),
        ("{ward} Friends of the Park", ["gardening", "nature"]),
    ],
    Category.INSTITUTIONS: [
        ("{ward} Primary School", ["education", "young people"]),
        ("{ward} Library", ["reading", "digital skills"]),
        ("{ward} Medical Centre", ["health"]),
        ("St Mary's Church, {ward}", ["faith", "friendship"]),
    ],
    Category.PHYSICAL: [
        ("{ward} Community Centre", ["meeting space"]),
        ("{ward} Allotments", ["gardening", "food growing"]),
        ("{ward} Recreation Ground", ["sport", "nature"]),
        ("Unused land behind {ward} shops", ["food growing"]),
        ("{ward} Scout Hut", ["meeting space", "young people"]),
    ],
    Category.ECONOMY: [
        ("{ward} Café", ["food", "meeting space"]),
        ("{ward} Hardware Shop", ["diy"]),
        ("{ward} Bakery", ["food", "cooking"]),
        ("{ward} Print Shop (shares office space)", ["meeting space"]),
    ],
    Category.CULTURE: [
        ("The story of {ward}'s docks", ["history"]),
        ("{ward} Summer Fair", ["celebration", "music"]),
        ("{ward} oral history archive", ["history", "stories"]),
    ],
}
OPENING = ["Monday to Friday, 9am to 5pm", "Saturdays 10am to 1pm", "", ""]


def _point_in(area: Area, rng: random.Random) -> tuple[float, float]:
    for _ in range(200):
        lon = rng.uniform(area.min_lon, area.max_lon)
        lat = rng.uniform(area.min_lat, area.max_lat)
        if geo.contains(area.boundary, lon=lon, lat=lat):
            return lon, lat
    return geo.inner_point(area.boundary)


@transaction.atomic
def seed_assets() -> int:
    """Add any demo asset or mapping session not already there; return how
    many demo assets there are."""
    wards = list(Area.objects.wards().with_boundary().order_by("ons_code"))
    officer = User.objects.filter(username="officer").first()
    if not wards or officer is None:
        return 0

    sessions = []
    for index, ward in enumerate(wards[:3]):
        session, _ = MappingSession.objects.get_or_create(
            name=f"{ward.name} asset mapping walk",
            area=ward,
            defaults={
                "held_on": datetime.date(2026, 3, 7 + index * 7),
                "run_by": officer,
                "participants": 12 + index * 5,
                "notes": "Residents walked the ward and listed what they value.",
            },
        )
        sessions.append(session)

    kinds = [
        (category, name, tags)
        for category, items in KINDS.items()
        for name, tags in items
    ]
    wanted = []
    for ward in wards:
        rng = random.Random(ward.ons_code)
        for number in range(ASSETS_PER_WARD):
            category, pattern, tags = kinds[(number + len(ward.name)) % len(kinds)]
            lon, lat = _point_in(ward, rng)
            session = next((s for s in sessions if s.area_id == ward.pk), None)
            wanted.append(
                (
                    Asset(
                        uuid=uuid.uuid5(NAMESPACE, f"{ward.ons_code}:{number}"),
                        name=pattern.format(ward=ward.name),
                        category=category,
                        description=f"Found by residents of {ward.name}.",
                        latitude=round(lat, 6),
                        longitude=round(lon, 6),
                        area=ward,
                        postcode="",
                        address=f"{ward.name}, Gloucester",
                        opening_times=OPENING[number % len(OPENING)],
                        mapped_by=officer,
                        mapping_session=session if number < 6 else None,
                        visibility=Asset.Visibility.STAFF
                        if number % 9 == 8
                        else Asset.Visibility.PUBLIC,
                        status=Asset.Status.CLOSED
                        if number % 17 == 16
                        else Asset.Status.ACTIVE,
                    ),
                    tags,
                )
            )
    existing = set(
        Asset.objects.filter(uuid__in=[a.uuid for a, _ in wanted]).values_list(
            "uuid", flat=True
        )
    )
    new = [(asset, tags) for asset, tags in wanted if asset.uuid not in existing]
    if new:
        Asset.objects.bulk_create([asset for asset, _ in new])
        vocabulary = {
            tag.key: tag
            for tag in tags_get_or_create(names={t for _, tags in new for t in tags})
        }
        Asset.tags.through.objects.bulk_create(
            [
                Asset.tags.through(asset_id=asset.pk, tag_id=vocabulary[t].pk)
                for asset, tags in new
                for t in tags
            ],
            ignore_conflicts=True,
        )
        mapdata.bump_version()
    return len(wanted)
