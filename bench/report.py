"""Time the annual review at city scale, as a worker builds it: the year's
twelve months of snapshots worked out again, the figures gathered, the PDF
drawn and stored; then the review's web page as an officer opens it.
Prints JSON. Run with the benchmark's settings and database."""

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from django.db import transaction
from django.utils import timezone

from bench.inprocess import officer_client  # sets Django up
from core.dates import financial_year_label, financial_year_of
from evaluation import report_runs
from evaluation.models import ReportRun


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
    year = the_year()
    started = time.perf_counter()
    with transaction.atomic():
        run = report_runs.report_run_prepare(kind=ReportRun.Kind.ANNUAL, period=year)
        ReportRun.objects.filter(pk=run.pk).update(sent_at=run.requested_at)
    run = report_runs.report_run_build(run_id=run.pk, notify=False)
    built = time.perf_counter() - started
    if run.status != ReportRun.Status.DONE:
        raise SystemExit(f"the annual review for {year} was not built: {run.error}")

    client = officer_client()
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
                    "financial_year": financial_year_label(year),
                    "build_s": round(built, 2),
                    "page_s": round(page, 3),
                    "pdf_bytes": run.file.size,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
