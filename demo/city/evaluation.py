"""Surveys, stories and indicator snapshots for the city-scale benchmark.

Each of the city's wards is surveyed once a year (a baseline in the first
year, follow-ups after), 40 residents a time; about a dozen stories a site a
year are recorded, a fifth of them chosen for reports. Loaded with COPY; then
every month's snapshots are worked out, as five years of the nightly task
would have left them."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from communities.models import Area, Resident, Site, User
from demo.bulk import copy_rows, reserve_ids, skip_audit_triggers
from demo.evaluation import STORIES
from evaluation import indicators, instruments, services
from evaluation.models import (
    CohesionAnswer,
    CohesionQuestion,
    Outcome,
    Story,
    SurveyResponse,
)

SURVEYS_PER_WARD_A_YEAR = 40
STORIES_PER_SITE_A_YEAR = 12
TELLERS = (
    Story.Teller.RESIDENT,
    Story.Teller.RESIDENT,
    Story.Teller.BUILDER,
    Story.Teller.CONNECTOR,
    Story.Teller.PARTNER,
)


def _city() -> tuple[list[Site], dict[int, list[Area]]]:
    sites = list(
        Site.objects.filter(name__startswith="Leeds pathfinder")
        .prefetch_related("areas")
        .order_by("pk")
    )
    return sites, {s.pk: sorted(s.areas.all(), key=lambda a: a.pk) for s in sites}


@transaction.atomic
def seed_city_surveys(*, years: int = 5) -> int:
    sites, wards_of = _city()
    if not sites:
        return 0
    all_wards = [w for s in sites for w in wards_of[s.pk]]
    if SurveyResponse.objects.filter(area__in=all_wards).exists():
        return 0
    skip_audit_triggers()
    rng = random.Random(7)
    today = timezone.localdate()
    officer = User.objects.get(username="city-officer")
    questions = list(CohesionQuestion.objects.active().values_list("pk", flat=True))
    planned = []  # (site, ward, wave, completed_on, lift)
    for site in sites:
        for ward in wards_of[site.pk]:
            for year in range(years):
                day = today - datetime.timedelta(days=365 * (years - year) - 60)
                wave = (
                    SurveyResponse.Wave.BASELINE
                    if year == 0
                    else SurveyResponse.Wave.FOLLOW_UP
                )
                lift = min(year, 2) / 2
                planned += [
                    (
                        site.pk,
                        ward.pk,
                        wave,
                        day + datetime.timedelta(days=n % 20),
                        lift,
                    )
                    for n in range(SURVEYS_PER_WARD_A_YEAR)
                ]
    ids = reserve_ids(SurveyResponse, len(planned))
    now = timezone.now()
    rows, answers = [], []
    for pk, (site, ward, wave, day, lift) in zip(ids, planned, strict=True):
        level = rng.choice((2, 3, 3, 3, 4)) + (1 if rng.random() < 0.4 * lift else 0)
        swemwbs = [min(5, max(1, level + rng.choice((-1, 0, 0, 1)))) for _ in range(7)]
        raw = instruments.swemwbs_raw(swemwbs)
        up = round(lift)
        staff = pk % 2 == 0
        rows.append(
            (pk, ward, site, wave, day, "staff" if staff else "link",
             officer.pk if staff else None, *swemwbs, raw,
             instruments.swemwbs_metric(raw), min(10, rng.randint(4, 8) + up),
             min(10, rng.randint(5, 9) + up), min(10, rng.randint(3, 9) + up),
             max(0, rng.randint(1, 7) - up), now)
        )  # fmt: skip
        answers += [
            (
                pk,
                q,
                min(5, max(1, rng.randint(2, 4) + (up if rng.random() < 0.5 else 0))),
            )
            for q in questions
        ]
    copy_rows(
        SurveyResponse,
        ("id", "area", "site", "wave", "completed_on", "entered_via", "entered_by",
         *SurveyResponse.SWEMWBS_FIELDS, "swemwbs_raw", "swemwbs_metric",
         *instruments.ONS4_KEYS, "created_at"),
        rows,
    )  # fmt: skip
    copy_rows(CohesionAnswer, ("response", "question", "answer"), answers)
    return len(rows)


@transaction.atomic
def seed_city_stories(*, years: int = 5) -> int:
    sites, wards_of = _city()
    if not sites or Story.objects.filter(site__in=sites).exists():
        return 0
    skip_audit_triggers()
    rng = random.Random(8)
    today = timezone.localdate()
    officer = User.objects.get(username="city-officer")
    outcomes = list(Outcome.objects.values_list("pk", flat=True))
    # Residents who agreed their stories may be kept, by site.
    tellers: dict[int, list[int]] = {}
    for pk, site in (
        Resident.objects.filter(site__in=sites)
        .consented("story")
        .values_list("pk", "site_id")
        .order_by("pk")
    ):
        tellers.setdefault(site, []).append(pk)
    count = len(sites) * years * STORIES_PER_SITE_A_YEAR
    ids = reserve_ids(Story, count)
    now = timezone.now()
    rows, links = [], []
    for n, pk in enumerate(ids):
        site = sites[n % len(sites)]
        ward = rng.choice(wards_of[site.pk])
        title, text, *_ = STORIES[n % len(STORIES)]
        teller = rng.choice(TELLERS)
        resident = (
            rng.choice(tellers[site.pk])
            if teller == Story.Teller.RESIDENT and tellers.get(site.pk)
            else None
        )
        publishable = rng.random() < 0.7
        selected = publishable and rng.random() < 0.3
        rows.append(
            (pk, f"{title} ({ward.name})", text, f"Someone from {ward.name}", teller,
             today - datetime.timedelta(days=rng.randint(0, 365 * years)),
             publishable, rng.random() < 0.8, site.pk, ward.pk, resident, selected,
             officer.pk if selected else None, officer.pk, now)
        )  # fmt: skip
        links += [(pk, o) for o in rng.sample(outcomes, min(len(outcomes), 2))]
    copy_rows(
        Story,
        ("id", "title", "text", "told_by", "teller", "told_on", "consent_to_publish",
         "is_anonymous", "site", "area", "resident", "selected_for_report",
         "selected_by", "recorded_by", "created_at"),
        rows,
    )  # fmt: skip
    copy_rows(Story.outcomes.through, ("story_id", "outcome_id"), links)
    return len(rows)


def seed_city_snapshots(
    *, years: int = 5, say: Callable[[str], object] = lambda _text: None
) -> int:
    """Every month's snapshots for the city's years, oldest first, one
    transaction a month as the nightly task works."""
    today = timezone.localdate()
    months = indicators.months_ending(today, years * 12 + 1)
    for month in months:
        services.snapshot_compute(month=month)
    say(f"{len(months)} months of indicator snapshots worked out.")
    return len(months)
