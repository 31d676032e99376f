"""What the dashboard and the reports show, shaped from what the models'
QuerySet methods read (evaluation.models says where reads live): each
indicator's monthly values from snapshots (never from the raw tables, so the
dashboard and the reports show the same numbers), the surveys compared by
ward, and the grants pipeline. ``public=True`` applies small-number
suppression: for anything a cabinet member or the public sees.

The reads of other apps' rows that those apps have no QuerySet method for
are here and nowhere else in evaluation: the grants pipeline by site or
ward, the grant reports not yet told as stories (grants may not know
evaluation's stories), the wards the programme works in, and who is
emailed about a report run.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from communities.models import Area, DeprivationRelease, User
from core.roles import Capability, able_to
from core.suppression import FEWER_THAN, is_suppressed
from grants.models import Application, Award, GrantReport

from . import charts, indicators, instruments
from .models import CohesionAnswer, Indicator, ReportRun, Snapshot, SurveyResponse

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
        .of_indicators([row.indicator.pk for row in rows])
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


def survey_comparison() -> list[dict]:
    """Baseline against follow-up in each ward: how many answered, the
    average SWEMWBS metric score, each ONS4 average (never added together)
    ONS's bands for each ONS4 answer, and the share agreeing with each
    cohesion question. Three queries."""
    rows = SurveyResponse.objects.averages_by_ward_and_wave()
    agreement = {
        (a["response__area"], a["response__wave"], a["question"]): a
        for a in CohesionAnswer.objects.agreement_by_ward_and_wave()
    }
    bands: dict[tuple, dict] = {}
    for response in SurveyResponse.objects.ons4_answers():
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


def grant_reports_to_tell():
    """End-of-grant reports the grant holder agreed to share that are not
    yet told as stories, with what their list shows."""
    return (
        GrantReport.objects.shareable()
        .filter(award__story__isnull=True)
        .select_related("award__application__area", "award__application__fund")
    )


def deprivation_release():
    """The deprivation release the wards' figures come from, if any."""
    return DeprivationRelease.objects.latest_loaded()


def programme_wards():
    """The wards the programme's sites work in, by name."""
    return Area.objects.wards().filter(sites__isnull=False).distinct().order_by("name")


def report_run_recipients(run: ReportRun) -> list[str]:
    """Whoever asked for the run; for a scheduled run, everyone who runs
    reports (and so can open the run the email links to), as core.roles
    decides, read in one query."""
    if run.requested_by_id and run.requested_by.email:
        return [run.requested_by.email]
    emails = (
        User.objects.filter(able_to(Capability.RUN_REPORTS), is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(set(emails))
