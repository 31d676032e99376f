"""Gloucester demo data for communities: wards with their deprivation, and
the demo accounts. Every function is idempotent: running it again finds the
rows it made and changes nothing."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import transaction

from . import geo
from .models import Area, User
from .roles import Role

DATA_DIR = Path(__file__).resolve().parent / "data"
LSOAS_IN_ENGLAND = 32_844


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    first_name: str
    last_name: str


DEMO_ACCOUNTS = (
    DemoAccount("officer", Role.OFFICER, "Olivia", "Officer"),
    DemoAccount("builder", Role.BUILDER, "Ben", "Builder"),
    DemoAccount("builder2", Role.BUILDER, "Bea", "Builder"),
    DemoAccount("panel", Role.PANEL, "Priya", "Panel"),
    DemoAccount("cabinet", Role.CABINET, "Colin", "Cabinet"),
)


def national_decile(rank: float) -> int:
    """The IMD decile (1 most deprived) that a national LSOA rank falls in."""
    return min(10, max(1, math.ceil(rank * 10 / LSOAS_IN_ENGLAND)))


def ward_deprivation(
    wards: dict[str, dict], lsoas: list[dict], ranks: dict[str, int]
) -> dict[str, tuple[float, int, int]]:
    """For each ward code: (average LSOA rank, decile, number of LSOAs), each
    LSOA counted in the ward that holds its centroid."""
    found: dict[str, list[int]] = {code: [] for code in wards}
    for lsoa in lsoas:
        code = lsoa["properties"]["LSOA11CD"]
        if code not in ranks:
            continue
        lon, lat = geo.inner_point(lsoa["geometry"])
        for ward_code, geometry in wards.items():
            if geo.contains(geometry, lon=lon, lat=lat):
                found[ward_code].append(ranks[code])
                break
    result = {}
    for ward_code, ward_ranks in found.items():
        if ward_ranks:
            average = sum(ward_ranks) / len(ward_ranks)
            result[ward_code] = (average, national_decile(average), len(ward_ranks))
    return result


@transaction.atomic
def seed_wards() -> int:
    wards_file = json.loads((DATA_DIR / "gloucester_wards_2019.geojson").read_text())
    lsoa_file = json.loads((DATA_DIR / "gloucester_lsoa_2011.geojson").read_text())
    with (DATA_DIR / "imd2019_lsoa_gloucester.csv").open(newline="") as handle:
        ranks = {
            row["lsoa11_code"]: int(row["imd_rank"]) for row in csv.DictReader(handle)
        }

    wards = {f["properties"]["wd19cd"]: f for f in wards_file["features"]}
    deprivation = ward_deprivation(
        {code: f["geometry"] for code, f in wards.items()},
        lsoa_file["features"],
        ranks,
    )
    for code, feature in wards.items():
        average, decile, count = deprivation.get(code, (None, None, 0))
        wanted = {
            "kind": Area.Kind.WARD,
            "name": feature["properties"]["wd19nm"],
            "boundary": feature["geometry"],
            "imd_average_rank": round(average, 1) if average else None,
            "imd_decile": decile,
            "imd_lsoa_count": count,
        }
        area = Area.objects.filter(ons_code=code).first()
        if area is None:
            Area.objects.create(ons_code=code, **wanted)
        elif any(getattr(area, k) != v for k, v in wanted.items()):
            for key, value in wanted.items():
                setattr(area, key, value)
            area.save()
    return len(wards)


@transaction.atomic
def seed_accounts(*, password: str) -> list[DemoAccount]:
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": f"{account.username}@example.gov.uk",
            },
        )
        if created or not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
        group, _ = Group.objects.get_or_create(name=account.role.label)
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
    return list(DEMO_ACCOUNTS)
