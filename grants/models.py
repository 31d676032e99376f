"""Small sparks: funds, the applications residents make to them, the panel's
review, and the money that follows an award.

Amounts are pounds held as Decimal. A fund keeps a running ``committed``
total beside its ``budget``; services change it only while holding the
fund's row lock, and a check constraint refuses any row where it would pass
the budget, so the invariant holds even if a future write path forgets the
lock.
"""

from __future__ import annotations

import datetime
import secrets
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from communities.models import Area, Site
from core import dates
from core.roles import Capability, can
from core.uploads import unguessable_name
from core.validators import multi_line, single_line, uk_phone_number

ZERO = Decimal("0.00")
MONEY = {"max_digits": 10, "decimal_places": 2}

# Letters and digits that cannot be misread for one another over the phone.
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))
    return f"SPK-{body[:4]}-{body[4:]}"


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


RESUME_SALT = "grants.application.resume"
# A saved application can be picked up again for this long after the link
# was made.
RESUME_MAX_AGE = datetime.timedelta(days=60)


# The longest answer a text box takes, in characters. The model, its form and
# a database constraint all hold to the same figure (bounded_text).
LONG_ANSWER = 4000
SHORT_ANSWER = 2000


def bounded_text(label: str | None = None, *, max_length: int, **kwargs):
    """A TextField that keeps to ``max_length`` characters, line breaks
    allowed and control characters refused. The form drawn from it says the
    same; add ``text_within_bound`` to the model's constraints."""
    return models.TextField(
        label,
        max_length=max_length,
        validators=[MaxLengthValidator(max_length), multi_line],
        **kwargs,
    )


def text_within_bound(model_name: str, field: str, max_length: int):
    """The database's own refusal of a longer text than ``bounded_text``
    allows, whatever writes it."""
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), max_length),
        name=f"{model_name}_{field}_within_{max_length}",
    )


def _total_per_fund(queryset: models.QuerySet) -> Coalesce:
    """The sum of ``amount`` over a fund's payments or money returned, as a
    subquery, so that neither multiplies the other's rows."""
    return Coalesce(
        Subquery(
            queryset.filter(award__fund=OuterRef("pk"))
            .order_by()
            .values("award__fund")
            .annotate(total=Sum("amount"))
            .values("total")
        ),
        ZERO,
    )


