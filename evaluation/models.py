"""The evaluation framework and its evidence: outcomes and their indicators,
monthly snapshots of every indicator, wellbeing and cohesion surveys, and
stories.

"Every story has a number and every number has a story": each figure is
defined once (evaluation.indicators) and stored monthly here, so the
dashboard and the reports read the same numbers.

Reads of these models have one home: the QuerySet methods below, named in
the domain's words (``Snapshot.objects.for_scope(site=site).between(a, b)``,
``ReportRun.objects.visible_to(user)``). Views, services, tasks and reports
call them and add no filters of their own. evaluation.reads shapes what
they return for the pages and holds the few reads of other apps' rows that
those apps offer no method for; evaluation.indicators holds the indicator
computations, each figure's one definition.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from communities.models import Area, Group, Resident, Site
from core.dates import financial_year_label
from core.roles import Capability, can
from core.uploads import unguessable_name
from grants.models import Award

from . import instruments


class OutcomeQuerySet(models.QuerySet):
    def with_indicators(self) -> OutcomeQuerySet:
        """Each outcome with its indicators, in the framework's order, as
        ``indicator_list``: two queries however many outcomes there are."""
        return self.prefetch_related(
            models.Prefetch(
                "indicators",
                queryset=Indicator.objects.in_framework_order(),
                to_attr="indicator_list",
            )
        )


class Outcome(models.Model):
    """A change the programme works towards, such as Leeds' "individuals
    and communities are better connected"."""

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = OutcomeQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class IndicatorQuerySet(models.QuerySet):
    def headline(self) -> IndicatorQuerySet:
        return self.filter(is_headline=True)

    def with_outcome_and_question(self) -> IndicatorQuerySet:
        """With what an indicator's definition is written from (its outcome
        and its cohesion question), read in the same query."""
        return self.select_related("outcome", "question")

    def in_framework_order(self) -> IndicatorQuerySet:
        return self.with_outcome_and_question().order_by(
            "outcome__position", "position", "pk"
        )


class Indicator(models.Model):
    """One figure the programme reports. Its definition and how it is
    computed come from evaluation.indicators (``spec_for(indicator)``, by
    ``code``), so officers may rename it, move it between outcomes or make
    it a headline, but never change what it counts."""

    class Kind(models.TextChoices):
        RECORDS = "records", "Computed from records"
        SURVEY = "survey", "From surveys"
        STORIES = "stories", "From stories"

    code = models.SlugField(max_length=60, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind, editable=False)
    outcome = models.ForeignKey(
        Outcome, on_delete=models.PROTECT, related_name="indicators"
    )
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    is_headline = models.BooleanField(
        "Show on the dashboard's headline figures", default=False
    )
    # A cohesion question's indicator is the share who agree with it.
    question = models.OneToOneField(
        "CohesionQuestion",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="indicator",
        editable=False,
    )

    objects = IndicatorQuerySet.as_manager()

    class Meta:
        ordering = ["outcome__position", "position", "pk"]

    def __str__(self) -> str:
        return self.name


class SnapshotQuerySet(models.QuerySet):
    def for_scope(self, *, site=None, area=None) -> SnapshotQuerySet:
        """The rows for the whole programme (neither given), one site or
        one ward."""
        return self.filter(site=site, area=area)

    def between(self, first: datetime.date, last: datetime.date) -> SnapshotQuerySet:
        return self.filter(month__gte=first, month__lte=last)

    def in_month(self, month: datetime.date) -> SnapshotQuerySet:
        return self.filter(month=month)

    def of_indicators(self, indicators) -> SnapshotQuerySet:
        return self.filter(indicator__in=indicators)

    def newest_computed_first(self) -> SnapshotQuerySet:
        """Most recently worked out first, for one scope (for_scope). Ordered
        by the scope's columns too, which are the same on every row of a
        scope: without them PostgreSQL does not see that the (site, area,
        -computed_at) index is already in this order (a scope of "no site"
        is IS NULL, not an equality), and sorts every row of the scope to
        find the newest instead of reading one (docs/scaling.md)."""
        return self.order_by("site_id", "area_id", "-computed_at")

    def last_computed(self) -> datetime.datetime | None:
        """When one scope's figures (for_scope) were last worked out."""
        newest = self.newest_computed_first().only("computed_at").first()
        return newest.computed_at if newest else None


