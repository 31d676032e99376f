"""Gloucester demo data for communities: wards with their deprivation, and
the demo accounts. Every function is idempotent: running it again finds the
rows it made and changes nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.contrib.auth.models import Group as RoleGroup
from django.db import transaction
from django.utils import timezone
from faker import Faker

from communities import places, services
from communities.models import (
    Area,
    CelebrationEvent,
    Consent,
    Conversation,
    Group,
    Introduction,
    Organisation,
    Resident,
    ResidentTag,
    Site,
    SiteFinance,
    User,
)
from core.roles import Role

DATA_DIR = Path(__file__).resolve().parent / "data"
LSOAS_IN_ENGLAND_2019 = 32_844


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


@transaction.atomic
def seed_wards() -> int:
    """The demo's wards and their deprivation, loaded the way a council loads
    its own (communities.places). The ranks file is an extract of the IMD 2019
    File 1, so England's number of LSOAs is given."""
    wards = places.read_wards((DATA_DIR / "gloucester_wards_2019.geojson").read_text())
    places.load_wards(wards)
    places.load_deprivation(
        places.read_lsoas((DATA_DIR / "gloucester_lsoa_2011.geojson").read_text()),
        places.read_ranks(
            (DATA_DIR / "imd2019_lsoa_gloucester.csv").read_text(),
            lsoas_in_england=LSOAS_IN_ENGLAND_2019,
        ),
        lsoas_file="gloucester_lsoa_2011.geojson",
        ranks_file="imd2019_lsoa_gloucester.csv",
    )
    return len(wards.boundaries)


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
        # The role groups and the Officer group's permissions come with the
        # database (core.roles.role_groups_ensure): the demo only joins them.
        group = RoleGroup.objects.get(name=account.role.label)
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
        if account.role == Role.OFFICER and not user.is_staff:
            # Officers set up sites, funds and wards in the admin.
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    return list(DEMO_ACCOUNTS)


# Sites, residents and what builders logged ---------------------------------

GIFTS = {
    "head": ["first aid", "accounts", "local history", "languages", "IT help",
             "form filling", "cooking on a budget", "bike maintenance"],
    "hands": ["baking", "gardening", "knitting", "DIY", "sewing", "painting",
              "woodwork", "hairdressing", "fixing bikes", "cooking"],
    "heart": ["listening", "befriending", "looking after children",
              "welcoming newcomers", "visiting older neighbours", "organising"],
}  # fmt: skip
PASSIONS = [
    "walking", "football", "chess", "choir", "allotments", "litter picking",
    "reading", "crafts", "dancing", "cycling", "photography", "music",
    "wildlife", "fishing", "cricket", "board games", "yoga", "running",
]  # fmt: skip
CARES_ABOUT = [
    "Safer roads for the children walking to school",
    "Somewhere for young people to go in the evenings",
    "Older neighbours who live on their own",
    "The state of the green by the shops",
    "Getting to know people after moving here",
    "Fly-tipping in the back lanes",
    "Growing food together",
]
DEMO_SITES = (
    # name, host, kind, wards, builder usernames, start
    ("Matson and Robinswood", "Matson Neighbourhood Trust", "vcse",
     ("Matson and Robinswood", "Tuffley"), ("builder",), (2024, 4, 1)),
    ("Barton and Tredworth", "Tredworth Community Association", "vcse",
     ("Barton and Tredworth", "Moreland"), ("builder2",), (2024, 4, 1)),
    ("Podsmead and Westgate", "Westgate Faith Partnership", "faith",
     ("Podsmead", "Westgate"), (), (2025, 4, 1)),
)  # fmt: skip
RESIDENTS_PER_SITE = 120


def _rng():
    return random.Random(20261123)


@transaction.atomic
def seed_sites() -> list:

    sites = []
    for name, host, kind, wards, builders, start in DEMO_SITES:
        organisation, _ = Organisation.objects.get_or_create(
            name=host, defaults={"kind": kind}
        )
        site, created = Site.objects.get_or_create(
            name=name, defaults={"host": organisation, "start_date": date(*start)}
        )
        if created:
            site.areas.set(Area.objects.wards().filter(name__in=wards))
            site.builders.set(User.objects.filter(username__in=builders))
            for year in range(start[0], 2027):
                SiteFinance.objects.create(
                    site=site,
                    financial_year=year,
                    budget_builder_posts=Decimal(16000),
                    budget_small_sparks=Decimal(5000),
                    budget_other=Decimal(2500),
                    spend_builder_posts=Decimal(16000)
                    if year < 2026
                    else Decimal(9300),
                    spend_small_sparks=Decimal(4650) if year < 2026 else Decimal(2100),
                    spend_other=Decimal(2310) if year < 2026 else Decimal(1200),
                )
        sites.append(site)
    return sites


