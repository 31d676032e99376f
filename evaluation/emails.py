"""The emails evaluation sends: a report run is ready, or could not be
built. Each is sent once the transaction that finished the run commits,
and once per run."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from . import reads
from .models import ReportRun


@transaction.atomic
def report_run_notify(*, run_id: int) -> bool:
    """Email that a run is done (or failed), once per run."""
    run = (
        ReportRun.objects.select_for_update(of=("self",))
        .select_related("requested_by")
        .filter(pk=run_id)
        .first()
    )
    if run is None or not run.is_finished or run.notified_at is not None:
        return False
    recipients = reads.report_run_recipients(run)
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