class Snapshot(models.Model):
    """An indicator's value for one month, for the whole programme (no site,
    no ward), one site or one ward. Recomputing a month replaces its rows."""

    # Not indexed alone: the first column of an index in Meta below.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="snapshots", db_index=False
    )
    month = models.DateField(help_text="The first day of the month.")
    # Not indexed alone: the first column of an index in Meta below.
    site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # None when there is nothing to measure (an average of no responses).
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    # How many people or records the figure rests on: what small-number
    # suppression tests for averages and shares.
    base = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "month", "site", "area"],
                nulls_distinct=False,
                name="snapshot_one_per_indicator_month_scope",
            ),
            models.CheckConstraint(
                condition=models.Q(site__isnull=True) | models.Q(area__isnull=True),
                name="snapshot_site_or_ward_not_both",
            ),
            models.CheckConstraint(
                condition=models.Q(month__day=1), name="snapshot_month_first_day"
            ),
        ]
        indexes = [
            models.Index(fields=["site", "area", "month"]),
            # When a scope's figures were last worked out (the dashboard).
            models.Index(fields=["site", "area", "-computed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.month:%B %Y}: {self.value}"


class CohesionQuestionQuerySet(models.QuerySet):
    def active(self) -> CohesionQuestionQuerySet:
        return self.filter(is_active=True)

    def with_indicator(self) -> CohesionQuestionQuerySet:
        """With each question's indicator and the outcome it measures."""
        return self.select_related("indicator__outcome")


class CohesionQuestion(models.Model):
    """A statement residents agree or disagree with, such as "I know my
    neighbours' names". Officers may add, reword or retire them."""

    text = models.CharField(max_length=200, unique=True)
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField("Ask this question", default=True)

    objects = CohesionQuestionQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.text


AGREEMENT = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
]
AGREE = 4


class SurveyResponseQuerySet(models.QuerySet):
    def averages_by_ward_and_wave(self) -> SurveyResponseQuerySet:
        """One row per ward and wave: how many answered, the average
        SWEMWBS metric score and each ONS4 question's average (never added
        together), wards by name."""
        return (
            self.values("area", "area__name", "wave")
            .annotate(
                n=models.Count("pk"),
                swemwbs=models.Avg("swemwbs_metric"),
                life_satisfaction=models.Avg("life_satisfaction"),
                worthwhile=models.Avg("worthwhile"),
                happiness=models.Avg("happiness"),
                anxiety=models.Avg("anxiety"),
            )
            .order_by("area__name", "wave")
        )

    def ons4_answers(self) -> SurveyResponseQuerySet:
        """Each response's ward, wave and four ONS4 answers."""
        return self.values("area", "wave", *instruments.ONS4_KEYS).order_by()


def _score(low: int, high: int, **kwargs):
    return models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(low), MaxValueValidator(high)],
        **kwargs,
    )