@transaction.atomic
def seed_people(sites) -> int:
    """A few hundred residents with conversations, introductions and groups,
    in the proportions the pathfinder sites report: most residents are met
    more than once, about a third are introduced, a few groups form."""

    if Resident.objects.filter(site__in=sites).exists():
        return 0  # already loaded: re-running changes nothing
    rng = _rng()
    fake = Faker("en_GB")
    fake.seed_instance(20261123)
    officer = User.objects.get(username="officer")
    today = timezone.localdate()
    tags = {
        name: services.tag_get_or_create(name=name)
        for name in [*PASSIONS, *(g for names in GIFTS.values() for g in names)]
    }
    made = 0
    for site in sites:
        wards = list(site.areas.all())
        builders = list(site.builders.all()) or [officer]
        days = (today - site.start_date).days
        residents, planned = [], []
        for _ in range(RESIDENTS_PER_SITE):
            kinds = [
                (kind, name)
                for kind, names in GIFTS.items()
                for name in rng.sample(names, rng.choice((0, 0, 1, 1, 2)))
            ] + [("passion", name) for name in rng.sample(PASSIONS, rng.randint(1, 3))]
            connector = rng.random() < 0.08
            residents.append(
                Resident(
                    site=site,
                    first_name=fake.first_name(),
                    last_name=fake.last_name() if rng.random() < 0.7 else "",
                    phone=fake.phone_number() if rng.random() < 0.4 else "",
                    postcode=fake.postcode() if rng.random() < 0.5 else "",
                    area=rng.choice(wards) if wards else None,
                    cares_about=rng.choice(CARES_ABOUT) if rng.random() < 0.6 else "",
                    is_connector=connector,
                    connector_gift=(
                        f"Brings people together through {kinds[-1][1]}"
                        if connector
                        else ""
                    ),
                    created_by=rng.choice(builders),
                )
            )
            purposes = [
                purpose
                for purpose, share in (
                    ("contact", 0.9),
                    ("introduce", 0.75),
                    ("story", 0.3),
                )
                if rng.random() < share
            ]
            given = timezone.now() - timedelta(days=rng.randint(0, days))
            planned.append((kinds, purposes, given))
        Resident.objects.bulk_create(residents)
        ResidentTag.objects.bulk_create(
            [
                ResidentTag(resident=resident, tag=tags[name], kind=kind)
                for resident, (kinds, _, _) in zip(residents, planned, strict=True)
                for kind, name in kinds
            ]
        )
        Consent.objects.bulk_create(
            [
                Consent(
                    resident=resident,
                    purpose=purpose,
                    wording=services.CONSENT_WORDING[purpose],
                    given_at=given,
                    recorded_by=resident.created_by,
                )
                for resident, (_, purposes, given) in zip(
                    residents, planned, strict=True
                )
                for purpose in purposes
            ]
        )
        made += len(residents)

        conversations = Conversation.objects.bulk_create(
            [
                Conversation(
                    builder=rng.choice(builders),
                    site=site,
                    held_on=today - timedelta(days=rng.randint(0, days)),
                    area=rng.choice(wards) if wards else None,
                    what_matters=rng.choice(CARES_ABOUT),
                )
                for _ in range(RESIDENTS_PER_SITE * 5 // 2)
            ]
        )
        met = Conversation.residents.through
        met.objects.bulk_create(
            [
                met(conversation=conversation, resident=resident)
                for conversation in conversations
                if rng.random() > 0.2  # a fifth are anonymous doorstep chats
                for resident in rng.sample(residents, rng.randint(1, 2))
            ]
        )

        willing = list(
            Resident.objects.filter(pk__in=[r.pk for r in residents]).consented()
        )
        connectors = [r for r in willing if r.is_connector]
        tags_of = {r.pk: set() for r in willing}
        for resident_id, tag_id in ResidentTag.objects.filter(
            resident__in=willing
        ).values_list("resident_id", "tag_id"):
            tags_of[resident_id].add(tag_id)
        introductions, pairs = [], set()
        for a in rng.sample(willing, min(len(willing), RESIDENTS_PER_SITE * 2 // 3)):
            partners = [
                b for b in willing if b.pk != a.pk and tags_of[a.pk] & tags_of[b.pk]
            ]
            if not partners:
                continue
            b = rng.choice(partners)
            interest = min(tags_of[a.pk] & tags_of[b.pk])
            pair = (min(a.pk, b.pk), max(a.pk, b.pk), interest)
            if pair in pairs:
                continue
            pairs.add(pair)
            by_connector = bool(connectors) and rng.random() < 0.15
            introductions.append(
                Introduction(
                    resident=a,
                    to_resident=b,
                    interest_id=interest,
                    site=site,
                    builder=rng.choice(builders),
                    made_by="connector" if by_connector else "builder",
                    connector=rng.choice(connectors) if by_connector else None,
                    introduced_on=today - timedelta(days=rng.randint(0, days)),
                    status=rng.choices(
                        ["introduced", "met", "ongoing", "did_not_happen"], [3, 3, 3, 1]
                    )[0],
                )
            )
        Introduction.objects.bulk_create(introductions)
        for i in range(8):
            interest = rng.choice(PASSIONS)
            group = Group.objects.create(
                name=f"{site.name.split()[0]} {interest} group",
                interest=tags[interest],
                site=site,
                area=rng.choice(wards) if wards else None,
                founded_on=today - timedelta(days=rng.randint(30, max(31, days))),
                is_active=i < 7,
                created_by=builders[0],
            )
            group.members.set(rng.sample(residents, rng.randint(4, 12)))
            group.grew_from.set(rng.sample(introductions, min(2, len(introductions))))
            for _ in range(rng.randint(0, 2)):
                CelebrationEvent.objects.create(
                    group=group,
                    name=f"{interest.capitalize()} get-together",
                    held_on=today - timedelta(days=rng.randint(0, 300)),
                    attendance=rng.randint(8, 60),
                )
    return made
