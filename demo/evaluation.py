"""Gloucester demo data for the evaluation: baseline and follow-up surveys in
the pathfinder wards, a dozen stories (some from end-of-grant reports) and a
year of monthly snapshots.

Made through the services. Idempotent: surveys are made only where a ward
has none, stories are found by title (or by grant), and a month that
already has snapshots is left alone.
"""

from __future__ import annotations

import datetime
import importlib
import random

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from communities.models import Group, Site, User
from core.dates import financial_year_of
from evaluation import indicators, reads, report_runs, services
from evaluation.models import (
    CohesionQuestion,
    Outcome,
    ReportRun,
    Snapshot,
    Story,
    SurveyResponse,
)
from grants.models import GrantReport

SURVEYS_PER_WAVE = 14

STORIES = (
    (
        "The bench that started a walking group",
        (
            "I'd sat on that bench on my own most mornings since my husband died. "
            "The builder stopped to chat, and a week later introduced me to two "
            "other women who walk their dogs past it. Now there are nine of us "
            "and we walk every Tuesday and Friday."
        ),
        "Jean, a resident of Matson",
        Story.Teller.RESIDENT,
        ("better-connected", "good-friends"),
        True,
    ),
    (
        "Knowing the names on my street",
        (
            "Before the street party I knew two of my neighbours by name. Now I "
            "know nearly everyone on our side of the road, and we have a "
            "WhatsApp group for lending tools."
        ),
        "A resident of Barton and Tredworth",
        Story.Teller.RESIDENT,
        ("better-connected",),
        True,
    ),
    (
        "From one sewing machine to a repair café",
        (
            "A connector who loves mending clothes was introduced to the "
            "community centre manager. They now run a monthly repair café; "
            "last month forty people brought things to fix."
        ),
        "Priya, a Community Connector",
        Story.Teller.CONNECTOR,
        ("changes-they-want",),
        False,
    ),
    (
        "The allotment nobody was using",
        (
            "Residents noticed the overgrown patch behind the flats on our "
            "asset map walk. The housing association agreed they could grow "
            "vegetables there; twelve households now have a bed."
        ),
        "A Community Builder in Podsmead",
        Story.Teller.BUILDER,
        ("changes-they-want", "good-friends"),
        True,
    ),
    (
        "A café that changed how it hires",
        (
            "After meeting the young people's cooking group, the café owner "
            "offered Saturday work experience to three of them, and changed "
            "her hiring to look locally first."
        ),
        "The owner of a café in Westgate",
        Story.Teller.PARTNER,
        ("changes-they-want",),
        True,
    ),
    (
        "Football on Thursday nights",
        (
            "We were four dads kicking a ball about. The builder put us in "
            "touch with the school, which lets us use the hall. Now it's "
            "twenty-odd of us and our kids cheer from the side."
        ),
        "A resident of Kingsholm and Wotton",
        Story.Teller.RESIDENT,
        ("good-friends",),
        True,
    ),
    (
        "Translating for new neighbours",
        (
            "I speak Polish and English. Through the connectors' network I now "
            "help families who have just arrived to fill in school forms, and "
            "they have taught me to make pierogi properly."
        ),
        "Marta, a Community Connector",
        Story.Teller.CONNECTOR,
        ("better-connected", "good-friends"),
        False,
    ),
    (
        "Not feeling alone any more",
        (
            "I hadn't left the house much since the pandemic. The knitting "
            "group meets at the library and now I go every week."
        ),
        "A resident of Tuffley",
        Story.Teller.RESIDENT,
        ("good-friends",),
        True,
    ),
    (
        "Residents choosing what gets funded",
        (
            "Sitting on the small sparks panel, I read ideas from people I'd "
            "never have met otherwise. We funded a youth radio show and a "
            "Diwali lantern walk, and I've been to both."
        ),
        "A resident panel member in Barton and Tredworth",
        Story.Teller.RESIDENT,
        ("changes-they-want", "better-connected"),
        True,
    ),
    (
        "A connector who knows every street",
        (
            "Des has lived here forty years. Builders ask him first: he knows "
            "which church hall has a kitchen, who runs the boxing club and "
            "whose garden is open in June."
        ),
        "A Community Builder in Moreland",
        Story.Teller.BUILDER,
        ("better-connected",),
        True,
    ),
)


def seed_framework() -> None:
    """Leeds' outcomes, indicators and cohesion questions, as the data
    migration seeds them (nothing is added twice), in case the tables were
    emptied since."""
    importlib.import_module("evaluation.migrations.0002_seed_leeds_framework").seed(
        apps, None
    )


def _rng() -> random.Random:
    return random.Random(20261123)