class SurveyResponse(models.Model):
    """One resident's answers to the wellbeing and cohesion survey: SWEMWBS,
    ONS4 and the cohesion questions, at baseline or at follow-up. It holds
    no name: a response is counted, never shown with who gave it."""

    class Wave(models.TextChoices):
        BASELINE = "baseline", "Baseline"
        FOLLOW_UP = "follow_up", "Follow-up"

    class EnteredVia(models.TextChoices):
        STAFF = "staff", "Entered by staff"
        LINK = "link", "By the resident, through a link"

    # Not indexed alone: the first column of an index in Meta below.
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="survey_responses", db_index=False
    )
    site = models.ForeignKey(
        Site,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_responses",
    )
    wave = models.CharField(max_length=10, choices=Wave)
    completed_on = models.DateField()
    entered_via = models.CharField(max_length=10, choices=EnteredVia)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    swemwbs_1 = _score(1, 5)
    swemwbs_2 = _score(1, 5)
    swemwbs_3 = _score(1, 5)
    swemwbs_4 = _score(1, 5)
    swemwbs_5 = _score(1, 5)
    swemwbs_6 = _score(1, 5)
    swemwbs_7 = _score(1, 5)
    swemwbs_raw = _score(7, 35, editable=False)
    swemwbs_metric = models.DecimalField(
        max_digits=4, decimal_places=2, null=True, blank=True, editable=False
    )
    life_satisfaction = _score(0, 10)
    worthwhile = _score(0, 10)
    happiness = _score(0, 10)
    anxiety = _score(0, 10)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SurveyResponseQuerySet.as_manager()

    SWEMWBS_FIELDS = tuple(f"swemwbs_{n}" for n in range(1, 8))

    class Meta:
        ordering = ["-completed_on", "-pk"]
        indexes = [models.Index(fields=["area", "wave", "completed_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(swemwbs_raw__isnull=True)
                | models.Q(swemwbs_raw__gte=7, swemwbs_raw__lte=35),
                name="survey_swemwbs_raw_7_to_35",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_wave_display()} survey, {self.area}, {self.completed_on}"

    def clean(self):
        answers = [getattr(self, name) for name in self.SWEMWBS_FIELDS]
        given = [a for a in answers if a is not None]
        if given and len(given) != 7:
            raise ValidationError(
                "Answer all seven wellbeing statements, or leave them all blank."
            )
        if self.area_id and self.area.kind != Area.Kind.WARD:
            raise ValidationError({"area": "Choose a ward."})


class CohesionAnswerQuerySet(models.QuerySet):
    def agreement_by_ward_and_wave(self) -> CohesionAnswerQuerySet:
        """One row per ward, wave and question: how many answered and how
        many agree or strongly agree."""
        return (
            self.values("response__area", "response__wave", "question")
            .annotate(
                n=models.Count("pk"),
                agree=models.Count("pk", filter=models.Q(answer__gte=AGREE)),
            )
            .order_by()
        )


class CohesionAnswer(models.Model):
    # Not indexed alone: the first column of an index in Meta below.
    response = models.ForeignKey(
        SurveyResponse,
        on_delete=models.CASCADE,
        related_name="cohesion_answers",
        db_index=False,
    )
    question = models.ForeignKey(
        CohesionQuestion, on_delete=models.PROTECT, related_name="answers"
    )
    answer = models.PositiveSmallIntegerField(choices=AGREEMENT)

    objects = CohesionAnswerQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question"], name="cohesion_answer_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.get_answer_display()}"


class StoryQuerySet(models.QuerySet):
    def publishable(self) -> StoryQuerySet:
        """Stories the teller agreed may be published."""
        return self.filter(consent_to_publish=True)

    def selected(self) -> StoryQuerySet:
        """Chosen by officers for reports (and publishable)."""
        return self.publishable().filter(selected_for_report=True)

    def in_scope(self, *, site=None, area=None) -> StoryQuerySet:
        """Stories from one site or one ward (every story when neither)."""
        queryset = self
        if site is not None:
            queryset = queryset.filter(site=site)
        if area is not None:
            queryset = queryset.filter(area=area)
        return queryset

    def about(self, resident) -> StoryQuerySet:
        """Stories linked to a resident (never shown with the story)."""
        return self.filter(resident=resident)

    def told_between(self, first: datetime.date, last: datetime.date) -> StoryQuerySet:
        return self.filter(told_on__gte=first, told_on__lte=last)

    def with_outcomes(self) -> StoryQuerySet:
        return self.prefetch_related("outcomes")

    def recent(self, limit: int) -> list[Story]:
        """The latest told, with the outcomes they speak to."""
        return list(self.with_outcomes().order_by("-told_on", "-pk")[:limit])

    def for_list(self) -> StoryQuerySet:
        """With what the list of stories shows: outcomes and ward."""
        return self.with_outcomes().select_related("area")

    def with_details(self) -> StoryQuerySet:
        """With everything one story's page shows."""
        return self.with_outcomes().select_related(
            "area", "site", "resident", "group", "award__application"
        )


class Story(models.Model):
    """A story of change, in the spirit of Most Significant Change: told by
    a resident, a builder or a grant holder, speaking to one or more
    outcomes, and chosen by officers for reports."""

    class Teller(models.TextChoices):
        RESIDENT = "resident", "A resident"
        CONNECTOR = "connector", "A Community Connector"
        BUILDER = "builder", "A Community Builder"
        GRANT_HOLDER = "grant_holder", "A small sparks grant holder"
        PARTNER = "partner", "A partner organisation"

    title = models.CharField(max_length=200)
    text = models.TextField("The story")
    told_by = models.CharField(
        "Who told it",
        max_length=200,
        help_text="The name to show when the story is named, such as "
        "'Maureen, who has lived on the estate for forty years'.",
    )
    teller = models.CharField("Who they are", max_length=20, choices=Teller)
    told_on = models.DateField("When it was told")
    consent_to_publish = models.BooleanField(
        "The teller agreed that this story may be published", default=False
    )
    is_anonymous = models.BooleanField("Tell it without their name", default=True)
    outcomes = models.ManyToManyField(Outcome, related_name="stories")
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="Ward",
    )
    resident = models.ForeignKey(
        Resident,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Kept private: never shown with the story.",
    )
    group = models.ForeignKey(
        Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    award = models.OneToOneField(
        Award,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="story",
        help_text="The small sparks grant whose end-of-grant report this is.",
    )
    selected_for_report = models.BooleanField(default=False)
    selected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StoryQuerySet.as_manager()

    class Meta:
        ordering = ["-told_on", "-pk"]
        verbose_name_plural = "stories"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(selected_for_report=False)
                | models.Q(consent_to_publish=True),
                name="story_selected_only_when_publishable",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def attribution(self) -> str:
        """Who told it, as a report shows it: a name only when the teller
        agreed to be named."""
        if self.is_anonymous:
            return self.get_teller_display()
        return self.told_by


class ReportRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> ReportRunQuerySet:
        """The runs a user may open: whoever runs reports sees every run
        (queued, running, failed, drafts); whoever only reads them, the
        annual reviews published for cabinet; anyone else, none. Pages and
        services read runs through this, so a run someone may not open is
        simply not found."""
        if can(user, Capability.RUN_REPORTS):
            return self
        if can(user, Capability.READ_REPORTS):
            return self.published()
        return self.none()

    def built(self) -> ReportRunQuerySet:
        """Runs whose report is there to read."""
        return self.filter(status=ReportRun.Status.DONE)

    def with_people(self) -> ReportRunQuerySet:
        """With who asked for each run and who published it."""
        return self.select_related("requested_by", "published_by")

    def published(self) -> ReportRunQuerySet:
        """Annual reviews published for cabinet."""
        return self.filter(
            kind=ReportRun.Kind.ANNUAL,
            status=ReportRun.Status.DONE,
            published_at__isnull=False,
        )

    def unsent(self) -> ReportRunQuerySet:
        """Requested runs whose message never reached the broker, the
        longest waiting first."""
        return self.filter(
            status=ReportRun.Status.QUEUED, sent_at__isnull=True
        ).order_by("requested_at")


def report_upload_to(run: ReportRun, filename: str) -> str:
    """A random name: the PDF is served only by ReportPdfView, which checks
    who asks and gives the file its readable name (``file_name``)."""
    return unguessable_name("reports", filename)


class ReportRun(models.Model):
    """One report for one period (a financial year's annual review or a
    month's programme report): its status, progress and output. There is
    one run per kind and period; running a period again replaces its
    output."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", "Annual review"
        MONTHLY = "monthly", "Monthly programme report"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=10, choices=Kind)
    # The first and last day the report covers (a financial year runs 1
    # April to 31 March).
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MaxValueValidator(100)]
    )
    step = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requested_at = models.DateTimeField()
    # When the build message reached the broker: null while it has not, so
    # the sweep sends it later (and only once).
    sent_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    # The figures as they were worked out (suppressed as published): the web
    # page and the PDF are both drawn from them, so they always agree.
    figures = models.JSONField(default=dict, blank=True)
    recommendations = models.TextField(blank=True)
    file = models.FileField(upload_to=report_upload_to, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start"], name="report_run_one_per_period"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="report_run_period_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True)
                | models.Q(kind="annual", status="done"),
                name="report_run_publish_done_annual_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.kind == self.Kind.ANNUAL:
            return financial_year_label(self.period_start.year)
        return f"{self.period_start:%B %Y}"

    @property
    def title(self) -> str:
        if self.kind == self.Kind.ANNUAL:
            return f"Community Building annual review {self.period_label}"
        return f"Monthly programme report: {self.period_label}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def file_name(self) -> str:
        if self.kind == self.Kind.ANNUAL:
            return f"annual-review-{self.period_start.year}-{self.period_start.year + 1}.pdf"
        return f"programme-report-{self.period_start:%Y-%m}.pdf"
