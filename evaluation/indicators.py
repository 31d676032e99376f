"""Every indicator's definition and computation, in one place.

The snapshot service, the dashboard and the reports all use this module, so
a figure is defined once and computed the same way everywhere. Each
indicator has a code, a plain-English definition (shown wherever the figure
appears), a kind, a unit, and a function over a scope (the whole programme,
one site or one ward) and a month: ``compute(scope, start, end)`` returns
``Measure(value, base)``, where ``base`` is how many people or records the
figure rests on (what small-number suppression tests).

Months are half-open: ``start <= day < end``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import Coalesce

from assets.models import ASSET_CATEGORIES, Asset
from communities.models import (
    CelebrationEvent,
    Conversation,
    Group,
    Introduction,
    Resident,
)
from grants.models import Application, Award

from .models import AGREE, CohesionAnswer, Indicator, Story, SurveyResponse

TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Scope:
    """The whole programme (neither set), one site, or one ward."""

    site: object = None
    area: object = None

    @property
    def label(self) -> str:
        if self.site is not None:
            return str(self.site)
        if self.area is not None:
            return str(self.area)
        return "The whole programme"


@dataclass(frozen=True)
class Measure:
    value: Decimal | None
    base: int


@dataclass(frozen=True)
class Spec:
    code: str
    kind: str
    unit: str  # "count", "pounds", "percent" or "score"
    definition: str
    compute: Callable[[Scope, datetime.date, datetime.date], Measure]
    # Survey averages are suppressed when too few people answered; counts
    # are suppressed on their own value.
    suppress_on: str = "value"


def _count(n: int) -> Measure:
    return Measure(Decimal(n), n)


def _round(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


# Computed from records ------------------------------------------------------


def _conversations(scope: Scope, start, end) -> Measure:
    rows = Conversation.objects.filter(held_on__gte=start, held_on__lt=end)
    if scope.site is not None:
        rows = rows.filter(site=scope.site)
    if scope.area is not None:
        rows = rows.filter(area=scope.area)
    return _count(rows.count())


def _residents_met(scope: Scope, start, end) -> Measure:
    rows = Resident.objects.filter(
        conversations__held_on__gte=start, conversations__held_on__lt=end
    )
    if scope.site is not None:
        rows = rows.filter(conversations__site=scope.site)
    if scope.area is not None:
        rows = rows.filter(area=scope.area)
    return _count(rows.distinct().count())


def _introductions(scope: Scope, start, end):
    rows = Introduction.objects.open().filter(
        introduced_on__gte=start, introduced_on__lt=end
    )
    if scope.site is not None:
        rows = rows.filter(site=scope.site)
    if scope.area is not None:
        rows = rows.filter(resident__area=scope.area)
    return rows


def _residents_introduced(scope: Scope, start, end) -> Measure:
    introductions = Introduction.objects.open().filter(
        introduced_on__gte=start, introduced_on__lt=end
    )
    if scope.site is not None:
        introductions = introductions.filter(site=scope.site)
    rows = Resident.objects.filter(
        Q(pk__in=introductions.values("resident"))
        | Q(
            pk__in=introductions.filter(to_resident__isnull=False).values("to_resident")
        )
    )
    if scope.area is not None:
        rows = rows.filter(area=scope.area)
    return _count(rows.count())


def _introductions_by(made_by: str):
    def compute(scope: Scope, start, end) -> Measure:
        return _count(_introductions(scope, start, end).filter(made_by=made_by).count())

    return compute


def _introductions_across_wards(scope: Scope, start, end) -> Measure:
    rows = (
        Introduction.objects.open()
        .filter(
            introduced_on__gte=start,
            introduced_on__lt=end,
            resident__area__isnull=False,
            to_resident__area__isnull=False,
        )
        .exclude(resident__area=F("to_resident__area"))
    )
    if scope.site is not None:
        rows = rows.filter(site=scope.site)
    if scope.area is not None:
        rows = rows.filter(
            Q(resident__area=scope.area) | Q(to_resident__area=scope.area)
        )
    return _count(rows.count())


def _groups_formed(scope: Scope, start, end) -> Measure:
    rows = Group.objects.filter(founded_on__gte=start, founded_on__lt=end)
    if scope.site is not None:
        rows = rows.filter(site=scope.site)
    if scope.area is not None:
        rows = rows.filter(area=scope.area)
    return _count(rows.count())


def _celebrations(scope: Scope, start, end) -> Measure:
    rows = CelebrationEvent.objects.filter(held_on__gte=start, held_on__lt=end)
    if scope.site is not None:
        rows = rows.filter(group__site=scope.site)
    if scope.area is not None:
        rows = rows.filter(group__area=scope.area)
    return _count(rows.count())


def _active_connectors(scope: Scope, start, end) -> Measure:
    made = Introduction.objects.open().filter(
        introduced_on__gte=start,
        introduced_on__lt=end,
        made_by=Introduction.MadeBy.CONNECTOR,
    )
    rows = Resident.objects.connectors().filter(pk__in=made.values("connector"))
    if scope.site is not None:
        rows = rows.filter(site=scope.site)
    if scope.area is not None:
        rows = rows.filter(area=scope.area)
    return _count(rows.count())


def _awards(scope: Scope, start, end):
    rows = Award.objects.current().filter(awarded_on__gte=start, awarded_on__lt=end)
    if scope.site is not None:
        rows = rows.filter(fund__site=scope.site)
    if scope.area is not None:
        rows = rows.filter(application__area=scope.area)
    return rows


def _sparks_count(scope: Scope, start, end) -> Measure:
    return _count(_awards(scope, start, end).count())


def _sparks_amount(scope: Scope, start, end) -> Measure:
    totals = _awards(scope, start, end).aggregate(
        n=Count("pk"), total=Coalesce(Sum("amount"), Decimal(0))
    )
    return Measure(_round(totals["total"]), totals["n"])


RESIDENT_LED = (Application.ApplicantType.INDIVIDUAL, Application.ApplicantType.GROUP)


def _resident_led_share(scope: Scope, start, end) -> Measure:
    totals = _awards(scope, start, end).aggregate(
        n=Count("pk"),
        total=Coalesce(Sum("amount"), Decimal(0)),
        led=Coalesce(
            Sum("amount", filter=Q(application__applicant_type__in=RESIDENT_LED)),
            Decimal(0),
        ),
    )
    if not totals["total"]:
        return Measure(None, 0)
    return Measure(_round(100 * totals["led"] / totals["total"]), totals["n"])


def _assets_in(category: str):
    def compute(scope: Scope, start, end) -> Measure:
        rows = Asset.objects.active().filter(
            category=category,
            created_at__date__lt=end,
        )
        if scope.site is not None:
            rows = rows.filter(area__in=scope.site.areas.all())
        if scope.area is not None:
            rows = rows.filter(area=scope.area)
        return _count(rows.count())

    return compute


# From surveys ---------------------------------------------------------------


def _responses(scope: Scope, start, end):
    return SurveyResponse.objects.in_scope(site=scope.site, area=scope.area).filter(
        completed_on__gte=start, completed_on__lt=end
    )


def _mean_of(field: str):
    def compute(scope: Scope, start, end) -> Measure:
        rows = _responses(scope, start, end).filter(**{f"{field}__isnull": False})
        totals = rows.aggregate(n=Count("pk"), mean=Avg(field))
        return Measure(_round(totals["mean"]), totals["n"])

    return compute


def _agreeing(question_id: int):
    def compute(scope: Scope, start, end) -> Measure:
        answers = CohesionAnswer.objects.filter(
            question_id=question_id,
            response__in=_responses(scope, start, end),
        ).aggregate(n=Count("pk"), agree=Count("pk", filter=Q(answer__gte=AGREE)))
        if not answers["n"]:
            return Measure(None, 0)
        return Measure(_round(100 * answers["agree"] / answers["n"]), answers["n"])

    return compute


# From stories ---------------------------------------------------------------


def _stories_for(outcome_id: int):
    def compute(scope: Scope, start, end) -> Measure:
        rows = Story.objects.in_scope(site=scope.site, area=scope.area).filter(
            outcomes=outcome_id, told_on__gte=start, told_on__lt=end
        )
        return _count(rows.count())

    return compute


RECORDS = Indicator.Kind.RECORDS
SURVEY = Indicator.Kind.SURVEY
STORIES = Indicator.Kind.STORIES

ONS4_DEFINITION = (
    "The average answer, from 0 to 10, that residents who completed a survey "
    "in the month gave to ONS's question: “{question}”. ONS's four questions "
    "are reported separately and never added together."
)

SPECS: dict[str, Spec] = {
    spec.code: spec
    for spec in (
        Spec(
            "conversations",
            RECORDS,
            "count",
            "Conversations Community Builders logged as held in the month, "
            "including ones with no resident named.",
            _conversations,
        ),
        Spec(
            "residents-met",
            RECORDS,
            "count",
            "Different residents named in at least one conversation held in "
            "the month (each resident counted once).",
            _residents_met,
        ),
        Spec(
            "residents-introduced",
            RECORDS,
            "count",
            "Different residents who made or received at least one "
            "introduction in the month, either side of it; introductions that "
            "didn't happen are left out.",
            _residents_introduced,
        ),
        Spec(
            "introductions-by-builders",
            RECORDS,
            "count",
            "Introductions a Community Builder made in the month, to another "
            "resident or to a group; introductions that didn't happen are "
            "left out.",
            _introductions_by(Introduction.MadeBy.BUILDER),
        ),
        Spec(
            "introductions-by-connectors",
            RECORDS,
            "count",
            "Introductions a Community Connector made in the month, to another "
            "resident or to a group; introductions that didn't happen are "
            "left out.",
            _introductions_by(Introduction.MadeBy.CONNECTOR),
        ),
        Spec(
            "introductions-across-wards",
            RECORDS,
            "count",
            "Introductions in the month between two residents who live in "
            "different wards (both wards known). For a ward, introductions "
            "with either resident living there.",
            _introductions_across_wards,
        ),
        Spec(
            "groups-formed",
            RECORDS,
            "count",
            "Groups formed around a shared interest whose start date falls "
            "in the month.",
            _groups_formed,
        ),
        Spec(
            "celebration-events",
            RECORDS,
            "count",
            "Celebration events that groups held in the month.",
            _celebrations,
        ),
        Spec(
            "active-connectors",
            RECORDS,
            "count",
            "Community Connectors who made at least one introduction in the "
            "month (each counted once).",
            _active_connectors,
        ),
        Spec(
            "sparks-awarded",
            RECORDS,
            "count",
            "Small sparks grants awarded in the month; grants later withdrawn "
            "are left out.",
            _sparks_count,
        ),
        Spec(
            "sparks-amount",
            RECORDS,
            "pounds",
            "Money awarded as small sparks grants in the month, in pounds; "
            "grants later withdrawn are left out.",
            _sparks_amount,
            suppress_on="base",
        ),
        Spec(
            "sparks-resident-led-share",
            RECORDS,
            "percent",
            "Of the small sparks money awarded in the month, the percentage "
            "awarded to residents applying on their own or as a group of "
            "residents rather than to an organisation.",
            _resident_led_share,
            suppress_on="base",
        ),
        *(
            Spec(
                f"assets-{value}",
                RECORDS,
                "count",
                f"Active assets in the category “{label}” on the asset map at "
                "the end of the month (closed assets are left out).",
                _assets_in(value),
            )
            for value, label in ASSET_CATEGORIES
        ),
        Spec(
            "swemwbs",
            SURVEY,
            "score",
            "The average SWEMWBS mental wellbeing score of residents who "
            "completed a survey in the month: the seven answers are added up "
            "(7 to 35) and converted to the metric score with the published "
            "table. Higher is better.",
            _mean_of("swemwbs_metric"),
            suppress_on="base",
        ),
        *(
            Spec(
                f"ons4-{key.replace('_', '-')}",
                SURVEY,
                "score",
                ONS4_DEFINITION.format(question=question),
                _mean_of(key),
                suppress_on="base",
            )
            for key, question in (
                (
                    "life_satisfaction",
                    "Overall, how satisfied are you with your life nowadays?",
                ),
                (
                    "worthwhile",
                    "Overall, to what extent do you feel that the things you do in your life are worthwhile?",
                ),
                ("happiness", "Overall, how happy did you feel yesterday?"),
                (
                    "anxiety",
                    "Overall, how anxious did you feel yesterday? (lower is better)",
                ),
            )
        ),
    )
}


def spec_for(indicator: Indicator) -> Spec:
    """The definition and computation behind an indicator row: a fixed
    spec by code, or one made from its cohesion question or its outcome."""
    if indicator.code in SPECS:
        return SPECS[indicator.code]
    if indicator.question_id is not None:
        return Spec(
            indicator.code,
            SURVEY,
            "percent",
            "Of residents who completed a survey in the month and answered "
            f"“{indicator.question.text}”, the percentage who agree or "
            "strongly agree.",
            _agreeing(indicator.question_id),
            suppress_on="base",
        )
    if indicator.kind == STORIES:
        return Spec(
            indicator.code,
            STORIES,
            "count",
            "Stories told in the month that speak to the outcome "
            f"“{indicator.outcome.title}”.",
            _stories_for(indicator.outcome_id),
        )
    raise KeyError(f"No definition for indicator {indicator.code!r}")


def compute(indicator: Indicator, scope: Scope, start, end) -> Measure:
    return spec_for(indicator).compute(scope, start, end)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def next_month(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def months_ending(last: datetime.date, count: int) -> list[datetime.date]:
    """``count`` month starts, oldest first, ending with ``last``'s month."""
    months = [month_start(last)]
    for _ in range(count - 1):
        months.append(month_start(months[-1] - datetime.timedelta(days=1)))
    return months[::-1]