@transaction.atomic
def seed_surveys() -> int:
    """Baseline surveys eleven months ago and follow-ups last month in each
    pathfinder ward; follow-ups lean a little better, as Gloucester's did."""
    today = timezone.localdate()
    questions = list(CohesionQuestion.objects.active())
    officer = User.objects.filter(username="officer").first()
    made = 0
    rng = _rng()
    for ward in reads.programme_wards():
        if SurveyResponse.objects.filter(area=ward).exists():
            continue
        site = Site.objects.filter(areas=ward).order_by("pk").first()
        for wave, days_ago, lift in (
            (SurveyResponse.Wave.BASELINE, 330, 0),
            (SurveyResponse.Wave.FOLLOW_UP, 25, 1),
        ):
            for n in range(SURVEYS_PER_WAVE):
                level = rng.choice((2, 3, 3, 3, 4)) + (
                    lift if rng.random() < 0.4 else 0
                )
                swemwbs = [
                    min(5, max(1, level + rng.choice((-1, 0, 0, 1)))) for _ in range(7)
                ]
                ons = {
                    "life_satisfaction": min(10, rng.randint(4, 8) + lift),
                    "worthwhile": min(10, rng.randint(5, 9) + lift),
                    "happiness": min(10, rng.randint(3, 9) + lift),
                    "anxiety": max(0, rng.randint(1, 7) - lift),
                }
                cohesion = {
                    q.pk: min(
                        5,
                        max(1, rng.randint(2, 4) + (lift if rng.random() < 0.5 else 0)),
                    )
                    for q in questions
                }
                services.survey_response_record(
                    area=ward,
                    site=site,
                    wave=wave,
                    completed_on=today - datetime.timedelta(days=days_ago + n % 10),
                    swemwbs=swemwbs,
                    ons4=ons,
                    cohesion=cohesion,
                    entered_by=officer if n % 2 else None,
                )
                made += 1
    return made


@transaction.atomic
def seed_stories() -> int:
    """A dozen stories: eight told to builders and officers, the rest from
    end-of-grant reports the grant holders agreed to share. About half are
    chosen for reports."""
    officer = User.objects.filter(username="officer").first()
    outcomes = {o.code: o for o in Outcome.objects.all()}
    wards = list(reads.programme_wards())
    today = timezone.localdate()
    made = 0
    for index, (title, text, told_by, teller, codes, anonymous) in enumerate(STORIES):
        if Story.objects.filter(title=title).exists():
            continue
        ward = wards[index % len(wards)] if wards else None
        site = Site.objects.filter(areas=ward).first() if ward else None
        story = services.story_record(
            title=title,
            text=text,
            told_by=told_by,
            teller=teller,
            told_on=today - datetime.timedelta(days=20 + index * 37),
            outcomes=[outcomes[c] for c in codes if c in outcomes],
            consent_to_publish=index != 7,
            is_anonymous=anonymous,
            recorded_by=officer,
            site=site,
            area=ward,
            group=Group.objects.filter(site=site).first() if site else None,
        )
        if index % 2 == 0 and story.consent_to_publish:
            services.story_select(story=story, selected=True, selected_by=officer)
        made += 1
    changes = outcomes.get("changes-they-want")
    for report in (
        GrantReport.objects.shareable().select_related("award").order_by("pk")[:4]
    ):
        if Story.objects.filter(award=report.award).exists() or changes is None:
            continue
        services.story_from_grant_report(
            report=report, outcomes=[changes], recorded_by=officer
        )
        made += 1
    return made


def seed_snapshots(months: int = 12) -> int:
    """A year of monthly snapshots, ending this month. A month that already
    has snapshots is left alone (the nightly task keeps the current one
    fresh)."""
    done = 0
    for month in indicators.months_ending(timezone.localdate(), months):
        if Snapshot.objects.filter(month=month).exists():
            continue
        services.snapshot_compute(month=month)
        done += 1
    return done


DEMO_RECOMMENDATIONS = """Note the programme's progress in its first full year, set out in this review.
Agree to continue funding the three pathfinder sites for 2026/27 at the same level.
Ask officers to report back on extending Community Building to two more wards with high deprivation."""


def seed_reports() -> int:
    """Last financial year's annual review, built and published, so cabinet
    has one to read. Left alone once it exists; returns how many were
    built."""
    year = financial_year_of(timezone.localdate()) - 1
    start = datetime.date(year, 4, 1)
    if ReportRun.objects.filter(
        kind=ReportRun.Kind.ANNUAL, period_start=start
    ).exists():
        return 0
    with transaction.atomic():
        run = report_runs.report_run_prepare(kind=ReportRun.Kind.ANNUAL, period=year)
        ReportRun.objects.filter(pk=run.pk).update(sent_at=run.requested_at)
    run = report_runs.report_run_build(run_id=run.pk, notify=False)
    report_runs.report_recommendations_save(
        run=run, recommendations=DEMO_RECOMMENDATIONS
    )
    report_runs.report_publish(run=run, published_by=None)
    return 1
