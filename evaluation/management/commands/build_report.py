"""Build a report now, in this process, and print the PDF's path.

python manage.py build_report annual --year 2026   # 1 April 2026 to 31 March 2027
python manage.py build_report monthly --month 2026-10
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from evaluation import report_runs
from evaluation.models import ReportRun


class Command(BaseCommand):
    help = (
        "Build the annual review for a financial year (--year, the year it "
        "starts in) or a monthly programme report (--month YYYY-MM) "
        "synchronously, and print the PDF's path."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=ReportRun.Kind.values)
        parser.add_argument(
            "--year", type=int, help="The financial year's first year (annual)."
        )
        parser.add_argument("--month", help="The month as YYYY-MM (monthly).")

    def handle(self, *args, kind, year=None, month=None, **options):
        if kind == ReportRun.Kind.ANNUAL:
            if year is None:
                raise CommandError("Give the financial year with --year, such as 2026.")
            period = year
        else:
            try:
                period = datetime.date.fromisoformat(f"{month}-01")
            except (TypeError, ValueError) as error:
                raise CommandError("Give the month as --month YYYY-MM.") from error
        try:
            with transaction.atomic():
                run = report_runs.report_run_prepare(kind=kind, period=period)
                # Built here rather than by a worker: the sweep must not send it.
                ReportRun.objects.filter(pk=run.pk).update(sent_at=run.requested_at)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        run = report_runs.report_run_build(run_id=run.pk, notify=False)
        self.stdout.write(run.file.path)
