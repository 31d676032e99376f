"""A report run's life: asked for, sent to a worker, built (or failed),
given its recommendations and published. Keyword-only services; each write
is atomic where it happens, and bad input raises ValidationError with a
plain-English message and changes nothing.

A run reaches a worker as a Celery message for the task named BUILD_REPORT
(evaluation.tasks.build_report, which is declared with this name). It is
sent by the name, as abcd/celery.py's schedules send theirs, rather than
through the task object: evaluation.tasks calls these services, so
importing it here would close an import cycle (scripts/import_cycles.py).
Every process registers the task when the app is ready
(EvaluationConfig.ready), so where tasks run eagerly (the tests) the
message runs at once.
"""

from __future__ import annotations

import datetime
import logging

from celery import signature
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from core.dates import financial_year, financial_year_of

from . import emails, indicators, reports, services
from .models import ReportRun

BUILD_REPORT = "evaluation.tasks.build_report"

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
        year = period if isinstance(period, int) else financial_year_of(period)
        return financial_year(year)[0]
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
            signature(BUILD_REPORT, args=[run.pk]).apply_async(
                retry=True, retry_policy=PUBLISH_RETRY_POLICY
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
    for run_id in ReportRun.objects.unsent().values_list("pk", flat=True):
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
        services.snapshot_compute(month=month)
    _progress(run, 75, "Gathering the figures")
    figures = reports.gather(kind=run.kind, start=run.period_start, end=run.period_end)
    run.figures = figures
    _progress(run, 85, "Drawing the PDF")
    pdf = reports.render_pdf(run)

    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().get(pk=run.pk)
        if locked.status == ReportRun.Status.DONE:
            return locked
        locked.figures = figures
        _store_pdf(locked, pdf)
        locked.status = ReportRun.Status.DONE
        locked.progress = 100
        locked.step = "Done"
        locked.finished_at = timezone.now()
        locked.save()
        if notify:
            transaction.on_commit(lambda: emails.report_run_notify(run_id=locked.pk))
    return locked


def _store_pdf(run: ReportRun, pdf: bytes) -> None:
    """Put the run's new PDF in place; the old file goes only once the
    run's row, pointing at the new one, is committed."""
    old_name = run.file.name
    run.file.save(run.file_name, ContentFile(pdf), save=False)
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
    transaction.on_commit(lambda: emails.report_run_notify(run_id=run.pk))


def _lock_for(user, run: ReportRun) -> ReportRun:
    """The run, locked, read as the user may see it (every run when no
    person acts: the demo, a command)."""
    runs = ReportRun.objects if user is None else ReportRun.objects.visible_to(user)
    locked = runs.select_for_update().filter(pk=run.pk).first()
    if locked is None:
        raise ValidationError("There is no such report run.")
    return locked


@transaction.atomic
def report_recommendations_save(
    *, run: ReportRun, recommendations: str, written_by=None
) -> ReportRun:
    """Officers write the recommendations before publishing; the PDF is
    drawn again with them."""
    run = _lock_for(written_by, run)
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
    _store_pdf(run, reports.render_pdf(run))
    run.full_clean()
    run.save(update_fields=["recommendations", "file"])
    return run


@transaction.atomic
def report_publish(*, run: ReportRun, published_by) -> ReportRun:
    """Publish an annual review for cabinet: only a finished year's review,
    built, with recommendations written."""
    run = _lock_for(published_by, run)
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
    _store_pdf(run, reports.render_pdf(run))
    run.full_clean()
    run.save(update_fields=["published_at", "published_by", "file"])
    return run
