"""A Leeds-size synthetic programme for the benchmark: 33 wards (square,
synthetic boundaries with real Leeds ward names), 11 pathfinder sites, 50,000
residents, 200,000 conversations, 100,000 introductions and 3,000 groups over
five years, in the proportions of the demo. Loaded with COPY; every row obeys
the rules the services enforce (consent before introduction, one open
introduction per pair and interest, residents within their site)."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import Group as AuthGroup
from django.db import connection, transaction
from django.utils import timezone

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
from communities.services import (
    CONSENT_WORDING,
    tag_get_or_create,
)
from core.roles import Role
from demo.bulk import copy_rows, reserve_ids, skip_audit_triggers
from demo.communities import CARES_ABOUT, GIFTS, PASSIONS

LEEDS_WARDS = (
    "Adel and Wharfedale", "Alwoodley", "Ardsley and Robin Hood", "Armley",
    "Beeston and Holbeck", "Bramley and Stanningley", "Burmantofts and Richmond Hill",
    "Calverley and Farsley", "Chapel Allerton", "Cross Gates and Whinmoor",
    "Farnley and Wortley", "Garforth and Swillington", "Gipton and Harehills",
    "Guiseley and Rawdon", "Harewood", "Headingley and Hyde Park", "Horsforth",
    "Hunslet and Riverside", "Killingbeck and Seacroft", "Kippax and Methley",
    "Kirkstall", "Little London and Woodhouse", "Middleton Park", "Moortown",
    "Morley North", "Morley South", "Otley and Yeadon", "Pudsey", "Rothwell",
    "Roundhay", "Temple Newsam", "Weetwood", "Wetherby",
)  # fmt: skip
WEST, SOUTH, CELL = -1.80, 53.70, 0.08  # a 6 x 6 grid of 0.08-degree squares


@dataclass
class CityScale:
    residents: int = 50_000
    conversations: int = 200_000
    introductions: int = 100_000
    groups: int = 3_000
    sites: int = 11
    years: int = 5


def ward_square(index: int) -> dict:
    x, y = index % 6, index // 6
    w, s = WEST + x * CELL, SOUTH + y * CELL
    ring = [[w, s], [w + CELL, s], [w + CELL, s + CELL], [w, s + CELL], [w, s]]
    return {"type": "Polygon", "coordinates": [ring]}


@transaction.atomic
def seed_city(
    scale: CityScale | None = None, *, password: str, stdout=None
) -> dict[str, int]:
    skip_audit_triggers()
    scale = scale or CityScale()
    say = stdout.write if stdout else (lambda _text: None)
    rng = random.Random(33)
    today = timezone.localdate()
    start = today.replace(year=today.year - scale.years)
    days = (today - start).days

    wards = []
    for i, name in enumerate(LEEDS_WARDS):
        ward, _ = Area.objects.update_or_create(
            ons_code=f"E0599{i:04d}",  # synthetic codes: not real ONS codes
            defaults={
                "name": name,
                "kind": Area.Kind.WARD,
                "boundary": ward_square(i),
                "imd_decile": 1 + (i * 7) % 10,
            },
        )
        wards.append(ward)

    # The role groups come with the database (core.roles.role_groups_ensure).
    officer_group = AuthGroup.objects.get(name=Role.OFFICER.label)
    builder_group = AuthGroup.objects.get(name=Role.BUILDER.label)
    officer, created = User.objects.get_or_create(
        username="city-officer", defaults={"is_staff": True}
    )
    if created:
        officer.set_password(password)
        officer.save(update_fields=["password"])
    officer.groups.add(officer_group)
    sites, builders_by_site = [], {}
    for n in range(scale.sites):
        host, _ = Organisation.objects.get_or_create(
            name=f"Leeds pathfinder host {n + 1}",
            defaults={"kind": Organisation.Kind.VCSE},
        )
        site, _ = Site.objects.get_or_create(
            name=f"Leeds pathfinder {n + 1}",
            defaults={"host": host, "start_date": start},
        )
        site.areas.set(wards[n * 3 : n * 3 + 3])
        builder, created = User.objects.get_or_create(
            username=f"city-builder-{n + 1:02d}"
        )
        if created:
            builder.set_password(password)
            builder.save(update_fields=["password"])
        builder.groups.add(builder_group)
        site.builders.set([builder])
        builders_by_site[site.pk] = builder.pk
        for year in range(start.year, today.year + 1):
            SiteFinance.objects.get_or_create(
                site=site,
                financial_year=year,
                defaults={
                    "budget_builder_posts": 16000,
                    "budget_small_sparks": 5000,
                    "budget_other": 2500,
                    "spend_builder_posts": 15800,
                    "spend_small_sparks": 4700,
                    "spend_other": 2200,
                },
            )
        sites.append(site)
    if Resident.objects.filter(site__in=sites).exists():
        say("The city's people were already loaded.\n")
        return {"residents": 0}

    vocabulary = [*PASSIONS, *(g for names in GIFTS.values() for g in names)]
    tags = [tag_get_or_create(name=name).pk for name in vocabulary]
    passions = tags[: len(PASSIONS)]
    gift_kinds = [
        (kind, tag_get_or_create(name=name).pk)
        for kind, names in GIFTS.items()
        for name in names
    ]
    site_wards = {
        s.pk: [w.pk for w in wards[i * 3 : i * 3 + 3]] for i, s in enumerate(sites)
    }

    # Residents, their gifts and passions, and consent.
    resident_ids = reserve_ids(Resident, scale.residents)
    now = timezone.now()
    residents = []  # (id, site, area)
    tag_rows, consent_rows = [], []
    tags_of = {}
    willing = set()
    for rid in resident_ids:
        site = sites[rid % len(sites)]
        area = rng.choice(site_wards[site.pk])
        residents.append((rid, site.pk, area))
        mine = set(rng.sample(passions, rng.randint(1, 3)))
        rows = [(rid, t, "passion") for t in mine]
        for kind, t in rng.sample(gift_kinds, rng.choice((0, 1, 1, 2))):
            rows.append((rid, t, kind))
            mine.add(t)
        tag_rows.extend(rows)
        tags_of[rid] = mine
        given = now - datetime.timedelta(days=rng.randint(0, days))
        for purpose, share in (("contact", 0.9), ("introduce", 0.75), ("story", 0.3)):
            if rng.random() < share:
                consent_rows.append(
                    (
                        rid,
                        purpose,
                        CONSENT_WORDING[purpose],
                        given,
                        builders_by_site[site.pk],
                    )
                )
                if purpose == "introduce":
                    willing.add(rid)
    copy_rows(
        Resident,
        ("id", "site", "area", "first_name", "last_name", "cares_about",
         "would_like_to_do", "is_connector", "connector_gift", "created_by",
         "created_at", "updated_at", "phone", "email", "street", "postcode"),
        (
            (rid, site, area, f"Resident{rid}", "", rng.choice(CARES_ABOUT), "",
             rid % 25 == 0, "Brings people together" if rid % 25 == 0 else "",
             builders_by_site[site], now, now, "", "", "", "")
            for rid, site, area in residents
        ),
    )  # fmt: skip
    copy_rows(ResidentTag, ("resident", "tag", "kind"), tag_rows)
    copy_rows(
        Consent,
        ("resident", "purpose", "wording", "given_at", "recorded_by"),
        consent_rows,
    )
    say(f"{len(residents)} residents, {len(tag_rows)} gifts and passions.\n")

    # Conversations, most naming one or two residents of the site.
    by_site = defaultdict(list)
    for rid, site, _area in residents:
        by_site[site].append(rid)
    conversation_ids = reserve_ids(Conversation, scale.conversations)
    conv_rows, met_rows = [], []
    for cid in conversation_ids:
        site = sites[cid % len(sites)].pk
        conv_rows.append(
            (cid, builders_by_site[site], site, start + datetime.timedelta(days=rng.randint(0, days)),
             rng.choice(site_wards[site]), "", rng.choice(CARES_ABOUT), "", now)
        )  # fmt: skip
        if rng.random() > 0.2:
            for rid in rng.sample(by_site[site], rng.randint(1, 2)):
                met_rows.append((cid, rid))
    copy_rows(
        Conversation,
        ("id", "builder", "site", "held_on", "area", "place", "what_matters",
         "follow_up", "created_at"),
        conv_rows,
    )  # fmt: skip
    copy_rows(
        Conversation.residents.through, ("conversation_id", "resident_id"), met_rows
    )
    say(f"{len(conv_rows)} conversations.\n")

    # Introductions: willing residents of one site who share a tag.
    sharing = defaultdict(list)  # (site, tag) -> willing residents
    for rid, site, _area in residents:
        if rid in willing:
            for t in tags_of[rid]:
                sharing[(site, t)].append(rid)
    keys = [k for k, members in sharing.items() if len(members) > 1]
    intro_ids = reserve_ids(Introduction, scale.introductions)
    intro_rows, pairs = [], set()
    for iid in intro_ids:
        while True:
            site, t = rng.choice(keys)
            a, b = rng.sample(sharing[(site, t)], 2)
            pair = (min(a, b), max(a, b), t)
            if pair not in pairs:
                pairs.add(pair)
                break
        intro_rows.append(
            (iid, a, b, None, t, site, "builder", builders_by_site[site], None,
             start + datetime.timedelta(days=rng.randint(0, days)),
             rng.choices(("introduced", "met", "ongoing", "did_not_happen"), (3, 3, 3, 1))[0],
             "", now)
        )  # fmt: skip
    copy_rows(
        Introduction,
        ("id", "resident", "to_resident", "to_group", "interest", "site", "made_by",
         "builder", "connector", "introduced_on", "status", "notes", "created_at"),
        intro_rows,
    )  # fmt: skip
    say(f"{len(intro_rows)} introductions.\n")

    # Groups around an interest, with members, origins and celebrations.
    group_ids = reserve_ids(Group, scale.groups)
    group_rows, member_rows, origin_rows, party_rows = [], [], [], []
    intros_by_site = defaultdict(list)
    for row in intro_rows[: scale.groups * 4]:
        intros_by_site[row[5]].append(row[0])
    for gid in group_ids:
        site = sites[gid % len(sites)].pk
        t = rng.choice(passions)
        founded = start + datetime.timedelta(days=rng.randint(0, days))
        group_rows.append(
            (gid, f"Group {gid}", t, site, rng.choice(site_wards[site]), "",
             founded, gid % 9 != 0, builders_by_site[site])
        )  # fmt: skip
        for rid in rng.sample(by_site[site], rng.randint(5, 15)):
            member_rows.append((gid, rid))
        for iid in rng.sample(intros_by_site[site], min(2, len(intros_by_site[site]))):
            origin_rows.append((gid, iid))
        if rng.random() < 0.6:
            party_rows.append(
                (
                    gid,
                    "Celebration",
                    founded + datetime.timedelta(days=90),
                    rng.randint(8, 80),
                )
            )
    copy_rows(
        Group,
        ("id", "name", "interest", "site", "area", "description", "founded_on",
         "is_active", "created_by"),
        group_rows,
    )  # fmt: skip
    copy_rows(Group.members.through, ("group_id", "resident_id"), member_rows)
    copy_rows(Group.grew_from.through, ("group_id", "introduction_id"), origin_rows)
    copy_rows(CelebrationEvent, ("group", "name", "held_on", "attendance"), party_rows)
    say(f"{len(group_rows)} groups.\n")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, or the planner guesses
    return {
        "residents": len(residents),
        "conversations": len(conv_rows),
        "introductions": len(intro_rows),
        "groups": len(group_rows),
    }
