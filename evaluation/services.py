"""Every write in evaluation that is more than a form save.

Keyword-only, atomic and validated: bad input raises ValidationError with a
plain-English message and changes nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from communities.models import Area, Consent, Site
from core.dates import financial_year_of

from . import indicators, instruments, reports
from .models import (
    CohesionAnswer,
    CohesionQuestion,
    Indicator,
    Outcome,
    ReportRun,
    Snapshot,
    Story,
    SurveyResponse,
)

SURVEY_SALT = "evaluation.survey.link"


# Snapshots ------------------------------------------------------------------


def _scopes() -> list[indicators.Scope]:
    return [
        indicators.Scope(),
        *(
            indicators.Scope(site=site)
            for site in Site.objects.prefetch_related("areas")
        ),
        *(indicators.Scope(area=ward) for ward in Area.objects.wards()),
    ]


def snapshot_compute(
    *,
    month: datetime.date,
    indicator_set: Iterable[Indicator] | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Compute every indicator for one month, for the whole programme, each
    site and each ward, and store the values. Idempotent: the month's old
    rows are replaced in the same transaction, so a rerun (or a retried
    task) leaves exactly one row per indicator, month and scope.

    Returns how many values were stored."""
    if not isinstance(month, datetime.date):
        raise ValidationError("Give the month as a date.")
    start = indicators.month_start(month)
    end = indicators.next_month(start)
    now = now or timezone.now()
    chosen = list(
        indicator_set
        if indicator_set is not None
        else Indicator.objects.with_outcome_and_question()
    )
    with transaction.atomic():
        indicators.plan_for_lookups()
        scopes = _scopes()
        rows = []
        for indicator in chosen:
            spec = indicators.spec_for(indicator)
            results = spec.compute_all(start, end)
            for scope in scopes:
                measure = results.get(scope.key, spec.empty)
                rows.append(
                    Snapshot(
                        indicator=indicator,
                        month=start,
                        site=scope.site,
                        area=scope.area,
                        value=measure.value,
                        base=measure.base,
                        computed_at=now,
                    )
                )
        Snapshot.objects.filter(month=start, indicator__in=chosen).delete()
        Snapshot.objects.bulk_create(rows)
    return len(rows)


# The framework --------------------------------------------------------------