class FundQuerySet(models.QuerySet):
    def open_now(self) -> FundQuerySet:
        today = timezone.localdate()
        return self.filter(opens_on__lte=today, closes_on__gte=today)

    def for_list(self) -> FundQuerySet:
        """With each fund's site."""
        return self.select_related("site")

    def with_wards(self) -> FundQuerySet:
        """With the wards each fund is open to."""
        return self.prefetch_related("areas")

    def for_detail(self) -> FundQuerySet:
        """With its site, wards, criteria and money."""
        return self.for_list().with_wards().prefetch_related("criteria").with_money()

    def with_application_count(self) -> FundQuerySet:
        """Each fund's ``application_count``: applications sent to it
        (drafts are not counted)."""
        return self.annotate(
            application_count=Count(
                "applications", filter=~Q(applications__status=Application.Status.DRAFT)
            )
        )

    def with_money(self) -> FundQuerySet:
        """Each fund's ``awarded_count`` (grants not withdrawn), and the money
        ``paid`` on its grants and ``returned`` from them."""
        return self.annotate(
            awarded_count=Coalesce(
                Subquery(
                    Award.objects.current()
                    .filter(fund=OuterRef("pk"))
                    .order_by()
                    .values("fund")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
            paid=_total_per_fund(Payment.objects.all()),
            returned=_total_per_fund(Repayment.objects.all()),
        )


class Fund(models.Model):
    """A pot of small sparks money for a site or some wards, in one year."""

    class DecisionMethod(models.TextChoices):
        OFFICER = "officer", "An officer decides"
        PANEL = "panel", "A resident panel decides"

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(
        blank=True, help_text="What the fund is for, in plain English."
    )
    site = models.ForeignKey(
        Site, null=True, blank=True, on_delete=models.PROTECT, related_name="funds"
    )
    areas = models.ManyToManyField(
        Area,
        blank=True,
        related_name="funds",
        help_text="The wards the fund covers. Leave empty to use the site's wards.",
    )
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts in: 2026 means 2026/27."
    )
    budget = models.DecimalField(**MONEY)
    minimum_award = models.DecimalField(**MONEY, default=Decimal("50.00"))
    maximum_award = models.DecimalField(**MONEY, default=Decimal("500.00"))
    committed = models.DecimalField(
        **MONEY,
        default=ZERO,
        editable=False,
        help_text="Awarded and not withdrawn, less money returned.",
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    decision_method = models.CharField(
        max_length=10, choices=DecisionMethod, default=DecisionMethod.OFFICER
    )
    anonymous_review = models.BooleanField(
        default=False,
        help_text="Hide applicants' names and contact details from the panel.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FundQuerySet.as_manager()

    class Meta:
        ordering = ["-financial_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0), name="fund_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(minimum_award__gt=0)
                & Q(minimum_award__lte=F("maximum_award")),
                name="fund_minimum_positive_and_at_most_maximum",
            ),
            models.CheckConstraint(
                condition=Q(maximum_award__lte=F("budget")),
                name="fund_maximum_at_most_budget",
            ),
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(committed__lte=F("budget")),
                name="fund_committed_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")),
                name="fund_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.minimum_award is not None and self.maximum_award is not None:
            if self.minimum_award <= 0:
                errors["minimum_award"] = "The smallest award must be more than £0."
            elif self.minimum_award > self.maximum_award:
                errors["minimum_award"] = (
                    "The smallest award must not be more than the largest award."
                )
        if self.maximum_award is not None and self.budget is not None:
            if self.maximum_award > self.budget:
                errors["maximum_award"] = (
                    "The largest award must not be more than the budget."
                )
            if self.budget < self.committed:
                errors["budget"] = (
                    f"The budget cannot be less than the £{self.committed:,} "
                    "already awarded."
                )
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = (
                "The closing date must be on or after the opening date."
            )
        if errors:
            raise ValidationError(errors)

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.committed

    @property
    def financial_year_label(self) -> str:
        return dates.financial_year_label(self.financial_year)

    def is_open(self, day: datetime.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.opens_on <= day <= self.closes_on

    def eligible_wards(self):
        """The wards an applicant may choose: the fund's own, else its
        site's, else every ward."""
        if self.pk and self.areas.exists():
            return self.areas.wards()
        if self.site_id and self.site.areas.exists():
            return self.site.areas.wards()
        return Area.objects.wards()


class Criterion(models.Model):
    """One thing the panel scores an application against (1 to 5)."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["fund", "position", "pk"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.title


class ApplicationQuerySet(models.QuerySet):
    def made_with_email(self, email: str) -> ApplicationQuerySet:
        """Applications made with this email address (in any case): the only
        link between a resident's record and an application. None for no
        address."""
        return self.filter(email__iexact=email) if email else self.none()

    def drafts_untouched_since(self, moment: datetime.datetime) -> ApplicationQuerySet:
        """Drafts never sent and not changed since ``moment``."""
        return self.filter(status=Application.Status.DRAFT, updated_at__lt=moment)

    def from_resume_token(self, token: str) -> Application | None:
        """The application an emailed link's token names, or None when the
        token was tampered with, has expired or was revoked."""
        try:
            data = signing.loads(token, salt=RESUME_SALT, max_age=RESUME_MAX_AGE)
        except signing.BadSignature:
            return None
        if not isinstance(data, dict):
            return None
        return (
            self.select_related("fund", "area")
            .filter(pk=data.get("a"), resume_nonce=data.get("n"))
            .first()
        )

    def submitted(self) -> ApplicationQuerySet:
        return self.exclude(status=Application.Status.DRAFT)

    def visible_to(self, user) -> ApplicationQuerySet:
        """The one rule for who sees an application: an officer sees every
        one sent; a panel member those they are asked to score, until they
        declare a conflict of interest; anyone else none."""
        if can(user, Capability.MANAGE_GRANTS):
            return self.submitted()
        if can(user, Capability.REVIEW_APPLICATIONS):
            return self.submitted().assigned_to(user)
        return self.none()

    def for_queue(self) -> ApplicationQuerySet:
        """The review queue's rows, oldest first, with their fund and ward
        (not the ward's boundary). Read in the order of the queue's partial
        index, one page of a city's thousands at a time."""
        return (
            self.select_related("fund", "area")
            .defer("area__boundary")
            .order_by("submitted_at", "pk")
        )

    def filtered(
        self, *, fund: Fund | None = None, status: str = ""
    ) -> ApplicationQuerySet:
        queryset = self
        if fund is not None:
            queryset = queryset.filter(fund=fund)
        if status:
            queryset = queryset.filter(status=status)
        return queryset

    def for_page(self) -> ApplicationQuerySet:
        """An application's own page: its fund, its ward, and the staff who
        checked and decided it."""
        return self.select_related("fund", "area", "screened_by", "decided_by")

    def with_panel_and_money(self) -> ApplicationQuerySet:
        """What an officer's page shows besides: the panel members asked,
        every score that counts (``current_scores``) and their average, and
        the award with its payments, money returned and end-of-grant
        report."""
        return (
            self.with_average_score()
            .select_related("award__report")
            .prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=PanelAssignment.objects.select_related("member"),
                ),
                Prefetch(
                    "scores",
                    queryset=Score.objects.current().select_related(
                        "member", "criterion", "entered_by"
                    ),
                    to_attr="current_scores",
                ),
                "award__payments",
                "award__repayments",
            )
        )

    def awaiting_decision(self) -> ApplicationQuerySet:
        return self.filter(status=Application.Status.IN_REVIEW)

    def decided(self) -> ApplicationQuerySet:
        return self.filter(decided_at__isnull=False)

    def assigned_to(self, user) -> ApplicationQuerySet:
        """Applications a panel member is assigned to and has no conflict on
        (PanelAssignment.objects.reviewing, the rule's one home)."""
        return self.filter(
            Exists(PanelAssignment.objects.reviewing(OuterRef("pk"), user))
        )

    def with_average_score(self) -> ApplicationQuerySet:
        """Each application's ``average_score``: the mean of every score that
        counts, given online or on paper (None before the first). Withdrawn
        scores do not count."""
        return self.annotate(
            average_score=Subquery(
                Score.objects.current()
                .filter(application=OuterRef("pk"))
                .order_by()
                .values("application")
                .annotate(average=Avg("score"))
                .values("average")
            )
        )

    def with_scored_by(self, member) -> ApplicationQuerySet:
        """Each application's ``scored``: whether the member has scores on it
        that count."""
        return self.annotate(
            scored=Exists(
                Score.objects.current()
                .given_by(member)
                .filter(application=OuterRef("pk"))
            )
        )

    def decision_times(self) -> dict:
        """How long decisions took, in days counted as days_to_decision
        counts them (local dates): count, average and longest."""
        days = [
            (
                timezone.localtime(decided).date()
                - timezone.localtime(submitted).date()
            ).days
            for submitted, decided in self.decided()
            .exclude(submitted_at__isnull=True)
            .values_list("submitted_at", "decided_at")
        ]
        return {
            "count": len(days),
            "average": round(sum(days) / len(days), 1) if days else None,
            "longest": max(days) if days else None,
        }


class Application(models.Model):
    """A resident's or an informal group's request for a small spark."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Not sent yet"
        SUBMITTED = "submitted", "Waiting to be checked"
        INELIGIBLE = "ineligible", "Not eligible"
        IN_REVIEW = "in_review", "Being reviewed"
        AWARDED = "awarded", "Awarded"
        DECLINED = "declined", "Not funded"

    class ApplicantType(models.TextChoices):
        INDIVIDUAL = "individual", "Just me"
        GROUP = "group", "A group of us"

    class DecisionMaker(models.TextChoices):
        OFFICER = "officer", "An officer"
        PANEL = "panel", "The resident panel"

    # Not indexed alone: the first column of an index in Meta below.
    fund = models.ForeignKey(
        Fund, on_delete=models.PROTECT, related_name="applications", db_index=False
    )
    reference = models.CharField(
        max_length=14, unique=True, default=new_reference, editable=False
    )
    status = models.CharField(max_length=12, choices=Status, default=Status.DRAFT)
    # Part of the emailed link: changing it makes every old link stop working.
    resume_nonce = models.CharField(max_length=32, default=new_nonce, editable=False)

    # About you
    applicant_type = models.CharField(max_length=12, choices=ApplicantType)
    contact_name = models.CharField(
        "Your name", max_length=200, validators=[single_line]
    )
    email = models.EmailField("Email address", validators=[single_line])
    phone = models.CharField(
        "Phone number",
        max_length=40,
        blank=True,
        validators=[single_line, uk_phone_number],
    )
    group_name = models.CharField(
        "Your group's name", max_length=200, blank=True, validators=[single_line]
    )

    # Your idea
    title = models.CharField(
        "Name of your idea", max_length=120, blank=True, validators=[single_line]
    )
    idea = bounded_text("What do you want to do?", max_length=LONG_ANSWER, blank=True)
    who_it_helps = bounded_text(
        "Who will it help?", max_length=SHORT_ANSWER, blank=True
    )
    people_expected = models.PositiveIntegerField(
        "How many people do you think will take part?", null=True, blank=True
    )

    # Where
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grant_applications",
        verbose_name="Ward",
    )

    # Money
    amount_requested = models.DecimalField(**MONEY, null=True, blank=True)
    spending_plan = bounded_text(
        "What will you spend it on?", max_length=SHORT_ANSWER, blank=True
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    screened_at = models.DateTimeField(null=True, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    screening_notes = bounded_text(max_length=SHORT_ANSWER, blank=True)

    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who recorded the decision.",
    )
    decision_maker = models.CharField(max_length=10, choices=DecisionMaker, blank=True)
    decision_reason = bounded_text(max_length=SHORT_ANSWER, blank=True)

    # Emails already sent, so that a task delivered twice sends once.
    submitted_email_sent_at = models.DateTimeField(null=True, blank=True)
    decision_email_sent_at = models.DateTimeField(null=True, blank=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-created_at"]
        indexes = [
            models.Index(fields=["fund", "status"]),
            # The review queue: submitted applications, oldest first.
            models.Index(
                fields=["submitted_at", "id"],
                condition=~Q(status="draft"),
                name="application_queue_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_requested__isnull=True) | Q(amount_requested__gt=0),
                name="application_request_positive",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="application_sent_has_submitted_at",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["awarded", "declined"])
                | Q(decided_at__isnull=False),
                name="application_decided_has_decided_at",
            ),
            text_within_bound("application", "idea", LONG_ANSWER),
            text_within_bound("application", "who_it_helps", SHORT_ANSWER),
            text_within_bound("application", "spending_plan", SHORT_ANSWER),
            text_within_bound("application", "screening_notes", SHORT_ANSWER),
            text_within_bound("application", "decision_reason", SHORT_ANSWER),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}".strip()

    @property
    def days_to_decision(self) -> int | None:
        if self.submitted_at and self.decided_at:
            return (
                timezone.localtime(self.decided_at).date()
                - timezone.localtime(self.submitted_at).date()
            ).days
        return None

    @property
    def days_waiting(self) -> int | None:
        if self.submitted_at and not self.decided_at:
            return (
                timezone.localdate() - timezone.localtime(self.submitted_at).date()
            ).days
        return None

    def resume_token(self) -> str:
        """The secret in the emailed link: signed with SECRET_KEY, so it
        cannot be guessed, and bound to the application's nonce, so changing
        the nonce revokes it."""
        return signing.dumps(
            {"a": self.pk, "n": self.resume_nonce}, salt=RESUME_SALT, compress=True
        )

    def panel_members(self):
        """The panel members asked to score it who have not declared a
        conflict of interest."""
        return (
            get_user_model()
            .objects.filter(pk__in=self.assignments.without_conflict().values("member"))
            .order_by("first_name", "last_name")
        )

    def steps_done(self) -> dict[str, bool]:
        return {
            "about": bool(self.contact_name and self.email),
            "idea": bool(self.title and self.idea and self.who_it_helps),
            "where": self.area_id is not None,
            "money": bool(self.amount_requested and self.spending_plan),
        }


class PanelAssignmentQuerySet(models.QuerySet):
    """The panel-conflict rule lives here and only here: a member who
    declared a conflict of interest on an application is no longer asked to
    review it, so sees it, scores it and counts on it no more. Every other
    read (who sees an application, who is shown as asked, who may score)
    goes through these methods."""

    def without_conflict(self) -> PanelAssignmentQuerySet:
        return self.filter(conflict_declared_at__isnull=True)

    def reviewing(self, application, member) -> PanelAssignmentQuerySet:
        """The member's assignment to the application, if they are asked to
        review it and declared no conflict (``application`` may be an
        OuterRef)."""
        return self.without_conflict().filter(application=application, member=member)


class PanelAssignment(models.Model):
    """A panel member asked to score an application. Declaring a conflict of
    interest takes them off it: they then see and score nothing of it."""

    # Not indexed alone: the first column of an index in Meta below.
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="assignments",
        db_index=False,
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    conflict_declared_at = models.DateTimeField(null=True, blank=True)
    conflict_reason = models.TextField(blank=True)

    objects = PanelAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["application", "member__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "member"], name="assignment_once_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} on {self.application.reference}"

    @property
    def has_conflict(self) -> bool:
        """For the officer's page; what a conflict takes away is decided by
        PanelAssignmentQuerySet alone."""
        return self.conflict_declared_at is not None


class ScoreQuerySet(models.QuerySet):
    def current(self) -> ScoreQuerySet:
        """Scores that count: every read of scores and their totals starts
        here. A withdrawn score is kept, for the record, and counts for
        nothing."""
        return self.filter(withdrawn_at__isnull=True)

    def withdrawn(self) -> ScoreQuerySet:
        return self.filter(withdrawn_at__isnull=False)

    def given_by(self, member) -> ScoreQuerySet:
        return self.filter(member=member)


class Score(models.Model):
    """A panel member's 1 to 5 score against one criterion. Scores given on
    paper at a panel meeting are entered by an officer and count the same.

    A score is never deleted: a member who declares a conflict of interest
    has their scores withdrawn (when, by whom and why are kept on the row),
    and a trigger refuses any DELETE. Every change is in the audit trail
    (trust.models.AuditedScore)."""

    # Not indexed alone: the first column of an index in Meta below. An
    # application with scores cannot be deleted.
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="scores", db_index=False
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="scores"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    on_paper = models.BooleanField(default=False)
    recorded_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawal_reason = models.TextField(blank=True)

    objects = ScoreQuerySet.as_manager()

    class Meta:
        ordering = ["application", "member", "criterion__position"]
        constraints = [
            # One score that counts for each member and criterion; withdrawn
            # ones stay beside it.
            models.UniqueConstraint(
                fields=["application", "criterion", "member"],
                condition=Q(withdrawn_at__isnull=True),
                name="score_once_per_member_and_criterion",
            ),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="score_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(
                    withdrawn_at__isnull=True,
                    withdrawn_by__isnull=True,
                    withdrawal_reason="",
                )
                | (
                    Q(withdrawn_at__isnull=False, withdrawn_by__isnull=False)
                    & ~Q(withdrawal_reason="")
                ),
                name="score_withdrawn_with_who_and_why",
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="score_never_deleted", operation=pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.score} for {self.criterion}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class AwardQuerySet(models.QuerySet):
    def current(self) -> AwardQuerySet:
        return self.filter(withdrawn_at__isnull=True)


class Award(models.Model):
    """The grant itself: money promised to an application."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="award"
    )
    # The fund is kept here as well as on the application so that the total
    # under the fund's lock is one indexed query.
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="awards")
    amount = models.DecimalField(**MONEY)
    awarded_on = models.DateField()
    # What this award holds of the fund's budget: the amount less money
    # returned, or once withdrawn, what was paid less money returned.
    committed = models.DecimalField(**MONEY, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawal_reason = models.TextField(blank=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["-awarded_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="award_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(committed__gte=0) & Q(committed__lte=F("amount")),
                name="award_committed_within_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"£{self.amount:,} to {self.application.reference}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments.all()), ZERO)

    @property
    def returned(self) -> Decimal:
        return sum((r.amount for r in self.repayments.all()), ZERO)

    @property
    def balance(self) -> Decimal:
        """Still to pay."""
        if self.is_withdrawn:
            return ZERO
        return max(self.amount - self.paid, ZERO)


class Payment(models.Model):
    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", "Bank transfer"
        CHEQUE = "cheque", "Cheque"
        PREPAID_CARD = "prepaid_card", "Prepaid card"
        PURCHASE = "purchase", "Bought for them by the council"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="payments")
    paid_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    method = models.CharField(max_length=20, choices=Method)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["paid_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payment_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"£{self.amount:,} on {self.paid_on:%-d %B %Y}"


class Repayment(models.Model):
    """Money a grant holder gave back (an underspend, or a withdrawn grant)."""

    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, related_name="repayments"
    )
    returned_on = models.DateField()
    amount = models.DecimalField(**MONEY)
    reason = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["returned_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="repayment_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"£{self.amount:,} returned on {self.returned_on:%-d %B %Y}"


class GrantReportQuerySet(models.QuerySet):
    def shareable(self) -> GrantReportQuerySet:
        """Reports the grant holder agreed may be shared as a story."""
        return self.filter(may_share=True)


def report_photo_path(instance, filename: str) -> str:
    """A random name (not the application's reference or the uploaded
    name): the photo is served only by ReportPhotoView, which checks who
    asks."""
    return unguessable_name("grants/reports", filename)


class GrantReport(models.Model):
    """What happened: the short end-of-grant report, kept with the grant and
    ready for the evaluation app to tell as a story."""

    award = models.OneToOneField(Award, on_delete=models.CASCADE, related_name="report")
    what_happened = bounded_text(max_length=LONG_ANSWER)
    people_taken_part = models.PositiveIntegerField()
    photo = models.ImageField(upload_to=report_photo_path, blank=True)
    photo_description = models.CharField(
        max_length=250,
        blank=True,
        validators=[single_line],
        help_text="Describe the photo for people who cannot see it.",
    )
    may_share = models.BooleanField(
        default=False,
        help_text="The grant holder agreed that this may be shared as a story.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now=True)

    objects = GrantReportQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [text_within_bound("grantreport", "what_happened", LONG_ANSWER)]

    def __str__(self) -> str:
        return f"What happened: {self.award.application.title}"

    def clean(self):
        if self.photo and not self.photo_description.strip():
            raise ValidationError(
                {
                    "photo_description": "Describe the photo for people who cannot see it."
                }
            )

    def as_story(self) -> dict:
        """The report in the shape a story needs: no personal data."""
        application = self.award.application
        return {
            "title": application.title,
            "text": self.what_happened,
            "people_taken_part": self.people_taken_part,
            "ward": application.area.name if application.area else "",
            "fund": application.fund.name,
            "amount": self.award.amount,
            # The checking view's address: no file is public.
            "photo": reverse("grants:report-photo", args=[application.pk])
            if self.photo
            else "",
            "photo_description": self.photo_description,
            "date": self.recorded_at.date(),
        }
