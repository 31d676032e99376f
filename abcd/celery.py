"""Celery for abcd: Redis is the broker, and every schedule is defined here.

Schedules live in code (not in an admin screen or a server's crontab) so that
they are reviewed, versioned and the same on every machine. Each entry links to
crontab.guru so its timing can be read at a glance.
"""

import os

from celery import Celery
from celery.schedules import crontab

# Production unless told otherwise, as for manage.py and gunicorn: a worker or
# beat started by hand never runs on development settings by accident.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "abcd.settings.production")

app = Celery("abcd")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Nightly at 02:15: this month's (and last month's) indicator snapshots.
    # https://crontab.guru/#15_2_*_*_*
    "evaluation-snapshots": {
        "task": "evaluation.tasks.compute_snapshots",
        "schedule": crontab(hour=2, minute=15),
    },
    # Personal data retention, at night: https://crontab.guru/#30_2_*_*_*
    "trust-apply-retention": {
        "task": "trust.tasks.apply_retention",
        "schedule": crontab(hour=2, minute=30),
    },
    # At 06:00 on the 1st of each month: last month's programme report.
    # https://crontab.guru/#0_6_1_*_*
    "evaluation-monthly-report": {
        "task": "evaluation.tasks.request_monthly_report",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    # At 06:30 on 1 April: the annual review of the year that ended on 31
    # March. https://crontab.guru/#30_6_1_4_*
    "evaluation-annual-review": {
        "task": "evaluation.tasks.request_annual_review",
        "schedule": crontab(month_of_year=4, day_of_month=1, hour=6, minute=30),
    },
    # Every minute: report runs requested while Redis was down are sent.
    # https://crontab.guru/#*_*_*_*_*
    "evaluation-send-unsent-report-runs": {
        "task": "evaluation.tasks.send_unsent_report_runs",
        "schedule": crontab(),
    },
}