@transaction.atomic
def outcome_save(
    *,
    title: str,
    description: str = "",
    position: int = 0,
    outcome: Outcome | None = None,
) -> Outcome:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Enter the outcome."})
    if outcome is None:
        code = slugify(title)[:40] or "outcome"
        base, n = code, 2
        while Outcome.objects.filter(code=code).exists():
            code = f"{base[:36]}-{n}"
            n += 1
        outcome = Outcome(code=code)
    outcome.title = title
    outcome.description = description.strip()
    outcome.position = position
    outcome.full_clean()
    outcome.save()
    return outcome


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    name: str,
    outcome: Outcome,
    position: int = 0,
    is_headline: bool = False,
) -> Indicator:
    """Rename an indicator, move it to another outcome or make it a
    headline. What it counts never changes here: that is its definition."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Enter the indicator's name."})
    if indicator.kind == Indicator.Kind.STORIES and outcome != indicator.outcome:
        raise ValidationError(
            {
                "outcome": "Stories are counted by their outcome, so this indicator "
                "stays with its outcome."
            }
        )
    indicator.name = name
    indicator.outcome = outcome
    indicator.position = position
    indicator.is_headline = is_headline
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def story_indicator_ensure(*, outcome: Outcome) -> Indicator:
    """Every outcome has a count of the stories that speak to it."""
    indicator, _ = Indicator.objects.get_or_create(
        code=f"stories-{outcome.code}"[:60],
        defaults={
            "kind": Indicator.Kind.STORIES,
            "outcome": outcome,
            "name": f"Stories of change: {outcome.title}",
            "position": 90,
        },
    )
    return indicator


@transaction.atomic
def cohesion_question_save(
    *,
    text: str,
    outcome: Outcome,
    is_active: bool = True,
    position: int = 0,
    question: CohesionQuestion | None = None,
) -> CohesionQuestion:
    """Add or reword a cohesion question; each has its indicator, the
    percentage who agree."""
    text = " ".join(text.split())
    if not text:
        raise ValidationError(
            {"text": "Enter the statement residents agree or disagree with."}
        )
    clash = CohesionQuestion.objects.filter(text__iexact=text)
    if question is not None:
        clash = clash.exclude(pk=question.pk)
    if clash.exists():
        raise ValidationError({"text": "There is already a question with these words."})
    question = question or CohesionQuestion()
    question.text = text
    question.is_active = is_active
    question.position = position
    question.full_clean()
    question.save()
    indicator = Indicator.objects.filter(question=question).first()
    if indicator is None:
        code = f"cohesion-{question.pk}"
        Indicator.objects.create(
            code=code,
            kind=Indicator.Kind.SURVEY,
            outcome=outcome,
            name=f"Residents who agree: “{text}”",
            position=60 + position,
            question=question,
        )
    return question


# Surveys --------------------------------------------------------------------


def survey_link_token(*, area: Area, wave: str, site: Site | None = None) -> str:
    """The secret in a survey link residents answer without an account:
    signed with SECRET_KEY, so the ward and wave cannot be changed."""
    return signing.dumps(
        {"a": area.pk, "w": wave, "s": site.pk if site else None},
        salt=SURVEY_SALT,
        compress=True,
    )


def survey_link_from_token(token: str) -> dict | None:
    """The ward, wave and site a link was made for, or None when the link
    is broken or older than EVALUATION_SURVEY_LINK_DAYS."""
    max_age = datetime.timedelta(days=settings.EVALUATION_SURVEY_LINK_DAYS)
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("w") not in SurveyResponse.Wave.values:
        return None
    area = Area.objects.wards().filter(pk=data.get("a")).first()
    if area is None:
        return None
    site = Site.objects.filter(pk=data["s"]).first() if data.get("s") else None
    return {"area": area, "wave": data["w"], "site": site}


@transaction.atomic
def survey_response_record(
    *,
    area: Area,
    wave: str,
    completed_on: datetime.date,
    swemwbs: list[int | None],
    ons4: Mapping[str, int | None],
    cohesion: Mapping[int, int | None],
    site: Site | None = None,
    entered_by=None,
) -> SurveyResponse:
    """Keep one resident's survey answers. SWEMWBS needs all seven answers
    or none; its raw total and metric score are worked out here. Any
    question may be left blank, but not every one of them."""
    swemwbs = list(swemwbs or [None] * 7)
    if len(swemwbs) != 7:
        raise ValidationError("SWEMWBS has seven statements.")
    given = [a for a in swemwbs if a is not None]
    ons_given = {k: v for k, v in (ons4 or {}).items() if v is not None}
    cohesion_given = {k: v for k, v in (cohesion or {}).items() if v is not None}
    if not given and not ons_given and not cohesion_given:
        raise ValidationError("Answer at least one question.")
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "The date cannot be in the future."})
    if site is not None and not site.areas.filter(pk=area.pk).exists():
        raise ValidationError({"site": f"{site} does not work in {area}."})
    response = SurveyResponse(
        area=area,
        site=site,
        wave=wave,
        completed_on=completed_on,
        entered_via=(
            SurveyResponse.EnteredVia.STAFF
            if entered_by
            else SurveyResponse.EnteredVia.LINK
        ),
        entered_by=entered_by,
    )
    for name, answer in zip(SurveyResponse.SWEMWBS_FIELDS, swemwbs, strict=True):
        setattr(response, name, answer)
    if given:
        if len(given) != 7:
            raise ValidationError(
                "Answer all seven wellbeing statements, or leave them all blank."
            )
        try:
            response.swemwbs_raw = instruments.swemwbs_raw(given)
        except ValueError as error:
            raise ValidationError(str(error)) from error
        response.swemwbs_metric = instruments.swemwbs_metric(response.swemwbs_raw)
    for key in instruments.ONS4_KEYS:
        value = ons_given.get(key)
        if value is not None and not 0 <= value <= 10:
            raise ValidationError({key: "Choose a number from 0 to 10."})
        setattr(response, key, value)
    response.full_clean()
    response.save()
    questions = CohesionQuestion.objects.in_bulk(list(cohesion_given))
    for question_id, answer in cohesion_given.items():
        if question_id not in questions:
            raise ValidationError("That question is no longer asked.")
        if answer not in range(1, 6):
            raise ValidationError("Choose how much you agree.")
        CohesionAnswer.objects.create(
            response=response, question=questions[question_id], answer=answer
        )
    return response


# Stories --------------------------------------------------------------------


@transaction.atomic
def story_record(
    *,
    title: str,
    text: str,
    told_by: str,
    teller: str,
    told_on: datetime.date,
    outcomes: Iterable[Outcome],
    consent_to_publish: bool,
    is_anonymous: bool,
    recorded_by,
    site: Site | None = None,
    area: Area | None = None,
    resident=None,
    group=None,
    award=None,
    story: Story | None = None,
) -> Story:
    """Keep a story, or change one. A story names its teller only when they
    agreed: a linked resident must have agreed to be named in stories."""
    title, text, told_by = title.strip(), text.strip(), told_by.strip()
    outcomes = list(outcomes)
    errors = {}
    if not title:
        errors["title"] = "Give the story a title."
    if not text:
        errors["text"] = "Enter the story."
    if not told_by:
        errors["told_by"] = "Enter who told the story."
    if not outcomes:
        errors["outcomes"] = "Choose at least one outcome the story speaks to."
    if told_on and told_on > timezone.localdate():
        errors["told_on"] = "The date cannot be in the future."
    if (
        resident is not None
        and not is_anonymous
        and not resident.consents.filter(
            purpose=Consent.Purpose.STORY, withdrawn_at__isnull=True
        ).exists()
    ):
        errors["is_anonymous"] = (
            f"{resident.first_name} has not agreed to be named in stories: "
            "tell it without their name."
        )
    if errors:
        raise ValidationError(errors)
    story = story or Story(recorded_by=recorded_by)
    story.title = title
    story.text = text
    story.told_by = told_by
    story.teller = teller
    story.told_on = told_on
    story.consent_to_publish = consent_to_publish
    story.is_anonymous = is_anonymous
    story.site = site
    story.area = area
    story.resident = resident
    story.group = group
    story.award = award
    if not consent_to_publish:
        # A story nobody may publish cannot stay in a report.
        story.selected_for_report = False
        story.selected_by = None
    story.full_clean()
    story.save()
    story.outcomes.set(outcomes)
    return story


@transaction.atomic
def story_from_grant_report(
    *, report, outcomes: Iterable[Outcome], recorded_by
) -> Story:
    """Turn an end-of-grant report into a story (once per grant): only a
    report the grant holder agreed may be shared, and told without a name."""
    if not report.may_share:
        raise ValidationError(
            "The grant holder did not agree that this report may be shared."
        )
    existing = Story.objects.filter(award=report.award).first()
    if existing is not None:
        return existing
    told = report.as_story()
    application = report.award.application
    return story_record(
        title=told["title"] or "A small sparks grant",
        text=told["text"],
        told_by=f"A small sparks grant holder in {told['ward']}"
        if told["ward"]
        else "A small sparks grant holder",
        teller=Story.Teller.GRANT_HOLDER,
        told_on=told["date"],
        outcomes=outcomes,
        consent_to_publish=True,
        is_anonymous=True,
        recorded_by=recorded_by,
        site=application.fund.site,
        area=application.area,
        award=report.award,
    )


@transaction.atomic
def story_select(*, story: Story, selected: bool, selected_by) -> Story:
    """Choose a story for reports, or take it out."""
    if selected and not story.consent_to_publish:
        raise ValidationError(
            "Only a story the teller agreed may be published can go in a report."
        )
    story.selected_for_report = selected
    story.selected_by = selected_by if selected else None
    story.full_clean()
    story.save(update_fields=["selected_for_report", "selected_by"])
    return story


# Report runs ----------------------------------------------------------------

logger = logging.getLogger(__name__)

# How a publish behaves when the broker is down: fail fast and leave the run
# for the sweep, rather than keep an officer's request waiting.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# A run sent this long ago that is still not done has lost its message or
# its worker (the task's time limit is 30 minutes): it may be asked for again.
STALE_RUN = datetime.timedelta(hours=2)


def _is_stale(run: ReportRun, now: datetime.datetime) -> bool:
    since = run.started_at or run.sent_at
    return since is not None and since < now - STALE_RUN


def _period_start(kind: str, period) -> datetime.date:
    if kind == ReportRun.Kind.ANNUAL:
        if isinstance(period, int):
            return datetime.date(period, 4, 1)
        return datetime.date(financial_year_of(period), 4, 1)
    return indicators.month_start(period)


@transaction.atomic
def report_run_prepare(
    *, kind: str, period: int | datetime.date, requested_by=None
) -> ReportRun:
    """Record a run for a period (a financial year's starting year for an
    annual review, any day of the month for a monthly report), queued and
    not yet sent. A period has one run: asking again resets it, and its new
    output replaces the old when it is done."""
    if kind not in ReportRun.Kind.values:
        raise ValidationError({"kind": "Choose the annual review or a monthly report."})
    if not isinstance(period, int | datetime.date):
        raise ValidationError("Choose the period the report covers.")
    start = _period_start(kind, period)
    start, end = reports.period_for(kind, start)
    if start > timezone.localdate():
        raise ValidationError(
            {"period": "That period has not started yet: choose one that has."}
        )
    now = timezone.now()
    run = (
        ReportRun.objects.select_for_update()
        .filter(kind=kind, period_start=start)
        .first()
    )
    if run is not None:
        if run.status in (
            ReportRun.Status.QUEUED,
            ReportRun.Status.RUNNING,
        ) and not _is_stale(run, now):
            raise ValidationError(
                f"The {run.get_kind_display().lower()} for {run.period_label} "
                "is already being built."
            )
        if run.is_published:
            raise ValidationError(
                f"The annual review for {run.period_label} is published, so "
                "it cannot be built again."
            )
    else:
        run = ReportRun(kind=kind, period_start=start)
    run.period_end = end
    run.status = ReportRun.Status.QUEUED
    run.progress = 0
    run.step = "Waiting for a worker"
    run.requested_by = requested_by
    run.requested_at = now
    run.sent_at = None
    run.started_at = None
    run.finished_at = None
    run.error = ""
    run.notified_at = None
    run.full_clean()
    run.save()
    return run


@transaction.atomic
def report_run_request(
    *, kind: str, period: int | datetime.date, requested_by=None
) -> ReportRun:
    """Ask for a report to be built in the background. The run is stored
    first and its message sent once the request commits; if the broker is
    down then, the sweep sends it later."""
    run = report_run_prepare(kind=kind, period=period, requested_by=requested_by)
    transaction.on_commit(lambda: report_run_send(run_id=run.pk))
    return run


def report_run_send(*, run_id: int) -> bool:
    """Send one queued run's build message, at most once: the row is locked
    while sending and marked as sent in the same transaction, and a run
    another process is sending is skipped. Returns False when there was
    nothing to send or the broker could not be reached (the run stays
    unsent for the sweep)."""
    from kombu.exceptions import OperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError

    from .tasks import build_report

    try:
        with transaction.atomic():
            run = (
                ReportRun.objects.select_for_update(skip_locked=True)
                .unsent()
                .filter(pk=run_id)
                .first()
            )
            if run is None:
                return False
            build_report.apply_async(
                args=[run.pk], retry=True, retry_policy=PUBLISH_RETRY_POLICY
            )
            ReportRun.objects.filter(pk=run.pk).update(sent_at=timezone.now())
    except (OperationalError, RedisConnectionError, ConnectionError) as error:
        logger.warning(
            "Report run %s not sent, the sweep will retry: %s", run_id, error
        )
        return False
    return True


def report_runs_sweep() -> int:
    """Send every run whose message never reached the broker. Returns how
    many were sent."""
    sent = 0
    for run_id in (
        ReportRun.objects.unsent().order_by("requested_at").values_list("pk", flat=True)
    ):
        sent += report_run_send(run_id=run_id)
    return sent


def _progress(run: ReportRun, progress: int, step: str) -> None:
    """Progress is written outside the build's transactions so the page
    that follows it sees it at once."""
    ReportRun.objects.filter(pk=run.pk).update(progress=progress, step=step)


def report_run_build(*, run_id: int, notify: bool = True) -> ReportRun | None:
    """Build a run's report: refresh the period's monthly snapshots, gather
    the figures, draw the PDF, then store figures, file and status together.

    Safe to deliver twice: a finished run is left as it is, and a run whose
    worker died is built again from the start (nothing it half-did is ever
    shown, because the output is only replaced at the end, in one
    transaction)."""
    with transaction.atomic():
        run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status == ReportRun.Status.DONE:
            return run
        run.status = ReportRun.Status.RUNNING
        run.started_at = timezone.now()
        run.finished_at = None
        run.attempts += 1
        run.progress = 0
        run.step = "Starting"
        run.error = ""
        run.save(
            update_fields=[
                "status",
                "started_at",
                "finished_at",
                "attempts",
                "progress",
                "step",
                "error",
            ]
        )

    # Months still to come have nothing to work out yet.
    this_month = indicators.month_start(timezone.localdate())
    months = [
        m
        for m in reports.months_in(run.period_start, run.period_end)
        if m <= this_month
    ]
    for index, month in enumerate(months, start=1):
        _progress(
            run, int(70 * (index - 1) / len(months)), f"Working out {month:%B %Y}"
        )
        snapshot_compute(month=month)
    _progress(run, 75, "Gathering the figures")
    figures = reports.gather(kind=run.kind, start=run.period_start, end=run.period_end)
    run.figures = figures
    _progress(run, 85, "Drawing the PDF")
    pdf = reports.render_pdf(run)

    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == ReportRun.Status.DONE:
            return locked
        old_name = locked.file.name
        locked.figures = figures
        locked.file.save(locked.file_name, ContentFile(pdf), save=False)
        locked.status = ReportRun.Status.DONE
        locked.progress = 100
        locked.step = "Done"
        locked.finished_at = timezone.now()
        locked.save()
        if old_name and old_name != locked.file.name:
            storage = locked.file.storage
            transaction.on_commit(lambda: storage.delete(old_name))
        if notify:
            transaction.on_commit(lambda: report_run_notify(run_id=locked.pk))
    return locked


def _write_pdf(run: ReportRun) -> None:
    old_name = run.file.name
    run.file.save(run.file_name, ContentFile(reports.render_pdf(run)), save=False)
    if old_name and old_name != run.file.name:
        storage = run.file.storage
        transaction.on_commit(lambda: storage.delete(old_name))


@transaction.atomic
def report_run_fail(*, run_id: int, error: str) -> None:
    """A run that could not be built after its retries: say so, keep
    whatever output it had before (never half a report)."""
    run = ReportRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.status == ReportRun.Status.DONE:
        return
    run.status = ReportRun.Status.FAILED
    run.finished_at = timezone.now()
    run.step = "Failed"
    run.error = error[:2000]
    run.save(update_fields=["status", "finished_at", "step", "error"])
    transaction.on_commit(lambda: report_run_notify(run_id=run.pk))


def report_run_recipients(run: ReportRun) -> list[str]:
    """Whoever asked for the run; for a scheduled run, every officer."""
    from communities.models import User
    from core.roles import Role

    if run.requested_by_id and run.requested_by.email:
        return [run.requested_by.email]
    return list(
        User.objects.filter(groups__name=Role.OFFICER.label, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


@transaction.atomic
def report_run_notify(*, run_id: int) -> bool:
    """Email that a run is done (or failed), once per run."""
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string
    from django.urls import reverse

    run = (
        ReportRun.objects.select_for_update(of=("self",))
        .select_related("requested_by")
        .filter(pk=run_id)
        .first()
    )
    if run is None or not run.is_finished or run.notified_at is not None:
        return False
    recipients = report_run_recipients(run)
    if recipients:
        context = {
            "run": run,
            "link": settings.SITE_URL.rstrip("/")
            + reverse("evaluation:report-run", args=[run.pk]),
            "council_name": settings.COUNCIL_NAME,
            "service_name": settings.SERVICE_NAME,
        }
        ready = run.status == ReportRun.Status.DONE
        message = EmailMultiAlternatives(
            subject=f"{run.title}: {'ready' if ready else 'could not be built'}",
            body=render_to_string("evaluation/email/report_run.txt", context),
            to=recipients,
        )
        message.attach_alternative(
            render_to_string("evaluation/email/report_run.html", context), "text/html"
        )
        message.send()
    run.notified_at = timezone.now()
    run.save(update_fields=["notified_at"])
    return True


@transaction.atomic
def report_recommendations_save(*, run: ReportRun, recommendations: str) -> ReportRun:
    """Officers write the recommendations before publishing; the PDF is
    drawn again with them."""
    run = ReportRun.objects.select_for_update().get(pk=run.pk)
    if run.kind != ReportRun.Kind.ANNUAL or run.status != ReportRun.Status.DONE:
        raise ValidationError(
            "Recommendations can only be written for an annual review that is built."
        )
    if run.is_published:
        raise ValidationError(
            "This review is published: its recommendations can no longer change."
        )
    text = "\n".join(line.rstrip() for line in recommendations.strip().splitlines())
    if len(text) > 10_000:
        raise ValidationError(
            {"recommendations": "Keep the recommendations under 10,000 characters."}
        )
    run.recommendations = text
    _write_pdf(run)
    run.full_clean()
    run.save(update_fields=["recommendations", "file"])
    return run


@transaction.atomic
def report_publish(*, run: ReportRun, published_by) -> ReportRun:
    """Publish an annual review for cabinet: only a finished year's review,
    built, with recommendations written."""
    run = ReportRun.objects.select_for_update().get(pk=run.pk)
    if run.kind != ReportRun.Kind.ANNUAL:
        raise ValidationError("Only an annual review is published for cabinet.")
    if run.status != ReportRun.Status.DONE:
        raise ValidationError("The review must be built before it is published.")
    if run.is_published:
        raise ValidationError("This review is already published.")
    if run.period_end >= timezone.localdate():
        raise ValidationError(
            "The financial year has not ended yet: publish its review after 31 March."
        )
    if not run.recommendations.strip():
        raise ValidationError("Write the recommendations before publishing.")
    run.published_at = timezone.now()
    run.published_by = published_by
    # Drawn again so the PDF no longer says "draft".
    _write_pdf(run)
    run.full_clean()
    run.save(update_fields=["published_at", "published_by", "file"])
    return run
