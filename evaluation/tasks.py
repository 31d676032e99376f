"""Thin Celery tasks: each calls a service and is safe to run twice."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from . import indicators, services


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
