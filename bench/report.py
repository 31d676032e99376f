"""Time the annual review at city scale, as a worker builds it: the year's
twelve months of snapshots worked out again, the figures gathered, the PDF
drawn and stored; then the review's web page as an officer opens it.
Prints JSON. Run with the benchmark's settings and database."""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abcd.settings.bench")

import django

django.setup()

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.pages import OFFICER
from communities.models import User
from evaluation import services
from evaluation.models import ReportRun
from evaluation.reports import financial_year_of


def the_year() -> int:
    """The latest whole financial year whose review is not published (a
    published review cannot be built again)."""
    year = financial_year_of(timezone.localdate()) - 1
    while (
        ReportRun.objects.published()
        .filter(kind=ReportRun.Kind.ANNUAL, period_start__year=year)
        .exists()
    ):
        year -= 1
    return year


def main():
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    year = the_year()
    started = time.perf_counter()
    with transaction.atomic():
        run = services.report_run_prepare(kind=ReportRun.Kind.ANNUAL, period=year)
        ReportRun.objects.filter(pk=run.pk).update(sent_at=run.requested_at)
    run = services.report_run_build(run_id=run.pk, notify=False)
    built = time.perf_counter() - started
    if run.status != ReportRun.Status.DONE:
        raise SystemExit(f"the annual review for {year} was not built: {run.error}")

    officer = User.objects.get(username=OFFICER)
    client = Client()
    client.force_login(officer)
    session = client.session
    device = TOTPDevice.objects.devices_for_user(officer, confirmed=True).first()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    started = time.perf_counter()
    response = client.get(f"/evaluation/reports/{run.pk}/")
    page = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"the review's page answered {response.status_code}")
    print(
        json.dumps(
            {
                "annual_review_s": round(built + page, 2),
                "annual_review": {
                    "financial_year": f"{year}/{(year + 1) % 100:02d}",
                    "build_s": round(built, 2),
                    "page_s": round(page, 3),
                    "pdf_bytes": run.file.size,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
