"""What the dashboard and the reports show, read from snapshots (never from
the raw tables), so both show the same numbers. ``public=True`` applies
small-number suppression: for anything a cabinet member or the public sees.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Q, Sum
from django.db.models.functions import Coalesce

from communities.models import User
from core.roles import Role
from core.suppression import FEWER_THAN, is_suppressed
from grants.models import Application, Award

from . import charts, indicators, instruments
from .models import (
    CohesionAnswer,
    Indicator,
    ReportRun,
    Snapshot,
    Story,
    SurveyResponse,
)

TREND_MONTHS = 12


def format_value(spec: indicators.Spec, value, base: int, *, public: bool) -> str:
    """An indicator's value as shown: suppressed under 5 when public (a
    count on its own value, an average or share on how many it rests on)."""
    if public:
        tested = base if spec.suppress_on == "base" else value
        if is_suppressed(None if tested is None else int(tested)):
            if spec.suppress_on == "base" and value is not None:
                return f"Not shown ({FEWER_THAN} behind it)"
            if spec.suppress_on == "value":
                return FEWER_THAN
    if value is None:
        return "No data"
    if spec.unit == "pounds":
        return f"£{value:,.0f}"
    if spec.unit == "percent":
        return f"{value:.0f}%"
    if spec.unit == "score":
        return f"{value:.1f}"
    return f"{int(value):,}"


@dataclass
class Point:
    month: datetime.date
    value: Decimal | None
    base: int
    shown: str


@dataclass
class Row:
    indicator: Indicator
    spec: indicators.Spec
    points: list[Point] = field(default_factory=list)

    @property
    def latest(self) -> Point | None:
        return self.points[-1] if self.points else None

    @property
    def previous(self) -> Point | None:
        return self.points[-2] if len(self.points) > 1 else None

    @property
    def latest_known(self) -> Point | None:
        """The most recent month with a figure: surveys happen in waves, so
        this month may have none yet."""
        return next((p for p in reversed(self.points) if p.value is not None), None)

    @property
    def before_latest_known(self) -> Point | None:
        latest = self.latest_known
        if latest is None:
            return None
        index = self.points.index(latest)
        return self.points[index - 1] if index else None

    @property
    def chart(self):
        return charts.sparkline(
            [p.value for p in self.points], label=self.indicator.name
        )


def indicator_rows(
    *,
    site=None,
    area=None,
    last_month: datetime.date,
    months: int = TREND_MONTHS,
    headline_only: bool = False,
    public: bool = False,
) -> list[Row]:
    """Each indicator with its monthly values for the scope, oldest first.
    Two queries whatever the data's size: the indicators, then the
    snapshots."""
    month_list = indicators.months_ending(last_month, months)
    chosen = Indicator.objects.in_framework_order()
    if headline_only:
        chosen = chosen.headline()
    rows = [Row(indicator=i, spec=indicators.spec_for(i)) for i in chosen]
    values = {
        (s.indicator_id, s.month): s
        for s in Snapshot.objects.for_scope(site=site, area=area)
        .between(month_list[0], month_list[-1])
        .filter(indicator__in=[row.indicator.pk for row in rows])
        .only("indicator_id", "month", "value", "base")
    }
    for row in rows:
        for month in month_list:
            snapshot = values.get((row.indicator.pk, month))
            value = snapshot.value if snapshot else None
            base = snapshot.base if snapshot else 0
            row.points.append(
                Point(
                    month=month,
                    value=value,
                    base=base,
                    shown=format_value(row.spec, value, base, public=public),
                )
            )
    return rows


def last_computed(*, site=None, area=None):
    snapshot = (
        Snapshot.objects.for_scope(site=site, area=area)
        .newest_computed_first()
        .only("computed_at")
        .first()
    )
    return snapshot.computed_at if snapshot else None


def grants_pipeline(*, site=None, area=None) -> dict:
    """Applications at each stage and the money awarded: two queries."""
    applications = Application.objects.all()
    awards = Award.objects.current()
    if site is not None:
        applications = applications.filter(fund__site=site)
        awards = awards.filter(fund__site=site)
    if area is not None:
        applications = applications.filter(area=area)
        awards = awards.filter(application__area=area)
    counts = dict(applications.order_by().values_list("status").annotate(n=Count("pk")))
    stages = [
        {"status": status, "label": label, "count": counts.get(status, 0)}
        for status, label in Application.Status.choices
    ]
    money = awards.aggregate(n=Count("pk"), total=Coalesce(Sum("amount"), Decimal(0)))
    return {
        "stages": stages,
        "chart": charts.bars(
            [(s["label"], s["count"]) for s in stages], label="Applications by stage"
        ),
        "awards": money["n"],
        "awarded": money["total"],
    }


def recent_stories(*, site=None, area=None, limit: int = 5):
    return list(
        Story.objects.in_scope(site=site, area=area)
        .prefetch_related("outcomes")
        .order_by("-told_on", "-pk")[:limit]
    )


def survey_comparison() -> list[dict]:
    """Baseline against follow-up in each ward: how many answered, the
    average SWEMWBS metric score, each ONS4 average (never added together)
    ONS's bands for each ONS4 answer, and the share agreeing with each
    cohesion question. Three queries."""
    rows = (
        SurveyResponse.objects.values("area", "area__name", "wave")
        .annotate(
            n=Count("pk"),
            swemwbs=Avg("swemwbs_metric"),
            life_satisfaction=Avg("life_satisfaction"),
            worthwhile=Avg("worthwhile"),
            happiness=Avg("happiness"),
            anxiety=Avg("anxiety"),
        )
        .order_by("area__name", "wave")
    )
    agreement = {
        (a["response__area"], a["response__wave"], a["question"]): a
        for a in CohesionAnswer.objects.values(
            "response__area", "response__wave", "question"
        )
        .annotate(n=Count("pk"), agree=Count("pk", filter=Q(answer__gte=4)))
        .order_by()
    }
    bands: dict[tuple, dict] = {}
    for response in SurveyResponse.objects.values(
        "area", "wave", *instruments.ONS4_KEYS
    ).order_by():
        for key in instruments.ONS4_KEYS:
            if response[key] is None:
                continue
            counts = bands.setdefault(
                (response["area"], response["wave"], key),
                dict.fromkeys(instruments.ons4_bands(key), 0),
            )
            counts[instruments.ons4_band(key, response[key])] += 1
    wards: dict[int, dict] = {}
    for row in rows:
        ward = wards.setdefault(
            row["area"], {"name": row["area__name"], "area": row["area"], "waves": {}}
        )
        ward["waves"][row["wave"]] = row
        row["bands"] = {
            key: bands.get((row["area"], row["wave"], key), {})
            for key in instruments.ONS4_KEYS
        }
    for (area, wave, question), answer in agreement.items():
        if area in wards and wave in wards[area]["waves"]:
            wards[area]["waves"][wave].setdefault("agree", {})[question] = round(
                100 * answer["agree"] / answer["n"]
            )
    return list(wards.values())


def report_run_recipients(run: ReportRun) -> list[str]:
    """Whoever asked for the run; for a scheduled run, every officer."""
    if run.requested_by_id and run.requested_by.email:
        return [run.requested_by.email]
    return list(
        User.objects.filter(groups__name=Role.OFFICER.label, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
