"""Thin Celery tasks: each calls a service and is safe to run twice."""

from __future__ import annotations

import datetime
import random

from celery import shared_task
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.dates import financial_year_of

from . import indicators, report_runs, services
from .models import ReportRun


@shared_task(acks_late=True, reject_on_worker_lost=True)
def compute_snapshots(month: str | None = None) -> int:
    """Recompute one month's snapshots (an ISO date in the month), or, with
    no month, this month and last month: work is often logged a few days
    late. Recomputing replaces the month's values, so a retry is harmless."""
    if month:
        return services.snapshot_compute(month=datetime.date.fromisoformat(month))
    this_month = indicators.month_start(timezone.localdate())
    last_month = indicators.month_start(this_month - datetime.timedelta(days=1))
    return services.snapshot_compute(month=last_month) + services.snapshot_compute(
        month=this_month
    )


# Reports --------------------------------------------------------------------

# Transient troubles (the database restarting, a lost connection) are retried
# with a growing wait; anything still failing after that marks the run failed.
REPORT_RETRIES = 4


@shared_task(
    name=report_runs.BUILD_REPORT,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=REPORT_RETRIES,
)
def build_report(self, run_id: int) -> str:
    """Build one report run. Idempotent on the run: a second delivery of a
    done run does nothing, and a run whose worker died is built again."""
    try:
        run = report_runs.report_run_build(run_id=run_id)
    except Exception as error:
        if self.request.retries < self.max_retries:
            # 10 s, 20 s, 40 s, 80 s (with jitter) before each new attempt.
            countdown = 10 * 2**self.request.retries + random.randint(0, 5)
            raise self.retry(exc=error, countdown=countdown) from error
        report_runs.report_run_fail(
            run_id=run_id, error=str(error) or type(error).__name__
        )
        raise
    return run.status if run else "missing"


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_unsent_report_runs() -> int:
    """Runs requested while the broker was down are sent now (each once)."""
    return report_runs.report_runs_sweep()


def _request_scheduled(kind: str, period) -> int | None:
    try:
        return report_runs.report_run_request(kind=kind, period=period).pk
    except ValidationError:
        # Already being built, or a published review: nothing to do.
        return None


@shared_task(acks_late=True, reject_on_worker_lost=True)
def request_monthly_report() -> int | None:
    """On the 1st: last month's programme report for officers."""
    last_month = indicators.month_start(timezone.localdate()) - datetime.timedelta(
        days=1
    )
    return _request_scheduled(ReportRun.Kind.MONTHLY, last_month)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def request_annual_review() -> int | None:
    """After 31 March: the review of the financial year just ended."""
    year = financial_year_of(timezone.localdate()) - 1
    return _request_scheduled(ReportRun.Kind.ANNUAL, year)
