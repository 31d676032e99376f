"""Every indicator's definition and computation, in one place.

The snapshot service, the dashboard and the reports all use this module, so
a figure is defined once and computed the same way everywhere. Each
indicator has a code, a plain-English definition (shown wherever the figure
appears), a kind, a unit, and a computation over a month for every scope
(the whole programme, each site and each ward): ``compute_all(start, end)``
returns a ``Measure(value, base)`` per scope, where ``base`` is how many
people or records the figure rests on (what small-number suppression tests).

Each computation works out a month for every scope at once (a few grouped
queries, not one per site and ward), so the nightly snapshots stay quick as
sites and wards are added. Months are half-open: ``start <= day < end``.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import Coalesce

from assets.models import ASSET_CATEGORIES, Asset
from communities.models import (
    Area,
    CelebrationEvent,
    Conversation,
    Group,
    Introduction,
    Site,
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
    def key(self) -> tuple[str, int | None]:
        if self.site is not None:
            return ("site", self.site.pk)
        if self.area is not None:
            return ("area", self.area.pk)
        return ALL


@dataclass(frozen=True)
class Measure:
    value: Decimal | None
    base: int


# PostgreSQL's default cost of a random read (4) assumes spinning disks, so
# it joins a month's few thousand introductions to their residents by
# reading every resident into a hash; at the cost for solid-state storage
# (1.1) it looks each one up by its key. Used for these computations only:
# the pages' plans were measured as no better for it (docs/scaling.md).
RANDOM_PAGE_COST = "1.1"


def plan_for_lookups() -> None:
    """Until the caller's transaction ends, PostgreSQL plans for solid-state
    storage. The caller opens that transaction (``SET LOCAL`` outside one
    changes nothing), and it bounds the setting: nothing after it is
    planned this way."""
    if transaction.get_autocommit():
        raise RuntimeError("Plan for lookups inside transaction.atomic().")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL random_page_cost = %s", [RANDOM_PAGE_COST])


def every_scope() -> list[Scope]:
    """What a month's snapshots cover: the whole programme, each site and
    each ward."""
    return [
        Scope(),
        *(Scope(site=site) for site in Site.objects.all()),
        *(Scope(area=ward) for ward in Area.objects.wards()),
    ]


# A computation returns a Measure for every scope that has one, keyed
# ("all", None), ("site", id) or ("area", id); a scope missing from the
# results has nothing to count (0 for a count, no value for an average).
ALL = ("all", None)
Results = dict[tuple[str, int | None], Measure]


@dataclass(frozen=True)
class Spec:
    code: str
    kind: str
    unit: str  # "count", "pounds", "percent" or "score"
    definition: str
    compute_all: Callable[[datetime.date, datetime.date], Results]
    # Survey averages are suppressed when too few people answered; counts
    # are suppressed on their own value.
    suppress_on: str = "value"

    @property
    def empty(self) -> Measure:
        if self.unit == "count":
            return Measure(Decimal(0), 0)
        if self.unit == "pounds":
            return Measure(Decimal("0.00"), 0)
        return Measure(None, 0)


def _count(n: int) -> Measure:
    return Measure(Decimal(n), n)


def _round(value) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def _grouped(rows, *, site: str, area: str, **aggregates) -> dict[tuple, dict]:
    """The aggregates over ``rows`` for the programme, then grouped by the
    site path and by the ward path: three queries whatever the number of
    sites and wards."""
    out = {ALL: rows.aggregate(**aggregates)}
    for kind, path in (("site", site), ("area", area)):
        for row in rows.order_by().values(path).annotate(**aggregates):
            if row[path] is not None:
                out[(kind, row[path])] = row
    return out


def _counted(rows, *, site: str, area: str, distinct: str = "pk") -> Results:
    grouped = _grouped(rows, site=site, area=area, n=Count(distinct, distinct=True))
    return {key: _count(row["n"]) for key, row in grouped.items()}


def _people(triples) -> Results:
    """Distinct people from (site, person, ward) triples, per scope."""
    sets: dict[tuple, set] = {ALL: set()}
    for site, person, ward in triples:
        sets[ALL].add(person)
        if site is not None:
            sets.setdefault(("site", site), set()).add(person)
        if ward is not None:
            sets.setdefault(("area", ward), set()).add(person)
    return {key: _count(len(people)) for key, people in sets.items()}


# Computed from records ------------------------------------------------------


def _in_month(field: str, start, end) -> dict:
    return {f"{field}__gte": start, f"{field}__lt": end}


def _conversations(start, end) -> Results:
    rows = Conversation.objects.filter(**_in_month("held_on", start, end))
    return _counted(rows, site="site", area="area")


def _residents_met(start, end) -> Results:
    # For a site: met in the site's conversations; for a ward: living there.
    return _people(
        Conversation.residents.through.objects.filter(
            **_in_month("conversation__held_on", start, end)
        ).values_list("conversation__site", "resident", "resident__area")
    )


def _month_introductions(start, end):
    return Introduction.objects.open().filter(**_in_month("introduced_on", start, end))


def _residents_introduced(start, end) -> Results:
    rows = _month_introductions(start, end)
    return _people(
        [
            *rows.values_list("site", "resident", "resident__area"),
            *rows.filter(to_resident__isnull=False).values_list(
                "site", "to_resident", "to_resident__area"
            ),
        ]
    )


def _introductions_by(made_by: str):
    def compute(start, end) -> Results:
        rows = _month_introductions(start, end).filter(made_by=made_by)
        return _counted(rows, site="site", area="resident__area")

    return compute


def _introductions_across_wards(start, end) -> Results:
    # One query for every scope: each introduction counts for its site and
    # for both residents' wards (never the same ward, so never twice).
    counts = Counter({ALL: 0})
    for site, ward, other_ward in (
        _month_introductions(start, end)
        .filter(resident__area__isnull=False, to_resident__area__isnull=False)
        .exclude(resident__area=F("to_resident__area"))
        .values_list("site", "resident__area", "to_resident__area")
    ):
        counts.update((ALL, ("site", site), ("area", ward), ("area", other_ward)))
    return {key: _count(n) for key, n in counts.items()}


def _groups_formed(start, end) -> Results:
    rows = Group.objects.filter(**_in_month("founded_on", start, end))
    return _counted(rows, site="site", area="area")


def _celebrations(start, end) -> Results:
    rows = CelebrationEvent.objects.filter(**_in_month("held_on", start, end))
    return _counted(rows, site="group__site", area="group__area")


def _active_connectors(start, end) -> Results:
    return _people(
        _month_introductions(start, end)
        .filter(made_by=Introduction.MadeBy.CONNECTOR, connector__is_connector=True)
        .values_list("connector__site", "connector", "connector__area")
    )


def _awards(start, end):
    return Award.objects.current().filter(**_in_month("awarded_on", start, end))


def _sparks_count(start, end) -> Results:
    return _counted(_awards(start, end), site="fund__site", area="application__area")


def _sparks_amount(start, end) -> Results:
    grouped = _grouped(
        _awards(start, end),
        site="fund__site",
        area="application__area",
        n=Count("pk"),
        total=Coalesce(Sum("amount"), Decimal(0)),
    )
    return {
        key: Measure(_round(row["total"]), row["n"]) for key, row in grouped.items()
    }


RESIDENT_LED = (Application.ApplicantType.INDIVIDUAL, Application.ApplicantType.GROUP)


def _resident_led_share(start, end) -> Results:
    grouped = _grouped(
        _awards(start, end),
        site="fund__site",
        area="application__area",
        n=Count("pk"),
        total=Coalesce(Sum("amount"), Decimal(0)),
        led=Coalesce(
            Sum("amount", filter=Q(application__applicant_type__in=RESIDENT_LED)),
            Decimal(0),
        ),
    )
    return {
        key: Measure(_round(100 * row["led"] / row["total"]), row["n"])
        for key, row in grouped.items()
        if row["total"]
    }


def _assets_in(category: str):
    def compute(start, end) -> Results:
        rows = Asset.objects.active().filter(
            category=category, created_at__date__lt=end
        )
        # A site counts the assets in the wards it works.
        return _counted(rows, site="area__sites", area="area")

    return compute


# From surveys ---------------------------------------------------------------


def _responses(start, end):
    return SurveyResponse.objects.filter(**_in_month("completed_on", start, end))


def _mean_of(field: str):
    def compute(start, end) -> Results:
        grouped = _grouped(
            _responses(start, end).filter(**{f"{field}__isnull": False}),
            site="site",
            area="area",
            n=Count("pk"),
            mean=Avg(field),
        )
        return {
            key: Measure(_round(row["mean"]), row["n"])
            for key, row in grouped.items()
            if row["n"]
        }

    return compute


def _agreeing(question_id: int):
    def compute(start, end) -> Results:
        grouped = _grouped(
            CohesionAnswer.objects.filter(
                question_id=question_id,
                **_in_month("response__completed_on", start, end),
            ),
            site="response__site",
            area="response__area",
            n=Count("pk"),
            agree=Count("pk", filter=Q(answer__gte=AGREE)),
        )
        return {
            key: Measure(_round(100 * row["agree"] / row["n"]), row["n"])
            for key, row in grouped.items()
            if row["n"]
        }

    return compute


# From stories ---------------------------------------------------------------


def _stories_for(outcome_id: int):
    def compute(start, end) -> Results:
        rows = Story.objects.filter(
            outcomes=outcome_id, **_in_month("told_on", start, end)
        )
        return _counted(rows, site="site", area="area")

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
            "including ones with no resident named. For a ward, conversations "
            "logged as held there.",
            _conversations,
        ),
        Spec(
            "residents-met",
            RECORDS,
            "count",
            "Different residents named in at least one conversation held in "
            "the month (each resident counted once). For a site, residents "
            "met in its conversations; for a ward, residents who live there.",
            _residents_met,
        ),
        Spec(
            "residents-introduced",
            RECORDS,
            "count",
            "Different residents who made or received at least one "
            "introduction in the month, either side of it; introductions that "
            "didn't happen are left out. For a site, its introductions; for a "
            "ward, residents who live there.",
            _residents_introduced,
        ),
        Spec(
            "introductions-by-builders",
            RECORDS,
            "count",
            "Introductions a Community Builder made in the month, to another "
            "resident or to a group; introductions that didn't happen are "
            "left out. For a ward, introductions of residents who live there.",
            _introductions_by(Introduction.MadeBy.BUILDER),
        ),
        Spec(
            "introductions-by-connectors",
            RECORDS,
            "count",
            "Introductions a Community Connector made in the month, to another "
            "resident or to a group; introductions that didn't happen are "
            "left out. For a ward, introductions of residents who live there.",
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
            "month (each counted once). For a site or a ward, connectors "
            "recorded by that site or living in that ward.",
            _active_connectors,
        ),
        Spec(
            "sparks-awarded",
            RECORDS,
            "count",
            "Small sparks grants awarded in the month; grants later withdrawn "
            "are left out. For a site, grants from its funds; for a ward, "
            "grants for ideas there.",
            _sparks_count,
        ),
        Spec(
            "sparks-amount",
            RECORDS,
            "pounds",
            "Money awarded as small sparks grants in the month, in pounds; "
            "grants later withdrawn are left out. For a site, grants from its "
            "funds; for a ward, grants for ideas there.",
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
                "the end of the month (closed assets are left out). For a "
                "site, the assets in the wards it works.",
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
    spec by code, or one made from its cohesion question or its outcome
    (read them with the indicator: ``with_outcome_and_question()``)."""
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
